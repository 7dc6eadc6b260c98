package org.splitnve.sim;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.splitnve.protocol.ManualClock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.EventFormat;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.pcap.PcapWriter;

/**
 * A deterministic discrete-event simulation of engines ({@link PortAgent}s) on Ethernet links and
 * bridges. One {@link ManualClock} is the time of everything; one seeded {@link SplittableRandom}
 * is the chance of everything (each link direction gets its own stream split from it when the link
 * is made): the same seed and the same scenario give the same run, bit for bit
 * ({@link #fingerprint()}).
 *
 * <p>Use: {@link #addHost} builds each engine with the {@link PortIo} of a new host and
 * {@link #clock()} as its clock; {@link #addSwitch} adds learning bridges; {@link #connect} cables
 * ports. {@link #run(long)} then repeatedly takes the earliest of the next frame arrival, the next
 * scheduled action ({@link #at}) and the earliest {@link PortAgent#nextDeadline()} of all nodes,
 * sets the clock to it, and delivers the frame ({@link PortAgent#onFrame}), runs the action, or calls
 * {@link PortAgent#onTimer()} on every node whose deadline is due. Frames an agent sends while it is
 * called are put on the link at once and arrive after the link's delay (never within the call).
 * Arrivals and actions at the same instant keep the order they were scheduled in; they come before
 * timers due at that instant; timers run in node order.
 *
 * <p>Times are absolute virtual nanoseconds from 0. Single-threaded; not thread-safe.
 */
public final class Simulation {
    /** Default cap on steps at one virtual instant before {@link #run} gives up. */
    public static final long DEFAULT_MAX_STEPS_PER_INSTANT = 1_000_000;

    /** An event an engine reported through {@link #eventSink(String)}, with the virtual time. */
    public record LoggedEvent(long nanos, String node, Event event) {
        public String logfmt() {
            return EventFormat.logfmt(nanos, node, event);
        }

        @Override
        public String toString() {
            return logfmt();
        }
    }

    private record Scheduled(long at, long order, long digest, String label, Runnable action) {
    }

    private final long seed;
    private final ManualClock clock = new ManualClock();
    private final SplittableRandom random;
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, Node> byName = new LinkedHashMap<>();
    private final List<Link> links = new ArrayList<>();
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>(
            (x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.order, y.order));
    private long order;
    private boolean capturing;
    private final List<CapturedFrame> captured = new ArrayList<>();
    private final List<LoggedEvent> eventLog = new ArrayList<>();
    private long steps;
    private long fingerprint = 0xCBF29CE484222325L;
    private long maxStepsPerInstant = DEFAULT_MAX_STEPS_PER_INSTANT;
    private long instant = -1;
    private long stepsAtInstant;
    private Consumer<String> trace;

    public Simulation(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    public long seed() {
        return seed;
    }

    /** The clock every engine must use. */
    public ManualClock clock() {
        return clock;
    }

    public long now() {
        return clock.nanos();
    }

    /** The simulation's random generator, for scenarios (which VM moves, when a link fails). */
    public RandomGenerator random() {
        return random;
    }

    // ---------------------------------------------------------------- topology

    /**
     * Adds a host with {@code ports} ports whose MACs are derived from its position:
     * {@code 02:00:00:nn:nn:pp} (locally administered unicast; nn:nn the node number from 1, pp the
     * port), and builds its agent with the host's {@link PortIo}.
     */
    public Host addHost(String name, int ports, Function<PortIo, ? extends PortAgent> factory) {
        return addHost(name, List.of(derivedMacs(ports)), factory);
    }

    /** Adds a host whose ports have these MACs, in port order. */
    public Host addHost(String name, List<MacAddress> macs, Function<PortIo, ? extends PortAgent> factory) {
        checkName(name, macs.size());
        Host h = new Host(this, name, nodes.size(), macs.toArray(MacAddress[]::new), factory);
        register(h);
        return h;
    }

    /** Adds a learning bridge with {@code ports} ports (MACs derived as for hosts). */
    public EthernetSwitch addSwitch(String name, int ports) {
        checkName(name, ports);
        EthernetSwitch s = new EthernetSwitch(this, name, nodes.size(), derivedMacs(ports));
        register(s);
        return s;
    }

    private MacAddress[] derivedMacs(int ports) {
        if (ports < 1 || ports > 256) {
            throw new IllegalArgumentException("1 to 256 ports, not " + ports);
        }
        long n = nodes.size() + 1L;
        if (n > 0xFFFF) {
            throw new IllegalStateException("too many nodes for derived MACs");
        }
        MacAddress[] macs = new MacAddress[ports];
        for (int p = 0; p < ports; p++) {
            macs[p] = new MacAddress(0x0200_0000_0000L | (n << 8) | p);
        }
        return macs;
    }

    private void checkName(String name, int ports) {
        if (name == null || name.isBlank() || byName.containsKey(name)) {
            throw new IllegalArgumentException("node name missing or taken: " + name);
        }
        if (ports < 1) {
            throw new IllegalArgumentException("a node needs a port");
        }
    }

    private void register(Node n) {
        nodes.add(n);
        byName.put(n.name(), n);
    }

    public Node node(String name) {
        Node n = byName.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no node " + name);
        }
        return n;
    }

