package org.splitnve.nnve;

import java.util.ArrayList;
import java.util.List;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.auth.FrameAuthenticator;
import org.splitnve.protocol.ecp.EcpEndpoint;
import org.splitnve.protocol.ecp.EcpProfile;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * The nNVE's peers and their sessions (RFC 8394 section 3, docs/protocol.md 5): an end device becomes a
 * peer on its first VDP frame once the authority allows it (SEC-1), exchanges capabilities and session
 * TLVs (OPS-3, REL-2, REL-7, REQ-11), and loses its TSIs when its keep-alive expires (SM-TIMER). A
 * received VDP PDU is dispatched from here to the VSI request path and the VAPs, in the order of its items.
 */
final class Sessions extends EnginePart {
    Sessions(NnveEngine engine) {
        super(engine);
    }

    /** The Manager ID of the ECPDU being processed: a new TSI remembers it for the nNVE's own requests. */
    ManagerId requestManager;

    boolean addressedToUs(int port, MacAddress dst) {
        return dst.equals(MacAddress.NEAREST_CUSTOMER_BRIDGE) || dst.equals(io.mac(port))
                || dst.equals(config.ports().get(port).multicast());
    }

    static long mac(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    Peer peer(int port, MacAddress station, byte[] buf, int off, int length, Frame.Vdp frame) {
        Peer p = peers.get(key(port, station));
        if (p != null) {
            return p;
        }
        if (!station.isValidUnicast()) {
            events.accept(new NnveEvent.BadInput(port, station, "INVALID_SOURCE", "source MAC is not a unicast address"));
            return null;
        }
        Authority.Decision d = authority.authoriseEndDevice(port, station);
        Timers announced = announcedTimers.get(key(port, station));
        Timers timers = announced != null ? config.timers().negotiate(announced) : config.timers();
        // an authority not ready yet (an NVA's replica before its first list) knows no end device: the peer is made,
        // its requests are held until it is (NnveEngine#receive), and each is authorised then (SEC-1 at the request)
        if (!d.allowed() && authority.ready()) {
            events.accept(new NnveEvent.Refused(port, station, "end device", "-", d.reasonCode(), d.detail()));
            // SM-REASON: its requests are answered with the reason code, a few a second at most.
            refusedStations.onFrame(port, station, d, timers, buf, off, length, frame);
            return null;
        }
        p = create(port, station, timers);
        p.announced = announcedTimers.remove(key(port, station));
        events.accept(new NnveEvent.PeerUp(port, station, false, p.authenticated));
        return p;
    }

    /** A new peer with its ECP endpoint (and its authenticator, REQ-11), heard now, in the table. */
    private Peer create(int port, MacAddress station, Timers timers) {
        Peer p = new Peer(port, station, engine);
        p.ecp = new EcpEndpoint(io.mac(port), station, station, codec, config.managerId(), EcpProfile.STANDARD, timers,
                clock, events, (bytes, len) -> io.send(port, bytes, len), p, () -> header(p));
        p.ecp.setQueueLimit(config.limits().responsesPerPeer()); // SEC-5
        FrameAuthenticator auth = config.authenticators().apply(port, station);
        if (auth != null) {
            // REQ-11: every frame of this end device must authenticate; nothing it sends counts before.
            p.ecp.setAuthenticator(auth);
            p.auth = auth;
        }
        p.lastHeard = clock.nanos();
        peers.put(key(port, station), p);
        return p;
    }

    /**
     * REL-2: the peer of a restored TSI (before the first frame), with this side's timers: no session yet and no
     * capabilities exchanged, so the first frame of an end device with the extensions makes it announce every TSI
     * again (REL-7), and a standard one's keep-alives refresh them.
     */
    Peer restoredPeer(int port, MacAddress station) {
        Peer p = peers.get(key(port, station));
        if (p == null) {
            p = create(port, station, config.timers());
            p.restored = true;
            events.accept(new NnveEvent.PeerUp(port, station, false, p.authenticated));
        }
        return p;
    }

    /**
     * REL-2, REL-7: tells every end device on every port at once that this nNVE (re)started: one header-only
     * ECPDU to the nearest-customer-bridge group (and to the port's multicast group, GAP-1) with this side's
     * capabilities and a session TLV with the new epoch and RESYNC_REQUEST. An end device that held TSIs with
     * an earlier run of this nNVE announces them all again at once, instead of at its next keep-alive; a
     * standard one ignores the extension TLVs. Sent once, unacknowledged (a lost one leaves the keep-alive
     * path, docs/protocol.md 5.2). The daemons call it once the engine runs; returns the frames sent.
     */
    int announceStart() {
        VdpPdu pdu = new VdpPdu(config.managerId(), List.of(ownCapabilities,
                new SessionTlv(SessionTlv.RESYNC_REQUEST, epoch, 0, 0, 0L, nonce)), List.of(), null);
        int sent = 0;
        for (int port = 0; port < io.ports(); port++) {
            MacAddress multicast = config.ports().get(port).multicast();
            for (MacAddress group : multicast == null ? List.of(MacAddress.NEAREST_CUSTOMER_BRIDGE)
                    : List.of(MacAddress.NEAREST_CUSTOMER_BRIDGE, multicast)) {
                byte[] frame = codec.encode(new Frame.Vdp(new EthernetHeader(group, io.mac(port), EcpHeader.ETHERTYPE),
                        EcpHeader.request(epoch & 0xFFFF), pdu), true);
                io.send(port, frame, frame.length);
                sent++;
            }
            events.accept(new NnveEvent.ResyncRequested(port, MacAddress.NEAREST_CUSTOMER_BRIDGE,
                    "this nNVE started: every end device on the port is asked", 0));
        }
        return sent;
    }

    List<OrgTlv> header(Peer p) {
        if (p.common == null && !awaitsAuthentication(p) && !p.resyncWanted) {
            return List.of();
        }
        List<OrgTlv> h = new ArrayList<>(2);
        if (!p.capabilitySent || p.resyncWanted) {
            h.add(ownCapabilities);
            p.capabilitySent = true;
        }
        if (p.has(Feature.SESSION) || awaitsAuthentication(p) || p.resyncWanted) {
            Bytes n = p.auth != null && p.auth.localNonce() != null ? p.auth.localNonce() : nonce;
            int flags = p.resyncWanted ? SessionTlv.RESYNC_REQUEST : 0;
            p.resyncWanted = false;
            h.add(new SessionTlv(flags, epoch, p.epoch, p.tsiCount, p.digest, n));
        }
        return h;
    }

    /** The peer must authenticate and has not yet: this side's session TLV (its nonce) must reach it. */
    static boolean awaitsAuthentication(Peer p) {
        return p.auth != null && !p.auth.authenticated();
    }

    // ------------------------------------------------------------------ receiving

    void receive(Peer p, VdpPdu pdu) {
        long now = clock.nanos();
        p.lastHeard = now;
        CapabilityTlv caps = pdu.header(CapabilityTlv.class);
        if (caps != null) {
            boolean first = p.common == null;
            p.common = ownCapabilities.intersect(caps);
            p.ecp.setProfile(p.common.has(Feature.BATCHING) ? EcpProfile.BATCHING : EcpProfile.STANDARD);
            // An end device announces its capabilities until it has heard this side's (or while it resynchronises):
            // this side's go with the next PDU to it. The PDU that carried them may have been lost (ECP gave up on it
            // under loss): the end device would otherwise treat this nNVE as a standard bridge for ever, sending
            // what needs an extension without it (issue 14's stress run: a migration's destination sent its
            // activation with the M bit alone and was refused for naming no migration).
            p.capabilitySent = false;
            if (first) {
                events.accept(new NnveEvent.PeerUp(p.port, p.station, true, p.authenticated));
            }
        }
        SessionTlv session = pdu.header(SessionTlv.class);
        if (session != null && !awaitsAuthentication(p)) {
            // REL-7: an end device that speaks of a session this nNVE does not know (no capabilities
            // exchanged with this run of the nNVE), or names another epoch of this nNVE, holds TSIs this
            // nNVE may have lost: it is asked to announce them all again, and what it sends before it has
            // announced its extensions again is not taken as a standard peer's (its addresses would be lost).
            String why = p.common == null ? "a session this nNVE does not know (it restarted)"
                    : session.peerEpoch() != 0 && session.peerEpoch() != epoch
                            ? "an earlier epoch of this nNVE (" + Integer.toHexString(session.peerEpoch()) + ")" : null;
            if (why != null) {
                p.resyncWanted = true;
                boolean skip = p.common == null;
                events.accept(new NnveEvent.ResyncRequested(p.port, p.station, why, skip ? pdu.items().size() : 0));
                if (skip) {
                    p.ecp.sendHeaderOnly();
                    return;
                }
            }
        }
        if (session != null && p.has(Feature.SESSION)) {
            session(p, session, now);
        }
        if (awaitsAuthentication(p) && !pdu.items().isEmpty()) {
            // REQ-11: the authenticator lets items through only in a session-keyed frame, which proves
            // the peer; should one come before, nothing of it is processed.
            events.accept(new NnveEvent.Refused(p.port, p.station, "items", "-", ReasonCode.OTHER_FAILURE.value(),
                    pdu.items().size() + " items from an end device that has not authenticated"));
            return;
        }
        ManagerId manager = pdu.managerId() != null ? pdu.managerId() : config.managerId();
        requestManager = manager;
        for (VdpItem item : pdu.items()) {
            VdpItem response = switch (item) {
                case VsiTlv v -> v.isResponse() ? null : engine.requests.vsi(p, manager, v, now);
                case VnConnectTlv c -> c.status() instanceof VsiStatus.Response ? null : engine.vapTags.vnConnect(p, c);
            };
            if (response != null) {
                send(p, response, pdu.managerId());
            }
        }
        if (session != null && (p.has(Feature.SESSION) || awaitsAuthentication(p)) && (pdu.items().isEmpty()
                || p.resyncWanted)) {
            // Answers a hello (and a keep-alive) with this side's session TLV: with authentication, the
            // end device learns this side's nonce from it and the session is established.
            p.ecp.sendHeaderOnly();
        }
    }

    void session(Peer p, SessionTlv s, long now) {
        if (p.epoch != 0 && s.epoch() != p.epoch) {
            // The end device restarted: it re-announces what it still has; what it does not is released.
            events.accept(new NnveEvent.PeerRestarted(p.port, p.station, Integer.toHexString(s.epoch()), p.tsiCount));
            for (Tsi t = p.oldest; t != null; t = t.newer) {
                t.refreshedAt = Long.MIN_VALUE;
            }
            p.resyncDeadline = now + p.ecp.timers().bridgeKeepAliveTimeoutNanos();
            p.capabilitySent = false;
            // SEC-9: the new epoch may be forged: the end device is asked for every TSI, so a real one that
            // did not restart re-announces them before the deadline and nothing is released.
            p.resyncWanted = true;
            events.accept(new NnveEvent.ResyncRequested(p.port, p.station, "a new epoch of the end device", 0));
        }
        if (p.restored && p.epoch == 0 && p.tsiCount > 0) {
            // REL-2: its TSIs were restored from this nNVE's durable state; it announces again what it holds (the
            // start announcement, or the RESYNC_REQUEST of REL-7), and what it does not by the deadline is released
            // (a change the durable state missed: a TSI it let go of just before the nNVE stopped)
            for (Tsi t = p.oldest; t != null; t = t.newer) {
                t.refreshedAt = Long.MIN_VALUE;
            }
            p.resyncDeadline = now + p.ecp.timers().bridgeKeepAliveTimeoutNanos();
        }
        p.restored = false;
        p.epoch = s.epoch();
        if (s.has(SessionTlv.KEEPALIVE)) {
            p.lastHeard = now;
        }
    }

    /** An item the nNVE sends, how many times ECP gave up on it so far, and when it was first queued. */
    record Outgoing(VdpItem item, int attempts, ManagerId manager, long queuedAt) {
    }

    static final int SEND_ATTEMPTS = 3;

    void send(Peer p, VdpItem item) {
        send(p, item, null);
    }

    /** Sends an item with {@code manager}'s Manager ID (a response: its request's), null for the nNVE's own. */
    void send(Peer p, VdpItem item, ManagerId manager) {
        p.ecp.submit(item, new Outgoing(item, 1, manager, clock.nanos()), manager);
    }

    /**
     * ECP gave up: the station may still be there (frames lost), so the items go again, a few times;
     * if it is gone, its keep-alive timer releases its TSIs. An answer about a TSI that its station asked about again
     * since is not sent again ({@link #superseded}).
     */
    void transmitError(Peer p, List<Object> tokens) {
        for (Object t : tokens) {
            if (t instanceof Outgoing o && o.attempts < SEND_ATTEMPTS && peers.get(key(p.port, p.station)) == p
                    && !superseded(p, o)) {
                p.ecp.submit(o.item, new Outgoing(o.item, o.attempts + 1, o.manager, o.queuedAt), o.manager);
            }
        }
    }

    /**
     * Whether {@code o} is an answer about a TSI that the station sent a request for after the answer was queued: the
     * newer request has its own answer, and the old one sent again could be taken for it. Issue 14's stress run (20%
     * loss): the answers to a suspend reached the tNVE, their acknowledgements did not; ECP gave up, the answers went
     * again while the tNVE's resume was on its way, and the tNVE took the old answer about one TSI as the answer to its
     * activation, which the nNVE had not made: the VM ran at the tNVE with that TSI Associated at the nNVE.
     */
    private boolean superseded(Peer p, Outgoing o) {
        if (!(o.item() instanceof VsiTlv v) || !v.isResponse()) {
            return false;
        }
        for (Tsi t = instances.get(v.vsiId()); t != null; t = t.nextInstance) {
            if (t.peer == p && t.requestedAt > o.queuedAt()) {
                return true;
            }
        }
        return false;
    }

    /**
     * SM-TIMER: ECP delivered answers to a station that keeps each TSI alive on its own (a standard station: lldpad).
     * Such a station sends a TSI's next keep-alive only once it has the answer to the last one: when that answer was
     * late (its ECP acknowledgement slow, our ECP retrying, or the item sent again after ECP gave up), the keep-alive
     * timeout counts from its delivery, not from the request. Without this, a station slowed down for a moment (issue
     * 14's stress run: lldpad under two CPU burners acknowledged a frame after our ECP had given up on it) had a TSI
     * stepped down 70 ms before it got the answer its next keep-alive waited for.
     */
    void delivered(Peer p, List<Object> tokens, long now) {
        if ((p.has(Feature.SESSION) && p.epoch != 0) || peers.get(key(p.port, p.station)) != p) {
            return; // a session keeps its TSIs alive as a whole (lastHeard)
        }
        for (Object token : tokens) {
            if (token instanceof Outgoing o && o.item() instanceof VsiTlv v
                    && v.status() instanceof VsiStatus.Response r && r.isSuccess()
                    && (v.mode() == VsiMode.ASSOCIATE || v.mode() == VsiMode.PRE_ASSOCIATE_RR)) {
                for (Tsi t = instances.get(v.vsiId()); t != null; t = t.nextInstance) {
                    if (t.peer == p && t.state != TsiState.INIT && t.refreshedAt < now) {
                        p.touch(t, now);
                    }
                    if (t.peer == p && t.state != TsiState.INIT && t.nudged < NUDGES) {
                        p.nudges.addLast(new Nudge(t, now, now + nudgeAfter(p)));
                    }
                }
            }
        }
    }

    /** An answer delivered to a standard station at {@code deliveredAt}, to be sent again at {@code due} ({@link #nudge}). */
    record Nudge(Tsi tsi, long deliveredAt, long due) {
    }

    /** Answers sent again to a standard station after its last request about a TSI, at most. */
    static final int NUDGES = 3;

    /**
     * When a TSI's next request is overdue after an answer delivered to its standard station: the station sends it a
     * keep-alive period after the answer; halfway from then to the keep-alive timeout.
     */
    static long nudgeAfter(Peer p) {
        long ka = p.ecp.timers().keepAliveNanos();
        return ka + (p.ecp.timers().bridgeKeepAliveTimeoutNanos() - ka) / 2;
    }

    /**
     * SM-TIMER, issue 14: an answer a standard station's ECP acknowledged can still be lost in its VDP (lldpad holds one
     * received ECPDU for 2 ms in a single buffer; on a loaded machine the next takes its place), and lldpad then waits
     * for it until its response timeout and ends the VSI silently (open-lldp vdp22sm.c: VDP22_TXMIT_KAWAIT to
     * VDP22_END). So when no request about the TSI follows an answer's delivery by {@link #nudgeAfter}, the answer goes
     * again as the TSI is now (Associate for an Activated one, Pre-Associate-RR for an Associated one, its filter as
     * accepted), {@link #NUDGES} times at most until the station asks again: a station that waits takes it; one that
     * does not ignores it (lldpad's vdp22_bridge_info finds no request waiting). The stress run of ce90554 lost a VSI
     * of lldpad's that way 0.6 s after an nNVE's restart, when the 20 VSIs' keep-alives came at once.
     */
    void nudge(Peer p, long now) {
        if (p.has(Feature.SESSION) && p.epoch != 0) {
            p.nudges.clear(); // a session keeps its TSIs alive as a whole
            return;
        }
        int sent = 0;
        while (!p.nudges.isEmpty() && p.nudges.peekFirst().due() <= now) {
            Nudge n = p.nudges.pollFirst();
            Tsi t = n.tsi();
            if (t.peer != p || t.state == TsiState.INIT || t.requestedAt >= n.deliveredAt()
                    || t.refreshedAt > n.deliveredAt() || t.nudged >= NUDGES
                    || peers.get(key(p.port, p.station)) != p) {
                continue; // asked again, answered again since (a later delivery), released, or nudged enough
            }
            t.nudged++;
            VsiMode mode = t.state == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR;
            send(p, new VsiTlv(mode, VsiStatus.Response.SUCCESS, t.typeId, t.typeVersion, t.id, t.filter), t.manager);
            sent++;
        }
        if (sent > 0) {
            events.accept(new NnveEvent.AnswersAgain(p.port, p.station, sent));
        }
    }

    /** When {@link #nudge} is next due for {@code p}; MAX_VALUE: never. */
    static long nudgeDeadline(Peer p) {
        Nudge n = p.nudges.peekFirst();
        return n == null ? Long.MAX_VALUE : n.due();
    }

    // ------------------------------------------------------------------ keep-alive (SM-TIMER)

    void expire(Peer p, long now) {
        engine.requests.expireStaged(p, now);
        nudge(p, now);
        long timeout = p.ecp.timers().bridgeKeepAliveTimeoutNanos();
        if (p.resyncDeadline <= now) {
            p.resyncDeadline = Long.MAX_VALUE;
            for (Tsi t = p.oldest; t != null; ) {
                Tsi next = t.newer;
                if (t.refreshedAt == Long.MIN_VALUE) {
                    notifyDeassociate(t, "not re-announced after the end device restarted");
                    engine.tsm.release(t, "resync");
                }
                t = next;
            }
        }
        if (p.has(Feature.SESSION) && p.epoch != 0) {
            if (p.tsiCount > 0 && p.lastHeard + timeout <= now) {
                p.lastHeard = now;
                stepDown(p, List.copyOf(collect(p)));
            }
        } else {
            while (p.oldest != null && p.oldest.refreshedAt + timeout <= now) {
                Tsi t = p.oldest;
                if (now < p.restoredGraceUntil) {
                    p.touch(t, now); // REL-2: a restored standard station's TSIs wait out its response timeout
                    continue;
                }
                stepDown(p, List.of(t));
                if (t.state != TsiState.INIT) {
                    p.touch(t, now);
                }
            }
        }
        if (p.tsiCount == 0 && p.explicitVaps.isEmpty() && p.lastHeard + timeout <= now) {
            // SEC-5: a peer silent for a keep-alive timeout is lost even with answers still queued (a forged
            // source never acknowledges them): they are dropped with it, and so is what it had staged.
            int unsent = p.ecp.drain().size();
            for (VsiId id : List.copyOf(p.fragments.keySet())) {
                engine.requests.unstage(p, id);
            }
            peers.remove(key(p.port, p.station));
            String why = p.auth != null && !p.authenticated ? "idle, never authenticated" : "idle";
            events.accept(new NnveEvent.PeerLost(p.port, p.station,
                    unsent == 0 ? why : why + ", " + unsent + " unacknowledged answers dropped", 0));
        }
    }

    static List<Tsi> collect(Peer p) {
        List<Tsi> out = new ArrayList<>(p.tsiCount);
        for (Tsi t = p.oldest; t != null; t = t.newer) {
            out.add(t);
        }
        return out;
    }

    /** SM-TIMER: no refresh in time: Activated falls to Associated, Associated to Init. */
    void stepDown(Peer p, List<Tsi> tsis) {
        for (Tsi t : tsis) {
            if (t.state == TsiState.ACTIVATED) {
                engine.tsm.transition(t, TsiState.ASSOCIATED, "keep-alive timeout");
                if (p.has(Feature.DEACTIVATE)) {
                    send(p, new VsiTlv(VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Request.PLAIN, t.typeId, t.typeVersion, t.id,
                            t.filter, List.of(new DeactivateTlv(false, DeactivateTlv.Cause.KEEPALIVE_TIMEOUT))));
                }
            } else {
                notifyDeassociate(t, "keep-alive timeout");
                engine.tsm.release(t, "keep-alive timeout");
            }
        }
        if (p.tsiCount == 0) {
            events.accept(new NnveEvent.PeerLost(p.port, p.station, "keep-alive timeout", tsis.size()));
        }
    }

    void notifyDeassociate(Tsi t, String why) {
        Peer p = t.peer;
        List<OrgTlv> attached = p.has(Feature.REASON_DETAIL) ? List.of(new ReasonDetailTlv(ReasonDetail.ADMIN.wire(),
                VsiRequests.clip(why)))
                : List.of();
        send(p, new VsiTlv(VsiMode.DE_ASSOCIATE, VsiStatus.Request.PLAIN, t.typeId, t.typeVersion, t.id, t.filter,
                attached), t.manager);
    }
}
