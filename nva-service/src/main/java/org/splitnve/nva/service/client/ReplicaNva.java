package org.splitnve.nva.service.client;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.splitnve.nva.Churn;
import org.splitnve.nva.Decision;
import org.splitnve.nva.EndDevice;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.Entry;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.InMemoryNva;
import org.splitnve.nva.LocalTag;
import org.splitnve.nva.Nva;
import org.splitnve.nva.NvaListener;
import org.splitnve.nva.NveId;
import org.splitnve.nva.Refusal;
import org.splitnve.nva.TsiBinding;
import org.splitnve.nva.TsiGrant;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.TsiRecord;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.ChangeEvent;
import org.splitnve.nva.service.Digest;
import org.splitnve.nva.service.MappingEntry;
import org.splitnve.nva.service.MobilitySeq;
import org.splitnve.nva.service.Poll;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Replica;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.ResourceKey;
import org.splitnve.nva.service.Snapshot;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VnId;
import org.splitnve.wire.vdp.VsiId;

/**
 * The NVA as an nNVE's engine sees it when the NVA is a service (NVA-3, NVA-5; docs/nva-protocol.md sections 4-7,
 * 10, 11): the engine's {@link Nva}, answered from this nNVE's {@link Replica} of the NVA and its own entries,
 * never waiting on the network.
 *
 * <ul>
 *   <li><b>Reads</b> (VN registry, policy, TSI records, lookups, local tags of the VNs served) come from a view
 *       ({@link InMemoryNva}) of the replica with this nNVE's own entries in it.</li>
 *   <li><b>Writes</b> (associate, activate, replace addresses, hold, de-associate, tags) change that view at once and
 *       queue what the nNVE's state now is as {@link ReportOp}s on the {@link ReportQueue}, coalesced per instance and
 *       tag: the engine's state for an instance is one {@link ReportOp.Bind}, or an {@link ReportOp.Unbind}. A port
 *       move is an unbind and a bind, in that order, in the same or the next report.</li>
 *   <li><b>Mobility</b> (NVA-6, section 11): an activation claims its addresses with the sequence number of the
 *       entry in force for them in the replica plus one ({@link MobilitySeq#next}), or 0 when none is; with the
 *       migration flag when the engine said it is a live migration's destination
 *       ({@link #migrationDestination}).</li>
 *   <li><b>The NVA's verdicts</b>: a refused operation ({@link #refused}) is undone towards the end device with the
 *       NVA's reason (deactivate, or de-associate), unless a later change superseded it; a withdrawal addressed to
 *       this nNVE, or its own entry listing addresses as withdrawn, stops its forwarding of them (they become mapping
 *       entries in the view, and {@link EndDevices#withdrawn} tells the data plane).</li>
 *   <li><b>Cut off</b> (NVA-5, section 10): everything keeps working from the replica; a VN it does not know is
 *       refused with {@link Refusal#UNKNOWN_VN} and "the NVA is unreachable" ({@link #incompleteBecause}).</li>
 * </ul>
 *
 * <p><b>Not thread-safe</b>, like the engine: every call, {@link #apply}, {@link #reset} and {@link #refused}
 * included, comes from the engine's thread ({@link NvaClient} hands what comes from the network to it). Only
 * {@link #appliedRevision()} and {@link #appliedHistory()} may be read from another thread.
 */
public final class ReplicaNva implements Nva {
    /** The detail of a VN refused while cut off (NVA-5). */
    public static final String UNREACHABLE = "the NVA is unreachable";

    /** What the nNVE does towards its end devices and data plane on the NVA's verdicts (engine thread). */
    public interface EndDevices {
        /** Deactivate every activated instance of the TSI, telling its end device why (REQ-9). */
        void deactivate(VsiId tsi, String reason);

        /** De-associate every instance of the TSI, telling its end device why (REQ-9). */
        void deassociate(VsiId tsi, String reason);

        /** NVA-6: the data plane stops forwarding these addresses of the instance here. */
        default void withdrawn(TsiInstance instance, List<TsiAddress> addresses) {
        }

        /** The VN is gone from the NVA (removed, or absent after a resync): disconnect it everywhere (REQ-6). */
        default void vnGone(int vnId, String reason) {
        }

        EndDevices NONE = new EndDevices() {
            @Override
            public void deactivate(VsiId tsi, String reason) {
            }

            @Override
            public void deassociate(VsiId tsi, String reason) {
            }
        };
    }

    /** This nNVE's own instance: what the view cannot say. */
    private static final class Own {
        /** The addresses the engine holds as mapping entries while forwarding (REQ-8, REQ-9). */
        List<TsiAddress> held = List.of();
        /** The addresses another nNVE's newer claim took (NVA-6): mapping entries here until a newer claim. */
        final Set<TsiAddress> withdrawn = new LinkedHashSet<>();
        long seq;
        boolean migration;
        /** The last bind queued: the same state again (a refresh) queues nothing. */
        ReportOp.Bind last;
    }