    public List<Node> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    public List<Link> links() {
        return Collections.unmodifiableList(links);
    }

    /** Cables {@code a.portA} to {@code b.portB}; both ports must be free. */
    public Link connect(Node a, int portA, Node b, int portB, LinkProfile profile) {
        a.checkPort(portA);
        b.checkPort(portB);
        if (a == b && portA == portB) {
            throw new IllegalArgumentException("a port cannot be cabled to itself");
        }
        if (a.egress[portA] != null || b.egress[portB] != null) {
            throw new IllegalStateException("port already connected: " + (a.egress[portA] != null
                    ? a.name() + "." + portA : b.name() + "." + portB));
        }
        Link l = new Link(this, a, portA, b, portB, profile, random.split(), random.split());
        a.egress[portA] = l.aToB();
        b.egress[portB] = l.bToA();
        links.add(l);
        return l;
    }

    public Link connect(Node a, int portA, Node b, int portB) {
        return connect(a, portA, b, portB, LinkProfile.CLEAN);
    }

    /** Unplugs a link: frames in flight are lost; both ports are free again. */
    public void disconnect(Link link) {
        if (!links.remove(link)) {
            throw new IllegalArgumentException(link.name() + " is not connected");
        }
        link.detach();
        link.aToB().fromNode().egress[link.aToB().fromPort()] = null;
        link.bToA().fromNode().egress[link.bToA().fromPort()] = null;
    }

    // ---------------------------------------------------------------- scheduling

    /** Runs {@code action} at virtual time {@code nanos} (scenario steps: cut a link, submit work). */
    public void at(long nanos, Runnable action) {
        at(nanos, "action", action);
    }

    public void at(long nanos, String label, Runnable action) {
        if (nanos < now()) {
            throw new IllegalArgumentException("time does not go back: " + nanos + " < " + now());
        }
        queue.add(new Scheduled(nanos, order++, label.hashCode(), label, action));
    }

    /** Runs {@code action} {@code delayNanos} from now. */
    public void after(long delayNanos, Runnable action) {
        at(Math.addExact(now(), delayNanos), action);
    }

    void scheduleDelivery(long at, Link.Direction d, byte[] frame, CapturedFrame cap) {
        long digest = ((long) d.toNode().index() << 40) ^ ((long) d.toPort() << 32) ^ Arrays.hashCode(frame);
        queue.add(new Scheduled(at, order++, digest, null, () -> d.arrive(frame, cap)));
        if (trace != null) {
            trace.accept(stamp(now()) + " send " + d.name() + " " + frame.length + "B arrives " + stamp(at));
        }
    }

    /** Virtual time of the next arrival, action or timer; {@link Long#MAX_VALUE} when there is none. */
    public long nextEventNanos() {
        long t = queue.isEmpty() ? Long.MAX_VALUE : queue.peek().at;
        return Math.min(t, nextDeadline());
    }

    private long nextDeadline() {
        long t = Long.MAX_VALUE;
        for (Node n : nodes) {
            t = Math.min(t, n.agent().nextDeadline());
        }
        return t;
    }

    // ---------------------------------------------------------------- running

    /** Runs everything scheduled up to and including {@code untilNanos}; the clock then reads {@code untilNanos}. */
    public void run(long untilNanos) {
        if (untilNanos < now()) {
            throw new IllegalArgumentException("time does not go back: " + untilNanos + " < " + now());
        }
        while (step(untilNanos)) {
            // step
        }
        clock.set(untilNanos);
    }

    /** {@link #run(long)} until {@code durationNanos} from now. */
    public void runFor(long durationNanos) {
        run(Math.addExact(now(), durationNanos));
    }

    /**
     * Runs until nothing is scheduled at or before {@code limitNanos}; the clock stays at the last
     * step. Returns true when nothing at all is scheduled any more (idle), false when the next thing
     * lies beyond the limit (e.g. a keep-alive timer: engines with periodic timers are never idle,
     * so give them a finite limit).
     */
    public boolean runUntilIdle(long limitNanos) {
        while (step(limitNanos)) {
            // step
        }
        return nextEventNanos() == Long.MAX_VALUE;
    }

