package org.splitnve.nva.service.store;

import java.util.List;
import java.util.Map;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Resource;

/**
 * What a store holds.
 *
 * @param historyId        names this store's history of revisions (a random UUID made when the store was created):
 *                         a revision means something only within one history (docs/nva-protocol.md section 4.3)
 * @param revision         the revision of the last committed change (0: none yet)
 * @param resources        the state at {@code revision}
 * @param log              the retained changes, in revision order, ending at {@code revision} (or empty)
 * @param compactedThrough the newest revision no longer in the log (a watch must resume from it or later)
 * @param receipts         per nNVE, the receipts of its last reports (at most {@code Report.WINDOW}), oldest first
 */
public record Loaded(String historyId, long revision, List<Resource> resources, List<Change> log,
        long compactedThrough, Map<NveId, List<Receipt>> receipts) {
    public Loaded {
        resources = List.copyOf(resources);
        log = List.copyOf(log);
        Map<NveId, List<Receipt>> r = new java.util.HashMap<>();
        receipts.forEach((k, v) -> r.put(k, List.copyOf(v)));
        receipts = Map.copyOf(r);
    }
}
