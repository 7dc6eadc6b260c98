package org.splitnve.nva.service.link;

import java.time.Duration;
import org.splitnve.nva.service.Digest;
import org.splitnve.nva.service.Poll;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.SessionInfo;
import org.splitnve.nva.service.Snapshot;

/**
 * One nNVE's connection to one NVA address (docs/nva-protocol.md sections 2 and 4-7): the calls the nNVE's NVA
 * client makes, whatever carries them. The nNVE is the link's principal: it is authenticated once, by the link's
 * credential, and never named in a call. Two implementations: {@link InProcessLink} (an NVA in the same process:
 * the embedded deployment of a single nNVE, and tests) and the HTTP binding (module nva-http).
 *
 * <p>Every call may throw {@link NvaUnavailable}: the NVA could not be reached or did not answer in time, or
 * refused the principal (then {@link NvaUnavailable#refused()}). The caller (the session state machine of
 * section 6) backs off and tries the next address. A link is used by one thread at a time per call; the watch
 * stream has its own thread.
 */
public interface NvaLink extends AutoCloseable {

    /** {@code POST /v1/nva/session}: where the NVA stands for this nNVE (section 6). */
    SessionInfo session() throws NvaUnavailable;

    /** {@code GET /v1/nva/list}: every resource of this nNVE's interest at one revision (section 4.1). */
    Snapshot list() throws NvaUnavailable;

    /**
     * {@code GET /v1/nva/watch?history=H&from=R}: the changes after revision {@code fromRevision} of history
     * {@code historyId} that concern this nNVE (section 4.2). The stream ends after a {@link Poll.TooOld}.
     */
    WatchStream watch(String historyId, long fromRevision) throws NvaUnavailable;

    /** {@code POST /v1/nva/reports}: one report, answered once durable (section 5). */
    Receipt report(Report report) throws NvaUnavailable;

    /**
     * {@code POST /v1/nva/ack}: this nNVE has applied everything up to {@code appliedRevision} of
     * {@code historyId} (section 7).
     */
    void acknowledge(String historyId, long appliedRevision) throws NvaUnavailable;

    /**
     * An acknowledgement with the digest of the replica at that revision (section 12): whether the NVA's digest
     * of this nNVE's interest at that revision matches. {@link Digest.Audit#DIVERGED}: list again. A link that
     * cannot carry the digest yet acknowledges without it ({@link Digest.Audit#UNCHECKED}).
     */
    default Digest.Audit acknowledge(String historyId, long appliedRevision, Digest replica) throws NvaUnavailable {
        acknowledge(historyId, appliedRevision);
        return Digest.Audit.UNCHECKED;
    }

    /**
     * {@code GET /v1/nva/own-digest}: the NVA's digest of this nNVE's own entries (its mapping entries and local
     * tags) at the NVA's revision (section 12), for the own-entries audit. Null from a link that cannot ask it.
     */
    default Digest.At ownDigest() throws NvaUnavailable {
        return null;
    }

    /** Where this link goes, for logs and metrics ("in-process", "https://10.0.0.1:7443"). */
    String address();

    @Override
    void close();

    /** An open watch: one consumer thread calls {@link #next}. */
    interface WatchStream extends AutoCloseable {
        /**
         * The next changes, or an empty {@link Poll.Changes} with the revision reached (a progress mark) when
         * nothing came within {@code maxWait}; a {@link Poll.TooOld} ends the stream.
         */
        Poll next(Duration maxWait) throws NvaUnavailable;

        @Override
        void close();
    }

    /** The NVA could not be used: unreachable, timed out, a broken stream, or the principal refused. */
    final class NvaUnavailable extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean refused;

        public NvaUnavailable(String message, boolean refused, Throwable cause) {
            super(message, cause);
            this.refused = refused;
        }

        public NvaUnavailable(String message) {
            this(message, false, null);
        }

        /** The NVA answered but refused this nNVE (401, 403 UNKNOWN_NVE): retrying soon will not help. */
        public boolean refused() {
            return refused;
        }
    }
}
