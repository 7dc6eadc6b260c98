package org.splitnve.bench.soak;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The soak's VMs as its client (an orchestrator) sees them, and the operations it sends the stations' tNVE daemons
 * through their HTTP APIs: one TSI per VM, spread over the stations round robin, on ten VNs; each VM's state as its
 * last acknowledged operation left it. At most {@link #IN_FLIGHT} operations per station at a time.
 */
final class Fleet {
    /**
     * Operations in flight per station: fewer than the API's 64 request permits, so the checker's reads fit beside
     * them (at 64 the 35-minute soak had 11 operations refused "busy: 64 requests in progress", each when a check's
     * {@code GET /v1/vms} came on top of 64 operations: the tNVE's backpressure, not a lost operation).
     */
    static final int IN_FLIGHT = 56;
    static final int VNS = 10;
    static final long FIRST_VN = 5000;

    /** One VM and what the client knows of it. */
    static final class Vm {
        final int index;
        final int station;
        final String name;
        final String tsi;
        final long vn;
        final String mac;
        final String ip;
        /** RUNNING, SUSPENDED or SHUTDOWN as the last acknowledged operation left it; null: unknown. */
        volatile String acked;
        volatile boolean busy;
        /** System.nanoTime() of its last operation's start or end. */
        volatile long touched;

        Vm(int index, int stations) {
            this.index = index;
            this.station = index % stations + 1;
            this.name = "vm" + index;
            int n = index + 1;
            this.tsi = new UUID(0x50a4_0000_0000_4000L | ((long) n << 16), 0x8000_0000_0000_0000L | n).toString();
            this.vn = FIRST_VN + index % VNS;
            this.mac = String.format(Locale.ROOT, "02:5a:%02x:%02x:%02x:%02x", (n >>> 24) & 255, (n >>> 16) & 255,
                    (n >>> 8) & 255, n & 255);
            this.ip = "10." + ((n >>> 16) & 255) + "." + ((n >>> 8) & 255) + "." + (n & 255);
        }

        /** {@code POST /v1/vms}'s body: the VM with its TSI, started at once. */
        String createBody() {
            return "{\"name\":\"" + name + "\",\"tsis\":[{\"id\":\"" + tsi + "\",\"vn\":" + vn + ",\"mac\":\"" + mac
                    + "\",\"ips\":[\"" + ip + "\"]}],\"start\":true}";
        }
    }

    final List<Vm> vms = new ArrayList<>();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong notOk = new AtomicLong();
    final AtomicLong unreachable = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();
    private final Semaphore[] permits;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    Fleet(int tsis, int stations) {
        for (int i = 0; i < tsis; i++) {
            vms.add(new Vm(i, stations));
        }
        permits = new Semaphore[stations + 1];
        for (int s = 1; s <= stations; s++) {
            permits[s] = new Semaphore(IN_FLIGHT);
        }
    }

    /**
     * Sends {@code POST path} for {@code vm} to its station's tNVE, waiting for a free slot of the station; on an
     * answer of 200 the VM's acknowledged state becomes {@code after}, on any other answer it is unknown (the next check
     * reads it from the tNVE). Completes with the status, -1 when the tNVE could not be reached.
     */
    CompletableFuture<Integer> send(DaemonProcess tnve, Vm vm, String path, String body, String after)
            throws InterruptedException {
        permits[vm.station].acquire();
        return start(tnve, vm, path, body, after);
    }

    /**
     * As {@link #send}, but only if the station has a free slot now (false otherwise, counted as skipped); what comes of
     * it is counted and kept in the VM as {@link #send} does.
     */
    boolean trySend(DaemonProcess tnve, Vm vm, String path, String body, String after) {
        if (vm.busy || !permits[vm.station].tryAcquire()) {
            skipped.incrementAndGet();
            return false;
        }
        CompletableFuture<Integer> _ = start(tnve, vm, path, body, after);
        return true;
    }

    private CompletableFuture<Integer> start(DaemonProcess tnve, Vm vm, String path, String body, String after) {
        vm.busy = true;
        vm.touched = System.nanoTime();
        HttpRequest r = HttpRequest.newBuilder(tnve.uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.sendAsync(r, HttpResponse.BodyHandlers.ofString()).handle((resp, err) -> {
            int status = err != null ? -1 : resp.statusCode();
            if (status == 200) {
                ok.incrementAndGet();
                vm.acked = after;
            } else {
                (status < 0 ? unreachable : notOk).incrementAndGet();
                vm.acked = null;
            }
            vm.touched = System.nanoTime();
            vm.busy = false;
            permits[vm.station].release();
            return status;
        });
    }

    /** The next operation of the churn for {@code vm}: {path, body, state after}, from its acknowledged state; or null. */
    static String[] nextOperation(Vm vm, int draw) {
        String s = vm.acked;
        if (s == null) {
            return null;
        }
        return switch (s) {
            case "RUNNING" -> draw % 4 == 0 ? new String[] {"/v1/vms/" + vm.name + "/shutdown", "", "SHUTDOWN"}
                    : new String[] {"/v1/vms/" + vm.name + "/suspend", "", "SUSPENDED"};
            case "SUSPENDED" -> new String[] {"/v1/vms/" + vm.name + "/resume", "", "RUNNING"};
            case "SHUTDOWN" -> new String[] {"/v1/vms/" + vm.name + "/start", "", "RUNNING"};
            default -> null;
        };
    }
}
