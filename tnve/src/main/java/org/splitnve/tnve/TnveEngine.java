package org.splitnve.tnve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.SessionIdentity;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.auth.FrameAuthenticator;
import org.splitnve.protocol.ecp.EcpEndpoint;
import org.splitnve.protocol.ecp.EcpListener;
import org.splitnve.protocol.ecp.EcpProfile;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.EvbMode;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.ExtensionTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.MigrationTlv;
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
 * The hypervisor agent: the VDP station side of RFC 8394 section 2, as a deterministic engine. It
 * keeps VMs (RFC 7666 states) and their TSIs, and maps every lifecycle operation to VDP requests
 * toward the nNVE(s) serving each TSI's VN:
 *
 * <pre>
 *  create            associate (Pre-Associate-RR) while the VM is shut down; if it fails the VM is not created
 *  start / resume    activate (Associate); start associates first what is not associated
 *  pause             nothing
 *  suspend           deactivate (Pre-Associate-RR + deactivate extension)
 *  shutdown          de-associate; the VM stays defined, shut down
 *  delete            de-associate what is still associated; the VM is forgotten
 *  reconnect         associate and activate again what the nNVE deactivated or de-associated on its own
 *  migration         prepare: associate with ARRIVAL at the destination; start: the source VM stops running,
 *                    its TSIs stay activated; activate at the destination; then deactivate the source with
 *                    DEPARTURE (make-before-break); finish: de-associate the source
 * </pre>
 *
 * Operations return a future completed on the engine thread when every nNVE concerned has answered.
 * Single-threaded.
 */
public final class TnveEngine implements PortAgent {
    /** A TSI's state at one nNVE, as the nNVE confirmed it. */
    public enum TsiState { INIT, ASSOCIATED, ACTIVATED }

    private static final int CODE_NO_ANSWER = -1;
    /**
     * Body octets of one TSI addresses fragment: two fragments (2 x (6 + 480)) travel in one VSI TLV's
     * attachments, which leaves room in an ECPDU ({@code VdpPdu.MAX_LENGTH}, 1494) for the VSI TLV itself and
     * the header TLVs (capability, session, authentication).
     */
    static final int FRAGMENT_BUDGET = 480;
    /**
     * OPS-3: the addresses of one TSI (its MAC and IPs) where the uplink's nNVE advertised no limit: what splitnve
     * nNVEs enforced before they advertised it (NnveConfig.Limits.DEFAULT), so one request stays a few dozen
     * ECPDUs and can never keep an uplink busy until its retransmissions run out.
     */
    public static final int BUILT_IN_ADDRESSES_PER_TSI = 4096;

    private final TnveConfig config;
    private final Clock clock;
    private final PortIo io;
    private final EventSink events;
    private final FrameCodec codec;
    private final CapabilityTlv ownCapabilities;
    private final int epoch;
    private final Bytes nonce;
    private final List<Up> uplinks = new ArrayList<>();
    private final Map<String, Up> uplinkByName = new HashMap<>();
    private final Map<String, Vm> vms = new LinkedHashMap<>();
    /** ACTIVE_STANDBY VNs: the uplink currently serving each. */
    private final Map<Long, Up> activeFor = new HashMap<>();
    private final List<Consumer<TnveEvent>> listeners = new ArrayList<>();
    private int nextTransaction = 1;
    /** (port << 48 | MAC) of sources whose LLDP EVB TLV said BRIDGE: they may be learned as an nNVE. */
    private final java.util.Set<Long> bridgesSeen = new java.util.HashSet<>();
    /** Bounds {@link #bridgesSeen}: a flood of forged LLDPDUs must not grow it without end (SEC-4). */
    private static final int MAX_BRIDGES_SEEN = 64;
    /** SEC-5: frames that do not decode, logged one line per source per interval (the rest counted). */
    private final org.splitnve.protocol.event.Throttle undecodable =
            new org.splitnve.protocol.event.Throttle(DROP_LOG_INTERVAL_NANOS, 256);
    /** SEC-5: frames from sources other than this port's nNVEs, dropped before decoding, counted per port. */
    private final long[] foreign;
    static final long DROP_LOG_INTERVAL_NANOS = 10_000_000_000L;

    public TnveEngine(TnveConfig config, Clock clock, PortIo io, EventSink events, RandomGenerator random) {
        this.config = config;
        this.clock = clock;
        this.io = io;
        this.events = events;
        this.codec = new FrameCodec(config.extensionOui());
        this.foreign = new long[io.ports()];
        this.ownCapabilities = CapabilityTlv.of(config.features().isEmpty() ? EnumSet.noneOf(Feature.class)
                : EnumSet.copyOf(config.features()));
        SessionIdentity id = SessionIdentity.random(random);
        this.epoch = id.epoch();
        this.nonce = id.nonce();
        for (TnveConfig.Uplink u : config.uplinks()) {
            Up up = new Up(u);
            uplinks.add(up);
            uplinkByName.put(u.name(), up);
        }
        for (Up up : uplinks) {
            up.hello();
        }
    }

    /** Called with every event the orchestrator should hear of (nNVE-initiated changes above all). */
    public void addListener(Consumer<TnveEvent> l) {
        listeners.add(l);
    }

    private void emit(TnveEvent e) {
        events.accept(e);
        for (Consumer<TnveEvent> l : listeners) {
            l.accept(e);
        }
    }

    // ------------------------------------------------------------------ per-uplink state

    /** One TSI at one nNVE. */
    final class Link {
        final Vm vm;
        TsiSpec spec;
        final Up up;
        TsiState confirmed = TsiState.INIT;
        /** What this end device wants at this nNVE (restored after fail-over). */
        TsiState desired = TsiState.INIT;
        int tag;
        Pending pending;
        final ArrayDeque<Runnable> next = new ArrayDeque<>(1);
        long keepAliveDue = Long.MAX_VALUE;
        boolean suspended;
        /** Addresses deactivated while the TSI is Activated (REQ-8, REQ-9: some addresses). */
        List<TsiAddress> inactive = new ArrayList<>();
        /** Address fragments of an nNVE-initiated partial deactivation still arriving. */
        List<TsiAddressTlv> namedFragments = new ArrayList<>();
        /** The IP addresses the nNVE acknowledged for this TSI (OPS-1): what it holds, not what was asked. */
        List<TsiAddress> ackedIps = List.of();
        /**
         * SEC-9: the state the nNVE had confirmed before a notice in its name de-associated or deactivated the
         * TSI (null: none since). Without authentication such a notice may be forged; the nNVE's session digest
         * tells whether it still holds the TSI in this state.
         */
        TsiState beforeNotice;

        Link(Vm vm, TsiSpec spec, Up up) {
            this.vm = vm;
            this.spec = spec;
            this.up = up;
        }
    }

    private static final class Pending {
        final TsiState target;
        final VsiMode mode;
        int remaining;
        final long deadline;
        final Consumer<OpResult> done;
        OpResult failure;
        /** The VSI TLVs of the request: sent again when the nNVE asks for a resynchronisation (REL-7). */
        List<VsiTlv> items = List.of();
        /** The IP addresses the TSI has at the nNVE once this request succeeds; null: unchanged (OPS-1). */
        List<TsiAddress> ipsAfter;
        /** The transaction of the address fragments the request carries, or -1 (none). */
        int transaction = -1;

        Pending(TsiState target, VsiMode mode, int remaining, long deadline, Consumer<OpResult> done) {
            this.target = target;
            this.mode = mode;
            this.remaining = remaining;
            this.deadline = deadline;
            this.done = done;
        }
    }

    private record Due(Link link, long at) {
    }

    /** Completes one future when {@code n} results are in: OK, or the first failure. */
    private static final class Combine implements Consumer<OpResult> {
        final CompletableFuture<OpResult> future = new CompletableFuture<>();
        private int left;
        private OpResult first;

        Combine(int n) {
            left = n;
            if (n == 0) {
                future.complete(OpResult.OK);
            }
        }

        @Override
        public void accept(OpResult r) {
            if (!r.ok() && first == null) {
                first = r;
            }
            if (--left == 0) {
                future.complete(first == null ? OpResult.OK : first);
            }
        }
    }

    /** An explicit VN connect or disconnect in flight. */
    private record VnSent(Up up, long vn, VnConnectTlv item) {
    }

    /**
     * A request held until its uplink is ready (with authentication: until the session is established);
     * it fails at {@code deadline} if the uplink never gets there.
     */
    private record Held(Runnable go, Consumer<OpResult> fail, long deadline) {
    }

    /** What rides in an ECPDU: one VSI TLV of a link's pending request. */
    private record Sent(Link link, VsiTlv item, Pending pending) {
    }

    final class Up implements EcpListener {
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

        Up(TnveConfig.Uplink cfg) {
            this.cfg = cfg;
            this.nnve = cfg.nnve();
            MacAddress peer = cfg.nnve() != null ? cfg.nnve() : cfg.destination();
            this.ecp = new EcpEndpoint(io.mac(cfg.port()), peer, cfg.destination(), codec, config.managerId(),
                    EcpProfile.STANDARD, config.timers(), clock, events, (b, len) -> io.send(cfg.port(), b, len), this,
                    this::header);
            this.auth = cfg.auth();
            if (auth != null) {
                ecp.setAuthenticator(auth);
            }
            this.lastHeard = clock.nanos();
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
                h.add(ownCapabilities);
            }
            if (common == null || has(Feature.SESSION) || (auth != null && !auth.authenticated())) {
                int flags = keepAliveFlag ? SessionTlv.KEEPALIVE : 0;
                keepAliveFlag = false;
                h.add(new SessionTlv(flags, epoch, peerEpoch, confirmedCount, digest, sessionNonce()));
            }
            return h;
        }

