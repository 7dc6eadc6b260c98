package org.splitnve.nva.service.client;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.splitnve.nva.LocalTag;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.service.ReportOp;

/**
 * What an nNVE has to tell the NVA and has not cut into a report yet (docs/nva-protocol.md section 5.1), coalesced:
 * per instance the last {@code bind} or {@code unbind}, per tag the last record or release, the last {@code serve}.
 * A burst of changes to one TSI costs one operation, and what queued while the nNVE was cut off goes as only what
 * changed (NVA-5). Operations leave in the order of their last change ({@code serve} first), so the NVA sees the
 * nNVE's states in an order the nNVE went through.
 *
 * <p>Thread-safe: the engine thread puts (never waiting on the network), the NVA client's thread takes.
 */
public final class ReportQueue {
    /** The coalescing key of an operation: the instance, the tag, or the one {@code serve}. */
    private sealed interface Key {
    }

    private record InstanceKey(TsiInstance instance) implements Key {
    }

    private record TagKey(NveId nve, int scope, int tag) implements Key {
    }

    private record ServeKey() implements Key {
    }

    private final LinkedHashMap<Key, ReportOp> pending = new LinkedHashMap<>();
    private ReportOp serve;
    private long queued;
    private long coalesced;
    private Runnable wakeup = () -> { };

    private static Key key(ReportOp op) {
        return switch (op) {
            case ReportOp.Bind b -> new InstanceKey(b.instance());
            case ReportOp.Unbind u -> new InstanceKey(u.instance());
            case ReportOp.MovePort m -> new InstanceKey(m.from());
            case ReportOp.RecordTag t -> tagKey(t.tag());
            case ReportOp.ReleaseTag t -> tagKey(t.tag());
            case ReportOp.Serve s -> new ServeKey();
        };
    }

    private static Key tagKey(LocalTag t) {
        return new TagKey(t.nve(), t.portScope(), t.tag());
    }

    /** Who to wake when something is queued (the client's sender). */
    public synchronized void onQueued(Runnable wakeup) {
        this.wakeup = wakeup;
    }

    /** Queues an operation; an earlier one not yet taken for the same key is replaced (it never leaves). */
    public void put(ReportOp op) {
        Runnable w;
        synchronized (this) {
            queued++;
            if (op instanceof ReportOp.Serve) {
                if (serve != null) {
                    coalesced++;
                }
                serve = op;
            } else {
                Key k = key(op);
                if (pending.remove(k) != null) {
                    coalesced++;
                }
                pending.put(k, op);
            }
            w = wakeup;
        }
        w.run();
    }

    /** Whether an operation for the same instance or tag as {@code op} waits, newer than a report already cut. */
    public synchronized boolean supersedes(ReportOp op) {
        return op instanceof ReportOp.Serve ? serve != null : pending.containsKey(key(op));
    }

    /** Takes up to {@code max} operations, {@code serve} first, then in the order of their last change. */
    public synchronized List<ReportOp> take(int max) {
        List<ReportOp> out = new ArrayList<>(Math.min(max, size()));
        if (serve != null && max > 0) {
            out.add(serve);
            serve = null;
        }
        Iterator<Map.Entry<Key, ReportOp>> it = pending.entrySet().iterator();
        while (out.size() < max && it.hasNext()) {
            out.add(it.next().getValue());
            it.remove();
        }
        return out;
    }

    public synchronized int size() {
        return pending.size() + (serve == null ? 0 : 1);
    }

    /** Operations put since the start. */
    public synchronized long queued() {
        return queued;
    }

    /** Operations replaced by a later one for the same key before they left (never sent). */
    public synchronized long coalesced() {
        return coalesced;
    }
}
