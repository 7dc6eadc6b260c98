package org.splitnve.nnve;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.ParameterTlv;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VnId;
import org.splitnve.wire.vdp.VsiStatus;

/**
 * VAPs and local tags (SM-VAP-1..3): one VAP per (port scope, VN) holds the VN's local tag from the
 * scope's pool while a TSI or an explicit VN connection uses it; tags are charged to the end device and
 * its port (SEC-5). Also answers VN connect requests.
 */
final class VapTags extends EnginePart {
    VapTags(NnveEngine engine) {
        super(engine);
    }

    // ------------------------------------------------------------------ VAPs (SM-VAP-1..3)

    /**
     * SEC-5: whether {@code p} may make the nNVE reserve {@code n} more local tags: its own quota and that
     * of its port. Checked before anything is reserved.
     */
    Refusal tagQuota(Peer p, int n) {
        NnveConfig.Limits l = config.limits();
        int mine = tagsOfPeer.getOrDefault(key(p.port, p.station), 0);
        if (mine + n > l.tagsPerPeer()) {
            return new Refusal(ReasonCode.INSUFFICIENT_RESOURCES.value(), ReasonDetail.LIMIT.wire(),
                    "this end device holds " + mine + " local tags, at most " + l.tagsPerPeer());
        }
        if (tagsOfPort[p.port] + n > l.tagsPerPort()) {
            return new Refusal(ReasonCode.INSUFFICIENT_RESOURCES.value(), ReasonDetail.LIMIT.wire(),
                    "the end devices on this port hold " + tagsOfPort[p.port]
                    + " local tags, at most " + l.tagsPerPort());
        }
        return null;
    }

    void charge(Peer p, Vap vap, int tag) {
        long k = key(p.port, p.station);
        vap.chargedTo.put(tag, k);
        tagsOfPeer.merge(k, 1, Integer::sum);
        tagsOfPort[p.port]++;
    }

    void uncharge(Vap vap, int tag) {
        Long k = vap.chargedTo.remove(tag);
        if (k != null) {
            if (tagsOfPeer.merge(k, -1, Integer::sum) <= 0) {
                tagsOfPeer.remove(k);
            }
            tagsOfPort[(int) (k >>> 48)]--;
        }
    }

    /** The local tags reserved on behalf of an end device (SEC-5). */
    int tagsHeldBy(int port, MacAddress station) {
        return tagsOfPeer.getOrDefault(key(port, station), 0);
    }

    /**
     * VN_Connect: binds a tag (the one asked for, or the lowest free), tells the NVA (SM-VAP-2); the tag
     * is charged to {@code p}, whose quota is checked first (SEC-5).
     */
    Refusal connect(Peer p, Vap vap, int wanted) {
        Refusal quota = tagQuota(p, 1);
        if (quota != null) {
            return quota;
        }
        LocalTagPool pool = vap.scope.tags;
        int tag;
        if (wanted > 0) {
            switch (pool.reserve(wanted, vap.vn.key())) {
                case OK -> tag = wanted;
                case IN_USE -> {
                    return new Refusal(ReasonCode.INVALID_VID_GROUP_OR_MAC.value(), ReasonDetail.TAG.wire(),
                            "VID " + wanted + " is the tag of " + pool.owner(wanted) + " on this port");
                }
                case NOT_IN_POOL -> {
                    return new Refusal(ReasonCode.INVALID_VID_GROUP_OR_MAC.value(), ReasonDetail.TAG.wire(),
                            "VID " + wanted + " is not in this port's tag pool");
                }
                default -> {
                    return new Refusal(ReasonCode.INSUFFICIENT_RESOURCES.value(), ReasonDetail.TAG.wire(),
                            "no local tag left");
                }
            }
        } else {
            tag = pool.allocate(vap.vn.key());
            if (tag < 0) {
                return new Refusal(ReasonCode.INSUFFICIENT_RESOURCES.value(), ReasonDetail.TAG.wire(),
                        "no local tag left on this port scope (" + pool.size() + " in the pool)");
            }
        }
        vap.tags.clear();
        vap.tags.add(tag);
        charge(p, vap, tag);
        vap.state = Vap.State.VN_CONNECTED;
        vap.scope.vaps.put(vap.vn.key(), vap);
        events.accept(new NnveEvent.VapState(vap.scope.name, vap.vn.key(), Vap.State.VN_DISCONNECTED,
                Vap.State.VN_CONNECTED, tag, vap.vn.vni()));
        effects.accept(new Effect.NvaVnTag(vap.vn.key(), vap.vn.vni(), vap.scope.name, tag));
        return null;
    }

    /** VN_Disconnect: every resource of the VN on the scope goes; the tags return to the pool (SM-VAP-3). */
    void disconnect(Vap vap, String cause) {
        if (vap.state == Vap.State.VN_DISCONNECTED) {
            return;
        }
        for (int tag : vap.tags) {
            vap.scope.tags.release(tag);
            uncharge(vap, tag);
        }
        int tag = vap.tag();
        vap.tags.clear();
        vap.state = Vap.State.VN_DISCONNECTED;
        vap.scope.vaps.remove(vap.vn.key());
        for (Peer p : vap.explicit) {
            p.explicitVaps.remove(vap);
        }
        vap.explicit.clear();
        events.accept(new NnveEvent.VapState(vap.scope.name, vap.vn.key(), Vap.State.VN_CONNECTED,
                Vap.State.VN_DISCONNECTED, tag, vap.vn.vni()));
        effects.accept(new Effect.NvaVnTag(vap.vn.key(), vap.vn.vni(), vap.scope.name, -1));
    }

