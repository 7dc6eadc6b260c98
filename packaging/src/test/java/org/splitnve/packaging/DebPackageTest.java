package org.splitnve.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Debian package, built as a user builds it ({@code packaging/deb/build.sh}, docs/packaging.md), read with
 * {@code dpkg-deb}, checked with {@code lintian}, extracted into a throw-away root (removed at the end, also when a
 * test fails) and run from there: the installed launcher at its installed path (the root's {@code /usr} laid over
 * the machine's in a private mount namespace), on the installed runtime. The installed systemd units are checked
 * with {@code systemd-analyze}. Needs root, dpkg-deb, lintian, systemd-analyze and util-linux: without them the
 * tests skip, except under CI (.ci/run installs them), where they fail.
 */
class DebPackageTest {
    static final Path TOP = Path.of("..").toAbsolutePath().normalize();
    static final Path JAR = Path.of(System.getProperty("splitnve.jar", TOP.resolve("launcher/target/splitnve.jar").toString()));
    /** The Debian version of the Maven version: 0.1.0-SNAPSHOT is 0.1.0~SNAPSHOT. */
    static final String VERSION = System.getProperty("splitnve.version", "0.1.0-SNAPSHOT").replaceFirst("-", "~");
    /** The modules docs/packaging.md lists, which the runtime must hold: no more, no fewer. */
    static final List<String> MODULES = List.of("java.base", "java.logging", "java.management", "java.net.http",
            "java.sql", "java.transaction.xa", "java.xml", "jdk.httpserver", "jdk.management", "jdk.unsupported");

    static Path deb;
    static Path root;

    record Run(int status, String out) {}

    static Run run(Map<String, String> env, List<String> cmd) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(cmd + ": still running after 10 minutes");
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(cmd + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static Run run(String... cmd) {
        return run(Map.of(), List.of(cmd));
    }

    static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    @BeforeAll
    static void buildAndExtract() throws IOException {
        boolean root = "0".equals(run("id", "-u").out().strip());
        List<String> missing = Stream.of("dpkg-deb", "lintian", "systemd-analyze", "unshare", "mount")
                .filter(t -> !onPath(t)).toList();
        assumeTrue(System.getenv("CI") != null || root && missing.isEmpty(),
                "needs root and " + missing + " (.ci/run installs them)");
        assertThat(missing).as("tools the package test needs (.ci/run installs them)").isEmpty();
        assertThat(root).as("the package test runs as root (a private mount namespace)").isTrue();
        assertThat(JAR).as("the launcher's shaded jar (./mvnw verify builds it before this module)").isRegularFile();
        Path out = Path.of("target", "deb").toAbsolutePath();
        Run b = run(Map.of("JAVA_HOME", System.getProperty("java.home")), List.of("bash",
                TOP.resolve("packaging/deb/build.sh").toString(), "--jar", JAR.toString(), "--out", out.toString()));
        assertThat(b.status()).as("build.sh: %s", b.out()).isZero();
        String[] lines = b.out().strip().split("\n");
        deb = Path.of(lines[lines.length - 1]);
        assertThat(deb).isRegularFile().hasFileName("splitnve_" + VERSION + "_amd64.deb");
        DebPackageTest.root = Files.createTempDirectory("splitnve-root");
        Run x = run("dpkg-deb", "-x", deb.toString(), DebPackageTest.root.toString());
        assertThat(x.status()).as("dpkg-deb -x: %s", x.out()).isZero();
    }

    @AfterAll
    static void removeRoot() throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        assertThat(root).doesNotExist();
    }

    @Test
    @DisplayName("dpkg-deb --info and --contents: the control fields, the two example configurations as conffiles, the maintainer scripts, and the layout of docs/packaging.md, every file root's and nothing elsewhere")
    void controlAndLayout() {
        Run info = run("dpkg-deb", "--info", deb.toString());
        assertThat(info.status()).isZero();
        Map<String, String> control = new LinkedHashMap<>();
        for (String line : run("dpkg-deb", "--field", deb.toString()).out().split("\n")) {
            Matcher m = Pattern.compile("^([A-Za-z-]+): (.*)$").matcher(line);
            if (m.matches()) {
                control.put(m.group(1), m.group(2));
            }
        }
        assertThat(control).containsEntry("Package", "splitnve").containsEntry("Version", VERSION)
                .containsEntry("Architecture", "amd64").containsKeys("Maintainer", "Description", "Installed-Size");
        assertThat(control.get("Depends")).contains("libc6").contains("adduser");
        assertThat(info.out()).contains("conffiles", "postinst", "prerm", "postrm", "md5sums");
        Path ctl = root.resolveSibling(root.getFileName() + "-control");
        try {
            assertThat(run("dpkg-deb", "--control", deb.toString(), ctl.toString()).status()).isZero();
            assertThat(Files.readAllLines(ctl.resolve("conffiles")))
                    .containsExactly("/etc/splitnve/nnve1.conf", "/etc/splitnve/host1.conf");
            assertThat(Files.readString(ctl.resolve("postinst"))).contains("adduser").contains("--system");
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            run("rm", "-rf", ctl.toString());
        }

        Map<String, String> entries = new TreeMap<>(); // path -> "mode owner"
        for (String line : run("dpkg-deb", "--contents", deb.toString()).out().split("\n")) {
            String[] f = line.trim().split("\\s+", 6);
            String path = f[5].replaceFirst(" -> .*", "");
            entries.put(path, f[0] + " " + f[1]);
        }
        assertThat(entries).containsEntry("./usr/bin/splitnve", "-rwxr-xr-x root/root")
                .containsEntry("./usr/share/splitnve/splitnve.jar", "-rw-r--r-- root/root")
                .containsEntry("./usr/lib/splitnve/runtime/bin/java", "-rwxr-xr-x root/root")
                .containsEntry("./lib/systemd/system/splitnve-nnve@.service", "-rw-r--r-- root/root")
                .containsEntry("./lib/systemd/system/splitnve-tnve@.service", "-rw-r--r-- root/root")
                .containsEntry("./etc/splitnve/nnve1.conf", "-rw-r--r-- root/root")
                .containsEntry("./etc/splitnve/host1.conf", "-rw-r--r-- root/root")
                .containsEntry("./usr/share/doc/splitnve/copyright", "-rw-r--r-- root/root")
                .containsEntry("./usr/share/doc/splitnve/changelog.gz", "-rw-r--r-- root/root");
        assertThat(entries.values()).allSatisfy(v -> assertThat(v).endsWith(" root/root"));
        List<String> allowed = List.of("./usr/bin/splitnve", "./usr/lib/splitnve/", "./usr/share/splitnve/",
                "./usr/share/doc/splitnve/", "./usr/share/lintian/overrides/splitnve", "./lib/systemd/system/splitnve-",
                "./etc/splitnve/", "./usr/share/bash-completion/completions/splitnve");
        assertThat(entries.keySet()).allSatisfy(p -> assertThat(p.endsWith("/")
                || allowed.stream().anyMatch(p::startsWith)).as("%s is where the package may put files", p).isTrue());
        // the bash completion script the build generated from the command model is installed for bash-completion
        assertThat(Files.isRegularFile(TOP.resolve("launcher/target/classes/splitnve-completion.bash")))
                .as("the build generated the completion script").isTrue();
        assertThat(entries).containsEntry("./usr/share/bash-completion/completions/splitnve", "-rw-r--r-- root/root");
    }

    @Test
    @DisplayName("lintian: no error (its warnings are printed and written to target/lintian.txt)")
    void lintian() throws IOException {
        Run l = run("lintian", "--tag-display-limit", "0", deb.toString());
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (String line : l.out().split("\n")) {
            if (line.startsWith("E: ")) {
                errors.add(line);
            } else if (line.startsWith("W: ")) {
                warnings.add(line);
            }
        }
        Files.writeString(Path.of("target", "lintian.txt"), l.out());
        System.out.println("lintian: " + errors.size() + " errors, " + warnings.size() + " warnings");
        warnings.forEach(w -> System.out.println("  " + w));
        assertThat(errors).as("lintian errors").isEmpty();
        assertThat(l.status()).as("lintian: %s", l.out()).isZero();
    }

    /** The installed {@code /usr/bin/splitnve}, at that path: the root's /usr over the machine's, in a private mount namespace. */
    static Run installed(String... args) {
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t overlay splitnve-root -o lowerdir=\"$1\"/usr:/usr /usr && shift && exec /usr/bin/splitnve \"$@\"",
                "sh", root.toString()));
        cmd.addAll(Arrays.asList(args));
        return run(cmd.toArray(String[]::new));
    }

    @Test
    @DisplayName("installed into a throw-away root: the launcher runs on the bundled runtime (--version, else help), the runtime holds exactly the modules jdeps finds and docs/packaging.md lists, and the in-memory demo (both daemons, their APIs, every lifecycle step) passes on it")
    void runsFromTheInstalledRoot() throws IOException {
        Run version = installed("--version");
        if (version.status() == 0) {
            assertThat(version.out()).isNotBlank();
        } else {
            // no --version in the command line yet (docs/packaging.md): the usage, from the installed runtime
            assertThat(version.out()).contains("unknown command '--version'");
            Run help = installed("help");
            assertThat(help.status()).as(help.out()).isZero();
            assertThat(help.out()).startsWith("usage: splitnve").contains("nnve --config FILE", "tnve --config FILE");
        }
        Path java = root.resolve("usr/lib/splitnve/runtime/bin/java");
        List<String> modules = run(java.toString(), "--list-modules").out().lines().map(l -> l.replaceFirst("@.*", ""))
                .toList();
        // every module a class of the jar refers to, but Jackson's optional ones, and jdk.unsupported, whose
        // sun.misc.Signal the SIGHUP handler looks up by name (build.sh says why)
        List<String> jdeps = new java.util.ArrayList<>(run(Path.of(System.getProperty("java.home"), "bin", "jdeps")
                .toString(), "--list-deps", "--ignore-missing-deps", "--multi-release", "25", JAR.toString()).out()
                .lines().map(String::strip).filter(m -> !m.isEmpty() && !m.equals("java.desktop")
                        && !m.equals("jdk.unsupported")).toList());
        jdeps.add("jdk.unsupported");
        jdeps.add("java.transaction.xa"); // java.sql requires it: jlink adds it, jdeps does not list it
        assertThat(modules).containsExactlyInAnyOrderElementsOf(MODULES).containsExactlyInAnyOrderElementsOf(jdeps);
        String doc = Files.readString(TOP.resolve("docs/packaging.md"));
        assertThat(MODULES).allSatisfy(m -> assertThat(doc).contains("| `" + m + "` |"));
        Run demo = installed("demo", "--memory", "--step-delay", "0");
        assertThat(demo.status()).as("the demo on the installed runtime:\n%s", demo.out()).isZero();
        assertThat(demo.out()).contains("cleaned up");
    }

    /** The capabilities the units give (AmbientCapabilities, CapabilityBoundingSet), as setpriv names them. */
    static final String UNIT_CAPS = "-all,+net_raw,+net_admin";

    /**
     * The installed {@code /usr/bin/splitnve} in network namespace {@code ns}, as the units run it: an unprivileged
     * user (nobody) holding only {@code caps}, no new privileges; {@code lockDir} replaces /run/splitnve (the unit's
     * RuntimeDirectory).
     */
    static ProcessBuilder confined(String ns, String caps, Path lockDir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "unshare", "--mount", "--propagation",
                "private", "sh", "-c", "mount -t overlay splitnve-root -o lowerdir=\"$1\"/usr:/usr /usr && shift && exec \"$@\"",
                "sh", root.toString(), "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=" + caps, "--ambient-caps=" + caps, "--bounding-set=" + caps, "--no-new-privs",
                "/usr/bin/splitnve"));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SPLITNVE_JAVA_OPTS", "-Dsplitnve.lockDir=" + lockDir);
        return pb;
    }

    /** A daemon's output, read as it comes. */
    record Daemon(Process process, StringBuffer out) {
        static Daemon start(ProcessBuilder pb) throws IOException {
            Process p = pb.start();
            p.getOutputStream().close();
            StringBuffer out = new StringBuffer();
            Thread.ofPlatform().daemon().start(() -> {
                try (var r = p.inputReader(StandardCharsets.UTF_8)) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        out.append(line).append('\n');
                    }
                } catch (IOException e) {
                    out.append("(read: ").append(e).append(")\n");
                }
            });
            return new Daemon(p, out);
        }

        void await(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!out.toString().contains(text)) {
                assertThat(process.isAlive()).as("still running, waiting for %s:\n%s", text, out).isTrue();
                assertThat(System.nanoTime() - deadline).as("%s within 60 s:\n%s", text, out).isNegative();
                Thread.sleep(20);
            }
        }
    }

    @Test
    @DisplayName("OPS-5, SEC-7: the installed daemons, run as the units run them but as user nobody with only CAP_NET_RAW and CAP_NET_ADMIN and no new privileges, in a network namespace of their own over a veth pair: the nNVE and the tNVE start, a VM created with the installed CLI is activated at the nNVE, SIGHUP reloads, SIGTERM stops with status 0; without CAP_NET_RAW the nNVE cannot open its port and exits with status 1")
    void daemonsRunWithTheUnitsCapabilitiesOnly() throws Exception {
        String ns = "splitnve-pkg-" + ProcessHandle.current().pid();
        Path dir = Files.createTempDirectory("splitnve-pkg");
        List<Daemon> daemons = new ArrayList<>();
        try {
            for (String[] c : List.of(new String[] {"ip", "netns", "add", ns},
                    new String[] {"ip", "-n", ns, "link", "set", "lo", "up"},
                    new String[] {"ip", "-n", ns, "link", "add", "nnve0", "type", "veth", "peer", "name", "up0"},
                    new String[] {"ip", "-n", ns, "link", "set", "nnve0", "up"},
                    new String[] {"ip", "-n", ns, "link", "set", "up0", "up"})) {
                Run r = run(c);
                assertThat(r.status()).as("%s: %s", String.join(" ", c), r.out()).isZero();
            }
            Path locks = Files.createDirectories(dir.resolve("run"));
            Path state = Files.createDirectories(dir.resolve("state"));
            Files.writeString(dir.resolve("nnve.conf"), """
                    [nnve]
                    name = "pkg-nnve"
                    [[port]]
                    interface = "nnve0"
                    scope = "rack"
                    [[nva.vn]]
                    id = 5000
                    alias = "blue"
                    vni = 500
                    [lldp]
                    enabled = true
                    [api]
                    listen = "127.0.0.1:7480"
                    """);
            Files.writeString(dir.resolve("tnve.conf"), """
                    [tnve]
                    name = "pkg-host"
                    [[uplink]]
                    name = "tor"
                    interface = "up0"
                    [state]
                    dir = "%s"
                    [api]
                    listen = "127.0.0.1:7481"
                    """.formatted(state));
            run("chown", "-R", "65534:65534", locks.toString(), state.toString());
            run("chmod", "0755", dir.toString());

            // without CAP_NET_RAW: no raw socket, status 1, nothing left running
            Daemon refused = Daemon.start(confined(ns, "-all,+net_admin", locks, "nnve", "--config",
                    dir.resolve("nnve.conf").toString()));
            assertThat(refused.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(refused.process().exitValue()).as(refused.out().toString()).isEqualTo(1);

            Daemon nnve = Daemon.start(confined(ns, UNIT_CAPS, locks, "nnve", "--config", dir.resolve("nnve.conf").toString()));
            daemons.add(nnve);
            nnve.await("daemon.started");
            Daemon tnve = Daemon.start(confined(ns, UNIT_CAPS, locks, "tnve", "--config", dir.resolve("tnve.conf").toString()));
            daemons.add(tnve);
            tnve.await("daemon.started");
            // the installed CLI, in the namespace (any user: it only speaks HTTP to the daemons on loopback)
            Run create = run(confined(ns, "-all", locks, "vm", "create", "vm1", "--vn", "5000", "--mac",
                    "52:54:00:00:00:01", "--ip", "10.0.0.1", "--start").command().toArray(String[]::new));
            assertThat(create.status()).as("vm create: %s\nnNVE:\n%s\ntNVE:\n%s", create.out(), nnve.out(), tnve.out())
                    .isZero();
            Run tsis = run(confined(ns, "-all", locks, "show", "tsis", "--json").command().toArray(String[]::new));
            assertThat(tsis.out()).contains("ACTIVATED").contains("52:54:00:00:00:01");
            // ExecReload: SIGHUP reloads; KillSignal: SIGTERM stops cleanly
            for (Daemon d : daemons) {
                run("kill", "-HUP", String.valueOf(d.process().pid()));
                d.await("daemon.reloaded");
                d.process().destroy(); // SIGTERM
                assertThat(d.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(d.process().exitValue()).as(d.out().toString()).isZero();
            }
        } finally {
            for (Daemon d : daemons) {
                d.process().destroyForcibly();
                d.process().waitFor(10, TimeUnit.SECONDS);
            }
            run("ip", "netns", "del", ns);
            run("rm", "-rf", dir.toString());
        }
    }

    /** The unified (version 2) cgroup hierarchy of this machine: where the test's systemd gets a cgroup of its own. */
    static Path unifiedCgroup() {
        for (Path p : List.of(Path.of("/sys/fs/cgroup"), Path.of("/sys/fs/cgroup/unified"))) {
            if (run("stat", "-fc", "%T", p.toString()).out().strip().equals("cgroup2fs")) {
                return p;
            }
        }
        return null;
    }

    /** A command in every namespace of the test's systemd (pid {@code init} on this machine). */
    static Run inside(long init, String... cmd) {
        List<String> c = new ArrayList<>(List.of("nsenter", "--target", String.valueOf(init), "--all"));
        c.addAll(Arrays.asList(cmd));
        return run(c.toArray(String[]::new));
    }

    static String property(long init, String unit, String name) {
        return inside(init, "systemctl", "show", "--value", "-p", name, unit).out().strip();
    }

    static void awaitInside(long init, String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("%s within 90 s; systemd said:%n%s", what,
                    inside(init, "cat", "/run/console").out()).isNegative();
            Thread.sleep(50);
        }
    }

    /**
     * {@code systemctl start} under a real systemd, safely: systemd runs as PID 1 of new PID, mount, network, UTS,
     * IPC and cgroup namespaces (mounts private, so nothing it mounts or unmounts reaches this machine), in a cgroup
     * of its own, with only the test's unit directory (the installed units, unchanged, plus a drop-in that sends
     * their output to a file, and empty stand-ins for the targets they order against). Inside: the package's /usr
     * laid over the machine's, /etc with a user splitnve and the configurations, tmpfs on /run, /var/lib and
     * /var/tmp, and a veth pair that is the only link the daemons have. It ends with SIGKILL to that systemd
     * (its PID namespace dies with it), and its cgroups are removed.
     */
    @Test
    @DisplayName("OPS-5, SEC-7: systemctl start of the installed units under a real systemd (PID 1 of namespaces of its own, over a veth pair of its own): the nNVE and tNVE run as user splitnve with exactly CAP_NET_RAW and CAP_NET_ADMIN, no new privileges, a seccomp filter, a read-only / and no /home, the tNVE's state in /var/lib/splitnve/tnve-NAME; a VM created with the installed CLI is activated; systemctl reload reloads; a killed daemon is restarted; a configuration error (status 2) is not; systemctl stop ends both with status 0")
    void systemctlUnderSystemd() throws Exception {
        Path cgroups = unifiedCgroup();
        boolean available = cgroups != null && Files.isExecutable(Path.of("/lib/systemd/systemd")) && onPath("nsenter");
        assumeTrue(available || System.getenv("CI") != null, "needs systemd, nsenter and a cgroup2 hierarchy");
        assertThat(available).as("systemd (.ci/run installs it), nsenter and a cgroup2 hierarchy").isTrue();
        Path w = Files.createTempDirectory("splitnve-systemd");
        Path cg = cgroups.resolve("splitnve-test-" + ProcessHandle.current().pid());
        Process outer = null;
        long init = -1;
        try {
            Path units = Files.createDirectories(w.resolve("units"));
            for (String role : List.of("nnve", "tnve")) {
                Files.copy(root.resolve("lib/systemd/system/splitnve-" + role + "@.service"),
                        units.resolve("splitnve-" + role + "@.service"));
                Path d = Files.createDirectories(units.resolve("splitnve-" + role + "@.service.d"));
                Files.writeString(d.resolve("output.conf"), "[Service]\nStandardOutput=append:/run/splitnve-%i.log\n");
            }
            for (String t : List.of("sysinit", "basic", "shutdown", "network", "splitnve-test")) {
                Files.writeString(units.resolve(t + ".target"), "[Unit]\nDescription=" + t + " (the test's stand-in)\n");
            }
            Path conf = Files.createDirectories(w.resolve("etc/splitnve"));
            Files.writeString(conf.resolve("pkg.conf"), """
                    [nnve]
                    name = "pkg"
                    [[port]]
                    interface = "nnve0"
                    scope = "rack"
                    [[nva.vn]]
                    id = 5000
                    alias = "blue"
                    vni = 500
                    """);
            Files.writeString(conf.resolve("pkg-host.conf"), """
                    [tnve]
                    name = "pkg-host"
                    [[uplink]]
                    name = "tor"
                    interface = "up0"
                    """);
            Files.writeString(conf.resolve("broken.conf"), "[nnve]\nname = 1\n");
            Path etc = w.resolve("etc");
            Files.copy(Path.of("/etc/passwd"), etc.resolve("passwd"));
            Files.copy(Path.of("/etc/group"), etc.resolve("group"));
            Files.writeString(etc.resolve("passwd"), "splitnve:x:990:990:splitnve daemons:/var/lib/splitnve:/usr/sbin/nologin\n",
                    java.nio.file.StandardOpenOption.APPEND);
            Files.writeString(etc.resolve("group"), "splitnve:x:990:\n", java.nio.file.StandardOpenOption.APPEND);
            Path inner = w.resolve("inner.sh");
            Files.writeString(inner, """
                    set -eu
                    mount --make-rprivate /
                    mount -t proc proc /proc
                    mount -t tmpfs tmpfs /run
                    touch /run/console
                    mount --bind /run/console /dev/console
                    mount -t tmpfs tmpfs /var/tmp
                    mount -t tmpfs tmpfs /var/lib
                    mount -t overlay splitnve-etc -o lowerdir=%1$s/etc:/etc /etc
                    mount -t overlay splitnve-usr -o lowerdir=%2$s/usr:/usr /usr
                    mount -t cgroup2 none /sys/fs/cgroup
                    ip link set lo up
                    ip link add nnve0 type veth peer name up0
                    ip link set nnve0 up
                    ip link set up0 up
                    exec env -i container=splitnve-test SYSTEMD_UNIT_PATH=%1$s/units PATH=/usr/sbin:/usr/bin:/sbin:/bin \\
                        /lib/systemd/systemd --system --unit=splitnve-test.target --log-target=console
                    """.formatted(w, root));
            Files.createDirectories(cg);
            outer = new ProcessBuilder("sh", "-c", "echo $$ > '" + cg.resolve("cgroup.procs") + "' && exec unshare --pid"
                    + " --fork --mount --net --uts --ipc --cgroup --propagation private sh '" + inner + "'")
                    .redirectErrorStream(true).redirectOutput(w.resolve("outer.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (init < 0) {
                ProcessHandle child = outer.toHandle().children().findFirst().orElse(null);
                if (child != null && child.info().command().orElse("").endsWith("systemd")) {
                    init = child.pid();
                }
                assertThat(outer.isAlive()).as("unshare: %s", Files.exists(w.resolve("outer.log"))
                        ? Files.readString(w.resolve("outer.log")) : "").isTrue();
                assertThat(System.nanoTime() - deadline).as("systemd started within 30 s").isNegative();
                Thread.sleep(20);
            }
            long pid1 = init;
            awaitInside(pid1, "systemd running", () -> List.of("running", "degraded")
                    .contains(inside(pid1, "systemctl", "is-system-running").out().strip()));

            String nnve = "splitnve-nnve@pkg.service";
            String tnve = "splitnve-tnve@pkg-host.service";
            for (String unit : List.of(nnve, tnve)) {
                Run start = inside(pid1, "systemctl", "start", unit);
                assertThat(start.status()).as("systemctl start %s: %s", unit, start.out()).isZero();
                String log = "/run/" + unit.replaceFirst("splitnve-.nve@(.*)\\.service", "splitnve-$1.log");
                awaitInside(pid1, unit + " listening", () -> inside(pid1, "cat", log).out().contains("api.listening"));
                assertThat(property(pid1, unit, "ActiveState")).isEqualTo("active");
                String main = property(pid1, unit, "MainPID");
                Map<String, String> status = new TreeMap<>();
                for (String line : inside(pid1, "cat", "/proc/" + main + "/status").out().split("\n")) {
                    String[] kv = line.split(":\\s*", 2);
                    status.put(kv[0], kv.length > 1 ? kv[1] : "");
                }
                // CAP_NET_ADMIN is bit 12, CAP_NET_RAW bit 13: 0x3000, and nothing else
                assertThat(status).containsEntry("Uid", "990\t990\t990\t990").containsEntry("CapEff", "0000000000003000")
                        .containsEntry("CapPrm", "0000000000003000").containsEntry("CapBnd", "0000000000003000")
                        .containsEntry("CapAmb", "0000000000003000").containsEntry("NoNewPrivs", "1")
                        .containsEntry("Seccomp", "2");
                String mounts = inside(pid1, "cat", "/proc/" + main + "/mountinfo").out();
                assertThat(mounts.lines().filter(l -> l.split(" ")[4].equals("/")).findFirst().orElseThrow())
                        .as("/ read-only (ProtectSystem=strict)").contains(" ro,");
                assertThat(mounts.lines().filter(l -> l.split(" ")[4].equals("/home")).findFirst().orElseThrow())
                        .as("/home inaccessible (ProtectHome)").contains("inaccessible");
                assertThat(mounts.lines().filter(l -> l.split(" ")[4].equals("/tmp")).findFirst())
                        .as("a private /tmp (PrivateTmp)").isPresent();
            }
            assertThat(inside(pid1, "stat", "-c", "%U %a", "/var/lib/splitnve/tnve-pkg-host").out().strip())
                    .isEqualTo("splitnve 750");
            Run create = inside(pid1, "/usr/bin/splitnve", "vm", "create", "vm1", "--vn", "5000", "--mac",
                    "52:54:00:00:00:01", "--ip", "10.0.0.1", "--start");
            assertThat(create.status()).as("vm create: %s", create.out()).isZero();
            assertThat(inside(pid1, "/usr/bin/splitnve", "show", "tsis").out()).contains("ACTIVATED", "52:54:00:00:00:01");

            // ExecReload: SIGHUP
            assertThat(inside(pid1, "systemctl", "reload", nnve, tnve).status()).isZero();
            for (String log : List.of("/run/splitnve-pkg.log", "/run/splitnve-pkg-host.log")) {
                awaitInside(pid1, "reloaded: " + log, () -> inside(pid1, "cat", log).out().contains("daemon.reloaded"));
            }
            // Restart=on-failure: a daemon killed is started again
            String killed = property(pid1, nnve, "MainPID");
            inside(pid1, "kill", "-KILL", killed);
            awaitInside(pid1, "the nNVE restarted", () -> property(pid1, nnve, "NRestarts").equals("1")
                    && property(pid1, nnve, "ActiveState").equals("active")
                    && !property(pid1, nnve, "MainPID").equals(killed) && !property(pid1, nnve, "MainPID").equals("0")
                    && inside(pid1, "cat", "/run/splitnve-pkg.log").out().split("event=api.listening", -1).length == 3);
            // RestartPreventExitStatus=2: a configuration error is not retried
            String broken = "splitnve-nnve@broken.service";
            inside(pid1, "systemctl", "start", broken);
            awaitInside(pid1, "the broken configuration failed", () -> property(pid1, broken, "ActiveState").equals("failed"));
            assertThat(property(pid1, broken, "ExecMainStatus")).isEqualTo("2");
            assertThat(property(pid1, broken, "NRestarts")).isEqualTo("0");
            // KillSignal=SIGTERM: a clean stop
            assertThat(inside(pid1, "systemctl", "stop", nnve, tnve).status()).isZero();
            for (String unit : List.of(nnve, tnve)) {
                String log = "/run/" + unit.replaceFirst("splitnve-.nve@(.*)\\.service", "splitnve-$1.log");
                assertThat(property(pid1, unit, "ActiveState")).as("%s after stop (status %s):%n%s", unit,
                        property(pid1, unit, "ExecMainStatus"), inside(pid1, "cat", log).out()).isEqualTo("inactive");
                assertThat(property(pid1, unit, "ExecMainStatus")).isEqualTo("0");
                assertThat(property(pid1, unit, "Result")).isEqualTo("success");
            }
        } finally {
            if (init > 0) {
                run("kill", "-KILL", String.valueOf(init));
            }
            if (outer != null) {
                outer.waitFor(30, TimeUnit.SECONDS);
                outer.destroyForcibly();
            }
            if (Files.isDirectory(cg)) {
                try (Stream<Path> all = Files.walk(cg)) {
                    for (Path d : all.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) {
                        run("rmdir", d.toString());
                    }
                }
            }
            run("rm", "-rf", w.toString());
        }
        assertThat(cg).doesNotExist();
    }

    @Test
    @DisplayName("OPS-5, SEC-7: the installed systemd units pass systemd-analyze verify with no message (a broken unit would not), with the hardening docs/packaging.md describes: user splitnve, CAP_NET_RAW and CAP_NET_ADMIN only, ProtectSystem=strict, ProtectHome, PrivateTmp, NoNewPrivileges, state and runtime directories, restart on failure, SIGTERM, SIGHUP reload")
    void systemdUnits() throws IOException {
        Path units = Files.createTempDirectory("splitnve-units");
        try {
            for (String role : List.of("nnve", "tnve")) {
                String text = Files.readString(root.resolve("lib/systemd/system/splitnve-" + role + "@.service"));
                Map<String, String> service = new TreeMap<>();
                for (String line : text.split("\n")) {
                    int eq = line.indexOf('=');
                    if (!line.startsWith("#") && eq > 0) {
                        service.merge(line.substring(0, eq), line.substring(eq + 1), (a, b) -> a + " " + b);
                    }
                }
                assertThat(service).containsEntry("ExecStart", "/usr/bin/splitnve " + role
                                + " --config /etc/splitnve/%i.conf")
                        .containsEntry("User", "splitnve").containsEntry("NoNewPrivileges", "yes")
                        .containsEntry("AmbientCapabilities", "CAP_NET_RAW CAP_NET_ADMIN")
                        .containsEntry("CapabilityBoundingSet", "CAP_NET_RAW CAP_NET_ADMIN")
                        .containsEntry("ProtectSystem", "strict").containsEntry("ProtectHome", "yes")
                        .containsEntry("PrivateTmp", "yes").containsEntry("RuntimeDirectory", "splitnve")
                        .containsEntry("Restart", "on-failure").containsEntry("KillSignal", "SIGTERM")
                        .containsEntry("ExecReload", "/bin/kill -HUP $MAINPID");
                assertThat(service.get("StateDirectory")).startsWith("splitnve");
                // the unit as installed, its launcher named where the throw-away root has it
                Files.writeString(units.resolve("splitnve-" + role + "@.service"),
                        text.replace("/usr/bin/splitnve", root.resolve("usr/bin/splitnve").toString()));
                Run security = run("systemd-analyze", "security", "--offline=yes",
                        units.resolve("splitnve-" + role + "@.service").toString());
                Matcher level = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+)").matcher(security.out());
                assertThat(level.find()).as(security.out()).isTrue();
                System.out.println("systemd-analyze security splitnve-" + role + "@: " + level.group(1));
                assertThat(Double.parseDouble(level.group(1))).as("exposure of splitnve-%s@", role).isLessThanOrEqualTo(4.0);
            }
            Map<String, String> env = Map.of("SYSTEMD_UNIT_PATH", units + ":");
            Run verify = run(env, List.of("systemd-analyze", "verify", "--man=no", "splitnve-nnve@nnve1.service",
                    "splitnve-tnve@host1.service"));
            assertThat(verify.status()).as(verify.out()).isZero();
            assertThat(verify.out()).as("systemd-analyze verify says nothing").isEmpty();
            // the check can fail: a misspelt key and a bad value are reported
            Files.writeString(units.resolve("broken@.service"), Files.readString(units.resolve("splitnve-nnve@.service"))
                    .replace("Restart=on-failure", "Restrat=on-failure").replace("ProtectHome=yes", "ProtectHome=yess"));
            Run broken = run(env, List.of("systemd-analyze", "verify", "--man=no", "broken@nnve1.service"));
            assertThat(broken.out()).contains("Unknown key", "Restrat").contains("yess");
        } finally {
            run("rm", "-rf", units.toString());
        }
    }
}