    private final NveId self;
    private final ReportQueue queue;
    private final EventSink events;
    private final Replica replica = new Replica(this::replicaChanged);
    /** Told of each key a watch's change put or removed in the replica ({@link #onReplicaChange}). */
    private java.util.function.Consumer<ResourceKey> replicaChanges = k -> { };
    private InMemoryNva view = new InMemoryNva();
    private final Map<TsiInstance, Own> own = new LinkedHashMap<>();
    private final Set<LocalTag> ownTags = new LinkedHashSet<>();
    /** The other nNVEs' mapping entries in the view, by key. */
    private final Map<ResourceKey, TsiInstance> remote = new HashMap<>();
    /** Other nNVEs' entries the view could not take (they conflict with this nNVE's own): retried. */
    private final Set<ResourceKey> conflicts = new LinkedHashSet<>();
    private final Set<TsiInstance> migrationNext = new LinkedHashSet<>();
    /**
     * REL-2: this nNVE's own instances written before the first list (the TSIs an nNVE restores from its durable
     * state before its first frame), as the engine holds them: the replica, and so the view, knows no VN yet, so the
     * view cannot take them. Nothing is queued for them; the first list ({@link #reset}) puts them in the view and
     * compares them with what the NVA holds of this nNVE: an entry the NVA has as the engine has it is not sent again
     * (its mobility sequence number is the NVA's), a missing or different one is bound.
     */
    private final Map<TsiInstance, TsiBinding> early = new LinkedHashMap<>();
    /** Whether a list was applied (until then, own writes go to {@link #early}). */
    private boolean listed;
    private final List<NvaListener> listeners = new ArrayList<>();
    private final NvaListener relay = c -> {
        for (NvaListener l : listeners.toArray(new NvaListener[0])) {
            l.changed(c);
        }
    };
    private EndDevices endDevices = EndDevices.NONE;
    private boolean connected;
    private volatile long appliedRevision = -1;
    private volatile String appliedHistory;
    /** The replica's digest at {@link #appliedRevision}, published with it for the client's acknowledgements. */
    private volatile Applied applied;
    private long refusedOps;
    private long undone;
    private long withdrawals;

    public ReplicaNva(NveId self, ReportQueue queue, EventSink events) {
        this.self = Objects.requireNonNull(self, "self");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.events = Objects.requireNonNull(events, "events");
        view.addListener(relay);
    }

    /** Who undoes refused operations towards the end devices (the engine's own-initiative path). */
    public void endDevices(EndDevices e) {
        this.endDevices = Objects.requireNonNull(e);
    }

    public NveId self() {
        return self;
    }

    public ReportQueue queue() {
        return queue;
    }

    // ================================================================== from the network (engine thread)

    /** The session is in sync (true) or cut off (false): only the detail of an unknown VN's refusal depends on it. */
    public void connected(boolean inSync) {
        this.connected = inSync;
    }

    public boolean connected() {
        return connected;
    }

    /** Loaded once the first list has been applied (then cut off or not: it holds what it had, NVA-5). */
    @Override
    public boolean loaded() {
        return appliedRevision >= 0;
    }

    /** The revision the replica holds everything of (what the client acknowledges); -1 before the first list. */
    public long appliedRevision() {
        return appliedRevision;
    }

    /** The history of {@link #appliedRevision()}; null before the first list. */
    public String appliedHistory() {
        return appliedHistory;
    }

    /**
     * What the replica holds, as one value the client's thread reads: the history, the revision applied, and the
     * replica's digest at that revision (docs/nva-protocol.md section 12; NVA-4).
     */
    public record Applied(String history, long revision, Digest digest) {
    }

    /** The replica's history, revision and digest, as of the last list or watch read applied; null before. */
    public Applied applied() {
        return applied;
    }

    /**
     * {@code listener} is told, on the thread that applies the NVA's changes (the engine thread), the key of each
     * resource a watch's change put in the replica or removed from it; a list replaces everything without telling it
     * ({@link Replica#resets()} moves then). For a reader that keeps something made from the replica up to date by
     * what changed (the nNVE's data-plane model, issue 11). One listener; set it before the client starts.
     */
    public void onReplicaChange(java.util.function.Consumer<ResourceKey> listener) {
        this.replicaChanges = Objects.requireNonNull(listener);
    }

    private void replicaChanged(ChangeEvent e) {
        switch (e) {
            case ChangeEvent.Put p -> replicaChanges.accept(p.key());
            case ChangeEvent.Removed r -> replicaChanges.accept(r.key());
            case ChangeEvent.Withdrawal w -> {
            }
        }
    }

    /** The replica (read on the engine thread). */
    public Replica replica() {
        return replica;
    }

    /**
     * A list's result replaces the replica and the view (docs/nva-protocol.md 4.1, 4.3). The nNVE's own entries
     * stay: the engine's state is the reference. What the NVA holds of this nNVE and the engine does not
     * (a previous run's entries) is unbound; what differs, or all of it in a new history, is bound again.
     *
     * @return how many operations were queued to bring the NVA's view of this nNVE in line
     */
    public int reset(Snapshot s) {
        return reset(s, false);
    }

