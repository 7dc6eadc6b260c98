package org.splitnve.nva.etcd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * A real etcd cluster of three members on loopback, for tests and benchmarks: Debian's {@code etcd}
 * (etcd-server 3.4) processes, each with its own data directory in a temporary directory and its own free ports.
 * Members are killed by their pid (SIGKILL) and restarted with their data. {@link #close} ends every process it
 * started and removes the directory.
 *
 * <p>In JUnit tests through {@link EtcdClusterExtension}; {@link #start} outside JUnit (the benchmark).
 *
 * <p>Members run with {@code --max-txn-ops 10000 --max-request-bytes 8388608} (the NVA's largest changes: see
 * {@link EtcdStore}).
 */
public final class EtcdCluster implements AutoCloseable {
    private static final String ETCD = "/usr/bin/etcd";

    private final int size;
    private final Path dir;
    private final String name;
    private final List<Member> members = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    /** One member: its name, ports, data directory and, while it runs, its process. */
    public static final class Member {
        final String name;
        final int clientPort;
        final int peerPort;
        final Path data;
        Process process;

        Member(String name, int clientPort, int peerPort, Path data) {
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
            this.data = data;
        }

        public URI endpoint() {
            return URI.create("http://127.0.0.1:" + clientPort + "/");
        }

        public boolean running() {
            return process != null && process.isAlive();
        }

        @Override
        public String toString() {
            return name + "@" + clientPort;
        }
    }

    private EtcdCluster(int size, Path dir) {
        this.size = size;
        this.dir = dir;
        this.name = dir.getFileName().toString();
    }

    /** Starts a cluster of {@code size} members now, in a new directory under {@code parent}. */
    public static EtcdCluster start(int size, Path parent) throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException(ETCD + " is missing: apt-get install etcd-server");
        }
        EtcdCluster c = new EtcdCluster(size, Files.createTempDirectory(parent, "etcd-cluster"));
        try {
            c.launch();
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close(); // the members that did start end with it (a member that exited at start left two running)
            throw e;
        }
        return c;
    }

    public static boolean available() {
        return Files.isExecutable(Path.of(ETCD));
    }

    // ------------------------------------------------------------------ the members

    private void launch() throws IOException, InterruptedException {
        for (int i = 0; i < size; i++) {
            members.add(new Member("m" + i, freePort(), freePort(), dir.resolve("m" + i)));
        }
        for (Member m : members) {
            spawn(m, "new");
        }
        for (Member m : members) {
            awaitHealthy(m);
        }
    }

    /** Ports handed to this cluster's members: a port closed again may be handed out again by the kernel. */
    private final java.util.Set<Integer> taken = new java.util.HashSet<>();

    /**
     * A loopback port nothing listens on now and this cluster has not used: the kernel may give a port just closed to
     * the next asker, and two members on one port left one of them exiting at start (a fresh-clone run's
     * NvaEtcdFailoverTest: "etcd member m1 exited").
     */
    private int freePort() throws IOException {
        while (true) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (taken.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            }
        }
    }

    private void spawn(Member m, String state) throws IOException {
        StringBuilder cluster = new StringBuilder();
        for (Member o : members) {
            cluster.append(cluster.isEmpty() ? "" : ",").append(o.name).append("=http://127.0.0.1:")
                    .append(o.peerPort);
        }
        String client = "http://127.0.0.1:" + m.clientPort;
        String peer = "http://127.0.0.1:" + m.peerPort;
        ProcessBuilder pb = new ProcessBuilder(ETCD, "--name", m.name, "--data-dir", m.data.toString(),
                "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", cluster.toString(), "--initial-cluster-token", name,
                "--initial-cluster-state", state, "--max-txn-ops", "10000", "--max-request-bytes", "8388608",
                "--heartbeat-interval", "100", "--election-timeout", "1000", "--logger", "zap",
                "--log-outputs", dir.resolve(m.name + ".log").toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve(m.name + ".out").toFile());
        m.process = pb.start();
    }

    private void awaitHealthy(Member m) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            if (!m.running()) {
                throw new IllegalStateException("etcd member " + m + " exited: see " + dir.resolve(m.name + ".out"));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(m.endpoint().resolve("/health"))
                        .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && r.body().contains("true")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(50); // polling a condition (health) with a deadline
        }
        throw new IllegalStateException("etcd member " + m + " not healthy within 30 s");
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    /** The client URLs of every member, in member order. */
    public List<URI> endpoints() {
        return members.stream().map(Member::endpoint).toList();
    }

    /** The client URLs with {@code first} first (a client that starts on that member). */
    public List<URI> endpointsFrom(Member first) {
        List<URI> out = new ArrayList<>();
        out.add(first.endpoint());
        for (Member m : members) {
            if (m != first) {
                out.add(m.endpoint());
            }
        }
        return out;
    }

    /** The member that is the Raft leader now (asked of the running members). */
    public Member leader() {
        for (Member m : members) {
            if (!m.running()) {
                continue;
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(m.endpoint().resolve("/v3/maintenance/status"))
                        .timeout(Duration.ofSeconds(2)).POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode s = EtcdClient.JSON.readTree(r.body());
                String leader = s.path("leader").asString("");
                if (!leader.isEmpty() && leader.equals(s.path("header").path("member_id").asString(""))) {
                    return m;
                }
            } catch (IOException e) {
                // try the next member
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("no etcd member says it leads");
    }

    /** Kills a member with SIGKILL (by its pid) and waits for it to be gone. */
    public void kill(Member m) throws InterruptedException {
        if (m.process != null) {
            m.process.destroyForcibly();
            m.process.waitFor();
        }
    }

    /** Starts a killed member again on its data directory. */
    public void restart(Member m) throws IOException, InterruptedException {
        if (!m.running()) {
            spawn(m, "existing");
            awaitHealthy(m);
        }
    }

    @Override
    public void close() {
        EtcdCluster c = this;
        for (Member m : c.members) {
            if (m.process != null && m.process.isAlive()) {
                m.process.destroyForcibly();
                try {
                    m.process.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        c.http.close();
        if (c.dir != null) {
            try (Stream<Path> s = Files.walk(c.dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a temporary directory left behind
            }
        }
    }
}
