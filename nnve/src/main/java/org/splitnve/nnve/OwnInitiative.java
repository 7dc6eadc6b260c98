package org.splitnve.nnve;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VnId;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * What the nNVE does on its own initiative, for its operator (REQ-6, REQ-9, SEC-5): de-associate or
 * deactivate a TSI, release an end device's tags, disconnect a VN, each told to the end devices.
 */
final class OwnInitiative extends EnginePart {
    OwnInitiative(NnveEngine engine) {
        super(engine);
    }

    // ------------------------------------------------------------------ the nNVE's own initiative (REQ-6, REQ-9)

    /** De-associates every instance of a TSI and tells its end device (REQ-9). Returns how many. */
    int deassociate(VsiId id, String reason) {
        List<Tsi> list = engine.instances(id);
        for (Tsi t : list) {
            engine.sessions.notifyDeassociate(t, reason);
            engine.tsm.release(t, "nNVE: " + reason);
        }
        return list.size();
    }

    /**
     * Deactivates every activated instance of a TSI (REQ-9): Activated to Associated, told to the end
     * device with the deactivate extension. A standard peer cannot be told, so its TSI is
     * de-associated instead (and it learns that). Returns how many instances changed.
     */
    int deactivate(VsiId id, String reason) {
        int n = 0;
        for (Tsi t : engine.instances(id)) {
            if (t.state == TsiState.ACTIVATED) {
                n++;
                deactivateWhole(t, reason);
            }
        }
        return n;
    }

    void deactivateWhole(Tsi t, String reason) {
        if (t.peer.has(Feature.DEACTIVATE)) {
            engine.tsm.transition(t, TsiState.ASSOCIATED, "nNVE: " + reason);
            List<OrgTlv> attached = new ArrayList<>(2);
            attached.add(new DeactivateTlv(false, DeactivateTlv.Cause.ADMINISTRATIVE));
            if (t.peer.has(Feature.REASON_DETAIL)) {
                attached.add(new ReasonDetailTlv(ReasonDetail.ADMIN.wire(), VsiRequests.clip(reason)));
            }
            engine.sessions.send(t.peer, new VsiTlv(VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Request.PLAIN, t.typeId,
                    t.typeVersion, t.id, t.filter, attached));
        } else {
            engine.sessions.notifyDeassociate(t, reason);
            engine.tsm.release(t, "nNVE: " + reason + " (standard peer: de-associated)");
        }
    }

    /**
     * Deactivates some addresses of every activated instance of a TSI (REQ-9), told to the end device
     * with the deactivate extension (PARTIAL, the addresses in address TLVs). Where every address would
     * be deactivated, or the end device is a standard peer, this is {@link #deactivate(VsiId, String)}.
     */
    int deactivate(VsiId id, List<TsiAddress> addresses, String reason) {
        int n = 0;
        for (Tsi t : engine.instances(id)) {
            if (t.state != TsiState.ACTIVATED || !t.addresses.containsAll(addresses)) {
                continue;
            }
            n++;
            List<TsiAddress> next = new ArrayList<>(t.held);
            for (TsiAddress a : addresses) {
                if (!next.contains(a)) {
                    next.add(a);
                }
            }
            if (!t.peer.has(Feature.DEACTIVATE) || !t.peer.has(Feature.TSI_ADDRESSES) || next.containsAll(t.addresses)) {
                deactivateWhole(t, reason);
                continue;
            }
            engine.requests.hold(t, next, "DEACTIVATE (nNVE: " + reason + ")");
            List<TsiAddressTlv> frags = TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, 0, addresses, 480);
            for (int i = 0; i < frags.size(); i += 2) {
                List<OrgTlv> att = new ArrayList<>(frags.subList(i, Math.min(i + 2, frags.size())));
                if (i + 2 >= frags.size()) {
                    att.add(new DeactivateTlv(true, DeactivateTlv.Cause.ADMINISTRATIVE));
                    if (t.peer.has(Feature.REASON_DETAIL)) {
                        att.add(new ReasonDetailTlv(ReasonDetail.ADMIN.wire(), VsiRequests.clip(reason)));
                    }
                }
                engine.sessions.send(t.peer, new VsiTlv(VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Request.PLAIN, t.typeId,
                        t.typeVersion, t.id, t.filter, att));
            }
        }
        return n;
    }

    /**
     * SEC-5, the operator's release: the explicit VN connections of an end device behind {@code port}
     * (every end device there when {@code station} is null) are dropped, each told with VN connect
     * DISCONNECTED where it has the extension; a VN that then has no TSI and no other explicit peer on
     * its scope is disconnected and its local tags return to the pool. TSIs are left alone (de-associate
     * them by name). Returns how many local tags returned to the pool.
     */
    int releaseTags(int port, MacAddress station, String reason) {
        int freed = 0;
        for (Peer p : List.copyOf(peers.values())) {
            if (p.port != port || (station != null && !p.station.equals(station))) {
                continue;
            }
            for (Vap vap : List.copyOf(p.explicitVaps)) {
                vap.explicit.remove(p);
                p.explicitVaps.remove(vap);
                VnId id = switch (vap.vn.key()) {
                    case VnKey.Id i -> new VnId.Group((int) i.id());
                    case VnKey.Name nm -> new VnId.Name(nm.name());
                    default -> null;
                };
                if (id != null && p.has(Feature.VN_CONNECT)) {
                    engine.sessions.send(p, new VnConnectTlv(VsiStatus.Request.PLAIN,
                            VnConnectTlv.Operation.DISCONNECTED, id, List.of(), p.has(Feature.REASON_DETAIL)
                                    ? List.of(new ReasonDetailTlv(ReasonDetail.ADMIN.wire(), VsiRequests.clip(reason)))
                                    : List.of()));
                }
                if (vap.tsiAssociated == 0 && vap.explicit.isEmpty()) {
                    freed += vap.tags.size();
                    engine.vapTags.disconnect(vap, "released by the operator: " + reason);
                }
            }
        }
        return freed;
    }

    /**
     * Disconnects a VN everywhere (REQ-6): every TSI of the VN is de-associated, every end device that
     * knows the VN is told (VN connect DISCONNECTED where it has the extension), every tag returns.
     */
    int disconnectVn(VnKey vn, String reason) {
        int n = 0;
        for (Scope s : scopes.values()) {
            Vap vap = s.vaps.get(vn);
            if (vap == null) {
                continue;
            }
            Set<Peer> told = new LinkedHashSet<>(vap.explicit);
            for (Tsi t : engine.tsis()) {
                if (t.vap == vap) {
                    told.add(t.peer);
                    engine.sessions.notifyDeassociate(t, reason);
                    engine.tsm.release(t, "VN disconnected: " + reason);
                    n++;
                }
            }
            VnId id = switch (vn) {
                case VnKey.Id i -> new VnId.Group((int) i.id());
                case VnKey.Name nm -> new VnId.Name(nm.name());
                default -> null;
            };
            for (Peer p : told) {
                if (id != null && p.has(Feature.VN_CONNECT)) {
                    engine.sessions.send(p, new VnConnectTlv(VsiStatus.Request.PLAIN,
                            VnConnectTlv.Operation.DISCONNECTED, id, List.of(), p.has(Feature.REASON_DETAIL)
                                    ? List.of(new ReasonDetailTlv(ReasonDetail.ADMIN.wire(), VsiRequests.clip(reason)))
                                    : List.of()));
                }
            }
            engine.vapTags.disconnect(vap, reason);
        }
        return n;
    }
}
