package org.splitnve.bench.nva;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.Options;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.store.SqliteStore;
import org.splitnve.protocol.event.EventSink;

/**
 * NVA-2, NVA-3 (BENCHMARKS.md, "Concurrent reporters"): N nNVEs, each on its own thread, send reports of B
 * activations to one NVA on SQLite FULL, each waiting for its receipt (durable) before the next. Prints mapping
 * changes acknowledged per second in all, the report latency, and how many store commits (fsyncs) that took.
 *
 * <p>Usage: {@code NvaReportersBench [seconds, default 5] [reporters, default 8] [batch sizes, default 1,10,100]
 * [directory]}
 */
public final class NvaReportersBench {
    private NvaReportersBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int reporters = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        List<String> sizes = List.of((args.length > 2 ? args[2] : "1,10,100").split(",", -1));
        Path root = Files.createDirectories(args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("nva-reporters-bench"));
        System.out.printf("# NvaReportersBench: %d reporters, %.1f s per run, SQLite WAL FULL in %s (%s)%n", reporters,
                seconds, root, Files.getFileStore(root).type());
        System.out.println("# batch  reporters  reports  changes/s  report p50 ms  p99 ms  commits  reports/commit");
        for (String s : sizes) {
            run(Integer.parseInt(s.trim()), reporters, seconds, Files.createDirectories(root.resolve("b" + s.trim())));
        }
        delete(root);
    }

    static void run(int batch, int reporters, double seconds, Path dir) throws Exception {
        AtomicLong committedChanges = new AtomicLong();
        AtomicLong groups = new AtomicLong();
        EventSink count = e -> {
            switch (e.name()) {
                case "nva.committed" -> committedChanges.incrementAndGet();
                case "nva.group_committed" -> groups.incrementAndGet();
                default -> {
                }
            }
        };
        try (RevisionedNva nva = RevisionedNva.open(SqliteStore.open(dir.resolve("nva.db")), Options.DEFAULT,
                NvaDomain.CLOCK, count)) {
            NvaDomain.vn(nva);
            List<NveId> nves = new ArrayList<>();
            for (int i = 0; i < reporters; i++) {
                NveId nve = NveId.of("reporter-" + i);
                NvaDomain.register(nva, nve, i);
                nves.add(nve);
            }
            long startGroups = groups.get();
            long warm = System.nanoTime() + (long) (seconds * 0.2e9);
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            List<Long> lat = Collections.synchronizedList(new ArrayList<>());
            AtomicLong changes = new AtomicLong();
            AtomicLong reports = new AtomicLong();
            AtomicLong firstCommits = new AtomicLong(-1);
            AtomicLong firstGroups = new AtomicLong(-1);
            CountDownLatch done = new CountDownLatch(reporters);
            for (int i = 0; i < reporters; i++) {
                NveId nve = nves.get(i);
                int space = i;
                Thread.ofPlatform().name(nve.name()).start(() -> {
                    try {
                        List<Long> mine = new ArrayList<>();
                        long seq = 2;
                        int tsi = 0;
                        while (true) {
                            long t0 = System.nanoTime();
                            if (t0 > deadline) {
                                break;
                            }
                            List<ReportOp> ops = new ArrayList<>(batch);
                            for (int k = 0; k < batch; k++) {
                                ops.add(NvaDomain.bind(nve, space, tsi++ % 200_000, seq));
                            }
                            NvaDomain.check(nva.report(nve, new Report(seq++, ops)));
                            long t1 = System.nanoTime();
                            if (t0 >= warm) {
                                firstCommits.compareAndSet(-1, committedChanges.get());
                                firstGroups.compareAndSet(-1, groups.get());
                                mine.add(t1 - t0);
                                changes.addAndGet(batch);
                                reports.incrementAndGet();
                            }
                        }
                        lat.addAll(mine);
                    } finally {
                        done.countDown();
                    }
                });
            }
            done.await();
            double secs = seconds * 0.8;
            long c = groups.get() > startGroups ? groups.get() - firstGroups.get()
                    : committedChanges.get() - firstCommits.get(); // before group commit: one commit per change
            List<Long> sorted = new ArrayList<>(lat);
            sorted.sort(null);
            System.out.printf("%7d %10d %8d %10.0f %14.2f %7.2f %8d %15.1f%n", batch, reporters, reports.get(),
                    changes.get() / secs, NvaDomain.pct(sorted, 0.5), NvaDomain.pct(sorted, 0.99), c,
                    c == 0 ? 0 : (double) reports.get() / c);
        }
    }

    private static void delete(Path dir) throws java.io.IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
