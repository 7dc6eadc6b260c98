package org.splitnve.dataplane;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import org.splitnve.dataplane.openflow.Action;
import org.splitnve.dataplane.openflow.OfConnection;
import org.splitnve.dataplane.openflow.OfMessage;
import org.splitnve.dataplane.openflow.OfMessage.Port;
import org.splitnve.dataplane.openflow.Octets;

/**
 * Keeps one switch programmed, whatever happens to the switch (DP-6): one platform thread owns the connection and the
 * {@link FlowDriver}; others hand it desired tables with {@link #desire}. When the connection ends (ovs-vswitchd
 * restarted: it comes back with no OpenFlow flow at all, and a secure bridge then passes nothing) the agent
 * reconnects as soon as the bridge's socket answers again (every {@code retry}), reads what is installed, and
 * applies the desired table in one atomic step. Every {@code audit} it reconciles (drift repaired). Events (connected,
 * applied, drift repaired, lost, failures) go to {@code log} as one line each.
 *
 * <p>A desired table may depend on the switch's ports ({@link #desireByPorts}: the hypervisor's switch finds a TSI's
 * port by its interface name or MAC): the agent then reads the ports (OpenFlow port description) before each apply,
 * on every port status message the switch sends (it asks for them when it connects with such a table), and at every
 * audit, so a port that appears later is picked up.
 */
public final class SwitchAgent implements AutoCloseable {
    /** What wakes the agent's thread: a new desired table, the connection's end, or close(). */
    private enum Signal { DESIRE, CLOSED, STOP, PACKET_OUT, ASK, PORTS }

    /**
     * What an operator asks of the switch, answered on the agent's thread (which owns the connection): an audit now
     * ({@code splitnve reconcile}), or the switch's flows with their counters ({@code splitnve show flows}).
     */
    private sealed interface Ask {
        CompletableFuture<?> answer();
    }

    private record Reconcile(CompletableFuture<FlowDriver.Report> answer) implements Ask {
    }

    private record Dump(CompletableFuture<List<OfMessage.FlowStats>> answer) implements Ask {
    }

    private final java.util.Queue<Ask> asks = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Frames waiting to be sent back through the tables once table {@code after} is installed (DP-5). */
    private record Out(long after, int inPort, Octets frame) {
    }

    /** At most this many frames wait for their table; more are dropped (a frame lost, as on a busy switch). */
    private static final int MAX_OUT = 256;

    private final Path socket;
    private final int maxBundle;
    private final Duration timeout;
    private final Duration retry;
    private final Duration audit;
    private final Consumer<String> log;
    private final LinkedBlockingQueue<Signal> events = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong audits = new AtomicLong();
    /**
     * A desired table and its number (1, 2, ... in the order handed to {@link #desire}; 0: the empty one at start),
     * built from the switch's ports when {@code byPorts}.
     */
    private record Desired(long number, Function<List<Port>, List<Flow>> table, boolean byPorts) {
    }

    private volatile Desired desired = new Desired(0, p -> List.of(), false);
    private final AtomicLong desires = new AtomicLong();
    private volatile boolean synced;
    /** True from the first table applied on a connection to its end: asks are answered on the agent's thread. */
    private volatile boolean connected;
    private volatile long installed = -1;
    private volatile Consumer<OfMessage.PacketIn> packetIns;
    private volatile Consumer<List<Port>> portsListener;
    private final java.util.Queue<Out> outs = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger outCount = new java.util.concurrent.atomic.AtomicInteger();

    public SwitchAgent(Path socket, int maxBundle, Duration timeout, Duration retry, Duration audit, Consumer<String> log) {
        this.socket = Objects.requireNonNull(socket);
        this.maxBundle = maxBundle;
        this.timeout = timeout;
        this.retry = retry;
        this.audit = audit;
        this.log = log;
        this.thread = Thread.ofPlatform().daemon().name("switch-" + socket.getFileName()).unstarted(this::run);
    }

    /**
     * DP-5: the switch's packet-ins (frames the flows send to the controller), handed to {@code listener} on the
     * connection's reader thread; set before {@link #start}. With a listener the agent asks the switch for them on each
     * connection (OpenFlow SET_CONFIG with a nonzero miss_send_len: OVS sends a service connection nothing otherwise).
     */
    public SwitchAgent onPacketIn(Consumer<OfMessage.PacketIn> listener) {
        this.packetIns = listener;
        return this;
    }

