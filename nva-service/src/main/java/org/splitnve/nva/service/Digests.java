package org.splitnve.nva.service;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.splitnve.nva.NveId;

/**
 * The NVA's anti-entropy digests (docs/nva-protocol.md section 12; docs/nva.md section 5), kept up to date change
 * by change. An interest is a union of buckets: the NVE registry, an nNVE's own domain-wide resources (its
 * end-device rules), and one bucket per VN (everything {@link Interest#covers} by VN). Each bucket keeps its
 * {@link Digest} after each revision that touched it, back to the change log's start: the digest of an interest at
 * any revision a watcher may hold is the sum of a few floor look-ups, however large the VNs are.
 *
 * <p>Also the digest of each nNVE's own entries (mapping entries and local tags), at the newest revision only.
 * Not thread-safe: its NVA calls it under its lock, with durable changes only.
 */
final class Digests {
    /** One part of an interest. {@code vn} set: a VN; else {@code nve} set: its own; neither: the registry. */
    private record Bucket(Integer vn, NveId nve) {
    }

    private static final Bucket REGISTRY = new Bucket(null, null);

    /** A bucket's digest now and after each revision that touched it, oldest first. */
    private static final class Acc {
        Digest now = Digest.EMPTY;
        final TreeMap<Long, Digest> history = new TreeMap<>();
    }

    /** One write of a change: the value before (null: absent) and after (null: removed). */
    record Write(ResourceKey key, Resource prev, Resource next) {
    }

    private final Map<Bucket, Acc> buckets = new HashMap<>();
    private final Map<NveId, Digest> own = new HashMap<>();
    /** The revision digests are known from: the state loaded at open (or a shared store's reload). */
    private long from;

    /** Everything again: the state at {@code revision} (the NVA's open, a reload). */
    void reset(Collection<Resource> all, long revision) {
        buckets.clear();
        own.clear();
        from = revision;
        for (Resource r : all) {
            Bucket b = bucket(r);
            long h = b == null && !(r instanceof Resource.Mapping || r instanceof Resource.Tag) ? 0 : Digest.hash(r);
            if (b != null) {
                Acc a = buckets.computeIfAbsent(b, k -> new Acc());
                a.now = a.now.plus(h);
            }
            if (r.nve() != null && Digest.isOwn(r.nve(), r)) {
                own.merge(r.nve(), Digest.EMPTY.plus(h), Digest::plus);
            }
        }
        for (Acc a : buckets.values()) {
            a.history.put(revision, a.now);
        }
    }

    /**
     * A durable change at {@code revision}: its writes in the order they were made. {@code keepFrom} is the
     * change log's start: a bucket's history before it is forgotten (its floor entry kept).
     */
    void changed(long revision, List<Write> writes, long keepFrom) {
        Set<Bucket> touched = new HashSet<>();
        for (Write w : writes) {
            if (w.prev() != null) {
                account(w.prev(), -1, touched);
            }
            if (w.next() != null) {
                account(w.next(), +1, touched);
            }
        }
        long keep = Math.max(keepFrom, from);
        for (Bucket b : touched) {
            Acc a = buckets.get(b);
            a.history.put(revision, a.now);
            while (a.history.size() > 1) {
                Long second = a.history.higherKey(a.history.firstKey());
                if (second == null || second > keep) {
                    break;
                }
                a.history.pollFirstEntry();
            }
        }
    }

    private void account(Resource r, int sign, Set<Bucket> touched) {
        Bucket b = bucket(r);
        boolean mine = r.nve() != null && Digest.isOwn(r.nve(), r);
        if (b == null && !mine) {
            return;
        }
        long h = Digest.hash(r);
        if (b != null) {
            Acc a = buckets.computeIfAbsent(b, k -> new Acc());
            a.now = sign > 0 ? a.now.plus(h) : a.now.minus(h);
            touched.add(b);
        }
        if (mine) {
            Digest d = own.getOrDefault(r.nve(), Digest.EMPTY);
            own.put(r.nve(), sign > 0 ? d.plus(h) : d.minus(h));
        }
    }

    /** The bucket a resource counts in, as {@link Interest#covers} decides; null for credentials (in none). */
    private static Bucket bucket(Resource r) {
        if (r instanceof Resource.Credential) {
            return null;
        }
        if (r instanceof Resource.Nve) {
            return REGISTRY;
        }
        if (r.vnId() != null) {
            return new Bucket(r.vnId(), null);
        }
        return r.nve() == null ? REGISTRY : new Bucket(null, r.nve());
    }

    /**
     * The digest of an interest at {@code revision}, or null when it is no longer known: older than the change
     * log's start ({@code keptFrom}) or than the state this NVA started from.
     */
    Digest at(Interest interest, long revision, long keptFrom) {
        if (revision < Math.max(from, keptFrom)) {
            return null;
        }
        Digest d = Digest.EMPTY;
        if (interest.everything()) {
            for (Acc a : buckets.values()) {
                d = d.plus(floor(a, revision));
            }
            return d;
        }
        d = d.plus(floor(buckets.get(REGISTRY), revision));
        d = d.plus(floor(buckets.get(new Bucket(null, interest.nve())), revision));
        for (Integer vn : interest.vns()) {
            d = d.plus(floor(buckets.get(new Bucket(vn, null)), revision));
        }
        return d;
    }

    private static Digest floor(Acc a, long revision) {
        if (a == null) {
            return Digest.EMPTY;
        }
        Map.Entry<Long, Digest> e = a.history.floorEntry(revision);
        return e == null ? Digest.EMPTY : e.getValue(); // no entry yet: the bucket was empty then
    }

    /** The digest of an nNVE's own mapping entries and local tags, now. */
    Digest own(NveId nve) {
        return own.getOrDefault(nve, Digest.EMPTY);
    }
}
