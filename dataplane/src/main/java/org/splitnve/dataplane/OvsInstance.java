package org.splitnve.dataplane;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Open vSwitch, ovsdb-server and ovs-vswitchd (the userspace datapath: bridges get {@code datapath_type=netdev}),
 * started inside a network namespace with a private run directory, database, sockets and logs
 * (../shared/docs/ovs-dataplane.md's recipe): the demo's switches and the tests'. Bootstrap only: it runs ovsdb-tool,
 * the two daemons and ovs-vsctl; the daemons program the bridges themselves over OpenFlow ({@link SwitchAgent}).
 * {@link #stop} ends both daemons by the PIDs they wrote into the run directory.
 */
public final class OvsInstance {
    private static final Path SCHEMA = Path.of("/usr/share/openvswitch/vswitch.ovsschema");
    private static final List<Path> PROGRAMS = List.of(Path.of("/usr/sbin/ovsdb-server"), Path.of("/usr/sbin/ovs-vswitchd"),
            Path.of("/usr/bin/ovsdb-tool"), Path.of("/usr/bin/ovs-vsctl"));

    /** The namespace both daemons run in. */
    public final String ns;
    /** The run directory: conf.db, db.sock, the PID files, the logs and each bridge's {@code BRIDGE.mgmt}. */
    public final Path dir;

    private OvsInstance(String ns, Path dir) {
        this.ns = ns;
        this.dir = dir;
    }

    /** Whether Open vSwitch is installed here (Debian's openvswitch-switch: both daemons, ovsdb-tool, ovs-vsctl, the schema). */
    public static boolean installed() {
        return PROGRAMS.stream().allMatch(Files::isExecutable) && Files.isReadable(SCHEMA);
    }

    /**
     * Creates the database in {@code dir} (made if absent) and starts ovsdb-server and ovs-vswitchd inside namespace
     * {@code ns}; on failure stops what it started and throws.
     */
    public static OvsInstance start(String ns, Path dir) throws IOException {
        Files.createDirectories(dir);
        String d = dir.toString();
        run("ovsdb-tool", "create", d + "/conf.db", SCHEMA.toString());
        OvsInstance o = new OvsInstance(ns, dir);
        try {
            run("ip", "netns", "exec", ns, "ovsdb-server", d + "/conf.db", "--remote=punix:" + d + "/db.sock",
                    "--pidfile=" + d + "/ovsdb-server.pid", "--unixctl=" + d + "/ovsdb-server.ctl",
                    "--log-file=" + d + "/ovsdb-server.log", "--detach", "--no-chdir");
            o.vsctl("--no-wait", "init");
            o.startVswitchd();
        } catch (IOException | RuntimeException e) {
            o.stop();
            throw e;
        }
        return o;
    }

    /** Starts ovs-vswitchd (again, after {@link #killVswitchd}). */
    public void startVswitchd() throws IOException {
        String d = dir.toString();
        run("ip", "netns", "exec", ns, "env", "OVS_RUNDIR=" + d, "OVS_LOGDIR=" + d, "OVS_DBDIR=" + d, "ovs-vswitchd",
                "unix:" + d + "/db.sock", "--pidfile=" + d + "/ovs-vswitchd.pid", "--unixctl=" + d + "/ovs-vswitchd.ctl",
                "--log-file=" + d + "/ovs-vswitchd.log", "--detach", "--no-chdir");
    }

    /** SIGKILL to ovs-vswitchd by its PID; waits (5 s at most) until it is gone or a zombie. */
    public void killVswitchd() throws IOException {
        signal("ovs-vswitchd", true);
    }

    /** Starts ovsdb-server again (after {@link #signal}) on the same database and sockets. */
    public void startOvsdb() throws IOException {
        String d = dir.toString();
        run("ip", "netns", "exec", ns, "ovsdb-server", d + "/conf.db", "--remote=punix:" + d + "/db.sock",
                "--pidfile=" + d + "/ovsdb-server.pid", "--unixctl=" + d + "/ovsdb-server.ctl",
                "--log-file=" + d + "/ovsdb-server.log", "--detach", "--no-chdir");
    }

    /**
     * Ends {@code daemon} (ovs-vswitchd or ovsdb-server) by its PID with SIGKILL ({@code kill}) or SIGTERM; waits (5 s
     * at most) until it is gone or a zombie.
     */
    public void signal(String daemon, boolean kill) throws IOException {
        long pid = pid(daemon);
        ProcessHandle.of(pid).ifPresent(kill ? ProcessHandle::destroyForcibly : ProcessHandle::destroy);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (alive(pid)) {
            if (System.nanoTime() > end) {
                throw new IOException(daemon + " " + pid + " still runs 5 s after SIG" + (kill ? "KILL" : "TERM"));
            }
            pause(10);
        }
        Files.deleteIfExists(dir.resolve(daemon + ".pid"));
    }

    /** ovs-vsctl against this instance's database (20 s timeout); its output. */
    public String vsctl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ovs-vsctl", "--db=unix:" + dir + "/db.sock", "--timeout=20"));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** ovs-ofctl (OpenFlow 1.4) {@code command} against {@code bridge}'s management socket, then {@code args}. */
    public String ofctl(String command, String bridge, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ovs-ofctl", "-O", "OpenFlow14", command, "unix:" + mgmt(bridge)));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** ovs-appctl to ovs-vswitchd. */
    public String appctl(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ovs-appctl", "-t", dir + "/ovs-vswitchd.ctl"));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** The bridge's OpenFlow management socket (what a daemon's {@code [dataplane] socket} names). */
    public Path mgmt(String bridge) {
        return dir.resolve(bridge + ".mgmt");
    }

    /** The PID {@code daemon} (ovsdb-server, ovs-vswitchd) wrote, or -1. */
    public long pid(String daemon) throws IOException {
        Path f = dir.resolve(daemon + ".pid");
        return Files.exists(f) ? Long.parseLong(Files.readString(f).strip()) : -1;
    }

    /** Ends ovs-vswitchd, then ovsdb-server (SIGTERM, SIGKILL after 5 s); never throws, says on stderr what it could not. */
    public void stop() {
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

    /** SIGTERM, then SIGKILL after 5 s, to process {@code pid}; returns once it is gone or a zombie (or 10 s passed). */
    public static void end(long pid) {
        ProcessHandle.of(pid).ifPresent(ph -> {
            ph.destroy();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (alive(pid) && System.nanoTime() < end) {
                pause(10);
            }
            if (alive(pid)) {
                ph.destroyForcibly();
                long last = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (alive(pid) && System.nanoTime() < last) {
                    pause(10);
                }
            }
        });
    }

    /** Whether process {@code pid} runs (a zombie does not). */
    public static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && stat.length() > close + 2 && stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What a command said and how it ended. */
    public record Finished(int status, String output) {
    }

    /** Runs {@code cmd} (60 s at most), stdout and stderr together; its status and output, never failing on a status. */
    public static Finished finish(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
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

    /** Runs {@code cmd}; its output, or an IOException with it when the status is not 0. */
    public static String run(String... cmd) throws IOException {
        Finished f = finish(cmd);
        if (f.status() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + f.status() + ": " + f.output().strip());
        }
        return f.output();
    }
}