    /**
     * {@link #reset(Snapshot)}, after the NVA found the replica {@link Digest.Audit#DIVERGED}: the first keys in
     * which the old replica and the list differ (at most {@value #DIFFERING_KEYS}; changes between the two
     * revisions among them) are logged with the resync, for whoever looks for the cause.
     */
    public int reset(Snapshot s, boolean diverged) {
        List<String> differing = diverged ? differing(s) : List.of();
        String was = replica.historyId();
        boolean newHistory = was != null && !was.equals(s.historyId());
        replica.reset(s);
        Set<TsiInstance> restored = Set.copyOf(early.keySet());
        rebuild();
        listed = true;
        int queued = 0;
        Map<TsiInstance, MappingEntry> nvaOwn = new HashMap<>();
        Set<LocalTag> nvaTags = new LinkedHashSet<>();
        for (Resource r : s.resources()) {
            if (r instanceof Resource.Mapping m && m.entry().instance().nve().equals(self)) {
                nvaOwn.put(m.entry().instance(), m.entry());
            } else if (r instanceof Resource.Tag t && t.tag().nve().equals(self)) {
                nvaTags.add(t.tag());
            }
        }
        for (TsiInstance i : nvaOwn.keySet()) {
            if (!own.containsKey(i) && !queue.supersedes(new ReportOp.Unbind(i))) {
                queue.put(new ReportOp.Unbind(i));
                queued++;
            }
        }
        for (TsiInstance i : List.copyOf(own.keySet())) {
            MappingEntry e = nvaOwn.get(i);
            if (restored.contains(i)) {
                adopt(i, e);
            }
            ReportOp.Bind b = bindOf(i);
            if (b != null && !queue.supersedes(b) && (e == null || e.state() != b.state()
                    || !e.addresses().equals(b.addresses()) || !e.held().equals(b.held()))) {
                own.get(i).last = b;
                queue.put(b);
                queued++;
            } else if (b != null && restored.contains(i)) {
                own.get(i).last = b; // the NVA holds it as the engine does: nothing to send
            }
            if (e != null) {
                converge(e);
            }
        }
        for (LocalTag t : nvaTags) {
            if (!ownTags.contains(t)) {
                queue.put(new ReportOp.ReleaseTag(t));
                queued++;
            }
        }
        for (LocalTag t : ownTags) {
            if (!nvaTags.contains(t)) {
                queue.put(new ReportOp.RecordTag(t));
                queued++;
            }
        }
        appliedHistory = s.historyId();
        appliedRevision = s.revision();
        applied = new Applied(s.historyId(), s.revision(), replica.digest());
        events.accept(new ClientEvent.Resync(was, s.historyId(), s.revision(), s.resources().size(), newHistory,
                queued));
        if (diverged) {
            events.accept(new ClientEvent.Repaired(s.revision(), differing));
        }
        return queued;
    }

    /**
     * REL-2: what a restored instance's own record says, from the view and the NVA's entry for it ({@code e}, null
     * when the NVA has none): the addresses held, and its mobility sequence number: the NVA's when the NVA has the
     * entry and the engine's state is not a new claim of its addresses (the NVA's entry forwards too, or the engine's
     * does not), else a new claim's ({@link #claimSeq}).
     */
    private void adopt(TsiInstance i, MappingEntry e) {
        Own o = own.get(i);
        Optional<TsiBinding> now = view.binding(i);
        if (o == null || now.isEmpty()) {
            return;
        }
        o.held = now.get().held();
        boolean forwarding = now.get().state() == EntryState.FORWARDING;
        if (e != null && (!forwarding || e.state() == EntryState.FORWARDING)) {
            o.seq = e.mobilitySeq();
        } else if (forwarding) {
            o.seq = claimSeq(i, now.get().addresses());
        }
    }

    /** How many differing keys a divergence's resync logs. */
    public static final int DIFFERING_KEYS = 5;

    /** The first keys (in key order) whose resources differ between the replica and a list (engine thread). */
    private List<String> differing(Snapshot s) {
        Map<ResourceKey, Resource> now = new HashMap<>();
        for (Resource r : s.resources()) {
            now.put(r.key(), r);
        }
        java.util.TreeSet<String> out = new java.util.TreeSet<>();
        Map<ResourceKey, Resource> had = replica.view();
        for (Map.Entry<ResourceKey, Resource> e : had.entrySet()) {
            if (!e.getValue().equals(now.get(e.getKey()))) {
                keep(out, e.getKey().path());
            }
        }
        for (ResourceKey k : now.keySet()) {
            if (!had.containsKey(k)) {
                keep(out, k.path());
            }
        }
        return List.copyOf(out);
    }

    private static void keep(java.util.NavigableSet<String> out, String key) {
        out.add(key);
        if (out.size() > DIFFERING_KEYS) {
            out.pollLast();
        }
    }

    /**
     * The digest of what the engine holds as this nNVE's own entries (docs/nva-protocol.md section 12): one mapping
     * entry per own instance, one resource per own local tag, to compare with the NVA's
     * {@link org.splitnve.nva.service.RevisionedNva#ownDigest}. What only the NVA knows of an entry (since when it
     * is in its state, the addresses another nNVE's claim withdrew) is taken from the replica's copy when that copy
     * says what the engine holds (state, addresses, held addresses, mobility sequence number); an entry the replica
     * lacks or has otherwise counts with a hash the NVA's cannot have, so the digests differ (engine thread).
     */
    public Digest ownDigest() {
        long n = 0;
        long h = 0;
        for (TsiInstance i : own.keySet()) {
            ReportOp.Bind b = bindOf(i);
            if (b == null) {
                continue;
            }
            Resource r = replica.get(ResourceKey.mapping(i.vnId(), i.vsi(), i.nve(), i.port())).orElse(null);
            if (!(r instanceof Resource.Mapping m && m.entry().state() == b.state()
                    && Set.copyOf(m.entry().addresses()).equals(Set.copyOf(b.addresses()))
                    && Set.copyOf(m.entry().held()).equals(Set.copyOf(b.held()))
                    && m.entry().mobilitySeq() == b.mobilitySeq())) {
                r = new Resource.Mapping(new MappingEntry(i, b.state(), b.addresses(), b.held(), List.of(),
                        b.mobilitySeq(), java.time.Instant.EPOCH));
            }
            n++;
            h += Digest.hash(r);
        }
        for (LocalTag t : ownTags) {
            n++;
            h += Digest.hash(new Resource.Tag(t));
        }
        return new Digest(n, h);
    }

