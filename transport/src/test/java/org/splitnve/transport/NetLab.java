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
 * root or {@code CI} is set, removes namespaces left by dead test JVMs, and deletes this JVM's leftovers
 * after each test and at the end. Public in transport's test-jar for the other modules' namespace tests.
 */
public final class NetLab implements AutoCloseable {
    static final String PREFIX = "snvt-";
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

    /** Deletes the namespaces named {@code prefix + PID-...} of test JVMs that are gone. */
    public static void removeStale(String prefix) {
        long self = ProcessHandle.current().pid();
        existing(prefix, pid -> pid != self && ProcessHandle.of(pid).isEmpty()).forEach(NetLab::delete);
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
                String[] parts = name.substring(prefix.length()).split("-", 2);
                try {
                    if (which.test(Long.parseLong(parts[0]))) {
                        found.add(name);
                    }
                } catch (NumberFormatException ignored) {
                    // not one of ours
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
            removeStale(PREFIX);
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
