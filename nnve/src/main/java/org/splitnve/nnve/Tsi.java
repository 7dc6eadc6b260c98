package org.splitnve.nnve;

import java.util.List;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * One TSI instance: a TSI on one nNVE port, from one end device, in one VN (SM-TSI-1; SM-TSI-7: two
 * instances of one TSI are told apart by port and station). Mutable; owned by the engine thread.
 */
public final class Tsi {
    final VsiId id;
    final Peer peer;
    final Vap vap;
    TsiState state = TsiState.INIT;
    int typeId;
    /** The Manager ID of the station's latest request for this TSI: the nNVE's own requests about it carry it. */
    org.splitnve.wire.vdp.ManagerId manager;
    int typeVersion;
    /** The filter as accepted, null VIDs replaced by the VN's tag. */
    Filter filter;
    /** Every address of the TSI: the filter's MACs and the extension's IP addresses (REQ-10). */
    List<TsiAddress> addresses = List.of();
    List<Parameter> parameters = List.of();
    /** Addresses deactivated while the TSI is Activated (REQ-8, REQ-9: some addresses). */
    List<TsiAddress> held = List.of();
    /** Whether this instance holds the TSI's NVA entries (SM-TSI-7: only one instance does). */
    boolean ownsNva;
    /** The migration this instance arrived by, or null (REQ-13, LC-MCAST). */
    java.util.UUID arrival;
    boolean arrivalHinted;
    /**
     * REL-4: the migration its end device announced this instance is leaving by (a DEPARTURE), or null: an
     * instance arriving by the same migration ID may take the TSI's NVA entries from it.
     */
    java.util.UUID departing;
    /** The port of the instance this one took the NVA entries from at its last activation, or -1. */
    int arrivedFrom = -1;
    long refreshedAt;
    /**
     * When its station last sent a request for it (a keep-alive included); {@link #refreshedAt} moves on other
     * occasions too (the delivery of an answer, a restart's grace).
     */
    long requestedAt = Long.MIN_VALUE;
    /** Answers sent to its standard station again since its last request ({@link Sessions#nudge}). */
    int nudged;
    /** Refresh order within the peer (keep-alive expiry, SM-TIMER). */
    Tsi older;
    Tsi newer;
    /** The next instance of the same VSIID on this nNVE. */
    Tsi nextInstance;
    long digest;

    Tsi(VsiId id, Peer peer, Vap vap) {
        this.id = id;
        this.peer = peer;
        this.vap = vap;
    }

    public VsiId id() {
        return id;
    }

    public TsiState state() {
        return state;
    }

    public int port() {
        return peer.port;
    }

    public org.splitnve.wire.MacAddress station() {
        return peer.station;
    }

    public Vap vap() {
        return vap;
    }

    public List<TsiAddress> addresses() {
        return addresses;
    }

    /** Addresses deactivated while the TSI is Activated (some addresses of a TSI, REQ-8, REQ-9). */
    public List<TsiAddress> held() {
        return held;
    }

    public List<Parameter> parameters() {
        return parameters;
    }

    public Filter filter() {
        return filter;
    }

    public boolean ownsNvaEntries() {
        return ownsNva;
    }

    /**
     * LC-MIGRATE, DP-5: this instance is a live migration's destination that has not activated yet (associated with the
     * ARRIVAL indication, or the M bit).
     */
    public boolean arriving() {
        return state == TsiState.ASSOCIATED && (arrival != null || arrivalHinted);
    }

    Effect.Instance instance() {
        return new Effect.Instance(id, peer.port, peer.station, vap.vn.key());
    }
}