    /**
     * The own-entries audit found the NVA's copy of this nNVE's entries differs from the engine's: the whole own
     * state is queued again (a bind per own instance, a tag record per own tag; an unbind, a tag release for what
     * the replica says the NVA holds of this nNVE and the engine does not). Engine thread.
     *
     * @return how many operations were queued
     */
    public int resendOwnState() {
        int queued = 0;
        for (Resource r : replica.view().values()) {
            if (r instanceof Resource.Mapping m && m.entry().instance().nve().equals(self)
                    && !own.containsKey(m.entry().instance())) {
                queue.put(new ReportOp.Unbind(m.entry().instance()));
                queued++;
            } else if (r instanceof Resource.Tag t && t.tag().nve().equals(self) && !ownTags.contains(t.tag())) {
                queue.put(new ReportOp.ReleaseTag(t.tag()));
                queued++;
            }
        }
        for (TsiInstance i : List.copyOf(own.keySet())) {
            ReportOp.Bind b = bindOf(i);
            if (b != null) {
                own.get(i).last = b;
                queue.put(b);
                queued++;
            }
        }
        for (LocalTag t : ownTags) {
            queue.put(new ReportOp.RecordTag(t));
            queued++;
        }
        return queued;
    }

    /**
     * A watch's changes, in order (docs/nva-protocol.md 4.2). False on "too old": nothing applied, the client
     * lists again.
     */
    public boolean apply(Poll p) {
        if (!(p instanceof Poll.Changes c)) {
            return false;
        }
        for (Change ch : c.changes()) {
            List<MappingEntry> ownPut = new ArrayList<>();
            for (ChangeEvent e : ch.events()) {
                Resource old = replica.get(e.key()).orElse(null);
                replica.apply(new Poll.Changes(List.of(new Change(ch.revision(), ch.source(), List.of(e))),
                        ch.revision()));
                switch (e) {
                    case ChangeEvent.Put put -> {
                        if (put.resource() instanceof Resource.Mapping m && m.entry().instance().nve().equals(self)) {
                            ownPut.add(m.entry());
                        } else {
                            put(put.resource(), old);
                        }
                    }
                    case ChangeEvent.Removed r -> removed(old);
                    case ChangeEvent.Withdrawal w -> {
                        if (w.to().equals(self)) {
                            withdraw(w.instance(), w.addresses(), w.winner(), w.winnerSeq());
                        }
                    }
                }
            }
            // an own entry listing addresses as withdrawn: a replica that missed the notice converges (section 11)
            for (MappingEntry e : ownPut) {
                converge(e);
            }
        }
        replica.apply(new Poll.Changes(List.of(), c.revision()));
        retryConflicts();
        appliedRevision = replica.revision();
        applied = new Applied(replica.historyId(), replica.revision(), replica.digest());
        return true;
    }

    /**
     * The NVA's receipt of one of this nNVE's reports (docs/nva-protocol.md 5.2): each refused operation is
     * undone towards the end device with the NVA's reason (a refused activation deactivates the TSI, a refused
     * association de-associates it), logged and counted, unless a later change of the same instance waits.
     */
    public void refused(Report report, Receipt receipt) {
        List<Receipt.Result> results = receipt.results();
        for (int n = 0; n < results.size() && n < report.ops().size(); n++) {
            Receipt.Result res = results.get(n);
            if (res.applied()) {
                continue;
            }
            refusedOps++;
            ReportOp op = report.ops().get(n);
            String reason = "NVA: " + res.refusal().name() + (res.detail().isEmpty() ? "" : ": " + res.detail());
            String undo = "none";
            if (op instanceof ReportOp.Bind b && !queue.supersedes(b) && own.containsKey(b.instance())) {
                Optional<TsiBinding> now = view.binding(b.instance());
                if (now.isPresent() && now.get().state() == b.state()) {
                    undone++;
                    if (b.state() == EntryState.FORWARDING) {
                        undo = "deactivate";
                        endDevices.deactivate(b.instance().vsi(), reason);
                    } else {
                        undo = "de-associate";
                        endDevices.deassociate(b.instance().vsi(), reason);
                    }
                }
            }
            events.accept(new ClientEvent.ReportRefused(report.seq(), op.getClass().getSimpleName(),
                    res.refusal().name(), res.refusal().detailCode(), res.detail(), undo));
        }
    }

    /** Operations the NVA refused, since the start. */
    public long refusedOps() {
        return refusedOps;
    }

    /** Refused operations undone towards an end device (deactivated or de-associated), since the start. */
    public long undone() {
        return undone;
    }

    /** Withdrawals of this nNVE's addresses applied (NVA-6), since the start. */
    public long withdrawals() {
        return withdrawals;
    }

    /** The addresses of an own instance withdrawn by a newer claim elsewhere (NVA-6). */
    public List<TsiAddress> withdrawn(TsiInstance instance) {
        Own o = own.get(instance);
        return o == null ? List.of() : List.copyOf(o.withdrawn);
    }

    /** The mobility sequence number of an own instance's claim (NVA-6), or -1. */
    public long mobilitySeq(TsiInstance instance) {
        Own o = own.get(instance);
        return o == null ? -1 : o.seq;
    }

    private void put(Resource r, Resource old) {
        switch (r) {
            case Resource.Vn v -> {
                Optional<VnRecord> had = view.vnById(v.vn().id());
                if (had.isEmpty()) {
                    Decision<VnRecord> d = view.addVn(v.vn());
                    if (d.refusal() != null) {
                        events.accept(new ClientEvent.ViewConflict(r.key().path(), d.refusal().name()));
                    }
                } else if (!had.get().equals(v.vn())) {
                    rebuild(); // a VN changed in place: rare; the view is made again from the replica
                }
            }
            case Resource.DevicePermit d -> view.permitEndDevice(d.rule());
            case Resource.TsiPermit t -> view.permitTsi(t.rule());
            case Resource.ValidatedTsi t -> view.putTsiRecord(t.record());
            case Resource.Mapping m -> remotePut(m.key(), m.entry());
            case Resource.Tag t -> {
                if (!t.tag().nve().equals(self)) {
                    if (old instanceof Resource.Tag o) {
                        view.releaseLocalTag(o.tag());
                    }
                    Decision<LocalTag> d = view.recordLocalTag(t.tag());
                    if (d.refusal() != null) {
                        events.accept(new ClientEvent.ViewConflict(r.key().path(), d.refusal().name()));
                    }
                }
            }
            case Resource.Nve n -> {
            }
            case Resource.Duplicate d -> {
            }
            case Resource.Credential c -> {
            }
        }
    }

