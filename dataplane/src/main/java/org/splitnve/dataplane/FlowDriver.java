package org.splitnve.dataplane;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.splitnve.dataplane.openflow.Instruction;
import org.splitnve.dataplane.openflow.OfConnection;
import org.splitnve.dataplane.openflow.OfConnection.Outcome;
import org.splitnve.dataplane.openflow.OfMessage.FlowMod;
import org.splitnve.dataplane.openflow.OfMessage.FlowStats;

/**
 * Keeps one switch's flow table equal to a desired table, the way ovn-controller's {@code ofctrl_put} does, and
 * then some (DP-6):
 * <ul>
 * <li>The installed table is what the switch reported at {@link #start} (never flushed: the switch runs in secure
 *     fail mode and keeps forwarding on what it has), then kept up to date with what we applied.</li>
 * <li>{@link #apply} sends only the difference: a strict delete for a flow no longer wanted, an ADD (which replaces in
 *     place) for one missing or with other instructions. Work is proportional to what changed, also on a restart:
 *     flows identical to what is installed are not sent again.</li>
 * <li>Each difference goes out as one atomic, ordered OpenFlow 1.4 bundle; a difference larger than
 *     {@code maxBundle} flow-mods (a big bundle stalls forwarding on the userspace datapath: about 0.1 s per 50,000)
 *     as several, each atomic, revocations (deletes) first.</li>
 * <li>Every flow this driver writes carries the cookie {@code generation << 32 | OWNER}: a restarted driver takes the
 *     next generation, so {@code dump-flows} shows which run wrote each flow and which ones it kept.</li>
 * <li>{@link #reconcile} reads the switch again and repairs drift: flows deleted, added or changed behind our back.</li>
 * </ul>
 * Not thread-safe: one thread drives it (the daemon's data-plane thread).
 */
public final class FlowDriver {
    /** The low 32 bits of our cookies: "SNVE". */
    public static final long OWNER = 0x534e5645L;
    public static final int DEFAULT_MAX_BUNDLE = 10_000;

    private final OfConnection switchConnection;
    private final int maxBundle;
    private final Duration timeout;
    private final Map<FlowKey, Installed> installed = new HashMap<>();
    private long generation;

    /** A flow as installed: its cookie and instructions. */
    public record Installed(long cookie, List<Instruction> instructions) {
    }

    /** What one {@link #apply} or {@link #reconcile} did. */
    public record Report(int added, int modified, int deleted, int bundles, long nanos) {
        public int changes() {
            return added + modified + deleted;
        }
    }

    /** Why an apply failed: the switch refused (nothing of that bundle took effect) or the connection failed. */
    public static final class ApplyException extends Exception {
        private static final long serialVersionUID = 1L;

        ApplyException(String message) {
            super(message);
        }
    }

    public FlowDriver(OfConnection switchConnection, int maxBundle, Duration timeout) {
        if (maxBundle < 1) {
            throw new IllegalArgumentException("maxBundle " + maxBundle + " must be at least 1");
        }
        this.switchConnection = Objects.requireNonNull(switchConnection);
        this.maxBundle = maxBundle;
        this.timeout = timeout;
    }

    /**
     * Reads what the switch has installed (nothing is flushed) and takes the next generation after the highest one
     * found in our cookies. Then {@link #apply} moves the switch to the desired table in one step.
     */
    public void start() throws ApplyException {
        generation = refresh() + 1;
    }

    /** Re-reads the installed table from the switch; answers the highest generation found in our cookies. */
    private long refresh() throws ApplyException {
        List<FlowStats> flows = read();
        installed.clear();
        long highest = 0;
        for (FlowStats s : flows) {
            installed.put(new FlowKey(s.table(), s.priority(), s.match()), new Installed(s.cookie(), s.instructions()));
            if ((s.cookie() & 0xffffffffL) == OWNER) {
                highest = Math.max(highest, s.cookie() >>> 32);
            }
        }
        return highest;
    }

    public long generation() {
        return generation;
    }

    public long cookie() {
        return (generation << 32) | OWNER;
    }

    /** The installed table as this driver knows it. */
    public Map<FlowKey, Installed> installed() {
        return Map.copyOf(installed);
    }

    /** Makes the switch's table equal to {@code desired} (keys must be unique), sending only the difference. */
    public Report apply(Collection<Flow> desired) throws ApplyException {
        long t0 = System.nanoTime();
        return commit(t0, diff(installed, wanted(desired), installed.keySet()));
    }

    /**
     * Applies a change the caller already knows (work proportional to it, not to the table's size): {@code upserts}
     * are added or replace the flow with their key, {@code removals} are deleted. Flows already so are not sent.
     */
    public Report update(Collection<Flow> upserts, Collection<FlowKey> removals) throws ApplyException {
        long t0 = System.nanoTime();
        return commit(t0, diff(installed, wanted(upserts), removals));
    }

