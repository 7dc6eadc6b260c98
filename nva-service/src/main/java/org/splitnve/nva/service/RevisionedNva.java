package org.splitnve.nva.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.splitnve.nva.Decision;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.LocalTag;
import org.splitnve.nva.NveId;
import org.splitnve.nva.ProvisioningMode;
import org.splitnve.nva.Refusal;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.TsiRecord;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.service.store.Batch;
import org.splitnve.nva.service.store.Loaded;
import org.splitnve.nva.service.store.SharedStore;
import org.splitnve.nva.service.store.Store;
import org.splitnve.nva.service.store.StoreConflict;
import org.splitnve.nva.service.store.StoreException;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * The authority's state, revisioned (issue 10; docs/nva-protocol.md, docs/nva.md): one NVA above every nNVE.
 *
 * <p>Every change, an nNVE's {@link Report} or an operator's action, is one transaction: checked, applied, made
 * durable in the {@link Store}, and only then answered and shown to watchers, at a new revision with one
 * {@link Change} in the change log. A change that changes nothing makes no revision. The log is bounded
 * ({@link Options#maxLogEvents}); a {@link Watch} from before its start gets {@link Poll.TooOld} (NVA-4).
 *
 * <p>Reports are applied in their order, once (NVA-3: {@link #report}); each nNVE changes only its own entries
 * (NVA-7); address claims are ordered by mobility sequence numbers (NVA-6, {@link ReportOp.Bind}).
 *
 * <p>Thread-safe: one lock serialises changes, lists and polls. On a store it is the only writer of, commits are
 * grouped (docs/nva.md section 1.1): changes are applied in memory under the lock, one revision each, and a leader
 * makes all those applied since the last commit durable in one {@link Store#commit}, outside the lock, while the
 * next ones are applied. Nothing is seen (reads, lists, watches, the revision) before it is durable, and each
 * caller is answered once its change is. Watchers wait on a condition, never in the store.
 *
 * <p>On a {@link SharedStore} (etcd: several NVA instances at once, docs/nva.md section 4) the NVA is one writer
 * among several: it follows the store, applying the changes other instances commit to its state, its change log
 * and its watchers (same revisions on every instance), and when its commit is refused with
 * {@link StoreConflict} it catches up and makes the change again against the new state. On any other store it is
 * the only writer, as before.
 */
public final class RevisionedNva implements AutoCloseable {
    private static final String OPERATOR = "operator";
    /** The most events one poll returns; the watcher polls again for the rest. */
    public static final int MAX_POLL_EVENTS = 8192;
    /** How often a change refused by a shared store's guard is made again before it is refused. */
    static final int MAX_CONFLICTS = 64;

    private final Store store;
    /** The same store when other NVA instances write it too; null when this NVA is its only writer. */
    private final SharedStore shared;
    private final Options options;
    private final InstantSource clock;
    private final EventSink events;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition advanced = lock.newCondition();
    private final Condition acked = lock.newCondition();
    /** Group commit: signalled when a group is taken by its leader, and when it is durable or failed. */
    private final Condition grouped = lock.newCondition();

    private String historyId;
    private long revision;
    private long compactedThrough;
    private final TreeMap<Long, Change> log = new TreeMap<>();
    private long logEvents;

    private final Map<ResourceKey, Resource> state = new HashMap<>();
    private final Map<Integer, VnRecord> vns = new LinkedHashMap<>();
    /** Per VN, per claim key (a MAC, or an IP address or prefix): the mapping entries holding it. */
    private final Map<Integer, Map<TsiAddress, Set<ResourceKey>>> holders = new HashMap<>();
    /** Per nNVE, the receipts of its last {@link Report#WINDOW} reports, oldest first. */
    private final Map<NveId, ArrayDeque<Receipt>> receipts = new HashMap<>();
    private final Map<NveId, Long> acknowledged = new HashMap<>();
    /** The credentials by their SHA-256 (hexadecimal): who a bearer token is, in one look-up (NVA-7). */
    private final Map<String, NveId> credentials = new HashMap<>();
    /** Per VN and claim key: when it moved between nNVEs lately (RFC 7432 section 15.1); not stored. */
    private final Map<MoveKey, ArrayDeque<Instant>> moves = new HashMap<>();
    private long duplicateActivations;
    private long divergences;
    private boolean closed;
    private final Digests digests = new Digests();

    // group commit (a store this NVA is the only writer of; docs/nva.md section 1.1)
    /** The revision of the last change applied in memory: {@link #revision} plus the changes not yet durable. */
    private long appliedRevision;
    /** Changes applied in memory and waiting for the next commit, in order. */
    private List<Pending> open = new ArrayList<>();
    /** The group a leader is making durable outside the lock, or null. */
    private List<Pending> committing;
    /**
     * For each key a change not yet durable wrote: its durable value (null: absent). Reads, lists and the
     * registry see these, never what is not durable yet.
     */
    private final Map<ResourceKey, Resource> durable = new HashMap<>();
    /** Per nNVE, its newest report not yet durable. */
    private final Map<NveId, Pending> pendingReport = new HashMap<>();

    /** A change applied in memory, waiting to be durable (group commit). */
    private static final class Pending {
        final Tx tx;
        final NveId nve;
        final Receipt receipt;
        final Change change;
        /** The revision it is in force at: its change's, or the one before it when it changed nothing. */
        final long at;
        Outcome outcome;
        String failure = "";

        Pending(Tx tx, NveId nve, Receipt receipt, Change change, long at) {
            this.tx = tx;
            this.nve = nve;
            this.receipt = receipt;
            this.change = change;
            this.at = at;
        }
    }

    private enum Outcome {
        /** Durable and in force: answer it. */
        DURABLE,
        /** Its group's commit failed: undone, refused with STORE_FAILURE. */
        FAILED,
        /** Undone because a group before it failed: made again against the state without that group. */
        AGAIN
    }

    private record MoveKey(int vnId, TsiAddress claim) {
    }

    private RevisionedNva(Store store, Options options, InstantSource clock, EventSink events) {
        this.store = store;
        this.options = options;
        this.clock = clock;
        this.events = events;
        this.shared = store instanceof SharedStore s ? s : null;
        Loaded l = store.load();
        this.historyId = l.historyId();
        loaded(l);
    }

    /** Takes what the store holds as the state, the log and the receipts (at open, and at a shared store's reload). */
    private void loaded(Loaded l) {
        historyId = l.historyId();
        revision = l.revision();
        compactedThrough = l.compactedThrough();
        state.clear();
        vns.clear();
        holders.clear();
        log.clear();
        logEvents = 0;
        receipts.clear();
        for (Resource r : l.resources()) {
            put(r.key(), r);
        }
        appliedRevision = revision;
        digests.reset(l.resources(), revision);
        for (Change c : l.log()) {
            log.put(c.revision(), c);
            logEvents += c.events().size();
        }
        for (Map.Entry<NveId, List<Receipt>> e : l.receipts().entrySet()) {
            ArrayDeque<Receipt> q = new ArrayDeque<>(e.getValue());
            while (q.size() > Report.WINDOW) {
                q.pollFirst();
            }
            receipts.put(e.getKey(), q);
        }
    }

    /**
     * Opens the NVA on what the store holds. The store belongs to it from now on ({@link #close} closes it). On a
     * {@link SharedStore} it starts following the other instances' commits.
     */
    public static RevisionedNva open(Store store, Options options, InstantSource clock, EventSink events) {
        RevisionedNva nva = new RevisionedNva(Objects.requireNonNull(store), Objects.requireNonNull(options),
                Objects.requireNonNull(clock), Objects.requireNonNull(events));
        if (nva.shared != null) {
            nva.shared.follow(nva.new Following());
        }
        return nva;
    }

    // ================================================================== following a shared store

    /** What the shared store tells this NVA about commits, its own and other instances'. */
    private final class Following implements SharedStore.Follower {
        @Override
        public long revision() {
            return RevisionedNva.this.revision();
        }

        @Override
        public void committed(List<Change> changes, Map<NveId, Receipt> receipts, long compacted) {
            lock.lock();
            try {
                if (closed) {
                    return;
                }
                for (Change c : changes) {
                    if (c.revision() <= revision) {
                        continue; // this instance's own commit, or one it caught up with already
                    }
                    if (c.revision() != revision + 1) {
                        catchUp("change " + c.revision() + " does not follow " + revision);
                        break;
                    }
                    followed(c);
                }
                receipts.forEach(RevisionedNva.this::remember);
                compactTo(compacted);
            } catch (StoreException e) {
                events.accept(new ServiceEvent.StoreFailed("follow", String.valueOf(e.getMessage())));
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void resync(String why) {
            lock.lock();
            try {
                if (!closed) {
                    catchUp(why);
                }
            } catch (StoreException e) {
                events.accept(new ServiceEvent.StoreFailed("follow", String.valueOf(e.getMessage())));
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Brings the state up to the shared store's: the changes after this NVA's revision, or everything again when
     * the store no longer keeps them all (its log was compacted past this revision). Under the lock.
     */
    private void catchUp(String why) {
        while (true) {
            SharedStore.Tail t = shared.since(revision);
            if (t.compactedThrough() > revision) {
                long from = revision;
                loaded(shared.load());
                events.accept(new ServiceEvent.Reloaded(from, revision, compactedThrough, why));
                advanced.signalAll();
                return;
            }
            for (Change c : t.changes()) {
                if (c.revision() == revision + 1) {
                    followed(c);
                } else if (c.revision() > revision) {
                    throw new StoreException("the store's log skips from " + revision + " to " + c.revision());
                }
            }
            compactTo(t.compactedThrough());
            if (t.changes().isEmpty() || revision >= t.revision()) {
                return;
            }
        }
    }

    /** Applies a change another instance committed: the state, the log, the watchers (under the lock). */
    private void followed(Change c) {
        List<Digests.Write> writes = new ArrayList<>(c.events().size());
        for (ChangeEvent e : c.events()) {
            switch (e) {
                case ChangeEvent.Put p -> {
                    writes.add(new Digests.Write(p.key(), state.get(p.key()), p.resource()));
                    put(p.key(), p.resource());
                }
                case ChangeEvent.Removed r -> {
                    writes.add(new Digests.Write(r.key(), state.get(r.key()), null));
                    put(r.key(), null);
                }
                case ChangeEvent.Withdrawal w -> {
                }
            }
        }
        revision = c.revision();
        appliedRevision = revision;
        digests.changed(revision, writes, compactedThrough);
        log.put(revision, c);
        logEvents += c.events().size();
        events.accept(new ServiceEvent.Followed(revision, c.source(), c.events().size()));
        advanced.signalAll();
    }

    /** Forgets the log up to {@code through} (a compaction another instance made); never goes back. */
    private void compactTo(long through) {
        if (through <= compactedThrough) {
            return;
        }
        compactedThrough = Math.min(through, revision);
        while (!log.isEmpty() && log.firstKey() <= compactedThrough) {
            logEvents -= log.pollFirstEntry().getValue().events().size();
        }
    }

    /** Keeps a receipt of an nNVE's report unless a newer one is kept already. */
    private void remember(NveId nve, Receipt r) {
        ArrayDeque<Receipt> q = receipts.computeIfAbsent(nve, k -> new ArrayDeque<>());
        if (q.isEmpty() || q.peekLast().seq() < r.seq()) {
            q.addLast(r);
            while (q.size() > Report.WINDOW) {
                q.pollFirst();
            }
        }
    }

    /** On a shared store: the state and this nNVE's receipts as committed by every instance (under the lock). */
    private void refresh(NveId nve) {
        catchUp("report of " + nve + " out of this instance's order");
        List<Receipt> stored = shared.receipts(nve);
        Receipt mine = last(nve);
        if (!stored.isEmpty() && (mine == null || stored.getLast().seq() > mine.seq())) {
            receipts.put(nve, new ArrayDeque<>(stored));
        }
    }

    @Override
    public void close() {
        boolean closing;
        lock.lock();
        try {
            closing = !closed;
            closed = true;
            advanced.signalAll();
            acked.signalAll();
            while (committing != null || !open.isEmpty()) {
                grouped.awaitUninterruptibly(); // changes already applied are made durable (or failed) and answered
            }
        } finally {
            lock.unlock();
        }
        if (closing) {
            store.close(); // outside the lock: a shared store's watch thread may be waiting for it
        }
    }

    // ================================================================== reading

    public String historyId() {
        return historyId;
    }

    public long revision() {
        lock.lock();
        try {
            return revision;
        } finally {
            lock.unlock();
        }
    }

    /** The newest revision no longer in the change log: a watch resumes from it or later. */
    public long compactedThrough() {
        lock.lock();
        try {
            return compactedThrough;
        } finally {
            lock.unlock();
        }
    }

    public Optional<Resource> resource(ResourceKey key) {
        lock.lock();
        try {
            return Optional.ofNullable(visible(key));
        } finally {
            lock.unlock();
        }
    }

    public Optional<MappingEntry> mapping(TsiInstance instance) {
        lock.lock();
        try {
            return Optional.ofNullable(visible(mappingKey(instance)) instanceof Resource.Mapping m ? m.entry() : null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * NVA-8: where an address of a VN lives, the entry that forwards it (one at most, NVA-6), if any.
     *
     * @param claim a MAC ({@code TsiAddress.mac}) or an IP address or prefix without MAC
     */
    public Optional<MappingEntry> whereIs(int vnId, TsiAddress claim) {
        lock.lock();
        try {
            return Optional.ofNullable(visibleOwner(vnId, claim));
        } finally {
            lock.unlock();
        }
    }

    /** How many distinct activations claimed a duplicate address since the NVA started (a metric). */
    public long duplicateActivations() {
        lock.lock();
        try {
            return duplicateActivations;
        } finally {
            lock.unlock();
        }
    }

    /** The receipt of the last report of an nNVE the NVA applied. */
    public Optional<Receipt> lastReceipt(NveId nve) {
        lock.lock();
        try {
            return Optional.ofNullable(last(nve));
        } finally {
            lock.unlock();
        }
    }

    /** Every resource of an interest, at one revision (docs/nva-protocol.md section 4.1). */
    public Snapshot list(Interest interest) {
        lock.lock();
        try {
            List<Resource> out = new ArrayList<>();
            for (Map.Entry<ResourceKey, Resource> e : state.entrySet()) {
                if (!durable.containsKey(e.getKey()) && interest.covers(e.getValue())) {
                    out.add(e.getValue());
                }
            }
            for (Resource r : durable.values()) { // what changes not yet durable replaced or removed
                if (r != null && interest.covers(r)) {
                    out.add(r);
                }
            }
            out.sort((a, b) -> a.key().compareTo(b.key()));
            return new Snapshot(historyId, revision, out);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A watch of an interest from a revision the watcher has (everything after it comes, in order): from a
     * {@link Snapshot}'s revision, or from the last revision it applied. {@code historyId} is the history that
     * revision belongs to; another history answers {@link Poll.TooOld} (NVA-4).
     */
    public Watch watch(Interest interest, String historyId, long fromRevision) {
        return new Watch(this, interest, historyId, fromRevision);
    }

    /** The session an nNVE opens (docs/nva-protocol.md section 6). */
    public SessionInfo session(NveId nve) {
        lock.lock();
        try {
            Receipt r = last(nve);
            Resource reg = visible(ResourceKey.nve(nve));
            return new SessionInfo(historyId, revision, compactedThrough, r == null ? 0 : r.seq(),
                    acknowledged.getOrDefault(nve, 0L), reg instanceof Resource.Nve n ? n.registration() : null);
        } finally {
            lock.unlock();
        }
    }

    Poll poll(Watch w, Duration maxWait) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        lock.lock();
        try {
            while (!closed && w.position == revision && w.historyId.equals(historyId)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return new Poll.Changes(List.of(), revision);
                }
                advanced.awaitNanos(left);
            }
            if (!w.historyId.equals(historyId) || w.position > revision || w.position < compactedThrough) {
                events.accept(new ServiceEvent.WatchTooOld(w.interest.everything() ? OPERATOR
                        : w.interest.nve().name(), w.position, compactedThrough, revision));
                return new Poll.TooOld(historyId, compactedThrough, revision);
            }
            List<Change> out = new ArrayList<>();
            int n = 0;
            for (Change c : log.tailMap(w.position, false).values()) {
                List<ChangeEvent> mine = new ArrayList<>();
                for (ChangeEvent e : c.events()) {
                    if (w.interest.covers(e)) {
                        mine.add(e);
                    }
                }
                if (!mine.isEmpty()) {
                    out.add(mine.size() == c.events().size() ? c : new Change(c.revision(), c.source(), mine));
                    n += mine.size();
                }
                w.position = c.revision();
                if (n >= MAX_POLL_EVENTS) {
                    break;
                }
            }
            return new Poll.Changes(out, w.position);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Poll.Changes(List.of(), w.position);
        } finally {
            lock.unlock();
        }
    }

    // ================================================================== acknowledgements (nb_cfg)

    /**
     * An nNVE has applied everything up to {@code revision} (to its replica and data plane): docs/nva-protocol.md
     * section 7. Acknowledgements only go up; one beyond the NVA's revision is refused.
     */
    public void acknowledge(NveId nve, long appliedRevision) {
        lock.lock();
        try {
            if (appliedRevision < 0 || appliedRevision > revision) {
                throw new IllegalArgumentException(nve + " acknowledges revision " + appliedRevision
                        + ", the NVA is at " + revision);
            }
            acknowledged.merge(nve, appliedRevision, Math::max);
            acked.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * An acknowledgement with the digest of the nNVE's replica at that revision (docs/nva-protocol.md sections 7
     * and 12; NVA-4). The NVA compares it with the digest of the nNVE's interest (the VNs its registration serves
     * now) at that revision: {@link Digest.Audit#DIVERGED} means the replica does not hold what the NVA does,
     * and the nNVE must list again; the acknowledgement is then not recorded, and the divergence is counted
     * ({@link #divergences()}, {@link ServiceEvent.ReplicaDiverged}). {@link Digest.Audit#UNCHECKED} when the NVA
     * no longer knows that revision's digest (older than the change log's start) or no digest came.
     */
    public Digest.Audit acknowledge(NveId nve, long appliedRevision, Digest replica) {
        lock.lock();
        try {
            if (appliedRevision < 0 || appliedRevision > revision) {
                throw new IllegalArgumentException(nve + " acknowledges revision " + appliedRevision
                        + ", the NVA is at " + revision);
            }
            Digest expected = replica == null ? null : digests.at(interestOf(nve), appliedRevision, compactedThrough);
            if (expected != null && !expected.equals(replica)) {
                divergences++;
                events.accept(new ServiceEvent.ReplicaDiverged(nve.name(), appliedRevision, expected.count(),
                        replica.count(), divergences));
                return Digest.Audit.DIVERGED;
            }
            acknowledged.merge(nve, appliedRevision, Math::max);
            acked.signalAll();
            return expected == null ? Digest.Audit.UNCHECKED : Digest.Audit.MATCHES;
        } finally {
            lock.unlock();
        }
    }

    /** An nNVE's interest: its resources and the VNs its (durable) registration serves. */
    private Interest interestOf(NveId nve) {
        NveRegistration reg = visible(ResourceKey.nve(nve)) instanceof Resource.Nve n ? n.registration() : null;
        return Interest.of(nve, reg == null ? Set.of() : reg.vns());
    }

    /**
     * The digest of an interest at a revision (section 12), if the NVA still knows it: from the change log's start
     * (and the NVA's start) to its revision. Costs a few look-ups per VN of the interest, whatever their size.
     */
    public Optional<Digest> digest(Interest interest, long atRevision) {
        lock.lock();
        try {
            return atRevision > revision ? Optional.empty()
                    : Optional.ofNullable(digests.at(interest, atRevision, compactedThrough));
        } finally {
            lock.unlock();
        }
    }

    /**
     * The digest of an nNVE's own mapping entries and local tags as the NVA holds them, at its revision (section
     * 12): the nNVE compares it with {@link Digest#own} of its engine's state.
     */
    public Digest.At ownDigest(NveId nve) {
        lock.lock();
        try {
            return new Digest.At(revision, digests.own(nve));
        } finally {
            lock.unlock();
        }
    }

    /** How many acknowledgements carried a digest that did not match (replicas that diverged) since the start. */
    public long divergences() {
        lock.lock();
        try {
            return divergences;
        } finally {
            lock.unlock();
        }
    }

    /** The revision every registered nNVE has applied: the lowest acknowledgement (0 if one never acknowledged). */
    public long inForceEverywhere() {
        lock.lock();
        try {
            return inForceLocked();
        } finally {
            lock.unlock();
        }
    }

    private long inForceLocked() {
        long min = revision;
        for (Map.Entry<ResourceKey, Resource> e : state.entrySet()) {
            if (e.getValue() instanceof Resource.Nve n && !durable.containsKey(e.getKey())) {
                min = Math.min(min, acknowledged.getOrDefault(n.registration().nve(), 0L));
            }
        }
        for (Resource r : durable.values()) {
            if (r instanceof Resource.Nve n) {
                min = Math.min(min, acknowledged.getOrDefault(n.registration().nve(), 0L));
            }
        }
        return min;
    }

    /** Waits until every registered nNVE has applied {@code rev}; whether it happened in time. */
    public boolean awaitInForce(long rev, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (inForceLocked() < rev) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return false;
                }
                acked.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ================================================================== authentication (NVA-7)

    /** The operator gives an nNVE its token; the NVA keeps only its SHA-256. */
    public Applied<NveId> setCredential(NveId nve, String token) {
        if (token == null || token.length() < 16) {
            throw new IllegalArgumentException("a token has at least 16 characters");
        }
        String hash = HexFormat.of().formatHex(sha256(token));
        return admin(tx -> {
            tx.write(ResourceKey.credential(nve), new Resource.Credential(nve, hash));
            return Decision.allow(nve);
        });
    }

    /** Whether {@code token} is the nNVE's (compared in constant time). */
    public boolean authenticate(NveId nve, String token) {
        if (token == null) {
            return false;
        }
        Resource r = resource(ResourceKey.credential(nve)).orElse(null);
        return r instanceof Resource.Credential c
                && MessageDigest.isEqual(HexFormat.of().parseHex(c.tokenSha256()), sha256(token));
    }

    /**
     * NVA-7: the nNVE whose token this is, if any (the principal of a request that carries only a bearer
     * token: docs/nva-protocol.md section 9). The token is hashed once and looked up by its SHA-256, so the
     * answer costs the same whichever nNVE it is and however many there are.
     */
    public Optional<NveId> principal(String token) {
        if (token == null || token.length() < 16) {
            return Optional.empty();
        }
        String hash = HexFormat.of().formatHex(sha256(token));
        lock.lock();
        try {
            NveId nve = credentials.get(hash);
            if (nve == null || durable.isEmpty()) {
                return Optional.ofNullable(nve);
            }
            // a credential set or replaced by a change not yet durable does not count yet
            return visible(ResourceKey.credential(nve)) instanceof Resource.Credential c && c.tokenSha256().equals(hash)
                    ? Optional.of(nve) : Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    // ================================================================== the operator's actions (NVA-1, NVA-8)

    /** The answer to an operator's action: the decision, and the revision it is in force at. */
    public record Applied<T>(Decision<T> decision, long revision) {
    }

    public Applied<VnRecord> addVn(VnRecord vn) {
        return admin(tx -> {
            for (VnRecord o : vns.values()) {
                if (o.name().equals(vn.name())) {
                    return Decision.refuse(Refusal.VN_NAME_IN_USE, vn.name() + " is " + vn(o.id()));
                }
                if (o.id() == vn.id()) {
                    return Decision.refuse(Refusal.VN_ID_IN_USE, vn(vn.id()) + " is \"" + o.alias() + '"');
                }
                if (o.alias().toLowerCase(Locale.ROOT).equals(vn.alias().toLowerCase(Locale.ROOT))) {
                    return Decision.refuse(Refusal.VN_ALIAS_IN_USE, '"' + vn.alias() + "\" is " + vn(o.id()));
                }
                if (o.context() == vn.context()) {
                    return Decision.refuse(Refusal.VN_CONTEXT_IN_USE, "VNI " + vn.context() + " is " + vn(o.id()));
                }
            }
            tx.write(ResourceKey.vn(vn.id()), new Resource.Vn(vn));
            return Decision.allow(vn);
        });
    }

    /** Removes a VN with everything in it: entries, tags, rules, records, duplicates (each removal an event). */
    public Applied<VnRecord> removeVn(int vnId) {
        return admin(tx -> {
            VnRecord vn = vns.get(vnId);
            if (vn == null) {
                return Decision.refuse(Refusal.UNKNOWN_VN, vn(vnId));
            }
            for (ResourceKey k : keysWhere(r -> r.vnId() != null && r.vnId() == vnId && !(r instanceof Resource.Vn))) {
                tx.write(k, null);
            }
            tx.write(ResourceKey.vn(vnId), null);
            return Decision.allow(vn);
        });
    }

    public Applied<EndDeviceRule> permitEndDevice(EndDeviceRule rule) {
        return admin(tx -> {
            tx.write(new Resource.DevicePermit(rule).key(), new Resource.DevicePermit(rule));
            return Decision.allow(rule);
        });
    }

    public Applied<EndDeviceRule> revokeEndDevice(EndDeviceRule rule) {
        return admin(tx -> {
            tx.write(new Resource.DevicePermit(rule).key(), null);
            return Decision.allow(rule);
        });
    }

    public Applied<TsiRule> permitTsi(TsiRule rule) {
        return admin(tx -> {
            if (!vns.containsKey(rule.vnId())) {
                return Decision.refuse(Refusal.UNKNOWN_VN, vn(rule.vnId()));
            }
            tx.write(new Resource.TsiPermit(rule).key(), new Resource.TsiPermit(rule));
            return Decision.allow(rule);
        });
    }

    public Applied<TsiRule> revokeTsi(TsiRule rule) {
        return admin(tx -> {
            tx.write(new Resource.TsiPermit(rule).key(), null);
            return Decision.allow(rule);
        });
    }

    public Applied<TsiRecord> putTsiRecord(TsiRecord record) {
        return admin(tx -> {
            if (!vns.containsKey(record.vnId())) {
                return Decision.refuse(Refusal.UNKNOWN_VN, vn(record.vnId()));
            }
            tx.write(new Resource.ValidatedTsi(record).key(), new Resource.ValidatedTsi(record));
            return Decision.allow(record);
        });
    }

    public Applied<VsiId> removeTsiRecord(VsiId vsi, int vnId) {
        return admin(tx -> {
            tx.write(ResourceKey.tsiRecord(vnId, vsi), null);
            return Decision.allow(vsi);
        });
    }

    /** Adds an nNVE to the registry, or changes its VTEP address (the VNs it serves are its own to say). */
    public Applied<NveRegistration> registerNve(NveId nve, java.net.InetAddress vtep) {
        return admin(tx -> {
            NveRegistration had = registration(nve);
            NveRegistration reg = new NveRegistration(nve, vtep, had == null ? Set.of() : had.vns());
            tx.write(reg.key(), new Resource.Nve(reg));
            return Decision.allow(reg);
        });
    }

    /**
     * Removes an nNVE with its entries and tags (draft-ietf-nvo3-nve-nva-cp-req section 4: mappings an NVE created
     * go when it goes), its end-device rules and its credential.
     */
    public Applied<NveId> removeNve(NveId nve) {
        return admin(tx -> {
            if (registration(nve) == null) {
                return Decision.refuse(Refusal.UNKNOWN_NVE, nve.name());
            }
            for (ResourceKey k : keysWhere(r -> nve.equals(r.nve()))) {
                tx.write(k, null);
            }
            return Decision.allow(nve);
        });
    }

    /** An operator clears a duplicate address (RFC 7432 section 15.1): claims of it are processed again. */
    public Applied<TsiAddress> clearDuplicate(int vnId, TsiAddress claim) {
        return admin(tx -> {
            ResourceKey k = ResourceKey.duplicate(vnId, claim);
            if (!state.containsKey(k)) {
                return Decision.refuse(Refusal.UNKNOWN_TSI_INSTANCE, "no duplicate " + claim + " in " + vn(vnId));
            }
            tx.write(k, null);
            moves.remove(new MoveKey(vnId, claim));
            return Decision.allow(claim);
        });
    }

    private <T> Applied<T> admin(Function<Tx, Decision<T>> action) {
        lock.lock();
        try {
            checkOpen();
            for (int attempt = 1; ; attempt++) {
                Tx tx = new Tx(OPERATOR);
                Decision<T> d = action.apply(tx);
                if (d instanceof Decision.Refused<T> r) {
                    tx.rollback();
                    events.accept(new ServiceEvent.Refused(OPERATOR, 0, "", r.reason().name(), r.detail()));
                    return new Applied<>(d, revision);
                }
                if (shared == null) {
                    Pending p = enqueue(tx, null, null);
                    awaitDurable(p);
                    switch (p.outcome) {
                        case DURABLE -> {
                            return new Applied<>(d, p.at);
                        }
                        case FAILED -> {
                            return new Applied<>(Decision.refuse(Refusal.STORE_FAILURE, p.failure), revision);
                        }
                        case AGAIN -> {
                            continue; // a group before it failed: the action again, on the state without it
                        }
                    }
                }
                try {
                    commit(tx, Map.of());
                } catch (StoreConflict e) {
                    if (attempt < MAX_CONFLICTS && catchUpAfter(e)) {
                        continue; // the action again, against the state another instance made
                    }
                    return new Applied<>(Decision.refuse(Refusal.STORE_FAILURE, e.getMessage()), revision);
                } catch (StoreException e) {
                    return new Applied<>(Decision.refuse(Refusal.STORE_FAILURE, e.getMessage()), revision);
                }
                return new Applied<>(d, revision);
            }
        } finally {
            lock.unlock();
        }
    }

    /** After a refused guard: catches up with the shared store; false when even that fails. */
    private boolean catchUpAfter(StoreConflict e) {
        try {
            catchUp(String.valueOf(e.getMessage()));
            return true;
        } catch (StoreException failed) {
            events.accept(new ServiceEvent.StoreFailed("catch-up", String.valueOf(failed.getMessage())));
            return false;
        }
    }

    // ================================================================== reports of the nNVEs (NVA-3)

    /**
     * Applies an nNVE's report (NVA-3): in order (a report that skips a number is refused with
     * {@link Refusal#REPORT_OUT_OF_ORDER}, nothing applied), once (a report already applied changes nothing and
     * is answered {@link Receipt.Status#REPEATED} with its first receipt, at the same revision, for the last
     * {@link Report#WINDOW} reports: as many as an nNVE may have in flight),
     * operation by operation (a refused operation changes nothing; the others apply), in one revision, durable
     * before the answer (NVA-2).
     *
     * @param principal the nNVE the session authenticated (NVA-7), never a name taken from the report
     */
    public Receipt report(NveId principal, Report report) {
        lock.lock();
        try {
            checkOpen();
            if (shared != null) {
                Receipt last = last(principal);
                if (report.seq() != (last == null ? 0 : last.seq()) + 1) {
                    try {
                        refresh(principal); // another instance may have applied reports of this nNVE
                    } catch (StoreException e) {
                        return new Receipt(report.seq(), revision, List.of(), Receipt.Status.REFUSED,
                                Refusal.STORE_FAILURE, e.getMessage());
                    }
                }
            }
            if (shared == null) {
                return reportGrouped(principal, report);
            }
            for (int attempt = 1; ; attempt++) {
                try {
                    return reportOnce(principal, report);
                } catch (StoreConflict e) {
                    boolean caughtUp = attempt < MAX_CONFLICTS && catchUpAfter(e);
                    if (caughtUp) {
                        try {
                            refresh(principal);
                            continue; // the report again: applied against the new state, or answered repeated
                        } catch (StoreException failed) {
                            e.addSuppressed(failed);
                        }
                    }
                    return new Receipt(report.seq(), revision, List.of(), Receipt.Status.REFUSED,
                            Refusal.STORE_FAILURE, e.getMessage());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A report on a store this NVA is the only writer of: applied in memory, then made durable with the other
     * changes applied meanwhile (group commit), answered once durable. One report per nNVE per group (a
     * {@link Batch} holds one receipt per nNVE); a report whose number is not durable yet (sent again while the
     * first is being committed) waits for it and is answered as it ends.
     */
    private Receipt reportGrouped(NveId principal, Report report) {
        while (true) {
            Pending mine = pendingReport.get(principal);
            while (mine != null && (report.seq() <= mine.receipt.seq() || open.contains(mine))) {
                grouped.awaitUninterruptibly();
                mine = pendingReport.get(principal);
            }
            Receipt last = mine != null ? mine.receipt : last(principal);
            Receipt answer = answerWithoutApplying(principal, report, last == null ? 0 : last.seq());
            if (answer != null) {
                return answer;
            }
            Tx tx = new Tx(principal.name());
            List<Receipt.Result> results = applyOps(tx, principal, report);
            long rev = tx.events.isEmpty() ? appliedRevision : appliedRevision + 1;
            Pending p = enqueue(tx, principal, new Receipt(report.seq(), rev, results, Receipt.Status.APPLIED, null,
                    ""));
            awaitDurable(p);
            switch (p.outcome) {
                case DURABLE -> {
                    return p.receipt;
                }
                case FAILED -> {
                    return new Receipt(report.seq(), revision, List.of(), Receipt.Status.REFUSED,
                            Refusal.STORE_FAILURE, p.failure);
                }
                case AGAIN -> {
                    // a group before it failed: the report again, against the state without that group
                }
            }
        }
    }

    /** A repeated report's first receipt, or the refusal of one out of order; null when it is to be applied. */
    private Receipt answerWithoutApplying(NveId principal, Report report, long lastSeq) {
        if (report.seq() <= lastSeq) {
            for (Receipt r : receipts.get(principal)) {
                if (r.seq() == report.seq()) {
                    return r.repeated();
                }
            }
            return new Receipt(report.seq(), receipts.get(principal).peekFirst().revision(), List.of(),
                    Receipt.Status.REPEATED, null, "report " + report.seq() + " was applied before the last "
                            + Report.WINDOW + " reports; its results are no longer kept");
        }
        if (report.seq() != lastSeq + 1) {
            return new Receipt(report.seq(), revision, List.of(), Receipt.Status.REFUSED,
                    Refusal.REPORT_OUT_OF_ORDER, "expected report " + (lastSeq + 1));
        }
        return null;
    }

    private List<Receipt.Result> applyOps(Tx tx, NveId principal, Report report) {
        List<Receipt.Result> results = new ArrayList<>(report.ops().size());
        for (ReportOp op : report.ops()) {
            Receipt.Result r = apply(tx, principal, op);
            if (!r.applied()) {
                events.accept(new ServiceEvent.Refused(principal.name(), report.seq(),
                        op.getClass().getSimpleName(), r.refusal().name(), r.detail()));
            }
            results.add(r);
        }
        return results;
    }

    /** One attempt at a report; throws {@link StoreConflict} when another instance committed first. */
    private Receipt reportOnce(NveId principal, Report report) {
        {
            Receipt last = last(principal);
            Receipt answer = answerWithoutApplying(principal, report, last == null ? 0 : last.seq());
            if (answer != null) {
                return answer;
            }
            Tx tx = new Tx(principal.name());
            List<Receipt.Result> results = applyOps(tx, principal, report);
            long rev = tx.events.isEmpty() ? revision : revision + 1;
            Receipt receipt = new Receipt(report.seq(), rev, results, Receipt.Status.APPLIED, null, "");
            try {
                commit(tx, Map.of(principal, receipt));
            } catch (StoreConflict e) {
                throw e;
            } catch (StoreException e) {
                return new Receipt(report.seq(), revision, List.of(), Receipt.Status.REFUSED, Refusal.STORE_FAILURE,
                        e.getMessage());
            }
            ArrayDeque<Receipt> q = receipts.computeIfAbsent(principal, k -> new ArrayDeque<>());
            q.addLast(receipt);
            if (q.size() > Report.WINDOW) {
                q.pollFirst();
            }
            return receipt;
        }
    }

    private Receipt.Result apply(Tx tx, NveId principal, ReportOp op) {
        return switch (op) {
            case ReportOp.Bind b -> bind(tx, principal, b);
            case ReportOp.Unbind u -> {
                if (!u.instance().nve().equals(principal)) {
                    yield notOwner(u.instance().toString(), u.instance().nve());
                }
                ResourceKey k = mappingKey(u.instance());
                yield state.containsKey(k) ? tx.write(k, null) : Receipt.Result.UNCHANGED;
            }
            case ReportOp.MovePort m -> movePort(tx, principal, m);
            case ReportOp.RecordTag t -> {
                LocalTag tag = t.tag();
                if (!tag.nve().equals(principal)) {
                    yield notOwner(tag.toString(), tag.nve());
                }
                if (!vns.containsKey(tag.vnId())) {
                    yield Receipt.Result.refused(Refusal.UNKNOWN_VN, vn(tag.vnId()));
                }
                ResourceKey k = ResourceKey.localTag(tag.nve(), tag.portScope(), tag.tag());
                if (state.get(k) instanceof Resource.Tag had) {
                    yield had.tag().vnId() == tag.vnId() ? Receipt.Result.UNCHANGED
                            : Receipt.Result.refused(Refusal.TAG_IN_USE, "tag " + tag.tag() + " on " + tag.nve() + ":"
                                    + tag.portScope() + " is " + vn(had.tag().vnId()));
                }
                yield tx.write(k, new Resource.Tag(tag));
            }
            case ReportOp.ReleaseTag t -> {
                LocalTag tag = t.tag();
                if (!tag.nve().equals(principal)) {
                    yield notOwner(tag.toString(), tag.nve());
                }
                ResourceKey k = ResourceKey.localTag(tag.nve(), tag.portScope(), tag.tag());
                yield state.get(k) instanceof Resource.Tag had && had.tag().equals(tag) ? tx.write(k, null)
                        : Receipt.Result.UNCHANGED;
            }
            case ReportOp.Serve s -> {
                NveRegistration reg = registration(principal);
                if (reg == null) {
                    yield Receipt.Result.refused(Refusal.UNKNOWN_NVE, principal.name());
                }
                NveRegistration next = reg.withVns(s.vns());
                yield next.equals(reg) ? Receipt.Result.UNCHANGED : tx.write(next.key(), new Resource.Nve(next));
            }
        };
    }

    private Receipt last(NveId nve) {
        ArrayDeque<Receipt> q = receipts.get(nve);
        return q == null ? null : q.peekLast();
    }

    private static Receipt.Result notOwner(String what, NveId owner) {
        return Receipt.Result.refused(Refusal.NOT_OWNER, what + " belongs to " + owner);
    }

    private Receipt.Result movePort(Tx tx, NveId principal, ReportOp.MovePort m) {
        TsiInstance from = m.from();
        if (!from.nve().equals(principal)) {
            return notOwner(from.toString(), from.nve());
        }
        MappingEntry e = entry(mappingKey(from));
        if (e == null) {
            return Receipt.Result.refused(Refusal.UNKNOWN_TSI_INSTANCE, from.toString());
        }
        if (m.toPort() == from.port()) {
            return Receipt.Result.UNCHANGED;
        }
        TsiInstance to = from.onPort(m.toPort());
        if (state.containsKey(mappingKey(to))) {
            return Receipt.Result.refused(Refusal.INSTANCE_EXISTS, to.toString());
        }
        tx.write(mappingKey(from), null);
        MappingEntry moved = e.onPort(m.toPort());
        return tx.write(moved.key(), new Resource.Mapping(moved));
    }

    /**
     * NVA-6. A Bind replaces the instance's entry; an activation claims each of its addresses (every claim key:
     * the MAC, the IP address or prefix) against the entry that forwards it elsewhere, in this order:
     * <ol>
     *   <li>another TSI (another VSI ID) holds the address: on the same nNVE {@link Refusal#ADDRESS_IN_USE}; at
     *       another nNVE, both active, a duplicate ({@link DuplicateAddress.Reason#ANOTHER_TSI}), refused with
     *       {@link Refusal#DUPLICATE_ADDRESS}; otherwise {@link Refusal#ADDRESS_IN_USE};</li>
     *   <li>a frozen duplicate: refused with {@link Refusal#DUPLICATE_ADDRESS} unless this instance forwards it;</li>
     *   <li>the entry in force has a newer sequence number: refused with
     *       {@link Refusal#STALE_MOBILITY_SEQUENCE};</li>
     *   <li>on the same nNVE (another port): the claim wins;</li>
     *   <li>at another nNVE, a newer number, or the same one with {@code migration} set: the claim wins (a move),
     *       unless it is the N-th move within M ({@link Options}): then a frozen duplicate
     *       ({@link DuplicateAddress.Reason#FLAPPING});</li>
     *   <li>at another nNVE, the same number without migration: a duplicate
     *       ({@link DuplicateAddress.Reason#UNORDERED_CLAIM}), refused.</li>
     * </ol>
     * A claim that wins withdraws the address from the entry that had it: its entry lists it as withdrawn, and a
     * {@link ChangeEvent.Withdrawal} tells its nNVE. An address already withdrawn from this instance stays
     * withdrawn, without refusal, unless the claim wins. A duplicate is recorded (and counted) even though the
     * operation is refused.
     */
    private Receipt.Result bind(Tx tx, NveId principal, ReportOp.Bind b) {
        TsiInstance in = b.instance();
        if (!in.nve().equals(principal)) {
            return notOwner(in.toString(), in.nve());
        }
        NveRegistration reg = registration(principal);
        if (reg == null) {
            return Receipt.Result.refused(Refusal.UNKNOWN_NVE, principal.name());
        }
        VnRecord vn = vns.get(in.vnId());
        if (vn == null) {
            return Receipt.Result.refused(Refusal.UNKNOWN_VN, vn(in.vnId()));
        }
        if (!reg.serves(vn.id())) {
            return Receipt.Result.refused(Refusal.VN_NOT_SERVED, principal + " does not serve " + vn(vn.id()));
        }
        List<TsiAddress> addrs = normalise(b.addresses(), vn.id());
        List<TsiAddress> heldIn = normalise(b.held(), vn.id());
        if (addrs == null || heldIn == null) {
            return Receipt.Result.refused(Refusal.ADDRESS_NOT_IN_VN, "an address names another VN than " + vn(vn.id()));
        }
        List<TsiAddress> held = new ArrayList<>(heldIn);
        held.retainAll(addrs);
        if (!vn.service().satisfiedBy(addrs)) {
            return Receipt.Result.refused(Refusal.ADDRESSES_INCOMPLETE, vn.service().need() + " (" + in + ")");
        }
        Receipt.Result policy = policy(vn, in.vsi(), addrs);
        if (policy != null) {
            return policy;
        }
        ResourceKey self = mappingKey(in);
        MappingEntry old = entry(self);
        boolean activation = b.state() == EntryState.FORWARDING;
        if (old != null && activation && MobilitySeq.newer(old.mobilitySeq(), b.mobilitySeq())) {
            return Receipt.Result.refused(Refusal.STALE_MOBILITY_SEQUENCE, in + " is at mobility sequence "
                    + old.mobilitySeq() + ", the report says " + b.mobilitySeq());
        }
        Instant now = clock.instant();
        // 1. another TSI holding one of the addresses
        for (TsiAddress a : addrs) {
            for (TsiAddress k : claimKeys(a)) {
                for (ResourceKey h : holdersOf(vn.id(), k)) {
                    MappingEntry he = entry(h);
                    if (h.equals(self) || he.instance().vsi().equals(in.vsi())) {
                        continue;
                    }
                    if (!he.instance().nve().equals(principal) && activation && !held.contains(a)
                            && forwardsClaim(he, k)) {
                        duplicate(tx, vn.id(), k, DuplicateAddress.Reason.ANOTHER_TSI, false, in, b.mobilitySeq(), now);
                        return Receipt.Result.refused(Refusal.DUPLICATE_ADDRESS, k + " is forwarded by "
                                + he.instance() + " (another TSI)");
                    }
                    return Receipt.Result.refused(Refusal.ADDRESS_IN_USE, a + " is held by " + he.instance());
                }
            }
        }
        // 2..6. the claims of an activation
        List<TsiAddress> withdrawn = new ArrayList<>();
        Map<ResourceKey, List<TsiAddress>> losses = new LinkedHashMap<>();
        List<MoveKey> moved = new ArrayList<>();
        for (TsiAddress a : addrs) {
            boolean wasWithdrawn = old != null && old.withdrawn().contains(a);
            if (!activation || held.contains(a)) {
                if (wasWithdrawn) {
                    withdrawn.add(a);
                }
                continue;
            }
            boolean stays = false;
            Map<ResourceKey, TsiAddress> wins = new LinkedHashMap<>();
            List<MoveKey> movesOfA = new ArrayList<>();
            for (TsiAddress k : claimKeys(a)) {
                ResourceKey o = owner(vn.id(), k, null);
                if (self.equals(o)) {
                    continue;
                }
                if (state.get(ResourceKey.duplicate(vn.id(), k)) instanceof Resource.Duplicate d
                        && d.duplicate().frozen()) {
                    if (wasWithdrawn) {
                        stays = true;
                        continue;
                    }
                    duplicate(tx, vn.id(), k, d.duplicate().reason(), true, in, b.mobilitySeq(), now);
                    return Receipt.Result.refused(Refusal.DUPLICATE_ADDRESS, k + " in " + vn(vn.id())
                            + " is a duplicate (" + d.duplicate().reason() + "), frozen until an operator clears it");
                }
                if (o == null) {
                    continue;
                }
                MappingEntry oe = entry(o);
                long c = b.mobilitySeq();
                long s = oe.mobilitySeq();
                if (MobilitySeq.newer(s, c)) {
                    if (wasWithdrawn) {
                        stays = true;
                        continue;
                    }
                    return Receipt.Result.refused(Refusal.STALE_MOBILITY_SEQUENCE, k + " is forwarded by "
                            + oe.instance() + " at mobility sequence " + s + ", this claim has " + c);
                }
                if (oe.instance().nve().equals(principal)) {
                    wins.put(o, k);
                } else if (MobilitySeq.newer(c, s) || (c == s && b.migration())) {
                    MoveKey mk = new MoveKey(vn.id(), k);
                    if (recentMoves(mk, now) + 1 >= options.duplicateMoves()) {
                        duplicate(tx, vn.id(), k, DuplicateAddress.Reason.FLAPPING, true, in, c, now);
                        return Receipt.Result.refused(Refusal.DUPLICATE_ADDRESS, k + " moved "
                                + options.duplicateMoves() + " times within " + options.duplicateWindow().toSeconds()
                                + " s (RFC 7432 section 15.1); frozen until an operator clears it");
                    }
                    wins.put(o, k);
                    movesOfA.add(mk);
                } else {
                    if (wasWithdrawn) {
                        stays = true;
                        continue;
                    }
                    duplicate(tx, vn.id(), k, DuplicateAddress.Reason.UNORDERED_CLAIM, false, in, c, now);
                    return Receipt.Result.refused(Refusal.DUPLICATE_ADDRESS, k + " is forwarded by " + oe.instance()
                            + " at the same mobility sequence " + s + ", and no migration is under way");
                }
            }
            if (stays) {
                withdrawn.add(a);
                continue;
            }
            moved.addAll(movesOfA);
            for (Map.Entry<ResourceKey, TsiAddress> w : wins.entrySet()) {
                MappingEntry oe = entry(w.getKey());
                for (TsiAddress x : oe.addresses()) {
                    if (oe.forwards(x) && claimKeys(x).contains(w.getValue())) {
                        List<TsiAddress> l = losses.computeIfAbsent(w.getKey(), kk -> new ArrayList<>());
                        if (!l.contains(x)) {
                            l.add(x);
                        }
                    }
                }
            }
        }
        for (Map.Entry<ResourceKey, List<TsiAddress>> l : losses.entrySet()) {
            MappingEntry oe = entry(l.getKey());
            MappingEntry lost = oe.withWithdrawn(l.getValue());
            tx.write(l.getKey(), new Resource.Mapping(lost));
            tx.notice(new ChangeEvent.Withdrawal(oe.instance().nve(), oe.instance(), l.getValue(), in,
                    b.mobilitySeq()));
            for (TsiAddress x : l.getValue()) {
                events.accept(new ServiceEvent.Withdrawn(Integer.toUnsignedLong(vn.id()), x.toString(),
                        oe.instance().toString(), in.toString(), b.mobilitySeq()));
            }
        }
        tx.moves.addAll(moved);
        Instant since = old != null && old.state() == b.state() ? old.since() : now;
        MappingEntry next = new MappingEntry(in, b.state(), addrs, held, withdrawn, b.mobilitySeq(), since);
        if (next.equals(old)) {
            return Receipt.Result.UNCHANGED;
        }
        return tx.write(self, new Resource.Mapping(next));
    }

    /** SEC-1, SEC-2 at the NVA: the TSI may join the VN, with these addresses (as the nNVE checked). */
    private Receipt.Result policy(VnRecord vn, VsiId vsi, List<TsiAddress> addrs) {
        TsiRecord rec = state.get(ResourceKey.tsiRecord(vn.id(), vsi)) instanceof Resource.ValidatedTsi r
                ? r.record() : null;
        if (rec == null && !state.containsKey(ResourceKey.tsiPermit(vn.id(), null))
                && !state.containsKey(ResourceKey.tsiPermit(vn.id(), vsi))) {
            return Receipt.Result.refused(Refusal.TSI_NOT_AUTHORISED_ON_VN, "TSI " + vsi + " on " + vn(vn.id()));
        }
        if (vn.mode() == ProvisioningMode.VALIDATED) {
            if (rec == null) {
                return Receipt.Result.refused(Refusal.NO_TSI_RECORD, "TSI " + vsi + " on " + vn(vn.id()));
            }
            for (TsiAddress a : addrs) {
                if (!rec.covers(a)) {
                    return Receipt.Result.refused(Refusal.ADDRESS_NOT_IN_RECORD, a + " of TSI " + vsi);
                }
            }
        } else {
            TsiAddress wide = vn.prefixes().firstRefused(addrs);
            if (wide != null) {
                return Receipt.Result.refused(Refusal.PREFIX_TOO_SHORT, vn.prefixes().refusal(wide, vn(vn.id())));
            }
        }
        return null;
    }

    private int recentMoves(MoveKey k, Instant now) {
        ArrayDeque<Instant> q = moves.get(k);
        if (q == null) {
            return 0;
        }
        Instant from = now.minus(options.duplicateWindow());
        while (!q.isEmpty() && !q.peekFirst().isAfter(from)) {
            q.pollFirst();
        }
        return q.size();
    }

    private void duplicate(Tx tx, int vnId, TsiAddress claim, DuplicateAddress.Reason reason, boolean frozen,
            TsiInstance claimant, long seq, Instant now) {
        ResourceKey k = ResourceKey.duplicate(vnId, claim);
        DuplicateAddress.Claim c = new DuplicateAddress.Claim(claimant, seq);
        DuplicateAddress had = state.get(k) instanceof Resource.Duplicate d ? d.duplicate() : null;
        DuplicateAddress next;
        if (had == null) {
            next = new DuplicateAddress(vnId, claim, reason, frozen, 1, List.of(c), now);
        } else if (had.recent().contains(c)) {
            next = had.frozen() || !frozen ? had : new DuplicateAddress(vnId, claim, reason, true, had.activations(),
                    had.recent(), had.since());
        } else {
            List<DuplicateAddress.Claim> recent = new ArrayList<>(had.recent());
            recent.add(c);
            next = new DuplicateAddress(vnId, claim, frozen ? reason : had.reason(), had.frozen() || frozen,
                    had.activations() + 1, recent, had.since());
        }
        if (!next.equals(had)) {
            tx.duplicates += next.activations() - (had == null ? 0 : had.activations());
            tx.write(k, new Resource.Duplicate(next));
            events.accept(new ServiceEvent.Duplicate(Integer.toUnsignedLong(vnId), claim.toString(), next.reason().name(),
                    next.activations(), next.frozen(), claimant.toString()));
        }
    }

    // ================================================================== transactions

    /** One change in the making: writes go to the state at once, with an undo record, and become events. */
    private final class Tx {
        final String source;
        final List<ChangeEvent> events = new ArrayList<>();
        /** Every write, in order: undone backwards, and counted in the digests once durable. */
        final List<Digests.Write> writes = new ArrayList<>();
        final List<MoveKey> moves = new ArrayList<>();
        long duplicates;

        Tx(String source) {
            this.source = source;
        }

        /** Puts {@code next} (null: removes); no event when nothing changes. */
        Receipt.Result write(ResourceKey k, Resource next) {
            Resource prev = state.get(k);
            if (Objects.equals(prev, next)) {
                return Receipt.Result.UNCHANGED;
            }
            writes.add(new Digests.Write(k, prev, next));
            put(k, next);
            events.add(next == null ? new ChangeEvent.Removed(k) : new ChangeEvent.Put(next));
            return Receipt.Result.CHANGED;
        }

        void notice(ChangeEvent.Withdrawal w) {
            events.add(w);
        }

        void rollback() {
            for (int i = writes.size() - 1; i >= 0; i--) {
                put(writes.get(i).key(), writes.get(i).prev());
            }
            writes.clear();
            events.clear();
            moves.clear();
        }
    }

    /**
     * On a shared store: makes the transaction durable, then in force: the revision, the log, the watchers.
     * Undone on failure. (On a store this NVA alone writes, changes go through {@link #enqueue}.)
     */
    private void commit(Tx tx, Map<NveId, Receipt> receipts) {
        Change change = tx.events.isEmpty() ? null : new Change(revision + 1, tx.source, tx.events);
        if (change == null && receipts.isEmpty()) {
            return;
        }
        long keep = logEvents + (change == null ? 0 : change.events().size());
        long compact = compactedThrough;
        for (Change c : log.values()) {
            if (keep <= options.maxLogEvents()) {
                break;
            }
            keep -= c.events().size();
            compact = c.revision();
        }
        if (change != null && keep > options.maxLogEvents()) { // the new change alone is larger: keep it
            compact = revision;
        }
        try {
            Batch batch = new Batch(change == null ? List.of() : List.of(change), receipts, compact);
            if (shared != null) {
                shared.commit(batch, revision);
            } else {
                store.commit(batch);
            }
        } catch (StoreConflict e) {
            tx.rollback();
            events.accept(new ServiceEvent.CommitConflict(tx.source, revision, String.valueOf(e.getMessage())));
            throw e;
        } catch (StoreException e) {
            tx.rollback();
            events.accept(new ServiceEvent.StoreFailed(tx.source, String.valueOf(e.getMessage())));
            throw e;
        }
        if (change != null) {
            revision = change.revision();
            appliedRevision = revision;
            log.put(revision, change);
            logEvents += change.events().size();
            while (!log.isEmpty() && log.firstKey() <= compact) {
                logEvents -= log.pollFirstEntry().getValue().events().size();
            }
            compactedThrough = compact;
            digests.changed(revision, tx.writes, compactedThrough);
            Instant now = clock.instant();
            for (MoveKey m : tx.moves) {
                moves.computeIfAbsent(m, k -> new ArrayDeque<>()).addLast(now);
            }
            duplicateActivations += tx.duplicates;
            events.accept(new ServiceEvent.Committed(revision, tx.source, change.events().size()));
            advanced.signalAll();
        }
    }

    // ================================================================== group commit (docs/nva.md section 1.1)

    /** Queues a change applied in memory for the next group (under the lock); it is durable once answered. */
    private Pending enqueue(Tx tx, NveId nve, Receipt receipt) {
        Change change = null;
        if (!tx.events.isEmpty()) {
            appliedRevision++;
            change = new Change(appliedRevision, tx.source, tx.events);
        }
        Pending p = new Pending(tx, nve, receipt, change, appliedRevision);
        for (Digests.Write w : tx.writes) {
            if (!durable.containsKey(w.key())) {
                durable.put(w.key(), w.prev());
            }
        }
        open.add(p);
        if (nve != null) {
            pendingReport.put(nve, p);
        }
        return p;
    }

    /**
     * Waits until {@code p} is durable, failed, or to be made again (under the lock). When no group is being
     * committed, this thread leads: it takes every change applied so far and commits them as one batch.
     */
    private void awaitDurable(Pending p) {
        while (p.outcome == null) {
            if (committing == null) {
                lead();
            } else {
                grouped.awaitUninterruptibly();
            }
        }
    }

    /** Commits the open group as one {@link Batch}: outside the lock, while the next group is applied. */
    private void lead() {
        List<Pending> group = open;
        open = new ArrayList<>();
        committing = group;
        grouped.signalAll(); // the group's nNVEs may apply their next reports, into the next group
        List<Change> changes = new ArrayList<>();
        Map<NveId, Receipt> stored = new HashMap<>();
        for (Pending p : group) {
            if (p.change != null) {
                changes.add(p.change);
            }
            if (p.receipt != null) {
                stored.put(p.nve, p.receipt);
            }
        }
        long compact = compactionAfter(changes);
        RuntimeException failure = null;
        if (!changes.isEmpty() || !stored.isEmpty()) {
            Batch batch = new Batch(changes, stored, compact);
            lock.unlock();
            try {
                store.commit(batch);
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                lock.lock();
            }
        }
        committing = null;
        if (failure == null) {
            inForce(group, compact);
        } else {
            failed(group, failure);
        }
        grouped.signalAll();
    }

    /** How far the log is compacted once {@code added} are in it: to at most {@link Options#maxLogEvents}. */
    private long compactionAfter(List<Change> added) {
        long keep = logEvents;
        for (Change c : added) {
            keep += c.events().size();
        }
        long compact = compactedThrough;
        List<Change> all = new ArrayList<>(log.values());
        all.addAll(added);
        for (int i = 0; i < all.size() - 1 && keep > options.maxLogEvents(); i++) { // the newest change is kept
            keep -= all.get(i).events().size();
            compact = all.get(i).revision();
        }
        return compact;
    }

    /** A group is durable: its changes in force in order, its callers answered. */
    private void inForce(List<Pending> group, long compact) {
        Instant now = clock.instant();
        for (Pending p : group) {
            if (p.change != null) {
                revision = p.change.revision();
                log.put(revision, p.change);
                logEvents += p.change.events().size();
                for (MoveKey m : p.tx.moves) {
                    moves.computeIfAbsent(m, k -> new ArrayDeque<>()).addLast(now);
                }
                duplicateActivations += p.tx.duplicates;
                digests.changed(revision, p.tx.writes, compactedThrough);
                events.accept(new ServiceEvent.Committed(revision, p.tx.source, p.change.events().size()));
            }
            if (p.receipt != null) {
                remember(p.nve, p.receipt);
                pendingReport.remove(p.nve, p);
            }
            p.outcome = Outcome.DURABLE;
        }
        while (!log.isEmpty() && log.firstKey() <= compact) {
            logEvents -= log.pollFirstEntry().getValue().events().size();
        }
        compactedThrough = Math.max(compactedThrough, compact);
        durable.clear(); // the durable values of what the next group wrote, from its first writes
        for (Pending p : open) {
            for (Digests.Write w : p.tx.writes) {
                if (!durable.containsKey(w.key())) {
                    durable.put(w.key(), w.prev());
                }
            }
        }
        events.accept(new ServiceEvent.GroupCommitted(group.size(), group.getFirst().at, group.getLast().at));
        advanced.signalAll();
    }

    /**
     * A group's commit failed: its changes, and those applied on top of them since (the next group), are undone,
     * newest first. The group's callers get STORE_FAILURE; the next group's make their changes again.
     */
    private void failed(List<Pending> group, RuntimeException e) {
        String why = String.valueOf(e.getMessage());
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).tx.rollback();
            open.get(i).outcome = Outcome.AGAIN;
        }
        for (int i = group.size() - 1; i >= 0; i--) {
            Pending p = group.get(i);
            p.tx.rollback();
            p.outcome = Outcome.FAILED;
            p.failure = why;
            events.accept(new ServiceEvent.StoreFailed(p.tx.source, why));
        }
        open = new ArrayList<>();
        durable.clear();
        pendingReport.clear();
        appliedRevision = revision;
    }

    /** A resource as durable: what changes not yet durable wrote is not seen. */
    private Resource visible(ResourceKey k) {
        return durable.containsKey(k) ? durable.get(k) : state.get(k);
    }

    /** {@link #owner} as durable: the entry forwarding a claim key, among the durable values. */
    private MappingEntry visibleOwner(int vnId, TsiAddress claim) {
        if (durable.isEmpty()) {
            ResourceKey k = owner(vnId, claim, null);
            return k == null ? null : entry(k);
        }
        Set<ResourceKey> candidates = new LinkedHashSet<>(holdersOf(vnId, claim));
        for (Map.Entry<ResourceKey, Resource> d : durable.entrySet()) {
            if (d.getValue() instanceof Resource.Mapping) {
                candidates.add(d.getKey());
            }
        }
        for (ResourceKey k : candidates) {
            if (visible(k) instanceof Resource.Mapping m && m.entry().instance().vnId() == vnId
                    && forwardsClaim(m.entry(), claim)) {
                return m.entry();
            }
        }
        return null;
    }

    /** Test support: how many changes are applied in memory and wait for the next commit. */
    int waitingForCommit() {
        lock.lock();
        try {
            return open.size();
        } finally {
            lock.unlock();
        }
    }

    // ================================================================== the state and its indexes

    /** Sets or removes one resource, keeping the indexes in step. */
    private void put(ResourceKey k, Resource next) {
        Resource prev = next == null ? state.remove(k) : state.put(k, next);
        if (prev != null) {
            unindex(k, prev);
        }
        if (next != null) {
            index(k, next);
        }
    }

    private void index(ResourceKey k, Resource r) {
        switch (r) {
            case Resource.Vn v -> vns.put(v.vn().id(), v.vn());
            case Resource.Credential c -> credentials.put(c.tokenSha256(), c.owner());
            case Resource.Mapping m -> {
                Map<TsiAddress, Set<ResourceKey>> h = holders.computeIfAbsent(m.entry().instance().vnId(),
                        x -> new HashMap<>());
                for (TsiAddress a : m.entry().addresses()) {
                    for (TsiAddress c : claimKeys(a)) {
                        h.computeIfAbsent(c, x -> new LinkedHashSet<>(2)).add(k);
                    }
                }
            }
            default -> {
            }
        }
    }

    private void unindex(ResourceKey k, Resource r) {
        switch (r) {
            case Resource.Vn v -> vns.remove(v.vn().id());
            case Resource.Credential c -> credentials.remove(c.tokenSha256(), c.owner());
            case Resource.Mapping m -> {
                Map<TsiAddress, Set<ResourceKey>> h = holders.get(m.entry().instance().vnId());
                for (TsiAddress a : m.entry().addresses()) {
                    for (TsiAddress c : claimKeys(a)) {
                        Set<ResourceKey> s = h.get(c);
                        if (s != null && s.remove(k) && s.isEmpty()) {
                            h.remove(c);
                        }
                    }
                }
                if (h.isEmpty()) {
                    holders.remove(m.entry().instance().vnId());
                }
            }
            default -> {
            }
        }
    }

    private Set<ResourceKey> holdersOf(int vnId, TsiAddress claim) {
        Map<TsiAddress, Set<ResourceKey>> h = holders.get(vnId);
        Set<ResourceKey> s = h == null ? null : h.get(claim);
        return s == null ? Set.of() : s;
    }

    /** The entry forwarding a claim key in a VN, other than {@code except}; null if none. */
    private ResourceKey owner(int vnId, TsiAddress claim, ResourceKey except) {
        for (ResourceKey k : holdersOf(vnId, claim)) {
            if (!k.equals(except) && forwardsClaim(entry(k), claim)) {
                return k;
            }
        }
        return null;
    }

    private static boolean forwardsClaim(MappingEntry e, TsiAddress claim) {
        for (TsiAddress a : e.addresses()) {
            if (e.forwards(a) && claimKeys(a).contains(claim)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The keys an address claims: its MAC, and its IP address or prefix (without the MAC). Two entries conflict,
     * and claims compete, on equal keys.
     */
    static List<TsiAddress> claimKeys(TsiAddress a) {
        if (a.ip() == null) {
            return List.of(TsiAddress.mac(a.mac()));
        }
        TsiAddress ip = new TsiAddress(a.ip(), a.prefixLength(), null, null);
        return a.mac() == null ? List.of(ip) : List.of(TsiAddress.mac(a.mac()), ip);
    }

    private MappingEntry entry(ResourceKey k) {
        return state.get(k) instanceof Resource.Mapping m ? m.entry() : null;
    }

    private NveRegistration registration(NveId nve) {
        return state.get(ResourceKey.nve(nve)) instanceof Resource.Nve n ? n.registration() : null;
    }

    private List<ResourceKey> keysWhere(java.util.function.Predicate<Resource> p) {
        List<ResourceKey> out = new ArrayList<>();
        for (Map.Entry<ResourceKey, Resource> e : state.entrySet()) {
            if (p.test(e.getValue())) {
                out.add(e.getKey());
            }
        }
        out.sort(null);
        return out;
    }

    private static ResourceKey mappingKey(TsiInstance i) {
        return ResourceKey.mapping(i.vnId(), i.vsi(), i.nve(), i.port());
    }

    /** The addresses in the VN without GroupID, duplicates dropped, order kept; null if one names another VN. */
    private static List<TsiAddress> normalise(List<TsiAddress> in, int vnId) {
        Set<TsiAddress> out = new LinkedHashSet<>();
        for (TsiAddress a : in) {
            if (a.groupId() != null) {
                if (a.groupId() != vnId) {
                    return null;
                }
                a = new TsiAddress(a.ip(), a.prefixLength(), a.mac(), null);
            }
            out.add(a);
        }
        return List.copyOf(out);
    }

    private static String vn(int vnId) {
        return "VN " + Integer.toUnsignedLong(vnId);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the NVA is closed");
        }
    }

    /** Test support: the invariant of NVA-6, one forwarding entry per claim key and VN. Null when it holds. */
    String invariantViolation() {
        lock.lock();
        try {
            for (Map.Entry<Integer, Map<TsiAddress, Set<ResourceKey>>> v : holders.entrySet()) {
                for (Map.Entry<TsiAddress, Set<ResourceKey>> h : v.getValue().entrySet()) {
                    int n = 0;
                    for (ResourceKey k : h.getValue()) {
                        n += forwardsClaim(entry(k), h.getKey()) ? 1 : 0;
                    }
                    if (n > 1) {
                        return h.getKey() + " in " + vn(v.getKey()) + " forwarded by " + n + " entries";
                    }
                }
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the revision is at least {@code rev} (tests, the HTTP service's read-your-writes). */
    public boolean awaitRevision(long rev, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (revision < rev) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return false;
                }
                advanced.await(left, TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }
}
