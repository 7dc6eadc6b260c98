package org.splitnve.dataplane;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Network namespaces with real Open vSwitch (userspace datapath) for one test: each {@link Ovs} is an ovsdb-server and
 * an ovs-vswitchd started inside a namespace with a private run directory, database and sockets
 * (../shared/docs/ovs-dataplane.md's recipe). {@link #close()} ends them by PID, deletes the namespaces and the run
 * directories, also when the test failed. What a killed test JVM left behind (namespaces {@code snvo-PID-...} of a
 * PID that is gone, the processes in them, run directories {@code splitnve-ovs-PID-...}) is removed by
 * {@link #removeStale} before a test class starts.
 */
public final class OvsLab implements AutoCloseable {
    static final String PREFIX = "snvo-";
    static final String RUN_PREFIX = "splitnve-ovs-";
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final Path NETNS = Path.of("/var/run/netns");

    private final String id = PREFIX + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet();
    private final List<String> namespaces = new ArrayList<>();
    private final List<Ovs> switches = new ArrayList<>();
    private final Path runRoot;

    public OvsLab() throws IOException {
        runRoot = Files.createTempDirectory(RUN_PREFIX + ProcessHandle.current().pid() + "-");
    }

    /**
     * Skips the calling test class unless root and Open vSwitch are there; with {@code CI} set a missing OVS or missing
     * root fails instead (CI installs openvswitch-switch and runs as root). Then removes what dead test JVMs left.
     */
    public static void assumeOvs() {
        boolean ci = System.getenv("CI") != null;
        boolean root = privileged();
        boolean ovs = OvsInstance.installed();
        if (ci) {
            if (!root || !ovs) {
                throw new IllegalStateException("CI is set but " + (root ? "" : "we are not root ")
                        + (ovs ? "" : "openvswitch-switch is not installed (ovs-vswitchd, ovs-vsctl)"));
            }
        } else {
            assumeTrue(root, "Open vSwitch namespace tests need root (they always run when CI is set)");
            assumeTrue(ovs, "Open vSwitch is not installed (they always run when CI is set)");
        }
        removeStale();
    }

    /** Creates namespace {@code ID-suffix} with loopback up. */
    public String namespace(String suffix) throws IOException {
        String ns = id + "-" + suffix;
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        run("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /** A veth pair, both ends up. */
    public void veth(String nsA, String ifA, String nsB, String ifB) throws IOException {
        run("ip", "link", "add", ifA, "netns", nsA, "type", "veth", "peer", "name", ifB, "netns", nsB);
        run("ip", "-n", nsA, "link", "set", ifA, "up");
        run("ip", "-n", nsB, "link", "set", ifB, "up");
    }

    /** A "VM": {@code ifname} in {@code ns} with this MAC, IPv4 and IPv6 address, TX checksum offload off. */
    public void vm(String ns, String ifname, String mac, String ipv4Cidr, String ipv6Cidr) throws IOException {
        run("ip", "-n", ns, "link", "set", ifname, "address", mac);
        run("ip", "-n", ns, "addr", "add", ipv4Cidr, "dev", ifname);
        if (ipv6Cidr != null) {
            run("ip", "-n", ns, "addr", "add", ipv6Cidr, "dev", ifname, "nodad");
        }
        exec(ns, "ethtool", "-K", ifname, "tx", "off");
    }

    /** An interface handed to OVS: no ARP answers, no IPv6 of its own from the namespace's kernel (pitfall 5). */
    public void quiet(String ns, String ifname) throws IOException {
        run("ip", "-n", ns, "link", "set", ifname, "arp", "off");
        exec(ns, "sysctl", "-q", "-w", "net.ipv6.conf." + ifname + ".disable_ipv6=1");
    }

    /** Starts ovsdb-server and ovs-vswitchd inside {@code ns} with run directory {@code RUNROOT/name}. */
    public Ovs startOvs(String ns, String name) throws IOException {
        Ovs ovs = new Ovs(OvsInstance.start(ns, runRoot.resolve(name)));
        switches.add(ovs);
        return ovs;
    }

    /** One OVS instance (ovsdb-server + ovs-vswitchd) in one namespace: the product's {@link OvsInstance}, as tests use it. */
    public static final class Ovs {
        public final String ns;
        public final Path dir;
        private final OvsInstance instance;

        Ovs(OvsInstance instance) {
            this.instance = instance;
            this.ns = instance.ns;
            this.dir = instance.dir;
        }

        /** SIGKILL ({@code kill}) or SIGTERM to ovs-vswitchd or ovsdb-server; waits until it is gone. */
        public void signal(String daemon, boolean kill) throws IOException {
            instance.signal(daemon, kill);
        }

        /** Starts ovsdb-server again on the same database. */
        public void startOvsdb() throws IOException {
            instance.startOvsdb();
        }

        /** Starts ovs-vswitchd (again, after {@link #killVswitchd}). */
        public void startVswitchd() throws IOException {
            instance.startVswitchd();
        }

        /** SIGKILL to ovs-vswitchd by its PID; waits until it is gone or a zombie. */
        public void killVswitchd() throws IOException {
            instance.killVswitchd();
        }

        public String vsctl(String... args) throws IOException {
            return instance.vsctl(args);
        }

        /** ovs-ofctl against {@code bridge}'s management socket (OpenFlow 1.4). */
        public String ofctl(String command, String bridge, String... args) throws IOException {
            return instance.ofctl(command, bridge, args);
        }

        public String appctl(String... args) throws IOException {
            return instance.appctl(args);
        }

        /** The bridge's OpenFlow management socket. */
        public Path mgmt(String bridge) {
            return instance.mgmt(bridge);
        }

        long pid(String daemon) throws IOException {
            return instance.pid(daemon);
        }

        void stop() {
            instance.stop();
        }
    }

    /** Runs {@code cmd} inside {@code ns}. */
    public static String exec(String ns, String... cmd) throws IOException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(cmd));
        return run(all.toArray(String[]::new));
    }

    /** Runs {@code cmd}, answering its exit status (0: success) without failing. */
    public static int status(String... cmd) throws IOException {
        return OvsInstance.finish(cmd).status();
    }

    public static String run(String... cmd) throws IOException {
        return OvsInstance.run(cmd);
    }

    /** Waits for {@code condition} up to {@code millis}, polling every 10 ms; throws with {@code what} if it never holds. */
    public static void await(BooleanSupplier condition, long millis, String what) throws IOException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new IOException("timed out after " + millis + " ms waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for " + what, e);
            }
        }
    }

    @Override
    public void close() {
        if (Boolean.getBoolean("ovslab.keep")) {
            System.err.println("ovslab.keep: left namespaces " + namespaces + " and run directory " + runRoot);
            return;
        }
        for (Ovs o : switches) {
            o.stop();
        }
        switches.clear();
        for (String ns : namespaces) {
            try {
                run("ip", "netns", "delete", ns);
            } catch (IOException e) {
                System.err.println("could not delete namespace " + ns + ": " + e.getMessage());
            }
        }
        namespaces.clear();
        deleteTree(runRoot);
    }

    private static void deleteTree(Path root) {
        try (var files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + root + ": " + e.getMessage());
        }
    }

    /** What test JVMs that are gone left: their namespaces (after ending the processes in them) and run directories. */
    static void removeStale() {
        long self = ProcessHandle.current().pid();
        if (Files.isDirectory(NETNS)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(NETNS, PREFIX + "*")) {
                for (Path p : ds) {
                    long pid = pidIn(p.getFileName().toString(), PREFIX);
                    if (pid > 0 && pid != self && ProcessHandle.of(pid).isEmpty()) {
                        String ns = p.getFileName().toString();
                        for (String line : run("ip", "netns", "pids", ns).lines().toList()) {
                            if (!line.isBlank()) {
                                OvsInstance.end(Long.parseLong(line.strip()));
                            }
                        }
                        run("ip", "netns", "delete", ns);
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("could not clean stale namespaces: " + e.getMessage());
            }
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp, RUN_PREFIX + "*")) {
            for (Path d : ds) {
                long pid = pidIn(d.getFileName().toString(), RUN_PREFIX);
                if (pid > 0 && pid != self && ProcessHandle.of(pid).isEmpty()) {
                    deleteTree(d);
                }
            }
        } catch (IOException e) {
            System.err.println("could not clean " + tmp + ": " + e.getMessage());
        }
    }

    private static long pidIn(String name, String prefix) {
        String[] parts = name.substring(prefix.length()).split("-", 2);
        try {
            return parts.length == 2 ? Long.parseLong(parts[0]) : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static boolean privileged() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