    /**
     * Reads the switch's table and repairs every difference from what this driver installed: flows deleted behind our
     * back are added again, flows added are deleted, flows changed are replaced.
     */
    public Report reconcile() throws ApplyException {
        long t0 = System.nanoTime();
        Map<FlowKey, Installed> actual = new HashMap<>();
        for (FlowStats s : read()) {
            actual.put(new FlowKey(s.table(), s.priority(), s.match()), new Installed(s.cookie(), s.instructions()));
        }
        Diff d = diff(actual, installed, actual.keySet());
        return new Report(d.added(), d.modified(), d.deletes().size(), send(d.deletes(), d.adds()), System.nanoTime() - t0);
    }

    /** The flow-mods that take a table from {@code have} to {@code want}, deleting only among {@code deletable}. */
    private record Diff(List<FlowMod> deletes, List<FlowMod> adds, int added, int modified) {
    }

    private static Diff diff(Map<FlowKey, Installed> have, Map<FlowKey, Installed> want, Collection<FlowKey> deletable) {
        List<FlowMod> deletes = new ArrayList<>();
        List<FlowMod> adds = new ArrayList<>();
        int added = 0;
        int modified = 0;
        for (FlowKey k : deletable) {
            if (have.containsKey(k) && !want.containsKey(k)) {
                deletes.add(FlowMod.deleteStrict(0, k.table(), k.priority(), k.match()));
            }
        }
        for (Map.Entry<FlowKey, Installed> e : want.entrySet()) {
            Installed there = have.get(e.getKey());
            if (there == null) {
                added++;
            } else if (!there.instructions().equals(e.getValue().instructions())) {
                modified++;
            } else {
                continue;
            }
            FlowKey k = e.getKey();
            adds.add(FlowMod.add(0, k.table(), k.priority(), e.getValue().cookie(), k.match(), e.getValue().instructions()));
        }
        return new Diff(deletes, adds, added, modified);
    }

    /** Desired flows as they are to be installed, with this generation's cookie (keys must be unique). */
    private Map<FlowKey, Installed> wanted(Collection<Flow> desired) {
        Map<FlowKey, Installed> m = new HashMap<>(desired.size() * 2);
        Map<FlowKey, String> why = new HashMap<>(desired.size() * 2);
        long cookie = cookie();
        for (Flow f : desired) {
            Installed before = m.put(f.key(), new Installed(cookie, f.instructions()));
            String whyBefore = why.put(f.key(), f.why());
            if (before != null && !before.instructions().equals(f.instructions())) {
                throw new IllegalArgumentException("two desired flows with key " + f.key() + ": " + whyBefore + " and "
                        + f.why());
            }
        }
        return m;
    }

    private Report commit(long t0, Diff d) throws ApplyException {
        List<FlowMod> deletes = d.deletes();
        List<FlowMod> adds = d.adds();
        int bundles;
        try {
            bundles = send(deletes, adds);
        } catch (ApplyException e) {
            // Earlier bundles of a split difference may have taken effect: learn what the switch holds now.
            refresh();
            throw e;
        }
        for (FlowMod del : deletes) {
            installed.remove(new FlowKey(del.table(), del.priority(), del.match()));
        }
        for (FlowMod a : adds) {
            installed.put(new FlowKey(a.table(), a.priority(), a.match()), new Installed(a.cookie(), a.instructions()));
        }
        return new Report(d.added(), d.modified(), deletes.size(), bundles, System.nanoTime() - t0);
    }

    private int send(List<FlowMod> deletes, List<FlowMod> adds) throws ApplyException {
        List<FlowMod> all = new ArrayList<>(deletes.size() + adds.size());
        all.addAll(deletes);
        all.addAll(adds);
        int bundles = 0;
        for (int from = 0; from < all.size(); from += maxBundle) {
            List<FlowMod> part = all.subList(from, Math.min(all.size(), from + maxBundle));
            Outcome<Integer> o = switchConnection.bundle(part, timeout);
            switch (o) {
                case Outcome.Ok<Integer> ok -> bundles++;
                case Outcome.Refused<Integer> r -> throw new ApplyException("the switch refused bundle " + (bundles + 1)
                        + " (" + part.size() + " flow-mods; nothing of it applied): " + r.errors());
                case Outcome.Failed<Integer> f -> throw new ApplyException("bundle " + (bundles + 1) + " failed: " + f.reason());
            }
        }
        return bundles;
    }

    private List<FlowStats> read() throws ApplyException {
        return switch (switchConnection.flows(timeout)) {
            case Outcome.Ok<List<FlowStats>> ok -> ok.value();
            case Outcome.Refused<List<FlowStats>> r -> throw new ApplyException("the switch refused to list its flows: " + r.errors());
            case Outcome.Failed<List<FlowStats>> f -> throw new ApplyException("listing the flows failed: " + f.reason());
        };
    }
}
