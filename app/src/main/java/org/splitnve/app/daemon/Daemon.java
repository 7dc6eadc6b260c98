package org.splitnve.app.daemon;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.splitnve.app.api.ApiServer;
import org.splitnve.app.api.DaemonMetrics;
import org.splitnve.app.api.Route;
import org.splitnve.app.config.ApiSettings;
import org.splitnve.app.config.LldpSettings;
import org.splitnve.protocol.PortAgent;
import org.splitnve.transport.AgentRunner;
import org.splitnve.transport.Port;
import org.splitnve.transport.RawPort;
import org.splitnve.transport.RawSocket;
import org.splitnve.wire.MacAddress;

/**
 * What the two daemons share: an {@link AgentRunner} over raw ports, a log, and a clean stop (once,
 * from {@link #close()} or the JVM's shutdown hook on SIGTERM/SIGINT).
 */
public abstract class Daemon implements AutoCloseable {
    protected final EventLog log;
    protected final AgentRunner<PortAgent> runner;
    protected final DaemonMetrics metrics;
    private volatile ApiServer api;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object lock = new Object();
    private boolean closing;
    private Thread hook;

    protected Daemon(EventLog log, AgentRunner<PortAgent> runner, DaemonMetrics metrics) {
        this.log = log;
        this.runner = runner;
        this.metrics = metrics;
    }

    public AgentRunner<PortAgent> runner() {
        return runner;
    }

    public EventLog log() {
        return log;
    }

    public DaemonMetrics metrics() {
        return metrics;
    }

    /** The HTTP API ({@link ApiServer#address()}: where it listens), or null when [api] listen = "off". */
    public ApiServer api() {
        return api;
    }

    /** A log and the metrics that count its events: what a daemon builds first. */
    static DaemonMetrics metricsFor(EventLog log, String role) {
        DaemonMetrics m = new DaemonMetrics(log.node(), role);
        log.addTap(m);
        return m;
    }

    /**
     * Starts the HTTP API when [api] listen is not "off"; when it cannot listen, the daemon stops and
     * this throws (an {@link java.io.UncheckedIOException}).
     */
    protected void startApi(ApiSettings s, List<Route> routes, Supplier<String> scrape) {
        if (!s.enabled()) {
            return;
        }
        try {
            api = ApiServer.start(s, log, metrics.metrics(), routes, scrape);
        } catch (RuntimeException e) {
            stop("the HTTP API cannot start: " + e.getMessage());
            throw e;
        }
    }

    /** Opens one raw port per (namespace, interface), joining {@code groups} besides the defaults. */
    static List<Port> open(List<String[]> where, List<List<MacAddress>> groups) throws IOException {
        List<Port> ports = new ArrayList<>();
        try {
            for (int i = 0; i < where.size(); i++) {
                String ns = where.get(i)[0];
                String iface = where.get(i)[1];
                RawSocket.Options o = RawSocket.Options.defaults().joining(groups.get(i));
                if (ns != null) {
                    o = o.inNamespace(ns);
                }
                try {
                    ports.add(RawPort.open(iface, o));
                } catch (IOException e) {
                    throw new IOException("cannot open interface " + (ns == null ? iface : ns + "/" + iface) + ": "
                            + e.getMessage(), e);
                }
            }
            return ports;
        } catch (IOException | RuntimeException e) {
            ports.forEach(Port::close);
            throw e;
        }
    }

    static long intervalNanos(LldpSettings s) {
        return TimeUnit.SECONDS.toNanos(s.intervalSeconds());
    }

    /**
     * Stops on SIGTERM/SIGINT: registers the JVM shutdown hook that calls {@link #stop}. A stop begun by
     * the signal ends the JVM with status 0, a clean stop (docs/configuration.md), where the JVM would
     * otherwise exit with 128 + the signal's number (143 after SIGTERM).
     */
    public void installShutdownHook() {
        synchronized (lock) {
            hook = new Thread(() -> {
                boolean bySignal;
                synchronized (lock) {
                    bySignal = !closing;
                }
                stop("signal (SIGTERM or SIGINT)");
                if (bySignal) {
                    Runtime.getRuntime().halt(0);
                }
            }, "splitnve shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
        }
    }

    /** Blocks until the daemon has stopped. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** What the daemon logs just before its engine stops (on the engine thread's last turn). */
    protected abstract void beforeStop();

    /** What the daemon frees once its engine has stopped (e.g. the tNVE's state directory lock). */
    protected void afterStop() {
    }

    /** Stops once: logs why, lets the subclass log its state, closes the runner (and the ports). */
    public void stop(String cause) {
        synchronized (lock) {
            if (closing) {
                return;
            }
            closing = true;
        }
        try {
            log.accept(new DaemonEvent.Stopping(cause));
            ApiServer a = api;
            if (a != null) {
                a.close();
            }
            try {
                beforeStop();
            } catch (RuntimeException e) {
                // the stop goes on
            }
            runner.close();
            try {
                afterStop();
            } catch (RuntimeException e) {
                // the stop goes on
            }
            AgentRunner.Stats s = runner.stats();
            log.accept(new DaemonEvent.Stopped(s.framesIn(), s.framesOut(), s.engineErrors()));
        } finally {
            stopped.countDown();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (hook != null && !closing) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down: the hook does it
                }
            }
        }
        stop("closed");
    }

    /** Reads and validates a configuration, starts, waits for a signal; the exit status. */
    public static int runUntilSignal(Daemon d) {
        d.installShutdownHook();
        try {
            d.awaitStop();
        } catch (InterruptedException e) {
            d.close();
        }
        return 0;
    }

    /** Prints configuration problems: one line each on {@code err}; returns the exit status, 2. */
    public static int configError(List<String> problems, PrintStream err) {
        for (String p : problems) {
            err.println("splitnve: " + p);
        }
        err.println("splitnve: " + problems.size() + " configuration error" + (problems.size() == 1 ? "" : "s")
                + "; nothing started (docs/configuration.md describes every option)");
        return 2;
    }
}
