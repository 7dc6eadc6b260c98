package org.splitnve.nnve;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.ParameterTlv;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * The VSI request path: one VSI TLV of an end device in, its answer out (SM-TSI-1..7, docs/protocol.md
 * 5.4). It resolves the VN, checks the request against the peer's limits (SEC-5) and the TSI's state,
 * stages address fragments until LAST, applies address changes and hands state changes to the
 * {@link TsiStateMachine}.
 */
final class VsiRequests extends EnginePart {
    VsiRequests(NnveEngine engine) {
        super(engine);
    }

    // ------------------------------------------------------------------ VSI requests


    VsiTlv refuse(Peer p, VsiTlv req, Refusal r) {
        events.accept(new NnveEvent.Refused(p.port, p.station, req.mode().name(), req.vsiId().toString(), r.code(),
                r.text()));
        List<OrgTlv> attached = p.has(Feature.REASON_DETAIL) ? List.of(new ReasonDetailTlv(r.detail(), clip(r.text())))
                : List.of();
        return new VsiTlv(req.mode(), VsiStatus.Response.refused(ReasonCode.of(r.code())), req.typeId(),
                req.typeVersion(),
                req.vsiId(), req.filter(), attached);
    }

    static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    /**
     * One VSI request's answer. An answer to a VSI TLV that carried TSI address fragments echoes the last of
     * them (operation, transaction, fragment index, LAST flag; no addresses): the end device tells the answer
     * to its change's LAST fragment, which alone says whether the change was applied, from the answers to the
     * fragments before it, and an answer to a fragment sent again from an answer to the request waiting now
     * (docs/protocol.md 5.4).
     */
    VsiTlv vsi(Peer p, ManagerId manager, VsiTlv req, long now) {
        VsiTlv answer = vsiAnswer(p, manager, req, now);
        if (answer == null) {
            return answer;
        }
        List<OrgTlv> echoes = new ArrayList<>(3);
        TsiAddressTlv lastFragment = null;
        for (OrgTlv o : req.attached()) {
            if (o instanceof TsiAddressTlv a) {
                lastFragment = a;
            }
        }
        if (lastFragment != null && p.has(Feature.TSI_ADDRESSES)) {
            echoes.add(new TsiAddressTlv(lastFragment.operation(), lastFragment.transaction(), lastFragment.fragment(),
                    lastFragment.last(), List.of()));
        }
        // the request's deactivate and migration TLVs too: the end device tells apart two requests of one TSI in
        // the same mode (a create's answer sent twice, a suspend waiting)
        DeactivateTlv d = req.attached(DeactivateTlv.class);
        if (d != null && p.has(Feature.DEACTIVATE)) {
            echoes.add(d);
        }
        MigrationTlv m = req.attached(MigrationTlv.class);
        if (m != null && p.has(Feature.MIGRATION)) {
            echoes.add(m.indication() == MigrationTlv.Indication.DEPARTURE && answer.status() instanceof VsiStatus.Response r && r.isSuccess()
                    && arrived(p, req) ? MigrationTlv.arrived(m.migrationId()) : m);
        }
        if (echoes.isEmpty()) {
            return answer;
        }
        List<OrgTlv> attached = new ArrayList<>(answer.attached().size() + echoes.size());
        attached.addAll(answer.attached());
        attached.addAll(echoes);
        return new VsiTlv(answer.mode(), answer.status(), answer.typeId(), answer.typeVersion(), answer.vsiId(),
                answer.filter(), attached);
    }

