package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.splitnve.api.JsonCodec;
import org.splitnve.config.ConfigException;
import org.splitnve.daemon.Daemon;
import org.splitnve.daemon.NnveDaemon;
import org.splitnve.daemon.TnveDaemon;
import org.splitnve.daemon.config.NnveSettings;
import org.splitnve.daemon.config.TnveSettings;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.Vap;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.TsiBinding;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.transport.NetLab;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;
import tools.jackson.databind.JsonNode;

/**
 * The lab of the daemon integration tests: network namespaces (names {@code netPID-N-x}), Linux bridges
 * (STP off) in a switch namespace, end points cabled to bridge ports by veth pairs, loss injected in the
 * kernel with nftables, and the real nNVE and tNVE daemons started in-process from configuration texts,
 * each in its own namespace on raw Ethernet. A JUnit extension: register it per test
 * ({@code @RegisterExtension final DaemonLab lab = new DaemonLab();}). It skips the test unless root (or
 * {@code CI} is set: then it must run), and after the test, also a failed one, stops the daemons and
 * processes, closes sockets and deletes the namespaces (with them every veth, bridge and nft table); a
 * failed test gets the daemons' logs printed (every test does with {@code SPLITNVE_TEST_LOGS} set).
 *
 * <p>Loss: every bridge port gets an nftables netdev ingress chain {@code numgen random mod 100 < P
 * counter drop}. It sits on the bridge's side of each cable because a netdev ingress hook runs only after
 * the kernel has handed a frame to the packet sockets bound to ETH_P_ALL (checked here: 1,000 frames sent,
 * nft counted 202 drops, an ETH_P_ALL socket on the same end still received all 1,000), and the daemons'
 * raw sockets bind ETH_P_ALL (to keep 802.1Q tags). On a bridge port the hook runs before the bridge
 * forwards, so a dropped frame never reaches the other side: every frame crossing a bridge, either way,
 * meets the loss once per bridge it enters. A direct cable is a two-port bridge ({@link #wire}).
 */
