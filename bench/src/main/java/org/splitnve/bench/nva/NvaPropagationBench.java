package org.splitnve.bench.nva;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.ChangeEvent;
import org.splitnve.nva.service.Options;
import org.splitnve.nva.service.Poll;
import org.splitnve.nva.service.Replica;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.ResourceKey;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.Snapshot;
import org.splitnve.nva.service.link.InProcessLink;
import org.splitnve.nva.service.link.NvaLink;
import org.splitnve.nva.service.store.Codec;
import org.splitnve.nva.service.store.SqliteStore;
import org.splitnve.protocol.event.EventSink;

/**
 * NVA-3, NVA-4 (BENCHMARKS.md, "Propagation"): one NVA on SQLite FULL with N TSIs present, in one process, the nNVEs
 * on {@link InProcessLink}s.
 *
 * <ol>
 *   <li><b>Latency</b>: one nNVE reports R mapping changes per second (queued as they happen, sent as one report
 *       each time the previous receipt is back, as an nNVE's report queue does); another nNVE's {@link Replica},
 *       its watch polled on its own thread, holds each change after how long (from the moment it was queued).</li>
 *   <li><b>Catch-up</b>: a restarted replica lists the interest (N entries) and takes it: time, and the heap it
 *       holds per entry (the resources decoded from the store format, as a remote nNVE would hold them).</li>
 *   <li><b>Fan-out</b>: W replicas, each watching on its own thread; time until all of them hold a change.</li>
 * </ol>
 *
 * <p>Usage: {@code NvaPropagationBench [seconds, default 10] [TSIs, default 100000] [changes/s, default 1000]
 * [watchers, default 100] [directory]}
 */
public final class NvaPropagationBench {
    private static final NveId REPORTER = NveId.of("reporter");
    private static final NveId WATCHER = NveId.of("watcher");