    VsiTlv vsiAnswer(Peer p, ManagerId manager, VsiTlv req, long now) {
        if (responsesBlocked(p, "VSI " + req.mode() + " " + req.vsiId())) {
            return null;
        }
        Filter f = req.filter();
        long group = NO_GROUP;
        int vid = 0;
        for (FilterEntry e : f.entries()) {
            if (f.format().hasGroup()) {
                if (group != NO_GROUP && group != e.groupIdUnsigned()) {
                    return refuse(p, req, new Refusal(ReasonCode.INVALID_FORMAT.value(), ReasonDetail.FORMAT.wire(),
                            "one VSI TLV names one VN (GroupID)"));
                }
                group = e.groupIdUnsigned();
            }
            if (vid == 0) {
                vid = e.vid();
            }
        }
        Authority.VnResolution r = authority.resolveVn(manager, req.typeId(), req.typeVersion(), group, null, vid);
        if (!r.decision().allowed() && req.mode() == VsiMode.DE_ASSOCIATE) {
            // De-Associate is idempotent: no TSI can be associated with a VN that does not resolve, so
            // the state the end device asks for holds (e.g. the shutdown of a VM whose create was refused).
            return success(req, req.filter(), List.of());
        }
        if (!r.decision().allowed()) {
            return refuse(p, req, new Refusal(r.decision().reasonCode(), ReasonDetail.POLICY.wire(),
                    r.decision().detail()));
        }
        Vn vn = r.vn();
        Tsi t = engine.tsm.find(req.vsiId(), p, vn.key());

        List<TsiAddressTlv> fragments = new ArrayList<>();
        for (OrgTlv o : req.attached()) {
            if (o instanceof TsiAddressTlv a) {
                fragments.add(a);
            }
        }
        if (!fragments.isEmpty() && !p.has(Feature.TSI_ADDRESSES)) {
            fragments.clear();
        }
        if (!fragments.isEmpty()) {
            // An address change may continue over several VSI TLVs: stage the fragments of one
            // transaction by index (a repeated request brings the same ones again), apply at LAST.
            Refusal over = stage(p, req.vsiId(), fragments, now);
            if (over != null) {
                return refuse(p, req, over);
            }
            if (!fragments.getLast().last()) {
                return success(req, req.filter(), List.of());
            }
        }
        List<TsiAddressTlv> change = null;
        if (!fragments.isEmpty()) {
            change = unstage(p, req.vsiId()).fragments();
        }

        return switch (req.mode()) {
            case DE_ASSOCIATE -> {
                if (t != null) {
                    engine.tsm.release(t, "de-associate");
                }
                yield success(req, req.filter(), List.of());
            }
            case PRE_ASSOCIATE -> {
                Authority.TsiGrant g = authority.authoriseTsi(p.port, p.station, req.vsiId(), vn, filterMacs(f));
                yield g.decision().allowed() ? success(req, req.filter(), List.of())
                        : refuse(p, req, new Refusal(g.decision().reasonCode(), ReasonDetail.POLICY.wire(),
                                g.decision().detail()));
            }
            case PRE_ASSOCIATE_RR -> {
                DeactivateTlv d = req.attached(DeactivateTlv.class);
                if (d != null && d.partial() && p.has(Feature.DEACTIVATE) && t != null && t.state == TsiState.ACTIVATED) {
                    yield partial(p, req, t, named(req, change), true, d, now);
                }
                if (d != null && p.has(Feature.DEACTIVATE)) {
                    if (t != null && t.state == TsiState.ASSOCIATED) {
                        p.request(t, now);
                        noteMigration(t, req);
                        yield success(req, t.filter, List.of()); // already deactivated: a repeated request
                    }
                    if (t == null || t.state != TsiState.ACTIVATED) {
                        yield refuse(p, req, new Refusal(ReasonCode.OTHER_FAILURE.value(), ReasonDetail.STATE.wire(),
                                "deactivate: the TSI is not activated"));
                    }
                    p.request(t, now);
                    noteMigration(t, req); // a departure (REL-4)
                    engine.tsm.transition(t, TsiState.ASSOCIATED, "deactivate (" + d.cause() + ")");
                    yield success(req, t.filter, List.of());
                }
                if (t != null && t.state == TsiState.ACTIVATED && t.refreshedAt == Long.MIN_VALUE) {
                    // REL-2: the end device's resync announcement of a TSI this nNVE restored Activated: it holds the
                    // TSI Associated (a deactivation answered just before a SIGKILL, its record in the journal's
                    // last, lost batch: docs/durability.md). What it announces is the truth (the chaos run: a
                    // suspended VM refused here, given up by its tNVE while this nNVE kept it Activated).
                    VsiTlv answer = associate(p, req, vn, t, TsiState.ASSOCIATED, change, now);
                    if (answer.status() instanceof VsiStatus.Response ok && ok.isSuccess()
                            && t.state == TsiState.ACTIVATED) {
                        engine.tsm.transition(t, TsiState.ASSOCIATED, "announced associated at the resync");
                    }
                    yield answer;
                }
                if (t != null && t.state == TsiState.ACTIVATED) {
                    yield refuse(p, req, new Refusal(ReasonCode.OTHER_FAILURE.value(), ReasonDetail.STATE.wire(),
                            "Associate to Pre-Associate-RR needs the deactivate extension"));
                }
                yield associate(p, req, vn, t, TsiState.ASSOCIATED, change, now);
            }
            case ASSOCIATE -> {
                DeactivateTlv d = req.attached(DeactivateTlv.class);
                if (d != null && d.partial() && p.has(Feature.DEACTIVATE) && t != null && t.state == TsiState.ACTIVATED) {
                    yield partial(p, req, t, named(req, change), false, d, now);
                }
                yield associate(p, req, vn, t, TsiState.ACTIVATED, change, now);
            }
        };
    }