final class DaemonLab implements BeforeEachCallback, AfterEachCallback {
    static final String PREFIX = "net";
    /**
     * ECP/VDP timers of every daemon unless a test sets others ({@link #timers}): RTE 12 (41 ms: a loaded
     * 2-core machine answers late now and then), RKA 17 (1.3 s keep-alive; a lost peer is noticed in about
     * 2.5 s), R 3, RWD 20.
     */
    static final String TIMERS = """
            [timers]
            retries = 3
            rte = 12
            rwd = 20
            rka = 17
            """;
    /** JSON log, everything; the HTTP API on a free loopback port (tests run side by side). */
    private static final String COMMON = """
            [log]
            format = "json"
            level = "debug"
            [api]
            listen = "127.0.0.1:0"
            """;
    private String common() {
        return COMMON.replace("level = \"debug\"", "level = \"" + logLevel + "\"");
    }

    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+) bytes \\d+ (?:drop )?comment \"(seen|lost)\"");

    /** A Linux bridge in the switch namespace. */
    record Bridge(String name) {
    }

    private final NetLab net = new NetLab(PREFIX);
    private final List<Node> nodes = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<String> lossPorts = new ArrayList<>();
    private String switchNs;
    private int bridgePorts;
    private int lossPercent;
    private String timers = TIMERS;
    private String logLevel = "debug";
    private Path dir;
    private String testName = "";

    // ------------------------------------------------------------------ JUnit

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        assumeTrue(NetLab.privileged() || System.getenv("CI") != null,
                "network namespace tests need root (they always run when CI is set)");
        NetLab.removeStaleAll();
        dir = NetLab.tempDir("netns");
        testName = context.getDisplayName();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isPresent() || System.getenv("SPLITNVE_TEST_LOGS") != null) {
            for (Node n : nodes) {
                System.out.println("----- log of " + n.name + " (" + testName + ")");
                System.out.print(n.log());
            }
        }
        close();
    }

    /** Stops everything the lab started and deletes everything it created; safe to call twice. */
    void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).daemon.close();
        }
        for (Process p : processes) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = closeables.size() - 1; i >= 0; i--) {
            try {
                closeables.get(i).close();
            } catch (Exception e) {
                System.err.println("could not close " + closeables.get(i) + ": " + e);
            }
        }
        processes.clear();
        closeables.clear();
        net.close();
        NetLab.removeOwn(PREFIX);
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary directory
            }
        }
    }

    // ------------------------------------------------------------------ topology

    /** The {@code [timers]} section of the daemons configured from now on. */
    DaemonLab timers(String section) {
        this.timers = section;
        return this;
    }

    /**
     * The log level of the daemons configured from now on ({@code debug} unless set): a test that floods a
     * daemon logs at {@code info}, as in production, so that it measures the daemon, not its debug log.
     */
    DaemonLab logLevel(String level) {
        this.logLevel = level;
        return this;
    }

    /** Drops {@code percent}% of the frames entering every bridge port cabled from now on (0: none). */
    DaemonLab loss(int percent) {
        this.lossPercent = percent;
        return this;
    }

    String namespace(String suffix) throws IOException {
        return net.namespace(suffix);
    }

    /** A Linux bridge (STP off, so it forwards 01:80:c2:00:00:00; forward delay 0) in the switch namespace. */
    Bridge bridge(String name) throws IOException {
        if (switchNs == null) {
            switchNs = net.namespace("sw");
        }
        net.bridge(switchNs, name);
        assertThat(NetLab.run("ip", "-n", switchNs, "-d", "link", "show", name)).contains("stp_state 0");
        return new Bridge(name);
    }

    /** A cable: a two-port bridge to {@link #attach} both ends to (where the loss goes in). */
    Bridge wire(String name) throws IOException {
        return bridge(name);
    }

    /**
     * Cables {@code iface} (MAC {@code mac}) in {@code ns} to a new port of {@code bridge}; the port drops
     * the lab's share of the frames arriving from {@code iface}. Returns the bridge port's name.
     */
    String attach(Bridge bridge, String ns, String iface, MacAddress mac) throws IOException {
        bridgePorts++;
        String port = "p" + bridgePorts;
        NetLab.ip("link", "add", iface, "netns", ns, "address", mac.toString(), "type", "veth", "peer", "name", port,
                "netns", switchNs);
        NetLab.ip("-n", switchNs, "link", "set", port, "master", bridge.name());
        if (lossPercent > 0) {
            nft("""
                    table netdev splitnve_loss {
                      chain in_%1$s {
                        type filter hook ingress device "%1$s" priority 0; policy accept;
                        counter comment "seen"
                        numgen random mod 100 < %2$d counter drop comment "lost"
                      }
                    }
                    """.formatted(port, lossPercent));
            lossPorts.add(port);
        }
        NetLab.ip("-n", switchNs, "link", "set", port, "up");
        NetLab.ip("-n", ns, "link", "set", iface, "up");
        NetLab.awaitUp(switchNs, port);
        NetLab.awaitUp(ns, iface);
        return port;
    }

    private void nft(String script) throws IOException {
        Path f = dir.resolve("nft-" + bridgePorts + ".nft");
        Files.writeString(f, script);
        NetLab.run("ip", "netns", "exec", switchNs, "nft", "-f", f.toString());
    }

    /**
     * Turns MAC learning off on a bridge port: the frames a forger sends there in another station's name no
     * longer move that MAC to its port (the bridge's learning is not what a test of the protocol is about).
     */
    void learning(String bridgePort, boolean on) throws IOException {
        NetLab.run("bridge", "-n", switchNs, "link", "set", "dev", bridgePort, "learning", on ? "on" : "off");
    }

    /** Takes {@code iface} in {@code ns} down: the cable is cut. */
    void cut(String ns, String iface) throws IOException {
        NetLab.ip("-n", ns, "link", "set", iface, "down");
    }

    /** Brings {@code iface} in {@code ns} up again: the cut cable is mended. */
    void restore(String ns, String iface) throws IOException {
        NetLab.ip("-n", ns, "link", "set", iface, "up");
    }

    /** The MAC addresses the bridge learned on {@code port} (from the frames that came in there). */
    List<MacAddress> learned(Bridge bridge, String port) throws IOException {
        List<MacAddress> out = new ArrayList<>();
        for (String line : NetLab.run("bridge", "-n", switchNs, "fdb", "show", "br", bridge.name(), "brport", port)
                .lines().toList()) {
            String[] w = line.trim().split("\\s+", -1);
            if (w.length > 0 && w[0].length() == 17 && !line.contains("permanent")) {
                out.add(MacAddress.parse(w[0]));
            }
        }
        return out;
    }

    /** Frames seen and dropped by the loss chains: {seen, lost}. */
    long[] lossCounters() throws IOException {
        long[] c = new long[2];
        if (lossPorts.isEmpty()) {
            return c;
        }
        Matcher m = COUNTER.matcher(NetLab.run("ip", "netns", "exec", switchNs, "nft", "list", "table", "netdev",
                "splitnve_loss"));
        while (m.find()) {
            c[m.group(2).equals("seen") ? 0 : 1] += Long.parseLong(m.group(1));
        }
        return c;
    }

    /**
     * Prints how many frames nftables dropped and how many ECP retransmissions {@code nodes} logged; with
     * loss on, asserts both are positive (the loss is real and reached the daemons). Returns the drops.
     */
    long reportLoss(Node... nodes) throws IOException {
        long[] c = lossCounters();
        long retransmits = 0;
        for (Node x : nodes) {
            retransmits += x.events("ecp.retransmit").size();
        }
        System.out.printf("[%s] loss %d%%: nftables dropped %d of %d frames entering %d bridge ports; "
                + "ECP retransmissions logged: %d%n", testName, lossPercent, c[1], c[0], lossPorts.size(), retransmits);
        if (lossPercent > 0) {
            assertThat(c[1]).as("frames nftables dropped").isPositive();
            assertThat(retransmits).as("ECP retransmissions with %d%% loss", lossPercent).isPositive();
        }
        return c[1];
    }

    /** Closed by the lab after the test (sockets, runners), before the namespaces go. */
    <T extends AutoCloseable> T closeAfter(T c) {
        closeables.add(c);
        return c;
    }

    /** A process the lab kills (if still running) after the test. */
    Process process(Process p) {
        processes.add(p);
        return p;
    }

    Path dir() {
        return dir;
    }

    /**
     * Starts {@code splitnve ROLE --config FILE} as a process of its own, as an operator runs it (the main class
     * and classes of the jar, this JVM's java); stdout goes to {@code log}, stderr to {@code log.err}. The lab
     * kills it after the test if it still runs.
     */
    Process daemonProcess(String role, Path config, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", classpath(),
                "org.splitnve.launcher.Main", role, "--config", config.toString());
        pb.redirectOutput(log.toFile());
        pb.redirectError(ProcessBuilder.Redirect.appendTo(stderrOf(log).toFile()));
        return process(pb.start());
    }

    /** Where {@link #daemonProcess} sends a process's stderr. */
    static Path stderrOf(Path log) {
        return log.resolveSibling(log.getFileName() + ".err");
    }

    /** The test JVM's class path, entries that exist (the launcher's classes and every dependency). */
    static String classpath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(e -> Files.exists(Path.of(e))).collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }

    /** Where a daemon process's API listens ("127.0.0.1:PORT"), from its api.listening log line; fails if it ends. */
    static String apiAddress(Process p, Path log) throws Exception {
        String[] found = new String[1];
        await("the daemon process's API listens", Duration.ofSeconds(60), () -> {
            if (!p.isAlive()) {
                throw new AssertionError("the daemon process ended with " + p.exitValue() + ": " + Files.readString(log)
                        + Files.readString(stderrOf(log)));
            }
            List<JsonNode> l = events(Files.readString(log), "api.listening");
            if (!l.isEmpty()) {
                found[0] = text(l.getFirst(), "address");
            }
            return found[0] != null;
        });
        return found[0];
    }

    /** A key file (hex) in the lab's directory, named {@code name}. */
    Path keyFile(String name, byte[] material) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, "# test key\n" + HexFormat.of().formatHex(material) + "\n");
        return f;
    }

    // ------------------------------------------------------------------ configurations and daemons

    /** {@code [[port]]} of an nNVE: {@code iface} in {@code ns}, plus {@code extra} lines. */
    static String port(String ns, String iface, String extra) {
        return "[[port]]\ninterface = \"" + iface + "\"\nnamespace = \"" + ns + "\"\n" + extra + "\n";
    }

    /** {@code [[uplink]]} of a tNVE. */
    static String uplink(String name, String ns, String iface, String destination, String extra) {
        return "[[uplink]]\nname = \"" + name + "\"\ninterface = \"" + iface + "\"\nnamespace = \"" + ns
                + "\"\ndestination = \"" + destination + "\"\n" + extra + "\n";
    }

    /** {@code [nva]} with one {@code [[nva.vn]]} per ID (alias vn-ID, VNI = ID + 10000). */
    static String vns(long... ids) {
        StringBuilder sb = new StringBuilder("[nva]\n");
        for (long id : ids) {
            sb.append("[[nva.vn]]\nid = ").append(id).append("\nalias = \"vn-").append(id).append("\"\nvni = ")
                    .append(id + 10_000).append('\n');
        }
        return sb.toString();
    }

    /** The full text of an nNVE configuration: {@code [nnve]}, {@code body}, the lab's timers, log and API. */
    String nnveConfig(String name, String body) {
        return "[nnve]\nname = \"" + name + "\"\n" + body + "\n" + timers + common();
    }

    /**
     * The full text of a tNVE configuration: {@code [tnve]}, {@code body}, the lab's timers, log and API, and
     * its state directory {@code state-NAME} in the lab's directory (the same for a daemon started again).
     */
    String tnveConfig(String name, String body) {
        return "[tnve]\nname = \"" + name + "\"\n" + body + "\n" + timers + common() + "[state]\ndir = \""
                + stateDir(name) + "\"\n";
    }

    /** Where the tNVE named so keeps its VMs (REL-1). */
    Path stateDir(String name) {
        return dir.resolve("state-" + name);
    }

    Path write(String file, String text) throws IOException {
        Path f = dir.resolve(file);
        Files.writeString(f, text);
        return f;
    }

    /** Starts an nNVE daemon in-process from {@code body} (see {@link #nnveConfig}). */
    Nnve nnve(String name, String body) throws IOException, ConfigException {
        Path f = write(name + ".conf", nnveConfig(name, body));
        LogBuffer log = new LogBuffer();
        Nnve n = new Nnve(name, NnveDaemon.start(NnveSettings.load(f), f.toString(), log.stream), log);
        nodes.add(n);
        return n;
    }

    /**
     * Stops an nNVE daemon (a clean stop: its sockets close, its state is gone) and starts a new one from the
     * same configuration file on the same interfaces: a restart of the nNVE process (REL-7).
     */
    Nnve restart(Nnve old) throws IOException, ConfigException {
        old.daemon.close();
        nodes.remove(old);
        Path f = dir.resolve(old.name + ".conf");
        LogBuffer log = new LogBuffer();
        Nnve n = new Nnve(old.name, NnveDaemon.start(NnveSettings.load(f), f.toString(), log.stream), log);
        nodes.add(n);
        return n;
    }

    /** Starts a tNVE daemon in-process from {@code body} (see {@link #tnveConfig}). */
    Tnve tnve(String name, String body) throws IOException, ConfigException {
        Path f = write(name + ".conf", tnveConfig(name, body));
        LogBuffer log = new LogBuffer();
        Tnve t = new Tnve(name, TnveDaemon.start(TnveSettings.load(f), f.toString(), log.stream), log);
        nodes.add(t);
        return t;
    }

    // ------------------------------------------------------------------ helpers

    /** A TSI: UUID VSI ID, MAC 52:54:00:0a:NN:NN, IPv4 10.0.NN.NN, on VN {@code vn}. */
    static TsiSpec tsi(int n, long vn) {
        try {
            return TsiSpec.of(VsiId.uuid(new UUID(0x7e57_0000_0000_4000L | n, 0x8000_0000_0000_0000L | n)), vn,
                    new MacAddress(0x5254_000a_0000L | n), List.of(TsiAddress.host(java.net.InetAddress.getByAddress(
                            new byte[] {10, 0, (byte) (n >> 8), (byte) n}))));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A locally administered unicast MAC, 02:6e:65:74:00:NN ("net"). */
    static MacAddress mac(int n) {
        return new MacAddress(0x026e_6574_0000L | n);
    }

    /** Waits up to {@code timeout} for {@code condition}; fails with {@code what} if it does not come. */
    static void await(String what, Duration timeout, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + timeout.toSeconds() + " s for: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** A daemon's log: one JSON object a line, kept in memory. */
    static final class LogBuffer {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            synchronized (stream) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }

    /** The events named {@code name} in a log of JSON lines. */
    static List<JsonNode> events(String log, String name) {
        List<JsonNode> out = new ArrayList<>();
        String tag = "\"event\":\"" + name + "\"";
        for (String line : log.lines().toList()) {
            if (!line.contains(tag)) {
                continue;
            }
            JsonNode v;
            try {
                v = JsonCodec.tree(line);
            } catch (JsonCodec.Invalid e) {
                throw new AssertionError("not a JSON log line: " + line, e);
            }
            if (v.isObject() && name.equals(v.path("event").asString(null))) {
                out.add(v);
            }
        }
        return out;
    }

    static String text(JsonNode o, String key) {
        JsonNode v = o.get(key);
        if (v == null) {
            return null;
        }
        return v.isString() ? v.stringValue() : v.isNumber() ? v.decimalValue().toPlainString() : v.toString();
    }

    /** One daemon of the lab. */
    abstract static class Node {
        final String name;
        final Daemon daemon;
        private final LogBuffer log;

        Node(String name, Daemon daemon, LogBuffer log) {
            this.name = name;
            this.daemon = daemon;
            this.log = log;
        }

        String log() {
            return log.text();
        }

        List<JsonNode> events(String event) {
            return DaemonLab.events(log(), event);
        }

        /** Runs {@code task} on the daemon's engine thread. */
        <T> T call(Callable<T> task) throws Exception {
            return daemon.runner().call(task).get(10, TimeUnit.SECONDS);
        }
    }

    static final class Nnve extends Node {
        final NnveDaemon d;

        Nnve(String name, NnveDaemon d, LogBuffer log) {
            super(name, d, log);
            this.d = d;
        }

        /** The state of the TSI's one instance here (INIT when there is none); fails if there are several. */
        TsiState state(TsiSpec t) throws Exception {
            // the state is read on the engine thread too: read here, a transition under way could be seen before
            // its tsi.state event is logged (the engine sets the state first)
            List<TsiState> list = call(() -> d.engine().instances(t.id()).stream().map(Tsi::state).toList());
            assertThat(list).as("instances of %s at %s", t.id(), name).hasSizeLessThanOrEqualTo(1);
            return list.isEmpty() ? TsiState.INIT : list.getFirst();
        }

        /** The TSI's instance here: station, port, state, addresses and tag, as text (to compare before and after). */
        String describe(TsiSpec t) throws Exception {
            return call(() -> {
                List<String> out = new ArrayList<>();
                for (Tsi x : d.engine().instances(t.id())) {
                    out.add(x.station() + " port " + x.port() + " " + x.state() + " " + x.addresses() + " " + x.filter()
                            + " tag " + x.vap().tag());
                }
                return String.join("; ", out);
            });
        }

        List<Tsi> tsis() throws Exception {
            return call(() -> d.engine().tsis());
        }

        /** The VAP of {@code vn} on {@code port}, or null. */
        Vap vap(int port, long vn) throws Exception {
            return call(() -> d.engine().vap(port, new VnKey.Id(vn)));
        }

        List<TsiBinding> bindings(TsiSpec t) throws Exception {
            return call(() -> d.nva().bindings(t.id()));
        }

        List<MacAddress> peers() throws Exception {
            return call(() -> d.engine().peers().stream().map(p -> p.station()).toList());
        }
    }

    static final class Tnve extends Node {
        final TnveDaemon d;

        Tnve(String name, TnveDaemon d, LogBuffer log) {
            super(name, d, log);
            this.d = d;
        }

        /** Runs a lifecycle operation and waits for the nNVEs' answers. */
        OpResult op(Function<TnveEngine, CompletableFuture<OpResult>> operation) throws Exception {
            // the engine's future as a CompletionStage: not a future of a future (Error Prone FutureReturnValueIgnored)
            return daemon.runner().call(() -> (CompletionStage<OpResult>) operation.apply(d.engine()))
                    .get(10, TimeUnit.SECONDS).toCompletableFuture().get(60, TimeUnit.SECONDS);
        }

        /** Runs a lifecycle operation that must succeed. */
        void ok(Function<TnveEngine, CompletableFuture<OpResult>> operation) throws Exception {
            OpResult r = op(operation);
            assertThat(r.ok()).as("%s: %s", name, r).isTrue();
        }

        TnveEngine.TsiState state(String uplink, TsiSpec t) throws Exception {
            return call(() -> d.engine().tsiState(uplink, t.id()));
        }

        /**
         * Waits until the uplink is in sync with its nNVE (heard, session up): an nNVE daemon process just started is
         * a cold JVM, which on a loaded machine acknowledges its first frames later than R x RTE, and a request made
         * before the uplink is in sync then fails at its first ECP give-up (the uplink counts as lost).
         */
        void awaitInSync(String uplink) throws Exception {
            await(name + "'s uplink " + uplink + " in sync", Duration.ofSeconds(60),
                    () -> call(() -> d.engine().uplinkInSync(uplink)));
        }

        int tag(String uplink, TsiSpec t) throws Exception {
            return call(() -> d.engine().localTag(uplink, t.id()));
        }
    }
}
