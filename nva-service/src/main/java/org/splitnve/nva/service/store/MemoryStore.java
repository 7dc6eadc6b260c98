package org.splitnve.nva.service.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.ChangeEvent;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.ResourceKey;

/**
 * A store in memory: what a process restart loses. For tests of the NVA's logic, and for an NVA whose durability
 * comes from elsewhere. Keeps the same contract as a durable store within one process (a new
 * {@code RevisionedNva} on the same MemoryStore sees every commit), and can be told to fail (a full disk).
 */
public final class MemoryStore implements Store {
    private final String historyId = UUID.randomUUID().toString();
    private final Map<ResourceKey, Resource> resources = new LinkedHashMap<>();
    private final List<Change> log = new ArrayList<>();
    private final Map<NveId, List<Receipt>> receipts = new HashMap<>();
    private long revision;
    private long compactedThrough;
    private boolean failing;
    private long commits;

    @Override
    public synchronized Loaded load() {
        Map<NveId, List<Receipt>> r = new HashMap<>();
        receipts.forEach((k, v) -> r.put(k, List.copyOf(v)));
        return new Loaded(historyId, revision, List.copyOf(resources.values()), log, compactedThrough, r);
    }

    @Override
    public synchronized void commit(Batch batch) {
        if (failing) {
            throw new StoreException("the store is failing (as asked)");
        }
        for (Change c : batch.changes()) {
            if (c.revision() != revision + 1) {
                throw new StoreException("revision " + c.revision() + " does not follow " + revision);
            }
            for (ChangeEvent e : c.events()) {
                switch (e) {
                    case ChangeEvent.Put p -> resources.put(p.key(), p.resource());
                    case ChangeEvent.Removed r -> resources.remove(r.key());
                    case ChangeEvent.Withdrawal w -> {
                    }
                }
            }
            log.add(c);
            revision = c.revision();
        }
        batch.receipts().forEach((nve, r) -> {
            List<Receipt> l = receipts.computeIfAbsent(nve, k -> new ArrayList<>());
            l.add(r);
            if (l.size() > Report.WINDOW) {
                l.removeFirst();
            }
        });
        if (batch.compactThrough() > compactedThrough) {
            compactedThrough = batch.compactThrough();
            log.removeIf(c -> c.revision() <= compactedThrough);
        }
        commits++;
    }

    /** From now on every commit fails (true) or works (false). */
    public synchronized void failing(boolean fail) {
        this.failing = fail;
    }

    public synchronized long commits() {
        return commits;
    }

    @Override
    public void close() {
    }
}
