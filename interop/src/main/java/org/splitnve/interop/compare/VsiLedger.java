package org.splitnve.interop.compare;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.splitnve.transport.WireTap;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * What a station and a bridge said to each other about each VSI, as seen on the wire by a tap at each
 * end (each tap sees only what the other side sent): ECPDUs, acknowledgements and retransmissions per
 * direction, and per VSI the station's requests, the bridge's answers and the bridge's own
 * De-Associates. From that, which VSIs the bridge still holds. Thread-safe (two taps feed it).
 */
public final class VsiLedger {
    /** ECP counters of one direction. */
    public record Direction(long frames, long requests, long acks, long retransmissions, long vsiTlvs) {
        Direction minus(Direction o) {
            return new Direction(frames - o.frames, requests - o.requests, acks - o.acks,
                    retransmissions - o.retransmissions, vsiTlvs - o.vsiTlvs);
        }
    }

    private static final class Side {
        long frames;
        long requests;
        long acks;
        long retransmissions;
        long vsiTlvs;
        int lastSequence = -1;

        Direction snapshot() {
            return new Direction(frames, requests, acks, retransmissions, vsiTlvs);
        }
    }

    private static final class Vsi {
        long lastRequest;
        long lastSuccess;
        long bridgeDeassociates;
        long lastBridgeDeassociate;
    }

    private final Side station = new Side();
    private final Side bridge = new Side();
    private final Map<VsiId, Vsi> vsis = new HashMap<>();

    /** A frame the station sent, captured at the bridge. */
    public void fromStation(WireTap.Captured c) {
        record(station, c, true);
    }

    /** A frame the bridge sent, captured at the station. */
    public void fromBridge(WireTap.Captured c) {
        record(bridge, c, false);
    }

    private synchronized void record(Side side, WireTap.Captured c, boolean fromStation) {
        Frame.Vdp f = c.vdp();
        if (f == null) {
            return;
        }
        side.frames++;
        if (f.ecp().operation() == EcpOperation.ACK) {
            side.acks++;
            return;
        }
        side.requests++;
        if (f.ecp().sequence() == side.lastSequence) {
            side.retransmissions++;
            return; // the same ECPDU again: nothing new in it
        }
        side.lastSequence = f.ecp().sequence();
        for (VdpItem item : f.vdp().items()) {
            if (!(item instanceof VsiTlv v)) {
                continue;
            }
            side.vsiTlvs++;
            Vsi s = vsis.computeIfAbsent(v.vsiId(), k -> new Vsi());
            if (fromStation) {
                if (!v.isResponse()) {
                    s.lastRequest = c.nanos();
                }
            } else if (v.isResponse()) {
                if (v.status() instanceof VsiStatus.Response r && r.isSuccess() && v.mode() != VsiMode.DE_ASSOCIATE) {
                    s.lastSuccess = c.nanos();
                }
            } else if (v.mode() == VsiMode.DE_ASSOCIATE) {
                s.bridgeDeassociates++;
                s.lastBridgeDeassociate = c.nanos();
            }
        }
    }

    public synchronized Direction station() {
        return station.snapshot();
    }

    public synchronized Direction bridge() {
        return bridge.snapshot();
    }

    /** How many of {@code ids} the bridge has answered with success at least once. */
    public int answered(Collection<VsiId> ids) {
        return count(ids, s -> s.lastSuccess != 0);
    }

    /**
     * How many of {@code ids} the bridge holds at {@code now}: answered with success, not de-associated by
     * the bridge since, and refreshed (a request of the station) within the bridge's keep-alive timeout
     * {@code timeoutNanos}: the rule by which the bridge lets a VSI go.
     */
    public int held(Collection<VsiId> ids, long now, long timeoutNanos) {
        return count(ids, s -> s.lastSuccess != 0 && s.lastBridgeDeassociate < s.lastSuccess
                && now - s.lastRequest <= timeoutNanos);
    }

    /** How many of {@code ids} the bridge has de-associated on its own (its keep-alive timeout). */
    public int deassociatedByBridge(Collection<VsiId> ids) {
        return count(ids, s -> s.bridgeDeassociates > 0);
    }

    private synchronized int count(Collection<VsiId> ids, java.util.function.Predicate<Vsi> test) {
        int n = 0;
        for (VsiId id : ids) {
            Vsi s = vsis.get(id);
            if (s != null && test.test(s)) {
                n++;
            }
        }
        return n;
    }
}
