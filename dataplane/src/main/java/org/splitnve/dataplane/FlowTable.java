package org.splitnve.dataplane;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nNVE's desired flows, kept from one model to the next and recomputed per VN (issue 11: incremental processing,
 * as ovn-controller's): {@link #update} cuts the new model into {@link Pipeline.VnSlice}s, recomputes the flows of the
 * VNs whose slice changed only ({@link Pipeline#vnFlows}), and answers the whole table with the difference from the
 * previous one, so that the switch agent sends only that ({@link SwitchAgent#desire(List, java.util.Collection,
 * java.util.Collection)}). The whole table is always {@code Pipeline.flows} of the model (FlowTableTest). One thread.
 */
public final class FlowTable {
    /** The table now, and what changed since the previous {@link #update}: flows to add or replace, keys to delete. */
    public record Delta(List<Flow> all, List<Flow> upserts, List<FlowKey> removals, int vnsRecomputed) {
    }

    private final Map<String, Pipeline.VnSlice> slices = new HashMap<>();
    private final Map<String, List<Flow>> byVn = new LinkedHashMap<>();
    private boolean started;

    /** The table for {@code s}, and its difference from the one of the previous call (the first: everything). */
    public Delta update(DataplaneState s) {
        List<Flow> upserts = new ArrayList<>();
        List<FlowKey> removals = new ArrayList<>();
        List<Flow> defaults = Pipeline.defaults();
        if (!started) {
            upserts.addAll(defaults);
            started = true;
        }
        Map<String, Pipeline.VnSlice> now = new LinkedHashMap<>();
        for (Pipeline.VnSlice v : Pipeline.slices(s)) {
            now.put(v.vn().name(), v);
        }
        for (var it = byVn.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!now.containsKey(e.getKey())) {
                for (Flow f : e.getValue()) {
                    removals.add(f.key());
                }
                slices.remove(e.getKey());
                it.remove();
            }
        }
        int recomputed = 0;
        for (Pipeline.VnSlice v : now.values()) {
            String name = v.vn().name();
            if (v.equals(slices.get(name))) {
                continue;
            }
            recomputed++;
            List<Flow> fresh = Pipeline.vnFlows(v);
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
            for (FlowKey k : before.keySet()) {
                removals.add(k);
            }
            slices.put(name, v);
            byVn.put(name, fresh);
        }
        // a key one VN gave up and another took in the same change (a local tag reused) is replaced, never deleted
        Set<FlowKey> taken = new HashSet<>();
        for (Flow f : upserts) {
            taken.add(f.key());
        }
        removals.removeIf(taken::contains);
        List<Flow> all = new ArrayList<>(defaults);
        for (Pipeline.VnSlice v : now.values()) {
            all.addAll(byVn.get(v.vn().name()));
        }
        return new Delta(List.copyOf(all), List.copyOf(upserts), List.copyOf(removals), recomputed);
    }
}
