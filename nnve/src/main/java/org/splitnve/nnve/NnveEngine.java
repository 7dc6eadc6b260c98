package org.splitnve.nnve;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.SessionIdentity;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiId;

/**
 * The External NVE: the VDP bridge side of RFC 8394 section 3, as a deterministic engine. Frames
 * and time in; frames, {@link Effect}s and events out. Single-threaded.
 *
 * <p>Peers are (port, station MAC) pairs. One VAP per (port scope, VN) holds the VN's local tag;
 * one TSI state machine per (TSI, port, station, VN) goes Init / Associated / Activated. VDP's
 * Pre-Associate-RR is RFC 8394's Associate, VDP's Associate its Activate, and Pre-Associate-RR with
 * the deactivate extension its Deactivate.
 *
 * <p>The engine is the {@link PortAgent} front of five package-private parts, each named from the RFC's
 * vocabulary and called on this one thread in the order frames and timers arrive: {@link Sessions} (peers,
 * their sessions, keep-alive), {@link VsiRequests} (the VSI request path and address staging),
 * {@link VapTags} (VAPs and local tags), {@link TsiStateMachine} (the TSI state machine and its effects) and
 * {@link OwnInitiative} (what the nNVE does for its operator). They share the tables below through
 * {@link EnginePart}.
 */
public final class NnveEngine implements PortAgent {
    /** Detail codes of {@link ReasonDetailTlv} (SM-REASON). */
    public static final int DETAIL_POLICY = ReasonDetail.POLICY.wire();
    public static final int DETAIL_TAG = ReasonDetail.TAG.wire();
    public static final int DETAIL_LIMIT = ReasonDetail.LIMIT.wire();
    public static final int DETAIL_STATE = ReasonDetail.STATE.wire();
    public static final int DETAIL_FORMAT = ReasonDetail.FORMAT.wire();
    public static final int DETAIL_ADMIN = ReasonDetail.ADMIN.wire();
    /** OPS-6: a MAC another TSI of the VN holds on this nNVE. */
    public static final int DETAIL_DUPLICATE_MAC = ReasonDetail.DUPLICATE_MAC.wire();
    /** REL-4: the TSI belongs to another end device, and no migration it announced moves it here. */
    public static final int DETAIL_OWNER = ReasonDetail.OWNER.wire();