    /**
     * SEC-5: stages the fragments of one VSI TLV, each counted against the limits of the TSI's change, its
     * end device and its port as it arrives; the first over a limit drops the whole change and refuses.
     */
    Refusal stage(Peer p, VsiId id, List<TsiAddressTlv> fragments, long now) {
        NnveConfig.Limits l = config.limits();
        StagedChange st = p.fragments.get(id);
        int transaction = fragments.getFirst().transaction();
        if (st != null && st.transaction != transaction) {
            unstage(p, id); // a new transaction replaces an unfinished one
            st = null;
        }
        if (st == null) {
            st = new StagedChange(transaction, now);
            p.fragments.put(id, st);
            p.stagedDeadline = Math.min(p.stagedDeadline, now + p.ecp.timers().bridgeKeepAliveTimeoutNanos());
        }
        for (TsiAddressTlv a : fragments) {
            TsiAddressTlv old = st.byIndex.get(a.fragment());
            int count = old == null ? 1 : 0;
            int octets = a.bodyLength() - (old == null ? 0 : old.bodyLength());
            int addresses = a.addresses().size() - (old == null ? 0 : old.addresses().size());
            String over = null;
            if (st.byIndex.size() + count > l.fragmentsPerChange()) {
                over = "an address change in more than " + l.fragmentsPerChange() + " fragments";
            } else if (st.octets + octets > l.fragmentOctetsPerChange()) {
                over = "an address change of more than " + l.fragmentOctetsPerChange() + " octets";
            } else if (st.addresses + addresses > l.addressesPerTsi()) {
                over = "at least " + (st.addresses + addresses) + " addresses in one change, at most " + l.addressesPerTsi();
            } else if (p.stagedFragments + count > l.fragmentsPerPeer()) {
                over = "this end device has " + p.stagedFragments + " address fragments staged, at most "
                        + l.fragmentsPerPeer();
            } else if (p.stagedOctets + octets > l.fragmentOctetsPerPeer()) {
                over = "this end device has " + p.stagedOctets + " octets of address fragments staged, at most "
                        + l.fragmentOctetsPerPeer();
            } else if (stagedOctetsOfPort[p.port] + octets > l.fragmentOctetsPerPort()) {
                over = "the end devices on this port have " + stagedOctetsOfPort[p.port]
                        + " octets of address fragments staged, at most " + l.fragmentOctetsPerPort();
            }
            if (over != null) {
                unstage(p, id);
                return new Refusal(ReasonCode.INSUFFICIENT_RESOURCES.value(), ReasonDetail.LIMIT.wire(), over);
            }
            st.byIndex.put(a.fragment(), a);
            st.octets += octets;
            st.addresses += addresses;
            p.stagedFragments += count;
            p.stagedOctets += octets;
            stagedOctetsOfPort[p.port] += octets;
        }
        return null;
    }

