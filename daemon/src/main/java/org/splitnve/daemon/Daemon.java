package org.splitnve.daemon;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.splitnve.config.ConfigException;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.config.LldpSettings;
import org.splitnve.daemon.config.LogSettings;
import org.splitnve.daemon.http.ApiServer;
import org.splitnve.daemon.http.Route;
import org.splitnve.daemon.log.DaemonEvent;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.daemon.metrics.DaemonMetrics;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.lldp.LldpAgent;
import org.splitnve.transport.AgentRunner;
import org.splitnve.transport.InterfaceLock;
import org.splitnve.transport.Port;
import org.splitnve.transport.RawPort;
import org.splitnve.transport.RawSocket;
import org.splitnve.wire.MacAddress;

/**
 * What the two daemons share: an {@link AgentRunner} over raw ports, a log, a clean stop (once, from
 * {@link #close()} or the JVM's shutdown hook on SIGTERM/SIGINT), and a configuration reload on SIGHUP
 * (OPS-5: what changed takes effect, a configuration with errors changes nothing and says why).
 */
public abstract class Daemon implements AutoCloseable {
    /** SEC-7: the exit status after a fatal error (EX_SOFTWARE): a supervisor restarts the daemon. */
    public static final int FATAL_STATUS = 70;
    /**
     * A test hook, set only on the JVM's command line (never reachable from the network): the engine
     * thread throws an {@link InternalError} at this frame number, to prove SEC-7 on a real process.
     */
    public static final String ENGINE_ERROR_PROPERTY = "splitnve.test.engineErrorAtFrame";
    /** Whether this JVM is the daemon's own process ({@link #runUntilSignal}): a fatal error then ends it. */
    private static volatile boolean ownsProcess;

    protected final EventLog log;
    protected final AgentRunner<PortAgent> runner;
    protected final DaemonMetrics metrics;
    private volatile ApiServer api;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Object lock = new Object();
    private boolean closing;
    private Thread hook;
    private final List<InterfaceLock> locks = new ArrayList<>();
    /** The configuration file a reload reads (null: started from a configuration in memory). */
    private volatile Path configPath;
    private final Object reloading = new Object();

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
    protected static DaemonMetrics metricsFor(EventLog log, String role) {
        DaemonMetrics m = new DaemonMetrics(log.node(), role);
        log.addTap(m);
        return m;
    }

    /**
     * OPS-4: binds the HTTP API's address (null when [api] listen is "off") before anything else is opened or
     * sent; throws an {@link java.io.UncheckedIOException} when it cannot.
     */
    protected static HttpServer bindApi(ApiSettings s) {
        return s.enabled() ? ApiServer.bind(s) : null;
    }

    /**
     * Serves the HTTP API on the address {@code bound} before (null: [api] listen = "off"); when it cannot, the
     * daemon stops and this throws.
     */
    protected void startApi(HttpServer bound, ApiSettings s, List<Route> routes,
            Supplier<io.prometheus.metrics.model.snapshots.MetricSnapshots> scrape) {
        if (bound == null) {
            return;
        }
        try {
            api = ApiServer.start(bound, s, log, metrics.metrics(), routes, scrape);
        } catch (RuntimeException e) {
            bound.stop(0);
            stop("the HTTP API cannot start: " + e.getMessage());
            throw e;
        }
    }

    /**
     * Serves the HTTP API on {@code bound} (an {@code HttpsServer} too) with its own access rule and OpenAPI
     * document (the NVA's: {@link ApiServer.Access}); when it cannot, the daemon stops and this throws.
     */
    protected void startApi(HttpServer bound, ApiSettings s, List<Route> routes,
            Supplier<io.prometheus.metrics.model.snapshots.MetricSnapshots> scrape, ApiServer.Access access,
            String openApiResource) {
        try {
            api = ApiServer.start(bound, s, log, metrics.metrics(), routes, scrape, access, openApiResource);
        } catch (RuntimeException e) {
            bound.stop(0);
            stop("the HTTP API cannot start: " + e.getMessage());
            throw e;
        }
    }

    /** Closes what a daemon that does not start after all had opened. */
    static void release(List<Port> ports, HttpServer bound, List<InterfaceLock> locks) {
        ports.forEach(Port::close);
        locks.forEach(InterfaceLock::close);
        if (bound != null) {
            bound.stop(0);
        }
    }