    private void removed(Resource old) {
        if (old == null) {
            return;
        }
        switch (old) {
            case Resource.Vn v -> vnGone(v.vn().id(), "VN " + Integer.toUnsignedLong(v.vn().id())
                    + " was removed at the NVA");
            case Resource.DevicePermit d -> view.revokeEndDevice(d.rule());
            case Resource.TsiPermit t -> view.revokeTsi(t.rule());
            case Resource.ValidatedTsi t -> view.removeTsiRecord(t.record().vsi(), t.record().vnId());
            case Resource.Mapping m -> {
                conflicts.remove(m.key());
                TsiInstance i = remote.remove(m.key());
                if (i != null) {
                    view.deassociate(i);
                    retryConflicts();
                }
            }
            case Resource.Tag t -> {
                if (!t.tag().nve().equals(self)) {
                    view.releaseLocalTag(t.tag());
                }
            }
            case Resource.Nve n -> {
            }
            case Resource.Duplicate d -> {
            }
            case Resource.Credential c -> {
            }
        }
    }

    private void vnGone(int vnId, String reason) {
        boolean hadOwn = own.keySet().stream().anyMatch(i -> i.vnId() == vnId);
        if (hadOwn) {
            endDevices.vnGone(vnId, reason); // the engine de-associates (its effects unbind here)
        }
        own.keySet().removeIf(i -> i.vnId() == vnId);
        ownTags.removeIf(t -> t.vnId() == vnId);
        remote.values().removeIf(i -> i.vnId() == vnId);
        if (view.vnById(vnId).isPresent()) {
            view.removeVn(vnId);
        }
    }

    /** Another nNVE's entry, as the NVA has it, into the view. */
    private void remotePut(ResourceKey key, MappingEntry e) {
        TsiInstance i = e.instance();
        Optional<TsiBinding> have = view.binding(i);
        if (have.isPresent() && (have.get().state() != e.state() || !have.get().addresses().equals(e.addresses()))) {
            view.deassociate(i);
            remote.remove(key);
            have = Optional.empty();
        }
        if (have.isEmpty()) {
            Decision<TsiBinding> d = e.state() == EntryState.FORWARDING ? view.activate(i, e.addresses())
                    : view.associate(i, e.addresses());
            if (d.refusal() != null) {
                if (conflicts.add(key)) {
                    events.accept(new ClientEvent.ViewConflict(key.path(), d.refusal().name() + ": "
                            + ((Decision.Refused<?>) d).detail()));
                }
                return;
            }
        }
        conflicts.remove(key);
        remote.put(key, i);
        if (e.state() == EntryState.FORWARDING) {
            List<TsiAddress> held = union(e.held(), e.withdrawn());
            if (!Set.copyOf(view.binding(i).orElseThrow().held()).equals(Set.copyOf(held))) {
                view.hold(i, held);
            }
        }
    }

    private void retryConflicts() {
        if (conflicts.isEmpty()) {
            return;
        }
        for (ResourceKey k : List.copyOf(conflicts)) {
            if (replica.get(k).orElse(null) instanceof Resource.Mapping m) {
                remotePut(k, m.entry());
            } else {
                conflicts.remove(k);
            }
        }
    }

    /** The NVA's entry of an own instance, for the same claim, lists withdrawn addresses the view still forwards. */
    private void converge(MappingEntry e) {
        Own o = own.get(e.instance());
        if (o == null || o.seq != e.mobilitySeq() || e.withdrawn().isEmpty()) {
            return;
        }
        withdraw(e.instance(), e.withdrawn(), null, -1);
    }

    private void withdraw(TsiInstance i, List<TsiAddress> addresses, TsiInstance winner, long winnerSeq) {
        Own o = own.get(i);
        Optional<TsiBinding> b = view.binding(i);
        if (o == null || b.isEmpty()) {
            return;
        }
        List<TsiAddress> newly = new ArrayList<>();
        for (TsiAddress a : addresses) {
            if (b.get().addresses().contains(a) && o.withdrawn.add(a)) {
                newly.add(a);
            }
        }
        if (newly.isEmpty()) {
            return;
        }
        withdrawals++;
        if (b.get().state() == EntryState.FORWARDING) {
            view.hold(i, union(o.held, List.copyOf(o.withdrawn)));
        }
        events.accept(new ClientEvent.Withdrawn(i, newly, winner, winnerSeq));
        endDevices.withdrawn(i, newly);
    }

