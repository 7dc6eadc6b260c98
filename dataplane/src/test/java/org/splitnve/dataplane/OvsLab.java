package org.splitnve.dataplane;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
        boolean ovs = Files.isExecutable(Path.of("/usr/sbin/ovs-vswitchd")) && Files.isExecutable(Path.of("/usr/bin/ovs-vsctl"));
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
        Path dir = runRoot.resolve(name);
        Files.createDirectories(dir);
        String d = dir.toString();
        run("ovsdb-tool", "create", d + "/conf.db", "/usr/share/openvswitch/vswitch.ovsschema");
        run("ip", "netns", "exec", ns, "ovsdb-server", d + "/conf.db", "--remote=punix:" + d + "/db.sock",
                "--pidfile=" + d + "/ovsdb-server.pid", "--unixctl=" + d + "/ovsdb-server.ctl",
                "--log-file=" + d + "/ovsdb-server.log", "--detach", "--no-chdir");
        Ovs ovs = new Ovs(ns, dir);
        switches.add(ovs);
        ovs.vsctl("--no-wait", "init");
        ovs.startVswitchd();
        return ovs;
    }

    /** One OVS instance (ovsdb-server + ovs-vswitchd) in one namespace. */
    public static final class Ovs {
        public final String ns;
        public final Path dir;

        Ovs(String ns, Path dir) {
            this.ns = ns;
            this.dir = dir;
        }

        /** Starts ovs-vswitchd (again, after {@link #killVswitchd}). */
        public void startVswitchd() throws IOException {
            String d = dir.toString();
            run("ip", "netns", "exec", ns, "env", "OVS_RUNDIR=" + d, "OVS_LOGDIR=" + d, "OVS_DBDIR=" + d, "ovs-vswitchd",
                    "unix:" + d + "/db.sock", "--pidfile=" + d + "/ovs-vswitchd.pid",
                    "--unixctl=" + d + "/ovs-vswitchd.ctl", "--log-file=" + d + "/ovs-vswitchd.log", "--detach",
                    "--no-chdir");
        }

        /** SIGKILL to ovs-vswitchd by its PID; waits until it is gone or a zombie. */
        public void killVswitchd() throws IOException {
            long pid = pid("ovs-vswitchd");
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            await(() -> !alive(pid), 5000, "ovs-vswitchd " + pid + " to end");
            Files.deleteIfExists(dir.resolve("ovs-vswitchd.pid"));
        }

        public String vsctl(String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("ovs-vsctl", "--db=unix:" + dir + "/db.sock", "--timeout=20"));
            cmd.addAll(List.of(args));
            return run(cmd.toArray(String[]::new));
        }

        /** ovs-ofctl against {@code bridge}'s management socket (OpenFlow 1.4); "-" args are replaced by the socket. */
        public String ofctl(String command, String bridge, String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("ovs-ofctl", "-O", "OpenFlow14", command, "unix:" + mgmt(bridge)));
            cmd.addAll(List.of(args));
            return run(cmd.toArray(String[]::new));
        }

        public String appctl(String... args) throws IOException {
            List<String> cmd = new ArrayList<>(List.of("ovs-appctl", "-t", dir + "/ovs-vswitchd.ctl"));
            cmd.addAll(List.of(args));
            return run(cmd.toArray(String[]::new));
        }

        /** The bridge's OpenFlow management socket. */
        public Path mgmt(String bridge) {
            return dir.resolve(bridge + ".mgmt");
        }

        long pid(String daemon) throws IOException {
            Path f = dir.resolve(daemon + ".pid");
            return Files.exists(f) ? Long.parseLong(Files.readString(f).strip()) : -1;
        }

        void stop() {
            for (String daemon : List.of("ovs-vswitchd", "ovsdb-server")) {
                try {
                    long pid = pid(daemon);
                    if (pid > 0) {
                        end(pid);
                    }
                } catch (IOException | RuntimeException e) {
                    System.err.println("could not stop " + daemon + " in " + ns + ": " + e.getMessage());
                }
            }
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
        return finish(new ProcessBuilder(cmd).redirectErrorStream(true).start(), cmd).status();
    }

    public static String run(String... cmd) throws IOException {
        Finished f = finish(new ProcessBuilder(cmd).redirectErrorStream(true).start(), cmd);
        if (f.status() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + f.status() + ": " + f.output().strip());
        }
        return f.output();
    }

    private record Finished(int status, String output) {
    }

    /** Reads the process's output and waits (60 s at most) for it to end. */
    private static Finished finish(Process p, String... cmd) throws IOException {
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer in 60 s");
            }
            return new Finished(p.exitValue(), out);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + ": interrupted", e);
        }
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

    private static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGTERM, then SIGKILL after 5 s, to the process {@code pid}. */
    private static void end(long pid) {
        ProcessHandle.of(pid).ifPresent(ph -> {
            ph.destroy();
            try {
                await(() -> !alive(pid), 5000, "process " + pid + " to end");
            } catch (IOException e) {
                ph.destroyForcibly();
            }
        });
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
                                end(Long.parseLong(line.strip()));
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
