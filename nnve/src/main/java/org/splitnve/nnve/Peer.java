package org.splitnve.nnve;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.splitnve.protocol.auth.FrameAuthenticator;
import org.splitnve.protocol.ecp.EcpEndpoint;
import org.splitnve.protocol.ecp.EcpListener;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiId;

/**
 * One end device as the nNVE sees it: a (port, station MAC) pair (REQ-1, REQ-2: several end
 * devices behind one port across a bridged network are separate peers), its ECP endpoint, what it
 * supports, its session and its TSIs.
 */
public final class Peer implements EcpListener {
    final int port;
    final MacAddress station;
    final NnveEngine engine;
    EcpEndpoint ecp;
    /** The features both sides support; empty for a standard peer. */
    CapabilityTlv common;
    boolean capabilitySent;
    /** The frame authenticator this end device must pass (REQ-11), or null: implicit authentication. */
    FrameAuthenticator auth;
    /** Whether it has proved it holds the key (always false without an authenticator). */
    boolean authenticated;
    /** The peer's session epoch (0: no session extension seen). */
    int epoch;
    long lastHeard;
    /**
     * SM-TIMER, a standard station: answers delivered to it, in delivery order, each to be sent again if no request about
     * its TSI follows in time ({@link Sessions#nudge}).
     */
    final java.util.ArrayDeque<Sessions.Nudge> nudges = new java.util.ArrayDeque<>();
    long resyncDeadline = Long.MAX_VALUE;
    /**
     * REL-7, SEC-9: the next ECPDU to this peer carries this side's capabilities and a session TLV with
     * RESYNC_REQUEST: the peer is to announce every TSI again.
     */
    boolean resyncWanted;
    int tsiCount;
    long digest;
    /**
     * REL-2: the peer was made for TSIs restored from the nNVE's durable state and has not spoken since: once it
     * does with a session, what it does not announce again by the resync deadline is released.
     */
    boolean restored;
    /** REL-2: whether its restored TSIs say it spoke the extensions (kept while it has not spoken again). */
    boolean restoredExtensions;
    /**
     * REL-2: until then (clock nanos) no TSI of this standard station is stepped down for want of a keep-alive: its
     * TSIs were restored after a kill, and a request it sent while this nNVE was away may have been given up by its ECP,
     * after which it waits its response timeout (lldpad: about 16 s) before it asks again.
     */
    long restoredGraceUntil = Long.MIN_VALUE;
    /** Refresh order of this peer's TSIs: oldest first. */
    Tsi oldest;
    Tsi newest;
    /** TSIs of this peer per VAP. */
    final Map<Vap, Integer> vapUse = new HashMap<>();
    /** VAPs this peer connected explicitly (REQ-5). */
    final Set<Vap> explicitVaps = new HashSet<>();
    /** Address fragments received but not yet complete, per TSI and transaction (REQ-10). */
    final Map<VsiId, StagedChange> fragments = new HashMap<>();
    /** What {@link #fragments} hold, against the per-peer limits (SEC-5). */
    int stagedFragments;
    long stagedOctets;
    /** When the oldest staged change may have expired (one keep-alive timeout after it began). */
    long stagedDeadline = Long.MAX_VALUE;
    /** Requests dropped unprocessed because this peer's answers were not being acknowledged (SEC-5). */
    long dropped;

    /** Requests dropped unprocessed because this peer's answers waited unacknowledged (SEC-5). */
    public long droppedRequests() {
        return dropped;
    }
    /** The timers this end device announced in its LLDP EVB TLV, clamped (SEC-10), or null. */
    org.splitnve.protocol.Timers announced;

    Peer(int port, MacAddress station, NnveEngine engine) {
        this.port = port;
        this.station = station;
        this.engine = engine;
    }

    public int port() {
        return port;
    }

    public MacAddress station() {
        return station;
    }

    /** The VNs this peer uses (SEC-4 limit). */
    int vnCount() {
        int n = vapUse.size();
        for (Vap v : explicitVaps) {
            if (!vapUse.containsKey(v)) {
                n++;
            }
        }
        return n;
    }

    boolean uses(Vap v) {
        return vapUse.containsKey(v) || explicitVaps.contains(v);
    }

    /** Whether this end device must authenticate its frames (REQ-11). */
    public boolean authenticationRequired() {
        return auth != null;
    }

    /** Whether it has authenticated (REQ-11); false for a peer without authentication. */
    public boolean authenticated() {
        return authenticated;
    }

    public boolean extensions() {
        return common != null;
    }

    public boolean has(CapabilityTlv.Feature f) {
        return common != null && common.has(f);
    }

    /**
     * When this end device was last heard from (its clock's nanoseconds): its last frame, or the last time its
     * keep-alive timeout was checked and renewed.
     */
    public long lastHeard() {
        return lastHeard;
    }

    public int tsiCount() {
        return tsiCount;
    }

    /** Address fragments this end device has staged, every TSI together (SEC-5). */
    public int stagedFragments() {
        return stagedFragments;
    }

    /** Their octets (SEC-5). */
    public long stagedOctets() {
        return stagedOctets;
    }

    public EcpEndpoint ecp() {
        return ecp;
    }

    /** A request of this peer's station for {@code t}: refreshed, and heard from its station ({@link Tsi#requestedAt}). */
    void request(Tsi t, long now) {
        t.requestedAt = now;
        t.nudged = 0;
        touch(t, now);
    }

    void touch(Tsi t, long now) {
        unlink(t);
        t.refreshedAt = now;
        t.older = newest;
        t.newer = null;
        if (newest != null) {
            newest.newer = t;
        } else {
            oldest = t;
        }
        newest = t;
    }

    void unlink(Tsi t) {
        if (t.older != null) {
            t.older.newer = t.newer;
        } else if (oldest == t) {
            oldest = t.newer;
        }
        if (t.newer != null) {
            t.newer.older = t.older;
        } else if (newest == t) {
            newest = t.older;
        }
        t.older = null;
        t.newer = null;
    }

    @Override
    public void onReceive(EthernetHeader ethernet, VdpPdu pdu) {
        engine.receive(this, pdu);
    }

    @Override
    public void onDelivered(List<Object> tokens) {
        engine.delivered(this, tokens);
    }

    @Override
    public void onTransmitError(List<Object> tokens) {
        engine.transmitError(this, tokens);
    }
}
