package org.splitnve.bench.nva;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.ChangeEvent;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.store.Batch;
import org.splitnve.nva.service.store.Codec;
import org.splitnve.nva.service.store.Loaded;
import org.splitnve.nva.service.store.Store;
import org.splitnve.nva.service.store.StoreException;

/**
 * The store NvaStoreBench measures beside SQLite: H2's MVStore (a copy-on-write B-tree in one file), with the same
 * tables as maps and the same {@link Codec} values. A batch is one MVStore version: the maps are changed, then
 * {@code commit()} writes the chunk and {@code sync()} forces it to the disk, before the batch is acknowledged.
 * Not shipped: docs/nva.md says why SQLite was chosen.
 */
public final class MvStoreCandidate implements Store {
    private final MVStore store;
    private final MVMap<String, String> meta;
    private final MVMap<String, byte[]> resources;
    private final MVMap<Long, byte[]> log;
    private final MVMap<String, byte[]> receipts;

    public MvStoreCandidate(Path file) {
        store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
        meta = store.openMap("meta");
        resources = store.openMap("resource");
        log = store.openMap("log");
        receipts = store.openMap("receipt");
        if (meta.putIfAbsent("history", UUID.randomUUID().toString()) == null) {
            meta.put("revision", "0");
            meta.put("compacted", "0");
            store.commit();
            store.sync();
        }
    }

    @Override
    public Loaded load() {
        List<Resource> rs = new ArrayList<>(resources.size());
        for (byte[] v : resources.values()) {
            rs.add(Codec.resource(v));
        }
        List<Change> changes = new ArrayList<>();
        for (byte[] v : log.values()) {
            changes.add(Codec.change(v));
        }
        Map<NveId, List<Receipt>> rc = new HashMap<>();
        for (Map.Entry<String, byte[]> e : receipts.entrySet()) {
            rc.computeIfAbsent(NveId.of(e.getKey().substring(0, e.getKey().indexOf('\u0000'))),
                    k -> new ArrayList<>()).add(Codec.receipt(e.getValue()));
        }
        return new Loaded(meta.get("history"), Long.parseLong(meta.get("revision")), rs, changes,
                Long.parseLong(meta.get("compacted")), rc);
    }

    @Override
    public void commit(Batch batch) {
        try {
            for (Change c : batch.changes()) {
                for (ChangeEvent e : c.events()) {
                    switch (e) {
                        case ChangeEvent.Put p -> resources.put(p.key().path(), Codec.resource(p.resource()));
                        case ChangeEvent.Removed r -> resources.remove(r.key().path());
                        case ChangeEvent.Withdrawal w -> {
                        }
                    }
                }
                log.put(c.revision(), Codec.change(c));
            }
            if (!batch.changes().isEmpty()) {
                meta.put("revision", Long.toString(batch.lastRevision()));
            }
            for (Map.Entry<NveId, Receipt> r : batch.receipts().entrySet()) {
                receipts.put(r.getKey().name() + '\u0000' + String.format("%020d", r.getValue().seq()),
                        Codec.receipt(r.getValue()));
                receipts.remove(r.getKey().name() + '\u0000'
                        + String.format("%020d", r.getValue().seq() - Report.WINDOW));
            }
            if (batch.compactThrough() > 0) {
                for (Long k = log.firstKey(); k != null && k <= batch.compactThrough(); k = log.firstKey()) {
                    log.remove(k);
                }
                meta.put("compacted", Long.toString(batch.compactThrough()));
            }
            store.commit();
            store.sync();
        } catch (RuntimeException e) {
            store.rollback();
            throw new StoreException("MVStore commit failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        store.close();
    }
}
