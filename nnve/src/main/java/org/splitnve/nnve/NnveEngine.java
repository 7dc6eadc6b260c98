package org.splitnve.nnve;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.SessionIdentity;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.auth.FrameAuthenticator;
import org.splitnve.protocol.ecp.EcpEndpoint;
import org.splitnve.protocol.ecp.EcpProfile;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.vdp.CapabilityTlv;
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
 * The External NVE: the VDP bridge side of RFC 8394 section 3, as a deterministic engine. Frames
 * and time in; frames, {@link Effect}s and events out. Single-threaded.
 *
 * <p>Peers are (port, station MAC) pairs. One VAP per (port scope, VN) holds the VN's local tag;
 * one TSI state machine per (TSI, port, station, VN) goes Init / Associated / Activated. VDP's
 * Pre-Associate-RR is RFC 8394's Associate, VDP's Associate its Activate, and Pre-Associate-RR with
 * the deactivate extension its Deactivate.
 */
public final class NnveEngine implements PortAgent {
    /** Detail codes of {@link ReasonDetailTlv} (SM-REASON). */
    public static final int DETAIL_POLICY = 1;
    public static final int DETAIL_TAG = 2;
    public static final int DETAIL_LIMIT = 3;
    public static final int DETAIL_STATE = 4;
    public static final int DETAIL_FORMAT = 5;
    public static final int DETAIL_ADMIN = 6;
    /** OPS-6: a MAC another TSI of the VN holds on this nNVE. */
    public static final int DETAIL_DUPLICATE_MAC = 7;

    private static final int NO_GROUP = -1;

