package org.splitnve.bench;

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
import org.splitnve.wire.MacAddress;

/**
 * End to end in one process: N VMs (one TSI each, 64 VNs) created and started through a tNVE engine,
 * ECP with batching, and an nNVE engine, over a zero-latency in-memory link; the clock stands still
 * unless a timer is due. Reports wall-clock VMs per second (both engines on one thread) and ECPDUs
 * per VM. {@code java -cp bench/target/benchmarks.jar org.splitnve.bench.EndToEnd 100000}
 */
public final class EndToEnd {
    private EndToEnd() {
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

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        for (int r = 1; r <= rounds; r++) {
            run(n, r);
        }
    }

    static void run(int n, int round) {
        ManualClock clock = new ManualClock(1_000_000_000L);
        ArrayDeque<Hop> link = new ArrayDeque<>();
        MacAddress nm = MacAddress.parse("02:00:00:00:0e:01");
        MacAddress tm = MacAddress.parse("02:00:00:00:0a:01");
        long[] requests = new long[2];
        PortIo nio = io(nm, link, 1, requests);
        PortIo tio = io(tm, link, 0, requests);
        NnveEngine nnve = new NnveEngine(NnveConfig.simple("n", 1).withLimits(new NnveConfig.Limits(n, 4094, 64)), clock,
                nio, Authority.trustAll(), e -> { }, EventSink.NONE, new SplittableRandom(1));
        TnveEngine tnve = new TnveEngine(TnveConfig.simple("h", nm), clock, tio, EventSink.NONE, new SplittableRandom(2));
        PortAgent[] agents = {nnve, tnve};
        pump(agents, link, clock);
        long start = System.nanoTime();
        List<CompletableFuture<OpResult>> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ops.add(tnve.create("vm" + i, List.of(Workload.tsi(i)))); // random UUID and MAC, one of 64 VNs
        }
        pump(agents, link, clock);
        long created = System.nanoTime();
        long requestsAfterCreate = requests[1];
        for (int i = 0; i < n; i++) {
            ops.add(tnve.start("vm" + i));
        }
        pump(agents, link, clock);
        long end = System.nanoTime();
        long ok = ops.stream().filter(f -> f.isDone() && f.join().ok()).count();
        if (ok != 2L * n || nnve.tsisIn(TsiState.ACTIVATED) != n) {
            throw new IllegalStateException(ok + " operations succeeded, " + nnve.tsisIn(TsiState.ACTIVATED) + " activated");
        }
        double secs = (end - start) / 1e9;
        System.out.printf("round %d: %,d VMs created and started in %.2f s: %,.0f VMs/s (create %.2f s, start %.2f s)%n",
                round, n, secs, n / secs, (created - start) / 1e9, (end - created) / 1e9);
        System.out.printf("  ECPDUs carrying requests, tNVE to nNVE: %,d (%.3f per VM, %.1f VSI TLVs per ECPDU); "
                + "nNVE to tNVE: %,d; virtual time used: %.3f s%n", requests[1], (double) requests[1] / n,
                2.0 * n / requests[1], requests[0], (clock.nanos() - 1_000_000_000L) / 1e9);
        if (requestsAfterCreate == 0) {
            throw new IllegalStateException("no requests");
        }
    }

    private static PortIo io(MacAddress mac, ArrayDeque<Hop> link, int to, long[] requests) {
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
                if (((frame[14] >>> 2) & 3) == 0) {
                    requests[1 - to]++;
                }
                link.add(new Hop(to, frame, length));
            }
        };
    }

    private static void pump(PortAgent[] agents, ArrayDeque<Hop> link, ManualClock clock) {
        while (true) {
            while (!link.isEmpty()) {
                Hop h = link.poll();
                agents[h.to].onFrame(0, h.frame, 0, h.length);
            }
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