    /**
     * DP-5: sends {@code frame} through the switch's tables as if it had come in on {@code inPort} (PACKET_OUT to
     * OFPP_TABLE), once the switch holds desired table {@code afterTable} or a later one: a frame the old table sent to
     * the controller is forwarded by the new one instead of being lost. Answers false when too many frames wait.
     */
    public boolean packetOut(long afterTable, int inPort, Octets frame) {
        if (outCount.incrementAndGet() > MAX_OUT) {
            outCount.decrementAndGet();
            return false;
        }
        outs.add(new Out(afterTable, inPort, frame));
        events.add(Signal.PACKET_OUT);
        return true;
    }

    /** Sends the waiting frames whose table the switch holds (agent thread). */
    private void flushOut(OfConnection c) {
        long have = installed;
        for (var it = outs.iterator(); it.hasNext(); ) {
            Out o = it.next();
            if (o.after() <= have) {
                it.remove();
                outCount.decrementAndGet();
                OfConnection.Outcome<OfMessage> r = c.send(new OfMessage.PacketOut(c.xid(), OfMessage.FlowMod.NO_BUFFER,
                        o.inPort(), List.of(new Action.Output(Action.PORT_TABLE)), o.frame()));
                if (r instanceof OfConnection.Outcome.Failed<OfMessage> f) {
                    log.accept("switch " + socket + ": packet-out failed: " + f.reason());
                }
            }
        }
    }

    /**
     * The switch's ports (OpenFlow port description), handed to {@code listener} on the agent's thread: when it
     * connects, on every port status message (asked for on each connection), and at each audit; set before {@link
     * #start}. For an owner whose tables name ports it finds by name: the agent then applies nothing on a connection
     * before the owner's first desired table (DP-6: never the empty table the agent starts with, which would remove
     * the flows a restarted owner is about to want again), so the owner may start the agent before it has a table.
     */
    public SwitchAgent onPorts(Consumer<List<Port>> listener) {
        this.portsListener = listener;
        return this;
    }

    public SwitchAgent start() {
        thread.start();
        return this;
    }

    /**
     * The table the switch must hold from now on; applied on the agent's thread (now, or once connected). Answers the
     * table's number, which {@link #installed} reports once the switch holds it.
     */
    public long desire(List<Flow> flows) {
        List<Flow> copy = List.copyOf(flows);
        return desire(p -> copy, false);
    }

    /**
     * As {@link #desire}, for a table made from the switch's ports: {@code table} runs on the agent's thread with the
     * ports the switch describes, before each apply and whenever the ports may have changed.
     */
    public long desireByPorts(Function<List<Port>, List<Flow>> table) {
        return desire(Objects.requireNonNull(table), true);
    }

    /**
     * As {@link #desire(List)}, with what changed since the previous desired table ({@link FlowTable.Delta}): while the
     * switch holds that previous table, the agent sends only the change (work proportional to it, not to the table's
     * size); changes handed over faster than they are applied are merged in order. After a reconnection, or when a
     * change in the chain is missing, it compares the whole table as {@link #desire(List)} does.
     */
    public long desire(List<Flow> flows, java.util.Collection<Flow> upserts, java.util.Collection<FlowKey> removals) {
        List<Flow> copy = List.copyOf(flows);
        return desire(p -> copy, false, new Change(List.copyOf(upserts), List.copyOf(removals)));
    }

    /**
     * As {@link #desire(List, java.util.Collection, java.util.Collection)}, with the whole table made only when the agent
     * needs it (after a reconnection, at an audit: {@link FlowTable.Table#all}), on its own thread: {@code table} must
     * answer the same immutable list from any thread. Handing a change over then costs its size, not the table's.
     */
    public long desire(java.util.function.Supplier<List<Flow>> table, java.util.Collection<Flow> upserts,
                       java.util.Collection<FlowKey> removals) {
        Objects.requireNonNull(table);
        return desire(p -> table.get(), false, new Change(List.copyOf(upserts), List.copyOf(removals)));
    }

