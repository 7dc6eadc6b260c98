package org.splitnve.tnve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.auth.FrameAuthenticator;
import org.splitnve.protocol.ecp.EcpEndpoint;
import org.splitnve.protocol.ecp.EcpListener;
import org.splitnve.protocol.ecp.EcpProfile;
import org.splitnve.tnve.TnveEngine.TsiState;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VnId;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * One uplink: the VDP session with one nNVE (RFC 8394 section 2, docs/protocol.md 5): the hello and the probe
 * (OPS-7), the capabilities and limits the nNVE advertised (OPS-3), the session TLV and its digest, the
 * resynchronisation after a restart or a request of the nNVE (REL-7), the repair of forged notices (SEC-9),
 * the nNVE's own initiative (REQ-6, REQ-9), and its loss with the fail-over of its VNs (REQ-3). The TSIs at
 * this nNVE are its {@link #links}; the requests they have in flight are {@link Requests}'.
 */
final class Uplink implements EcpListener {
    private final Station station;
    private final Requests requests;
    private final Placement placement;
    private final Limits limits;
    private final TnveConfig config;
    private final Clock clock;
    final TnveConfig.Uplink cfg;
    final EcpEndpoint ecp;
    /** The frame authenticator (REQ-11, GAP-11), or null. */
    final FrameAuthenticator auth;
    MacAddress nnve;
    CapabilityTlv common;
    boolean ready;
    long readyDeadline = Long.MAX_VALUE;
    /** With authentication: when the hello goes again while the session is not established. */
    long nextHello = Long.MAX_VALUE;
    /** ... and how long after that: doubled each time, up to the keep-alive period. */
    long helloBackoff;
    boolean alive = true;
    long lastHeard;
    int peerEpoch;
    boolean keepAliveFlag;
    int consecutiveErrors;
    /**
     * REL-7: the TSIs re-announced after the nNVE restarted (or asked for it) still unanswered; the uplink
     * is in sync when it is ready, alive and this is 0.
     */
    int resyncLeft;
    /** A re-announcement went unanswered: the uplink is not in sync, and resynchronises when heard again. */
    boolean resyncPending;
    /** SEC-9: links whose state a notice in the nNVE's name changed, until the nNVE's digest confirms it. */
    final java.util.Set<Link> noticed = new java.util.HashSet<>();
    /** Our capabilities go in every ECPDU until the nNVE has answered with its own (a renegotiation). */
    boolean announceCaps;
    /** OPS-7: when an uplink not heard from (or not negotiated) is probed next, and the back-off after that. */
    long nextProbe = Long.MAX_VALUE;
    long probeBackoff;
    long nextSessionKeepAlive = Long.MAX_VALUE;
    /** TSIs confirmed at this nNVE and their order-independent digest (session TLV). */
    int confirmedCount;
    long digest;
    final Map<VsiId, Link> links = new HashMap<>();
    /** Explicit VN connects waiting for their answer, and the tags the nNVE gave per VN (REQ-5, REQ-7). */
    final Map<Long, Consumer<OpResult>> vnPending = new HashMap<>();
    final Map<Long, List<Integer>> vnTags = new HashMap<>();
    /** OPS-3: the nNVE's latest capability TLV, whose limits requests are checked against; null: none yet. */
    CapabilityTlv advertised;
    /** Confirmed (non-INIT) TSIs per VN at this nNVE: the VNs this end device uses there (OPS-3). */
    final Map<Long, Integer> vnUse = new HashMap<>();
    final ArrayDeque<Held> waiting = new ArrayDeque<>();
    final ArrayDeque<Due> responseDeadlines = new ArrayDeque<>();
    final ArrayDeque<Due> keepAlives = new ArrayDeque<>();
    /** VSI TLVs sent and not answered yet ({@link Requests#WINDOW}), and the links whose request waits for room. */
    int inFlight;
    final ArrayDeque<Link> throttled = new ArrayDeque<>();

    Uplink(Station station, Requests requests, Placement placement, Limits limits, TnveConfig.Uplink cfg) {
        this.station = station;
        this.requests = requests;
        this.placement = placement;
        this.limits = limits;
        this.config = station.config;
        this.clock = station.clock;
        this.cfg = cfg;
        this.nnve = cfg.nnve();
        MacAddress peer = cfg.nnve() != null ? cfg.nnve() : cfg.destination();
        this.ecp = new EcpEndpoint(station.io.mac(cfg.port()), peer, cfg.destination(), station.codec, config.managerId(),
                EcpProfile.STANDARD, config.timers(), clock, station.events, (b, len) -> station.io.send(cfg.port(), b, len), this,
                this::header);
        this.auth = cfg.auth();
        if (auth != null) {
            ecp.setAuthenticator(auth);
        }
        this.lastHeard = station.now;
    }

    boolean has(Feature f) {
        return common != null && common.has(f);
    }

    private List<OrgTlv> header() {
        if (config.features().isEmpty() && auth == null) {
            return List.of();
        }
        List<OrgTlv> h = new ArrayList<>(2);
        if (common == null || !alive || announceCaps) {
            // Also while the nNVE is lost: it may have forgotten this end device (an idle peer is dropped)
            // and would take it for a standard one when it comes back; and during a resynchronisation,
            // until the nNVE has answered with its own (REL-7).
            h.add(station.ownCapabilities);
        }
        if (common == null || has(Feature.SESSION) || (auth != null && !auth.authenticated())) {
            int flags = keepAliveFlag ? SessionTlv.KEEPALIVE : 0;
            keepAliveFlag = false;
            h.add(new SessionTlv(flags, station.epoch, peerEpoch, confirmedCount, digest, sessionNonce()));
        }
        return h;
    }

    /** The session TLV's nonce: the authenticator's (its handshake needs it), else this engine's own. */
    private Bytes sessionNonce() {
        Bytes n = auth != null ? auth.localNonce() : null;
        return n != null ? n : station.nonce;
    }

    /** Whether requests may go: with authentication, only once the session is established. */
    boolean sessionEstablished() {
        return auth == null || auth.established();
    }

    /**
     * Announces this end device and its extensions before the first request. With authentication
     * this is the hello of the handshake: it goes again until the session is established.
     */
    void hello() {
        if (config.features().isEmpty() && auth == null) {
            ready = true;
            return;
        }
        ecp.sendHeaderOnly();
        if (auth == null) {
            readyDeadline = station.now + 2 * ecp.timers().deliveryNanos() + 10_000_000L;
        } else {
            helloBackoff = 2 * ecp.timers().deliveryNanos();
            nextHello = station.now + helloBackoff;
        }
    }

    /** Holds a request until the uplink is ready; it fails if the uplink is not ready within a response timeout. */
    void hold(Runnable go, Consumer<OpResult> fail) {
        waiting.add(new Held(go, fail, station.now + ecp.timers().responseTimeoutNanos()));
    }

    void becomeReady() {
        if (ready) {
            return;
        }
        ready = true;
        readyDeadline = Long.MAX_VALUE;
        nextHello = Long.MAX_VALUE;
        if (auth != null) {
            station.emit(new TnveEvent.UplinkState(cfg.name(), "authenticated", "session established with " + nnve));
        }
        while (!waiting.isEmpty()) {
            waiting.poll().go().run();
        }
    }

    /** With authentication, before the session is established: the hello again, held requests timed out. */
    void awaitSession(long now) {
        if (sessionEstablished()) {
            becomeReady();
            return;
        }
        if (now >= nextHello) {
            if (!ecp.busy()) {
                ecp.sendHeaderOnly();
            }
            // A peer that never answers (a wrong key) is not flooded: the hello backs off.
            helloBackoff = Math.min(2 * helloBackoff, Math.max(ecp.timers().keepAliveNanos(), helloBackoff));
            nextHello = now + helloBackoff;
        }
        while (!waiting.isEmpty() && waiting.peek().deadline() <= now) {
            waiting.poll().fail().accept(OpResult.failed(Station.CODE_NO_ANSWER, "no authenticated session with "
                    + cfg.name()));
        }
    }

    @Override
    public void onReceive(EthernetHeader ethernet, VdpPdu pdu) {
        received(pdu);
    }

    @Override
    public void onDelivered(List<Object> tokens) {
        consecutiveErrors = 0;
        alive();
    }

    /**
     * ECP gave up on an ECPDU. VDP still has time (the response deadline): the requests go again.
     * Three transmit errors in a row mean the nNVE is gone.
     */
    @Override
    public void onTransmitError(List<Object> tokens) {
        consecutiveErrors++;
        long now = station.now;
        if (tokens.isEmpty() && consecutiveErrors < 3 && (ready || auth == null)) {
            // a hello or a session keep-alive: it goes again, the nNVE counts on it (an authenticating
            // hello goes again on its own schedule, awaitSession)
            keepAliveFlag = ready && has(Feature.SESSION);
            ecp.sendHeaderOnly();
        }
        for (Object t : tokens) {
            if (t instanceof VnSent v && vnPending.containsKey(v.vn())) {
                if (consecutiveErrors < 3) {
                    ecp.submit(v.item(), v);
                } else {
                    vnPending.remove(v.vn()).accept(OpResult.failed(Station.CODE_NO_ANSWER, "no acknowledgement from " + cfg.name()));
                }
            }
            if (t instanceof Sent s && s.link().pending == s.pending()) {
                if (now < s.pending().deadline && consecutiveErrors < 3) {
                    ecp.submit(s.item(), s);
                } else {
                    requests.fail(s.link(), OpResult.failed(Station.CODE_NO_ANSWER, "no acknowledgement from " + cfg.name()));
                }
            }
        }
        if (consecutiveErrors >= 3) {
            lost(consecutiveErrors + " ECPDUs in a row unacknowledged after " + ecp.timers().retries()
                    + " retries each");
        }
    }
    /**
     * OPS-7: an uplink whose nNVE is not heard from gets this end device's hello (capabilities and session)
     * with a back-off up to the keep-alive period, so it comes back in sync when the link or the nNVE does,
     * without waiting for a VM request.
     */
    private void probe(long now) {
        if (!ecp.busy()) {
            ecp.sendHeaderOnly();
        }
        probeBackoff = Math.min(2 * probeBackoff, Math.max(ecp.timers().keepAliveNanos(), probeBackoff));
        nextProbe = now + probeBackoff;
    }

    // ------------------------------------------------------------------ receiving

    private void alive() {
        lastHeard = station.now;
        nextProbe = Long.MAX_VALUE;
        if (!alive) {
            alive = true;
            // A new period of life: the errors that declared the nNVE lost are behind it. Without this, every
            // later transmit error (a slow nNVE acknowledges late, not never) failed the requests at once
            // instead of sending them again until their response deadline.
            consecutiveErrors = 0;
            station.emit(new TnveEvent.UplinkState(cfg.name(), "up", "frames again"));
            // REQ-3: what failed over to a standby while this nNVE was lost is let go here, or the VN
            // would stay on both (session keep-alives would keep it alive at this nNVE for ever).
            for (Link l : List.copyOf(links.values())) {
                if (l.desired == TsiState.INIT && l.confirmed != TsiState.INIT) {
                    requests.drive(l, TsiState.INIT, VsiMode.DE_ASSOCIATE, List.of(), r -> { });
                }
            }
        }
    }

    private void received(VdpPdu pdu) {
        alive();
        SessionTlv s = pdu.header(SessionTlv.class);
        // REL-7: a new epoch says the nNVE restarted and holds nothing of this end device; RESYNC_REQUEST says
        // it wants every TSI announced again (it lost them, or it does not know this end device's session).
        boolean restarted = s != null && peerEpoch != 0 && s.epoch() != peerEpoch;
        boolean asked = s != null && s.has(SessionTlv.RESYNC_REQUEST);
        CapabilityTlv caps = pdu.header(CapabilityTlv.class);
        limits.noteLimits(this, caps);
        boolean learned = false;
        if (caps != null && (common == null || restarted || asked || announceCaps)) {
            boolean first = common == null;
            common = station.ownCapabilities.intersect(caps);
            ecp.setProfile(common.has(Feature.BATCHING) ? EcpProfile.BATCHING : EcpProfile.STANDARD);
            if (common.has(Feature.SESSION) && nextSessionKeepAlive == Long.MAX_VALUE) {
                nextSessionKeepAlive = station.now + ecp.timers().keepAliveNanos();
            }
            if (first) {
                station.emit(new TnveEvent.UplinkState(cfg.name(), "up", "extensions " + common.features()));
                learned = true;
            }
        }
        if (s != null) {
            peerEpoch = s.epoch();
        }
        if (sessionEstablished()) {
            becomeReady();
        }
        for (VdpItem item : pdu.items()) {
            switch (item) {
                case VsiTlv v -> {
                    if (v.isResponse()) {
                        requests.response(this, v);
                    } else {
                        nnveRequest(v);
                    }
                }
                case VnConnectTlv c -> {
                    if (c.status() instanceof VsiStatus.Response r && c.vn() instanceof VnId.Group g) {
                        Consumer<OpResult> done = vnPending.remove(g.unsigned());
                        if (r.isSuccess()) {
                            if (c.operation() == VnConnectTlv.Operation.CONNECT) {
                                vnTags.put(g.unsigned(), c.localTags());
                            } else {
                                vnTags.remove(g.unsigned());
                            }
                        }
                        if (done != null) {
                            done.accept(r.isSuccess() ? OpResult.OK : OpResult.failed(r.code().value(),
                                    r.code().description() + (detail(c.attached()).isEmpty() ? "" : ": " + detail(c.attached()))));
                        }
                        continue;
                    }
                    if (c.operation() == VnConnectTlv.Operation.DISCONNECTED && c.vn() instanceof VnId.Group g) {
                        vnTags.remove(g.unsigned());
                        for (Link l : List.copyOf(links.values())) {
                            if (l.spec.vnId() == g.unsigned() && l.confirmed != TsiState.INIT) {
                                requests.setConfirmed(l, TsiState.INIT);
                                l.desired = TsiState.INIT;
                                station.emit(new TnveEvent.NnveInitiated(l.vm.name, l.spec.id().toString(), cfg.name(),
                                        "VN disconnected", detail(c.attached())));
                            }
                        }
                    }
                }
            }
        }
        if (resyncPending && resyncLeft == 0 && ready && !restarted && !asked) {
            // after the capabilities of this PDU: the announcements carry what the extensions allow
            resync("announcements went unanswered while the nNVE was lost");
            return;
        }
        boolean negotiatedLate = false;
        if (learned && has(Feature.TSI_ADDRESSES)) {
            // OPS-1: requests that went out before the extensions were known went as a standard peer's (no IP
            // addresses): what was held back goes now.
            for (Link l : links.values()) {
                negotiatedLate |= l.pending == null && l.confirmed != TsiState.INIT && l.desired != TsiState.INIT
                        && !sameAddresses(l.ackedIps, l.spec.ips());
            }
        }
        if (restarted || (asked && resyncLeft == 0)) {
            resync(restarted ? "the nNVE restarted (session epoch " + Integer.toHexString(s.epoch()) + ")"
                    : "the nNVE asked for every TSI again");
        } else if (negotiatedLate) {
            resync("extensions negotiated after TSIs were set this without them");
        } else if (s != null && pdu.items().isEmpty() && has(Feature.SESSION) && resyncLeft == 0) {
            resyncIfDiverged(s);
        }
    }

    /**
     * REL-7, OPS-1: the nNVE restarted, asked for a resynchronisation, or learned this end device's
     * extensions late. Every request in flight goes again; every TSI this end device wants is announced
     * again with its state and all its addresses (and every explicitly connected VN with its tags); the
     * uplink shows as not in sync until the nNVE has answered them all. A TSI the nNVE refuses now is
     * reported to the orchestrator as the nNVE's doing: the tNVE never claims what the nNVE does not hold.
     */
    private void resync(String why) {
        resyncPending = false;
        announceCaps = true; // until every re-announcement is answered: the nNVE may know nothing of us
        station.emit(new TnveEvent.UplinkState(cfg.name(), "resync", why));
        int announced = 0;
        for (Link l : List.copyOf(links.values())) {
            if (l.pending != null && l.pending.sent) {
                // The nNVE did not take it (it did not know this end device's session): it goes again, and
                // its own answer completes the operation that sent it.
                l.pending.remaining = l.pending.items.size();
                for (VsiTlv item : l.pending.items) {
                    ecp.submit(item, new Sent(l, item, l.pending));
                }
            }
            if (l.desired == TsiState.INIT) {
                continue;
            }
            // what the nNVE holds is unknown until it answers: the answer says (OPS-1)
            l.ackedIps = List.of();
            announced++;
            resyncLeft++;
            TsiState wanted = l.desired;
            requests.drive(l, wanted, wanted == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR,
                    addressesAgain(l), r -> resynced(l, wanted, r));
        }
        for (Map.Entry<Long, List<Integer>> e : List.copyOf(vnTags.entrySet())) {
            if (vnPending.containsKey(e.getKey())) {
                continue;
            }
            resyncLeft++;
            announced++;
            long vn = e.getKey();
            vnPending.put(vn, r -> resynced(null, null, r));
            VnConnectTlv item = VnConnectTlv.request(VnConnectTlv.Operation.CONNECT, VnId.group(vn), e.getValue());
            ecp.submit(item, new VnSent(this, vn, item));
        }
        if (announced == 0) {
            inSync();
        }
    }

    static boolean sameAddresses(List<TsiAddress> a, List<TsiAddress> b) {
        return a.size() == b.size() && new java.util.HashSet<>(a).equals(new java.util.HashSet<>(b));
    }

    /** Every IP address of the TSI, to replace whatever the nNVE holds (a resynchronisation). */
    List<OrgTlv> addressesAgain(Link l) {
        if (!has(Feature.TSI_ADDRESSES)) {
            return List.of();
        }
        return new ArrayList<>(TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, station.transaction(), l.spec.ips(),
                Requests.FRAGMENT_BUDGET));
    }

    /**
     * The answer to one re-announcement ({@code announced}: the state it asked for). A refusal drops the TSI, unless
     * an operation since (a start, a suspend) changed what this end device wants: that operation's own answer decides
     * (issue 13's chaos run: a VM started while its re-announcement as Associated waited behind the start was
     * refused as Activated at the nNVE, and the tNVE dropped the VM it had just started).
     */
    private void resynced(Link l, TsiState announced, OpResult r) {
        if (!r.ok() && r.code() == Station.CODE_NO_ANSWER) {
            resyncPending = true;
        } else if (!r.ok() && l != null && l.confirmed != TsiState.INIT && l.desired == announced) {
            // The nNVE does not hold it any more and will not take it back: say so (OPS-1, REQ-9).
            requests.setConfirmed(l, TsiState.INIT);
            l.desired = TsiState.INIT;
            l.keepAliveDue = Long.MAX_VALUE;
            station.emit(new TnveEvent.NnveInitiated(l.vm.name, l.spec.id().toString(), cfg.name(),
                    "not taken back after a resynchronisation", r.detail()));
        }
        if (resyncLeft > 0 && --resyncLeft == 0 && !resyncPending) {
            inSync();
        }
    }

    private void inSync() {
        announceCaps = false;
        station.emit(new TnveEvent.UplinkState(cfg.name(), "in-sync", confirmedCount + " TSIs confirmed"));
    }

    /**
     * SM-TIMER, REQ-9 (docs/protocol.md 5.2): the nNVE's session TLV tells how many of this end device's TSIs
     * it holds and their digest. When that differs from what this end device believes while nothing is in
     * flight (a header-only ECPDU: every earlier answer and notice came before it), the nNVE lost TSIs behind
     * its back, e.g. released them on a keep-alive timeout during an outage whose notices were lost: every TSI
     * is announced again toward the state the end device wants, its addresses with it.
     */
    private void resyncIfDiverged(SessionTlv s) {
        if (s.tsiCount() == confirmedCount && s.stateDigest() == digest) {
            clearNotices();
            return;
        }
        if (repairNotices(s)) {
            return;
        }
        boolean any = false;
        for (Link l : links.values()) {
            if (l.pending != null || !l.next.isEmpty()) {
                return;
            }
            any |= l.desired != TsiState.INIT;
        }
        if (!any) {
            return; // nothing to announce (e.g. the nNVE still holds TSIs of this end device's previous run)
        }
        station.emit(new TnveEvent.UplinkState(cfg.name(), "resync", "the nNVE holds " + s.tsiCount() + " TSIs of this end "
                + "device, it believes " + confirmedCount + ": announcing them again"));
        for (Link l : List.copyOf(links.values())) {
            if (l.desired == TsiState.INIT) {
                continue;
            }
            List<OrgTlv> extras = new ArrayList<>();
            if (has(Feature.TSI_ADDRESSES) && !l.spec.ips().isEmpty()) {
                extras.addAll(TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, station.transaction(), l.spec.ips(),
                        Requests.FRAGMENT_BUDGET));
            }
            requests.drive(l, l.desired, l.desired == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR, extras,
                    r -> { });
        }
    }

    /**
     * SEC-9: the nNVE's count and digest say it still holds, in their earlier states, exactly the TSIs that a
     * notice in its name de-associated or deactivated here: the notice did not come from it (forged on a shared
     * segment without authentication). This side's view is put back, with no frame sent; the orchestrator hears
     * of it. Returns whether that explained the difference.
     */
    private boolean repairNotices(SessionTlv s) {
        long expected = digest;
        int count = confirmedCount;
        List<Link> repaired = new ArrayList<>();
        for (Link l : noticed) {
            if (l.pending != null) {
                continue;
            }
            if (l.confirmed != TsiState.INIT) {
                expected ^= Requests.digest(l.spec.id(), l.confirmed);
                count--;
            }
            if (l.beforeNotice != TsiState.INIT) {
                expected ^= Requests.digest(l.spec.id(), l.beforeNotice);
                count++;
            }
            repaired.add(l);
        }
        if (repaired.isEmpty() || s.tsiCount() != count || s.stateDigest() != expected) {
            return false;
        }
        station.emit(new TnveEvent.UplinkState(cfg.name(), "repaired", repaired.size() + " TSIs the nNVE still holds: a "
                + "notice in its name that they were de-associated or deactivated did not come from it"));
        for (Link l : repaired) {
            TsiState was = l.beforeNotice;
            l.beforeNotice = null;
            noticed.remove(l);
            requests.setConfirmed(l, was);
            l.desired = was;
            requests.armKeepAlive(l);
            station.emit(new TnveEvent.NnveInitiated(l.vm.name, l.spec.id().toString(), cfg.name(), "restored",
                    "the nNVE still holds it " + was + ": the earlier notice did not come from it"));
        }
        return true;
    }

    private void clearNotices() {
        for (Link l : noticed) {
            l.beforeNotice = null;
        }
        noticed.clear();
    }

    static String detail(List<OrgTlv> attached) {
        for (OrgTlv o : attached) {
            if (o instanceof ReasonDetailTlv r) {
                return r.text();
            }
        }
        return "";
    }

    /** The nNVE's own initiative (REQ-6, REQ-9): reported to the orchestrator, never undone behind its back. */
    private void nnveRequest(VsiTlv v) {
        Link l = links.get(v.vsiId());
        if (l == null || l.confirmed == TsiState.INIT) {
            return; // e.g. lldpad's late unsolicited De-Associate of a VSI already gone: harmless
        }
        switch (v.mode()) {
            case DE_ASSOCIATE -> {
                l.beforeNotice = l.confirmed;
                noticed.add(l);
                requests.setConfirmed(l, TsiState.INIT);
                l.desired = TsiState.INIT;
                l.keepAliveDue = Long.MAX_VALUE;
                station.emit(new TnveEvent.NnveInitiated(l.vm.name, l.spec.id().toString(), cfg.name(), "de-associated",
                        detail(v.attached())));
            }
            case PRE_ASSOCIATE_RR -> {
                DeactivateTlv d = v.attached(DeactivateTlv.class);
                for (OrgTlv o : v.attached()) {
                    if (o instanceof TsiAddressTlv a) {
                        l.namedFragments.add(a);
                    }
                }
                if (d != null && d.partial() && l.confirmed == TsiState.ACTIVATED) {
                    List<TsiAddress> named;
                    try {
                        named = TsiAddressTlv.join(l.namedFragments);
                    } catch (IllegalArgumentException e) {
                        named = List.of();
                    }
                    l.namedFragments = new ArrayList<>();
                    for (TsiAddress a : named) {
                        if (!l.inactive.contains(a)) {
                            l.inactive.add(a);
                        }
                    }
                    station.emit(new TnveEvent.NnveInitiated(l.vm.name, l.spec.id().toString(), cfg.name(),
                            "deactivated " + named.size() + " addresses", d.cause() + " " + named + " " + detail(v.attached())));
                    return;
                }
                if (d != null) {
                    l.namedFragments = new ArrayList<>();
                }
                if (v.attached(DeactivateTlv.class) != null && l.confirmed == TsiState.ACTIVATED) {
                    l.beforeNotice = l.confirmed;
                    noticed.add(l);
                    requests.setConfirmed(l, TsiState.ASSOCIATED);
                    l.desired = TsiState.ASSOCIATED;
                    station.emit(new TnveEvent.NnveInitiated(l.vm.name, l.spec.id().toString(), cfg.name(), "deactivated",
                            v.attached(DeactivateTlv.class).cause() + " " + detail(v.attached())));
                }
            }
            default -> {
            }
        }
    }

    // ------------------------------------------------------------------ uplink loss and fail-over (REQ-3)

    void lost(String why) {
        if (!alive) {
            return;
        }
        alive = false;
        station.emit(new TnveEvent.UplinkState(cfg.name(), "down", why));
        if (auth == null && !config.features().isEmpty()) {
            // OPS-7: probed until it answers (link up again, nNVE back), not only when a VM needs it.
            probeBackoff = 2 * ecp.timers().deliveryNanos();
            nextProbe = station.now + probeBackoff;
        }
        if (auth != null) {
            // The nNVE may have restarted with a new nonce: only a new handshake can tell. Requests wait
            // for it; the hello goes until it is answered (REQ-11).
            auth.restartSession();
            ready = false;
            common = null;   // a restarted nNVE knows nothing of this end device: the hello says it all again
            hello();
        }
        placement.failOver(this);
    }

    // ------------------------------------------------------------------ time

    /** This uplink's share of the engine's timer: ECP, the session, deadlines and keep-alives due by {@code now}. */
    void onTimer(long now) {
        ecp.onTimer(now);
        if (!ready && auth != null) {
            awaitSession(now);
        } else if (!ready && now >= readyDeadline) {
            becomeReady();
        }
        while (!responseDeadlines.isEmpty()) {
            Due d = responseDeadlines.peek();
            Pending p = d.link().pending;
            if (p == null || p.deadline != d.at()) {
                responseDeadlines.poll();
                continue;
            }
            if (d.at() > now) {
                break;
            }
            responseDeadlines.poll();
            requests.fail(d.link(), OpResult.failed(Station.CODE_NO_ANSWER, "no response from " + cfg.name() + " in time"));
        }
        while (!keepAlives.isEmpty()) {
            Due d = keepAlives.peek();
            if (d.link().keepAliveDue != d.at()) {
                keepAlives.poll();
                continue;
            }
            if (d.at() > now) {
                break;
            }
            keepAlives.poll();
            requests.keepAlive(d.link());
        }
        if (!alive && now >= nextProbe) {
            probe(now);
        }
        if (has(Feature.SESSION) && now >= nextSessionKeepAlive) {
            keepAliveFlag = true;
            ecp.sendHeaderOnly();
            nextSessionKeepAlive = now + ecp.timers().keepAliveNanos();
            if (alive && now - lastHeard > ecp.timers().bridgeKeepAliveTimeoutNanos()) {
                lost("no frame from the nNVE for " + (now - lastHeard) / 1_000_000 + " ms");
            }
        }
    }

    /** When this uplink's timer is due next (answered requests and stopped keep-alives are dropped on the way). */
    long nextDeadline() {
        long next = ecp.nextDeadline();
        if (!ready) {
            next = Math.min(next, readyDeadline);
            next = Math.min(next, nextHello);
            if (!waiting.isEmpty() && auth != null) {
                next = Math.min(next, waiting.peek().deadline());
            }
        }
        while (!responseDeadlines.isEmpty()) {
            Due d = responseDeadlines.peek();
            if (d.link().pending != null && d.link().pending.deadline == d.at()) {
                next = Math.min(next, d.at());
                break;
            }
            responseDeadlines.poll(); // answered already
        }
        while (!keepAlives.isEmpty()) {
            Due d = keepAlives.peek();
            if (d.link().keepAliveDue == d.at()) {
                next = Math.min(next, d.at());
                break;
            }
            keepAlives.poll(); // re-armed or stopped since
        }
        if (has(Feature.SESSION)) {
            next = Math.min(next, nextSessionKeepAlive);
        }
        if (!alive) {
            next = Math.min(next, nextProbe);
        }
        return next;
    }
}