    /** Takes a TSI's staged change out (the limits' counts given back); an empty one if there is none. */
    StagedChange unstage(Peer p, VsiId id) {
        StagedChange st = p.fragments.remove(id);
        if (st == null) {
            return new StagedChange(0, 0);
        }
        p.stagedFragments -= st.byIndex.size();
        p.stagedOctets -= st.octets;
        stagedOctetsOfPort[p.port] -= st.octets;
        return st;
    }

    /** Drops the changes whose LAST fragment never came within a keep-alive timeout (SEC-5). */
    void expireStaged(Peer p, long now) {
        if (p.stagedDeadline > now) {
            return;
        }
        long timeout = p.ecp.timers().bridgeKeepAliveTimeoutNanos();
        long next = Long.MAX_VALUE;
        for (VsiId id : List.copyOf(p.fragments.keySet())) {
            StagedChange st = p.fragments.get(id);
            if (st.since + timeout <= now) {
                unstage(p, id);
                events.accept(new NnveEvent.Refused(p.port, p.station, "address change", id.toString(),
                        ReasonCode.OTHER_FAILURE.value(),
                        "fragments of transaction " + st.transaction + " dropped: no LAST fragment within "
                                + timeout / 1_000_000 + " ms"));
            } else {
                next = Math.min(next, st.since + timeout);
            }
        }
        p.stagedDeadline = next;
    }

    /**
     * SEC-5: an end device whose answers wait unsent (it does not acknowledge, or a forged source) gets
     * nothing more processed until they drain: nothing it asks changes state or queues another answer.
     */
    boolean responsesBlocked(Peer p, String what) {
        if (!p.ecp.full()) {
            return false;
        }
        p.dropped++;
        if (droppedLog.admit(key(p.port, p.station), clock.nanos())) {
            // The first is logged; the rest one summary line per peer per interval: a flood cannot fill the log.
            events.accept(new NnveEvent.Refused(p.port, p.station, what, "-",
                    ReasonCode.INSUFFICIENT_RESOURCES.value(), p.ecp.queued()
                    + " answers wait unacknowledged (at most " + config.limits().responsesPerPeer()
                    + "): requests dropped unprocessed until they drain"));
        }
        return true;
    }

