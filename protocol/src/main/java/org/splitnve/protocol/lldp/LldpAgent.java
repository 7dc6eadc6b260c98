package org.splitnve.protocol.lldp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.EvbMode;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.lldp.ExtensionCapabilityTlv;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.lldp.LldpTlv;
import org.splitnve.wire.vdp.CapabilityTlv;

/**
 * An LLDP agent in front of an engine (opt-in: the daemons use it, the simulation does not): on every
 * port it sends an LLDPDU at start and every {@code interval} to the nearest customer bridge group
 * (01:80:C2:00:00:00): chassis and port ID the port's MAC, the TTL, the EVB TLV with this side's role
 * and timers, and the splitnve extension capability TLV. Every frame, LLDP included, goes on to the
 * engine, which negotiates max(own, peer) of the EVB timers ({@link Timers#negotiate}); this agent
 * remembers each neighbour's EVB TLV (per port and source, at most {@link #MAX_NEIGHBOURS}), reports a
 * neighbour that appears or changes as a {@link PeerEvb} event (SEC-3) and one whose TTL runs out as a
 * {@link PeerExpired} event; a neighbour that repeats itself every 30 s is not logged again (a port
 * shared by several, as behind a switch, used to log each of them every time). It answers a new or
 * changed peer at once (it may have started after our last LLDPDU): on the port it spoke on only, and at
 * most once per {@link #MIN_ANSWER_GAP_NANOS} per port, so forged LLDPDUs cannot make it send, or log,
 * at their rate (SEC-10, SEC-5); a change that got no answer is reported at that neighbour's next LLDPDU.
 * Runs on the engine's thread, like the engine.
 */
public final class LldpAgent<A extends PortAgent> implements PortAgent {
    /** 802.1AB msgTxInterval default. */
    public static final long DEFAULT_INTERVAL_NANOS = 30_000_000_000L;
    /** 802.1AB TTL default: 4 x interval. */
    public static final int DEFAULT_TTL = 120;
    /** SEC-10: at most one answer to a new or changed peer (and one lldp.peer line) per port per second. */
    public static final long MIN_ANSWER_GAP_NANOS = 1_000_000_000L;
    /** SEC-10: neighbours remembered at once (all ports); LLDPDUs from more sources are answered and logged as new. */
    public static final int MAX_NEIGHBOURS = 256;

    /** An LLDPDU went out of a port. */
    public record Sent(int port, MacAddress source, int ttl, String mode, Timers timers) implements Event {
        @Override
        public String name() {
            return "lldp.sent";
        }

        @Override
        public Level level() {
            return Level.DEBUG;
        }
    }

    /** The peer on a port announced EVB timers different from what it announced before (or for the first time). */
    public record PeerEvb(int port, MacAddress peer, String mode, Timers peerTimers, Timers negotiated,
            boolean extensions) implements Event {
        @Override
        public String name() {
            return "lldp.peer";
        }
    }

    /** A neighbour's TTL ran out (it stopped sending LLDPDUs, or sent one with TTL 0): it is forgotten. */
    public record PeerExpired(int port, MacAddress peer, String mode) implements Event {
        @Override
        public String name() {
            return "lldp.peer_expired";
        }
    }

    /** What a neighbour last announced, and until when it holds. */
    private record Heard(EvbTlv evb, long expires) {}

    /** An LLDPDU that does not decode. */
    public record BadLldp(int port, MacAddress source, String error) implements Event {
        @Override
        public String name() {
            return "lldp.bad_input";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    private final A engine;
    private final PortIo io;
    private final Clock clock;
    private final FrameCodec codec;
    private final EvbMode role;
    private final Timers timers;
    private final boolean groupIds;
    private final CapabilityTlv capability;
    private int ttl;
    private long interval;
    private final EventSink events;
    private final EvbTlv[] peerEvb;
    private final long[] lastAnswer;
    private final long[] unanswered;
    /** Neighbours by (port << 48 | source MAC), in the order they appeared. */
    private final java.util.Map<Long, Heard> neighbours = new java.util.LinkedHashMap<>();
    private long nextSend;
    /** What this side announces as its System Name and per port as its Port Description (null: nothing). */
    private String systemName;
    private java.util.function.IntFunction<String> portDescription = p -> null;
    /** The LLDP neighbours' names heard, least recently heard first, at most {@link #MAX_NAMED}. */
    private final java.util.LinkedHashMap<NeighbourKey, Neighbour> named = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<NeighbourKey, Neighbour> eldest) {
            return size() > MAX_NAMED;
        }
    };

    /** LLDP neighbours' names remembered (the least recently heard is forgotten first, SEC-5). */
    public static final int MAX_NAMED = 1024;

    private record NeighbourKey(int port, MacAddress source) {}

    /**
     * One LLDP neighbour: a source MAC on a port, the System Name and Port Description its last LLDPDU gave
     * (null when absent; control characters replaced by '?'), and when that LLDPDU came ({@link Clock#nanos()}).
     */
    public record Neighbour(int port, MacAddress source, String systemName, String portDescription, long heardNanos) {}