    /** Runs the single next step if it is due at or before {@code limitNanos}; false if there is none. */
    public boolean step(long limitNanos) {
        long tq = queue.isEmpty() ? Long.MAX_VALUE : queue.peek().at;
        long ta = nextDeadline();
        long t = Math.min(tq, ta);
        if (t == Long.MAX_VALUE || t > limitNanos) {
            return false;
        }
        long now = Math.max(t, now());
        clock.set(now);
        guard(now);
        steps++;
        if (tq <= ta) {
            Scheduled s = queue.poll();
            mix(now);
            mix(s.digest);
            if (s.label != null && trace != null) {
                trace.accept(stamp(now) + " " + s.label);
            }
            s.action.run();
        } else {
            for (Node n : nodes) {
                PortAgent a = n.agent();
                if (a.nextDeadline() <= now) {
                    mix(now);
                    mix(~(long) n.index());
                    if (trace != null) {
                        trace.accept(stamp(now) + " timer " + n.name());
                    }
                    a.onTimer();
                }
            }
        }
        return true;
    }

    private void guard(long now) {
        if (now != instant) {
            instant = now;
            stepsAtInstant = 0;
        }
        if (++stepsAtInstant > maxStepsPerInstant) {
            List<String> due = new ArrayList<>();
            for (Node n : nodes) {
                if (n.agent().nextDeadline() <= now) {
                    due.add(n.name());
                }
            }
            throw new IllegalStateException("simulation stuck at t=" + stamp(now) + ": more than "
                    + maxStepsPerInstant + " steps without time advancing (a nextDeadline() that stays due after "
                    + "onTimer(), or a forwarding loop without delay); nodes due: " + due + ", frames and actions "
                    + "queued: " + queue.size());
        }
    }

    public void setMaxStepsPerInstant(long max) {
        if (max < 1) {
            throw new IllegalArgumentException("at least one step");
        }
        this.maxStepsPerInstant = max;
    }

    /** Steps run so far (arrivals, actions, timer rounds). */
    public long steps() {
        return steps;
    }

    /**
     * A hash of every step so far: its time, what it delivered to whom, whose timers ran. Two runs
     * with the same fingerprint did the same things at the same times.
     */
    public long fingerprint() {
        return fingerprint;
    }

    private void mix(long v) {
        long h = fingerprint ^ v;
        h *= 0x100000001B3L;
        h ^= h >>> 29;
        fingerprint = h * 0x9E3779B97F4A7C15L;
    }

    /** Receives one line per step, send and loss (null: off). For debugging a scenario. */
    public void setTrace(Consumer<String> trace) {
        this.trace = trace;
    }

    void traceLoss(Link.Direction d, byte[] frame, String why) {
        if (trace != null) {
            trace.accept(stamp(now()) + " drop " + d.name() + " " + frame.length + "B (" + why + ")");
        }
    }

    void traceArrival(Link.Direction d, byte[] frame) {
        if (trace != null) {
            trace.accept(stamp(now()) + " recv " + d.name() + " " + frame.length + "B");
        }
    }

    void traceDrop(Node n, int port) {
        if (trace != null) {
            trace.accept(stamp(now()) + " drop " + n.name() + "." + port + " (no link)");
        }
    }

    private static String stamp(long nanos) {
        return String.format("%d.%09d", nanos / 1_000_000_000L, nanos % 1_000_000_000L);
    }

    // ---------------------------------------------------------------- observation

    /** An event sink for the engine of {@code node}: events land in {@link #eventLog()} with the virtual time. */
    public EventSink eventSink(String node) {
        return e -> eventLog.add(new LoggedEvent(now(), node, e));
    }

    public List<LoggedEvent> eventLog() {
        return Collections.unmodifiableList(eventLog);
    }

    /** Records every frame put on any link direction from now on (or stops). */
    public void capture(boolean on) {
        this.capturing = on;
    }

    public boolean capturing() {
        return capturing;
    }

    CapturedFrame capture(Link.Direction d, long now, byte[] frame) {
        if (!capturing) {
            return null;
        }
        CapturedFrame c = new CapturedFrame(now, d, frame);
        captured.add(c);
        return c;
    }

    /** Frames recorded so far, in the order they were sent. */
    public List<CapturedFrame> captured() {
        return Collections.unmodifiableList(captured);
    }

    public void clearCaptured() {
        captured.clear();
    }

    /**
     * Writes the recorded frames as a pcap file (timestamps: virtual time since the epoch) for
     * {@code ./splitnve decode}, tshark or tcpdump. A frame crossing a switch appears once per link.
     */
    public void writePcap(Path file) throws IOException {
        writePcap(file, c -> true);
    }

    public void writePcap(Path file, Predicate<CapturedFrame> which) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            writePcap(out, which);
        }
    }

    /** Writes the selected recorded frames to {@code out} (left open, flushed). */
    public void writePcap(OutputStream out, Predicate<CapturedFrame> which) throws IOException {
        PcapWriter w = new PcapWriter(out);
        for (CapturedFrame c : captured) {
            if (which.test(c)) {
                w.write(c.nanos(), c.raw());
            }
        }
        w.flush();
    }

    @Override
    public String toString() {
        return "Simulation(seed=" + seed + ", t=" + stamp(now()) + ", steps=" + steps + ")";
    }
}
