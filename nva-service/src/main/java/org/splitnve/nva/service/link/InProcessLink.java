package org.splitnve.nva.service.link;

import java.time.Duration;
import java.util.Set;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.Digest;
import org.splitnve.nva.service.Interest;
import org.splitnve.nva.service.Poll;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.SessionInfo;
import org.splitnve.nva.service.Snapshot;
import org.splitnve.nva.service.Watch;

/**
 * An NVA in the same process (docs/nva-protocol.md section 14): each call is the {@link RevisionedNva} method of
 * the same name, with this link's nNVE as the principal. Its interest is the VNs its registration serves, read at
 * each list and watch. The embedded deployment of one nNVE uses it, and so do tests of the nNVE's client against
 * the real NVA. {@link #setReachable(boolean)} cuts it off (every call then fails as a dead network would).
 */
public final class InProcessLink implements NvaLink {
    private final RevisionedNva nva;
    private final NveId nve;
    private volatile boolean reachable = true;

    public InProcessLink(RevisionedNva nva, NveId nve) {
        this.nva = nva;
        this.nve = nve;
    }

    /** Cuts the link (false) or restores it (true): calls and open streams fail while it is cut. */
    public void setReachable(boolean reachable) {
        this.reachable = reachable;
    }

    private void check() throws NvaUnavailable {
        if (!reachable) {
            throw new NvaUnavailable("in-process NVA cut off");
        }
    }

    private Interest interest() throws NvaUnavailable {
        SessionInfo s = nva.session(nve);
        if (s.registration() == null) {
            throw new NvaUnavailable("UNKNOWN_NVE: " + nve.name() + " is not registered", true, null);
        }
        return Interest.of(nve, s.registration() == null ? Set.of() : s.registration().vns());
    }

    @Override
    public SessionInfo session() throws NvaUnavailable {
        check();
        SessionInfo s = nva.session(nve);
        if (s.registration() == null) {
            throw new NvaUnavailable("UNKNOWN_NVE: " + nve.name() + " is not registered", true, null);
        }
        return s;
    }

    @Override
    public Snapshot list() throws NvaUnavailable {
        check();
        return nva.list(interest());
    }

    @Override
    public WatchStream watch(String historyId, long fromRevision) throws NvaUnavailable {
        check();
        Watch w = nva.watch(interest(), historyId, fromRevision);
        return new WatchStream() {
            @Override
            public Poll next(Duration maxWait) throws NvaUnavailable {
                check();
                return w.poll(maxWait);
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public Receipt report(Report report) throws NvaUnavailable {
        check();
        return nva.report(nve, report);
    }

    @Override
    public void acknowledge(String historyId, long appliedRevision) throws NvaUnavailable {
        check();
        if (historyId.equals(nva.historyId())) {
            nva.acknowledge(nve, appliedRevision);
        }
    }

    @Override
    public Digest.Audit acknowledge(String historyId, long appliedRevision, Digest replica) throws NvaUnavailable {
        check();
        if (!historyId.equals(nva.historyId())) {
            return Digest.Audit.UNCHECKED; // another history's revision means nothing here
        }
        return nva.acknowledge(nve, appliedRevision, replica);
    }

    @Override
    public Digest.At ownDigest() throws NvaUnavailable {
        check();
        return nva.ownDigest(nve);
    }

    @Override
    public String address() {
        return "in-process";
    }

    @Override
    public void close() {
    }
}
