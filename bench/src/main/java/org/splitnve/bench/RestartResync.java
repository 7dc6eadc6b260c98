package org.splitnve.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.splitnve.interop.compare.Workload;
import org.splitnve.nnve.Authority;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.TsiState;
import org.splitnve.protocol.ManualClock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveConfig;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * REL-7: how long a restarted nNVE takes to be back in sync with a tNVE holding N activated TSIs (one
 * IPv4 address each, 64 VNs). Both engines run in one process over a zero-latency in-memory link (as
 * {@link EndToEnd}); the clock is virtual for timers and stands still while frames flow, so the report
 * splits the time in two:
 * <ul>
 * <li>noticed: virtual time from the restart until the tNVE's next session keep-alive reaches the new nNVE
 * and the RESYNC_REQUEST comes back: at most one keep-alive period by construction (RKA 20: 10.5 s; the
 * daemons' default);
 * <li>resync: wall-clock time from that moment until every TSI is re-associated and re-activated with its
 * address at the new nNVE and the uplink is in sync: the engines' work, with ECP batching.
 * </ul>
 * {@code java -cp bench/target/benchmarks.jar org.splitnve.bench.RestartResync 10 1000 100000}
 */
public final class RestartResync {
    private RestartResync() {
    }

    /** A frame on its way to agent {@code to}: a plain carrier of the array, not a value (no record equality). */
    static final class Hop {
        final int to;
        final byte[] frame;
        final int length;

        Hop(int to, byte[] frame, int length) {
            this.to = to;
            this.frame = frame;
            this.length = length;
        }
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String a : args) {
            sizes.add(Integer.parseInt(a.replace("_", "").replace(",", "")));
        }
        if (sizes.isEmpty()) {
            sizes = List.of(10, 1_000, 100_000);
        }
        for (int n : sizes) {
            for (int round = 1; round <= 3; round++) {
                run(n, round, false);
            }
            for (int round = 1; round <= 3; round++) {
                run(n, round, true);
            }
        }
    }

    static TsiSpec tsi(int i) throws UnknownHostException {
        TsiSpec t = Workload.tsi(i);
        return t.withIps(List.of(TsiAddress.host(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16),
                (byte) (i >> 8), (byte) i}))));
    }

    /** {@code announced}: the new nNVE announces its start (as the daemon does), else the next keep-alive tells. */
    static void run(int n, int round, boolean announced) throws Exception {
        ManualClock clock = new ManualClock(1_000_000_000L);
        ArrayDeque<Hop> link = new ArrayDeque<>();
        MacAddress nm = MacAddress.parse("02:00:00:00:0e:01");
        MacAddress tm = MacAddress.parse("02:00:00:00:0a:01");
        NnveConfig nc = NnveConfig.simple("n", 1).withLimits(new NnveConfig.Limits(n, 4094, 64));
        PortAgent[] agents = new PortAgent[2];
        agents[0] = new NnveEngine(nc, clock, io(nm, link, 0), Authority.trustAll(), e -> { }, EventSink.NONE,
                new SplittableRandom(1));
        TnveEngine tnve = new TnveEngine(TnveConfig.simple("h", nm), clock, io(tm, link, 1), EventSink.NONE,
                new SplittableRandom(2));
        agents[1] = tnve;
        pump(agents, link, clock);
        List<CompletableFuture<OpResult>> ops = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            ops.add(tnve.create("vm" + i, List.of(tsi(i))));
        }
        pump(agents, link, clock);
        for (int i = 0; i < n; i++) {
            ops.add(tnve.start("vm" + i));
        }
        pump(agents, link, clock);
        if (ops.stream().anyMatch(f -> !f.isDone() || !f.join().ok())) {
            throw new IllegalStateException("set-up failed");
        }

        // The restart: a new nNVE engine (new epoch, no state) on the same MAC; frames in flight are lost.
        link.clear();
        NnveEngine fresh = new NnveEngine(nc, clock, io(nm, link, 0), Authority.trustAll(), e -> { }, EventSink.NONE,
                new SplittableRandom(3));
        agents[0] = fresh;
        long restartedAt = clock.nanos();
        long t0 = 0;
        if (announced) {
            t0 = System.nanoTime();
            fresh.announceStart();
        }
        // Time passes until the tNVE's next session keep-alive (that is what the new nNVE answers), unless the
        // announcement came first.
        noticed:
        while (true) {
            if (!link.isEmpty() && announced) {
                // the announcement is on its way: no time passes
            } else {
                clock.set(Math.max(clock.nanos(), tnve.nextDeadline()));
                tnve.onTimer();
            }
            while (!link.isEmpty()) {
                Hop h = link.poll();
                if (h.to == 1 && !announced) {
                    t0 = System.nanoTime(); // the new nNVE's answer arrives: from here on it is the engines' work
                }
                agents[h.to].onFrame(0, h.frame, 0, h.length);
                if (!tnve.uplinkInSync("nnve")) {
                    break noticed;
                }
            }
        }
        long noticedAfter = clock.nanos() - restartedAt;
        pump(agents, link, clock);
        long wall = System.nanoTime() - t0;
        boolean inSync = tnve.uplinkInSync("nnve");
        long activated = fresh.tsisIn(TsiState.ACTIVATED);
        long withIp = fresh.tsis().stream().filter(t -> t.addresses().size() == 2).count();
        if (!inSync || activated != n || withIp != n) {
            throw new IllegalStateException("not back in sync: inSync " + inSync + ", " + activated + " activated, "
                    + withIp + " with their address");
        }
        System.out.printf("N = %,d round %d, %s: noticed %.3f s after the restart (virtual), every TSI back in "
                + "%.3f s (wall clock, %,.0f TSIs/s); virtual time used by the resync %.3f s%n", n, round,
                announced ? "start announced" : "next keep-alive", noticedAfter / 1e9, wall / 1e9, n / (wall / 1e9),
                (clock.nanos() - restartedAt - noticedAfter) / 1e9);
    }

    /** One end of the in-memory link: frames sent go to the other agent ({@code 1 - self}). */
    static PortIo io(MacAddress mac, ArrayDeque<Hop> link, int self) {
        return new PortIo() {
            @Override
            public int ports() {
                return 1;
            }

            @Override
            public MacAddress mac(int port) {
                return mac;
            }

            @Override
            public void send(int port, byte[] frame, int length) {
                link.add(new Hop(1 - self, frame.clone(), length));
            }
        };
    }

    private static void drain(PortAgent[] agents, ArrayDeque<Hop> link) {
        while (!link.isEmpty()) {
            Hop h = link.poll();
            agents[h.to].onFrame(0, h.frame, 0, h.length);
        }
    }

    /** Frames delivered and timers run until nothing is due within 100 ms (only keep-alives remain). */
    static void pump(PortAgent[] agents, ArrayDeque<Hop> link, ManualClock clock) {
        while (true) {
            drain(agents, link);
            long next = Math.min(agents[0].nextDeadline(), agents[1].nextDeadline());
            if (next > clock.nanos() + 100_000_000L) {
                return; // nothing due soon: only keep-alives remain
            }
            clock.set(Math.max(clock.nanos(), next));
            agents[0].onTimer();
            agents[1].onTimer();
        }
    }
}
