package org.splitnve.tnve;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Completes one future when {@code n} results are in: OK, or the first failure. */
final class Combine implements Consumer<OpResult> {
    final CompletableFuture<OpResult> future = new CompletableFuture<>();
    private int left;
    private OpResult first;

    Combine(int n) {
        left = n;
        if (n == 0) {
            future.complete(OpResult.OK);
        }
    }

    @Override
    public void accept(OpResult r) {
        if (!r.ok() && first == null) {
            first = r;
        }
        if (--left == 0) {
            future.complete(first == null ? OpResult.OK : first);
        }
    }
}