    /** The interface locks this daemon holds (OPS-4), released when it stops. */
    protected void holdLocks(List<InterfaceLock> l) {
        synchronized (lock) {
            locks.addAll(l);
        }
    }

    /**
     * OPS-4: opens the interfaces (raw Ethernet) and takes their locks, in that order, so a second daemon on an
     * interface learns it before its first frame; on a failure closes what it opened, and the bound API.
     */
    static List<Port> openLocked(List<String[]> where, List<List<MacAddress>> groups, HttpServer bound, String holder,
            List<InterfaceLock> locksOut) throws IOException {
        try {
            List<Port> ports = open(where, groups);
            try {
                locksOut.addAll(InterfaceLock.acquireAll(ports, holder));
            } catch (IOException | RuntimeException e) {
                ports.forEach(Port::close);
                throw e;
            }
            return ports;
        } catch (IOException | RuntimeException e) {
            if (bound != null) {
                bound.stop(0);
            }
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
            synchronized (lock) {
                locks.forEach(InterfaceLock::close); // after the ports: the interfaces are free only now
                locks.clear();
            }
            try {
                afterStop();
            } catch (RuntimeException e) {
                // the stop goes on
            }
            log.close(); // the counts of lines not logged yet, before the last line
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

    /**
     * SEC-7: a fatal error in a thread of the daemon (the engine's, the HTTP API's): one log line, and the
     * process ends with {@link #FATAL_STATUS} at once (no shutdown hook: it could wait on the dead engine).
     * A daemon inside another program (tests, the demo without root) is stopped instead.
     */
    protected void fatal(String where, Throwable e) {
        try {
            log.accept(new DaemonEvent.Fatal(where, String.valueOf(e), FATAL_STATUS));
        } catch (Throwable ignored) {
            // out of memory: the line on stderr below, then the exit
        }
        try {
            System.err.println("splitnve: fatal error in " + where + ": " + e + "; exiting with status " + FATAL_STATUS);
            System.err.flush();
        } catch (Throwable ignored) {
            // nothing more to say
        }
        if (ownsProcess) {
            Runtime.getRuntime().halt(FATAL_STATUS);
        }
        Thread.ofPlatform().name("splitnve fatal stop").start(() -> stop("fatal error in " + where + ": " + e));
    }

    /** The engine with the {@link #ENGINE_ERROR_PROPERTY} test hook around it, when the property is set. */
    static PortAgent withTestHook(PortAgent agent) {
        String at = System.getProperty(ENGINE_ERROR_PROPERTY);
        if (at == null) {
            return agent;
        }
        long frame = Long.parseLong(at);
        return new PortAgent() {
            private long frames;

            @Override
            public void onFrame(int port, byte[] buf, int off, int len) {
                if (++frames == frame) {
                    throw new InternalError("test hook -D" + ENGINE_ERROR_PROPERTY + "=" + frame + ": the engine fails");
                }
                agent.onFrame(port, buf, off, len);
            }

            @Override
            public void onTimer() {
                agent.onTimer();
            }

            @Override
            public long nextDeadline() {
                return agent.nextDeadline();
            }

            @Override
            public boolean established(int port, org.splitnve.wire.MacAddress station) {
                return agent.established(port, station); // REL-3: the transport's fairness asks the engine
            }
        };
    }

    /** Reads a daemon's configuration file (every mistake in the exception). */
    @FunctionalInterface
    protected interface SettingsLoader<S> {
        S load(Path config) throws ConfigException;
    }

    /** Opens a daemon's ports and API and starts its engine. */
    @FunctionalInterface
    protected interface Starter<S, D extends Daemon> {
        D start(S settings, String configName, PrintStream out) throws IOException;
    }

    /**
     * {@code splitnve nnve|tnve --config FILE}: loads the file, starts the daemon and runs it until a signal: 0
     * after a clean stop, 1 when a port cannot open, 2 on a configuration error (or an interface another
     * daemon holds).
     */
    protected static <S, D extends Daemon> int main(String role, Path config, PrintStream out, PrintStream err,
            SettingsLoader<S> loader, Starter<S, D> starter) {
        S s;
        try {
            s = loader.load(config);
        } catch (ConfigException e) {
            return configError(e.problems(), err);
        }
        D d;
        try {
            d = starter.start(s, config.toString(), out);
        } catch (IOException | RuntimeException e) {
            return startFailure(role, e, err);
        }
        return runUntilSignal(d, config);
    }

    /**
     * Waits for a signal: SIGTERM or SIGINT stop the daemon (exit status 0), SIGHUP reloads {@code config}
     * (OPS-5); a fatal error ends the process with {@link #FATAL_STATUS} (SEC-7). Returns the exit status.
     */
    public static int runUntilSignal(Daemon d, Path config) {
        ownsProcess = true;
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            if (e instanceof Error) {
                d.fatal("thread " + t.getName(), e); // SEC-7: never a half-alive daemon
            } else {
                System.err.println("splitnve: thread " + t.getName() + " ended: " + e);
            }
        });
        Throwable early = d.runner.fatalError();
        if (early != null) {
            d.fatal("engine " + d.runner.name(), early);
        }
        d.reloadFrom(config);
        d.installReloadSignal();
        d.installShutdownHook();
        try {
            d.awaitStop();
        } catch (InterruptedException e) {
            d.close();
        }
        return 0;
    }