    private final NnveConfig config;
    private final Clock clock;
    private final PortIo io;
    private final Authority authority;
    private final Consumer<Effect> effects;
    private final EventSink events;
    private final FrameCodec codec;
    private final Scope[] scopeOfPort;
    private final Map<String, Scope> scopes = new HashMap<>();
    private final Map<Long, Peer> peers = new HashMap<>();
    private final HashMap<VsiId, Tsi> instances = new HashMap<>();
    /** OPS-6: which TSI holds each MAC of a VN here, kept on add, remove and address change (O(1) checks). */
    private final HashMap<MacInVn, MacHolder> macOwners = new HashMap<>();
    private final CapabilityTlv ownCapabilities;
    private final int epoch;
    private final Bytes nonce;
    private final long[] tsisInState = new long[TsiState.values().length];
    /**
     * SEC-10: EVB timers stations announced in LLDP before they spoke VDP, per (port, station), the most
     * recent {@value #MAX_ANNOUNCED} only (a flood of LLDPDUs from made-up sources cannot grow it).
     */
    private final Map<Long, Timers> announcedTimers = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Timers> eldest) {
            return size() > MAX_ANNOUNCED;
        }
    };
    private static final int MAX_ANNOUNCED = 256;
    /** SEC-5: address fragment octets staged by the end devices behind each port. */
    private final long[] stagedOctetsOfPort;
    /** SEC-5: local tags reserved on behalf of each end device (by key) and of each port's end devices. */
    private final Map<Long, Integer> tagsOfPeer = new HashMap<>();
    private final int[] tagsOfPort;
    /** SEC-5: requests dropped because answers wait unacknowledged, logged one line per peer per interval. */
    private final org.splitnve.protocol.event.Throttle droppedLog =
            new org.splitnve.protocol.event.Throttle(10_000_000_000L, 1024);
    /** The Manager ID of the ECPDU being processed: a new TSI remembers it for the nNVE's own requests. */
    private ManagerId requestManager;

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

    public long tsisIn(TsiState state) {
        return tsisInState[state.ordinal()];
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
            MacAddress src = len >= 12 ? new MacAddress(mac(buf, off + 6)) : MacAddress.ZERO;
            events.accept(new NnveEvent.BadInput(port, src, e.error().name(), e.getMessage()));
            return;
        }
        switch (frame) {
            case Frame.Vdp v -> {
                if (!addressedToUs(port, v.ethernet().destination())) {
                    return;
                }
                Peer p = peer(port, v.ethernet().source());
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
                    Peer p = peers.get(key(port, src));
                    if (p != null) {
                        p.announced = announced;
                        p.ecp.setTimers(config.timers().negotiate(announced));
                    } else {
                        announcedTimers.put(key(port, src), announced);
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
        for (org.splitnve.protocol.event.Throttle.Summary s : droppedLog.due(now)) {
            long k = s.key();
            boolean others = k == org.splitnve.protocol.event.Throttle.OVERFLOW_KEY;
            events.accept(new NnveEvent.Refused(others ? -1 : (int) (k >>> 48), others ? MacAddress.ZERO
                    : new MacAddress(k & 0xFFFF_FFFF_FFFFL), "requests", "-", 2, s.suppressed() + " more requests dropped "
                    + "unprocessed in " + s.sinceNanos() / 1_000_000 + " ms: answers waited unacknowledged"));
        }
        for (Peer p : List.copyOf(peers.values())) {
            p.ecp.onTimer(now);
            expire(p, now);
        }
    }

    /**
     * REL-3: a station holds state here when it has TSIs, VN connections it asked for or a session: the
     * transport serves its frames before those of sources it does not know (a flood from made-up MACs).
     */
    @Override
    public boolean established(int port, MacAddress station) {
        Peer p = peers.get(key(port, station));
        return p != null && (p.tsiCount > 0 || !p.explicitVaps.isEmpty() || p.epoch != 0);
    }

    @Override
    public long nextDeadline() {
        long next = droppedLog.nextDeadline();
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
            next = Math.min(next, p.stagedDeadline);
            if (p.tsiCount == 0 && p.explicitVaps.isEmpty()) {
                next = Math.min(next, p.lastHeard + timeout); // an idle peer is dropped then (SEC-5)
            }
        }
        return next;
    }

    private boolean addressedToUs(int port, MacAddress dst) {
        return dst.equals(MacAddress.NEAREST_CUSTOMER_BRIDGE) || dst.equals(io.mac(port))
                || dst.equals(config.ports().get(port).multicast());
    }

    private static long key(int port, MacAddress station) {
        return ((long) port << 48) | station.value();
    }

    private static long mac(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    private Peer peer(int port, MacAddress station) {
        Peer p = peers.get(key(port, station));
        if (p != null) {
            return p;
        }
        if (!station.isValidUnicast()) {
            events.accept(new NnveEvent.BadInput(port, station, "INVALID_SOURCE", "source MAC is not a unicast address"));
            return null;
        }
        Authority.Decision d = authority.authoriseEndDevice(port, station);
        if (!d.allowed()) {
            events.accept(new NnveEvent.Refused(port, station, "end device", "-", d.reasonCode(), d.detail()));
            return null;
        }
        p = new Peer(port, station, this);
        p.announced = announcedTimers.remove(key(port, station));
        Timers timers = p.announced != null ? config.timers().negotiate(p.announced) : config.timers();
        Peer fp = p;
        p.ecp = new EcpEndpoint(io.mac(port), station, station, codec, config.managerId(), EcpProfile.STANDARD, timers,
                clock, events, (bytes, len) -> io.send(port, bytes, len), p, () -> header(fp));
        p.ecp.setQueueLimit(config.limits().responsesPerPeer()); // SEC-5
        FrameAuthenticator auth = config.authenticators().apply(port, station);
        if (auth != null) {
            // REQ-11: every frame of this end device must authenticate; nothing it sends counts before.
            p.ecp.setAuthenticator(auth);
            p.auth = auth;
        }
        p.lastHeard = clock.nanos();
        peers.put(key(port, station), p);
        events.accept(new NnveEvent.PeerUp(port, station, false, p.authenticated));
        return p;
    }

    private List<OrgTlv> header(Peer p) {
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
    private static boolean awaitsAuthentication(Peer p) {
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
            if (first) {
                p.capabilitySent = false;
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
            events.accept(new NnveEvent.Refused(p.port, p.station, "items", "-", 4,
                    pdu.items().size() + " items from an end device that has not authenticated"));
            return;
        }
        ManagerId manager = pdu.managerId() != null ? pdu.managerId() : config.managerId();
        requestManager = manager;
        for (VdpItem item : pdu.items()) {
            VdpItem response = switch (item) {
                case VsiTlv v -> v.isResponse() ? null : vsi(p, manager, v, now);
                case VnConnectTlv c -> c.status() instanceof VsiStatus.Response ? null : vnConnect(p, c);
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

    private void session(Peer p, SessionTlv s, long now) {
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
        p.epoch = s.epoch();
        if (s.has(SessionTlv.KEEPALIVE)) {
            p.lastHeard = now;
        }
    }

    /** An item the nNVE sends, and how many times ECP gave up on it so far. */
    record Outgoing(VdpItem item, int attempts, ManagerId manager) {
    }

    static final int SEND_ATTEMPTS = 3;

    private void send(Peer p, VdpItem item) {
        send(p, item, null);
    }

    /** Sends an item with {@code manager}'s Manager ID (a response: its request's), null for the nNVE's own. */
    private void send(Peer p, VdpItem item, ManagerId manager) {
        p.ecp.submit(item, new Outgoing(item, 1, manager), manager);
    }

    /**
     * ECP gave up: the station may still be there (frames lost), so the items go again, a few times;
     * if it is gone, its keep-alive timer releases its TSIs.
     */
    void transmitError(Peer p, List<Object> tokens) {
        for (Object t : tokens) {
            if (t instanceof Outgoing o && o.attempts < SEND_ATTEMPTS && peers.get(key(p.port, p.station)) == p) {
                p.ecp.submit(o.item, new Outgoing(o.item, o.attempts + 1, o.manager), o.manager);
            }
        }
    }

    // ------------------------------------------------------------------ VSI requests

    private record Refusal(int code, int detail, String text) {
    }

    private VsiTlv refuse(Peer p, VsiTlv req, Refusal r) {
        events.accept(new NnveEvent.Refused(p.port, p.station, req.mode().name(), req.vsiId().toString(), r.code, r.text));
        List<OrgTlv> attached = p.has(Feature.REASON_DETAIL) ? List.of(new ReasonDetailTlv(r.detail, clip(r.text)))
                : List.of();
        return new VsiTlv(req.mode(), VsiStatus.Response.refused(ReasonCode.of(r.code)), req.typeId(), req.typeVersion(),
                req.vsiId(), req.filter(), attached);
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    /**
     * One VSI request's answer. An answer to a VSI TLV that carried TSI address fragments echoes the last of
     * them (operation, transaction, fragment index, LAST flag; no addresses): the end device tells the answer
     * to its change's LAST fragment, which alone says whether the change was applied, from the answers to the
     * fragments before it, and an answer to a fragment sent again from an answer to the request waiting now
     * (docs/protocol.md 5.4).
     */
    private VsiTlv vsi(Peer p, ManagerId manager, VsiTlv req, long now) {
        VsiTlv answer = vsiAnswer(p, manager, req, now);
        if (answer == null || !p.has(Feature.TSI_ADDRESSES)) {
            return answer;
        }
        TsiAddressTlv lastFragment = null;
        for (OrgTlv o : req.attached()) {
            if (o instanceof TsiAddressTlv a) {
                lastFragment = a;
            }
        }
        if (lastFragment == null) {
            return answer;
        }
        List<OrgTlv> attached = new ArrayList<>(answer.attached().size() + 1);
        attached.addAll(answer.attached());
        attached.add(new TsiAddressTlv(lastFragment.operation(), lastFragment.transaction(), lastFragment.fragment(),
                lastFragment.last(), List.of()));
        return new VsiTlv(answer.mode(), answer.status(), answer.typeId(), answer.typeVersion(), answer.vsiId(),
                answer.filter(), attached);
    }

    private VsiTlv vsiAnswer(Peer p, ManagerId manager, VsiTlv req, long now) {
        if (responsesBlocked(p, "VSI " + req.mode() + " " + req.vsiId())) {
            return null;
        }
        Filter f = req.filter();
        long group = NO_GROUP;
        int vid = 0;
        for (FilterEntry e : f.entries()) {
            if (f.format().hasGroup()) {
                if (group != NO_GROUP && group != e.groupIdUnsigned()) {
                    return refuse(p, req, new Refusal(1, DETAIL_FORMAT, "one VSI TLV names one VN (GroupID)"));
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
            return refuse(p, req, new Refusal(r.decision().reasonCode(), DETAIL_POLICY, r.decision().detail()));
        }
        Vn vn = r.vn();
        Tsi t = find(req.vsiId(), p, vn.key());

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
                    release(t, "de-associate");
                }
                yield success(req, req.filter(), List.of());
            }
            case PRE_ASSOCIATE -> {
                Authority.TsiGrant g = authority.authoriseTsi(p.port, p.station, req.vsiId(), vn, filterMacs(f));
                yield g.decision().allowed() ? success(req, req.filter(), List.of())
                        : refuse(p, req, new Refusal(g.decision().reasonCode(), DETAIL_POLICY, g.decision().detail()));
            }
            case PRE_ASSOCIATE_RR -> {
                DeactivateTlv d = req.attached(DeactivateTlv.class);
                if (d != null && d.partial() && p.has(Feature.DEACTIVATE) && t != null && t.state == TsiState.ACTIVATED) {
                    yield partial(p, req, t, named(req, change), true, d, now);
                }
                if (d != null && p.has(Feature.DEACTIVATE)) {
                    if (t != null && t.state == TsiState.ASSOCIATED) {
                        p.touch(t, now);
                        yield success(req, t.filter, List.of()); // already deactivated: a repeated request
                    }
                    if (t == null || t.state != TsiState.ACTIVATED) {
                        yield refuse(p, req, new Refusal(4, DETAIL_STATE, "deactivate: the TSI is not activated"));
                    }
                    p.touch(t, now);
                    transition(t, TsiState.ASSOCIATED, "deactivate (" + d.cause() + ")");
                    yield success(req, t.filter, List.of());
                }
                if (t != null && t.state == TsiState.ACTIVATED) {
                    yield refuse(p, req, new Refusal(4, DETAIL_STATE,
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
    private Refusal stage(Peer p, VsiId id, List<TsiAddressTlv> fragments, long now) {
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
                return new Refusal(2, DETAIL_LIMIT, over);
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
    private StagedChange unstage(Peer p, VsiId id) {
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
    private void expireStaged(Peer p, long now) {
        if (p.stagedDeadline > now) {
            return;
        }
        long timeout = p.ecp.timers().bridgeKeepAliveTimeoutNanos();
        long next = Long.MAX_VALUE;
        for (VsiId id : List.copyOf(p.fragments.keySet())) {
            StagedChange st = p.fragments.get(id);
            if (st.since + timeout <= now) {
                unstage(p, id);
                events.accept(new NnveEvent.Refused(p.port, p.station, "address change", id.toString(), 4,
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
    private boolean responsesBlocked(Peer p, String what) {
        if (!p.ecp.full()) {
            return false;
        }
        p.dropped++;
        if (droppedLog.admit(key(p.port, p.station), clock.nanos())) {
            // The first is logged; the rest one summary line per peer per interval: a flood cannot fill the log.
            events.accept(new NnveEvent.Refused(p.port, p.station, what, "-", 2, p.ecp.queued()
                    + " answers wait unacknowledged (at most " + config.limits().responsesPerPeer()
                    + "): requests dropped unprocessed until they drain"));
        }
        return true;
    }

    /**
     * The addresses a partial (de)activation names: those of its address TLVs if it carries any (their
     * operation does not matter), else the MACs of its filter.
     */
    private static List<TsiAddress> named(VsiTlv req, List<TsiAddressTlv> change) {
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
    private VsiTlv partial(Peer p, VsiTlv req, Tsi t, List<TsiAddress> named, boolean deactivate, DeactivateTlv d,
            long now) {
        if (named == null || named.isEmpty()) {
            return refuse(p, req, new Refusal(1, DETAIL_FORMAT, "a partial (de)activation names no address"));
        }
        Set<TsiAddress> own = new java.util.HashSet<>(t.addresses); // SEC-6: linear, not addresses x named
        for (TsiAddress a : named) {
            if (!own.contains(a)) {
                return refuse(p, req, new Refusal(1, DETAIL_FORMAT, a + " is not an address of the TSI"));
            }
        }
        p.touch(t, now);
        LinkedHashSet<TsiAddress> nextSet = new LinkedHashSet<>(t.held);
        if (deactivate) {
            nextSet.addAll(named);
        } else {
            nextSet.removeAll(new java.util.HashSet<>(named));
        }
        List<TsiAddress> next = new ArrayList<>(nextSet);
        if (nextSet.containsAll(t.addresses)) {
            transition(t, TsiState.ASSOCIATED, "deactivate (" + d.cause() + ", every address)");
        } else {
            hold(t, next, deactivate ? "DEACTIVATE" : "ACTIVATE");
        }
        return success(req, t.filter, List.of());
    }

    /** Sets which addresses of an activated TSI are deactivated, with the NVA and ACL effects. */
    private void hold(Tsi t, List<TsiAddress> next, String op) {
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

    private VsiTlv success(VsiTlv req, Filter filter, List<OrgTlv> attached) {
        return new VsiTlv(req.mode(), VsiStatus.Response.SUCCESS, req.typeId(), req.typeVersion(), req.vsiId(), filter,
                attached);
    }

    /** The filter's MACs as addresses, in a list the caller may change (an address change is applied to it). */
    private static List<TsiAddress> filterMacs(Filter f) {
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

    private VsiTlv associate(Peer p, VsiTlv req, Vn vn, Tsi t, TsiState target, List<TsiAddressTlv> change, long now) {
        Scope scope = scopeOfPort[p.port];
        List<TsiAddress> addresses;
        List<Parameter> parameters = List.of();
        if (t == null) {
            if (p.tsiCount >= config.limits().tsisPerPeer()) {
                return refuse(p, req, new Refusal(2, DETAIL_LIMIT, "this end device holds its limit of "
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
                return refuse(p, req, new Refusal(g.decision().reasonCode(), DETAIL_POLICY, g.decision().detail()));
            }
            addresses = g.addresses() != null ? g.addresses() : requested;
            parameters = g.addresses() != null ? g.parameters() : asked(p, req, g.parameters());
            if (addresses.size() > config.limits().addressesPerTsi()) {
                return refuse(p, req, new Refusal(2, DETAIL_LIMIT, addresses.size() + " addresses, at most "
                        + config.limits().addressesPerTsi()));
            }
            Refusal duplicate = duplicateMac(req.vsiId(), vn.key(), addresses);
            if (duplicate != null) {
                return refuse(p, req, duplicate);
            }
            Vap vap = scope.vaps.get(vn.key());
            if ((vap == null || !p.uses(vap)) && p.vnCount() >= config.limits().vnsPerPeer()) {
                return refuse(p, req, new Refusal(2, DETAIL_LIMIT, "this end device uses its limit of "
                        + config.limits().vnsPerPeer() + " VNs"));
            }
            int wanted = firstConcreteVid(req.filter());
            Refusal tagProblem;
            if (vap == null || vap.state == Vap.State.VN_DISCONNECTED) {
                vap = vap == null ? new Vap(scope, vn) : vap;
                tagProblem = connect(p, vap, wanted);
                if (tagProblem != null) {
                    return refuse(p, req, tagProblem);
                }
            }
            tagProblem = checkTags(vap, req.filter());
            if (tagProblem != null) {
                if (vap.tsiAssociated == 0 && vap.explicit.isEmpty()) {
                    disconnect(vap, "no TSI");
                }
                return refuse(p, req, tagProblem);
            }
            t = new Tsi(req.vsiId(), p, vap);
            t.typeId = req.typeId();
            t.manager = requestManager;
            t.typeVersion = req.typeVersion();
            t.filter = resolveTags(req.filter(), vap);
            t.addresses = List.copyOf(addresses);
            t.parameters = parameters;
            noteMigration(t, req);
            add(t);
            p.touch(t, now);
            transition(t, target, req.mode() == VsiMode.ASSOCIATE ? "activate" : "associate");
        } else {
            Refusal tagProblem = checkTags(t.vap, req.filter());
            if (tagProblem != null) {
                return refuse(p, req, tagProblem);
            }
            p.touch(t, now);
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
                return refuse(p, req, new Refusal(2, DETAIL_LIMIT, next.size() + " addresses, at most "
                        + config.limits().addressesPerTsi()));
            }
            if (changed && !next.equals(t.addresses)) {
                // SEC-2, ID-4: the NVA authorises the resulting addresses as it did the first ones (on a
                // validated VN only what its record holds; the VN's service still met).
                Authority.TsiGrant g = authority.authoriseTsi(p.port, p.station, req.vsiId(), t.vap.vn, next);
                if (!g.decision().allowed()) {
                    return refuse(p, req, new Refusal(g.decision().reasonCode(), DETAIL_POLICY, g.decision().detail()));
                }
                List<TsiAddress> granted = g.addresses() != null ? g.addresses() : next;
                Refusal duplicate = duplicateMac(t.id, t.vap.vn.key(), granted);
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
                transition(t, TsiState.ACTIVATED, "activate");
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
    private static List<Parameter> asked(Peer p, VsiTlv req, List<Parameter> granted) {
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
    private Refusal applyChange(List<TsiAddress> addresses, List<TsiAddressTlv> change, List<TsiAddress> filterMacs) {
        List<TsiAddress> delta;
        try {
            delta = TsiAddressTlv.join(change);
        } catch (IllegalArgumentException e) {
            return new Refusal(1, DETAIL_FORMAT, "address fragments: " + e.getMessage());
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
                return new Refusal(2, DETAIL_LIMIT, "at least " + (max + 1) + " addresses, at most " + max);
            }
        }
        if (next.size() > max) {
            return new Refusal(2, DETAIL_LIMIT, next.size() + " addresses, at most " + max);
        }
        addresses.clear();
        addresses.addAll(next);
        return null;
    }

    private void updateAddresses(Tsi t, List<TsiAddress> next, String op) {
        unindexMacs(t);
        t.addresses = List.copyOf(next);
        indexMacs(t);
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

    private void noteMigration(Tsi t, VsiTlv req) {
        MigrationTlv m = req.attached(MigrationTlv.class);
        if (m != null && m.indication() == MigrationTlv.Indication.ARRIVAL) {
            t.arrival = m.migrationId();
        } else if (req.status() instanceof VsiStatus.Request r && r.migratingTo()) {
            t.arrivalHinted = true;
        }
    }

    private static int firstConcreteVid(Filter f) {
        for (FilterEntry e : f.entries()) {
            if (!e.isNullVid()) {
                return e.vid();
            }
        }
        return 0;
    }

    private Refusal checkTags(Vap vap, Filter f) {
        for (FilterEntry e : f.entries()) {
            if (!e.isNullVid() && !vap.tags.contains(e.vid())) {
                VnKey owner = vap.scope.tags.owner(e.vid());
                return new Refusal(5, DETAIL_TAG, "VID " + e.vid() + (owner != null ? " is the tag of " + owner
                        : " is not a tag of " + vap.vn.key()) + " on this port (" + vap.vn.key() + " uses " + vap.tag() + ")");
            }
        }
        return null;
    }

    private static Filter resolveTags(Filter f, Vap vap) {
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

    // ------------------------------------------------------------------ VAPs (SM-VAP-1..3)

    /**
     * SEC-5: whether {@code p} may make the nNVE reserve {@code n} more local tags: its own quota and that
     * of its port. Checked before anything is reserved.
     */
    private Refusal tagQuota(Peer p, int n) {
        NnveConfig.Limits l = config.limits();
        int mine = tagsOfPeer.getOrDefault(key(p.port, p.station), 0);
        if (mine + n > l.tagsPerPeer()) {
            return new Refusal(2, DETAIL_LIMIT, "this end device holds " + mine + " local tags, at most " + l.tagsPerPeer());
        }
        if (tagsOfPort[p.port] + n > l.tagsPerPort()) {
            return new Refusal(2, DETAIL_LIMIT, "the end devices on this port hold " + tagsOfPort[p.port]
                    + " local tags, at most " + l.tagsPerPort());
        }
        return null;
    }

    private void charge(Peer p, Vap vap, int tag) {
        long k = key(p.port, p.station);
        vap.chargedTo.put(tag, k);
        tagsOfPeer.merge(k, 1, Integer::sum);
        tagsOfPort[p.port]++;
    }

    private void uncharge(Vap vap, int tag) {
        Long k = vap.chargedTo.remove(tag);
        if (k != null) {
            if (tagsOfPeer.merge(k, -1, Integer::sum) <= 0) {
                tagsOfPeer.remove(k);
            }
            tagsOfPort[(int) (k >>> 48)]--;
        }
    }

    /** The local tags reserved on behalf of an end device (SEC-5). */
    public int tagsHeldBy(int port, MacAddress station) {
        return tagsOfPeer.getOrDefault(key(port, station), 0);
    }

    /**
     * VN_Connect: binds a tag (the one asked for, or the lowest free), tells the NVA (SM-VAP-2); the tag
     * is charged to {@code p}, whose quota is checked first (SEC-5).
     */
    private Refusal connect(Peer p, Vap vap, int wanted) {
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
                    return new Refusal(5, DETAIL_TAG, "VID " + wanted + " is the tag of " + pool.owner(wanted) + " on this port");
                }
                case NOT_IN_POOL -> {
                    return new Refusal(5, DETAIL_TAG, "VID " + wanted + " is not in this port's tag pool");
                }
                default -> {
                    return new Refusal(2, DETAIL_TAG, "no local tag left");
                }
            }
        } else {
            tag = pool.allocate(vap.vn.key());
            if (tag < 0) {
                return new Refusal(2, DETAIL_TAG, "no local tag left on this port scope (" + pool.size() + " in the pool)");
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
    private void disconnect(Vap vap, String cause) {
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

    private VnConnectTlv vnConnect(Peer p, VnConnectTlv c) {
        if (!p.has(Feature.VN_CONNECT)) {
            return null;
        }
        if (responsesBlocked(p, "VN " + c.operation() + " " + c.vn())) {
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
                    return vnRefuse(p, c, 2, "this end device uses its limit of " + config.limits().vnsPerPeer() + " VNs");
                }
                if (vap != null && wanted > 0 && !vap.tags.contains(wanted)) {
                    return vnRefuse(p, c, 5, r.vn().key() + " uses tag " + vap.tag() + " on this port, not " + wanted);
                }
                LinkedHashSet<Integer> extras = new LinkedHashSet<>();
                for (int i = 1; i < c.localTags().size(); i++) {
                    int extra = c.localTags().get(i);
                    if (extra <= 0 || extra == wanted || (vap != null && vap.tags.contains(extra))) {
                        continue;
                    }
                    VnKey owner = scope.tags.owner(extra);
                    if (!scope.tags.contains(extra) || (owner != null && !owner.equals(r.vn().key()))) {
                        return vnRefuse(p, c, 5, "VID " + extra + " cannot be a tag of " + r.vn().key()
                                + (owner != null ? " (it is the tag of " + owner + ")" : " (not in this port's tag pool)"));
                    }
                    extras.add(extra);
                }
                int held = vap == null ? 0 : vap.tags.size();
                int more = (vap == null ? 1 : 0) + extras.size();
                if (held + more > VnConnectTlv.MAX_TAGS) {
                    return vnRefuse(p, c, 2, "a VN has at most " + VnConnectTlv.MAX_TAGS + " local tags on a port scope ("
                            + held + " held, " + more + " more asked)");
                }
                Refusal quota = tagQuota(p, more);
                if (quota != null) {
                    return vnRefuse(p, c, quota.code, quota.text);
                }
                if (vap == null) {
                    vap = new Vap(scope, r.vn());
                    Refusal bad = connect(p, vap, wanted);
                    if (bad != null) {
                        return vnRefuse(p, c, bad.code, bad.text);
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
                return vnRefuse(p, c, 1, "DISCONNECTED is sent by the nNVE only");
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

    private VnConnectTlv vnRefuse(Peer p, VnConnectTlv c, int code, String detail) {
        events.accept(new NnveEvent.Refused(p.port, p.station, "VN " + c.operation(), c.vn().toString(), code, detail));
        List<OrgTlv> attached = p.has(Feature.REASON_DETAIL) ? List.of(new ReasonDetailTlv(DETAIL_TAG, clip(detail)))
                : List.of();
        return new VnConnectTlv(VsiStatus.Response.refused(ReasonCode.of(code)), c.operation(), c.vn(), List.of(), attached);
    }

    // ------------------------------------------------------------------ TSI state machine (SM-TSI-1..7)

    private Tsi find(VsiId id, Peer p, VnKey vn) {
        for (Tsi t = instances.get(id); t != null; t = t.nextInstance) {
            if (t.peer == p && t.vap.vn.key().equals(vn)) {
                return t;
            }
        }
        return null;
    }

    private void add(Tsi t) {
        Tsi head = instances.get(t.id);
        if (head != null) {
            t.nextInstance = head.nextInstance;
            head.nextInstance = t;
        } else {
            instances.put(t.id, t);
        }
        t.peer.tsiCount++;
        t.peer.vapUse.merge(t.vap, 1, Integer::sum);
        indexMacs(t);
    }

    private void remove(Tsi t) {
        Tsi head = instances.get(t.id);
        if (head == t) {
            if (t.nextInstance != null) {
                instances.put(t.id, t.nextInstance);
            } else {
                instances.remove(t.id);
            }
        } else {
            for (Tsi x = head; x != null; x = x.nextInstance) {
                if (x.nextInstance == t) {
                    x.nextInstance = t.nextInstance;
                    break;
                }
            }
        }
        t.nextInstance = null;
        unindexMacs(t);
        t.peer.unlink(t);
        t.peer.tsiCount--;
        if (t.peer.vapUse.merge(t.vap, -1, Integer::sum) == 0) {
            t.peer.vapUse.remove(t.vap);
        }
    }

    // ------------------------------------------------------------------ one MAC, one TSI per VN (OPS-6)

    /** A MAC in a VN: the key of {@link #macOwners}. */
    private record MacInVn(VnKey vn, MacAddress mac) {
    }

    /** The TSI holding a MAC in a VN, and how many of its instances do (several during a move, SM-TSI-7). */
    private static final class MacHolder {
        final VsiId tsi;
        int instances;

        MacHolder(VsiId tsi) {
            this.tsi = tsi;
        }
    }

    /** The VN a MAC entry belongs to: its own GroupID if it names one, else the TSI's VN. */
    private static MacInVn macKey(VnKey tsiVn, TsiAddress a) {
        VnKey vn = a.groupId() == null ? tsiVn : new VnKey.Id(Integer.toUnsignedLong(a.groupId()));
        return new MacInVn(vn, a.mac());
    }

    /**
     * OPS-6: the refusal when a MAC of {@code addresses} is held by another TSI of the same VN on this nNVE (any
     * port, any end device), else null. The same TSI ID is no conflict: its instances on two ports or behind two
     * stations are the TSI moving (SM-TSI-7, a migration arrival) or multi-homed (REQ-4).
     */
    private Refusal duplicateMac(VsiId id, VnKey vn, List<TsiAddress> addresses) {
        for (TsiAddress a : addresses) {
            if (a.ip() != null) {
                continue;
            }
            MacInVn k = macKey(vn, a);
            MacHolder h = macOwners.get(k);
            if (h != null && !h.tsi.equals(id)) {
                return new Refusal(ReasonCode.INVALID_VID_GROUP_OR_MAC.value(), DETAIL_DUPLICATE_MAC, "MAC " + a.mac()
                        + " is an address of TSI " + h.tsi + " in " + k.vn() + " (one MAC, one TSI per VN; OPS-6)");
            }
        }
        return null;
    }

    private void indexMacs(Tsi t) {
        VnKey vn = t.vap.vn.key();
        for (TsiAddress a : t.addresses) {
            if (a.ip() == null) {
                MacHolder h = macOwners.computeIfAbsent(macKey(vn, a), k -> new MacHolder(t.id));
                if (h.tsi.equals(t.id)) {
                    h.instances++;
                }
            }
        }
    }

    private void unindexMacs(Tsi t) {
        VnKey vn = t.vap.vn.key();
        for (TsiAddress a : t.addresses) {
            if (a.ip() == null) {
                MacInVn k = macKey(vn, a);
                MacHolder h = macOwners.get(k);
                if (h != null && h.tsi.equals(t.id) && --h.instances == 0) {
                    macOwners.remove(k);
                }
            }
        }
    }

    /** Moves a TSI instance to a new state with every effect RFC 8394 section 3 gives the transition. */
    private void transition(Tsi t, TsiState to, String cause) {
        TsiState from = t.state;
        if (from == to) {
            return;
        }
        Effect.Instance inst = t.instance();
        int tag = t.vap.tag();
        if (from == TsiState.INIT) {
            reserve(t);
            effects.accept(new Effect.Acl(inst, t.addresses, tag, Effect.AclState.CREATED_DISABLED));
        }
        t.state = to;
        t.held = List.of(); // a whole-TSI change ends a partial deactivation (the NVA does the same)
        if (from != TsiState.INIT) {
            tsisInState[from.ordinal()]--;
        }
        if (to != TsiState.INIT) {
            tsisInState[to.ordinal()]++;
        }
        digest(t, from, to);
        switch (to) {
            case ASSOCIATED -> {
                nva(t, Effect.EntryState.MAPPING);
                if (from == TsiState.ACTIVATED) {
                    effects.accept(new Effect.Acl(inst, t.addresses, tag, Effect.AclState.DISABLED));
                }
            }
            case ACTIVATED -> {
                nva(t, Effect.EntryState.FORWARDING);
                effects.accept(new Effect.Acl(inst, t.addresses, tag, Effect.AclState.ENABLED));
                if (t.arrival != null || t.arrivalHinted) {
                    effects.accept(new Effect.Relearn(inst, tag));
                    events.accept(new NnveEvent.MigrationArrival(t.peer.port, t.id.toString(),
                            t.arrival == null ? "" : t.arrival.toString(), instances(t.id).size() > 1));
                    t.arrival = null;
                    t.arrivalHinted = false;
                }
            }
            case INIT -> {
                nvaRemove(t);
                effects.accept(new Effect.Acl(inst, t.addresses, tag, Effect.AclState.REMOVED));
            }
        }
        events.accept(new NnveEvent.TsiState(t.peer.port, t.peer.station, t.id, t.vap.vn.key(), from, to, cause));
        if (to == TsiState.INIT) {
            unreserve(t);
        }
    }

    private void reserve(Tsi t) {
        Vap vap = t.vap;
        vap.tsiAssociated++;
        int n = vap.perPort.merge(t.peer.port, 1, Integer::sum);
        if (n == 1) {
            effects.accept(new Effect.TagProvision(t.peer.port, vap.vn.key(), vap.tag(), true));
        }
    }

    private void unreserve(Tsi t) {
        Vap vap = t.vap;
        vap.tsiAssociated--;
        int n = vap.perPort.merge(t.peer.port, -1, Integer::sum);
        if (n == 0) {
            vap.perPort.remove(t.peer.port);
            effects.accept(new Effect.TagProvision(t.peer.port, vap.vn.key(), vap.tag(), false));
        }
        if (vap.tsiAssociated == 0 && vap.explicit.isEmpty()) {
            disconnect(vap, "last TSI gone");
        }
    }

    /** SM-TSI-7: only one instance of a TSI holds its NVA entries; activation of another moves them. */
    private void nva(Tsi t, Effect.EntryState state) {
        if (!t.ownsNva) {
            Tsi owner = null;
            for (Tsi x = instances.get(t.id); x != null; x = x.nextInstance) {
                if (x != t && x.ownsNva && x.vap.vn.key().equals(t.vap.vn.key())) {
                    owner = x;
                }
            }
            if (owner != null) {
                if (state != Effect.EntryState.FORWARDING || (t.arrival == null && !t.arrivalHinted)) {
                    // The moving-in instance waits, the NVA keeps pointing at the old one. Only a migration
                    // arrival (REQ-13) takes the entries over: another end device naming the same TSI
                    // (multi-homing, or a hostile claim: SEC-4) does not.
                    return;
                }
                effects.accept(new Effect.NvaMove(owner.instance(), t.instance()));
                owner.ownsNva = false;
            }
            t.ownsNva = true;
        }
        effects.accept(new Effect.NvaEntries(t.instance(), t.addresses, state));
    }

    private void nvaRemove(Tsi t) {
        if (!t.ownsNva) {
            return;
        }
        t.ownsNva = false;
        for (Tsi x = instances.get(t.id); x != null; x = x.nextInstance) {
            if (x != t && x.state != TsiState.INIT && x.vap.vn.key().equals(t.vap.vn.key())) {
                // The other instance takes the entries over: a move, not a remove-then-add.
                effects.accept(new Effect.NvaMove(t.instance(), x.instance()));
                x.ownsNva = true;
                effects.accept(new Effect.NvaEntries(x.instance(), x.addresses, x.state == TsiState.ACTIVATED
                        ? Effect.EntryState.FORWARDING : Effect.EntryState.MAPPING));
                return;
            }
        }
        effects.accept(new Effect.NvaRemove(t.instance()));
    }

    private void digest(Tsi t, TsiState from, TsiState to) {
        Peer p = t.peer;
        p.digest ^= t.digest;
        t.digest = to == TsiState.INIT ? 0 : SessionIdentity.tsiDigest(t.id, to.ordinal());
        p.digest ^= t.digest;
    }


    private void release(Tsi t, String cause) {
        transition(t, TsiState.INIT, cause);
        remove(t);
        unstage(t.peer, t.id);
    }

    // ------------------------------------------------------------------ keep-alive (SM-TIMER)

    private void expire(Peer p, long now) {
        expireStaged(p, now);
        long timeout = p.ecp.timers().bridgeKeepAliveTimeoutNanos();
        if (p.resyncDeadline <= now) {
            p.resyncDeadline = Long.MAX_VALUE;
            for (Tsi t = p.oldest; t != null; ) {
                Tsi next = t.newer;
                if (t.refreshedAt == Long.MIN_VALUE) {
                    notifyDeassociate(t, "not re-announced after the end device restarted");
                    release(t, "resync");
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
                unstage(p, id);
            }
            peers.remove(key(p.port, p.station));
            String why = p.auth != null && !p.authenticated ? "idle, never authenticated" : "idle";
            events.accept(new NnveEvent.PeerLost(p.port, p.station,
                    unsent == 0 ? why : why + ", " + unsent + " unacknowledged answers dropped", 0));
        }
    }

    private static List<Tsi> collect(Peer p) {
        List<Tsi> out = new ArrayList<>(p.tsiCount);
        for (Tsi t = p.oldest; t != null; t = t.newer) {
            out.add(t);
        }
        return out;
    }

    /** SM-TIMER: no refresh in time: Activated falls to Associated, Associated to Init. */
    private void stepDown(Peer p, List<Tsi> tsis) {
        for (Tsi t : tsis) {
            if (t.state == TsiState.ACTIVATED) {
                transition(t, TsiState.ASSOCIATED, "keep-alive timeout");
                if (p.has(Feature.DEACTIVATE)) {
                    send(p, new VsiTlv(VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Request.PLAIN, t.typeId, t.typeVersion, t.id,
                            t.filter, List.of(new DeactivateTlv(false, DeactivateTlv.Cause.KEEPALIVE_TIMEOUT))));
                }
            } else {
                notifyDeassociate(t, "keep-alive timeout");
                release(t, "keep-alive timeout");
            }
        }
        if (p.tsiCount == 0) {
            events.accept(new NnveEvent.PeerLost(p.port, p.station, "keep-alive timeout", tsis.size()));
        }
    }

    private void notifyDeassociate(Tsi t, String why) {
        Peer p = t.peer;
        List<OrgTlv> attached = p.has(Feature.REASON_DETAIL) ? List.of(new ReasonDetailTlv(DETAIL_ADMIN, clip(why)))
                : List.of();
        send(p, new VsiTlv(VsiMode.DE_ASSOCIATE, VsiStatus.Request.PLAIN, t.typeId, t.typeVersion, t.id, t.filter,
                attached), t.manager);
    }

    // ------------------------------------------------------------------ the nNVE's own initiative (REQ-6, REQ-9)

    /** De-associates every instance of a TSI and tells its end device (REQ-9). Returns how many. */
    public int deassociate(VsiId id, String reason) {
        List<Tsi> list = instances(id);
        for (Tsi t : list) {
            notifyDeassociate(t, reason);
            release(t, "nNVE: " + reason);
        }
        return list.size();
    }

    /**
     * Deactivates every activated instance of a TSI (REQ-9): Activated to Associated, told to the end
     * device with the deactivate extension. A standard peer cannot be told, so its TSI is
     * de-associated instead (and it learns that). Returns how many instances changed.
     */
    public int deactivate(VsiId id, String reason) {
        int n = 0;
        for (Tsi t : instances(id)) {
            if (t.state == TsiState.ACTIVATED) {
                n++;
                deactivateWhole(t, reason);
            }
        }
        return n;
    }

    private void deactivateWhole(Tsi t, String reason) {
        if (t.peer.has(Feature.DEACTIVATE)) {
            transition(t, TsiState.ASSOCIATED, "nNVE: " + reason);
            List<OrgTlv> attached = new ArrayList<>(2);
            attached.add(new DeactivateTlv(false, DeactivateTlv.Cause.ADMINISTRATIVE));
            if (t.peer.has(Feature.REASON_DETAIL)) {
                attached.add(new ReasonDetailTlv(DETAIL_ADMIN, clip(reason)));
            }
            send(t.peer, new VsiTlv(VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Request.PLAIN, t.typeId, t.typeVersion,
                    t.id, t.filter, attached));
        } else {
            notifyDeassociate(t, reason);
            release(t, "nNVE: " + reason + " (standard peer: de-associated)");
        }
    }

    /**
     * Deactivates some addresses of every activated instance of a TSI (REQ-9), told to the end device
     * with the deactivate extension (PARTIAL, the addresses in address TLVs). Where every address would
     * be deactivated, or the end device is a standard peer, this is {@link #deactivate(VsiId, String)}.
     */
    public int deactivate(VsiId id, List<TsiAddress> addresses, String reason) {
        int n = 0;
        for (Tsi t : instances(id)) {
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
            hold(t, next, "DEACTIVATE (nNVE: " + reason + ")");
            List<TsiAddressTlv> frags = TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, 0, addresses, 480);
            for (int i = 0; i < frags.size(); i += 2) {
                List<OrgTlv> att = new ArrayList<>(frags.subList(i, Math.min(i + 2, frags.size())));
                if (i + 2 >= frags.size()) {
                    att.add(new DeactivateTlv(true, DeactivateTlv.Cause.ADMINISTRATIVE));
                    if (t.peer.has(Feature.REASON_DETAIL)) {
                        att.add(new ReasonDetailTlv(DETAIL_ADMIN, clip(reason)));
                    }
                }
                send(t.peer, new VsiTlv(VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Request.PLAIN, t.typeId, t.typeVersion, t.id,
                        t.filter, att));
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
    public int releaseTags(int port, MacAddress station, String reason) {
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
                    send(p, new VnConnectTlv(VsiStatus.Request.PLAIN, VnConnectTlv.Operation.DISCONNECTED, id,
                            List.of(), p.has(Feature.REASON_DETAIL) ? List.of(new ReasonDetailTlv(DETAIL_ADMIN,
                                    clip(reason))) : List.of()));
                }
                if (vap.tsiAssociated == 0 && vap.explicit.isEmpty()) {
                    freed += vap.tags.size();
                    disconnect(vap, "released by the operator: " + reason);
                }
            }
        }
        return freed;
    }

    /**
     * Disconnects a VN everywhere (REQ-6): every TSI of the VN is de-associated, every end device that
     * knows the VN is told (VN connect DISCONNECTED where it has the extension), every tag returns.
     */
    public int disconnectVn(VnKey vn, String reason) {
        int n = 0;
        for (Scope s : scopes.values()) {
            Vap vap = s.vaps.get(vn);
            if (vap == null) {
                continue;
            }
            Set<Peer> told = new LinkedHashSet<>(vap.explicit);
            for (Tsi t : tsis()) {
                if (t.vap == vap) {
                    told.add(t.peer);
                    notifyDeassociate(t, reason);
                    release(t, "VN disconnected: " + reason);
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
                    send(p, new VnConnectTlv(VsiStatus.Request.PLAIN, VnConnectTlv.Operation.DISCONNECTED, id,
                            List.of(), p.has(Feature.REASON_DETAIL) ? List.of(new ReasonDetailTlv(DETAIL_ADMIN, clip(reason)))
                                    : List.of()));
                }
            }
            disconnect(vap, reason);
        }
        return n;
    }
}
