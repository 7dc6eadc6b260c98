package org.splitnve.nva.service;

import java.time.Duration;
import java.util.Objects;

/**
 * A pull cursor on the change log for one interest (docs/nva-protocol.md section 4.2): each {@link #poll} returns
 * the changes after the cursor's position, in order, and moves it on. Meant for one consumer thread (the HTTP
 * stream of one nNVE session, a test); {@link RevisionedNva} itself is shared.
 */
public final class Watch {
    private final RevisionedNva nva;
    final Interest interest;
    final String historyId;
    /** The last revision the consumer has been given everything of. */
    long position;

    Watch(RevisionedNva nva, Interest interest, String historyId, long fromRevision) {
        this.nva = nva;
        this.interest = Objects.requireNonNull(interest, "interest");
        this.historyId = Objects.requireNonNull(historyId, "historyId");
        if (fromRevision < 0) {
            throw new IllegalArgumentException("a revision is not negative: " + fromRevision);
        }
        this.position = fromRevision;
    }

    /**
     * The changes after the position, waiting up to {@code maxWait} for one; an empty {@link Poll.Changes} when
     * none came. {@link Poll.TooOld} when the NVA no longer has them: the consumer lists and watches anew.
     */
    public Poll poll(Duration maxWait) {
        return nva.poll(this, maxWait);
    }

    public long position() {
        return position;
    }

    public Interest interest() {
        return interest;
    }
}
