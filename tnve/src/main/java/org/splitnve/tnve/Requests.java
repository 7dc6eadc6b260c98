package org.splitnve.tnve;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.splitnve.protocol.SessionIdentity;
import org.splitnve.tnve.TnveEngine.TsiState;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.ExtensionTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * The VDP requests in flight (IEEE 802.1Qbg 41.2, RFC 8394 section 2): at most one per {@link Link}, the next
 * ones queued behind it, at most {@link #WINDOW} VSI TLVs per uplink on the wire; each built with its address
 * fragments (REQ-10, OPS-1), matched with its answer by mode and fragment echo, ended by its answer, a refusal,
 * a transmit error or its deadline. The confirmed state of a {@link Link} changes here, with the uplink's
 * session count and digest; so do the keep-alives of standard peers.
 */
final class Requests {
    /**
     * Body octets of one TSI addresses fragment: two fragments (2 x (6 + 480)) travel in one VSI TLV's
     * attachments, which leaves room in an ECPDU ({@code VdpPdu.MAX_LENGTH}, 1494) for the VSI TLV itself and
     * the header TLVs (capability, session, authentication).
     */
    static final int FRAGMENT_BUDGET = 480;
    /**
     * VSI TLVs one uplink has in flight at most (sent, not yet answered); more wait here, in order, until answers
     * come. The nNVE queues its answers per end device and refuses beyond a limit (SEC-5, 8,192 by default): an
     * end device that sends faster than the answers drain, such as a resynchronisation of 100,000 TSIs, would
     * otherwise have its requests dropped.
     */
    static final int WINDOW = 2048;

    private final Station station;

    Requests(Station station) {
        this.station = station;
    }

    void response(Uplink up, VsiTlv v) {
        Link l = up.links.get(v.vsiId());
        if (l == null || l.pending == null) {
            return; // late or duplicate: nothing waits for it
        }
        Pending p = l.pending;
        if (v.mode() != p.mode) {
            // a late answer to an earlier request of this TSI (its ECPDU was sent again, or it came after its
            // deadline): it says nothing of the request now waiting (a bridge answers in the request's mode)
            return;
        }
        DeactivateTlv echoedDeactivate = v.attached(DeactivateTlv.class);
        MigrationTlv echoedMigration = v.attached(MigrationTlv.class);
        if ((echoedDeactivate != null || echoedMigration != null)
                && ((up.has(Feature.DEACTIVATE) && !java.util.Objects.equals(echoedDeactivate, p.deactivate))
                || (up.has(Feature.MIGRATION) && !java.util.Objects.equals(echoedMigration, p.migration)
                        && !arrivedFor(echoedMigration, p.migration)))) {
            // the nNVE echoes a request's deactivate and migration TLVs: this answers another request of this TSI
            // in the same mode (a create's answer sent twice after a lost acknowledgement, while a suspend waits);
            // an answer without echoes (an nNVE that does not echo) is taken as before
            return;
        }
        VsiStatus.Response st = (VsiStatus.Response) v.status();
        TsiAddressTlv echo = v.attached(TsiAddressTlv.class);
        if (echo != null && p.transaction >= 0) {
            // The nNVE echoes the last address fragment each answer is for: only the answer to the change's LAST
            // fragment (or a refusal) ends the request; answers to earlier fragments, or to another transaction's
            // (a late answer to a fragment sent again), do not count.
            if (echo.transaction() != p.transaction || (st.isSuccess() && !echo.last())) {
                return;
            }
            p.remaining = 1;
        }
        if (!st.isSuccess() && p.failure == null) {
            p.failure = OpResult.failed(st.code().value(), st.code().description()
                    + (Uplink.detail(v.attached()).isEmpty() ? "" : ": " + Uplink.detail(v.attached())));
        }
        if (--p.remaining > 0) {
            return;
        }
        l.pending = null;
        ended(up, p);
        if (p.failure == null) {
            for (FilterEntry e : v.filter().entries()) {
                if (!e.isNullVid()) {
                    if (l.tag != 0 && l.tag != e.vid() && l.confirmed != TsiState.INIT) {
                        station.emit(new TnveEvent.TagChanged(l.vm.name, l.spec.id(), up.cfg.name(), l.tag, e.vid()));
                    }
                    l.tag = e.vid();
                    break;
                }
            }
            if (p.ipsAfter != null) {
                l.ackedIps = p.ipsAfter;
            }
            if (l.beforeNotice != null) {
                l.beforeNotice = null;
                up.noticed.remove(l);
            }
            if (p.migration != null && p.migration.indication() == MigrationTlv.Indication.DEPARTURE) {
                // LC-MIGRATE: the answer to a DEPARTURE says whether the destination is Activated (ARRIVED)
                l.arrived = arrivedFor(echoedMigration, p.migration) ? p.migration.migrationId() : null;
            }
            setConfirmed(l, p.target);
            armKeepAlive(l);
            p.done.accept(OpResult.OK);
            if (l.pending == null && l.next.isEmpty() && up.has(Feature.TSI_ADDRESSES) && l.confirmed != TsiState.INIT
                    && l.desired != TsiState.INIT && !Uplink.sameAddresses(l.ackedIps, l.spec.ips())) {
                // OPS-1: it went before the extensions were known (without its addresses): they go now.
                drive(l, l.confirmed, l.confirmed == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR,
                        up.addressesAgain(l), r -> { });
            }
        } else {
            station.emit(new TnveEvent.RequestFailed(l.vm.name, l.spec.id().toString(), up.cfg.name(), p.mode.name(),
                    p.failure.code(), p.failure.detail()));
            armKeepAlive(l);
            p.done.accept(p.failure);
        }
        runNext(l);
    }

    /** An nNVE's ARRIVED answers a DEPARTURE of the same migration (docs/protocol.md 5.6). */
    static boolean arrivedFor(MigrationTlv echoed, MigrationTlv sent) {
        return echoed != null && sent != null && echoed.indication() == MigrationTlv.Indication.ARRIVED
                && sent.indication() == MigrationTlv.Indication.DEPARTURE && echoed.migrationId().equals(sent.migrationId());
    }

    void setConfirmed(Link l, TsiState s) {
        if (l.confirmed != s) {
            l.inactive = new ArrayList<>(); // a whole-TSI change ends a partial deactivation
            station.emit(new TnveEvent.TsiState(l.vm.name, l.spec.id(), l.up.cfg.name(), l.confirmed, s, l.tag));
            Uplink up = l.up;
            if (l.confirmed != TsiState.INIT) {
                up.confirmedCount--;
                up.digest ^= digest(l.spec.id(), l.confirmed);
                if (up.vnUse.merge(l.spec.vnId(), -1, Integer::sum) <= 0) {
                    up.vnUse.remove(l.spec.vnId());
                }
            }
            if (s != TsiState.INIT) {
                up.confirmedCount++;
                up.digest ^= digest(l.spec.id(), s);
                up.vnUse.merge(l.spec.vnId(), 1, Integer::sum);
            }
            l.confirmed = s;
        }
    }

    static long digest(VsiId id, TsiState s) {
        return SessionIdentity.tsiDigest(id, switch (s) {
            case INIT -> throw new IllegalArgumentException("INIT is not in a session digest");
            case ASSOCIATED -> SessionIdentity.ASSOCIATED;
            case ACTIVATED -> SessionIdentity.ACTIVATED;
        });
    }

    void armKeepAlive(Link l) {
        if (l.confirmed == TsiState.INIT || l.up.has(Feature.SESSION)) {
            l.keepAliveDue = Long.MAX_VALUE;
            return;
        }
        l.keepAliveDue = station.now + l.up.ecp.timers().keepAliveNanos();
        l.up.keepAlives.add(new Due(l, l.keepAliveDue));
    }

    /** Standard peers: re-send the TSI's request so the bridge keeps it (802.1Q keep-alive). */
    void keepAlive(Link l) {
        l.keepAliveDue = Long.MAX_VALUE;
        if (l.pending != null || l.confirmed == TsiState.INIT || l.desired == TsiState.INIT) {
            return;
        }
        TsiState s = l.confirmed;
        send(l, s, s == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR, List.of(), false, l.suspended,
                r -> { });
    }

    void fail(Link l, OpResult r) {
        Pending p = l.pending;
        if (p == null) {
            return;
        }
        l.pending = null;
        ended(l.up, p);
        station.emit(new TnveEvent.RequestFailed(l.vm.name, l.spec.id().toString(), l.up.cfg.name(), p.mode.name(), r.code(),
                r.detail()));
        // REL-7: a standard bridge keeps a TSI only while it hears its keep-alive: one unanswered (the bridge away,
        // restarting) must not end them, or a restarted bridge would never learn the TSI again.
        armKeepAlive(l);
        p.done.accept(r);
        runNext(l);
    }

    private void runNext(Link l) {
        if (l.pending == null && !l.next.isEmpty()) {
            l.next.poll().run();
        }
    }

    /** Sends a request now or after the link's current one, or once the uplink is ready. */
    void drive(Link l, TsiState target, VsiMode mode, List<OrgTlv> extras, Consumer<OpResult> done) {
        Runnable go = () -> {
            List<OrgTlv> ext = extras != null ? extras : List.of();
            boolean m = false;
            boolean s = l.suspended;
            for (OrgTlv o : ext) {
                if (o instanceof MigrationTlv mt) {
                    m |= mt.indication() == MigrationTlv.Indication.ARRIVAL;
                    s |= mt.indication() == MigrationTlv.Indication.DEPARTURE;
                }
            }
            send(l, target, mode, ext, m, s, done);
        };
        Runnable whenReady = () -> {
            if (l.pending == null) {
                go.run();
            } else {
                l.next.add(go);
            }
        };
        if (l.up.ready) {
            whenReady.run();
        } else {
            l.up.hold(whenReady, r -> {
                station.emit(new TnveEvent.RequestFailed(l.vm.name, l.spec.id().toString(), l.up.cfg.name(), mode.name(),
                        r.code(), r.detail()));
                done.accept(r);
            });
        }
    }

    private void send(Link l, TsiState target, VsiMode mode, List<OrgTlv> extras, boolean m, boolean s,
            Consumer<OpResult> done) {
        Uplink up = l.up;
        List<OrgTlv> ext = new ArrayList<>();
        List<TsiAddressTlv> fragments = new ArrayList<>();
        for (OrgTlv o : extras) {
            if (!(o instanceof ExtensionTlv e) || up.has(feature(e))) {
                if (o instanceof TsiAddressTlv a) {
                    fragments.add(a);
                } else {
                    ext.add(o);
                }
            }
        }
        if (target != TsiState.INIT && mode != VsiMode.DE_ASSOCIATE && l.confirmed == TsiState.INIT
                && up.has(Feature.TSI_ADDRESSES) && !l.spec.ips().isEmpty() && fragments.isEmpty()) {
            // A first association carries the TSI's IP addresses (REQ-10).
            fragments.addAll(TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, station.transaction(), l.spec.ips(),
                    FRAGMENT_BUDGET));
        }
        Filter filter = filter(l);
        VsiStatus.Request status = new VsiStatus.Request(m, s, 0);
        List<VsiTlv> items = new ArrayList<>();
        if (fragments.isEmpty()) {
            items.add(new VsiTlv(mode, status, l.spec.typeId(), l.spec.typeVersion(), l.spec.id(), filter, ext));
        } else {
            // Fragments travel two to a VSI TLV; the VSI TLV with the LAST one carries the request proper.
            for (int i = 0; i < fragments.size(); i += 2) {
                List<OrgTlv> att = new ArrayList<>();
                att.addAll(fragments.subList(i, Math.min(i + 2, fragments.size())));
                if (i + 2 >= fragments.size()) {
                    att.addAll(ext);
                }
                items.add(new VsiTlv(mode, status, l.spec.typeId(), l.spec.typeVersion(), l.spec.id(), filter, att));
            }
        }
        Pending p = new Pending(target, mode, items.size(), Long.MAX_VALUE, done);
        p.items = items;
        p.ipsAfter = ipsAfter(l, mode, fragments, ext);
        p.transaction = fragments.isEmpty() ? -1 : fragments.getFirst().transaction();
        for (OrgTlv o : ext) {
            if (o instanceof DeactivateTlv d && p.deactivate == null) {
                p.deactivate = d;
            } else if (o instanceof MigrationTlv mt && p.migration == null) {
                p.migration = mt;
            }
        }
        l.pending = p;
        if (up.inFlight > 0 && up.inFlight + items.size() > WINDOW) {
            up.throttled.add(l); // its response timer starts when it goes
            return;
        }
        launch(up, l, p);
    }

    /** Hands a request's VSI TLVs to ECP; its response timer starts now. */
    private void launch(Uplink up, Link l, Pending p) {
        p.sent = true;
        up.inFlight += p.items.size();
        p.deadline = station.now + up.ecp.timers().responseTimeoutNanos();
        up.responseDeadlines.add(new Due(l, p.deadline));
        for (VsiTlv item : p.items) {
            up.ecp.submit(item, new Sent(l, item, p));
        }
    }

    /** A request ended (answered, refused or failed): its room in the window goes to those waiting. */
    private void ended(Uplink up, Pending p) {
        if (p.sent) {
            p.sent = false;
            up.inFlight -= p.items.size();
        }
        while (!up.throttled.isEmpty()) {
            Link next = up.throttled.peek();
            Pending q = next.pending;
            if (q == null || q.sent) {
                up.throttled.poll(); // ended otherwise
                continue;
            }
            if (up.inFlight > 0 && up.inFlight + q.items.size() > WINDOW) {
                break;
            }
            up.throttled.poll();
            launch(up, next, q);
        }
    }

    /**
     * OPS-1: the IP addresses the nNVE holds for the TSI once this request succeeds: none after a
     * De-Associate or an association that carried none (a standard peer's), the change applied to what it
     * acknowledged before, or null where the request leaves them as they are.
     */
    static List<TsiAddress> ipsAfter(Link l, VsiMode mode, List<TsiAddressTlv> fragments, List<OrgTlv> ext) {
        if (mode == VsiMode.DE_ASSOCIATE) {
            return List.of();
        }
        for (OrgTlv o : ext) {
            if (o instanceof DeactivateTlv d && d.partial()) {
                return null; // the fragments name addresses to (de)activate, not the TSI's addresses
            }
        }
        if (fragments.isEmpty()) {
            return l.confirmed == TsiState.INIT ? List.of() : null;
        }
        List<TsiAddress> delta;
        try {
            delta = TsiAddressTlv.join(fragments);
        } catch (IllegalArgumentException e) {
            return null;
        }
        List<TsiAddress> out = new ArrayList<>(l.confirmed == TsiState.INIT ? List.of() : l.ackedIps);
        switch (fragments.getFirst().operation()) {
            case ADD -> {
                java.util.Set<TsiAddress> have = new java.util.HashSet<>(out);
                for (TsiAddress a : delta) {
                    if (have.add(a)) {
                        out.add(a);
                    }
                }
            }
            case REMOVE -> out.removeAll(new java.util.HashSet<>(delta));
            case REPLACE -> {
                out.clear();
                out.addAll(new java.util.LinkedHashSet<>(delta));
            }
        }
        return List.copyOf(out);
    }

    private static Feature feature(ExtensionTlv e) {
        return switch (e.type()) {
            case CAPABILITY -> Feature.SESSION;
            case SESSION -> Feature.SESSION;
            case VN_CONNECT -> Feature.VN_CONNECT;
            case TSI_ADDRESSES -> Feature.TSI_ADDRESSES;
            case DEACTIVATE -> Feature.DEACTIVATE;
            case MIGRATION -> Feature.MIGRATION;
            case PARAMETERS -> Feature.PARAMETERS;
            case REASON_DETAIL -> Feature.REASON_DETAIL;
            case AUTH -> Feature.AUTHENTICATION;
        };
    }

    private Filter filter(Link l) {
        FilterFormat f = l.up.cfg.filter();
        int vid = l.tag;
        FilterEntry e = switch (f) {
            case VID -> FilterEntry.vid(vid);
            case MAC_VID -> FilterEntry.macVid(l.spec.mac(), vid);
            case GROUP_VID -> FilterEntry.groupVid((int) l.spec.vnId(), vid);
            case GROUP_MAC_VID -> FilterEntry.groupMacVid((int) l.spec.vnId(), l.spec.mac(), vid);
        };
        return Filter.of(f, e);
    }
}