    private long desire(Function<List<Port>, List<Flow>> table, boolean byPorts) {
        return desire(table, byPorts, null);
    }

    private long desire(Function<List<Port>, List<Flow>> table, boolean byPorts, Change change) {
        Desired d;
        synchronized (desires) {
            d = new Desired(desires.incrementAndGet(), table, byPorts);
            desired = d;
            if (change == null || changes.size() >= MAX_CHANGES) {
                changes.clear(); // a whole table (or a switch away too long): the chain starts again after it
            }
            if (change != null) {
                changes.put(d.number(), change);
            }
        }
        events.add(Signal.DESIRE);
        return d.number();
    }

    /** Changes kept for the agent at most; beyond, the agent compares the whole table (a switch away a long time). */
    private static final int MAX_CHANGES = 10_000;

    /** A desired table's difference from the one before it. */
    private record Change(List<Flow> upserts, List<FlowKey> removals) {
    }

    /** The changes of the desired tables after the installed one, by number (guarded by {@code desires}). */
    private final java.util.TreeMap<Long, Change> changes = new java.util.TreeMap<>();

    /**
     * Brings the switch to {@code want}: by the chain of changes from the installed table when it is complete, else by
     * comparing the whole table. Agent thread.
     */
    private void bringTo(OfConnection c, FlowDriver d, Desired want) throws FlowDriver.ApplyException {
        Map<FlowKey, Flow> merged = null;
        synchronized (desires) {
            long from = installed;
            // the chain is complete when every number from the installed table's on to the wanted one has its change
            if (!want.byPorts() && from >= 0 && from < want.number()
                    && changes.subMap(from + 1, true, want.number(), true).size() == want.number() - from) {
                merged = new java.util.LinkedHashMap<>();
                for (Change ch : changes.subMap(from + 1, true, want.number(), true).values()) {
                    for (FlowKey k : ch.removals()) {
                        merged.put(k, null);
                    }
                    for (Flow f : ch.upserts()) {
                        merged.put(f.key(), f);
                    }
                }
            }
        }
        if (merged == null) {
            d.apply(flows(c, want));
        } else {
            List<Flow> upserts = new ArrayList<>();
            List<FlowKey> removals = new ArrayList<>();
            merged.forEach((k, f) -> {
                if (f == null) {
                    removals.add(k);
                } else {
                    upserts.add(f);
                }
            });
            d.update(upserts, removals);
        }
        synchronized (desires) {
            changes.headMap(want.number(), true).clear();
        }
    }

    /** How many times the agent (re)connected and brought the switch to the desired table. */
    public long connects() {
        return connects.get();
    }

    /** How many desired tables were applied (changes of the model, plus one per connection). */
    public long applied() {
        return applied.get();
    }

    /**
     * An audit now, on the agent's thread (as the periodic one: the ports read again when the table is made from them,
     * the switch's flows read and every difference from the desired table repaired): answers what it changed, or fails
     * when the agent is not connected to the switch (the answer then comes at once, not at the next connection).
     */
    public CompletableFuture<FlowDriver.Report> reconcile() {
        Reconcile r = new Reconcile(new CompletableFuture<>());
        ask(r);
        return r.answer();
    }

    /** The switch's flows as it reports them now, with their packet and byte counts (agent thread; fails as reconcile). */
    public CompletableFuture<List<OfMessage.FlowStats>> flows() {
        Dump d = new Dump(new CompletableFuture<>());
        ask(d);
        return d.answer();
    }

    private void ask(Ask a) {
        asks.add(a);
        events.add(Signal.ASK);
        if (!connected) {
            refuseAsks(); // not connected: answered now (an ask that races the connection is answered either way)
        }
    }

    private void refuseAsks() {
        for (Ask a = asks.poll(); a != null; a = asks.poll()) {
            a.answer().completeExceptionally(new IllegalStateException("not connected to the switch at " + socket));
        }
    }