    /**
     * The addresses a partial (de)activation names: those of its address TLVs if it carries any (their
     * operation does not matter), else the MACs of its filter.
     */
    static List<TsiAddress> named(VsiTlv req, List<TsiAddressTlv> change) {
        if (change != null) {
            try {
                return TsiAddressTlv.join(change);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return filterMacs(req.filter());
    }

    /**
     * REQ-8 (and REQ-9 from the nNVE's side): some addresses of an activated TSI deactivated (they stay
     * mapping entries, their ACLs disabled, resources kept) or activated again. When every address is
     * deactivated the TSI is simply Associated.
     */
    VsiTlv partial(Peer p, VsiTlv req, Tsi t, List<TsiAddress> named, boolean deactivate, DeactivateTlv d,
            long now) {
        if (named == null || named.isEmpty()) {
            return refuse(p, req, new Refusal(ReasonCode.INVALID_FORMAT.value(), ReasonDetail.FORMAT.wire(),
                    "a partial (de)activation names no address"));
        }
        Set<TsiAddress> own = new java.util.HashSet<>(t.addresses); // SEC-6: linear, not addresses x named
        for (TsiAddress a : named) {
            if (!own.contains(a)) {
                return refuse(p, req, new Refusal(ReasonCode.INVALID_FORMAT.value(), ReasonDetail.FORMAT.wire(),
                        a + " is not an address of the TSI"));
            }
        }
        p.request(t, now);
        LinkedHashSet<TsiAddress> nextSet = new LinkedHashSet<>(t.held);
        if (deactivate) {
            nextSet.addAll(named);
        } else {
            nextSet.removeAll(new java.util.HashSet<>(named));
        }
        List<TsiAddress> next = new ArrayList<>(nextSet);
        if (nextSet.containsAll(t.addresses)) {
            engine.tsm.transition(t, TsiState.ASSOCIATED, "deactivate (" + d.cause() + ", every address)");
        } else {
            hold(t, next, deactivate ? "DEACTIVATE" : "ACTIVATE");
        }
        return success(req, t.filter, List.of());
    }

    /** Sets which addresses of an activated TSI are deactivated, with the NVA and ACL effects. */
    void hold(Tsi t, List<TsiAddress> next, String op) {
        List<TsiAddress> newlyHeld = new ArrayList<>(next);
        newlyHeld.removeAll(new java.util.HashSet<>(t.held));
        List<TsiAddress> released = new ArrayList<>(t.held);
        released.removeAll(new java.util.HashSet<>(next));
        if (newlyHeld.isEmpty() && released.isEmpty()) {
            return;
        }
        t.held = List.copyOf(next);
        Effect.Instance inst = t.instance();
        if (t.ownsNva) {
            effects.accept(new Effect.NvaHeld(inst, t.held));
        }
        if (!newlyHeld.isEmpty()) {
            effects.accept(new Effect.Acl(inst, newlyHeld, t.vap.tag(), Effect.AclState.DISABLED));
        }
        if (!released.isEmpty()) {
            effects.accept(new Effect.Acl(inst, released, t.vap.tag(), Effect.AclState.ENABLED));
        }
        events.accept(new NnveEvent.TsiAddresses(t.peer.port, t.id, op, newlyHeld.size() + released.size(), t.held.size()));
    }

    VsiTlv success(VsiTlv req, Filter filter, List<OrgTlv> attached) {
        return new VsiTlv(req.mode(), VsiStatus.Response.SUCCESS, req.typeId(), req.typeVersion(), req.vsiId(), filter,
                attached);
    }

    /** The filter's MACs as addresses, in a list the caller may change (an address change is applied to it). */
    static List<TsiAddress> filterMacs(Filter f) {
        if (!f.format().hasMac()) {
            return new ArrayList<>(0);
        }
        List<TsiAddress> out = new ArrayList<>(f.entries().size());
        for (FilterEntry e : f.entries()) {
            TsiAddress a = TsiAddress.mac(e.mac());
            if (!out.contains(a)) {
                out.add(a);
            }
        }
        return out;
    }

    VsiTlv associate(Peer p, VsiTlv req, Vn vn, Tsi t, TsiState target, List<TsiAddressTlv> change, long now) {
        Scope scope = scopeOfPort[p.port];
        List<TsiAddress> addresses;
        List<Parameter> parameters = List.of();
        if (t == null) {
            if (p.tsiCount >= config.limits().tsisPerPeer()) {
                return refuse(p, req, new Refusal(ReasonCode.INSUFFICIENT_RESOURCES.value(),
                        ReasonDetail.LIMIT.wire(), "this end device holds its limit of "
                        + config.limits().tsisPerPeer() + " TSIs"));
            }
            List<TsiAddress> requested = filterMacs(req.filter());
            if (change != null) {
                Refusal bad = applyChange(requested, change, filterMacs(req.filter()));
                if (bad != null) {
                    return refuse(p, req, bad);
                }
            }
            Authority.TsiGrant g = authority.authoriseTsi(p.port, p.station, req.vsiId(), vn, requested);
            if (!g.decision().allowed()) {
                return refuse(p, req, new Refusal(g.decision().reasonCode(), ReasonDetail.POLICY.wire(),
                        g.decision().detail()));
            }
            addresses = g.addresses() != null ? g.addresses() : requested;
            parameters = g.addresses() != null ? g.parameters() : asked(p, req, g.parameters());
            if (addresses.size() > config.limits().addressesPerTsi()) {
                return refuse(p, req, new Refusal(ReasonCode.INSUFFICIENT_RESOURCES.value(),
                        ReasonDetail.LIMIT.wire(), addresses.size() + " addresses, at most "
                        + config.limits().addressesPerTsi()));
            }
            Refusal duplicate = engine.tsm.duplicateMac(req.vsiId(), vn.key(), addresses);
            if (duplicate != null) {
                return refuse(p, req, duplicate);
            }
            Refusal claimed = engine.tsm.claim(p, req, vn.key(), null, target);
            if (claimed != null) {
                return refuse(p, req, claimed);
            }
            Vap vap = scope.vaps.get(vn.key());
            if ((vap == null || !p.uses(vap)) && p.vnCount() >= config.limits().vnsPerPeer()) {
                return refuse(p, req, new Refusal(ReasonCode.INSUFFICIENT_RESOURCES.value(),
                        ReasonDetail.LIMIT.wire(), "this end device uses its limit of "
                        + config.limits().vnsPerPeer() + " VNs"));
            }
            int wanted = firstConcreteVid(req.filter());
            Refusal tagProblem;
            if (vap == null || vap.state == Vap.State.VN_DISCONNECTED) {
                vap = vap == null ? new Vap(scope, vn) : vap;
                tagProblem = engine.vapTags.connect(p, vap, wanted);
                if (tagProblem != null) {
                    return refuse(p, req, tagProblem);
                }
            }
            tagProblem = checkTags(vap, req.filter());
            if (tagProblem != null) {
                if (vap.tsiAssociated == 0 && vap.explicit.isEmpty()) {
                    engine.vapTags.disconnect(vap, "no TSI");
                }
                return refuse(p, req, tagProblem);
            }
            t = new Tsi(req.vsiId(), p, vap);
            t.typeId = req.typeId();
            t.manager = engine.sessions.requestManager;
            t.typeVersion = req.typeVersion();
            t.filter = resolveTags(req.filter(), vap);
            t.addresses = List.copyOf(addresses);
            t.parameters = parameters;
            noteMigration(t, req);
            engine.tsm.add(t);
            p.request(t, now);
            engine.tsm.transition(t, target, req.mode() == VsiMode.ASSOCIATE ? "activate" : "associate");
        } else {
            Refusal tagProblem = checkTags(t.vap, req.filter());
            if (tagProblem != null) {
                return refuse(p, req, tagProblem);
            }
            Refusal claimed = engine.tsm.claim(p, req, t.vap.vn.key(), t, target);
            if (claimed != null) {
                return refuse(p, req, claimed);
            }
            p.request(t, now);
            Filter resolved = resolveTags(req.filter(), t.vap);
            List<TsiAddress> next = new ArrayList<>(t.addresses);
            boolean changed = false;
            if (!resolved.equals(t.filter)) {
                // SM-TSI-6: a new filter (MACs added or removed) keeps the state.
                next.removeAll(filterMacs(t.filter));
                for (TsiAddress a : filterMacs(resolved)) {
                    if (!next.contains(a)) {
                        next.add(a);
                    }
                }
                changed = true;
            }
            if (change != null) {
                Refusal bad = applyChange(next, change, filterMacs(resolved));
                if (bad != null) {
                    return refuse(p, req, bad);
                }
                changed = true;
            }
            if (next.size() > config.limits().addressesPerTsi()) {
                return refuse(p, req, new Refusal(ReasonCode.INSUFFICIENT_RESOURCES.value(),
                        ReasonDetail.LIMIT.wire(), next.size() + " addresses, at most "
                        + config.limits().addressesPerTsi()));
            }
            if (changed && !next.equals(t.addresses)) {
                // SEC-2, ID-4: the NVA authorises the resulting addresses as it did the first ones (on a
                // validated VN only what its record holds; the VN's service still met).
                Authority.TsiGrant g = authority.authoriseTsi(p.port, p.station, req.vsiId(), t.vap.vn, next);
                if (!g.decision().allowed()) {
                    return refuse(p, req, new Refusal(g.decision().reasonCode(), ReasonDetail.POLICY.wire(),
                            g.decision().detail()));
                }
                List<TsiAddress> granted = g.addresses() != null ? g.addresses() : next;
                Refusal duplicate = engine.tsm.duplicateMac(t.id, t.vap.vn.key(), granted);
                if (duplicate != null) {
                    return refuse(p, req, duplicate);
                }
                t.filter = resolved;
                if (!granted.equals(t.addresses)) {
                    updateAddresses(t, granted, change != null ? change.getFirst().operation().name() : "FILTER");
                }
            } else {
                t.filter = resolved;
            }
            noteMigration(t, req);
            if (t.state != target && target == TsiState.ACTIVATED) {
                engine.tsm.transition(t, TsiState.ACTIVATED, "activate");
            }
        }
        List<OrgTlv> attached = new ArrayList<>(1);
        if (p.has(Feature.PARAMETERS)) {
            List<Parameter> ps = new ArrayList<>(t.parameters);
            if (t.vap.vn.vni() >= 0) {
                ps.add(Parameter.vnContext(t.vap.vn.vni()));
            }
            if (!ps.isEmpty()) {
                attached.add(new ParameterTlv(ps));
            }
        }
        return success(req, t.filter, attached);
    }

    /**
     * SEC-2, SM-EXT: trusted provisioning uses the parameters the end device asks for (VN profile, QoS, types
     * unknown here) as they are, after those granted; the VN's name, alias and context stay the NVA's.
     */
    static List<Parameter> asked(Peer p, VsiTlv req, List<Parameter> granted) {
        if (!p.has(Feature.PARAMETERS)) {
            return granted;
        }
        List<Parameter> out = new ArrayList<>(granted);
        for (OrgTlv o : req.attached()) {
            if (o instanceof ParameterTlv pt) {
                for (Parameter x : pt.parameters()) {
                    int type = x.type();
                    if (type != Parameter.VN_CONTEXT && type != Parameter.VN_NAME && type != Parameter.VN_ALIAS
                            && !out.contains(x)) {
                        out.add(x);
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * Applies an address change (REQ-10); REPLACE keeps the filter's MACs, which the filter itself owns.
     * SEC-6: linear in the sizes (a hash set beside the order), refused at the first address past the limit.
     */
    Refusal applyChange(List<TsiAddress> addresses, List<TsiAddressTlv> change, List<TsiAddress> filterMacs) {
        List<TsiAddress> delta;
        try {
            delta = TsiAddressTlv.join(change);
        } catch (IllegalArgumentException e) {
            return new Refusal(ReasonCode.INVALID_FORMAT.value(), ReasonDetail.FORMAT.wire(),
                    "address fragments: " + e.getMessage());
        }
        int max = config.limits().addressesPerTsi();
        LinkedHashSet<TsiAddress> next;
        switch (change.getFirst().operation()) {
            case ADD -> next = new LinkedHashSet<>(addresses);
            case REMOVE -> {
                next = new LinkedHashSet<>(addresses);
                next.removeAll(new java.util.HashSet<>(delta));
                delta = List.of();
            }
            case REPLACE -> next = new LinkedHashSet<>(filterMacs);
            default -> throw new IllegalStateException();
        }
        for (TsiAddress a : delta) {
            if (next.add(a) && next.size() > max) {
                return new Refusal(ReasonCode.INSUFFICIENT_RESOURCES.value(), ReasonDetail.LIMIT.wire(),
                        "at least " + (max + 1) + " addresses, at most " + max);
            }
        }
        if (next.size() > max) {
            return new Refusal(ReasonCode.INSUFFICIENT_RESOURCES.value(), ReasonDetail.LIMIT.wire(),
                    next.size() + " addresses, at most " + max);
        }
        addresses.clear();
        addresses.addAll(next);
        return null;
    }

    void updateAddresses(Tsi t, List<TsiAddress> next, String op) {
        engine.tsm.unindexMacs(t);
        t.addresses = List.copyOf(next);
        engine.tsm.indexMacs(t);
        if (!t.held.isEmpty()) {
            List<TsiAddress> kept = new ArrayList<>(t.held);
            kept.retainAll(t.addresses);
            t.held = List.copyOf(kept);
        }
        events.accept(new NnveEvent.TsiAddresses(t.peer.port, t.id, op, next.size(), next.size()));
        if (t.state != TsiState.INIT) {
            if (t.ownsNva) {
                effects.accept(new Effect.NvaEntries(t.instance(), t.addresses, t.state == TsiState.ACTIVATED
                        ? Effect.EntryState.FORWARDING : Effect.EntryState.MAPPING));
            }
            effects.accept(new Effect.Acl(t.instance(), t.addresses, t.vap.tag(), t.state == TsiState.ACTIVATED
                    ? Effect.AclState.ENABLED : Effect.AclState.CREATED_DISABLED));
        }
    }

    void noteMigration(Tsi t, VsiTlv req) {
        MigrationTlv m = req.attached(MigrationTlv.class);
        boolean wasArriving = t.arriving();
        if (m != null && m.indication() == MigrationTlv.Indication.ARRIVAL) {
            t.arrival = m.migrationId();
        } else if (req.status() instanceof VsiStatus.Request r && r.migratingTo()) {
            t.arrivalHinted = true;
        }
        if (!wasArriving && t.arriving()) {
            // an associated instance becomes a migration's destination without a change of state (DP-5: its data plane
            // now waits for its first frame)
            events.accept(new NnveEvent.MigrationAnnounced(t.peer.port, t.id,
                    t.arrival == null ? "" : t.arrival.toString()));
        }
        if (m != null && m.indication() == MigrationTlv.Indication.DEPARTURE) {
            t.departing = m.migrationId(); // REL-4: the holder says which migration may take its entries
        } else if (m != null && m.indication() == MigrationTlv.Indication.NOT_MIGRATION) {
            t.departing = null;            // e.g. a migration aborted at the source
        }
    }

    /**
     * LC-MIGRATE make-before-break: whether the migration that the TSI of {@code req} leaves
     * {@code p} by has arrived: another instance of the TSI in the same VN is Activated on this nNVE and holds the
     * TSI's NVA entries (it took them over), or is Activated at another nNVE as the NVA says. The answer to the source's DEPARTURE then says
     * ARRIVED, and its end device may deactivate (docs/protocol.md 5.6).
     */
    private boolean arrived(Peer p, VsiTlv req) {
        for (Tsi t : engine.instances(req.vsiId())) {
            if (t.peer != p) {
                continue;
            }
            for (Tsi x : engine.instances(req.vsiId())) {
                if (x != t && x.state == TsiState.ACTIVATED && x.ownsNva && x.vap.vn.key().equals(t.vap.vn.key())) {
                    return true;
                }
            }
            return authority.activatedAtAnotherNve(req.vsiId(), t.vap.vn);
        }
        return false;
    }

    /** The migration ID a request arrives by (its ARRIVAL), or null. */
    static UUID arrivalOf(VsiTlv req) {
        MigrationTlv m = req.attached(MigrationTlv.class);
        return m != null && m.indication() == MigrationTlv.Indication.ARRIVAL ? m.migrationId() : null;
    }

    static int firstConcreteVid(Filter f) {
        for (FilterEntry e : f.entries()) {
            if (!e.isNullVid()) {
                return e.vid();
            }
        }
        return 0;
    }

    Refusal checkTags(Vap vap, Filter f) {
        for (FilterEntry e : f.entries()) {
            if (!e.isNullVid() && !vap.tags.contains(e.vid())) {
                VnKey owner = vap.scope.tags.owner(e.vid());
                return new Refusal(ReasonCode.INVALID_VID_GROUP_OR_MAC.value(), ReasonDetail.TAG.wire(),
                        "VID " + e.vid() + (owner != null ? " is the tag of " + owner
                        : " is not a tag of " + vap.vn.key()) + " on this port (" + vap.vn.key() + " uses " + vap.tag() + ")");
            }
        }
        return null;
    }

    static Filter resolveTags(Filter f, Vap vap) {
        boolean anyNull = false;
        for (FilterEntry e : f.entries()) {
            anyNull |= e.isNullVid();
        }
        if (!anyNull) {
            return f;
        }
        List<FilterEntry> out = new ArrayList<>(f.entries().size());
        for (FilterEntry e : f.entries()) {
            out.add(e.isNullVid() ? e.withVid(vap.tag()) : e);
        }
        return new Filter(f.format(), out);
    }
}
