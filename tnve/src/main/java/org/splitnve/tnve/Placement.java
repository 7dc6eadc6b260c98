package org.splitnve.tnve;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.splitnve.tnve.TnveEngine.TsiState;
import org.splitnve.wire.vdp.VsiMode;

/**
 * Placement (RFC 8394 section 2, REQ-3): which uplinks carry a VN (all of them in active-active, the active one
 * in active-standby), the {@link Link} of a TSI at each, and the fail-over of an active-standby VN to a standby
 * uplink when its active one is lost.
 */
final class Placement {
    private final Station station;
    private Requests requests;
    /** ACTIVE_STANDBY VNs: the uplink currently serving each. */
    private final Map<Long, Uplink> activeFor = new HashMap<>();

    Placement(Station station) {
        this.station = station;
    }

    void requests(Requests r) {
        this.requests = r;
    }

    Link link(Vm vm, TsiSpec spec, Uplink up) {
        Link l = up.links.get(spec.id());
        if (l == null) {
            l = new Link(vm, spec, up);
            up.links.put(spec.id(), l);
        } else {
            l.spec = spec;
        }
        return l;
    }

    /** The uplinks that carry a VN: all of them (active-active) or the active one (active-standby). */
    List<Uplink> uplinksFor(long vn) {
        TnveConfig.Placement p = station.config.placements().get(vn);
        if (p == null) {
            return List.of(station.uplinks.getFirst());
        }
        if (p.mode() == TnveConfig.Mode.ACTIVE_ACTIVE) {
            List<Uplink> out = new ArrayList<>();
            for (String n : p.uplinks()) {
                Uplink up = station.uplinkByName.get(n);
                if (up != null) {
                    out.add(up);
                }
            }
            return out;
        }
        Uplink active = activeFor.get(vn);
        if (active == null) {
            for (String n : p.uplinks()) {
                Uplink up = station.uplinkByName.get(n);
                if (up != null && up.alive) {
                    active = up;
                    break;
                }
            }
            if (active == null) {
                active = station.uplinkByName.get(p.uplinks().getFirst());
            }
            activeFor.put(vn, active);
        }
        return List.of(active);
    }

    /** Every (TSI, uplink) of a VM: the uplinks serving each TSI's VN. */
    List<Link> links(Vm vm) {
        List<Link> links = new ArrayList<>();
        for (TsiSpec spec : vm.tsis) {
            for (Uplink up : uplinksFor(spec.vnId())) {
                links.add(link(vm, spec, up));
            }
        }
        return links;
    }

    /**
     * REQ-3: the VNs an uplink just lost was active for (active-standby) move to the first standby alive; their
     * TSIs go there in the state this end device wants, and are let go at the lost nNVE when it is heard again.
     */
    void failOver(Uplink up) {
        for (Map.Entry<Long, TnveConfig.Placement> e : station.config.placements().entrySet()) {
            if (e.getValue().mode() != TnveConfig.Mode.ACTIVE_STANDBY || activeFor.get(e.getKey()) != up) {
                continue;
            }
            Uplink standby = null;
            for (String name : e.getValue().uplinks()) {
                Uplink cand = station.uplinkByName.get(name);
                if (cand != null && cand != up && cand.alive) {
                    standby = cand;
                    break;
                }
            }
            if (standby == null) {
                continue;
            }
            long vn = e.getKey();
            activeFor.put(vn, standby);
            station.emit(new TnveEvent.Failover(Long.toString(vn), up.cfg.name(), standby.cfg.name()));
            for (Link l : List.copyOf(up.links.values())) {
                if (l.spec.vnId() != vn || l.desired == TsiState.INIT) {
                    continue;
                }
                Link moved = link(l.vm, l.spec, standby);
                moved.desired = l.desired;
                moved.suspended = l.suspended;
                TsiState want = l.desired;
                l.desired = TsiState.INIT; // de-associated here when this nNVE is heard again
                l.keepAliveDue = Long.MAX_VALUE;
                requests.drive(moved, want, want == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR, null,
                        r -> { });
            }
        }
    }
}