    /** Makes the view again from the replica, with this nNVE's own entries and tags in it. */
    private void rebuild() {
        InMemoryNva old = view;
        old.removeListener(relay);
        InMemoryNva v = new InMemoryNva();
        view = v;
        remote.clear();
        conflicts.clear();
        List<Resource> all = replica.sorted();
        for (Resource r : all) {
            switch (r) {
                case Resource.Vn vn -> v.addVn(vn.vn());
                case Resource.DevicePermit d -> v.permitEndDevice(d.rule());
                case Resource.TsiPermit t -> v.permitTsi(t.rule());
                case Resource.ValidatedTsi t -> v.putTsiRecord(t.record());
                default -> {
                }
            }
        }
        Set<Integer> gone = new LinkedHashSet<>();
        for (TsiInstance i : early.keySet()) {
            own.putIfAbsent(i, new Own());
        }
        for (Map.Entry<TsiInstance, Own> e : List.copyOf(own.entrySet())) {
            TsiInstance i = e.getKey();
            Optional<TsiBinding> b = early.containsKey(i) ? Optional.of(early.get(i)) : old.binding(i);
            if (b.isEmpty()) {
                own.remove(i);
                continue;
            }
            if (v.vnById(i.vnId()).isEmpty()) {
                gone.add(i.vnId());
                continue;
            }
            Decision<TsiBinding> d = b.get().state() == EntryState.FORWARDING ? v.activate(i, b.get().addresses())
                    : v.associate(i, b.get().addresses());
            if (d.refusal() == null && !b.get().held().isEmpty()) {
                v.hold(i, b.get().held());
            }
        }
        early.clear();
        for (LocalTag t : List.copyOf(ownTags)) {
            if (v.recordLocalTag(t).refusal() != null) {
                ownTags.remove(t);
            }
        }
        for (Resource r : all) {
            if (r instanceof Resource.Mapping m && !m.entry().instance().nve().equals(self)) {
                remotePut(m.key(), m.entry());
            } else if (r instanceof Resource.Tag t && !t.tag().nve().equals(self)) {
                v.recordLocalTag(t.tag());
            }
        }
        v.addListener(relay);
        for (int vn : gone) {
            vnGone(vn, "VN " + Integer.toUnsignedLong(vn) + " is not at the NVA");
        }
    }

    private static List<TsiAddress> union(List<TsiAddress> a, List<TsiAddress> b) {
        if (b.isEmpty()) {
            return a;
        }
        Set<TsiAddress> s = new LinkedHashSet<>(a);
        s.addAll(b);
        return List.copyOf(s);
    }

    // ================================================================== the engine's writes

    private boolean mine(TsiInstance i) {
        return i.nve().equals(self);
    }

    /**
     * Before the first list, a write of an own instance changes {@link #early} ({@code op}: the binding after it,
     * from the one before or null; null: no such instance); null after the first list or for another nNVE's.
     */
    private Decision<TsiBinding> early(TsiInstance i, UnaryOperator<TsiBinding> op) {
        if (listed || !mine(i)) {
            return null;
        }
        TsiBinding now = op.apply(early.get(i));
        if (now == null) {
            return Decision.refuse(Refusal.UNKNOWN_TSI_INSTANCE, i.toString());
        }
        early.put(i, now);
        return Decision.allow(now);
    }

    private static List<TsiAddress> retained(List<TsiAddress> held, List<TsiAddress> addresses) {
        return held.stream().filter(addresses::contains).toList();
    }

    /** A write of an own instance: the view first, then what the nNVE's state for it now is, queued. */
    private Decision<TsiBinding> write(TsiInstance i, UnaryOperator<TsiBinding> before1st,
            Supplier<Decision<TsiBinding>> op) {
        Decision<TsiBinding> restoring = early(i, before1st);
        if (restoring != null) {
            return restoring;
        }
        Optional<TsiBinding> before = view.binding(i);
        Decision<TsiBinding> d = op.get();
        if (d.refusal() != null || !mine(i)) {
            return d;
        }
        TsiBinding b = view.binding(i).orElseThrow();
        Own o = own.computeIfAbsent(i, k -> new Own());
        boolean wasForwarding = before.isPresent() && before.get().state() == EntryState.FORWARDING;
        if (b.state() == EntryState.FORWARDING && !wasForwarding) {
            o.withdrawn.clear();
            o.seq = claimSeq(i, b.addresses());
            o.migration = migrationNext.remove(i);
        } else if (b.state() != EntryState.FORWARDING) {
            o.migration = false;
        }
        o.withdrawn.retainAll(b.addresses());
        List<TsiAddress> held = new ArrayList<>(b.held());
        held.removeAll(o.withdrawn);
        o.held = List.copyOf(held);
        if (b.state() == EntryState.FORWARDING && !b.held().containsAll(o.withdrawn)) {
            view.hold(i, union(o.held, List.copyOf(o.withdrawn)));
        }
        report(i, o);
        return Decision.allow(view.binding(i).orElseThrow());
    }

    /** Queues the instance's state, unless it is the one queued last (a refresh changes nothing at the NVA). */
    private void report(TsiInstance i, Own o) {
        ReportOp.Bind b = bindOf(i);
        if (!b.equals(o.last)) {
            o.last = b;
            queue.put(b);
        }
    }

    private ReportOp.Bind bindOf(TsiInstance i) {
        Own o = own.get(i);
        Optional<TsiBinding> b = view.binding(i);
        if (o == null || b.isEmpty()) {
            return null;
        }
        return new ReportOp.Bind(i, b.get().state(), b.get().addresses(), o.held, o.seq,
                o.migration && b.get().state() == EntryState.FORWARDING);
    }

    /**
     * NVA-6, docs/nva-protocol.md section 11: the number of the entry in force for any of the addresses (in the
     * replica, or this nNVE's own), plus one; 0 when none is in force.
     */
    private long claimSeq(TsiInstance i, List<TsiAddress> addresses) {
        long best = -1;
        if (replica.get(ResourceKey.mapping(i.vnId(), i.vsi(), i.nve(), i.port())).orElse(null)
                instanceof Resource.Mapping m) {
            best = m.entry().mobilitySeq();
        }
        for (TsiAddress a : addresses) {
            List<Entry> in = new ArrayList<>();
            if (a.mac() != null) {
                in.addAll(view.lookup(i.vnId(), a.mac()));
            }
            if (a.ip() != null) {
                in.addAll(view.lookup(i.vnId(), a.ip()));
            }
            for (Entry e : in) {
                if (e.state() != EntryState.FORWARDING || e.instance().equals(i)) {
                    continue;
                }
                long s = seqOf(e.instance());
                if (s >= 0 && (best < 0 || MobilitySeq.newer(s, best))) {
                    best = s;
                }
            }
        }
        return best < 0 ? 0 : MobilitySeq.next(best);
    }

