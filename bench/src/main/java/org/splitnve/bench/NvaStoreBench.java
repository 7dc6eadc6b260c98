package org.splitnve.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.splitnve.bench.nva.MvStoreCandidate;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.ChangeEvent;
import org.splitnve.nva.service.MappingEntry;
import org.splitnve.nva.service.Options;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.store.Batch;
import org.splitnve.nva.service.store.Loaded;
import org.splitnve.nva.service.store.SqliteStore;
import org.splitnve.nva.service.store.Store;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * NVA-2: the NVA's write pattern on the embedded store candidates (BENCHMARKS.md, "The NVA's store"). Each batch
 * of mapping changes is one {@link Batch} (one revision, its receipt), acknowledged when {@code commit} returns,
 * i.e. when it is durable. Reports mapping changes acknowledged per second per batch size, the latency of one
 * commit, and the time to reopen a store of N entries (open and load; then an NVA on it, indexes built).
 *
 * <p>Usage: {@code NvaStoreBench [seconds per run, default 5] [entries to reopen, default 100000]
 * [directory, default a new one under java.io.tmpdir]}
 */
public final class NvaStoreBench {
    private static final NveId NVE = NveId.of("bench");
    private static final int VN = 9000;
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-12-01T00:00:00Z"));

    private record Candidate(String name, Function<Path, Store> open, String file) {
    }

    private static final List<Candidate> CANDIDATES = List.of(
            new Candidate("sqlite-wal-full", p -> SqliteStore.open(p, SqliteStore.Durability.FULL), "nva.db"),
            new Candidate("sqlite-wal-normal", p -> SqliteStore.open(p, SqliteStore.Durability.NORMAL), "nva.db"),
            new Candidate("h2-mvstore-sync", MvStoreCandidate::new, "nva.mv.db"));

