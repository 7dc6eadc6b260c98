package org.splitnve.dataplane;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nNVE's desired flows, kept from one model to the next and recomputed per VN (issue 11: incremental processing,
 * as ovn-controller's). {@link #update(Collection, Collection)} takes the slices of the VNs whose part of the model may
 * have changed ({@link Pipeline.VnSlice}) and the VNs gone, recomputes the flows of the slices that did change only
 * ({@link Pipeline#vnFlows}), and answers the difference from the previous table with an immutable {@link Table} of
 * the whole, so that the switch agent sends only that difference ({@link SwitchAgent#desire(java.util.function.Supplier,
 * Collection, Collection)}). Work per update: the VNs handed over, never the whole table. {@link #update(DataplaneState)}
 * does the same for a whole model (every VN handed over). The whole table is always {@code Pipeline.flows} of the model
 * (FlowTableTest). One thread.
 */
public final class FlowTable {
    /**
     * The desired table after an update, as immutable parts (the defaults, then each VN's flows): making it costs a
     * copy of the map of VNs, not of the flows; {@link #all} lists them when someone needs the whole (the switch agent
     * after a reconnection, {@code show flows}).
     */
    public static final class Table {
        private final List<Flow> defaults;
        private final List<List<Flow>> vns;
        private final int size;
        /** {@link #all}, once made (any thread: a race makes it twice, equal). */
        private volatile List<Flow> all;

        private Table(List<Flow> defaults, List<List<Flow>> vns, int size) {
            this.defaults = defaults;
            this.vns = vns;
            this.size = size;
        }

        /** Every flow: the defaults, then each VN's, in the order the VNs came. */
        public List<Flow> all() {
            List<Flow> made = all;
            if (made == null) {
                List<Flow> out = new ArrayList<>(size);
                out.addAll(defaults);
                for (List<Flow> v : vns) {
                    out.addAll(v);
                }
                made = List.copyOf(out);
                all = made;
            }
            return made;
        }

        /** How many flows {@link #all} lists. */
        public int size() {
            return size;
        }
    }

    /** The table now, and what changed since the previous update: flows to add or replace, keys to delete. */
    public record Delta(Table table, List<Flow> upserts, List<FlowKey> removals, int vnsRecomputed) {
        /** The whole table ({@link Table#all}). */
        public List<Flow> all() {
            return table.all();
        }

        /** Whether the switch must change at all. */
        public boolean empty() {
            return upserts.isEmpty() && removals.isEmpty();
        }
    }

    private final List<Flow> defaults = List.copyOf(Pipeline.defaults());
    private final Map<String, Pipeline.VnSlice> slices = new HashMap<>();
    private final Map<String, List<Flow>> byVn = new LinkedHashMap<>();
    private int size = defaults.size();
    private boolean started;

    /** The table for {@code s}, and its difference from the one of the previous update (the first: everything). */
    public Delta update(DataplaneState s) {
        List<Pipeline.VnSlice> now = Pipeline.slices(s);
        Set<String> names = new HashSet<>();
        for (Pipeline.VnSlice v : now) {
            names.add(v.vn().name());
        }
        List<String> gone = new ArrayList<>();
        for (String vn : byVn.keySet()) {
            if (!names.contains(vn)) {
                gone.add(vn);
            }
        }
        return update(now, gone);
    }

    /**
     * The table with {@code changed} in place of the slices of the same VNs (a VN the table did not have is added) and
     * without the VNs {@code gone}, and its difference from the one of the previous update (the first: everything). A
     * slice equal to the one the table holds costs its comparison only.
     */
    public Delta update(Collection<Pipeline.VnSlice> changed, Collection<String> gone) {
        List<Flow> upserts = new ArrayList<>();
        List<FlowKey> removals = new ArrayList<>();
        if (!started) {
            upserts.addAll(defaults);
            started = true;
        }
        for (String vn : gone) {
            List<Flow> had = byVn.remove(vn);
            if (had != null) {
                for (Flow f : had) {
                    removals.add(f.key());
                }
                size -= had.size();
            }
            slices.remove(vn);
        }
        int recomputed = 0;
        for (Pipeline.VnSlice v : changed) {
            String name = v.vn().name();
            if (v.equals(slices.get(name))) {
                continue;
            }
            recomputed++;
            List<Flow> fresh = List.copyOf(Pipeline.vnFlows(v));
            Map<FlowKey, Flow> before = new HashMap<>();
            for (Flow f : byVn.getOrDefault(name, List.of())) {
                before.put(f.key(), f);
            }
            for (Flow f : fresh) {
                Flow old = before.remove(f.key());
                if (old == null || !old.instructions().equals(f.instructions())) {
                    upserts.add(f);
                }
            }
            removals.addAll(before.keySet());
            slices.put(name, v);
            List<Flow> had = byVn.put(name, fresh);
            size += fresh.size() - (had == null ? 0 : had.size());
        }
        // a key one VN gave up and another took in the same change (a local tag reused) is replaced, never deleted
        if (!removals.isEmpty() && !upserts.isEmpty()) {
            Set<FlowKey> taken = new HashSet<>();
            for (Flow f : upserts) {
                taken.add(f.key());
            }
            removals.removeIf(taken::contains);
        }
        return new Delta(new Table(defaults, List.copyOf(byVn.values()), size), List.copyOf(upserts),
                List.copyOf(removals), recomputed);
    }

    /** How many flows the table holds (the defaults included). */
    public int size() {
        return size;
    }
}
