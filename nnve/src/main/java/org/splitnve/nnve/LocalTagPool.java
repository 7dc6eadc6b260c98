package org.splitnve.nnve;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The local tags (802.1Q VIDs) of one port scope (RFC 8394 REQ-7, SM-VAP-3): one tag per VN,
 * shared by every end device behind the ports of the scope; a tag bound to a VN is never given to
 * another; tags return to the pool when the VN disconnects and are reused. The pool is a set of
 * VIDs, by default all 4094 usable ones (1-4094; 0 is the null VID, 4095 reserved). VID 1 is handed
 * out last: it is the default VLAN of many switches, and lldpad refuses it.
 */
public final class LocalTagPool {
    public enum Outcome {
        OK,
        /** The tag is bound to another VN of the scope (VDP reason 5). */
        IN_USE,
        /** The tag is not in this scope's pool (VDP reason 5). */
        NOT_IN_POOL,
        /** No free tag is left (VDP reason 2). */
        EXHAUSTED
    }

    private final BitSet pool;
    private final BitSet used = new BitSet(4096);
    private final Map<Integer, VnKey> byTag = new HashMap<>();

    /** A pool of the VIDs {@code first..last}. */
    public LocalTagPool(int first, int last) {
        this(range(first, last));
    }

    public LocalTagPool(BitSet vids) {
        if (vids.isEmpty() || vids.get(0) || vids.length() > 4095) {
            throw new IllegalArgumentException("a tag pool holds VIDs 1..4094");
        }
        this.pool = (BitSet) vids.clone();
    }

    public static BitSet range(int first, int last) {
        if (first < 1 || last > 4094 || first > last) {
            throw new IllegalArgumentException("tag range must lie in 1..4094: " + first + ".." + last);
        }
        BitSet b = new BitSet(4096);
        b.set(first, last + 1);
        return b;
    }

    public int size() {
        return pool.cardinality();
    }

    public int free() {
        return pool.cardinality() - used.cardinality();
    }

    public boolean contains(int vid) {
        return vid > 0 && vid < 4095 && pool.get(vid);
    }

    /** The VN a tag is bound to, or null. */
    public VnKey owner(int vid) {
        return byTag.get(vid);
    }

    /** Binds the lowest free tag (VID 1 last) to {@code vn}; returns it, or -1 when the pool is exhausted. */
    public int allocate(VnKey vn) {
        int vid = pool.nextSetBit(2);
        while (vid >= 0 && used.get(vid)) {
            vid = pool.nextSetBit(vid + 1);
        }
        if (vid < 0) {
            vid = pool.get(1) && !used.get(1) ? 1 : -1;
        }
        if (vid < 0) {
            return -1;
        }
        used.set(vid);
        byTag.put(vid, vn);
        return vid;
    }

    /** Binds a tag the end device asked for. */
    public Outcome reserve(int vid, VnKey vn) {
        if (!contains(vid)) {
            return Outcome.NOT_IN_POOL;
        }
        VnKey owner = byTag.get(vid);
        if (owner != null) {
            return owner.equals(vn) ? Outcome.OK : Outcome.IN_USE;
        }
        used.set(vid);
        byTag.put(vid, vn);
        return Outcome.OK;
    }

    /** Returns a tag to the pool (SM-VAP-3). */
    public void release(int vid) {
        if (byTag.remove(vid) != null) {
            used.clear(vid);
        }
    }
}