    private long seqOf(TsiInstance i) {
        if (mine(i)) {
            Own o = own.get(i);
            return o == null ? -1 : o.seq;
        }
        return replica.get(ResourceKey.mapping(i.vnId(), i.vsi(), i.nve(), i.port())).orElse(null)
                instanceof Resource.Mapping m ? m.entry().mobilitySeq() : -1;
    }

    @Override
    public void migrationDestination(TsiInstance instance) {
        migrationNext.add(instance);
    }

    @Override
    public Decision<TsiBinding> associate(TsiInstance instance, List<TsiAddress> addresses) {
        return write(instance, b -> new TsiBinding(instance, EntryState.MAPPING, addresses),
                () -> view.associate(instance, addresses));
    }

    @Override
    public Decision<TsiBinding> activate(TsiInstance instance, List<TsiAddress> addresses) {
        return write(instance, b -> new TsiBinding(instance, EntryState.FORWARDING, addresses),
                () -> view.activate(instance, addresses));
    }

    @Override
    public Decision<TsiBinding> activate(TsiInstance instance) {
        return write(instance, b -> b == null ? null
                : new TsiBinding(instance, EntryState.FORWARDING, b.addresses(), b.held()),
                () -> view.activate(instance));
    }

    @Override
    public Decision<TsiBinding> deactivate(TsiInstance instance) {
        return write(instance, b -> b == null ? null : new TsiBinding(instance, EntryState.MAPPING, b.addresses()),
                () -> view.deactivate(instance));
    }

    @Override
    public Decision<TsiBinding> updateAddresses(TsiInstance instance, List<TsiAddress> remove, List<TsiAddress> add) {
        Decision<TsiBinding> d = write(instance, b -> {
            if (b == null) {
                return null;
            }
            List<TsiAddress> next = new ArrayList<>(b.addresses());
            next.removeAll(remove);
            next.addAll(add);
            return new TsiBinding(instance, b.state(), next, retained(b.held(), next));
        }, () -> view.updateAddresses(instance, remove, add));
        retryConflicts();
        return d;
    }

    @Override
    public Decision<TsiBinding> replaceAddresses(TsiInstance instance, List<TsiAddress> addresses) {
        Decision<TsiBinding> d = write(instance, b -> b == null ? null
                : new TsiBinding(instance, b.state(), addresses, retained(b.held(), addresses)),
                () -> view.replaceAddresses(instance, addresses));
        retryConflicts();
        return d;
    }

    @Override
    public Decision<TsiBinding> hold(TsiInstance instance, List<TsiAddress> held) {
        Decision<TsiBinding> restoring = early(instance, b -> b == null ? null
                : new TsiBinding(instance, b.state(), b.addresses(), retained(held, b.addresses())));
        if (restoring != null) {
            return restoring;
        }
        Decision<TsiBinding> d = view.hold(instance, held);
        if (d.refusal() != null || !mine(instance)) {
            return d;
        }
        Own o = own.computeIfAbsent(instance, k -> new Own());
        o.held = d.orElseThrow().held();
        if (!o.withdrawn.isEmpty()) {
            view.hold(instance, union(o.held, List.copyOf(o.withdrawn)));
        }
        report(instance, o);
        return Decision.allow(view.binding(instance).orElseThrow());
    }

    @Override
    public Decision<TsiBinding> deassociate(TsiInstance instance) {
        if (!listed && mine(instance)) {
            TsiBinding was = early.remove(instance);
            return was == null ? Decision.refuse(Refusal.UNKNOWN_TSI_INSTANCE, instance.toString())
                    : Decision.allow(was);
        }
        Decision<TsiBinding> d = view.deassociate(instance);
        if (d.refusal() == null && mine(instance)) {
            own.remove(instance);
            migrationNext.remove(instance);
            queue.put(new ReportOp.Unbind(instance));
            retryConflicts();
        }
        return d;
    }

    @Override
    public Decision<TsiBinding> movePort(TsiInstance instance, int newPort) {
        if (!listed && mine(instance)) {
            TsiBinding was = early.get(instance);
            TsiInstance to = instance.onPort(newPort);
            if (was == null) {
                return Decision.refuse(Refusal.UNKNOWN_TSI_INSTANCE, instance.toString());
            }
            if (newPort != instance.port() && early.containsKey(to)) {
                return Decision.refuse(Refusal.INSTANCE_EXISTS, to.toString());
            }
            early.remove(instance);
            TsiBinding moved = new TsiBinding(to, was.state(), was.addresses(), was.held());
            early.put(to, moved);
            return Decision.allow(moved);
        }
        Decision<TsiBinding> d = view.movePort(instance, newPort);
        if (d.refusal() == null && mine(instance) && newPort != instance.port()) {
            TsiInstance to = instance.onPort(newPort);
            Own o = own.remove(instance);
            own.put(to, o == null ? new Own() : o);
            queue.put(new ReportOp.Unbind(instance));
            own.get(to).last = null;
            report(to, own.get(to));
        }
        return d;
    }

    @Override
    public Optional<TsiBinding> binding(TsiInstance instance) {
        TsiBinding b = early.get(instance);
        return b != null ? Optional.of(b) : view.binding(instance);
    }

