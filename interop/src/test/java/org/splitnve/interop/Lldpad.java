package org.splitnve.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.splitnve.protocol.Timers;

/**
 * One real lldpad daemon in a network namespace, with its own mount and IPC namespaces and fresh
 * tmpfs on /dev/shm and /run (lldpad keeps a fixed-name shared-memory segment; a second instance
 * that sees it refuses to start), its role and EVB timers written into a scratch config file, its
 * log (-V 7, line-buffered) in a file. {@link #close()} kills it (SIGTERM, then SIGKILL) and waits.
 * See ../shared/docs/lldpad-as-a-peer.md.
 */
final class Lldpad implements AutoCloseable {
    enum Role { STATION, BRIDGE }

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

    static Lldpad start(String namespace, String ifname, Role role, Timers timers, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path conf = dir.resolve("lldpad-" + role.name().toLowerCase() + ".conf");
        Path log = dir.resolve("lldpad-" + role.name().toLowerCase() + ".log");
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
                + "lldpad -p -f " + conf + " -V 7")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Lldpad l = new Lldpad(namespace, ifname, p, log);
        try {
            l.awaitLog(s -> s.contains("vdp22_create:" + ifname), Duration.ofSeconds(10), "lldpad started VDP on " + ifname);
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
        return l;
    }

    long pid() {
        return process.pid();
    }

    String namespace() {
        return namespace;
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    Path logFile() {
        return log;
    }

    /** Waits (polling, bounded) until the log satisfies {@code test}. */
    void awaitLog(Predicate<String> test, Duration limit, String what) throws IOException {
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

    String tail() {
        String[] lines = log().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 40), lines.length));
    }

    /** Runs vdptool in lldpad's namespaces (its control socket is per network namespace); returns its output. */
    String vdptool(String... args) throws IOException {
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

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    boolean alive() {
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
