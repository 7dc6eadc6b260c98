package org.splitnve.nva.service.store;

import java.util.List;
import java.util.Map;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.Receipt;

/**
 * One durable step: changes in revision order (each puts or removes resources and is kept in the change log),
 * the receipts of the reports they answer (a store keeps the last {@code Report.WINDOW} per nNVE: report
 * idempotency survives a restart, NVA-3), and how far the change log is compacted.
 *
 * @param changes        consecutive revisions, following the store's; may be empty (a report that changed nothing
 *                       still has its receipt made durable)
 * @param compactThrough changes up to this revision leave the stored log (0: none)
 */
public record Batch(List<Change> changes, Map<NveId, Receipt> receipts, long compactThrough) {
    public Batch {
        changes = List.copyOf(changes);
        receipts = Map.copyOf(receipts);
        for (int i = 1; i < changes.size(); i++) {
            if (changes.get(i).revision() != changes.get(i - 1).revision() + 1) {
                throw new IllegalArgumentException("a batch holds consecutive revisions");
            }
        }
    }

    /** The revision the store is at after the batch, or -1 if the batch has no change. */
    public long lastRevision() {
        return changes.isEmpty() ? -1 : changes.getLast().revision();
    }
}
