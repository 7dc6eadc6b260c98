package org.splitnve.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.splitnve.config.ConfFile;
import org.splitnve.config.ConfigException;
import org.splitnve.daemon.Daemon;
import org.splitnve.daemon.NnveDaemon;
import org.splitnve.daemon.NvaDaemon;
import org.splitnve.daemon.TnveDaemon;
import org.splitnve.daemon.config.NnveSettings;
import org.splitnve.daemon.config.NvaSettings;
import org.splitnve.daemon.config.TnveSettings;
import org.splitnve.dataplane.OvsInstance;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.NveId;
import org.splitnve.nva.Nva;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.client.NvaClient;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.transport.Port;

/**
 * {@code splitnve demo}: a whole Split-NVE on one machine (issue 4's main job). As root, network
 * namespaces, veth pairs and a Linux bridge with the real daemons on raw Ethernet; otherwise (or with
 * {@code --memory}) the same daemons in this process over in-memory links. It plays the
 * {@link Lifecycle}, shows it in a {@link LiveView}, checks every step's expectations and cleans up
 * what it made, also on SIGINT/SIGTERM (a shutdown hook) and on failure.
 *
 * <p>Exit status: 0 when every step reached its expected state, 1 when one did not (the step is named)
 * or the daemons could not start, 2 on a usage error.
 */
public final class DemoCommand {
    /** How long an operation may take before the step fails (the nNVE answers in milliseconds). */
    private static final long OP_TIMEOUT_MS = 10_000;
    /** How long an nNVE's client may take to hold the NVA's state (a first list and watch over loopback). */
    private static final long SYNC_TIMEOUT_MS = 30_000;
    /** How long a step's expectations may take to hold after its operations returned. */
    static final long CHECK_TIMEOUT_MS = 5_000;

    /** How long a probe of the data plane waits for an answer to come (one ping a second). */
    private static final long PROBE_TIMEOUT_MS = 10_000;

    /**
     * The command line's options. {@code stepDelayMs} null: 1 s on a terminal, 0 elsewhere; {@code noTraffic}: no
     * Open vSwitch and no VMs as namespaces even where they could run.
     */
    public record Options(boolean keep, boolean memory, Long stepDelayMs, boolean json, boolean noTraffic) {
    }