    /** Answers the waiting asks (agent thread, connected). */
    private void answerAsks(OfConnection c, FlowDriver d) throws FlowDriver.ApplyException {
        for (Ask a = asks.poll(); a != null; a = asks.poll()) {
            switch (a) {
                case Reconcile r -> {
                    try {
                        r.answer().complete(audit(c, d, "reconcile"));
                    } catch (FlowDriver.ApplyException | RuntimeException e) {
                        r.answer().completeExceptionally(e);
                        throw e;
                    }
                }
                case Dump x -> {
                    switch (c.flows(timeout)) {
                        case OfConnection.Outcome.Ok<List<OfMessage.FlowStats>> ok -> x.answer().complete(ok.value());
                        case OfConnection.Outcome.Refused<List<OfMessage.FlowStats>> r -> x.answer().completeExceptionally(
                                new IllegalStateException("the switch refused to list its flows: " + r.errors()));
                        case OfConnection.Outcome.Failed<List<OfMessage.FlowStats>> f -> x.answer().completeExceptionally(
                                new IllegalStateException("listing the flows failed: " + f.reason()));
                    }
                }
            }
        }
    }

    /** How many audits ran to their end (the switch read and compared; drift, if any, repaired). */
    public long audits() {
        return audits.get();
    }

    /** The number of the desired table ({@link #desire}) the switch was last brought to; -1 before the first. */
    public long installed() {
        return installed;
    }

    /** The switch's OpenFlow socket. */
    public Path socket() {
        return socket;
    }

    /** True while connected to the switch (from the first table applied on a connection to its end). */
    public boolean connected() {
        return connected;
    }

    /** True while connected and the switch holds the last desired table. */
    public boolean synced() {
        return synced;
    }