    /**
     * The exit status of a daemon that did not start: 2 when an interface is held by another daemon (OPS-4),
     * else 1 (an interface cannot be opened, the API's address cannot be bound); the reason on {@code err}.
     */
    static int startFailure(String role, Exception e, PrintStream err) {
        err.println("splitnve: " + role + ": " + e.getMessage());
        if (e instanceof InterfaceLock.HeldException) {
            err.println("splitnve: " + role + ": nothing started, no frame sent");
            return 2;
        }
        return 1;
    }

    // ------------------------------------------------------------------ reload (OPS-5)

    /**
     * What a reload changes, planned (and validated) before anything is applied: each change described, what
     * runs on the engine thread, and what runs after it on the reloading thread.
     */
    protected record ReloadPlan(List<String> changes, List<Runnable> onEngine, List<Runnable> after) {
        public ReloadPlan {
            changes = List.copyOf(changes);
            onEngine = List.copyOf(onEngine);
            after = List.copyOf(after);
        }
    }

    /**
     * Reads {@code config} again and plans the reload: throws a {@link ConfigException} listing every problem
     * (a mistake in the file, or a change only a restart can make); applies nothing itself.
     */
    protected abstract ReloadPlan plan(Path config) throws ConfigException;

    /** The file {@link #reload} reads (what {@code --config} named). */
    public void reloadFrom(Path config) {
        this.configPath = config;
    }

    /**
     * OPS-5: reads the configuration file again; if it has no mistake and changes nothing that needs a restart,
     * what changed takes effect (logged: {@code daemon.reloaded}) and the rest stays as it is (no peer is reset);
     * otherwise each problem is logged ({@code daemon.reload_problem}, FILE:LINE) and nothing changes
     * ({@code daemon.reload_failed}). One reload at a time. Returns whether it took effect.
     */
    public boolean reload(String cause) {
        synchronized (reloading) {
            synchronized (lock) {
                if (closing) {
                    return false;
                }
            }
            Path path = configPath;
            String name = path == null ? "-" : path.toString();
            log.accept(new DaemonEvent.Reloading(cause, name));
            ReloadPlan p;
            try {
                if (path == null) {
                    throw new ConfigException(List.of("this daemon was started from a configuration in memory: no file"
                            + " to read again"));
                }
                p = plan(path);
            } catch (ConfigException e) {
                for (String problem : e.problems()) {
                    log.accept(new DaemonEvent.ReloadProblem(problem));
                }
                log.accept(new DaemonEvent.ReloadFailed(name, e.problems().size(),
                        "nothing changed: the daemon runs on with the configuration it had"));
                return false;
            }
            if (!p.onEngine().isEmpty()) {
                try {
                    runner.call(() -> {
                        p.onEngine().forEach(Runnable::run);
                        return null;
                    }).get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    log.accept(new DaemonEvent.ReloadProblem("the engine did not take the new configuration: " + e));
                    log.accept(new DaemonEvent.ReloadFailed(name, 1, "the engine is stopping or stuck"));
                    return false;
                }
            }
            Runnable last = null;
            for (Runnable r : p.after()) {
                if (r instanceof LogSwitch) {
                    last = r; // the log changes last: the reload is logged as the log was
                } else {
                    r.run();
                }
            }
            log.accept(new DaemonEvent.Reloaded(name, p.changes().size(),
                    p.changes().isEmpty() ? "nothing changed" : String.join("; ", p.changes())));
            if (last != null) {
                last.run();
            }
            return true;
        }
    }

