package org.splitnve.bench.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One daemon of the soak as an operator runs it: {@code java -XX:+UseZGC -jar splitnve.jar ROLE --config FILE} (what
 * {@code ./splitnve ROLE} runs), its output appended to a log file, its HTTP API on a fixed loopback port. It is
 * started, killed with SIGKILL by its PID and started again on the same configuration (and so the same state
 * directory); {@link #starts} counts its lives.
 */
final class DaemonProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String name;
    final String role;
    final Path config;
    final Path log;
    final int apiPort;
    private final Path jar;
    private volatile Process process;
    private final java.util.concurrent.atomic.AtomicInteger starts = new java.util.concurrent.atomic.AtomicInteger();

    /** The path whose 200 says the daemon serves: {@code /v1/status}, the NVA's {@code /v1/nva/status}. */
    private final String statusPath;

    DaemonProcess(String name, String role, Path config, Path log, int apiPort, Path jar) {
        this(name, role, config, log, apiPort, jar, role.equals("nva") ? "/v1/nva/status" : "/v1/status");
    }

    DaemonProcess(String name, String role, Path config, Path log, int apiPort, Path jar, String statusPath) {
        this.statusPath = statusPath;
        this.name = name;
        this.role = role;
        this.config = config;
        this.log = log;
        this.apiPort = apiPort;
        this.jar = jar;
    }

    /** Starts the process and returns once its API answers its status path (at most {@code timeout}). */
    void start(Duration timeout) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseZGC", "-jar", jar.toString(),
                role, "--config", config.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        process = p;
        starts.incrementAndGet();
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!p.isAlive()) {
                throw new IOException(name + " ended with status " + p.exitValue() + " at start; its log: " + log);
            }
            try {
                if (get(statusPath, Duration.ofSeconds(5)).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() - end > 0) {
                throw new IOException(name + "'s API did not answer within " + timeout.toSeconds() + " s; its log: " + log);
            }
            Thread.sleep(50);
        }
    }

    /** SIGKILL by PID; returns once the process is gone. */
    void kill9() throws IOException, InterruptedException {
        Process p = process;
        org.splitnve.dataplane.OvsInstance.run("kill", "-KILL", Long.toString(p.pid()));
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new IOException(name + " still runs 30 s after SIGKILL");
        }
    }

    /** SIGTERM (then SIGKILL after 30 s); never throws. */
    void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The running process's PID, or -1. */
    long pid() {
        Process p = process;
        return p != null && p.isAlive() ? p.pid() : -1;
    }

    int starts() {
        return starts.get();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + apiPort + path);
    }

    HttpResponse<String> get(String path, Duration timeout) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(timeout).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code POST path} with a JSON body. */
    HttpResponse<String> post(String path, String json, Duration timeout) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Resident memory (kB), open file descriptors and threads of the running process, from /proc; null when none. */
    long[] resources() {
        long pid = pid();
        if (pid < 0) {
            return null;
        }
        try {
            long rss = -1;
            long threads = -1;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                } else if (line.startsWith("Threads:")) {
                    threads = Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            long fds;
            try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                fds = s.count();
            }
            return new long[] {rss, fds, threads};
        } catch (IOException | RuntimeException e) {
            return null; // it ended meanwhile
        }
    }

    /**
     * The JVM's heap in use (bytes) from the daemon's {@code /metrics} ({@code jvm_memory_used_bytes{area="heap"}}, the
     * Prometheus client's JVM metrics), or -1 when it could not be read.
     */
    long heapUsed() {
        try {
            HttpResponse<String> r = get("/metrics", Duration.ofSeconds(10));
            if (r.statusCode() != 200) {
                return -1;
            }
            for (String line : r.body().lines().toList()) {
                if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                    return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** A line of the configuration: TOML for the daemon's [api] and [log]. */
    static String apiAndLog(int port) {
        return apiAndLog(port, "warn");
    }

    /** As {@link #apiAndLog(int)}, logging at {@code level}. */
    static String apiAndLog(int port, String level) {
        return String.join("\n", List.of("[api]", "listen = \"127.0.0.1:" + port + "\"", "[log]", "format = \"json\"",
                "level = \"" + level + "\"", ""));
    }
}
