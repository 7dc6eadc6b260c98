package org.splitnve.nva.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.splitnve.nva.service.store.Batch;
import org.splitnve.nva.service.store.Loaded;
import org.splitnve.nva.service.store.MemoryStore;
import org.splitnve.nva.service.store.Store;
import org.splitnve.nva.service.store.StoreException;

/**
 * A {@link MemoryStore} whose next commits can be held at the door (a slow fsync, made to order) and then let
 * through or failed (a full disk). Records every batch it committed.
 */
final class GatedStore implements Store {
    final MemoryStore inner = new MemoryStore();
    private final List<Batch> batches = new ArrayList<>();
    private int toHold;
    private int held;
    private int arrived;
    private final List<Boolean> verdicts = new ArrayList<>();

    @Override
    public Loaded load() {
        return inner.load();
    }

    @Override
    public void commit(Batch batch) {
        synchronized (this) {
            if (toHold > 0) {
                toHold--;
                held++;
                arrived++;
                notifyAll();
                while (verdicts.isEmpty()) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new StoreException("interrupted");
                    }
                }
                held--;
                if (verdicts.removeFirst()) {
                    throw new StoreException("the disk is full (as the test asked)");
                }
            }
        }
        inner.commit(batch);
        synchronized (this) {
            batches.add(batch);
        }
    }

    /** The next {@code n} commits wait at the door for {@link #release}. */
    synchronized void hold(int n) {
        toHold += n;
    }

    /** Waits (with a deadline) until the {@code n}th commit held since the start is at the door. */
    synchronized void awaitHeld(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (arrived < n || held == 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no commit came to the door in " + timeout);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Lets the held commit through ({@code fail} false) or fails it. */
    synchronized void release(boolean fail) {
        verdicts.add(fail);
        notifyAll();
    }

    synchronized List<Batch> batches() {
        return List.copyOf(batches);
    }

    @Override
    public void close() {
    }
}