        /** The session TLV's nonce: the authenticator's (its handshake needs it), else this engine's own. */
        private Bytes sessionNonce() {
            Bytes n = auth != null ? auth.localNonce() : null;
            return n != null ? n : nonce;
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
                readyDeadline = clock.nanos() + 2 * ecp.timers().deliveryNanos() + 10_000_000L;
            } else {
                helloBackoff = 2 * ecp.timers().deliveryNanos();
                nextHello = clock.nanos() + helloBackoff;
            }
        }

        /** Holds a request until the uplink is ready; it fails if the uplink is not ready within a response timeout. */
        void hold(Runnable go, Consumer<OpResult> fail) {
            waiting.add(new Held(go, fail, clock.nanos() + ecp.timers().responseTimeoutNanos()));
        }

        void becomeReady() {
            if (ready) {
                return;
            }
            ready = true;
            readyDeadline = Long.MAX_VALUE;
            nextHello = Long.MAX_VALUE;
            if (auth != null) {
                emit(new TnveEvent.UplinkState(cfg.name(), "authenticated", "session established with " + nnve));
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
                waiting.poll().fail().accept(OpResult.failed(CODE_NO_ANSWER, "no authenticated session with "
                        + cfg.name()));
            }
        }

        @Override
        public void onReceive(EthernetHeader ethernet, VdpPdu pdu) {
            received(this, pdu);
        }

        @Override
        public void onDelivered(List<Object> tokens) {
            consecutiveErrors = 0;
            alive(this);
        }

        /**
         * ECP gave up on an ECPDU. VDP still has time (the response deadline): the requests go again.
         * Three transmit errors in a row mean the nNVE is gone.
         */
        @Override
        public void onTransmitError(List<Object> tokens) {
            consecutiveErrors++;
            long now = clock.nanos();
            if (tokens.isEmpty() && consecutiveErrors < 3 && (ready || auth == null)) {
                // a hello or a session keep-alive: it goes again, the nNVE counts on it (an authenticating
                // hello goes again on its own schedule, awaitSession)
                keepAliveFlag = ready && has(Feature.SESSION);
                ecp.sendHeaderOnly();
            }
            for (Object t : tokens) {
                if (t instanceof VnSent v && vnPending.containsKey(v.vn)) {
                    if (consecutiveErrors < 3) {
                        ecp.submit(v.item, v);
                    } else {
                        vnPending.remove(v.vn).accept(OpResult.failed(CODE_NO_ANSWER, "no acknowledgement from " + cfg.name()));
                    }
                }
                if (t instanceof Sent s && s.link.pending == s.pending) {
                    if (now < s.pending.deadline && consecutiveErrors < 3) {
                        ecp.submit(s.item, s);
                    } else {
                        fail(s.link, OpResult.failed(CODE_NO_ANSWER, "no acknowledgement from " + cfg.name()));
                    }
                }
            }
            if (consecutiveErrors >= 3) {
                lost(this, consecutiveErrors + " ECPDUs in a row unacknowledged after " + ecp.timers().retries()
                        + " retries each");
            }
        }
    }


    // ------------------------------------------------------------------ driving

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        if (!worthDecoding(port, buf, off, len)) {
            foreign[port]++;
            return;
        }
        Frame frame;
        try {
            frame = codec.decode(buf, off, len);
        } catch (DecodeException e) {
            // SEC-5: the first from a source is logged, the rest counted into one line per interval.
            long src = len >= 12 ? ((long) port << 48) | macAt(buf, off + 6) : ((long) port << 48);
            if (undecodable.admit(src, clock.nanos())) {
                events.accept(new TnveEvent.RequestFailed("-", "-", "port " + port, "decode", 1, e.getMessage()));
            }
            return;
        }
        switch (frame) {
            case Frame.Vdp v -> {
                MacAddress src = v.ethernet().source();
                MacAddress dst = v.ethernet().destination();
                if (!dst.equals(io.mac(port)) && !dst.isReservedGroup()) {
                    // Another end device's VDP, flooded by a switch (REQ-2): an nNVE answers at our MAC, a
                    // standard bridge at a reserved group (which switches never forward).
                    return;
                }
                // An nNVE is learned only from what a bridge sends: a frame to this station's own MAC, a VDP
                // response, or a source that announced itself as a bridge in its EVB TLV. A switch floods other
                // stations' requests to us (unknown unicast, groups; a Linux bridge with STP off even forwards
                // 01:80:c2:00:00:00), and a station must not take another station for its nNVE (REQ-1, REQ-2).
                boolean fromBridge = dst.equals(io.mac(port)) || carriesResponse(v.vdp())
                        || bridgesSeen.contains(((long) port << 48) | src.value());
                for (Up up : uplinks) {
                    if (up.cfg.port() != port) {
                        continue;
                    }
                    if (up.nnve == null && src.isValidUnicast() && fromBridge) {
                        up.nnve = src;
                    }
                    if (src.equals(up.nnve)) {
                        SessionTlv s = v.vdp().header(SessionTlv.class);
                        boolean restarted = s != null && up.peerEpoch != 0 && s.epoch() != up.peerEpoch;
                        up.ecp.onFrame(buf, off, len, v, restarted);
                        return;
                    }
                }
            }
            case Frame.Lldp l -> {
                EvbTlv evb = l.lldp().evb();
                MacAddress src = l.ethernet().source();
                if (evb != null && evb.mode() == EvbMode.BRIDGE && src.isValidUnicast()) {
                    // Only a bridge's EVB TLV counts: another station's, flooded by a switch, says nothing
                    // about our nNVE's timers.
                    if (bridgesSeen.size() < MAX_BRIDGES_SEEN) {
                        bridgesSeen.add(((long) port << 48) | src.value());
                    }
                    for (Up up : uplinks) {
                        if (up.cfg.port() == port && (up.nnve == null || up.nnve.equals(src))) {
                            up.ecp.setTimers(config.timers().negotiate(Timers.of(evb)));
                            boolean speaksExtensions = l.lldp().extensionCapability() != null;
                            if (!config.features().isEmpty() && up.auth == null && !up.ecp.busy()
                                    && (!up.alive || (up.common == null && speaksExtensions))) {
                                // OPS-7: the nNVE is there (its LLDP arrived): the hello goes now.
                                up.ecp.sendHeaderOnly();
                            }
                        }
                    }
                }
            }
            default -> {
            }
        }
    }

    private static long macAt(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    /**
     * SEC-5: whether a frame could matter, read from its Ethernet header before anything is decoded: ECP
     * or LLDP (else it is not ours), VDP to this station's MAC or a reserved group (else another end device's,
     * flooded by a switch), and from this port's nNVE once every uplink on the port knows it. A flood from
     * other sources costs a counter, not a decode and a log line each.
     */
    private boolean worthDecoding(int port, byte[] buf, int off, int len) {
        if (len < 14) {
            return true; // the codec says what is wrong with it
        }
        int at = off + 12;
        int type = ((buf[at] & 0xFF) << 8) | (buf[at + 1] & 0xFF);
        while ((type == 0x8100 || type == 0x88A8) && at + 6 <= off + len) {
            at += 4;
            type = ((buf[at] & 0xFF) << 8) | (buf[at + 1] & 0xFF);
        }
        boolean ecp = type == org.splitnve.wire.ecp.EcpHeader.ETHERTYPE;
        if (!ecp && type != org.splitnve.wire.lldp.LldpPdu.ETHERTYPE) {
            return false;
        }
        long dst = macAt(buf, off);
        long src = macAt(buf, off + 6);
        if (ecp && dst != io.mac(port).value() && (dst & ~0xFL) != (MacAddress.NEAREST_CUSTOMER_BRIDGE.value() & ~0xFL)) {
            return false; // neither to us nor to a reserved group (01:80:c2:00:00:0x)
        }
        boolean any = false;
        for (Up up : uplinks) {
            if (up.cfg.port() != port) {
                continue;
            }
            if (up.nnve == null) {
                return true; // still to be learned from what arrives
            }
            any = true;
            if (up.nnve.value() == src) {
                return true;
            }
        }
        return !any;
    }

    /** Frames dropped before decoding on a port because they came from no nNVE of it (SEC-5). */
    public long foreignFrames(int port) {
        return foreign[port];
    }

    /** True when the PDU holds a VDP response: only a bridge answers (stations send requests). */
    private static boolean carriesResponse(VdpPdu pdu) {
        if (pdu == null) {
            return false;
        }
        for (VdpItem item : pdu.items()) {
            VsiStatus st = switch (item) {
                case VsiTlv t -> t.status();
                case VnConnectTlv c -> c.status();
            };
            if (st instanceof VsiStatus.Response) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onTimer() {
        long now = clock.nanos();
        for (org.splitnve.protocol.event.Throttle.Summary s : undecodable.due(now)) {
            long k = s.key();
            boolean others = k == org.splitnve.protocol.event.Throttle.OVERFLOW_KEY;
            events.accept(new TnveEvent.InputDropped(others ? -1 : (int) (k >>> 48), others ? "others"
                    : new MacAddress(k & 0xFFFF_FFFF_FFFFL).toString(), "undecodable frames", s.suppressed(),
                    s.sinceNanos() / 1_000_000_000L));
        }
        for (Up up : uplinks) {
            up.ecp.onTimer(now);
            if (!up.ready && up.auth != null) {
                up.awaitSession(now);
            } else if (!up.ready && now >= up.readyDeadline) {
                up.becomeReady();
            }
            while (!up.responseDeadlines.isEmpty()) {
                Due d = up.responseDeadlines.peek();
                Pending p = d.link.pending;
                if (p == null || p.deadline != d.at) {
                    up.responseDeadlines.poll();
                    continue;
                }
                if (d.at > now) {
                    break;
                }
                up.responseDeadlines.poll();
                fail(d.link, OpResult.failed(CODE_NO_ANSWER, "no response from " + up.cfg.name() + " in time"));
            }
            while (!up.keepAlives.isEmpty()) {
                Due d = up.keepAlives.peek();
                if (d.link.keepAliveDue != d.at) {
                    up.keepAlives.poll();
                    continue;
                }
                if (d.at > now) {
                    break;
                }
                up.keepAlives.poll();
                keepAlive(d.link);
            }
            if (!up.alive && now >= up.nextProbe) {
                probe(up, now);
            }
            if (up.has(Feature.SESSION) && now >= up.nextSessionKeepAlive) {
                up.keepAliveFlag = true;
                up.ecp.sendHeaderOnly();
                up.nextSessionKeepAlive = now + up.ecp.timers().keepAliveNanos();
                if (up.alive && now - up.lastHeard > up.ecp.timers().bridgeKeepAliveTimeoutNanos()) {
                    lost(up, "no frame from the nNVE for " + (now - up.lastHeard) / 1_000_000 + " ms");
                }
            }
        }
    }

    /** REL-3: the nNVE of an uplink on this port: the transport serves its frames before unknown sources'. */
    @Override
    public boolean established(int port, MacAddress station) {
        for (Up up : uplinks) {
            if (up.cfg.port() == port && station.equals(up.nnve)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public long nextDeadline() {
        long next = undecodable.nextDeadline();
        for (Up up : uplinks) {
            next = Math.min(next, up.ecp.nextDeadline());
            if (!up.ready) {
                next = Math.min(next, up.readyDeadline);
                next = Math.min(next, up.nextHello);
                if (!up.waiting.isEmpty() && up.auth != null) {
                    next = Math.min(next, up.waiting.peek().deadline());
                }
            }
            while (!up.responseDeadlines.isEmpty()) {
                Due d = up.responseDeadlines.peek();
                if (d.link.pending != null && d.link.pending.deadline == d.at) {
                    next = Math.min(next, d.at);
                    break;
                }
                up.responseDeadlines.poll(); // answered already
            }
            while (!up.keepAlives.isEmpty()) {
                Due d = up.keepAlives.peek();
                if (d.link.keepAliveDue == d.at) {
                    next = Math.min(next, d.at);
                    break;
                }
                up.keepAlives.poll(); // re-armed or stopped since
            }
            if (up.has(Feature.SESSION)) {
                next = Math.min(next, up.nextSessionKeepAlive);
            }
            if (!up.alive) {
                next = Math.min(next, up.nextProbe);
            }
        }
        return next;
    }

    /**
     * OPS-7: an uplink whose nNVE is not heard from gets this end device's hello (capabilities and session)
     * with a back-off up to the keep-alive period, so it comes back in sync when the link or the nNVE does,
     * without waiting for a VM request.
     */
    private void probe(Up up, long now) {
        if (!up.ecp.busy()) {
            up.ecp.sendHeaderOnly();
        }
        up.probeBackoff = Math.min(2 * up.probeBackoff, Math.max(up.ecp.timers().keepAliveNanos(), up.probeBackoff));
        up.nextProbe = now + up.probeBackoff;
    }

    // ------------------------------------------------------------------ receiving

    private void alive(Up up) {
        up.lastHeard = clock.nanos();
        up.nextProbe = Long.MAX_VALUE;
        if (!up.alive) {
            up.alive = true;
            emit(new TnveEvent.UplinkState(up.cfg.name(), "up", "frames again"));
            if (up.resyncPending && up.resyncLeft == 0) {
                resync(up, "announcements went unanswered while the nNVE was lost");
            }
            // REQ-3: what failed over to a standby while this nNVE was lost is let go here, or the VN
            // would stay on both (session keep-alives would keep it alive at this nNVE for ever).
            for (Link l : List.copyOf(up.links.values())) {
                if (l.desired == TsiState.INIT && l.confirmed != TsiState.INIT) {
                    drive(l, TsiState.INIT, VsiMode.DE_ASSOCIATE, List.of(), r -> { });
                }
            }
        }
    }

    private void received(Up up, VdpPdu pdu) {
        alive(up);
        SessionTlv s = pdu.header(SessionTlv.class);
        // REL-7: a new epoch says the nNVE restarted and holds nothing of this end device; RESYNC_REQUEST says
        // it wants every TSI announced again (it lost them, or it does not know this end device's session).
        boolean restarted = s != null && up.peerEpoch != 0 && s.epoch() != up.peerEpoch;
        boolean asked = s != null && s.has(SessionTlv.RESYNC_REQUEST);
        CapabilityTlv caps = pdu.header(CapabilityTlv.class);
        noteLimits(up, caps);
        boolean learned = false;
        if (caps != null && (up.common == null || restarted || asked || up.announceCaps)) {
            boolean first = up.common == null;
            up.common = ownCapabilities.intersect(caps);
            up.ecp.setProfile(up.common.has(Feature.BATCHING) ? EcpProfile.BATCHING : EcpProfile.STANDARD);
            if (up.common.has(Feature.SESSION) && up.nextSessionKeepAlive == Long.MAX_VALUE) {
                up.nextSessionKeepAlive = clock.nanos() + up.ecp.timers().keepAliveNanos();
            }
            if (first) {
                emit(new TnveEvent.UplinkState(up.cfg.name(), "up", "extensions " + up.common.features()));
                learned = true;
            }
        }
        if (s != null) {
            up.peerEpoch = s.epoch();
        }
        if (up.sessionEstablished()) {
            up.becomeReady();
        }
        for (VdpItem item : pdu.items()) {
            switch (item) {
                case VsiTlv v -> {
                    if (v.isResponse()) {
                        response(up, v);
                    } else {
                        nnveRequest(up, v);
                    }
                }
                case VnConnectTlv c -> {
                    if (c.status() instanceof VsiStatus.Response r && c.vn() instanceof VnId.Group g) {
                        Consumer<OpResult> done = up.vnPending.remove(g.unsigned());
                        if (r.isSuccess()) {
                            if (c.operation() == VnConnectTlv.Operation.CONNECT) {
                                up.vnTags.put(g.unsigned(), c.localTags());
                            } else {
                                up.vnTags.remove(g.unsigned());
                            }
                        }
                        if (done != null) {
                            done.accept(r.isSuccess() ? OpResult.OK : OpResult.failed(r.code().value(),
                                    r.code().description() + (detail(c.attached()).isEmpty() ? "" : ": " + detail(c.attached()))));
                        }
                        continue;
                    }
                    if (c.operation() == VnConnectTlv.Operation.DISCONNECTED && c.vn() instanceof VnId.Group g) {
                        up.vnTags.remove(g.unsigned());
                        for (Link l : List.copyOf(up.links.values())) {
                            if (l.spec.vnId() == g.unsigned() && l.confirmed != TsiState.INIT) {
                                setConfirmed(l, TsiState.INIT);
                                l.desired = TsiState.INIT;
                                emit(new TnveEvent.NnveInitiated(l.vm.name, l.spec.id().toString(), up.cfg.name(),
                                        "VN disconnected", detail(c.attached())));
                            }
                        }
                    }
                }
            }
        }
        boolean negotiatedLate = false;
        if (learned && up.has(Feature.TSI_ADDRESSES)) {
            // OPS-1: requests that went out before the extensions were known went as a standard peer's (no IP
            // addresses): what was held back goes now.
            for (Link l : up.links.values()) {
                negotiatedLate |= l.pending == null && l.confirmed != TsiState.INIT && l.desired != TsiState.INIT
                        && !sameAddresses(l.ackedIps, l.spec.ips());
            }
        }
        if (restarted || (asked && up.resyncLeft == 0)) {
            resync(up, restarted ? "the nNVE restarted (session epoch " + Integer.toHexString(s.epoch()) + ")"
                    : "the nNVE asked for every TSI again");
        } else if (negotiatedLate) {
            resync(up, "extensions negotiated after TSIs were set up without them");
        } else if (s != null && pdu.items().isEmpty() && up.has(Feature.SESSION) && up.resyncLeft == 0) {
            resyncIfDiverged(up, s);
        }
    }

    /**
     * REL-7, OPS-1: the nNVE restarted, asked for a resynchronisation, or learned this end device's
     * extensions late. Every request in flight goes again; every TSI this end device wants is announced
     * again with its state and all its addresses (and every explicitly connected VN with its tags); the
     * uplink shows as not in sync until the nNVE has answered them all. A TSI the nNVE refuses now is
     * reported to the orchestrator as the nNVE's doing: the tNVE never claims what the nNVE does not hold.
     */
    private void resync(Up up, String why) {
        up.resyncPending = false;
        up.announceCaps = true; // until every re-announcement is answered: the nNVE may know nothing of us
        emit(new TnveEvent.UplinkState(up.cfg.name(), "resync", why));
        int announced = 0;
        for (Link l : List.copyOf(up.links.values())) {
            if (l.pending != null) {
                // The nNVE did not take it (it did not know this end device's session): it goes again, and
                // its own answer completes the operation that sent it.
                l.pending.remaining = l.pending.items.size();
                for (VsiTlv item : l.pending.items) {
                    up.ecp.submit(item, new Sent(l, item, l.pending));
                }
            }
            if (l.desired == TsiState.INIT) {
                continue;
            }
            announced++;
            up.resyncLeft++;
            drive(l, l.desired, l.desired == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR,
                    addressesAgain(up, l), r -> resynced(up, l, r));
        }
        for (Map.Entry<Long, List<Integer>> e : List.copyOf(up.vnTags.entrySet())) {
            if (up.vnPending.containsKey(e.getKey())) {
                continue;
            }
            up.resyncLeft++;
            announced++;
            long vn = e.getKey();
            up.vnPending.put(vn, r -> resynced(up, null, r));
            VnConnectTlv item = VnConnectTlv.request(VnConnectTlv.Operation.CONNECT, VnId.group(vn), e.getValue());
            up.ecp.submit(item, new VnSent(up, vn, item));
        }
        if (announced == 0) {
            inSync(up);
        }
    }

    private static boolean sameAddresses(List<TsiAddress> a, List<TsiAddress> b) {
        return a.size() == b.size() && new java.util.HashSet<>(a).equals(new java.util.HashSet<>(b));
    }

    /** Every IP address of the TSI, to replace whatever the nNVE holds (a resynchronisation). */
    private List<OrgTlv> addressesAgain(Up up, Link l) {
        if (!up.has(Feature.TSI_ADDRESSES)) {
            return List.of();
        }
        return new ArrayList<>(TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, transaction(), l.spec.ips(),
                FRAGMENT_BUDGET));
    }

    private void resynced(Up up, Link l, OpResult r) {
        if (!r.ok() && r.code() == CODE_NO_ANSWER) {
            up.resyncPending = true;
        } else if (!r.ok() && l != null && l.confirmed != TsiState.INIT) {
            // The nNVE does not hold it any more and will not take it back: say so (OPS-1, REQ-9).
            setConfirmed(l, TsiState.INIT);
            l.desired = TsiState.INIT;
            l.keepAliveDue = Long.MAX_VALUE;
            emit(new TnveEvent.NnveInitiated(l.vm.name, l.spec.id().toString(), up.cfg.name(),
                    "not taken back after a resynchronisation", r.detail()));
        }
        if (up.resyncLeft > 0 && --up.resyncLeft == 0 && !up.resyncPending) {
            inSync(up);
        }
    }

    private void inSync(Up up) {
        up.announceCaps = false;
        emit(new TnveEvent.UplinkState(up.cfg.name(), "in-sync", up.confirmedCount + " TSIs confirmed"));
    }

    /**
     * SM-TIMER, REQ-9 (docs/protocol.md 5.2): the nNVE's session TLV tells how many of this end device's TSIs
     * it holds and their digest. When that differs from what this end device believes while nothing is in
     * flight (a header-only ECPDU: every earlier answer and notice came before it), the nNVE lost TSIs behind
     * its back, e.g. released them on a keep-alive timeout during an outage whose notices were lost: every TSI
     * is announced again toward the state the end device wants, its addresses with it.
     */
    private void resyncIfDiverged(Up up, SessionTlv s) {
        if (s.tsiCount() == up.confirmedCount && s.stateDigest() == up.digest) {
            clearNotices(up);
            return;
        }
        if (repairNotices(up, s)) {
            return;
        }
        boolean any = false;
        for (Link l : up.links.values()) {
            if (l.pending != null || !l.next.isEmpty()) {
                return;
            }
            any |= l.desired != TsiState.INIT;
        }
        if (!any) {
            return; // nothing to announce (e.g. the nNVE still holds TSIs of this end device's previous run)
        }
        emit(new TnveEvent.UplinkState(up.cfg.name(), "resync", "the nNVE holds " + s.tsiCount() + " TSIs of this end "
                + "device, it believes " + up.confirmedCount + ": announcing them again"));
        for (Link l : List.copyOf(up.links.values())) {
            if (l.desired == TsiState.INIT) {
                continue;
            }
            List<OrgTlv> extras = new ArrayList<>();
            if (up.has(Feature.TSI_ADDRESSES) && !l.spec.ips().isEmpty()) {
                extras.addAll(TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, transaction(), l.spec.ips(),
                        FRAGMENT_BUDGET));
            }
            drive(l, l.desired, l.desired == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR, extras,
                    r -> { });
        }
    }

    /**
     * SEC-9: the nNVE's count and digest say it still holds, in their earlier states, exactly the TSIs that a
     * notice in its name de-associated or deactivated here: the notice did not come from it (forged on a shared
     * segment without authentication). This side's view is put back, with no frame sent; the orchestrator hears
     * of it. Returns whether that explained the difference.
     */
    private boolean repairNotices(Up up, SessionTlv s) {
        long digest = up.digest;
        int count = up.confirmedCount;
        List<Link> noticed = new ArrayList<>();
        for (Link l : up.noticed) {
            if (l.pending != null) {
                continue;
            }
            if (l.confirmed != TsiState.INIT) {
                digest ^= digest(l.spec.id(), l.confirmed);
                count--;
            }
            if (l.beforeNotice != TsiState.INIT) {
                digest ^= digest(l.spec.id(), l.beforeNotice);
                count++;
            }
            noticed.add(l);
        }
        if (noticed.isEmpty() || s.tsiCount() != count || s.stateDigest() != digest) {
            return false;
        }
        emit(new TnveEvent.UplinkState(up.cfg.name(), "repaired", noticed.size() + " TSIs the nNVE still holds: a "
                + "notice in its name that they were de-associated or deactivated did not come from it"));
        for (Link l : noticed) {
            TsiState was = l.beforeNotice;
            l.beforeNotice = null;
            up.noticed.remove(l);
            setConfirmed(l, was);
            l.desired = was;
            armKeepAlive(l);
            emit(new TnveEvent.NnveInitiated(l.vm.name, l.spec.id().toString(), up.cfg.name(), "restored",
                    "the nNVE still holds it " + was + ": the earlier notice did not come from it"));
        }
        return true;
    }

    private static void clearNotices(Up up) {
        for (Link l : up.noticed) {
            l.beforeNotice = null;
        }
        up.noticed.clear();
    }

    private static String detail(List<OrgTlv> attached) {
        for (OrgTlv o : attached) {
            if (o instanceof ReasonDetailTlv r) {
                return r.text();
            }
        }
        return "";
    }

    private void response(Up up, VsiTlv v) {
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
                    + (detail(v.attached()).isEmpty() ? "" : ": " + detail(v.attached())));
        }
        if (--p.remaining > 0) {
            return;
        }
        l.pending = null;
        if (p.failure == null) {
            for (FilterEntry e : v.filter().entries()) {
                if (!e.isNullVid()) {
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
            setConfirmed(l, p.target);
            armKeepAlive(l);
            p.done.accept(OpResult.OK);
            if (l.pending == null && l.next.isEmpty() && up.has(Feature.TSI_ADDRESSES) && l.confirmed != TsiState.INIT
                    && l.desired != TsiState.INIT && !sameAddresses(l.ackedIps, l.spec.ips())) {
                // OPS-1: it went before the extensions were known (without its addresses): they go now.
                drive(l, l.confirmed, l.confirmed == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR,
                        addressesAgain(up, l), r -> { });
            }
        } else {
            emit(new TnveEvent.RequestFailed(l.vm.name, l.spec.id().toString(), up.cfg.name(), p.mode.name(),
                    p.failure.code(), p.failure.detail()));
            armKeepAlive(l);
            p.done.accept(p.failure);
        }
        runNext(l);
    }

    /** The nNVE's own initiative (REQ-6, REQ-9): reported to the orchestrator, never undone behind its back. */
    private void nnveRequest(Up up, VsiTlv v) {
        Link l = up.links.get(v.vsiId());
        if (l == null || l.confirmed == TsiState.INIT) {
            return; // e.g. lldpad's late unsolicited De-Associate of a VSI already gone: harmless
        }
        switch (v.mode()) {
            case DE_ASSOCIATE -> {
                l.beforeNotice = l.confirmed;
                up.noticed.add(l);
                setConfirmed(l, TsiState.INIT);
                l.desired = TsiState.INIT;
                l.keepAliveDue = Long.MAX_VALUE;
                emit(new TnveEvent.NnveInitiated(l.vm.name, l.spec.id().toString(), up.cfg.name(), "de-associated",
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
                    emit(new TnveEvent.NnveInitiated(l.vm.name, l.spec.id().toString(), up.cfg.name(),
                            "deactivated " + named.size() + " addresses", d.cause() + " " + named + " " + detail(v.attached())));
                    return;
                }
                if (d != null) {
                    l.namedFragments = new ArrayList<>();
                }
                if (v.attached(DeactivateTlv.class) != null && l.confirmed == TsiState.ACTIVATED) {
                    l.beforeNotice = l.confirmed;
                    up.noticed.add(l);
                    setConfirmed(l, TsiState.ASSOCIATED);
                    l.desired = TsiState.ASSOCIATED;
                    emit(new TnveEvent.NnveInitiated(l.vm.name, l.spec.id().toString(), up.cfg.name(), "deactivated",
                            v.attached(DeactivateTlv.class).cause() + " " + detail(v.attached())));
                }
            }
            default -> {
            }
        }
    }

    private void setConfirmed(Link l, TsiState s) {
        if (l.confirmed != s) {
            l.inactive = new ArrayList<>(); // a whole-TSI change ends a partial deactivation
            emit(new TnveEvent.TsiState(l.vm.name, l.spec.id(), l.up.cfg.name(), l.confirmed, s, l.tag));
            Up up = l.up;
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

    private static long digest(VsiId id, TsiState s) {
        return SessionIdentity.tsiDigest(id, s.ordinal());
    }

    private void armKeepAlive(Link l) {
        if (l.confirmed == TsiState.INIT || l.up.has(Feature.SESSION)) {
            l.keepAliveDue = Long.MAX_VALUE;
            return;
        }
        l.keepAliveDue = clock.nanos() + l.up.ecp.timers().keepAliveNanos();
        l.up.keepAlives.add(new Due(l, l.keepAliveDue));
    }

    /** Standard peers: re-send the TSI's request so the bridge keeps it (802.1Q keep-alive). */
    private void keepAlive(Link l) {
        l.keepAliveDue = Long.MAX_VALUE;
        if (l.pending != null || l.confirmed == TsiState.INIT || l.desired == TsiState.INIT) {
            return;
        }
        TsiState s = l.confirmed;
        send(l, s, s == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR, List.of(), false, l.suspended,
                r -> { });
    }

    private void fail(Link l, OpResult r) {
        Pending p = l.pending;
        if (p == null) {
            return;
        }
        l.pending = null;
        emit(new TnveEvent.RequestFailed(l.vm.name, l.spec.id().toString(), l.up.cfg.name(), p.mode.name(), r.code(),
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

    // ------------------------------------------------------------------ the nNVE's limits (OPS-3)

    /** Keeps the limits an nNVE advertised in its capability TLV (docs/protocol.md 5.1.1), and logs a change. */
    private void noteLimits(Up up, CapabilityTlv caps) {
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
            emit(new TnveEvent.UplinkLimits(up.cfg.name(), sb.toString()));
        }
    }

    /** An uplink's limit of one kind: advertised by its nNVE, else the built-in bound (addresses only), else none. */
    private static long limit(Up up, int kind) {
        if (up.advertised != null) {
            java.util.OptionalLong v = up.advertised.limit(kind);
            if (v.isPresent()) {
                return v.getAsLong();
            }
        }
        return kind == CapabilityTlv.Limit.ADDRESSES_PER_TSI ? BUILT_IN_ADDRESSES_PER_TSI : Long.MAX_VALUE;
    }

    private static boolean advertised(Up up, int kind) {
        return up.advertised != null && up.advertised.limit(kind).isPresent();
    }

    /** The refusal of an operation over a limit, logged; nothing is sent. */
    private CompletableFuture<OpResult> overLimit(String vm, String tsi, Up up, String operation, int kind, long requested,
            String what) {
        long max = limit(up, kind);
        boolean adv = advertised(up, kind);
        String name = new CapabilityTlv.Limit(kind, 0).describe();
        String detail = what + ": " + up.cfg.name() + (adv ? " accepts at most " : " is held to at most ") + max + " "
                + name + (adv ? " (its advertised limit)" : " (the built-in bound: its nNVE advertised none)")
                + "; nothing was sent";
        emit(new TnveEvent.OverLimit(vm, tsi, up.cfg.name(), operation, name, requested, max, adv));
        return CompletableFuture.completedFuture(OpResult.overLimit(detail));
    }

    /**
     * OPS-3: the refusal of TSIs that would go beyond a limit of the nNVE serving them (addresses per TSI, TSIs and
     * VNs of this end device there), or null when they fit. Checked before anything is registered or sent.
     */
    private CompletableFuture<OpResult> checkLimits(String vm, String operation, List<TsiSpec> tsis) {
        Map<Up, Integer> newTsis = new HashMap<>();
        Map<Up, java.util.Set<Long>> newVns = new HashMap<>();
        for (TsiSpec spec : tsis) {
            long addresses = 1L + spec.ips().size();
            for (Up up : uplinksFor(spec.vnId())) {
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
        for (Map.Entry<Up, Integer> e : newTsis.entrySet()) {
            Up up = e.getKey();
            long total = (long) up.confirmedCount + e.getValue();
            if (total > limit(up, CapabilityTlv.Limit.TSIS_PER_PEER)) {
                return overLimit(vm, "-", up, operation, CapabilityTlv.Limit.TSIS_PER_PEER, total, "this end device holds "
                        + up.confirmedCount + " TSIs there, " + e.getValue() + " more make " + total);
            }
        }
        for (Map.Entry<Up, java.util.Set<Long>> e : newVns.entrySet()) {
            Up up = e.getKey();
            long total = (long) up.vnUse.size() + e.getValue().size();
            if (total > limit(up, CapabilityTlv.Limit.VNS_PER_PEER)) {
                return overLimit(vm, "-", up, operation, CapabilityTlv.Limit.VNS_PER_PEER, total, "this end device uses "
                        + up.vnUse.size() + " VNs there, " + e.getValue().size() + " more make " + total);
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ uplink loss and fail-over (REQ-3)

    private void lost(Up up, String why) {
        if (!up.alive) {
            return;
        }
        up.alive = false;
        emit(new TnveEvent.UplinkState(up.cfg.name(), "down", why));
        if (up.auth == null && (!config.features().isEmpty())) {
            // OPS-7: probed until it answers (link up again, nNVE back), not only when a VM needs it.
            up.probeBackoff = 2 * up.ecp.timers().deliveryNanos();
            up.nextProbe = clock.nanos() + up.probeBackoff;
        }
        if (up.auth != null) {
            // The nNVE may have restarted with a new nonce: only a new handshake can tell. Requests wait
            // for it; the hello goes until it is answered (REQ-11).
            up.auth.restartSession();
            up.ready = false;
            up.common = null;   // a restarted nNVE knows nothing of this end device: the hello says it all again
            up.hello();
        }
        for (Map.Entry<Long, TnveConfig.Placement> e : config.placements().entrySet()) {
            if (e.getValue().mode() != TnveConfig.Mode.ACTIVE_STANDBY || activeFor.get(e.getKey()) != up) {
                continue;
            }
            Up standby = null;
            for (String name : e.getValue().uplinks()) {
                Up cand = uplinkByName.get(name);
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
            emit(new TnveEvent.Failover(Long.toString(vn), up.cfg.name(), standby.cfg.name()));
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
                drive(moved, want, want == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR, null,
                        r -> { });
            }
        }
    }

    // ------------------------------------------------------------------ sending requests

    private Link link(Vm vm, TsiSpec spec, Up up) {
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
    private List<Up> uplinksFor(long vn) {
        TnveConfig.Placement p = config.placements().get(vn);
        if (p == null) {
            return List.of(uplinks.getFirst());
        }
        if (p.mode() == TnveConfig.Mode.ACTIVE_ACTIVE) {
            List<Up> out = new ArrayList<>();
            for (String n : p.uplinks()) {
                Up up = uplinkByName.get(n);
                if (up != null) {
                    out.add(up);
                }
            }
            return out;
        }
        Up active = activeFor.get(vn);
        if (active == null) {
            for (String n : p.uplinks()) {
                Up up = uplinkByName.get(n);
                if (up != null && up.alive) {
                    active = up;
                    break;
                }
            }
            if (active == null) {
                active = uplinkByName.get(p.uplinks().getFirst());
            }
            activeFor.put(vn, active);
        }
        return List.of(active);
    }

    /** Sends a request now or after the link's current one, or once the uplink is ready. */
    private void drive(Link l, TsiState target, VsiMode mode, List<OrgTlv> extras, Consumer<OpResult> done) {
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
                emit(new TnveEvent.RequestFailed(l.vm.name, l.spec.id().toString(), l.up.cfg.name(), mode.name(),
                        r.code(), r.detail()));
                done.accept(r);
            });
        }
    }

    private void send(Link l, TsiState target, VsiMode mode, List<OrgTlv> extras, boolean m, boolean s,
            Consumer<OpResult> done) {
        Up up = l.up;
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
            fragments.addAll(TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, transaction(), l.spec.ips(),
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
        long deadline = clock.nanos() + up.ecp.timers().responseTimeoutNanos();
        Pending p = new Pending(target, mode, items.size(), deadline, done);
        p.items = items;
        p.ipsAfter = ipsAfter(l, mode, fragments, ext);
        p.transaction = fragments.isEmpty() ? -1 : fragments.getFirst().transaction();
        l.pending = p;
        up.responseDeadlines.add(new Due(l, deadline));
        for (VsiTlv item : items) {
            up.ecp.submit(item, new Sent(l, item, p));
        }
    }

    /**
     * OPS-1: the IP addresses the nNVE holds for the TSI once this request succeeds: none after a
     * De-Associate or an association that carried none (a standard peer's), the change applied to what it
     * acknowledged before, or null where the request leaves them as they are.
     */
    private static List<TsiAddress> ipsAfter(Link l, VsiMode mode, List<TsiAddressTlv> fragments, List<OrgTlv> ext) {
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

    private int transaction() {
        int t = nextTransaction;
        nextTransaction = (nextTransaction + 1) & 0xFFFF;
        return t;
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

    // ------------------------------------------------------------------ operations

    /** Runs one step on every (TSI, uplink) of a VM; completes when all answered. */
    private CompletableFuture<OpResult> step(Vm vm, TsiState target, VsiMode mode, java.util.function.Function<Link, List<OrgTlv>> extras) {
        return steps(links(vm), target, mode, extras);
    }

    /** Every (TSI, uplink) of a VM: the uplinks serving each TSI's VN. */
    private List<Link> links(Vm vm) {
        List<Link> links = new ArrayList<>();
        for (TsiSpec spec : vm.tsis) {
            for (Up up : uplinksFor(spec.vnId())) {
                links.add(link(vm, spec, up));
            }
        }
        return links;
    }

    /** Runs one step on some (TSI, uplink)s; completes when all answered (at once for none). */
    private CompletableFuture<OpResult> steps(List<Link> links, TsiState target, VsiMode mode,
            java.util.function.Function<Link, List<OrgTlv>> extras) {
        Combine all = new Combine(links.size());
        for (Link l : links) {
            l.desired = target;
            drive(l, target, mode, extras.apply(l), all);
        }
        return all.future;
    }

    private void vmState(Vm vm, VmState to, String cause) {
        if (vm.state != to) {
            emit(new TnveEvent.VmStateChanged(vm.name, vm.state.name(), to.name(), cause));
            vm.state = to;
        }
    }

    private Vm vm(String name) {
        Vm vm = vms.get(name);
        if (vm == null) {
            throw new IllegalArgumentException("no VM named '" + name + "'");
        }
        return vm;
    }

    private static CompletableFuture<OpResult> refused(String why) {
        return CompletableFuture.completedFuture(OpResult.failed(4, why));
    }

    /**
     * LC-CREATE, OPS-2: defines a VM and associates its TSIs while it is shut down. If any association
     * fails (a refusal or no answer), the others are undone and the VM is forgotten: a refused create
     * leaves nothing behind, and the same VM can be created again.
     */
    public CompletableFuture<OpResult> create(String name, List<TsiSpec> tsis) {
        if (vms.containsKey(name)) {
            return refused("VM '" + name + "' exists");
        }
        CompletableFuture<OpResult> over = checkLimits(name, "create", tsis);
        if (over != null) {
            return over; // OPS-3: nothing registered, nothing sent
        }
        Vm vm = new Vm(name, tsis, VmState.PREPARING);
        vms.put(name, vm);
        emit(new TnveEvent.VmStateChanged(name, "-", VmState.PREPARING.name(), "create"));
        return step(vm, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, l -> List.of(MigrationTlv.notMigration()))
                .thenCompose(r -> r.ok() ? done(vm, VmState.SHUTDOWN, "associated", r)
                        : rollback(vm, r, "association failed: " + r.detail()));
    }

    private CompletableFuture<OpResult> done(Vm vm, VmState to, String cause, OpResult r) {
        vmState(vm, to, cause);
        return CompletableFuture.completedFuture(r);
    }

    /**
     * Undoes a refused create or migration prepare: every TSI is de-associated (also one whose answer
     * never came: the nNVE may hold it all the same) and the VM is forgotten. Answers {@code cause}.
     */
    private CompletableFuture<OpResult> rollback(Vm vm, OpResult cause, String why) {
        return step(vm, TsiState.INIT, VsiMode.DE_ASSOCIATE, l -> List.of()).thenApply(x -> {
            vmState(vm, VmState.DESTROYED, why);
            forget(vm);
            return cause;
        });
    }

    /**
     * After a restart of this agent (REL-1): takes over a VM that exists on this hypervisor in the state it
     * is in, and re-announces its TSIs to the nNVEs (running, paused or leaving: activated; shut down,
     * suspended or arriving: associated). The nNVE kept them across the restart (session epoch,
     * docs/protocol.md 5.2): a TSI re-announced in time keeps its state and its traffic; what is not
     * re-announced is released.
     */
    public CompletableFuture<OpResult> adopt(String name, List<TsiSpec> tsis, VmState state) {
        boolean active = state == VmState.RUNNING || state == VmState.PAUSED || state == VmState.MIGRATING_OUT;
        return adopt(name, tsis, state, active ? TsiState.ACTIVATED : TsiState.ASSOCIATED, null);
    }

    /**
     * REL-1: {@link #adopt(String, List, VmState)} with the state its TSIs were announced in ({@link #wanted}
     * when it was recorded): ACTIVATED, ASSOCIATED, or INIT for a VM shut down with its TSIs de-associated,
     * which sends nothing. {@code migration}: the live migration the VM was in, or null.
     */
    public CompletableFuture<OpResult> adopt(String name, List<TsiSpec> tsis, VmState state, TsiState announce,
            UUID migration) {
        if (vms.containsKey(name)) {
            return refused("VM '" + name + "' exists");
        }
        if (state == VmState.PREPARING || state == VmState.DESTROYED) {
            return refused("a VM is adopted running, paused, suspended, shut down or migrating, not " + state);
        }
        if (announce == TsiState.INIT && state != VmState.SHUTDOWN) {
            return refused("only a shut-down VM is adopted with its TSIs de-associated, not a VM " + state);
        }
        CompletableFuture<OpResult> over = checkLimits(name, "adopt", tsis);
        if (over != null) {
            return over;
        }
        Vm vm = new Vm(name, tsis, state);
        vm.migration = migration;
        vms.put(name, vm);
        emit(new TnveEvent.VmStateChanged(name, "-", state.name(), "adopted after a restart"));
        if (announce == TsiState.INIT) {
            return CompletableFuture.completedFuture(OpResult.OK);
        }
        boolean quiet = state == VmState.SUSPENDED || state == VmState.MIGRATING_OUT && announce == TsiState.ASSOCIATED;
        return step(vm, announce, announce == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR, l -> {
            l.suspended = quiet;
            return List.of();
        });
    }

    /** True when every TSI of the VM is associated (or better) at every nNVE serving it. */
    public boolean associated(String name) {
        Vm vm = vm(name);
        for (TsiSpec spec : vm.tsis) {
            for (Up up : uplinksFor(spec.vnId())) {
                Link l = up.links.get(spec.id());
                if (l == null || l.confirmed == TsiState.INIT) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * LC-CREATE, OPS-2: start activates the TSIs; the VM runs only when they are activated. TSIs that are
     * not associated (the VM was shut down, or the nNVE de-associated them) are associated first, as create
     * does, each asking for a new local tag; if that fails the VM stays shut down.
     */
    public CompletableFuture<OpResult> start(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.SHUTDOWN) {
            return refused("VM '" + name + "' is " + vm.state + ", not SHUTDOWN");
        }
        List<Link> unassociated = new ArrayList<>();
        for (Link l : links(vm)) {
            l.suspended = false;
            if (l.confirmed == TsiState.INIT) {
                l.tag = 0; // the nNVE released it: another VN may use it now (REQ-7)
                unassociated.add(l);
            }
        }
        return steps(unassociated, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, l -> List.of(MigrationTlv.notMigration()))
                .thenCompose(a -> {
                    if (!a.ok()) {
                        return CompletableFuture.completedFuture(a);
                    }
                    if (vm.state != VmState.SHUTDOWN) {
                        return refused("VM '" + name + "' is " + vm.state + " now, not SHUTDOWN");
                    }
                    return step(vm, TsiState.ACTIVATED, VsiMode.ASSOCIATE, l -> List.of())
                            .thenCompose(r -> r.ok() ? done(vm, VmState.RUNNING, "activated", r)
                                    : CompletableFuture.completedFuture(r));
                });
    }

    /** LC-PAUSE: nothing changes at the nNVE. */
    public CompletableFuture<OpResult> pause(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.RUNNING) {
            return refused("VM '" + name + "' is " + vm.state + ", not RUNNING");
        }
        vmState(vm, VmState.PAUSED, "pause");
        return CompletableFuture.completedFuture(OpResult.OK);
    }

    public CompletableFuture<OpResult> unpause(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.PAUSED) {
            return refused("VM '" + name + "' is " + vm.state + ", not PAUSED");
        }
        vmState(vm, VmState.RUNNING, "unpause");
        return CompletableFuture.completedFuture(OpResult.OK);
    }

    /** LC-SUSPEND: Activated to Associated, resources kept (deactivate extension). */
    public CompletableFuture<OpResult> suspend(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.RUNNING && vm.state != VmState.PAUSED) {
            return refused("VM '" + name + "' is " + vm.state);
        }
        return step(vm, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, l -> {
            l.suspended = true;
            return List.of(new DeactivateTlv(false, DeactivateTlv.Cause.SUSPEND));
        }).thenCompose(r -> {
            if (r.ok()) {
                return done(vm, VmState.SUSPENDED, "deactivated", r);
            }
            // refused (a standard bridge refuses Associate -> Pre-Associate): still running, not "suspended"
            for (Up up : uplinks) {
                for (Link l : up.links.values()) {
                    if (l.vm == vm && l.confirmed == TsiState.ACTIVATED) {
                        l.suspended = false;
                    }
                }
            }
            return CompletableFuture.completedFuture(r);
        });
    }

    /** LC-SUSPEND: resume activates again. */
    public CompletableFuture<OpResult> resume(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.SUSPENDED) {
            return refused("VM '" + name + "' is " + vm.state + ", not SUSPENDED");
        }
        return step(vm, TsiState.ACTIVATED, VsiMode.ASSOCIATE, l -> {
            l.suspended = false;
            return List.of();
        }).thenCompose(r -> r.ok() ? done(vm, VmState.RUNNING, "activated", r) : CompletableFuture.completedFuture(r));
    }

    /**
     * OPS-2, REQ-9: brings back a VM whose TSIs the nNVE deactivated or de-associated on its own initiative
     * (the end device reports that and never undoes it behind the orchestrator's back). Every TSI not in the
     * state the VM's state asks for (running or paused: activated; suspended: associated) is associated and
     * activated again, a de-associated one asking for a new local tag; addresses the nNVE deactivated are
     * activated again. A VM whose TSIs are all as they should be sends nothing.
     */
    public CompletableFuture<OpResult> reconnect(String name) {
        Vm vm = vm(name);
        TsiState target = switch (vm.state) {
            case RUNNING, PAUSED -> TsiState.ACTIVATED;
            case SUSPENDED -> TsiState.ASSOCIATED;
            case PREPARING, SHUTDOWN, MIGRATING_IN, MIGRATING_OUT, DESTROYED -> null;
        };
        if (target == null) {
            return refused("VM '" + name + "' is " + vm.state + "; reconnect needs RUNNING, PAUSED or SUSPENDED"
                    + (vm.state == VmState.SHUTDOWN ? " (start associates and activates a shut-down VM)" : ""));
        }
        List<Link> behind = new ArrayList<>();
        List<Link> partly = new ArrayList<>();
        for (Link l : links(vm)) {
            if (l.confirmed != target) {
                if (l.confirmed == TsiState.INIT) {
                    l.tag = 0; // the nNVE released it: another VN may use it now (REQ-7)
                }
                l.suspended = vm.state == VmState.SUSPENDED;
                behind.add(l);
            } else if (target == TsiState.ACTIVATED && !l.inactive.isEmpty()) {
                partly.add(l);
            }
        }
        Combine all = new Combine(behind.size() + partly.size());
        for (Link l : behind) {
            l.desired = target;
            drive(l, target, target == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR, List.of(), all);
        }
        for (Link l : partly) {
            // REQ-8: the addresses the nNVE deactivated, activated again (as activateAddresses does)
            List<TsiAddress> again = List.copyOf(l.inactive);
            List<OrgTlv> extras = new ArrayList<>(TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, transaction(),
                    again, 480));
            extras.add(new DeactivateTlv(true, DeactivateTlv.Cause.ADMINISTRATIVE));
            drive(l, TsiState.ACTIVATED, VsiMode.ASSOCIATE, extras, r -> {
                if (r.ok()) {
                    l.inactive = new ArrayList<>();
                }
                all.accept(r);
            });
        }
        return all.future;
    }

    /**
     * LC-TERMINATE, OPS-2: power-off de-associates every TSI that is associated; the VM stays defined here,
     * SHUTDOWN ({@link #start} runs it again, {@link #delete} forgets it). A VM shut down already sends
     * nothing.
     */
    public CompletableFuture<OpResult> shutdown(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.RUNNING && vm.state != VmState.PAUSED && vm.state != VmState.SUSPENDED
                && vm.state != VmState.SHUTDOWN) {
            return refused("VM '" + name + "' is " + vm.state + "; shutdown needs RUNNING, PAUSED, SUSPENDED or SHUTDOWN"
                    + (vm.state == VmState.MIGRATING_IN || vm.state == VmState.MIGRATING_OUT ? " (migrate abort or"
                            + " finish ends a migration)" : ""));
        }
        return deassociate(vm).thenApply(r -> {
            vmState(vm, VmState.SHUTDOWN, r.ok() ? "de-associated" : "powered off; de-associate: " + r.detail());
            return r;
        });
    }

    /**
     * OPS-2: forgets a shut-down VM: it is no longer defined on this hypervisor (a TSI still associated,
     * e.g. a VM created and never started, is de-associated first). The VM is gone even when an nNVE does
     * not confirm that De-Associate (the answer says so).
     */
    public CompletableFuture<OpResult> delete(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.SHUTDOWN) {
            return refused("VM '" + name + "' is " + vm.state + "; delete needs SHUTDOWN (shut it down first)");
        }
        vmState(vm, VmState.DESTROYED, "delete");
        return deassociate(vm).thenApply(r -> {
            forget(vm);
            return r;
        });
    }

    /** De-associates the (TSI, uplink)s of a VM that are associated or on their way; the others send nothing. */
    private CompletableFuture<OpResult> deassociate(Vm vm) {
        List<Link> held = new ArrayList<>();
        for (Link l : links(vm)) {
            l.suspended = false;
            if (l.confirmed != TsiState.INIT || l.pending != null || !l.next.isEmpty()) {
                held.add(l);
            } else {
                l.desired = TsiState.INIT;
            }
        }
        return steps(held, TsiState.INIT, VsiMode.DE_ASSOCIATE, l -> List.of());
    }

    /** LC-TERMINATE of a VM that leaves this hypervisor: de-associate every TSI, forget the VM. */
    private CompletableFuture<OpResult> terminate(Vm vm, String cause) {
        return step(vm, TsiState.INIT, VsiMode.DE_ASSOCIATE, l -> List.of()).thenApply(r -> {
            vmState(vm, VmState.DESTROYED, cause);
            forget(vm);
            return r;
        });
    }

    private void forget(Vm vm) {
        vms.remove(vm.name);
        for (Up up : uplinks) {
            for (TsiSpec s : vm.tsis) {
                Link l = up.links.get(s.id());
                if (l != null && l.vm == vm && l.pending == null) {
                    up.links.remove(s.id());
                    up.noticed.remove(l);
                }
            }
        }
    }

    /** LC-MIGRATE, destination: associate with the arrival indication before the VM runs here. */
    public CompletableFuture<OpResult> migratePrepare(String name, List<TsiSpec> tsis, UUID migration) {
        if (vms.containsKey(name)) {
            return refused("VM '" + name + "' exists here");
        }
        CompletableFuture<OpResult> over = checkLimits(name, "migrate_prepare", tsis);
        if (over != null) {
            return over;
        }
        Vm vm = new Vm(name, tsis, VmState.MIGRATING_IN);
        vm.migration = migration;
        vms.put(name, vm);
        emit(new TnveEvent.VmStateChanged(name, "-", VmState.MIGRATING_IN.name(), "migration " + migration));
        return step(vm, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, l -> List.of(MigrationTlv.arrival(migration)))
                .thenCompose(r -> r.ok() ? CompletableFuture.completedFuture(r)
                        : rollback(vm, r, "migration prepare failed: " + r.detail()));
    }

    /** LC-MIGRATE, destination: activate (arrival); the VM runs here from now on. */
    public CompletableFuture<OpResult> migrateActivate(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.MIGRATING_IN) {
            return refused("VM '" + name + "' is " + vm.state + ", not MIGRATING_IN");
        }
        return step(vm, TsiState.ACTIVATED, VsiMode.ASSOCIATE, l -> List.of(MigrationTlv.arrival(vm.migration)))
                .thenCompose(r -> r.ok() ? done(vm, VmState.RUNNING, "migration arrived", r)
                        : CompletableFuture.completedFuture(r));
    }

    /**
     * LC-MIGRATE, source: the transfer of execution begins. The VM leaves RUNNING here (RFC 8394
     * section 2.2: it must not run on both hypervisors at once) while its TSIs stay activated until the
     * destination's are (make-before-break); {@link #migrateDepart} deactivates them after that.
     */
    public CompletableFuture<OpResult> migrateStart(String name, UUID migration) {
        Vm vm = vm(name);
        if (vm.state != VmState.RUNNING && vm.state != VmState.PAUSED) {
            return refused("VM '" + name + "' is " + vm.state + ", not RUNNING or PAUSED");
        }
        vm.migration = migration;
        vmState(vm, VmState.MIGRATING_OUT, "migration " + migration);
        return CompletableFuture.completedFuture(OpResult.OK);
    }

    /** LC-MIGRATE, source: the VM stops here: deactivate with the departure indication. */
    public CompletableFuture<OpResult> migrateDepart(String name, UUID migration) {
        Vm vm = vm(name);
        vm.migration = migration;
        vmState(vm, VmState.MIGRATING_OUT, "migration " + migration);
        return step(vm, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, l -> List.of(MigrationTlv.departure(migration),
                new DeactivateTlv(false, DeactivateTlv.Cause.MIGRATION_DEPARTURE)));
    }

    /**
     * LC-MIGRATE, source: the migration is over: de-associate (LC-TERMINATE of the source side); the VM
     * left this hypervisor and is forgotten here.
     */
    public CompletableFuture<OpResult> migrateFinish(String name) {
        return terminate(vm(name), "migrated away");
    }

    /** LC-MIGRATE abort: the source runs the VM again; the destination de-associates and forgets it. */
    public CompletableFuture<OpResult> migrateAbort(String name) {
        Vm vm = vm(name);
        if (vm.state == VmState.MIGRATING_OUT) {
            // source side: the VM keeps running here
            return step(vm, TsiState.ACTIVATED, VsiMode.ASSOCIATE, l -> List.of(MigrationTlv.notMigration()))
                    .thenCompose(r -> done(vm, VmState.RUNNING, "migration aborted", r));
        }
        return terminate(vm, "migration aborted");
    }

    /**
     * REQ-10: adds, removes or replaces IP addresses of a TSI; the TSI's state does not change
     * (SM-TSI-6). Needs the TSI addresses extension on the nNVE.
     */
    /**
     * REQ-8: deactivates some addresses of an activated TSI (they stop forwarding, resources stay), at
     * every nNVE serving it; deactivating every address is a plain deactivate (the TSI is Associated).
     * Needs the deactivate and TSI addresses extensions.
     */
    public CompletableFuture<OpResult> deactivateAddresses(String name, VsiId tsi, List<TsiAddress> addresses) {
        return partial(name, tsi, addresses, true);
    }

    /** REQ-8: activates again some addresses of an activated TSI that were deactivated. */
    public CompletableFuture<OpResult> activateAddresses(String name, VsiId tsi, List<TsiAddress> addresses) {
        return partial(name, tsi, addresses, false);
    }

    /** The addresses a TSI has at an nNVE: its MAC and its IP addresses. */
    private static List<TsiAddress> all(TsiSpec spec) {
        List<TsiAddress> out = new ArrayList<>(1 + spec.ips().size());
        out.add(TsiAddress.mac(spec.mac()));
        out.addAll(spec.ips());
        return out;
    }

    private CompletableFuture<OpResult> partial(String name, VsiId tsi, List<TsiAddress> addresses, boolean deactivate) {
        Vm vm = vm(name);
        TsiSpec spec = null;
        for (TsiSpec s : vm.tsis) {
            if (s.id().equals(tsi)) {
                spec = s;
            }
        }
        if (spec == null) {
            return refused("VM '" + name + "' has no TSI " + tsi);
        }
        if (addresses.isEmpty() || !all(spec).containsAll(addresses)) {
            return refused("not addresses of TSI " + tsi + ": " + addresses);
        }
        List<Up> ups = uplinksFor(spec.vnId());
        Combine each = new Combine(ups.size());
        for (Up up : ups) {
            Link l = link(vm, spec, up);
            if (!up.has(Feature.DEACTIVATE) || !up.has(Feature.TSI_ADDRESSES)) {
                each.accept(OpResult.failed(4, up.cfg.name() + " does not support deactivating some addresses"));
                continue;
            }
            if (l.confirmed != TsiState.ACTIVATED) {
                each.accept(OpResult.failed(4, "TSI " + tsi + " is " + l.confirmed + " at " + up.cfg.name() + ", not ACTIVATED"));
                continue;
            }
            List<TsiAddress> next = new ArrayList<>(l.inactive);
            if (deactivate) {
                for (TsiAddress a : addresses) {
                    if (!next.contains(a)) {
                        next.add(a);
                    }
                }
            } else {
                next.removeAll(addresses);
            }
            boolean whole = next.containsAll(all(spec));
            List<OrgTlv> extras = new ArrayList<>(TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, transaction(),
                    addresses, 480));
            extras.add(new DeactivateTlv(true, DeactivateTlv.Cause.ADMINISTRATIVE));
            drive(l, whole ? TsiState.ASSOCIATED : TsiState.ACTIVATED,
                    deactivate ? VsiMode.PRE_ASSOCIATE_RR : VsiMode.ASSOCIATE, extras, r -> {
                        if (r.ok()) {
                            l.inactive = whole ? new ArrayList<>() : next;
                        }
                        each.accept(r);
                    });
        }
        return each.future;
    }

    /** Addresses of a TSI deactivated at one nNVE while the TSI is Activated. */
    public List<TsiAddress> inactiveAddresses(String uplink, VsiId tsi) {
        Up up = uplinkByName.get(uplink);
        Link l = up == null ? null : up.links.get(tsi);
        return l == null ? List.of() : List.copyOf(l.inactive);
    }

    public CompletableFuture<OpResult> updateAddresses(String name, VsiId tsi, TsiAddressTlv.Operation op,
            List<TsiAddress> addresses) {
        Vm vm = vm(name);
        TsiSpec spec = null;
        for (TsiSpec s : vm.tsis) {
            if (s.id().equals(tsi)) {
                spec = s;
            }
        }
        if (spec == null) {
            return refused("VM '" + name + "' has no TSI " + tsi);
        }
        // an ordered set: linear in the addresses however many there are (SEC-6)
        java.util.LinkedHashSet<TsiAddress> next = new java.util.LinkedHashSet<>(spec.ips());
        switch (op) {
            case ADD -> next.addAll(addresses);
            case REMOVE -> addresses.forEach(next::remove);
            case REPLACE -> {
                next.clear();
                next.addAll(addresses);
            }
        }
        long count = 1L + next.size();
        long named = 1L + addresses.size(); // what the change itself carries: never more than a TSI may hold
        for (Up up : uplinksFor(spec.vnId())) {
            long max = limit(up, CapabilityTlv.Limit.ADDRESSES_PER_TSI);
            if (count > max || named > max) {
                // OPS-3: refused before anything is sent; the TSI keeps its addresses
                return overLimit(name, tsi.toString(), up, "addresses", CapabilityTlv.Limit.ADDRESSES_PER_TSI,
                        Math.max(count, named), count > max ? "TSI " + tsi + " would have " + count
                                + " addresses (its MAC and " + next.size() + " IP addresses)"
                                : "the change names " + addresses.size() + " addresses, more than TSI " + tsi + " may have");
            }
        }
        List<TsiAddress> ips = new ArrayList<>(next);
        TsiSpec updated = spec.withIps(ips);
        List<TsiSpec> list = new ArrayList<>(vm.tsis);
        list.replaceAll(s -> s.id().equals(tsi) ? updated : s);
        vm.tsis = List.copyOf(list);
        CompletableFuture<OpResult> f = new CompletableFuture<>();
        List<Up> ups = uplinksFor(updated.vnId());
        int[] left = {ups.size()};
        int[] applied = {0};
        OpResult[] first = {null};
        TsiSpec before = spec;
        Runnable finish = () -> {
            if (first[0] != null && applied[0] == 0) {
                // No nNVE took the change: the TSI keeps the addresses it had (what the nNVEs hold).
                unupdate(vm, before, updated);
            }
            f.complete(first[0] == null ? OpResult.OK : first[0]);
        };
        for (Up up : ups) {
            Link l = link(vm, updated, up);
            if (!up.has(Feature.TSI_ADDRESSES)) {
                if (first[0] == null) {
                    first[0] = OpResult.failed(4, up.cfg.name() + " does not support the TSI addresses extension");
                }
                if (--left[0] == 0) {
                    finish.run();
                }
                continue;
            }
            TsiState s = l.confirmed;
            List<OrgTlv> frags = new ArrayList<>(TsiAddressTlv.split(op, transaction(), addresses, 480));
            drive(l, s, s == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR, frags, r -> {
                if (r.ok()) {
                    applied[0]++;
                } else if (first[0] == null) {
                    first[0] = r;
                }
                if (--left[0] == 0) {
                    finish.run();
                }
            });
        }
        return f;
    }

    /** Puts a TSI's spec back where a refused address change replaced it. */
    private void unupdate(Vm vm, TsiSpec before, TsiSpec updated) {
        List<TsiSpec> list = new ArrayList<>(vm.tsis);
        list.replaceAll(s -> s == updated ? before : s);
        vm.tsis = List.copyOf(list);
        for (Up up : uplinks) {
            Link l = up.links.get(before.id());
            if (l != null && l.spec == updated) {
                l.spec = before;
            }
        }
    }

    /**
     * REQ-5, REQ-7: connects a VN explicitly, before any TSI of it, on every nNVE that serves it, and
     * asks for local tags (0: "assign one"). Needs the VN connect extension.
     */
    public CompletableFuture<OpResult> connectVn(long vn, List<Integer> tags) {
        return vnOp(vn, VnConnectTlv.Operation.CONNECT, tags);
    }

    /** REQ-5: disconnects a VN explicitly (its TSIs must be gone for the nNVE to release it). */
    public CompletableFuture<OpResult> disconnectVn(long vn) {
        return vnOp(vn, VnConnectTlv.Operation.DISCONNECT, List.of());
    }

    private CompletableFuture<OpResult> vnOp(long vn, VnConnectTlv.Operation op, List<Integer> tags) {
        List<Up> ups = uplinksFor(vn);
        Combine each = new Combine(ups.size());
        for (Up up : ups) {
            Runnable go = () -> {
                if (!up.has(Feature.VN_CONNECT)) {
                    each.accept(OpResult.failed(4, up.cfg.name() + " does not support explicit VN connect"));
                    return;
                }
                if (up.vnPending.containsKey(vn)) {
                    each.accept(OpResult.failed(4, "a VN connect for " + vn + " is already in flight"));
                    return;
                }
                up.vnPending.put(vn, each);
                VnConnectTlv item = VnConnectTlv.request(op, VnId.group(vn), tags);
                up.ecp.submit(item, new VnSent(up, vn, item));
            };
            if (up.ready) {
                go.run();
            } else {
                up.hold(go, each);
            }
        }
        return each.future;
    }

    // ------------------------------------------------------------------ queries

    /** The local tags an nNVE gave for an explicitly connected VN (REQ-7), or an empty list. */
    public List<Integer> vnTags(String uplink, long vn) {
        return uplinkByName.get(uplink).vnTags.getOrDefault(vn, List.of());
    }

    public Collection<Vm> vms() {
        return List.copyOf(vms.values());
    }

    public Vm vmNamed(String name) {
        return vms.get(name);
    }

    /** A TSI's state as one nNVE (uplink) confirmed it. */
    public TsiState tsiState(String uplink, VsiId tsi) {
        Up up = uplinkByName.get(uplink);
        Link l = up == null ? null : up.links.get(tsi);
        return l == null ? TsiState.INIT : l.confirmed;
    }

    /**
     * The local tag the nNVE answered for a TSI, or 0: also for a TSI at INIT, whose tag the nNVE released
     * (another VN may use it now).
     */
    public int localTag(String uplink, VsiId tsi) {
        Up up = uplinkByName.get(uplink);
        Link l = up == null ? null : up.links.get(tsi);
        return l == null || l.confirmed == TsiState.INIT ? 0 : l.tag;
    }

    /**
     * REL-1: the state this end device wants a VM's TSIs in at their nNVEs, the highest over its TSIs and
     * the uplinks serving them (INIT: none is to be associated, e.g. a VM shut down): what an agent that
     * restarts announces again ({@link #adopt(String, List, VmState, TsiState, UUID)}).
     */
    public TsiState wanted(String name) {
        Vm vm = vm(name);
        TsiState max = TsiState.INIT;
        for (TsiSpec spec : vm.tsis) {
            for (Up up : uplinksFor(spec.vnId())) {
                Link l = up.links.get(spec.id());
                if (l != null && l.desired.compareTo(max) > 0) {
                    max = l.desired;
                }
            }
        }
        return max;
    }

    public boolean uplinkAlive(String uplink) {
        return uplinkByName.get(uplink).alive;
    }

    /** The nNVE's MAC on an uplink: configured, or learned from its first frame; null while unknown. */
    public MacAddress uplinkPeer(String uplink) {
        return uplinkByName.get(uplink).nnve;
    }

    public boolean uplinkHasExtensions(String uplink) {
        return uplinkByName.get(uplink).common != null;
    }

    /**
     * REL-7: whether the nNVE holds what this end device believes it holds on an uplink: the uplink is
     * ready and alive and no resynchronisation is under way or owed.
     */
    public boolean uplinkInSync(String uplink) {
        Up up = uplinkByName.get(uplink);
        return up.ready && up.alive && up.resyncLeft == 0 && !up.resyncPending;
    }

    /** OPS-1: the IP addresses of a TSI as one nNVE (uplink) acknowledged them. */
    public List<TsiAddress> acknowledgedIps(String uplink, VsiId tsi) {
        Up up = uplinkByName.get(uplink);
        Link l = up == null ? null : up.links.get(tsi);
        return l == null || l.confirmed == TsiState.INIT ? List.of() : l.ackedIps;
    }

    public EcpEndpoint ecp(String uplink) {
        return uplinkByName.get(uplink).ecp;
    }

    public int epoch() {
        return epoch;
    }
}