    private NvaPropagationBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        int tsis = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        int watchers = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        Path dir = Files.createDirectories(args.length > 4 ? Path.of(args[4])
                : Files.createTempDirectory("nva-propagation-bench"));
        System.out.printf("# NvaPropagationBench: %,d TSIs, %,d changes/s for %.0f s, %d watchers; SQLite FULL in %s"
                + " (%s)%n", tsis, rate, seconds, watchers, dir, Files.getFileStore(dir).type());
        try (RevisionedNva nva = RevisionedNva.open(SqliteStore.open(dir.resolve("nva.db")), Options.DEFAULT,
                NvaDomain.CLOCK, EventSink.NONE)) {
            NvaDomain.vn(nva);
            NvaDomain.register(nva, REPORTER, 0);
            NvaDomain.register(nva, WATCHER, 1);
            long t0 = System.nanoTime();
            long seq = NvaDomain.fill(nva, REPORTER, 0, tsis, 2);
            System.out.printf("# filled %,d TSIs in %.1f s%n", tsis, (System.nanoTime() - t0) / 1e9);
            seq = latency(nva, seq, tsis, rate, seconds);
            catchUp(nva);
            fanOut(nva, seq, tsis, watchers, Math.max(200, (int) (seconds * 20)));
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** A watcher thread: lists, then polls its watch and applies each poll to its replica until stopped. */
    private static Thread watch(NvaLink link, Replica replica, java.util.function.BooleanSupplier stop) throws Exception {
        Snapshot s = link.list();
        replica.reset(s);
        NvaLink.WatchStream w = link.watch(s.historyId(), s.revision());
        return Thread.ofPlatform().daemon().start(() -> {
            try {
                while (!stop.getAsBoolean()) {
                    Poll p = w.next(Duration.ofMillis(200));
                    if (!replica.apply(p)) {
                        throw new IllegalStateException("too old");
                    }
                }
            } catch (NvaLink.NvaUnavailable e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static long latency(RevisionedNva nva, long firstSeq, int tsis, int rate, double seconds)
            throws Exception {
        Map<ResourceKey, Long> queuedAt = new ConcurrentHashMap<>();
        List<Long> lat = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger seen = new AtomicInteger();
        Replica replica = new Replica(e -> {
            if (e instanceof ChangeEvent.Put p && p.resource() instanceof Resource.Mapping) {
                Long at = queuedAt.remove(p.key());
                if (at != null) {
                    lat.add(System.nanoTime() - at);
                    seen.incrementAndGet();
                }
            }
        });
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread watcher = watch(new InProcessLink(nva, WATCHER), replica, stop::get);
        LinkedBlockingQueue<ReportOp> queue = new LinkedBlockingQueue<>();
        long[] seq = {firstSeq};
        int[] reports = {0};
        Thread reporter = Thread.ofPlatform().start(() -> {
            List<ReportOp> ops = new ArrayList<>();
            try {
                while (!stop.get() || !queue.isEmpty()) {
                    ReportOp first = queue.poll(100, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    ops.add(first);
                    queue.drainTo(ops, Report.MAX_OPS - 1);
                    NvaDomain.check(nva.report(REPORTER, new Report(seq[0]++, ops)));
                    reports[0]++;
                    ops.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long start = System.nanoTime();
        long total = (long) (rate * seconds);
        for (long i = 0; i < total; i++) {
            long due = start + i * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            ReportOp.Bind b = NvaDomain.bind(REPORTER, 0, (int) (i % tsis), 2 + i / tsis);
            ResourceKey k = ResourceKey.mapping(b.instance().vnId(), b.instance().vsi(), b.instance().nve(),
                    b.instance().port());
            queuedAt.put(k, System.nanoTime());
            queue.add(b);
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (seen.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        stop.set(true);
        reporter.join();
        watcher.join();
        List<Long> sorted = new ArrayList<>(lat);
        sorted.sort(null);
        System.out.println("# latency: one nNVE reports, another's replica holds the change (from queued to applied)");
        System.out.println("#  changes  reports  seen  p50 ms  p90 ms  p99 ms  max ms");
        System.out.printf("%9d %8d %5d %7.2f %7.2f %7.2f %7.2f%n", total, reports[0], seen.get(),
                NvaDomain.pct(sorted, 0.5), NvaDomain.pct(sorted, 0.9), NvaDomain.pct(sorted, 0.99),
                NvaDomain.pct(sorted, 1.0));
        return seq[0];
    }

    private static long heapUsed() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void catchUp(RevisionedNva nva) throws Exception {
        InProcessLink link = new InProcessLink(nva, WATCHER);
        long best = Long.MAX_VALUE;
        int size = 0;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            Snapshot s = link.list();
            Replica r = new Replica();
            r.reset(s);
            best = Math.min(best, System.nanoTime() - t0);
            size = r.view().size();
        }
        // bytes per entry: the resources as a remote nNVE holds them (decoded, not shared with the NVA's state)
        Snapshot listed = link.list();
        long before = heapUsed();
        List<Resource> decoded = new ArrayList<>();
        for (Resource r : listed.resources()) {
            decoded.add(Codec.resource(Codec.resource(r)));
        }
        Replica held = new Replica();
        held.reset(new Snapshot(listed.historyId(), listed.revision(), decoded));
        decoded = null;
        long after = heapUsed();
        System.out.println("# catch-up: a restarted replica lists its interest and takes it (best of 3)");
        System.out.println("#  entries  list+reset ms  heap bytes/entry");
        System.out.printf("%9d %14.0f %17.0f%n", size, best / 1e6, (after - before) / (double) held.view().size());
        // the anti-entropy digest of this interest: kept by the NVA per VN and revision, or computed on demand
        org.splitnve.nva.service.Interest interest = org.splitnve.nva.service.Interest.of(WATCHER,
                java.util.Set.of(NvaDomain.VN));
        long bestKept = Long.MAX_VALUE;
        long bestDemand = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            org.splitnve.nva.service.Digest kept = nva.digest(interest, listed.revision()).orElseThrow();
            long t1 = System.nanoTime();
            org.splitnve.nva.service.Digest demand = org.splitnve.nva.service.Digest.of(listed.resources());
            long t2 = System.nanoTime();
            if (!kept.equals(demand) || !kept.equals(held.digest())) {
                throw new IllegalStateException("digests differ: " + kept + " " + demand + " " + held.digest());
            }
            bestKept = Math.min(bestKept, t1 - t0);
            bestDemand = Math.min(bestDemand, t2 - t1);
        }
        System.out.printf("# digest of the interest (%,d entries): kept by the NVA %.3f ms, on demand %.1f ms%n",
                held.view().size(), bestKept / 1e6, bestDemand / 1e6);
    }

    private static void fanOut(RevisionedNva nva, long firstSeq, int tsis, int watchers, int changes)
            throws Exception {
        Map<ResourceKey, long[]> pending = new ConcurrentHashMap<>(); // key -> {queued at, replicas holding it}
        List<Long> lat = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < watchers; i++) {
            NveId nve = NveId.of("fan-" + i);
            NvaDomain.register(nva, nve, 10 + i);
        }
        for (int i = 0; i < watchers; i++) {
            Replica r = new Replica(e -> {
                if (e instanceof ChangeEvent.Put p && p.resource() instanceof Resource.Mapping) {
                    long[] at = pending.get(p.key());
                    if (at != null) {
                        synchronized (at) {
                            if (++at[1] == watchers) {
                                lat.add(System.nanoTime() - at[0]);
                                pending.remove(p.key());
                            }
                        }
                    }
                }
            });
            threads.add(watch(new InProcessLink(nva, NveId.of("fan-" + i)), r, stop::get));
        }
        long seq = firstSeq;
        for (int i = 0; i < changes; i++) {
            ReportOp.Bind b = NvaDomain.bind(REPORTER, 0, (tsis - 1 - i) % tsis, 1_000_000 + i);
            ResourceKey k = ResourceKey.mapping(b.instance().vnId(), b.instance().vsi(), b.instance().nve(),
                    b.instance().port());
            pending.put(k, new long[] {System.nanoTime(), 0});
            NvaDomain.check(nva.report(REPORTER, new Report(seq++, List.of(b))));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (pending.containsKey(k) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            Thread.sleep(5);
        }
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        List<Long> sorted = new ArrayList<>(lat);
        sorted.sort(null);
        System.out.println("# fan-out: one change, until every replica holds it (from report sent)");
        System.out.println("# watchers  changes  all held  p50 ms  p90 ms  p99 ms  max ms");
        System.out.printf("%10d %8d %9d %7.2f %7.2f %7.2f %7.2f%n", watchers, changes, sorted.size(),
                NvaDomain.pct(sorted, 0.5), NvaDomain.pct(sorted, 0.9), NvaDomain.pct(sorted, 0.99),
                NvaDomain.pct(sorted, 1.0));
    }
}
