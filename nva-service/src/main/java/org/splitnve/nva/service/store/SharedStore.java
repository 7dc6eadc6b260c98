package org.splitnve.nva.service.store;

import java.util.List;
import java.util.Map;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.Receipt;

/**
 * A store that several NVA instances write at once (NVA-2's second half: the etcd store; docs/nva.md section 4).
 * Revisions stay the NVA's (1, 2, 3 with no gaps, the same on every instance): the store keeps the last one and
 * guards each commit with it, so two writers never interleave.
 *
 * <p>An NVA on a shared store follows it ({@link #follow}): the changes other instances commit reach its state,
 * its change log and its watchers, in order. When a commit is refused with {@link StoreConflict}, the NVA catches
 * up ({@link #since}) and makes its change again against the new state.
 */
public interface SharedStore extends Store {
    /**
     * Makes the batch durable if, and only if, the store is still at {@code baseRevision} and, for each receipt,
     * its nNVE's last report in the store is the one before it; otherwise throws {@link StoreConflict} and
     * commits nothing.
     */
    void commit(Batch batch, long baseRevision);

    /**
     * The changes committed after {@code revision}, in order, up to a bound (call again from the last one for
     * more), and the store's revision and compaction point. When {@link Tail#compactedThrough} is past
     * {@code revision}, the changes are no longer all kept: the NVA loads everything again.
     */
    Tail since(long revision);

    /** The receipts of an nNVE's last reports as committed by any instance, oldest first. */
    List<Receipt> receipts(NveId nve);

    /**
     * Starts telling {@code follower} about commits (by any instance, this one's too), from the moment of the last
     * {@link #load}. Calls come from the store's own thread, one at a time.
     */
    void follow(Follower follower);

    /** What {@link #since} returns. */
    record Tail(long revision, List<Change> changes, long compactedThrough) {
        public Tail {
            changes = List.copyOf(changes);
        }
    }

    /** The NVA's side of {@link #follow}. */
    interface Follower {
        /** The newest revision the follower has (the store skips decoding what it already has). */
        long revision();

        /**
         * Some instance committed: its changes (consecutive revisions, possibly none), its receipts, and the
         * compaction point it wrote (0: unchanged). A change that does not follow the follower's revision means
         * something was missed: the follower catches up itself.
         */
        void committed(List<Change> changes, Map<NveId, Receipt> receipts, long compactedThrough);

        /** The store may have missed commits (its watch was re-created, compacted, or silent): catch up. */
        void resync(String why);
    }
}
