package org.splitnve.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.dataplane.OvsInstance;

/**
 * {@code splitnve demo} as root: network namespaces, veth pairs, a Linux bridge and the daemons on raw
 * Ethernet, with Open vSwitch on the nNVEs and hypervisors and VMs as namespaces pinging each other (tenant traffic,
 * issue 11); in this JVM and as a process of its own stopped by a signal in the middle.
 */
class DemoNetnsTest {
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void rootOnly() {
        assumeTrue(DemoCommand.root() || System.getenv("CI") != null,
                "network namespaces need root (these tests always run when CI is set)");
    }

    @AfterEach
    void stopProcesses() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        NetnsTopology.removeStale();
    }

    /** Interfaces in the host's namespace carrying one of the plan's MACs (there must never be any). */
    static List<String> planInterfacesInHost() throws Exception {
        Process p = new ProcessBuilder("ip", "-o", "link", "show").redirectErrorStream(true).start();
        String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        List<String> found = new ArrayList<>();
        for (String line : all.lines().toList()) {
            for (Plan.Iface f : List.of(Plan.A_P0, Plan.B_P0, Plan.B_P1, Plan.H1_UP0, Plan.H2_UP0, Plan.H2_UP1,
                    Plan.H3_UP0)) {
                if (line.contains(f.mac().toString())) {
                    found.add(line);
                }
            }
            for (Plan.Vm vm : Plan.VMS) {
                if (line.contains(vm.tsi().mac().toString())) {
                    found.add(line);
                }
            }
        }
        return found;
    }

    /** The Open vSwitch daemons the demo run by process {@code pid} started that still run (there must be none after it). */
    static List<String> ovsLeft(long pid) {
        String dir = NetnsTopology.OVS_PREFIX + pid + "-";
        return ProcessHandle.allProcesses().map(ph -> ph.info().commandLine().orElse(""))
                .filter(c -> c.contains(dir)).toList();
    }

    @Test
    @DisplayName("REQ-1, REQ-2, REQ-3, REQ-12, GAP-1, LC-MIGRATE, SM-TSI-7, DP-1, DP-2, DP-3, DP-4, DP-5: as root with"
            + " Open vSwitch the demo builds namespaces, veths, a Linux bridge and a switch per nNVE and hypervisor, runs"
            + " the real daemons over raw Ethernet through the whole lifecycle (exit 0): the VMs ping each other across"
            + " the overlay only once Activated, never across VNs, never while paused or deactivated, and through both"
            + " live migrations; it leaves no namespace, no interface and no Open vSwitch behind")
    void netnsToTheEnd() throws Exception {
        org.splitnve.dataplane.OvsLab.assumeOvs();
        String prefix = NetnsTopology.prefixOf(ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        DemoCommandTest.Run r = DemoCommandTest.demo("--step-delay", "0");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(r.status()).as("stderr: %s%nstdout: %s", r.err(), r.out()).isZero();
        assertThat(r.out().lines().findFirst().orElseThrow()).startsWith("splitnve demo: network namespaces " + prefix)
                .contains("Linux bridge").contains("raw Ethernet").contains("Open vSwitch").contains("tenant traffic");
        String out = r.out();
        assertThat(out).contains(" ports=" + prefix + "nnve-a/p0 ")          // the daemons' raw ports (a list: comma-separated)
                .contains("demo complete: 17 steps").contains("13 probes of the data plane")
                .contains("cleaned up: daemons stopped, network namespaces removed (0 left)")
                .doesNotContain("NOT AS EXPECTED").doesNotContain("no tenant traffic");
        // DP-2: Associated, nothing passes; DP-1: once Activated, across the overlay both ways; DP-3: never across VNs
        String create = section(out, "[create]", "[start]");
        assertThat(create).contains("traffic: vm-web -> vm-app (10.50.0.12) no answer: both Associated");
        String start = section(out, "[start]", "[pause]");
        assertThat(start).contains("traffic: vm-web -> vm-app (10.50.0.12) answered: h1 -> nnve-a -> VXLAN")
                .contains("traffic: vm-app -> vm-web (10.50.0.11) answered")
                .contains("traffic: vm-batch -> vm-db (10.51.0.21) answered")
                .contains("traffic: vm-db -> vm-web (10.50.0.11) no answer: another VN")
                .contains("traffic: vm-db -> vm-app (10.50.0.12) no answer: another VN");
        // DP-4: a paused VM's port passes nothing; DP-2: a suspended (deactivated) TSI neither; resumed, it passes
        assertThat(section(out, "[pause]", "[suspend]")).contains("traffic: vm-batch -> vm-db (10.51.0.21) no answer: paused");
        assertThat(section(out, "[suspend]", "[resume]")).contains("traffic: vm-batch -> vm-db (10.51.0.21) no answer: deactivated");
        assertThat(section(out, "[resume]", "[move-prepare]")).contains("traffic: vm-batch -> vm-db (10.51.0.21) answered");
        // DP-5: both migrations with a ping every 10 ms, answered again after the VM's pause (the demo fails otherwise)
        for (String[] m : List.of(new String[] {"[move-prepare]", "[cross-prepare]"}, new String[] {"[cross-prepare]",
                "[address]"})) {
            String move = section(out, m[0], m[1]);
            java.util.regex.Matcher seen = java.util.regex.Pattern.compile("vm-web -> vm-app \\(10\\.50\\.0\\.12\\), a ping"
                    + " every 10 ms through the migration: (\\d+) sent, (\\d+) lost .*longest silence between two replies"
                    + " (\\d+) ms").matcher(move);
            assertThat(seen.find()).as("the ping through %s: %s", m[0], move).isTrue();
            assertThat(Integer.parseInt(seen.group(1))).as("pings sent through %s", m[0]).isPositive();
            System.out.println("[DP-5] demo " + m[0] + ": " + seen.group(0));
        }
        assertThat(section(out, "[move-finish]", "[cross-prepare]")).contains("traffic: vm-app -> vm-web (10.50.0.11) answered");
        assertThat(section(out, "[cross-finish]", "[address]")).contains("traffic: vm-app -> vm-web (10.50.0.11) answered")
                .contains("traffic: vm-batch -> vm-web (10.50.0.11) no answer");
        assertThat(section(out, "[shutdown]", "[delete]")).contains("traffic: vm-app -> vm-web (10.50.0.11) no answer");
        assertThat(NetnsTopology.existing(prefix)).isEmpty();
        assertThat(planInterfacesInHost()).isEmpty();
        assertThat(ovsLeft(ProcessHandle.current().pid())).isEmpty();
        System.out.println("netns demo, step delay 0: " + ms + " ms");
    }

    /** The demo's output from the line of step {@code from} to the line of step {@code to}. */
    private static String section(String out, String from, String to) {
        int a = out.indexOf(" " + from + " ");
        int b = out.indexOf(" " + to + " ", Math.max(a, 0));
        assertThat(a).as("step %s in the output", from).isNotNegative();
        return out.substring(a, b < 0 ? out.length() : b);
    }

    @Test
    @DisplayName("namespaces left by a demo whose process is gone are removed when the next demo starts; those of a"
            + " live process are kept")
    void staleLeftovers() throws Exception {
        long dead = 9_999_999L;   // above Linux's largest pid_max (2^22): never a live process
        assumeTrue(ProcessHandle.of(dead).isEmpty());
        String stale = NetnsTopology.PREFIX + dead + "-h1";
        String live = NetnsTopology.PREFIX + "1-h1";       // pid 1 is always alive
        run("ip", "netns", "add", stale);
        run("ip", "netns", "add", live);
        try {
            DemoCommandTest.Run r = DemoCommandTest.demo("--memory", "--step-delay", "0");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out().lines().toList().get(1)).contains("an earlier demo left behind: ").contains(stale)
                    .doesNotContain(live);
            assertThat(NetnsTopology.existing(NetnsTopology.PREFIX + dead + "-")).isEmpty();
            assertThat(NetnsTopology.existing(live)).containsExactly(live);
        } finally {
            run("ip", "netns", "delete", live);
            if (!NetnsTopology.existing(stale).isEmpty()) {
                run("ip", "netns", "delete", stale);
            }
        }
    }

    /**
     * Starts {@code splitnve demo ARGS} as its own JVM, as the launcher does ({@code java
     * --enable-native-access=ALL-UNNAMED}, Main), with SIGINT at its default disposition (a shell running
     * commands in the background would have it ignored, as Ctrl-C never reaches those).
     */
    Process start(Path dir, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT", java,
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "org.splitnve.launcher.Main", "demo"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile()).start();
        processes.add(p);
        return p;
    }

    static void awaitOutput(Path file, String text, Process p) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError("the demo ended (" + p.exitValue() + ") before printing '" + text + "': "
                        + Files.readString(file));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no '" + text + "' in 60 s: " + Files.readString(file));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TERM", "INT"})
    @DisplayName("SIGTERM or SIGINT (Ctrl-C) in the middle of the lifecycle: the demo process stops its daemons and"
            + " removes every namespace it made")
    void signalInTheMiddle(String signal, @TempDir Path dir) throws Exception {
        Process p = start(dir, "--step-delay", "300");
        String prefix = NetnsTopology.prefixOf(p.pid());
        awaitOutput(dir.resolve("out.txt"), "== step 7/17 [move-prepare]", p);
        assertThat(NetnsTopology.existing(prefix)).hasSize(NetnsTopology.namespaces(OvsInstance.installed()).size());
        run("kill", "-" + signal, String.valueOf(p.pid()));
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the demo stops").isTrue();
        String err = Files.readString(dir.resolve("err.txt"));
        assertThat(p.exitValue()).as(err).isEqualTo(signal.equals("TERM") ? 143 : 130);
        assertThat(err).contains("stopping (signal)").contains("network namespaces removed (0 left)");
        assertThat(NetnsTopology.existing(prefix)).isEmpty();
        assertThat(planInterfacesInHost()).isEmpty();
        assertThat(ovsLeft(p.pid())).isEmpty();
        assertThat(Files.readString(dir.resolve("out.txt"))).doesNotContain("demo complete");
    }

    /** The API URL the demo printed for {@code node} (its usual port, or the free one it took instead). */
    static String apiUrl(String out, String node) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(" " + node + " (http://127\\.0\\.0\\.1:\\d+)")
                .matcher(out.lines().filter(l -> l.startsWith("HTTP APIs")).findFirst().orElseThrow());
        assertThat(m.find()).as("the API of %s is printed", node).isTrue();
        return m.group(1);
    }

    static String http(String method, String url, String body) throws Exception {
        java.net.http.HttpClient c = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .timeout(java.time.Duration.ofSeconds(20));
        b = body == null ? b.GET() : b.method(method, java.net.http.HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        java.net.http.HttpResponse<String> r = c.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s %s: %s", method, url, r.body()).isEqualTo(200);
        return r.body();
    }

    @Test
    @DisplayName("REQ-2, LC-CREATE, DP-1: --keep leaves the network and the daemons running after the lifecycle, prints"
            + " their API URLs and how to explore; the VMs run again and a person's ping from one VM's namespace to"
            + " another is answered; a VM created through h1's API is Activated at nnve-a's port p0; SIGTERM removes"
            + " everything, Open vSwitch included")
    void keep(@TempDir Path dir) throws Exception {
        org.splitnve.dataplane.OvsLab.assumeOvs();
        Process p = start(dir, "--keep", "--step-delay", "0");
        String prefix = NetnsTopology.prefixOf(p.pid());
        awaitOutput(dir.resolve("out.txt"), "--keep: everything keeps running", p);
        awaitOutput(dir.resolve("out.txt"), "dump-flows", p);
        assertThat(p.isAlive()).isTrue();
        assertThat(NetnsTopology.existing(prefix)).hasSize(NetnsTopology.namespaces(true).size());
        String printed = Files.readString(dir.resolve("out.txt"));
        assertThat(printed).contains("--keep: the VMs run again for you to ping (vm-web on h3")
                .contains("ip netns exec " + prefix + "vm-app ping 10.50.0.11");
        // what the explore line says a person can do: vm-app pings vm-web (both on h3 after the migrations)
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        int status;
        do {
            Process ping = new ProcessBuilder("ip", "netns", "exec", prefix + "vm-app", "ping", "-n", "-q", "-c", "1", "-W",
                    "1", "10.50.0.11").redirectErrorStream(true).start();
            ping.getInputStream().readAllBytes();
            assertThat(ping.waitFor(10, TimeUnit.SECONDS)).isTrue();
            status = ping.exitValue();
        } while (status != 0 && System.nanoTime() < end);
        assertThat(status).as("a person's ping from vm-app to vm-web after the lifecycle (0: answered)").isZero();
        String out = Files.readString(dir.resolve("out.txt"));
        String a = apiUrl(out, Plan.NNVE_A);
        String h1 = apiUrl(out, Plan.H1);
        assertThat(out).contains("./splitnve show tsis --api " + a).contains("--netns " + prefix + "nnve-a");
        assertThat(http("GET", a + "/v1/status", null)).contains("\"node\":\"nnve-a\"").contains(prefix + "nnve-a/p0");
        assertThat(http("POST", h1 + "/v1/vms", "{\"name\":\"vm-new\",\"tsis\":[{\"vn\":5001,"
                + "\"mac\":\"52:54:00:51:00:09\",\"ips\":[\"10.51.0.29\"]}],\"start\":true}"))
                .contains("\"state\":\"RUNNING\"");
        assertThat(http("GET", a + "/v1/tsis", null)).contains("\"station\":\"" + Plan.H1_UP0.mac() + "\"")
                .contains("\"state\":\"ACTIVATED\"").contains("\"mac\":\"52:54:00:51:00:09\"");
        p.destroy();  // SIGTERM
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(NetnsTopology.existing(prefix)).isEmpty();
        assertThat(ovsLeft(p.pid())).isEmpty();
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }
}