    final NnveConfig config;
    final Clock clock;
    final PortIo io;
    final Authority authority;
    final Consumer<Effect> effects;
    final EventSink events;
    final FrameCodec codec;
    final Scope[] scopeOfPort;
    final Map<String, Scope> scopes = new HashMap<>();
    final Map<Long, Peer> peers = new HashMap<>();
    final HashMap<VsiId, Tsi> instances = new HashMap<>();
    final CapabilityTlv ownCapabilities;
    final int epoch;
    final Bytes nonce;
    final TsiCounts tsisInState = new TsiCounts();
    /**
     * SEC-10: EVB timers stations announced in LLDP before they spoke VDP, per (port, station), the most
     * recent {@value #MAX_ANNOUNCED} only (a flood of LLDPDUs from made-up sources cannot grow it).
     */
    final Map<Long, Timers> announcedTimers = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Timers> eldest) {
            return size() > MAX_ANNOUNCED;
        }
    };
    static final int MAX_ANNOUNCED = 256;
    /** SEC-5: address fragment octets staged by the end devices behind each port. */
    final long[] stagedOctetsOfPort;
    /** SEC-5: local tags reserved on behalf of each end device (by key) and of each port's end devices. */
    final Map<Long, Integer> tagsOfPeer = new HashMap<>();
    final int[] tagsOfPort;
    /** SEC-5: requests dropped because answers wait unacknowledged, logged one line per peer per interval. */
    final org.splitnve.protocol.event.Throttle droppedLog =
            new org.splitnve.protocol.event.Throttle(10_000_000_000L, 1024);
    /** SM-REASON: the answers to end devices the authority refuses (rate-limited). */
    final RefusedStations refusedStations;

    // The parts, one thread: onFrame and onTimer call them in the order the engine always did.
    /** Peers, their sessions and keep-alive (SM-TIMER, REL-2, REL-7). */
    final Sessions sessions;
    /** The VSI request path: VDP requests in, answers out (SM-TSI, docs/protocol.md 5.4). */
    final VsiRequests requests;
    /** VAPs and local tags (SM-VAP-1..3). */
    final VapTags vapTags;
    /** The TSI state machine and its effects (SM-TSI-1..7, OPS-6). */
    final TsiStateMachine tsm;
    /** What the nNVE does on its own initiative (REQ-6, REQ-9). */
    final OwnInitiative initiative;
    /** The TSI table out and back in (REL-2). */
    final SavedTsis saved;

    public NnveEngine(NnveConfig config, Clock clock, PortIo io, Authority authority, Consumer<Effect> effects,
            EventSink events, RandomGenerator random) {
        if (io.ports() != config.ports().size()) {
            throw new IllegalArgumentException("the configuration names " + config.ports().size() + " ports, the I/O has "
                    + io.ports());
        }
        this.config = config;
        this.clock = clock;
        this.io = io;
        this.authority = authority;
        this.effects = effects;
        this.events = events;
        this.codec = new FrameCodec(config.extensionOui());
        this.scopeOfPort = new Scope[config.ports().size()];
        this.stagedOctetsOfPort = new long[config.ports().size()];
        this.tagsOfPort = new int[config.ports().size()];
        for (int p = 0; p < scopeOfPort.length; p++) {
            NnveConfig.PortConfig pc = config.ports().get(p);
            scopeOfPort[p] = scopes.computeIfAbsent(pc.scope(), s -> new Scope(s, new LocalTagPool(pc.tagPool())));
        }
        // OPS-3: the limits go with the features, so end devices refuse at once what would be refused here
        this.ownCapabilities = CapabilityTlv.of(config.features().isEmpty() ? EnumSet.noneOf(Feature.class)
                : EnumSet.copyOf(config.features())).withLimits(config.limits().advertised());
        SessionIdentity id = SessionIdentity.random(random);
        this.epoch = id.epoch();
        this.nonce = id.nonce();
        this.refusedStations = new RefusedStations(io, clock, codec, config.managerId(), events);
        this.sessions = new Sessions(this);
        this.requests = new VsiRequests(this);
        this.vapTags = new VapTags(this);
        this.tsm = new TsiStateMachine(this);
        this.initiative = new OwnInitiative(this);
        this.saved = new SavedTsis(this);
    }

    // ------------------------------------------------------------------ queries

    public String name() {
        return config.name();
    }

    public Collection<Peer> peers() {
        return List.copyOf(peers.values());
    }

    /** Every TSI instance, in no particular order. */
    public List<Tsi> tsis() {
        List<Tsi> out = new ArrayList<>(instances.size());
        for (Tsi head : instances.values()) {
            for (Tsi t = head; t != null; t = t.nextInstance) {
                out.add(t);
            }
        }
        return out;
    }

    /** The instances of one TSI (several during a move between ports, SM-TSI-7). */
    public List<Tsi> instances(VsiId id) {
        List<Tsi> out = new ArrayList<>(1);
        for (Tsi t = instances.get(id); t != null; t = t.nextInstance) {
            out.add(t);
        }
        return out;
    }

    public List<Vap> vaps() {
        List<Vap> out = new ArrayList<>();
        for (Scope s : scopes.values()) {
            out.addAll(s.vaps.values());
        }
        return out;
    }

    public Vap vap(int port, VnKey vn) {
        return scopeOfPort[port].vaps.get(vn);
    }

    /**
     * SM-REASON: requests of end devices the authority refuses that got no answer (at most one a second per
     * station is answered with the reason code, see {@link RefusedStations}).
     */
    public long refusalsUnanswered() {
        return refusedStations.unanswered();
    }

    public long tsisIn(TsiState state) {
        return tsisInState.of(state);
    }

    public int epoch() {
        return epoch;
    }

    // ------------------------------------------------------------------ driving

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        Frame frame;
        try {
            frame = codec.decode(buf, off, len);
        } catch (DecodeException e) {
            MacAddress src = len >= 12 ? new MacAddress(Sessions.mac(buf, off + 6)) : MacAddress.ZERO;
            events.accept(new NnveEvent.BadInput(port, src, e.error().name(), e.getMessage()));
            return;
        }
        switch (frame) {
            case Frame.Vdp v -> {
                if (!sessions.addressedToUs(port, v.ethernet().destination())) {
                    return;
                }
                Peer p = sessions.peer(port, v.ethernet().source(), buf, off, len, v);
                if (p == null) {
                    return;
                }
                SessionTlv s = v.vdp().header(SessionTlv.class);
                // A restarted peer starts its sequence numbers again: its first frame goes through
                // (once authenticated, where the peer must authenticate).
                boolean restarted = s != null && p.epoch != 0 && s.epoch() != p.epoch;
                p.ecp.onFrame(buf, off, len, v, restarted);
                if (p.auth != null && !p.authenticated && p.auth.authenticated()) {
                    // REQ-11, SEC-3: the end device proved it holds the key (on a request or an acknowledgement).
                    p.authenticated = true;
                    events.accept(new NnveEvent.PeerAuthenticated(p.port, p.station));
                }
            }
            case Frame.Lldp l -> {
                EvbTlv evb = l.lldp().evb();
                MacAddress src = l.ethernet().source();
                if (evb != null && src.isValidUnicast()) {
                    // SEC-10: a station's announced timers are its own (never the port's, for every new peer),
                    // and clamped: no LLDPDU makes the nNVE keep a silent station's TSIs for hours.
                    Timers announced = Timers.of(evb).clampTo(Timers.PEER_MAX);
                    Peer p = peers.get(EnginePart.key(port, src));
                    if (p != null) {
                        p.announced = announced;
                        p.ecp.setTimers(config.timers().negotiate(announced));
                    } else {
                        announcedTimers.put(EnginePart.key(port, src), announced);
                    }
                }
            }
            case Frame.OtherEcp o -> events.accept(new NnveEvent.BadInput(port, o.ethernet().source(), "UNKNOWN_SUBTYPE",
                    "ECP subtype " + o.ecp().subtype() + " is not VDP"));
            case Frame.Other o -> {
                // not ours
            }
        }
    }

    @Override
    public void onTimer() {
        long now = clock.nanos();
        releaseHeld(now);
        for (org.splitnve.protocol.event.Throttle.Summary s : droppedLog.due(now)) {
            long k = s.key();
            boolean others = k == org.splitnve.protocol.event.Throttle.OVERFLOW_KEY;
            events.accept(new NnveEvent.Refused(others ? -1 : (int) (k >>> 48), others ? MacAddress.ZERO
                    : new MacAddress(k & 0xFFFF_FFFF_FFFFL), "requests", "-",
                            ReasonCode.INSUFFICIENT_RESOURCES.value(), s.suppressed() + " more requests dropped "
                    + "unprocessed in " + s.sinceNanos() / 1_000_000 + " ms: answers waited unacknowledged"));
        }
        for (Peer p : List.copyOf(peers.values())) {
            p.ecp.onTimer(now);
            sessions.expire(p, now);
        }
        refusedStations.onTimer(now);
        saved.onTimer(now);
    }

    /**
     * REL-3: a station holds state here when it has TSIs, VN connections it asked for or a session: the
     * transport serves its frames before those of sources it does not know (a flood from made-up MACs).
     */
    @Override
    public boolean established(int port, MacAddress station) {
        Peer p = peers.get(EnginePart.key(port, station));
        return p != null && (p.tsiCount > 0 || !p.explicitVaps.isEmpty() || p.epoch != 0);
    }

    @Override
    public long nextDeadline() {
        long next = droppedLog.nextDeadline();
        if (!held.isEmpty()) {
            // the authority's readiness is looked at every 10 ms while PDUs wait (seconds, after a start only)
            next = Math.min(next, Math.min(holdUntil, clock.nanos() + 10_000_000L));
        }
        for (Peer p : peers.values()) {
            next = Math.min(next, p.ecp.nextDeadline());
            long timeout = p.ecp.timers().bridgeKeepAliveTimeoutNanos();
            if (p.has(Feature.SESSION) && p.epoch != 0) {
                if (p.tsiCount > 0) {
                    next = Math.min(next, p.lastHeard + timeout);
                }
            } else if (p.oldest != null) {
                next = Math.min(next, p.oldest.refreshedAt + timeout);
            }
            next = Math.min(next, p.resyncDeadline);
            next = Math.min(next, Sessions.nudgeDeadline(p));
            next = Math.min(next, p.stagedDeadline);
            if (p.tsiCount == 0 && p.explicitVaps.isEmpty()) {
                next = Math.min(next, p.lastHeard + timeout); // an idle peer is dropped then (SEC-5)
            }
        }
        next = Math.min(next, refusedStations.nextDeadline());
        next = Math.min(next, saved.nextDeadline());
        return next;
    }

    // ------------------------------------------------------------------ the parts' entry points

    /**
     * REL-2, REL-7: tells every end device on every port at once that this nNVE (re)started: one header-only
     * ECPDU to the nearest-customer-bridge group (and to the port's multicast group, GAP-1) with this side's
     * capabilities and a session TLV with the new epoch and RESYNC_REQUEST. An end device that held TSIs with
     * an earlier run of this nNVE announces them all again at once, instead of at its next keep-alive; a
     * standard one ignores the extension TLVs. Sent once, unacknowledged (a lost one leaves the keep-alive
     * path, docs/protocol.md 5.2). The daemons call it once the engine runs; returns the frames sent.
     * REL-2: TSIs restored from the durable state ({@link #restore}) of standard stations are answered again too:
     * such a station cannot be asked to re-announce, and waits for the answer to what it sent meanwhile.
     */
    public int announceStart() {
        int sent = sessions.announceStart();
        saved.answerRestored();
        return sent;
    }

    /**
     * REL-2: every TSI instance as it is now ({@link SavedTsi}: port, station, VN and local tag, state, filter and
     * addresses, whether it holds the NVA entries, time since its last refresh), for a durable copy.
     */
    public List<SavedTsi> export() {
        return saved.export();
    }

    /** REL-2: the instances of one TSI as they are now (none once it is gone): a change to journal. */
    public List<SavedTsi> export(VsiId id) {
        return saved.export(id);
    }

    /**
     * REL-2: builds the saved TSIs again in this engine, before its first frame (an IllegalStateException
     * after): each goes from Init to its saved state through the state machine, with the same VAP and local tag,
     * its keep-alive as long ago as when it was saved; the effects (NVA entries, ACLs, tags on the ports) are
     * emitted as they were the first time. An instance that cannot be restored here (a port or tag the
     * configuration no longer has, a MAC another holds) is left out, logged as a {@code request.refused}
     * "restore"; the authority is not asked again (an NVA's replica is empty until its first synchronisation).
     * Returns how many were restored. The peers are new: no session, no capabilities; {@link #announceStart()}
     * then asks them all to re-announce, and answers the standard stations' TSIs once.
     */
    public int restore(List<SavedTsi> tsis) {
        return saved.restore(tsis);
    }

    /** The local tags reserved on behalf of an end device (SEC-5). */
    public int tagsHeldBy(int port, MacAddress station) {
        return vapTags.tagsHeldBy(port, station);
    }

    /**
     * DP-5: the data plane saw the first frame of a live migration's destination on {@code port}: an instance of the
     * TSI there associated by a migration (ARRIVAL or the M bit) and not activated yet. The VM runs there now, so its
     * NVA entries forward from this instance at once, ahead of the activation at the migration's commit: the NVA moves
     * the addresses (the mobility sequence), and the other NVEs tunnel to this one before the source departs. An
     * instance of this nNVE that holds the entries keeps them unless it may be taken over (SM-TSI-7, REL-4: its end
     * device announced the departure, or both are in one port scope); the data plane unblocks the destination either
     * way. Logged as {@code tsi.first_frame}. Answers whether the instance holds the TSI's NVA entries now (false also
     * when no such instance is there).
     */
    public boolean firstFrame(VsiId id, int port) {
        for (Tsi t = instances.get(id); t != null; t = t.nextInstance) {
            if (t.peer.port == port && t.arriving()) {
                boolean before = t.ownsNva;
                tsm.nva(t, Effect.EntryState.FORWARDING);
                events.accept(new NnveEvent.FirstFrame(port, t.peer.station, id.toString(), t.vap.vn.key(),
                        t.ownsNva && !before ? "the NVA entries taken from the instance on port " + t.arrivedFrom
                                : t.ownsNva ? "the NVA entries forward from here" : "the NVA entries stay with the"
                                + " source until the commit"));
                return t.ownsNva;
            }
        }
        return false;
    }

    /** De-associates every instance of a TSI and tells its end device (REQ-9). Returns how many. */
    public int deassociate(VsiId id, String reason) {
        return initiative.deassociate(id, reason);
    }

    /**
     * Deactivates every activated instance of a TSI (REQ-9): Activated to Associated, told to the end
     * device with the deactivate extension. A standard peer cannot be told, so its TSI is
     * de-associated instead (and it learns that). Returns how many instances changed.
     */
    public int deactivate(VsiId id, String reason) {
        return initiative.deactivate(id, reason);
    }

    /**
     * Deactivates some addresses of every activated instance of a TSI (REQ-9), told to the end device
     * with the deactivate extension (PARTIAL, the addresses in address TLVs). Where every address would
     * be deactivated, or the end device is a standard peer, this is {@link #deactivate(VsiId, String)}.
     */
    public int deactivate(VsiId id, List<TsiAddress> addresses, String reason) {
        return initiative.deactivate(id, addresses, reason);
    }

    /**
     * SEC-5, the operator's release: the explicit VN connections of an end device behind {@code port}
     * (every end device there when {@code station} is null) are dropped, each told with VN connect
     * DISCONNECTED where it has the extension; a VN that then has no TSI and no other explicit peer on
     * its scope is disconnected and its local tags return to the pool. TSIs are left alone (de-associate
     * them by name). Returns how many local tags returned to the pool.
     */
    public int releaseTags(int port, MacAddress station, String reason) {
        return initiative.releaseTags(port, station, reason);
    }

    /**
     * Disconnects a VN everywhere (REQ-6): every TSI of the VN is de-associated, every end device that
     * knows the VN is told (VN connect DISCONNECTED where it has the extension), every tag returns.
     */
    public int disconnectVn(VnKey vn, String reason) {
        return initiative.disconnectVn(vn, reason);
    }

    /**
     * How long VDP PDUs are held at most while the authority is not {@link Authority#ready} (an NVA's replica before its
     * client's first list: about 1 s after the start for an NVA daemon over loopback, milliseconds for one in the
     * process): 5 s. After that they are taken as they are (a VN unknown then is refused, "the NVA is unreachable",
     * NVA-5).
     */
    public static final long HOLD_NANOS = 5_000_000_000L;
    /** At most this many PDUs are held; one more is taken at once, with every one held before it. */
    static final int HOLD_MAX = 65_536;
    /** VDP PDUs held, in the order they came (ECP acknowledged them: their end devices wait for the answers). */
    private final java.util.ArrayDeque<HeldPdu> held = new java.util.ArrayDeque<>();
    /** Until when PDUs are held, from the first one held. */
    private long holdUntil = Long.MIN_VALUE;

    private record HeldPdu(Peer peer, VdpPdu pdu) {
    }

    /**
     * Peer's ECP listener: a VDP PDU of {@code p} arrived. Held while the authority is not ready: answered then, its
     * requests would be refused for what the authority does not know yet (the end device not authorised, the VN
     * unknown), and a tNVE re-announcing its TSIs to this nNVE just after its restart would lose them for good (issue
     * 14's stress run: HypervisorDataplaneNetnsTest's restarted nNVE refused hv1's vm1 this way, 15 ms before its
     * embedded NVA's first list).
     */
    void receive(Peer p, VdpPdu pdu) {
        if (held.isEmpty() && authority.ready()) {
            sessions.receive(p, pdu);
            return;
        }
        long now = clock.nanos();
        if (held.isEmpty()) {
            holdUntil = now + HOLD_NANOS;
        }
        p.lastHeard = now; // heard: not an idle peer to drop while its PDUs wait
        held.add(new HeldPdu(p, pdu));
        if (held.size() > HOLD_MAX) {
            releaseHeld();
        }
    }

    /** Takes the held PDUs, in order, once the authority is ready or the hold's time is up. */
    private void releaseHeld(long now) {
        if (!held.isEmpty() && (authority.ready() || now - holdUntil >= 0)) {
            releaseHeld();
        }
    }

    private void releaseHeld() {
        events.accept(new NnveEvent.Held(held.size(), authority.ready() ? "the NVA's replica is loaded"
                : "the NVA's replica is not loaded after " + HOLD_NANOS / 1_000_000 + " ms: taken as it is"));
        while (!held.isEmpty()) {
            HeldPdu h = held.poll();
            sessions.receive(h.peer(), h.pdu());
        }
    }

    /** Peer's ECP listener: ECP gave up on {@code tokens}. */
    void transmitError(Peer p, List<Object> tokens) {
        sessions.transmitError(p, tokens);
    }

    void delivered(Peer p, List<Object> tokens) {
        sessions.delivered(p, tokens, clock.nanos());
    }
}
