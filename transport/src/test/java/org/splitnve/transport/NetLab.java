package org.splitnve.transport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.splitnve.wire.MacAddress;

/**
 * Network namespaces for one test, created with {@code ip} and deleted on {@link #close()} (deleting a
 * namespace deletes the veths and bridges in it). Names are {@code PREFIXPID-N-x} ({@code snvt-} unless
 * another prefix is given): unique per JVM and test. Veths are created directly inside their namespaces,
 * so nothing ever lands in the host's. As a JUnit extension ({@link Cleanup}) it skips the tests unless
 * root or {@code CI} is set, removes what dead test JVMs left (namespaces of every test prefix, the processes
 * in them, lldpad processes and temporary directories: {@link #removeStaleAll}), and deletes this JVM's
 * leftovers after each test and at the end. Public in transport's test-jar for the other modules' namespace tests.
 */
public final class NetLab implements AutoCloseable {
    static final String PREFIX = "snvt-";
    /**
     * The namespace prefixes of every test that makes namespaces: this lab's, the app's daemon lab
     * (netns.DaemonLab), its daemon test (daemon.DaemonNetnsTest) and its CLI tests (cli.Netns). The demo
     * cleans its own (demo.NetnsTopology).
     */
    public static final List<String> PREFIXES = List.of(PREFIX, "net", "snvd-", "cli-");
    /** Temporary directories of the tests: {@code splitnve-test-PID-purpose-...} ({@link #tempDir}). */
    public static final String TEMP_PREFIX = "splitnve-test-";
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final Path NETNS = Path.of("/var/run/netns");

    private final String id;
    private final List<String> namespaces = new ArrayList<>();

    public NetLab() {
        this(PREFIX);
    }

    /** Namespaces named {@code prefix + PID-N-suffix}; {@link #removeStale} and {@link #removeOwn} find them. */
    public NetLab(String prefix) {
        this.id = prefix + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet();
    }

