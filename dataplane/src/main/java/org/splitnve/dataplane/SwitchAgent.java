package org.splitnve.dataplane;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.splitnve.dataplane.openflow.OfConnection;

/**
 * Keeps one switch programmed, whatever happens to the switch (DP-6): one platform thread owns the connection and the
 * {@link FlowDriver}; others hand it desired tables with {@link #desire}. When the connection ends (ovs-vswitchd
 * restarted: it comes back with no OpenFlow flow at all, and a secure bridge then passes nothing) the agent
 * reconnects as soon as the bridge's socket answers again (every {@code retry}), reads what is installed, and
 * applies the desired table in one atomic step. Every {@code audit} it reconciles (drift repaired). Events (connected,
 * applied, drift repaired, lost, failures) go to {@code log} as one line each.
 */
public final class SwitchAgent implements AutoCloseable {
    /** What wakes the agent's thread: a new desired table, the connection's end, or close(). */
    private enum Signal { DESIRE, CLOSED, STOP }

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
    /** A desired table and its number (1, 2, ... in the order handed to {@link #desire}; 0: the empty one at start). */
    private record Desired(long number, List<Flow> flows) {
    }

    private volatile Desired desired = new Desired(0, List.of());
    private final AtomicLong desires = new AtomicLong();
    private volatile boolean synced;
    private volatile long installed = -1;

    public SwitchAgent(Path socket, int maxBundle, Duration timeout, Duration retry, Duration audit, Consumer<String> log) {
        this.socket = Objects.requireNonNull(socket);
        this.maxBundle = maxBundle;
        this.timeout = timeout;
        this.retry = retry;
        this.audit = audit;
        this.log = log;
        this.thread = Thread.ofPlatform().daemon().name("switch-" + socket.getFileName()).unstarted(this::run);
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
        Desired d;
        synchronized (desires) {
            d = new Desired(desires.incrementAndGet(), List.copyOf(flows));
            desired = d;
        }
        events.add(Signal.DESIRE);
        return d.number();
    }

    /** How many times the agent (re)connected and brought the switch to the desired table. */
    public long connects() {
        return connects.get();
    }

    /** How many desired tables were applied (changes of the model, plus one per connection). */
    public long applied() {
        return applied.get();
    }

    /** The number of the desired table ({@link #desire}) the switch was last brought to; -1 before the first. */
    public long installed() {
        return installed;
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
                FlowDriver d = new FlowDriver(c, maxBundle, timeout);
                long t0 = System.nanoTime();
                d.start();
                Desired want = desired;
                FlowDriver.Report r = d.apply(want.flows());
                installed = want.number();
                synced = true;
                connects.incrementAndGet();
                applied.incrementAndGet();
                log.accept("switch " + socket + ": connected (generation " + d.generation() + "), " + r.changes()
                        + " flow changes in " + r.bundles() + " bundles, " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                var _ = c.closed().thenRun(() -> events.add(Signal.CLOSED));
                if (!serve(c, d)) {
                    return;
                }
            } catch (FlowDriver.ApplyException e) {
                log.accept("switch " + socket + ": " + e.getMessage() + "; reconnecting");
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
            if (e == null) {
                FlowDriver.Report r = d.reconcile();
                if (r.changes() > 0) {
                    log.accept("switch " + socket + ": audit repaired drift: " + r);
                }
                nextAudit = System.nanoTime() + audit.toNanos();
            } else {
                synced = false;
                Desired want = desired;
                d.apply(want.flows());
                installed = want.number();
                applied.incrementAndGet();
                synced = true;
            }
        }
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