    /**
     * @param role       {@link EvbMode#BRIDGE} for the nNVE, {@link EvbMode#STATION} for the tNVE
     * @param capability the extension capability TLV announced, or null for none
     */
    public LldpAgent(A engine, PortIo io, Clock clock, int extensionOui, EvbMode role, Timers timers, boolean groupIds,
            CapabilityTlv capability, int ttl, long intervalNanos, EventSink events) {
        if (role != EvbMode.BRIDGE && role != EvbMode.STATION) {
            throw new IllegalArgumentException("an LLDP agent is a bridge or a station, not " + role);
        }
        if (intervalNanos <= 0 || ttl < 0 || ttl > 0xFFFF) {
            throw new IllegalArgumentException("interval > 0, TTL 0..65535");
        }
        this.engine = Objects.requireNonNull(engine, "engine");
        this.io = io;
        this.clock = clock;
        this.codec = new FrameCodec(extensionOui);
        this.role = role;
        this.timers = timers;
        this.groupIds = groupIds;
        this.capability = capability;
        this.ttl = ttl;
        this.interval = intervalNanos;
        this.events = events;
        this.peerEvb = new EvbTlv[io.ports()];
        this.lastAnswer = new long[io.ports()];
        java.util.Arrays.fill(lastAnswer, Long.MIN_VALUE);
        this.unanswered = new long[io.ports()];
        this.nextSend = Long.MIN_VALUE; // at the first timer call: at start
    }

    public A engine() {
        return engine;
    }

    /**
     * What this side's LLDPDUs say about it from the next one on: its System Name (e.g. the daemon's name) and,
     * per port, a Port Description (e.g. the interface name; null: none), for the neighbour's operator.
     */
    public void describe(String systemName, java.util.function.IntFunction<String> portDescription) {
        this.systemName = systemName == null || systemName.isEmpty() ? null : systemName;
        this.portDescription = portDescription == null ? p -> null : portDescription;
    }

    /** The LLDP neighbour with this source MAC on this port, or null when none was heard (or it was forgotten). */
    public Neighbour neighbour(int port, MacAddress source) {
        return named.get(new NeighbourKey(port, source));
    }

    /** Printable text of at most 64 characters: a name from the wire shown to people. */
    static String printable(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(64).forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }

    /**
     * OPS-5: a new TTL and interval (a configuration reload), from the next LLDPDU on, which goes out at once: LLDP
     * lets every LLDPDU carry its own TTL, so receivers follow. The EVB timers do not change (they are negotiated).
     */
    public void setAnnouncement(int newTtl, long newIntervalNanos) {
        if (newIntervalNanos <= 0 || newTtl < 0 || newTtl > 0xFFFF) {
            throw new IllegalArgumentException("interval > 0, TTL 0..65535");
        }
        this.ttl = newTtl;
        this.interval = newIntervalNanos;
        this.nextSend = clock.nanos();
    }

    /** The EVB TLV the peer on {@code port} last announced, or null. */
    public EvbTlv peerEvb(int port) {
        return peerEvb[port];
    }

    /** What this side uses on {@code port}: max(own, peer), or its own timers before the peer spoke. */
    public Timers negotiated(int port) {
        return peerEvb[port] == null ? timers : timers.negotiate(Timers.of(peerEvb[port]));
    }

    /** The LLDPDU this agent sends on a port with this MAC. */
    public LldpPdu pdu(MacAddress mac) {
        List<LldpTlv> tlvs = new ArrayList<>(2);
        tlvs.add(role == EvbMode.BRIDGE
                ? EvbTlv.bridge(timers.retries(), timers.rte(), timers.rwd(), timers.rka(), groupIds)
                : EvbTlv.station(timers.retries(), timers.rte(), timers.rwd(), timers.rka(), groupIds));
        if (capability != null) {
            tlvs.add(new ExtensionCapabilityTlv(capability));
        }
        return LldpPdu.ofMac(mac, ttl, tlvs);
    }

    /** Sends an LLDPDU on every port now. */
    public void announce() {
        for (int p = 0; p < io.ports(); p++) {
            announce(p);
        }
    }

    /** Sends an LLDPDU on one port now. */
    public void announce(int p) {
        MacAddress mac = io.mac(p);
        LldpPdu pdu = pdu(mac);
        String description = portDescription.apply(p);
        if (systemName != null || description != null) {
            List<LldpTlv> tlvs = new ArrayList<>(pdu.tlvs());
            if (description != null) {
                tlvs.add(LldpPdu.textTlv(LldpPdu.PORT_DESCRIPTION, description));
            }
            if (systemName != null) {
                tlvs.add(LldpPdu.textTlv(LldpPdu.SYSTEM_NAME, systemName));
            }
            pdu = new LldpPdu(pdu.chassisIdSubtype(), pdu.chassisId(), pdu.portIdSubtype(), pdu.portId(), pdu.ttl(), tlvs);
        }
        byte[] frame = codec.encode(new Frame.Lldp(
                new EthernetHeader(MacAddress.NEAREST_CUSTOMER_BRIDGE, mac, LldpPdu.ETHERTYPE), pdu), true);
        io.send(p, frame, frame.length);
        events.accept(new Sent(p, mac, ttl, role.name(), timers));
    }