    private NvaStoreBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        int entries = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        Path root = args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("nva-store-bench");
        System.out.printf("# NvaStoreBench: %.1f s per run, reopen with %,d entries, in %s (%s)%n", seconds, entries,
                root, Files.getFileStore(root).type());
        System.out.println("# store                batch  commits  changes/s  commit p50 ms  p99 ms");
        int[] batches = {1, 10, 100, 1000};
        for (Candidate c : CANDIDATES) {
            for (int b : batches) {
                Path dir = Files.createDirectories(root.resolve(c.name + "-" + b));
                try (Store s = c.open.apply(dir.resolve(c.file))) {
                    writes(c.name, s, b, seconds);
                }
                delete(dir);
            }
        }
        System.out.println();
        for (Candidate c : CANDIDATES) { // warm-up: the decoder and the NVA's indexes compiled for every candidate
            Path dir = Files.createDirectories(root.resolve(c.name + "-warm"));
            try (Store s = c.open.apply(dir.resolve(c.file))) {
                fill(s, entries / 5);
            }
            for (int i = 0; i < 3; i++) {
                try (RevisionedNva nva = RevisionedNva.open(c.open.apply(dir.resolve(c.file)), Options.DEFAULT, CLOCK,
                        EventSink.NONE)) {
                    nva.revision();
                }
            }
            delete(dir);
        }
        System.out.println("# store                entries  file MB  open+load ms  NVA open ms   (best of 3)");
        for (Candidate c : CANDIDATES) {
            Path dir = Files.createDirectories(root.resolve(c.name + "-reopen"));
            Path file = dir.resolve(c.file);
            try (Store s = c.open.apply(file)) {
                fill(s, entries);
            }
            reopen(c, file, entries);
            delete(dir);
        }
        System.out.println();
        System.out.println("# through the NVA (RevisionedNva.report: checks, indexes, log, commit), SQLite FULL");
        System.out.println("# store                batch  reports  changes/s  report p50 ms  p99 ms");
        for (int b : new int[] {100, 1000}) {
            Path dir = Files.createDirectories(root.resolve("nva-" + b));
            nvaReports("nva+sqlite-wal-full", SqliteStore.open(dir.resolve("nva.db")), b, seconds);
            delete(dir);
        }
        delete(root);
    }

    /** Batches of {@code b} mapping entries (new ones, then the same TSIs again), each committed durably. */
    static void writes(String name, Store s, int b, double seconds) {
        Loaded l = s.load();
        long rev = l.revision();
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long warm = System.nanoTime() + (long) (seconds * 0.2e9);
        List<Long> lat = new ArrayList<>();
        long changes = 0;
        long start = 0;
        int seq = 0;
        while (true) {
            long t0 = System.nanoTime();
            if (t0 > deadline) {
                break;
            }
            List<ChangeEvent> ev = new ArrayList<>(b);
            for (int i = 0; i < b; i++) {
                ev.add(new ChangeEvent.Put(new Resource.Mapping(entry((int) ((rev * b + i) % 200_000), rev))));
            }
            rev++;
            seq++;
            Change c = new Change(rev, NVE.name(), ev);
            s.commit(new Batch(List.of(c), Map.of(NVE, new Receipt(seq, rev, List.of(), Receipt.Status.APPLIED,
                    null, "")), Math.max(0, rev - 1000)));
            long t1 = System.nanoTime();
            if (t0 >= warm) {
                if (start == 0) {
                    start = t0;
                }
                lat.add(t1 - t0);
                changes += b;
            }
        }
        double secs = (System.nanoTime() - start) / 1e9;
        lat.sort(null);
        System.out.printf("%-22s %5d %8d %10.0f %14.2f %7.2f%n", name, b, lat.size(), changes / secs,
                pct(lat, 0.50), pct(lat, 0.99));
    }

    private static void fill(Store s, int entries) {
        long rev = s.load().revision();
        for (int done = 0; done < entries; ) {
            int n = Math.min(1000, entries - done);
            List<ChangeEvent> ev = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ev.add(new ChangeEvent.Put(new Resource.Mapping(entry(done + i, 1))));
            }
            done += n;
            rev++;
            s.commit(new Batch(List.of(new Change(rev, NVE.name(), ev)), Map.of(), Math.max(0, rev - 100)));
        }
    }

    private static void reopen(Candidate c, Path file, int entries) throws IOException {
        long best = Long.MAX_VALUE;
        long bestNva = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            try (Store s = c.open.apply(file)) {
                Loaded l = s.load();
                long t1 = System.nanoTime();
                if (l.resources().size() != entries) {
                    throw new IllegalStateException(c.name + " reopened " + l.resources().size() + " entries, not "
                            + entries);
                }
                best = Math.min(best, t1 - t0);
            }
            long t2 = System.nanoTime();
            try (RevisionedNva nva = RevisionedNva.open(c.open.apply(file), Options.DEFAULT, CLOCK, EventSink.NONE)) {
                bestNva = Math.min(bestNva, System.nanoTime() - t2);
                if (nva.revision() == 0) {
                    throw new IllegalStateException("empty");
                }
            }
        }
        long bytes;
        try (Stream<Path> files = Files.list(file.getParent())) {
            bytes = files.mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("%-22s %7d %8.1f %13.0f %12.0f%n", c.name, entries, bytes / 1e6, best / 1e6, bestNva / 1e6);
    }

    /** Through the whole NVA: reports of {@code b} activations, each answered once durable. */
    static void nvaReports(String label, Store store, int b, double seconds) throws UnknownHostException {
        try (RevisionedNva nva = RevisionedNva.open(store, Options.DEFAULT, CLOCK, EventSink.NONE)) {
            nva.addVn(VnRecord.of(UUID.nameUUIDFromBytes("bench".getBytes(java.nio.charset.StandardCharsets.UTF_8)), VN, "bench", 900, VnService.L2))
                    .decision().orElseThrow();
            nva.permitTsi(TsiRule.anyOn(VN)).decision().orElseThrow();
            nva.registerNve(NVE, InetAddress.getByName("192.0.2.99")).decision().orElseThrow();
            nva.report(NVE, Report.of(1, new ReportOp.Serve(Set.of(VN))));
            long deadline = System.nanoTime() + (long) (seconds * 1e9);
            long warm = System.nanoTime() + (long) (seconds * 0.2e9);
            List<Long> lat = new ArrayList<>();
            long changes = 0;
            long start = 0;
            for (long seq = 2; System.nanoTime() < deadline; seq++) {
                List<ReportOp> ops = new ArrayList<>(b);
                for (int i = 0; i < b; i++) {
                    MappingEntry e = entry((int) (((seq - 2) * b + i) % 200_000), seq);
                    ops.add(new ReportOp.Bind(e.instance(), EntryState.FORWARDING, e.addresses(), List.of(), seq,
                            false));
                }
                long t0 = System.nanoTime();
                Receipt r = nva.report(NVE, new Report(seq, ops));
                long t1 = System.nanoTime();
                if (r.status() != Receipt.Status.APPLIED) {
                    throw new IllegalStateException(r.toString());
                }
                if (t0 >= warm) {
                    if (start == 0) {
                        start = t0;
                    }
                    lat.add(t1 - t0);
                    changes += b;
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            lat.sort(null);
            System.out.printf("%-22s %5d %8d %10.0f %14.2f %7.2f%n", label, b, lat.size(),
                    changes / secs, pct(lat, 0.50), pct(lat, 0.99));
        }
    }

    /** TSI {@code n}: a MAC and an IPv4 address bound to it, activated at the bench nNVE. */
    static MappingEntry entry(int n, long seq) {
        MacAddress mac = new MacAddress(0x5254_0900_0000L + n);
        TsiAddress ip;
        try {
            ip = TsiAddress.host(InetAddress.getByAddress(new byte[] {10, (byte) (n >>> 16), (byte) (n >>> 8),
                    (byte) n}), mac);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        TsiInstance in = new TsiInstance(VsiId.uuid(new UUID(0x9000L, n)), NVE, 1 + n % 48, VN);
        return new MappingEntry(in, EntryState.FORWARDING, List.of(TsiAddress.mac(mac), ip), List.of(), List.of(),
                seq & 0xFFFF_FFFFL, CLOCK.instant());
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, p * sorted.size())) / 1e6;
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