    VnConnectTlv vnConnect(Peer p, VnConnectTlv c) {
        if (!p.has(Feature.VN_CONNECT)) {
            return null;
        }
        if (engine.requests.responsesBlocked(p, "VN " + c.operation() + " " + c.vn())) {
            return null;
        }
        long group = c.vn() instanceof VnId.Group g ? g.unsigned() : NO_GROUP;
        UUID name = c.vn() instanceof VnId.Name n ? n.uuid() : null;
        int wanted = c.localTags().isEmpty() ? 0 : c.localTags().getFirst();
        Authority.VnResolution r = authority.resolveVn(config.managerId(), 0, 0, group, name, wanted);
        if (!r.decision().allowed()) {
            return vnRefuse(p, c, r.decision().reasonCode(), r.decision().detail());
        }
        Scope scope = scopeOfPort[p.port];
        Vap vap = scope.vaps.get(r.vn().key());
        switch (c.operation()) {
            case CONNECT -> {
                // SEC-5: every check before anything is reserved, then all of it or nothing.
                if (vap == null && p.vnCount() >= config.limits().vnsPerPeer()) {
                    return vnRefuse(p, c, ReasonCode.INSUFFICIENT_RESOURCES.value(),
                            "this end device uses its limit of " + config.limits().vnsPerPeer() + " VNs");
                }
                if (vap != null && wanted > 0 && !vap.tags.contains(wanted)) {
                    return vnRefuse(p, c, ReasonCode.INVALID_VID_GROUP_OR_MAC.value(),
                            r.vn().key() + " uses tag " + vap.tag() + " on this port, not " + wanted);
                }
                LinkedHashSet<Integer> extras = new LinkedHashSet<>();
                for (int i = 1; i < c.localTags().size(); i++) {
                    int extra = c.localTags().get(i);
                    if (extra <= 0 || extra == wanted || (vap != null && vap.tags.contains(extra))) {
                        continue;
                    }
                    VnKey owner = scope.tags.owner(extra);
                    if (!scope.tags.contains(extra) || (owner != null && !owner.equals(r.vn().key()))) {
                        return vnRefuse(p, c, ReasonCode.INVALID_VID_GROUP_OR_MAC.value(),
                                "VID " + extra + " cannot be a tag of " + r.vn().key()
                                + (owner != null ? " (it is the tag of " + owner + ")" : " (not in this port's tag pool)"));
                    }
                    extras.add(extra);
                }
                int held = vap == null ? 0 : vap.tags.size();
                int more = (vap == null ? 1 : 0) + extras.size();
                if (held + more > VnConnectTlv.MAX_TAGS) {
                    return vnRefuse(p, c, ReasonCode.INSUFFICIENT_RESOURCES.value(),
                            "a VN has at most " + VnConnectTlv.MAX_TAGS + " local tags on a port scope ("
                            + held + " held, " + more + " more asked)");
                }
                Refusal quota = tagQuota(p, more);
                if (quota != null) {
                    return vnRefuse(p, c, quota.code(), quota.text());
                }
                if (vap == null) {
                    vap = new Vap(scope, r.vn());
                    Refusal bad = connect(p, vap, wanted);
                    if (bad != null) {
                        return vnRefuse(p, c, bad.code(), bad.text());
                    }
                }
                for (int extra : extras) {
                    if (scope.tags.reserve(extra, vap.vn.key()) == LocalTagPool.Outcome.OK && !vap.tags.contains(extra)) {
                        vap.tags.add(extra);
                        charge(p, vap, extra);
                    }
                }
                vap.explicit.add(p);
                p.explicitVaps.add(vap);
            }
            case DISCONNECT -> {
                if (vap != null) {
                    vap.explicit.remove(p);
                    p.explicitVaps.remove(vap);
                    if (vap.tsiAssociated == 0 && vap.explicit.isEmpty()) {
                        disconnect(vap, "end device disconnect");
                    }
                }
            }
            case DISCONNECTED -> {
                return vnRefuse(p, c, ReasonCode.INVALID_FORMAT.value(), "DISCONNECTED is sent by the nNVE only");
            }
        }
        List<OrgTlv> attached = new ArrayList<>(1);
        if (vap != null && p.has(Feature.PARAMETERS)) {
            // SM-EXT: the VN's own parameters (its profile at the NVA), then its context (SM-VAP-2)
            List<Parameter> ps = new ArrayList<>(vap.vn.parameters());
            if (vap.vn.vni() >= 0) {
                ps.add(Parameter.vnContext(vap.vn.vni()));
            }
            if (!ps.isEmpty()) {
                attached.add(new ParameterTlv(ps));
            }
        }
        List<Integer> tags = vap != null && vap.state == Vap.State.VN_CONNECTED ? vap.tags() : List.of();
        return new VnConnectTlv(VsiStatus.Response.SUCCESS, c.operation(), c.vn(), tags, attached);
    }

    VnConnectTlv vnRefuse(Peer p, VnConnectTlv c, int code, String detail) {
        events.accept(new NnveEvent.Refused(p.port, p.station, "VN " + c.operation(), c.vn().toString(), code, detail));
        List<OrgTlv> attached = p.has(Feature.REASON_DETAIL) ? List.of(new ReasonDetailTlv(ReasonDetail.TAG.wire(),
                VsiRequests.clip(detail)))
                : List.of();
        return new VnConnectTlv(VsiStatus.Response.refused(ReasonCode.of(code)), c.operation(), c.vn(), List.of(), attached);
    }
}
