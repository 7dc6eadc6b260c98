package org.splitnve.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.splitnve.nva.etcd.EtcdCluster;
import org.splitnve.nva.etcd.EtcdStore;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.ChangeEvent;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.store.Batch;
import org.splitnve.nva.service.store.Codec;

/**
 * NVA-2 (second half): the NVA's write pattern through a real three-member etcd cluster on loopback
 * (BENCHMARKS.md, "The NVA's store on etcd"). Each batch of mapping changes is one guarded etcd transaction (the
 * resources, the log entry, the revision, the receipt), acknowledged when etcd answers, that is once a majority
 * of the members have it on disk. Then the same through the whole NVA ({@code RevisionedNva.report}), and the
 * bytes one mapping entry costs in etcd.
 *
 * <p>Usage: {@code EtcdStoreBench [seconds per run, default 5] [directory for the members' data, default a new
 * one under /var/tmp]}
 */
public final class EtcdStoreBench {
    private EtcdStoreBench() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
        Path root = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory(Path.of("/var/tmp"), "nva-etcd-bench");
        try (EtcdCluster etcd = EtcdCluster.start(3, root)) {
            System.out.printf("# EtcdStoreBench: %.1f s per run, 3 etcd members on loopback, data in %s (%s)%n",
                    seconds, root, Files.getFileStore(root).type());
            System.out.println("# store                batch  commits  changes/s  commit p50 ms  p99 ms");
            for (int b : new int[] {1, 10, 100, 1000}) {
                try (EtcdStore s = EtcdStore.open(EtcdStore.Settings.of(etcd.endpoints(), "/bench/store-" + b))) {
                    NvaStoreBench.writes("etcd-3", s, b, seconds);
                }
            }
            System.out.println();
            System.out.println("# through the NVA (RevisionedNva.report: checks, indexes, log, guarded commit), etcd");
            System.out.println("# store                batch  reports  changes/s  report p50 ms  p99 ms");
            for (int b : new int[] {10, 100, 1000}) {
                NvaStoreBench.nvaReports("nva+etcd-3", EtcdStore.open(EtcdStore.Settings.of(etcd.endpoints(),
                        "/bench/nva-" + b)), b, seconds);
            }
            System.out.println();
            size(etcd);
        }
    }

    /** What one mapping entry costs in etcd: its key and value, and its change-log copy. */
    private static void size(EtcdCluster etcd) {
        int n = 10_000;
        try (EtcdStore s = EtcdStore.open(EtcdStore.Settings.of(etcd.endpoints(), "/bench/size"))) {
            long keyBytes = 0;
            long valueBytes = 0;
            List<ChangeEvent> ev = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Resource.Mapping m = new Resource.Mapping(NvaStoreBench.entry(i, 1));
                ev.add(new ChangeEvent.Put(m));
                keyBytes += ("/bench/size/r/" + m.key().path()).length();
                valueBytes += Codec.resource(m).length;
            }
            for (int from = 0, rev = 1; from < n; from += 1000, rev++) {
                s.commit(new Batch(List.of(new Change(rev, "bench", ev.subList(from, from + 1000))), Map.of(), 0));
            }
            System.out.printf("# one mapping entry in etcd: key %.0f B, value %.0f B (Codec), the same value again"
                    + " in its change-log entry while the log keeps it%n", (double) keyBytes / n, (double) valueBytes / n);
        }
    }
}
