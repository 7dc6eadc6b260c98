package org.splitnve.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.splitnve.protocol.Timers;

/**
 * One real lldpad daemon in a network namespace, with its own mount and IPC namespaces and fresh
 * tmpfs on /dev/shm and /run (lldpad keeps a fixed-name shared-memory segment; a second instance
 * that sees it refuses to start), its role and EVB timers written into a scratch config file, its
 * log (-V 7, line-buffered) in a file. {@link #close()} kills it (SIGTERM, then SIGKILL) and waits.
 * See ../shared/docs/lldpad-as-a-peer.md. Used by the interop tests and by the side-by-side benchmark
 * (bench/run-vs-lldpad.sh).
 */
public final class Lldpad implements AutoCloseable {
    public enum Role { STATION, BRIDGE }

    public static final Path LLDPAD = Path.of("/usr/sbin/lldpad");
    public static final Path VDPTOOL = Path.of("/usr/sbin/vdptool");

    private final String namespace;
    private final String ifname;
    private final Process process;
    private final Path log;

    private Lldpad(String namespace, String ifname, Process process, Path log) {
        this.namespace = namespace;
        this.ifname = ifname;
        this.process = process;
        this.log = log;
    }

    /** Starts lldpad with its debug log (-V 7: every frame and state change), for tests that read the log. */
    public static Lldpad start(String namespace, String ifname, Role role, Timers timers, Path dir) throws IOException {
        return start(namespace, ifname, role, timers, dir, true);
    }

    /**
     * Starts lldpad; {@code debugLog} false logs errors only (-V 3), as a deployment runs it: its debug log
     * costs it CPU on every frame and grows by about 10 KB per VSI, so load runs turn it off. Returns once
     * VDP runs on the interface (seen in the debug log, or else when vdptool finds the interface).
     */
    public static Lldpad start(String namespace, String ifname, Role role, Timers timers, Path dir, boolean debugLog)
            throws IOException {
        Files.createDirectories(dir);
        Path conf = dir.resolve("lldpad-" + role.name().toLowerCase(Locale.ROOT) + ".conf");
        Path log = dir.resolve("lldpad-" + role.name().toLowerCase(Locale.ROOT) + ".log");
        Files.writeString(conf, """
                dcbx : { version = "1.0"; dcbx_version = 2; };
                nearest_customer_bridge : {
                  %s : {
                    adminStatus = 3;
                    tlvid0080c20d : {
                      enableTx = true; evbmode = "%s";
                      evbrrreq = true; evbrrcap = true; evbgpid = true;
                      ecpretries = %d; ecprte = %d; vdprwd = %d; vdprka = %d;
                    };
                  };
                };
                """.formatted(ifname, role == Role.STATION ? "station" : "bridge", timers.retries(), timers.rte(),
                timers.rwd(), timers.rka()));
        // ip netns exec, unshare (no --fork), sh's exec and stdbuf all exec: the process is lldpad itself
        Process p = new ProcessBuilder("ip", "netns", "exec", namespace, "unshare", "--ipc", "--mount", "--propagation",
                "private", "sh", "-c", "mount -t tmpfs none /dev/shm && mount -t tmpfs none /run && exec stdbuf -oL "
                + "lldpad -p -f " + conf + " -V " + (debugLog ? 7 : 3))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Lldpad l = new Lldpad(namespace, ifname, p, log);
        try {
            if (debugLog) {
                l.awaitLog(s -> s.contains("vdp22_create:" + ifname), Duration.ofSeconds(10),
                        "lldpad started VDP on " + ifname);
            } else {
                l.awaitVdp(Duration.ofSeconds(10));
            }
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
        return l;
    }

    public long pid() {
        return process.pid();
    }

    public String namespace() {
        return namespace;
    }

    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    public Path logFile() {
        return log;
    }

    /** Waits (polling, bounded) until the log satisfies {@code test}. */
    public void awaitLog(Predicate<String> test, Duration limit, String what) throws IOException {
        long end = System.nanoTime() + limit.toNanos();
        while (!test.test(log())) {
            if (!process.isAlive()) {
                throw new IOException("lldpad exited (" + process.exitValue() + ") before: " + what + "\n" + tail());
            }
            if (System.nanoTime() > end) {
                throw new IOException("not within " + limit + ": " + what + "\n" + tail());
            }
            sleep(20);
        }
    }

    /** Waits (bounded) until vdptool reaches lldpad and finds VDP on the interface. */
    private void awaitVdp(Duration limit) throws IOException {
        long end = System.nanoTime() + limit.toNanos();
        String out = "";
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IOException("lldpad exited (" + process.exitValue() + ") before VDP ran on " + ifname + "\n"
                        + tail());
            }
            out = vdptool("-i", ifname, "-t", "-V", "assoc", "-c", "uuid=00000000-0000-4000-8000-000000000000");
            // before: no control socket yet (connect refused), or no VDP on the interface yet ("Device not found
            // or inactive"); after: an answer (a station), or "Command not applicable" (a bridge)
            if (!out.contains("Device not found") && !out.contains("connect") && !out.contains("clif_open")) {
                return;
            }
            sleep(50);
        }
        throw new IOException("not within " + limit + ": VDP on " + ifname + " (vdptool: " + out.strip() + ")");
    }

    public String tail() {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Runs vdptool in lldpad's namespaces (its control socket is per network namespace); returns its output. */
    public String vdptool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid()), "-n", "-m", "-i", "vdptool"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer in 20 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    /** Whether lldpad and vdptool are installed (Debian package lldpad). */
    public static boolean installed() {
        return Files.isExecutable(LLDPAD) && Files.isExecutable(VDPTOOL);
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