    /** The options, or null after a usage message on {@code err}. */
    static Options parse(List<String> args, PrintStream err) {
        boolean keep = false;
        boolean memory = false;
        boolean json = false;
        boolean noTraffic = false;
        Long delay = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--keep" -> keep = true;
                case "--memory" -> memory = true;
                case "--json" -> json = true;
                case "--no-traffic" -> noTraffic = true;
                case "--step-delay" -> {
                    if (i + 1 >= args.size()) {
                        err.println("splitnve: demo: --step-delay needs a value in milliseconds");
                        return null;
                    }
                    try {
                        delay = Long.parseLong(args.get(++i));
                    } catch (NumberFormatException e) {
                        delay = -1L;
                    }
                    if (delay < 0 || delay > 600_000) {
                        err.println("splitnve: demo: --step-delay takes milliseconds from 0 to 600000, not '"
                                + args.get(i) + "'");
                        return null;
                    }
                }
                default -> {
                    err.println("splitnve: demo: unknown option '" + a + "'");
                    return null;
                }
            }
        }
        return new Options(keep, memory, delay, json, noTraffic);
    }

    /** {@code splitnve demo [--keep] [--memory] [--step-delay MS] [--json] [--no-traffic]}: the exit status. */
    public static int run(List<String> args, PrintStream out, PrintStream err) {
        Options o = parse(args, err);
        if (o == null) {
            return 2;
        }
        return run(o, out, err);
    }

    /** The demo with these options (parsed by the command line): the exit status. */
    public static int run(Options o, PrintStream out, PrintStream err) {
        boolean terminal = terminal();
        return new DemoCommand(o, out, err, terminal, new Lifecycle().steps(), CHECK_TIMEOUT_MS).run();
    }

    /**
     * A person is watching: a console that is a terminal (Java 22+ has a console on pipes too) and a usable TERM.
     * Error Prone's SystemConsoleNull holds that System.console() is never null since JDK 22; on JDK 25 it is
     * (the java.base console, without a terminal: DemoCommandTest under surefire got a NullPointerException),
     * so the null check stays and the check is suppressed here, on this method only.
     */
    @SuppressWarnings("SystemConsoleNull")
    static boolean terminal() {
        java.io.Console c = System.console();
        String term = System.getenv("TERM");
        return c != null && c.isTerminal() && term != null && !term.isBlank() && !term.equals("dumb");
    }

    private final Options options;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final long stepDelayMs;
    private final Map<String, NnveDaemon> nnves = new LinkedHashMap<>();
    private final Map<String, TnveDaemon> tnves = new LinkedHashMap<>();
    /** The NVA daemon both nNVEs are clients of (issue 10), once started. */
    private volatile NvaDaemon nva;
    private final Object cleanupLock = new Object();
    private volatile Topology topology;
    private volatile LiveView view;
    private volatile boolean signalled;
    private boolean cleanedUp;
    private Thread hook;
    private final List<Lifecycle.Step> steps;
    private final long checkTimeoutMs;
    /** A temporary directory holding each tNVE's state directory (REL-1), removed at the end. */
    private volatile Path stateRoot;
    /** The API port of each daemon: the usual one, or a free one when that is taken. */
    private final Map<String, Integer> apiPorts = new LinkedHashMap<>();
    /** Tenant traffic between the VMs (network namespaces with Open vSwitch), or null: none. */
    private volatile Traffic traffic;
    /** The ping every 10 ms through a migration, while it runs. */
    private volatile Traffic.Stream stream;
    /** The hypervisor each VM's NIC is on (with tenant traffic): its home, until a migration moves it. */
    private final Map<String, String> nicAt = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param steps the lifecycle to play ({@link Lifecycle#steps()}; tests give others) */
    DemoCommand(Options options, PrintStream out, PrintStream err, boolean terminal, List<Lifecycle.Step> steps,
            long checkTimeoutMs) {
        this.steps = List.copyOf(steps);
        this.checkTimeoutMs = checkTimeoutMs;
        this.options = options;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
        this.stepDelayMs = options.stepDelayMs() != null ? options.stepDelayMs() : terminal ? 1000 : 0;
        for (Plan.Vm vm : Plan.VMS) {
            nicAt.put(vm.name(), vm.home());
        }
    }

    static boolean root() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    int run() {
        hook = Thread.ofPlatform().unstarted(this::onSignal);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return play();
        } finally {
            if (!signalled) {
                cleanup();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down: the hook runs (and finds everything cleaned up)
                }
            }
        }
    }

    private int play() {
        boolean root = root();
        List<String> stale = root ? NetnsTopology.removeStale() : List.of();
        Topology t;
        String noTraffic = null;
        if (options.memory()) {
            t = new MemoryTopology("--memory");
            noTraffic = "in-memory links carry no tenant frames (as root: VMs pinging through Open vSwitch)";
        } else if (!root) {
            t = new MemoryTopology("not root: network namespaces and raw sockets need root");
            noTraffic = "tenant traffic needs root (network namespaces, Open vSwitch): the control plane only";
        } else {
            boolean ovs = OvsInstance.installed();
            if (options.noTraffic()) {
                noTraffic = "--no-traffic: the control plane only";
            } else if (!ovs) {
                noTraffic = "tenant traffic needs Open vSwitch (Debian: apt-get install openvswitch-switch): the"
                        + " control plane only";
            }
            NetnsTopology n = new NetnsTopology(ovs && !options.noTraffic());
            topology = n; // a signal from now on removes what it made
            t = n;
            try {
                n.make();
            } catch (IOException | RuntimeException e) {
                if (signalled) {
                    return 1;
                }
                t = new MemoryTopology("network namespaces could not be made: " + e.getMessage());
            }
        }
        topology = t;
        if (t instanceof NetnsTopology n && n.traffic()) {
            traffic = new Traffic(NetnsTopology.prefixOf(ProcessHandle.current().pid()));
        } else if (noTraffic == null) {
            noTraffic = "the network namespaces could not be made: the control plane only";
        }
        LiveView v = LiveView.of(out, options.json(), terminal, this::worldOrNull);
        view = v;
        v.message("splitnve demo: " + t.describe());
        if (!stale.isEmpty()) {
            v.message("removed " + stale.size() + " network namespace(s) an earlier demo left behind: "
                    + String.join(", ", stale));
        }
        if (noTraffic != null) {
            v.message("no tenant traffic: " + noTraffic);
        }
        v.message("One NVA (nva) shared by two External NVEs (nnve-a, nnve-b), three hypervisors (h1, h2, h3: tNVEs),"
                + " VMs on three VNs;"
                + " MACs and TSI IDs in events are shown by name. Ctrl-C stops and cleans up.");
        v.message(apis());
        Ops ops = new Ops();
        int checks = 0;
        int probes = 0;
        for (int i = 0; i < steps.size(); i++) {
            Lifecycle.Step s = steps.get(i);
            v.stepStarted(i + 1, steps.size(), s);
            String problem;
            World w = null;
            try {
                s.action().run(ops);
                problem = awaitExpectations(s);
                if (problem == null) {
                    problem = probe(s);
                }
                w = World.take(nvaService(), nnves, tnves, 2_000);
            } catch (Exception e) {
                problem = describe(e);
            }
            if (signalled) {
                return 1;
            }
            if (problem != null) {
                if (w == null) {
                    w = worldOrNull();
                }
                v.stepFailed(i + 1, steps.size(), s, problem, w);
                v.close();
                err.println("splitnve: demo: step " + (i + 1) + " [" + s.name() + "] (" + s.title()
                        + ") did not do what it says: " + problem);
                return 1;
            }
            checks += s.expect().size();
            probes += traffic == null ? 0 : s.traffic().size();
            v.stepDone(i + 1, steps.size(), s, w);
            if (stepDelayMs > 0 && i + 1 < steps.size()) {
                try {
                    Thread.sleep(stepDelayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
            }
        }
        v.message("");
        v.message("demo complete: " + steps.size() + " steps, every one reached its expected state (" + checks
                + " checks" + (probes > 0 ? ", " + probes + " probes of the data plane" : "") + ").");
        if (options.keep()) {
            return keep(t, v);
        }
        v.close();
        return 0;
    }

    /** Picks each daemon's API port (the usual one when free) and says which. */
    private String apis() {
        StringBuilder sb = new StringBuilder("HTTP APIs (docs/api.md):");
        for (String node : List.of(Plan.NNVE_A, Plan.NNVE_B, Plan.H1, Plan.H2, Plan.H3)) {
            int want = Plan.apiPort(node);
            int port = free(want) ? want : anyFreePort();
            apiPorts.put(node, port);
            sb.append(' ').append(node).append(' ').append(url(node)).append(port == want ? "" : " (" + want
                    + " is taken)").append(node.equals(Plan.H3) ? "" : ",");
        }
        return sb.toString();
    }

    private String url(String node) {
        return "http://127.0.0.1:" + apiPorts.get(node);
    }

    private static boolean free(int port) {
        try (java.net.ServerSocket _ = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int anyFreePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            return 0; // the API server picks one
        }
    }

    /** --keep: the daemons keep running until SIGINT/SIGTERM; the hook cleans up. */
    private int keep(Topology t, LiveView v) {
        if (traffic != null) {
            // the lifecycle ended with every VM deleted: bring them back where their NICs are, for a person to ping
            Ops ops = new Ops();
            try {
                for (Plan.Vm vm : Plan.VMS) {
                    String host = nicAt.get(vm.name());
                    ops.tnve(host, "create " + vm.name(), e -> e.create(vm.name(), List.of(vm.tsi())));
                    ops.tnve(host, "start " + vm.name(), e -> e.start(vm.name()));
                }
            } catch (Exception e) {
                v.close();
                err.println("splitnve: demo: --keep: the VMs could not be started again: " + describe(e));
                return 1;
            }
            StringBuilder where = new StringBuilder();
            for (Plan.Vm vm : Plan.VMS) {
                where.append(where.isEmpty() ? "" : ", ").append(vm.name()).append(" on ").append(nicAt.get(vm.name()));
            }
            v.message("--keep: the VMs run again for you to ping (" + where + ").");
        }
        v.message("--keep: everything keeps running until Ctrl-C (then it is all removed). To explore:");
        String a = url(Plan.NNVE_A);
        String b = url(Plan.NNVE_B);
        String h1 = url(Plan.H1);
        String h2 = url(Plan.H2);
        NvaDaemon service = nva;
        String nvaUrl = service == null ? "(no NVA)" : "http://127.0.0.1:" + service.api().address().getPort();
        for (String line : List.of(
                "./splitnve show tsis --api " + a + "          # nnve-a's TSIs (show peers|vns|tsis|tags|status)",
                "./splitnve show vns --api " + b + "           # nnve-b's VNs and local tags",
                "./splitnve vm create vm-new --vn 5001 --mac 52:54:00:51:00:09 --ip 10.51.0.29 --start --api " + h1,
                "./splitnve vm migrate vm-new --to " + h2 + " --api " + h1 + "   # h1 -> h2, same nNVE port",
                "./splitnve vm list --api " + url(Plan.H3) + "            # h3's VMs",
                "./splitnve watch --api " + a + "              # nnve-a's events as they happen",
                "./splitnve show flows --api " + b + "         # nnve-b's switch: per TSI what passes and why",
                "curl -s " + a + "/v1/tsis                     # the JSON itself",
                "curl -s " + nvaUrl + "/v1/nva/vns/5000        # the NVA: VN 5000, its permits and mappings",
                "curl -s '" + nvaUrl + "/v1/nva/where?mac=" + Plan.VM_WEB.tsi().mac() + "'   # where vm-web lives")) {
            v.message("  " + line);
        }
        for (String line : t.explore()) {
            v.message("  " + line);
        }
        v.live();
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static String describe(Throwable e) {
        Throwable c = e;
        while ((c instanceof ExecutionException || c instanceof java.util.concurrent.CompletionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof java.util.concurrent.TimeoutException) {
            return "no answer in time";
        }
        return c.getMessage() != null ? c.getMessage() : c.toString();
    }

    /**
     * The step's probes of the data plane (with tenant traffic), once every daemon's switch holds the flows of its
     * state: each one shown; the first that did not do what it says, or null.
     */
    private String probe(Lifecycle.Step s) throws Exception {
        Traffic t = traffic;
        if (t == null || s.traffic().isEmpty()) {
            return null;
        }
        awaitInstalled();
        for (Lifecycle.Probe p : s.traffic()) {
            boolean answered = p.passes() ? t.reaches(p.from(), p.to(), PROBE_TIMEOUT_MS) : !t.blocked(p.from(), p.to());
            String what = p.from().name() + " -> " + p.to().name() + " (" + p.to().ip() + ")";
            view.message("   traffic: " + what + (answered ? " answered" : " no answer") + (answered == p.passes() ? ""
                    : ", NOT AS EXPECTED") + ": " + p.why());
            if (answered != p.passes()) {
                return "traffic: " + what + (answered ? " was answered, expected no answer" : " got no answer in "
                        + PROBE_TIMEOUT_MS + " ms") + " (" + p.why() + ")";
            }
        }
        return null;
    }

    /** Waits until every daemon's switch holds the flows of its state as of now (its switch agent says so). */
    private void awaitInstalled() {
        for (var e : nnves.entrySet()) {
            NnveDaemon d = e.getValue();
            awaitCondition(e.getKey() + "'s switch to hold the flows of its state",
                    () -> d.dataplaneInstalled().get(OP_TIMEOUT_MS, TimeUnit.MILLISECONDS), OP_TIMEOUT_MS);
        }
        for (var e : tnves.entrySet()) {
            TnveDaemon d = e.getValue();
            awaitCondition(e.getKey() + "'s switch to hold the flows of its state",
                    () -> d.dataplaneInstalled().get(OP_TIMEOUT_MS, TimeUnit.MILLISECONDS), OP_TIMEOUT_MS);
        }
    }

    /** Polls the world until every expectation of the step holds; the problems left at the timeout, or null. */
    private String awaitExpectations(Lifecycle.Step s) throws Exception {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(checkTimeoutMs);
        while (true) {
            World w = World.take(nvaService(), nnves, tnves, 2_000);
            List<String> problems = new ArrayList<>();
            for (Lifecycle.Check c : s.expect()) {
                String p = c.problem(w);
                if (p != null) {
                    problems.add(p);
                }
            }
            if (problems.isEmpty()) {
                return null;
            }
            if (System.nanoTime() > end || signalled) {
                return String.join("; ", problems);
            }
            Thread.sleep(20);
        }
    }

    private World worldOrNull() {
        if (cleanedUpOrSignalled()) {
            return null;
        }
        try {
            return World.take(nvaService(), nnves, tnves, 1_000);
        } catch (Exception | Error e) {
            return null;
        }
    }

    private boolean cleanedUpOrSignalled() {
        synchronized (cleanupLock) {
            return cleanedUp || signalled;
        }
    }

    /** The daemons' steps through their engines (each call on the engine's own thread). */
    private final class Ops implements Lifecycle.Ops {
        @Override
        public void startDaemons() throws IOException {
            DemoCommand.this.startDaemons(topology);
        }

        @Override
        public void tnve(String host, String what, Function<TnveEngine, CompletableFuture<OpResult>> op)
                throws Exception {
            TnveDaemon d = tnves.get(host);
            // the engine's future as a CompletionStage: not a future of a future (Error Prone FutureReturnValueIgnored)
            CompletionStage<OpResult> answer = d.runner().call(() -> (CompletionStage<OpResult>) op.apply(d.engine()))
                    .get(OP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            OpResult r;
            try {
                r = answer.toCompletableFuture().get(OP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException(host + ": " + what + ": no answer in " + OP_TIMEOUT_MS + " ms");
            }
            if (!r.ok()) {
                throw new IllegalStateException(host + ": " + what + " failed (code " + r.code() + "): " + r.detail());
            }
        }

        @Override
        public <T> T nnve(String nnve, Function<NnveEngine, T> op) throws Exception {
            NnveDaemon d = nnves.get(nnve);
            return d.runner().call(() -> op.apply(d.engine())).get(OP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }

        @Override
        public void await(String what, String nnve, Predicate<Nva> condition) {
            NnveDaemon d = nnves.get(nnve);
            awaitCondition(what, () -> d.runner().call(() -> condition.test(d.nva()))
                    .get(OP_TIMEOUT_MS, TimeUnit.MILLISECONDS), OP_TIMEOUT_MS);
        }

        @Override
        public World world() throws Exception {
            return World.take(nvaService(), nnves, tnves, 2_000);
        }

        @Override
        public void pingStart(Plan.Vm from, Plan.Vm to) throws Exception {
            Traffic t = traffic;
            if (t == null) {
                return;
            }
            Traffic.Stream s = t.stream(from, to);
            stream = s;
            if (!s.awaitReplyAfter(0, PROBE_TIMEOUT_MS)) {
                throw new IllegalStateException("traffic: " + from.name() + " got no answer from " + to.name()
                        + " before the migration");
            }
        }

        @Override
        public void pause(Plan.Vm vm, String from, String to) throws Exception {
            if (traffic != null && topology instanceof NetnsTopology n) {
                long[] pause = n.moveNic(vm, from, to);
                nicAt.put(vm.name(), to);
                Traffic.Stream s = stream;
                if (s != null) {
                    s.pause(pause);
                }
            }
        }

        @Override
        public void pingEnd() throws Exception {
            Traffic.Stream s = stream;
            if (s == null) {
                return;
            }
            boolean answered = s.awaitReplyAfter(s.lastPauseEnd(), PROBE_TIMEOUT_MS);
            stream = null;
            Traffic.Seen seen = s.stop();
            view.message("   traffic: " + s.describe(seen));
            if (!answered) {
                throw new IllegalStateException("traffic: no answer in " + PROBE_TIMEOUT_MS + " ms after the VM's pause");
            }
        }
    }

    /** The shared NVA's service, or null before it started. */
    private RevisionedNva nvaService() {
        NvaDaemon d = nva;
        return d == null ? null : d.nva();
    }

    /**
     * The NVA daemon first (in this process, its state in memory, its API on a free loopback port): the demo's VNs
     * (imported from its configuration), the two nNVEs registered with loopback VTEPs, each with its own token.
     * Then the nNVEs, its clients ([nva] servers), each waited for until its replica is in sync (so the tNVEs'
     * requests find the NVA's VNs); then the tNVEs, whose hellos find the nNVEs. Each from the configuration text of
     * its node.
     */
    private void startDaemons(Topology t) throws IOException {
        NvaSettings ns = settings(Plan.NVA, Plan.nvaConfig(options.json()), NvaSettings::from);
        NvaDaemon service = NvaDaemon.start(ns, "demo:" + Plan.NVA, view.eventStream(Plan.NVA));
        if (!register(() -> nva = service, service)) {
            return;
        }
        String nvaUrl = "http://127.0.0.1:" + service.api().address().getPort();
        RevisionedNva truth = service.nva();
        for (String n : Plan.NNVES) {
            NveId id = NveId.of(n);
            truth.registerNve(id, InetAddress.getByName(Plan.vtep(n))).decision().orElseThrow();
            truth.permitEndDevice(EndDeviceRule.anyOn(id)).decision().orElseThrow();
            truth.setCredential(id, Plan.token(n)).decision().orElseThrow();
        }
        view.message("NVA (splitnve nva, shared by both nNVEs) " + nvaUrl + ": VNs " + Plan.VNS.stream()
                .map(v -> v.id() + " " + v.alias()).collect(java.util.stream.Collectors.joining(", "))
                + "; nnve-a and nnve-b registered (VTEPs " + Plan.vtep(Plan.NNVE_A) + ", " + Plan.vtep(Plan.NNVE_B)
                + "), each with its own token");
        for (String n : Plan.NNVES) {
            NnveSettings s = settings(n, Plan.nnveConfig(n, t.namespace(n), options.json(), api(n), nvaUrl, ovsDir(t, n)),
                    NnveSettings::from);
            List<Port> ports = t.ports(n, s.ports().stream().map(NnveSettings.PortSettings::iface).toList());
            PrintStream log = view.eventStream(n);
            NnveDaemon d = ports == null ? NnveDaemon.start(s, "demo:" + n, log)
                    : NnveDaemon.start(s, "demo:" + n, log, ports);
            if (!register(() -> nnves.put(n, d), d)) {
                return;
            }
        }
        for (String n : Plan.NNVES) {
            awaitInSync(n);
        }
        Path states = Files.createTempDirectory("splitnve-demo-state");
        stateRoot = states;
        for (String h : Plan.HOSTS) {
            TnveSettings s = settings(h, Plan.tnveConfig(h, t.namespace(h), options.json(), api(h),
                    states.resolve(h).toString(), ovsDir(t, h)), TnveSettings::from);
            List<Port> ports = t.ports(h, TnveDaemon.portLabels(s));
            PrintStream log = view.eventStream(h);
            TnveDaemon d = ports == null ? TnveDaemon.start(s, "demo:" + h, log)
                    : TnveDaemon.start(s, "demo:" + h, log, ports);
            if (!register(() -> tnves.put(h, d), d)) {
                return;
            }
        }
    }

    /** The run directory of the node's Open vSwitch, which its daemon programs; null without tenant traffic. */
    private static Path ovsDir(Topology t, String node) {
        return t instanceof NetnsTopology n && n.traffic() ? n.ovsDir(node) : null;
    }

    /** Waits (at most {@link #OP_TIMEOUT_MS}) until the nNVE's client holds the NVA's state (NVA-3, NVA-4). */
    private void awaitInSync(String nnve) {
        NvaClient c = nnves.get(nnve).nvaClient().orElseThrow(() -> new IllegalStateException(nnve
                + " has no NVA client: its configuration names no NVA"));
        awaitCondition(nnve + "'s replica of the NVA in sync", () -> c.state() == NvaClient.State.IN_SYNC,
                SYNC_TIMEOUT_MS);
    }

    /** What the demo waits for. */
    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} until it holds; after {@code timeoutMs} (or a signal) fails naming {@code what}. */
    private void awaitCondition(String what, Condition condition, long timeoutMs) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        try {
            while (!condition.holds()) {
                if (System.nanoTime() > end || signalled) {
                    throw new IllegalStateException("waited " + timeoutMs + " ms for " + what + " in vain");
                }
                Thread.sleep(10); // the next look, not the condition: the loop ends as soon as it holds
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("waiting for " + what + ": " + e.getMessage(), e);
        }
    }

    private String api(String node) {
        return "127.0.0.1:" + apiPorts.get(node);
    }

    /** How a daemon's settings are read from a configuration file. */
    private interface SettingsReader<S> {
        S from(ConfFile f) throws ConfigException;
    }

    /** A node's settings from its configuration text, validated as the daemons validate their files. */
    private static <S> S settings(String node, String text, SettingsReader<S> reader) {
        try {
            return reader.from(ConfFile.parse(Path.of("demo", node + ".conf"), text));
        } catch (ConfFile.SyntaxError | ConfigException e) {
            throw new IllegalStateException("the demo's configuration of " + node + " is wrong: " + e.getMessage(), e);
        }
    }

    /** Keeps a daemon just started for the clean-up; false (and the daemon stopped) when that ran already. */
    private boolean register(Runnable put, Daemon d) {
        synchronized (cleanupLock) {
            if (!cleanedUp) {
                put.run();
                return true;
            }
        }
        d.close();
        return false;
    }

    /** SIGINT/SIGTERM (or the JVM exiting otherwise): stop and remove everything, say so. */
    private void onSignal() {
        synchronized (cleanupLock) {
            if (cleanedUp) {
                return;
            }
            signalled = true;
        }
        LiveView v = view;
        if (v != null) {
            v.close();
        }
        err.println("splitnve demo: stopping (signal): stopping the daemons and removing what the demo made");
        cleanup();
    }

    /** Stops the daemons (hypervisors first) and removes the topology; once. */
    private void cleanup() {
        Traffic.Stream s = stream;
        if (s != null) {
            s.kill();
        }
        List<Daemon> daemons;
        synchronized (cleanupLock) {
            if (cleanedUp) {
                return;
            }
            cleanedUp = true;
            daemons = new ArrayList<>(tnves.values());
            daemons.addAll(nnves.values());
            if (nva != null) {
                daemons.add(nva); // last: its clients are gone by then
            }
        }
        for (Daemon d : daemons) {
            try {
                d.close();
            } catch (RuntimeException e) {
                err.println("splitnve demo: stopping a daemon: " + e);
            }
        }
        Topology t = topology;
        if (t != null) {
            t.close();
        }
        Path states = stateRoot;
        if (states != null) {
            try (var files = Files.walk(states)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | RuntimeException e) {
                err.println("splitnve demo: removing " + states + ": " + e);
            }
        }
        LiveView v = view;
        if (v != null) {
            v.close();
        }
        String what = t instanceof NetnsTopology ? "daemons stopped, network namespaces removed ("
                + NetnsTopology.existing(NetnsTopology.prefixOf(ProcessHandle.current().pid())).size() + " left)"
                : "daemons stopped";
        (signalled ? err : out).println("splitnve demo: cleaned up: " + what);
        (signalled ? err : out).flush();
    }
}