    /** The log settings switch of a reload: run after the reload is logged. */
    private record LogSwitch(EventLog log, LogSettings to) implements Runnable {
        @Override
        public void run() {
            log.setSettings(to);
        }
    }

    /** What both daemons' configurations hold, for {@link #planShared}. */
    protected record Shared(String name, int oui, Timers timers, LogSettings log, LldpSettings lldp, ApiSettings api) {
    }

    /**
     * Plans the parts both daemons share: a change only a restart can make is a problem (the name, the OUI, the
     * [timers], whether LLDP runs, where the API listens); the log, the API token and the LLDP pacing (interval,
     * TTL: each LLDPDU carries its own) are applied. [timers] are negotiated with each peer (802.1Q 41.5.5):
     * changing them under running sessions would let the two sides' keep-alive timeouts disagree.
     */
    protected void planShared(String file, Shared was, Shared now, LldpAgent<?> lldpAgent, List<String> problems,
            List<String> changes, List<Runnable> onEngine, List<Runnable> after) {
        String restart = "; this needs a restart (a reload applies the VNs, keys, the API token, the log and the LLDP"
                + " pacing)";
        if (!was.name().equals(now.name())) {
            problems.add(file + ": name: changed from '" + was.name() + "' to '" + now.name() + "'" + restart);
        }
        if (was.oui() != now.oui()) {
            problems.add(file + ": extension_oui: changed" + restart);
        }
        if (!was.timers().equals(now.timers())) {
            problems.add(file + ": [timers]: changed from " + was.timers() + " to " + now.timers() + "; the timers are "
                    + "negotiated with every peer (802.1Q 41.5.5) and cannot change under running sessions" + restart);
        }
        if (was.lldp().enabled() != now.lldp().enabled()) {
            problems.add(file + ": [lldp] enabled: changed" + restart);
        }
        if (!java.util.Objects.equals(was.api().listen(), now.api().listen())) {
            problems.add(file + ": [api] listen: changed from " + was.api() + " to " + now.api() + restart);
        }
        if (!was.log().equals(now.log())) {
            changes.add("log: " + describe(was.log()) + " -> " + describe(now.log()));
            after.add(new LogSwitch(log, now.log()));
        }
        if (!java.util.Objects.equals(was.api().token(), now.api().token())) {
            changes.add(now.api().token() == null ? "API token removed" : was.api().token() == null
                    ? "API token set (required from now on)" : "API token replaced");
            after.add(() -> {
                ApiServer a = api;
                if (a != null) {
                    a.setToken(now.api().token());
                }
            });
        }
        if (!was.api().hostNames().equals(now.api().hostNames())) {
            changes.add("API host names: " + was.api().hostNames() + " -> " + now.api().hostNames());
            after.add(() -> {
                ApiServer a = api;
                if (a != null) {
                    a.setHostNames(now.api().hostNames());
                }
            });
        }
        if (now.lldp().enabled() && (was.lldp().intervalSeconds() != now.lldp().intervalSeconds()
                || was.lldp().ttl() != now.lldp().ttl())) {
            changes.add("LLDP: interval " + was.lldp().intervalSeconds() + " s, TTL " + was.lldp().ttl() + " s -> interval "
                    + now.lldp().intervalSeconds() + " s, TTL " + now.lldp().ttl() + " s");
            if (lldpAgent != null) {
                onEngine.add(() -> lldpAgent.setAnnouncement(now.lldp().ttl(), intervalNanos(now.lldp())));
            }
        }
    }

    private static String describe(LogSettings l) {
        return "level " + l.level().name().toLowerCase(java.util.Locale.ROOT) + ", format " + (l.json() ? "json" : "text");
    }

    /**
     * SIGHUP reloads the configuration (OPS-5) where the JVM would otherwise stop (it treats SIGHUP like
     * SIGTERM). With {@code -Xrs} the signal cannot be handled: that is logged, and SIGHUP then does nothing.
     */
    public void installReloadSignal() {
        try {
            HangupSignal.handle(() -> reload("SIGHUP"));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.accept(new DaemonEvent.ReloadProblem("SIGHUP cannot be handled (" + e.getMessage()
                    + "): the configuration will not be reloaded on SIGHUP"));
        }
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
