package org.splitnve.bench;

import java.util.List;
import org.splitnve.bench.NnveDriver.Phase;
import org.splitnve.nnve.TsiState;

/**
 * Heap held by the nNVE engine for N activated TSIs (issue 3 target: 1,000,000 in at most 1 GiB).
 * Run with {@code -Xmx1g} to prove the bound: {@code java -Xmx1g -cp bench/target/benchmarks.jar
 * org.splitnve.bench.NnveMemory 1000000}.
 */
public final class NnveMemory {
    private NnveMemory() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        long before = used();
        NnveDriver d = new NnveDriver(n);
        long start = System.nanoTime();
        int chunk = 30_000;
        for (int from = 0; from < n; from += chunk) {
            for (byte[] f : NnveDriver.frames(from, Math.min(chunk, n - from), Phase.ACTIVATE_FROM_INIT)) {
                d.feed(f);
            }
        }
        long seconds = System.nanoTime() - start;
        long activated = d.engine().tsisIn(TsiState.ACTIVATED);
        if (activated != n) {
            throw new IllegalStateException(activated + " TSIs activated, expected " + n);
        }
        long after = used();
        long bytes = after - before;
        System.out.printf("activated TSIs: %,d%n", activated);
        System.out.printf("engine heap: %,d bytes (%.1f MiB), %.0f bytes per TSI%n", bytes, bytes / 1048576.0,
                (double) bytes / n);
        System.out.printf("max heap (-Xmx): %.0f MiB%n", Runtime.getRuntime().maxMemory() / 1048576.0);
        System.out.printf("fill time: %.2f s (%,.0f activations/s, frames encoded and decoded included)%n",
                seconds / 1e9, n / (seconds / 1e9));
        System.out.println(List.of(d.engine().tsis().size()).getFirst() == n ? "ok" : "mismatch");
    }

    private static long used() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