    /** Changes of the peer's EVB TLV on a port that got no answer of their own (the rate limit, SEC-10). */
    public long unanswered(int port) {
        return unanswered[port];
    }

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        if (isLldp(buf, off, len)) {
            try {
                if (codec.decode(buf, off, len) instanceof Frame.Lldp l) {
                    MacAddress from = l.ethernet().source();
                    named.put(new NeighbourKey(port, from), new Neighbour(port, from,
                            printable(l.lldp().systemName()), printable(l.lldp().portDescription()), clock.nanos()));
                    heard(port, l);
                }
            } catch (DecodeException e) {
                MacAddress src = len >= 12 ? MacAddress.of(java.util.Arrays.copyOfRange(buf, off + 6, off + 12))
                        : MacAddress.ZERO;
                events.accept(new BadLldp(port, src, e.getMessage()));
                return;
            }
        }
        engine.onFrame(port, buf, off, len);
    }

    /** An LLDPDU from a neighbour: a new or changed one is logged and answered (rate-limited); the rest refreshes. */
    private void heard(int port, Frame.Lldp l) {
        EvbTlv evb = l.lldp().evb();
        if (evb == null) {
            return;
        }
        MacAddress source = l.ethernet().source();
        long key = ((long) port << 48) | source.value();
        long now = clock.nanos();
        Heard known = neighbours.get(key);
        peerEvb[port] = evb;
        if (l.lldp().ttl() == 0) {
            // 802.1AB shutdown LLDPDU: the neighbour leaves now
            if (known != null) {
                neighbours.remove(key);
                events.accept(new PeerExpired(port, source, known.evb().mode().name()));
            }
            return;
        }
        long expires = now + l.lldp().ttl() * 1_000_000_000L;
        if (known != null && known.evb().equals(evb)) {
            neighbours.put(key, new Heard(evb, expires)); // the same as before: not logged again
            return;
        }
        if (lastAnswer[port] == Long.MIN_VALUE || now - lastAnswer[port] >= MIN_ANSWER_GAP_NANOS) {
            lastAnswer[port] = now;
            if (known != null || neighbours.size() < MAX_NEIGHBOURS) {
                neighbours.put(key, new Heard(evb, expires));
            }
            events.accept(new PeerEvb(port, source, evb.mode().name(), Timers.of(evb), timers.negotiate(Timers.of(evb)),
                    l.lldp().extensionCapability() != null));
            // A new (or changed) peer may have missed what we sent before it listened: answer
            // at once (like 802.1AB fast start), on its port only (SEC-10).
            announce(port);
        } else {
            unanswered[port]++; // our next periodic LLDPDU answers it; its next LLDPDU is logged
        }
    }

    /** Forgets, and reports, the neighbours whose TTL ran out. */
    private void expire(long now) {
        var it = neighbours.entrySet().iterator();
        while (it.hasNext()) {
            var e = it.next();
            if (e.getValue().expires() - now <= 0) {
                it.remove();
                long key = e.getKey();
                events.accept(new PeerExpired((int) (key >>> 48), new MacAddress(key & 0xFFFF_FFFF_FFFFL),
                        e.getValue().evb().mode().name()));
            }
        }
    }

    /** The neighbours remembered now (SEC-10: at most {@link #MAX_NEIGHBOURS}). */
    public int neighbours() {
        return neighbours.size();
    }

    private static boolean isLldp(byte[] buf, int off, int len) {
        int at = off + 12;
        while (at + 2 <= off + len) {
            int type = ((buf[at] & 0xFF) << 8) | (buf[at + 1] & 0xFF);
            if (type == 0x8100 || type == 0x88A8) {
                at += 4;
                continue;
            }
            return type == LldpPdu.ETHERTYPE;
        }
        return false;
    }

    @Override
    public void onTimer() {
        long now = clock.nanos();
        expire(now);
        if (nextSend == Long.MIN_VALUE || now - nextSend >= 0) {
            announce();
            nextSend = now + interval;
        }
        if (engine.nextDeadline() <= now) {
            engine.onTimer();
        }
    }

    @Override
    public long nextDeadline() {
        if (nextSend == Long.MIN_VALUE) {
            return Long.MIN_VALUE;
        }
        long next = Math.min(nextSend, engine.nextDeadline());
        for (Heard n : neighbours.values()) {
            if (n.expires() - next < 0) {
                next = n.expires();
            }
        }
        return next;
    }

    /** REL-3: the engine's answer (LLDP neighbours hold no state the transport's fairness counts). */
    @Override
    public boolean established(int port, MacAddress station) {
        return engine.established(port, station);
    }
}
