package org.splitnve.tnve;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.splitnve.tnve.TnveEngine.TsiState;
import org.splitnve.wire.vdp.CapabilityTlv;

/**
 * OPS-3: the limits each nNVE advertised in its capability TLV (docs/protocol.md 5.1.1), or the built-in bound,
 * and the refusal, before anything is registered or sent, of an operation that would go beyond them.
 */
final class Limits {
    private final Station station;
    private final Placement placement;

    Limits(Station station, Placement placement) {
        this.station = station;
        this.placement = placement;
    }

    /** Keeps the limits an nNVE advertised in its capability TLV (docs/protocol.md 5.1.1), and logs a change. */
    void noteLimits(Uplink up, CapabilityTlv caps) {
        if (caps == null) {
            return;
        }
        boolean changed = up.advertised == null || !up.advertised.limits().equals(caps.limits());
        up.advertised = caps;
        if (changed && !caps.limits().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (CapabilityTlv.Limit l : caps.limits()) {
                sb.append(sb.isEmpty() ? "" : ", ").append(l.value()).append(' ').append(l.describe());
            }
            station.emit(new TnveEvent.UplinkLimits(up.cfg.name(), sb.toString()));
        }
    }

    /** An uplink's limit of one kind: advertised by its nNVE, else the built-in bound (addresses only), else none. */
    static long limit(Uplink up, int kind) {
        if (up.advertised != null) {
            java.util.OptionalLong v = up.advertised.limit(kind);
            if (v.isPresent()) {
                return v.getAsLong();
            }
        }
        return kind == CapabilityTlv.Limit.ADDRESSES_PER_TSI ? TnveEngine.BUILT_IN_ADDRESSES_PER_TSI : Long.MAX_VALUE;
    }

    private static boolean advertised(Uplink up, int kind) {
        return up.advertised != null && up.advertised.limit(kind).isPresent();
    }

    /** The refusal of an operation over a limit, logged; nothing is sent. */
    CompletableFuture<OpResult> overLimit(String vm, String tsi, Uplink up, String operation, int kind, long requested,
            String what) {
        long max = limit(up, kind);
        boolean adv = advertised(up, kind);
        String name = new CapabilityTlv.Limit(kind, 0).describe();
        String detail = what + ": " + up.cfg.name() + (adv ? " accepts at most " : " is held to at most ") + max + " "
                + name + (adv ? " (its advertised limit)" : " (the built-in bound: its nNVE advertised none)")
                + "; nothing was sent";
        station.emit(new TnveEvent.OverLimit(vm, tsi, up.cfg.name(), operation, name, requested, max, adv));
        return CompletableFuture.completedFuture(OpResult.overLimit(detail));
    }

    /**
     * OPS-3: the refusal of TSIs that would go beyond a limit of the nNVE serving them (addresses per TSI, TSIs and
     * VNs of this end device there), or null when they fit. Checked before anything is registered or sent.
     */
    CompletableFuture<OpResult> checkLimits(String vm, String operation, List<TsiSpec> tsis) {
        Map<Uplink, Integer> newTsis = new HashMap<>();
        Map<Uplink, java.util.Set<Long>> newVns = new HashMap<>();
        for (TsiSpec spec : tsis) {
            long addresses = 1L + spec.ips().size();
            for (Uplink up : placement.uplinksFor(spec.vnId())) {
                if (addresses > limit(up, CapabilityTlv.Limit.ADDRESSES_PER_TSI)) {
                    return overLimit(vm, spec.id().toString(), up, operation, CapabilityTlv.Limit.ADDRESSES_PER_TSI,
                            addresses, "TSI " + spec.id() + " has " + addresses + " addresses (its MAC and "
                                    + spec.ips().size() + " IP addresses)");
                }
                Link l = up.links.get(spec.id());
                if (l == null || l.confirmed == TsiState.INIT) {
                    newTsis.merge(up, 1, Integer::sum);
                }
                if (!up.vnUse.containsKey(spec.vnId())) {
                    newVns.computeIfAbsent(up, u -> new java.util.HashSet<>()).add(spec.vnId());
                }
            }
        }
        for (Map.Entry<Uplink, Integer> e : newTsis.entrySet()) {
            Uplink up = e.getKey();
            long total = (long) up.confirmedCount + e.getValue();
            if (total > limit(up, CapabilityTlv.Limit.TSIS_PER_PEER)) {
                return overLimit(vm, "-", up, operation, CapabilityTlv.Limit.TSIS_PER_PEER, total, "this end device holds "
                        + up.confirmedCount + " TSIs there, " + e.getValue() + " more make " + total);
            }
        }
        for (Map.Entry<Uplink, java.util.Set<Long>> e : newVns.entrySet()) {
            Uplink up = e.getKey();
            long total = (long) up.vnUse.size() + e.getValue().size();
            if (total > limit(up, CapabilityTlv.Limit.VNS_PER_PEER)) {
                return overLimit(vm, "-", up, operation, CapabilityTlv.Limit.VNS_PER_PEER, total, "this end device uses "
                        + up.vnUse.size() + " VNs there, " + e.getValue().size() + " more make " + total);
            }
        }
        return null;
    }
}