    /** Creates namespace {@code ID-suffix} with IPv6 off (no router solicitations or MLD in the captures). */
    public String namespace(String suffix) throws IOException {
        String ns = id + "-" + suffix;
        ip("netns", "add", ns);
        namespaces.add(ns);
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
        ip("-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /** A veth pair, {@code ifA} in {@code nsA} and {@code ifB} in {@code nsB}, with these MACs, both up. */
    public void veth(String nsA, String ifA, MacAddress macA, String nsB, String ifB, MacAddress macB) throws IOException {
        ip("link", "add", ifA, "netns", nsA, "address", macA.toString(), "type", "veth",
                "peer", "name", ifB, "netns", nsB, "address", macB.toString());
        ip("-n", nsA, "link", "set", ifA, "up");
        ip("-n", nsB, "link", "set", ifB, "up");
        awaitUp(nsA, ifA);
        awaitUp(nsB, ifB);
    }

    /**
     * Waits (up to 5 s) until {@code iface} in {@code ns} is operational: state UP and its queueing
     * discipline attached. Until then (the kernel's link watch does it, later on a busy machine) the
     * device's "noop" qdisc drops every frame sent on it without an error.
     */
    public static void awaitUp(String ns, String iface) throws IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            String state = run("ip", "-n", ns, "-o", "link", "show", "dev", iface);
            if (state.contains("state UP") && !state.contains("qdisc noop")) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new IOException(ns + "/" + iface + " is not up after 5 s: " + state.strip());
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for " + ns + "/" + iface);
            }
        }
    }

    /** A Linux bridge with STP off (so it forwards 01:80:C2:00:00:00) over {@code ports}, all up. */
    public void bridge(String ns, String name, String... ports) throws IOException {
        ip("-n", ns, "link", "add", name, "type", "bridge", "stp_state", "0", "forward_delay", "0");
        for (String p : ports) {
            ip("-n", ns, "link", "set", p, "master", name);
        }
        ip("-n", ns, "link", "set", name, "up");
    }

    public static void ip(String... args) throws IOException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        run(cmd);
    }

    public static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer in 30 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + ": interrupted");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    /** The namespaces created so far, in order. */
    public List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    @Override
    public void close() {
        for (String ns : namespaces) {
            delete(ns);
        }
        namespaces.clear();
    }

    private static void delete(String ns) {
        try {
            ip("netns", "delete", ns);
        } catch (IOException e) {
            System.err.println("could not delete namespace " + ns + ": " + e.getMessage());
        }
    }

    /**
     * Deletes the namespaces named {@code prefix + PID-...} of test JVMs that are gone, after ending the
     * processes still running in them (an lldpad, a daemon process a test started): a killed test JVM leaves
     * them behind, and they would keep the namespace's interfaces alive.
     */
    public static void removeStale(String prefix) {
        long self = ProcessHandle.current().pid();
        for (String ns : existing(prefix, pid -> pid != self && ProcessHandle.of(pid).isEmpty())) {
            endProcessesIn(ns);
            delete(ns);
        }
    }

    /**
     * What a killed test JVM leaves behind, whatever test it was running: the namespaces of every prefix the
     * tests use ({@link #PREFIXES}) with the processes in them, the lldpad processes started from its temporary
     * directories, and those directories ({@link #tempDir}). Only what belongs to test JVMs that are gone: a
     * test JVM running beside this one (another module, another checkout) keeps everything.
     */
    public static void removeStaleAll() {
        for (String prefix : PREFIXES) {
            removeStale(prefix);
        }
        endStaleLldpads();
        removeStaleTempDirs();
    }

    /**
     * A temporary directory for one test, named {@code splitnve-test-PID-purpose-...}: {@link #removeStaleAll}
     * removes it once this JVM is gone, even if it was killed before it could clean up.
     */
    public static Path tempDir(String purpose) throws IOException {
        return Files.createTempDirectory(TEMP_PREFIX + ProcessHandle.current().pid() + "-" + purpose + "-");
    }

    /** The PID in a name {@code prefix + PID-...}, or -1. */
    private static long pidIn(String name, String prefix) {
        if (!name.startsWith(prefix)) {
            return -1;
        }
        String[] parts = name.substring(prefix.length()).split("-", 2);
        try {
            return parts.length == 2 ? Long.parseLong(parts[0]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean gone(long pid) {
        return pid > 0 && pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty();
    }

    /** Ends (SIGTERM, then SIGKILL after 5 s) every process in namespace {@code ns}, by its PID. */
    private static void endProcessesIn(String ns) {
        List<ProcessHandle> in = new ArrayList<>();
        try {
            for (String line : run("ip", "netns", "pids", ns).lines().toList()) {
                if (!line.isBlank()) {
                    ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(in::add);
                }
            }
        } catch (IOException | NumberFormatException e) {
            System.err.println("could not list the processes in namespace " + ns + ": " + e.getMessage());
        }
        end(in, "in namespace " + ns);
    }

    /** lldpad processes whose command line names a configuration file in a dead test JVM's temporary directory. */
    private static void endStaleLldpads() {
        List<ProcessHandle> stale = new ArrayList<>();
        ProcessHandle.allProcesses().forEach(ph -> {
            String cmd = ph.info().commandLine().orElse("");
            int at = cmd.indexOf(TEMP_PREFIX);
            if (cmd.contains("lldpad") && at >= 0 && gone(pidIn(cmd.substring(at), TEMP_PREFIX))) {
                stale.add(ph);
            }
        });
        end(stale, "started by a test JVM that is gone");
    }

    private static void end(List<ProcessHandle> processes, String where) {
        for (ProcessHandle ph : processes) {
            System.err.println("ending process " + ph.pid() + " " + where + ": " + ph.info().commandLine().orElse("?"));
            ph.destroy();
        }
        for (ProcessHandle ph : processes) {
            try {
                ph.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                ph.destroyForcibly();
            }
        }
    }

    /** Deletes the {@link #tempDir}s of test JVMs that are gone. */
    private static void removeStaleTempDirs() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp, TEMP_PREFIX + "*")) {
            for (Path d : ds) {
                if (gone(pidIn(d.getFileName().toString(), TEMP_PREFIX))) {
                    try (var files = Files.walk(d)) {
                        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                    }
                }
            }
        } catch (IOException e) {
            System.err.println("could not clean " + tmp + ": " + e.getMessage());
        }
    }

    /** Deletes this JVM's namespaces named {@code prefix + PID-...} (what a test left behind). */
    public static void removeOwn(String prefix) {
        long self = ProcessHandle.current().pid();
        existing(prefix, pid -> pid == self).forEach(NetLab::delete);
    }

    /** Namespaces named {@code prefix + PID-...} whose PID matches {@code which}. */
    private static List<String> existing(String prefix, java.util.function.LongPredicate which) {
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(NETNS)) {
            return found;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(NETNS, prefix + "*")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                long pid = pidIn(name, prefix);
                if (pid > 0 && which.test(pid)) {
                    found.add(name);
                }
            }
        } catch (IOException e) {
            System.err.println("could not list " + NETNS + ": " + e.getMessage());
        }
        return found;
    }

    public static boolean privileged() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Skips the class unless running as root or with {@code CI} set (CI runs as root: there the tests
     * must run, and fail if they cannot); cleans up before, between and after.
     */
    static final class Cleanup implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            assumeTrue(privileged() || System.getenv("CI") != null,
                    "network namespace tests need root (they always run when CI is set)");
            removeStaleAll();
        }

        @Override
        public void afterEach(ExtensionContext context) {
            removeOwn(PREFIX);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            afterEach(context);
        }
    }
}