    private void run() {
        while (true) {
            OfConnection c = connect();
            if (c == null) {
                return;
            }
            try (c) {
                Consumer<OfMessage.PacketIn> listener = packetIns;
                if (listener != null) {
                    c.onPacketIn(listener);
                    OfConnection.Outcome<OfMessage> asked = c.send(new OfMessage.SetConfig(c.xid(), 0,
                            OfMessage.SetConfig.NO_BUFFER));
                    if (asked instanceof OfConnection.Outcome.Failed<OfMessage> f) {
                        log.accept("switch " + socket + ": could not ask for packet-ins: " + f.reason());
                    }
                }
                FlowDriver d = new FlowDriver(c, maxBundle, timeout);
                long t0 = System.nanoTime();
                d.start();
                Consumer<List<Port>> heard = portsListener;
                if ((desired.byPorts() || heard != null) && !(c.onPortStatus(ps -> events.add(Signal.PORTS), timeout)
                        instanceof OfConnection.Outcome.Ok<?>)) {
                    log.accept("switch " + socket + ": port status messages not set up; ports are read again at each"
                            + " change and audit only");
                }
                if (heard != null) {
                    heard.accept(ports(c));
                    if (!awaitFirstTable(c, heard)) {
                        return;
                    }
                }
                Desired want = desired;
                FlowDriver.Report r = d.apply(flows(c, want));
                installed = want.number();
                synchronized (desires) {
                    changes.headMap(want.number(), true).clear();
                }
                synced = true;
                connected = true;
                connects.incrementAndGet();
                applied.incrementAndGet();
                log.accept("switch " + socket + ": connected (generation " + d.generation() + "), " + r.changes()
                        + " flow changes in " + r.bundles() + " bundles, " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                var _ = c.closed().thenRun(() -> events.add(Signal.CLOSED));
                flushOut(c);
                answerAsks(c, d);
                if (!serve(c, d)) {
                    return;
                }
            } catch (FlowDriver.ApplyException e) {
                log.accept("switch " + socket + ": " + e.getMessage() + "; reconnecting");
            } finally {
                connected = false;
                refuseAsks();
            }
            synced = false;
        }
    }

    /** Applies desired tables and audits until the connection ends (true: reconnect) or the agent stops (false). */
    private boolean serve(OfConnection c, FlowDriver d) throws FlowDriver.ApplyException {
        long nextAudit = System.nanoTime() + audit.toNanos();
        while (true) {
            Signal e;
            try {
                e = events.poll(Math.max(0, nextAudit - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException ie) {
                return false;
            }
            if (e == Signal.STOP) {
                return false;
            }
            if (!c.isOpen()) {
                log.accept("switch " + socket + ": connection lost (" + c.closedBecause() + ")");
                return true;
            }
            if (e == Signal.CLOSED) {
                continue; // an earlier connection's end, signalled late
            }
            if (e == Signal.PACKET_OUT) {
                flushOut(c);
                continue;
            }
            if (e == Signal.ASK) {
                answerAsks(c, d);
                continue;
            }
            if (e == Signal.PORTS) {
                Consumer<List<Port>> heard = portsListener;
                if (heard != null) {
                    heard.accept(ports(c));
                }
                if (!desired.byPorts()) {
                    continue;
                }
            }
            if (e == null) {
                audit(c, d, "audit");
                nextAudit = System.nanoTime() + audit.toNanos();
            } else {
                synced = false;
                Desired want = desired;
                bringTo(c, d, want);
                installed = want.number();
                applied.incrementAndGet();
                synced = true;
                flushOut(c);
            }
        }
    }

    /** An audit (periodic, or asked for): the ports read again if the table is made from them, then drift repaired. */
    private FlowDriver.Report audit(OfConnection c, FlowDriver d, String why) throws FlowDriver.ApplyException {
        Desired want = desired;
        FlowDriver.Report p = new FlowDriver.Report(0, 0, 0, 0, 0);
        Consumer<List<Port>> heard = portsListener;
        if (heard != null) {
            heard.accept(ports(c));
        }
        if (want.byPorts()) {
            p = d.apply(flows(c, want));
            if (p.changes() > 0) {
                log.accept("switch " + socket + ": the ports changed: " + p);
            }
        }
        FlowDriver.Report r = d.reconcile();
        if (r.changes() > 0) {
            log.accept("switch " + socket + ": " + why + " repaired drift: " + r);
        }
        audits.incrementAndGet();
        return new FlowDriver.Report(p.added() + r.added(), p.modified() + r.modified(), p.deleted() + r.deleted(),
                p.bundles() + r.bundles(), p.nanos() + r.nanos());
    }

    /**
     * With a {@link #onPorts} listener, before the first desired table: waits on a fresh connection until the owner
     * hands one over (the ports it heard of go on being reported). False: the agent was stopped. The connection's end
     * ends the wait with an {@link FlowDriver.ApplyException} (the agent reconnects).
     */
    private boolean awaitFirstTable(OfConnection c, Consumer<List<Port>> heard) throws FlowDriver.ApplyException {
        while (desired.number() == 0) {
            Signal e;
            try {
                e = events.poll(retry.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException ie) {
                return false;
            }
            if (e == Signal.STOP) {
                return false;
            }
            if (!c.isOpen()) {
                throw new FlowDriver.ApplyException("connection lost before the first table (" + c.closedBecause() + ")");
            }
            if (e == Signal.PORTS) {
                heard.accept(ports(c));
            }
        }
        return true;
    }

    /** The switch's ports as it describes them now. */
    private List<Port> ports(OfConnection c) throws FlowDriver.ApplyException {
        return switch (c.ports(timeout)) {
            case OfConnection.Outcome.Ok<List<Port>> ok -> ok.value();
            case OfConnection.Outcome.Refused<List<Port>> r ->
                    throw new FlowDriver.ApplyException("the switch refused to describe its ports: " + r.errors());
            case OfConnection.Outcome.Failed<List<Port>> f ->
                    throw new FlowDriver.ApplyException("reading the ports failed: " + f.reason());
        };
    }

    /** The flows of {@code want}: with the switch's ports read first if it is made from them. */
    private List<Flow> flows(OfConnection c, Desired want) throws FlowDriver.ApplyException {
        return want.table().apply(want.byPorts() ? ports(c) : List.of());
    }

    /** Connects, retrying every {@code retry} until the switch answers; null if the agent was stopped. */
    private OfConnection connect() {
        while (true) {
            try {
                return OfConnection.open(socket, timeout);
            } catch (IOException e) {
                if (events.poll() == Signal.STOP) {
                    return null;
                }
                try {
                    Thread.sleep(retry); // a back-off between attempts, not a wait for a condition
                } catch (InterruptedException ie) {
                    return null;
                }
            }
        }
    }

    @Override
    public void close() {
        events.add(Signal.STOP);
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