    @Override
    public List<TsiBinding> bindings(VsiId vsi) {
        if (early.isEmpty()) {
            return view.bindings(vsi);
        }
        List<TsiBinding> out = new ArrayList<>(view.bindings(vsi));
        for (TsiBinding b : early.values()) {
            if (b.instance().vsi().equals(vsi)) {
                out.add(b);
            }
        }
        return out;
    }

    @Override
    public List<Entry> lookup(int vnId, MacAddress mac) {
        return view.lookup(vnId, mac);
    }

    @Override
    public List<Entry> lookup(int vnId, InetAddress ip) {
        return view.lookup(vnId, ip);
    }

    @Override
    public List<Entry> entries(int vnId) {
        return view.entries(vnId);
    }

    @Override
    public Churn churn(int vnId) {
        return view.churn(vnId);
    }

    // ================================================================== local tags

    @Override
    public Decision<LocalTag> recordLocalTag(LocalTag tag) {
        if (!listed && tag.nve().equals(self)) {
            ownTags.add(tag); // REL-2: restored before the first list; compared with the NVA's at the first list
            return Decision.allow(tag);
        }
        Decision<LocalTag> d = view.recordLocalTag(tag);
        if (d.refusal() == null && tag.nve().equals(self) && ownTags.add(tag)) {
            queue.put(new ReportOp.RecordTag(tag));
        }
        return d;
    }

    @Override
    public boolean releaseLocalTag(LocalTag tag) {
        if (!listed && tag.nve().equals(self)) {
            return ownTags.remove(tag);
        }
        boolean was = view.releaseLocalTag(tag);
        if (was && tag.nve().equals(self) && ownTags.remove(tag)) {
            queue.put(new ReportOp.ReleaseTag(tag));
        }
        return was;
    }

    @Override
    public Optional<LocalTag> localTag(NveId nve, int portScope, int tag) {
        if (!listed && nve.equals(self)) {
            for (LocalTag t : ownTags) {
                if (t.portScope() == portScope && t.tag() == tag) {
                    return Optional.of(t);
                }
            }
        }
        return view.localTag(nve, portScope, tag);
    }

    @Override
    public List<LocalTag> localTags(int vnId) {
        if (listed) {
            return view.localTags(vnId);
        }
        List<LocalTag> out = new ArrayList<>(view.localTags(vnId));
        for (LocalTag t : ownTags) {
            if (t.vnId() == vnId) {
                out.add(t);
            }
        }
        return out;
    }

    // ================================================================== VN registry and policy: the NVA's

    @Override
    public String incompleteBecause() {
        return connected ? null : UNREACHABLE;
    }

    /** Refused: VNs are defined at the NVA (NVA-1), not by an nNVE. */
    @Override
    public Decision<VnRecord> addVn(VnRecord vn) {
        return Decision.refuse(Refusal.NOT_OWNER, "VNs are defined at the NVA, not by " + self);
    }

    /** Refused: VNs are defined at the NVA (NVA-1), not by an nNVE. */
    @Override
    public Decision<VnRecord> removeVn(int vnId) {
        return Decision.refuse(Refusal.NOT_OWNER, "VNs are defined at the NVA, not by " + self);
    }

    @Override
    public Optional<VnRecord> vn(VnId vn) {
        return view.vn(vn);
    }

    @Override
    public Optional<VnRecord> vnById(int vnId) {
        return view.vnById(vnId);
    }

    @Override
    public Optional<VnRecord> vnByName(UUID name) {
        return view.vnByName(name);
    }

    @Override
    public Optional<VnRecord> vnByAlias(String alias) {
        return view.vnByAlias(alias);
    }

    @Override
    public List<VnRecord> vns() {
        return view.vns();
    }

    private static UnsupportedOperationException policyAtNva() {
        return new UnsupportedOperationException("the policy is the NVA's (NVA-1): change it there");
    }

    @Override
    public void permitEndDevice(EndDeviceRule rule) {
        throw policyAtNva();
    }

    @Override
    public boolean revokeEndDevice(EndDeviceRule rule) {
        throw policyAtNva();
    }

    @Override
    public void permitTsi(TsiRule rule) {
        throw policyAtNva();
    }

    @Override
    public boolean revokeTsi(TsiRule rule) {
        throw policyAtNva();
    }

    @Override
    public void putTsiRecord(TsiRecord record) {
        throw policyAtNva();
    }

    @Override
    public boolean removeTsiRecord(VsiId vsi, int vnId) {
        throw policyAtNva();
    }

    @Override
    public Optional<TsiRecord> tsiRecord(VsiId vsi, int vnId) {
        return view.tsiRecord(vsi, vnId);
    }

    @Override
    public Decision<EndDevice> authoriseEndDevice(EndDevice device) {
        return view.authoriseEndDevice(device);
    }

    @Override
    public Decision<VnRecord> connectVn(EndDevice device, VnId vn) {
        return unreachable(view.connectVn(device, vn));
    }

    @Override
    public Decision<TsiGrant> authoriseTsi(EndDevice device, VsiId vsi, int vnId, List<TsiAddress> addresses,
            List<Parameter> parameters) {
        return unreachable(view.authoriseTsi(device, vsi, vnId, addresses, parameters));
    }

    /** NVA-5: an unknown VN while cut off says why. */
    private <T> Decision<T> unreachable(Decision<T> d) {
        if (!connected && d instanceof Decision.Refused<T> r && r.reason() == Refusal.UNKNOWN_VN) {
            return Decision.refuse(Refusal.UNKNOWN_VN, r.detail() + ": " + UNREACHABLE);
        }
        return d;
    }

    // ================================================================== listeners

    @Override
    public void addListener(NvaListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    @Override
    public void removeListener(NvaListener listener) {
        listeners.remove(listener);
    }
}
