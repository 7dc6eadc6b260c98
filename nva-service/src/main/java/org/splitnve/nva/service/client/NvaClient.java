package org.splitnve.nva.service.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.splitnve.nva.NveId;
import org.splitnve.nva.Refusal;
import org.splitnve.nva.service.Digest;
import org.splitnve.nva.service.Poll;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.SessionInfo;
import org.splitnve.nva.service.Snapshot;
import org.splitnve.nva.service.link.NvaLink;
import org.splitnve.nva.service.link.NvaLink.NvaUnavailable;
import org.splitnve.protocol.event.EventSink;

/**
 * The nNVE's NVA client: the session state machine of docs/nva-protocol.md section 6, on its own virtual threads
 * (one for the session and the reports, one for the watch stream). It never blocks the engine: what comes from the
 * network (a list, the watch's changes, refusals in receipts) is handed to the engine's thread through
 * {@code engine} (a FIFO executor), where the {@link ReplicaNva} applies it in order.
 *
 * <ul>
 *   <li><b>Addresses</b>: a list of {@link NvaLink}s; the first that answers is used, the next one on a failure,
 *       after a back-off of 0.5 s doubling to 30 s with jitter (reset once a session is in sync). A link that
 *       refuses the nNVE (token, registration) is retried every 60 s.</li>
 *   <li><b>Resume, else list</b> (4.3): the watch resumes from the revision handed to the engine when the history
 *       matches and the revision is not compacted away; otherwise, and on "too old", a list, swapped in at its end
 *       (the old replica serves until then). A new history makes the replica send the nNVE's own state again.</li>
 *   <li><b>Reports</b> (5.1): cut from the {@link ReportQueue} (coalesced) at most {@value Report#MAX_OPS} operations
 *       each, numbered from {@code last_report_seq + 1}, at most {@value Report#WINDOW} cut and unanswered, sent in
 *       order; after a reconnection the unanswered ones are sent again (the NVA answers a repeat with its first
 *       receipt). Nothing is cut while cut off: what queues meanwhile goes coalesced (NVA-5).</li>
 *   <li><b>Acknowledgements</b> (7): of the revision the engine applied, at most once a second, and when the watch is
 *       idle, each with the replica's digest at that revision (12); when the NVA answers that the replica diverged,
 *       the divergence is counted and logged, and the client lists again (NVA-4).</li>
 *   <li><b>The own-entries audit</b> (12): every {@link Options#ownAudit} and after each list, when no report
 *       waits, the NVA's digest of this nNVE's own entries is compared with the one of what the engine holds; on a
 *       difference the whole own state is sent again (NVA-4).</li>
 *   <li><b>Dead streams</b>: a watch silent for 30 s is closed and the next address tried.</li>
 * </ul>
 */
public final class NvaClient implements AutoCloseable {
    /** The states of section 6. */
    public enum State { CONNECTING, REFUSED, LISTING, RESUMING, IN_SYNC, CUT_OFF, CLOSED }

    /**
     * Timings (docs/nva-protocol.md sections 6-8).
     *
     * @param backoffMin   the first back-off (0.5 s), doubled after each failure
     * @param backoffMax   the longest back-off (30 s)
     * @param refusedRetry how long to wait after the NVA refused this nNVE (60 s)
     * @param silence      a watch that says nothing for this long is dead (30 s)
     * @param pollWait     how long one watch read waits for a change (10 s: the NVA's progress interval)
     * @param ackInterval  acknowledgements at most this often (1 s)
     * @param ownAudit     the own-entries audit at least this often (10 min; section 12), and after each list
     */
    public record Options(Duration backoffMin, Duration backoffMax, Duration refusedRetry, Duration silence,
            Duration pollWait, Duration ackInterval, Duration ownAudit) {
        /** The own-entries audit's default interval. */
        public static final Duration OWN_AUDIT = Duration.ofMinutes(10);
        public static final Options DEFAULT = new Options(Duration.ofMillis(500), Duration.ofSeconds(30),
                Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(1));

        /** The timings with the own-entries audit every {@link #OWN_AUDIT}. */
        public Options(Duration backoffMin, Duration backoffMax, Duration refusedRetry, Duration silence,
                Duration pollWait, Duration ackInterval) {
            this(backoffMin, backoffMax, refusedRetry, silence, pollWait, ackInterval, OWN_AUDIT);
        }

        /** The same timings with another own-entries audit interval. */
        public Options withOwnAudit(Duration every) {
            return new Options(backoffMin, backoffMax, refusedRetry, silence, pollWait, ackInterval, every);
        }
    }

    /** The replica's position, as handed to the engine: what a resume starts from. */
    private record Position(String history, long revision) {
    }

    private final NveId self;
    private final List<NvaLink> links;
    private final ReplicaNva replica;
    private final ReportQueue queue;
    private final Executor engine;
    private final EventSink events;
    private final Options options;
    private final RandomGenerator random;
    private final LongSupplier nanos;
    private final Set<Integer> serves;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile State state = State.CONNECTING;
    private volatile boolean closed;
    private Thread thread;

    // session thread only
    private final ArrayDeque<Report> inFlight = new ArrayDeque<>();
    private long nextSeq;
    private volatile Position position;
    private long lastAck = -1;
    private long lastAckNanos;
    private String linkHistory;
    /** The own-entries audit is due (after a list, or when the engine could not compare yet). */
    private boolean ownAuditDue = true;
    private long nextOwnAudit;
    /** Set on the engine thread when the audit found the engine not ready to compare: try again soon. */
    private volatile boolean ownAuditAgain;

    // shared with the watch thread (under lock)
    private Throwable watchFailure;
    private boolean tooOld;
    private boolean idle;
    private long lastHeard;
    private NvaLink.WatchStream stream;
    /** Which stream is current: a read of an older one is dropped. */
    private long streamGen;
    private volatile int activeLink;

    private final AtomicLong opsSent = new AtomicLong();
    private final AtomicLong reportsSent = new AtomicLong();
    private final AtomicLong acks = new AtomicLong();
    private final AtomicLong failovers = new AtomicLong();
    private final AtomicLong resyncs = new AtomicLong();
    private final AtomicLong divergences = new AtomicLong();
    private final AtomicLong ownAudits = new AtomicLong();
    private final AtomicLong ownStateResent = new AtomicLong();

    /**
     * @param links  the NVA's addresses, in order of preference (each one link)
     * @param engine runs a task on the engine's thread, in the order given
     * @param serves the VNs this nNVE serves (its interest: a serve operation goes when the NVA's registration says otherwise)
     */
    public NvaClient(NveId self, List<? extends NvaLink> links, ReplicaNva replica, Executor engine,
            Set<Integer> serves, EventSink events, Options options, RandomGenerator random, LongSupplier nanos) {
        if (links.isEmpty()) {
            throw new IllegalArgumentException("an NVA client needs at least one NVA address");
        }
        this.self = Objects.requireNonNull(self);
        this.links = List.copyOf(links);
        this.replica = Objects.requireNonNull(replica);
        this.queue = replica.queue();
        this.engine = Objects.requireNonNull(engine);
        this.serves = Set.copyOf(serves);
        this.events = Objects.requireNonNull(events);
        this.options = Objects.requireNonNull(options);
        this.random = Objects.requireNonNull(random);
        this.nanos = Objects.requireNonNull(nanos);
        queue.onQueued(this::signal);
    }

    /** Starts the client's thread. */
    public NvaClient start() {
        thread = Thread.ofVirtual().name("nva-client-" + self.name()).start(this::run);
        return this;
    }

    public State state() {
        return state;
    }

    /** The address in use (or last tried). */
    public String address() {
        return links.get(activeLink).address();
    }

    /** Operations sent in reports (each report's operations counted once, repeats after a reconnection too). */
    public long opsSent() {
        return opsSent.get();
    }

    public long reportsSent() {
        return reportsSent.get();
    }

    public long acknowledgements() {
        return acks.get();
    }

    public long failovers() {
        return failovers.get();
    }

    /** Full lists after the first. */
    public long resyncs() {
        return resyncs.get();
    }

    /** Acknowledgements the NVA answered {@link Digest.Audit#DIVERGED} (each followed by a list; NVA-4). */
    public long divergences() {
        return divergences.get();
    }

    /** Own-entries audits compared (section 12). */
    public long ownAudits() {
        return ownAudits.get();
    }

    /** Own-entries audits that found a difference: the whole own state sent again (NVA-4). */
    public long ownStateResent() {
        return ownStateResent.get();
    }

    /** Reports cut and not yet answered. */
    public int inFlight() {
        lock.lock();
        try {
            return inFlight.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        signal();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        state = State.CLOSED;
    }

    private void signal() {
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void setState(State s) {
        state = s;
    }

    private void onEngine(Runnable r) {
        engine.execute(r);
    }

    // ================================================================== the state machine

    private void run() {
        long backoff = options.backoffMin().toNanos();
        int i = 0;
        while (!closed) {
            NvaLink link = links.get(i);
            activeLink = i;
            long wait;
            try {
                setState(State.CONNECTING);
                session(link);
                wait = 0; // closed
            } catch (NvaUnavailable e) {
                if (closed) {
                    break;
                }
                if (state == State.IN_SYNC) {
                    backoff = options.backoffMin().toNanos(); // it worked: start the back-off again
                }
                onEngine(() -> replica.connected(false));
                if (e.refused()) {
                    setState(State.REFUSED);
                    wait = options.refusedRetry().toNanos();
                    events.accept(new ClientEvent.Refused(link.address(), e.getMessage(), wait / 1_000_000));
                } else {
                    setState(State.CUT_OFF);
                    wait = backoff / 2 + (long) (random.nextDouble() * backoff);
                    backoff = Math.min(backoff * 2, options.backoffMax().toNanos());
                    events.accept(new ClientEvent.CutOff(link.address(), e.getMessage(), wait / 1_000_000));
                }
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                // a bug or an unexpected answer: logged, treated as a failed address
                onEngine(() -> replica.connected(false));
                setState(State.CUT_OFF);
                wait = backoff;
                backoff = Math.min(backoff * 2, options.backoffMax().toNanos());
                events.accept(new ClientEvent.CutOff(link.address(), "unexpected: " + e, wait / 1_000_000));
            } finally {
                closeStream();
            }
            if (closed) {
                break;
            }
            if (links.size() > 1) {
                int next = (i + 1) % links.size();
                failovers.incrementAndGet();
                events.accept(new ClientEvent.Failover(link.address(), links.get(next).address()));
                i = next;
            }
            if (!pause(wait)) {
                break;
            }
        }
        setState(State.CLOSED);
    }

    /** Waits, unless closed; false when closed. */
    private boolean pause(long waitNanos) {
        long deadline = nanos.getAsLong() + waitNanos;
        lock.lock();
        try {
            while (!closed) {
                long left = deadline - nanos.getAsLong();
                if (left <= 0) {
                    return true;
                }
                wake.awaitNanos(Math.min(left, 50_000_000L));
            }
            return false;
        } catch (InterruptedException e) {
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** One session on one address, until it fails (NvaUnavailable) or the client closes. */
    private void session(NvaLink link) throws NvaUnavailable, InterruptedException {
        SessionInfo s = link.session();
        events.accept(new ClientEvent.Connected(link.address(), s.historyId(), s.revision(), s.compactedThrough(),
                s.lastReportSeq()));
        if (linkHistory != null && !linkHistory.equals(s.historyId())) {
            // another store: its report numbers are not ours; the new replica's reset sends our state again
            inFlight.clear();
            lastAck = -1;
        }
        linkHistory = s.historyId();
        numberFrom(s.lastReportSeq());
        if (s.registration() != null && !s.registration().vns().equals(serves)) {
            queue.put(new ReportOp.Serve(serves));
        }
        boolean served = s.registration() != null && s.registration().vns().equals(serves);
        Position p = position;
        if (served && p != null && p.history().equals(s.historyId()) && p.revision() >= s.compactedThrough()
                && p.revision() <= s.revision()) {
            setState(State.RESUMING);
            openWatch(link, p);
            events.accept(new ClientEvent.InSync(link.address(), p.history(), p.revision(), true));
        } else {
            if (!served) {
                // the interest changes with the VNs served: list once they are what this nNVE serves
                sendReports(link);
            }
            list(link, p == null ? "first sync" : !p.history().equals(s.historyId()) ? "another history"
                    : !served ? "the VNs served changed" : "revision " + p.revision() + " compacted");
        }
        setState(State.IN_SYNC);
        onEngine(() -> replica.connected(true));
        loop(link);
    }

    /** Reports cut and unanswered keep their numbers where the NVA has not applied them; others follow on. */
    private void numberFrom(long lastApplied) {
        List<Report> kept = new ArrayList<>(inFlight);
        inFlight.clear();
        long seq = lastApplied + 1;
        for (Report r : kept) {
            if (r.seq() <= lastApplied) {
                inFlight.add(r); // applied: sent again for its receipt (its refusals)
            } else {
                inFlight.add(new Report(seq++, r.ops()));
            }
        }
        nextSeq = seq;
    }

    private void list(NvaLink link, String reason) throws NvaUnavailable {
        list(link, reason, false);
    }

    /** A full list; {@code diverged}: the NVA found the replica diverged (the resync logs what differed). */
    private void list(NvaLink link, String reason, boolean diverged) throws NvaUnavailable {
        setState(State.LISTING);
        events.accept(new ClientEvent.Listing(link.address(), reason));
        closeStream();
        Snapshot snap = link.list();
        if (position != null) {
            resyncs.incrementAndGet();
        }
        ownAuditDue = true;
        onEngine(() -> replica.reset(snap, diverged));
        Position p = new Position(snap.historyId(), snap.revision());
        position = p;
        openWatch(link, p);
        events.accept(new ClientEvent.InSync(link.address(), p.history(), p.revision(), false));
    }

    private void openWatch(NvaLink link, Position from) throws NvaUnavailable {
        NvaLink.WatchStream w = link.watch(from.history(), from.revision());
        long gen;
        lock.lock();
        try {
            stream = w;
            gen = ++streamGen;
            watchFailure = null;
            tooOld = false;
            lastHeard = nanos.getAsLong();
        } finally {
            lock.unlock();
        }
        String history = from.history();
        Thread.ofVirtual().name("nva-watch-" + self.name()).start(() -> watch(w, history, gen));
    }

    private void closeStream() {
        NvaLink.WatchStream w;
        lock.lock();
        try {
            w = stream;
            stream = null;
            streamGen++;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        if (w != null) {
            w.close();
        }
    }

    /** The watch stream's thread: each read handed to the engine in order. */
    private void watch(NvaLink.WatchStream w, String history, long gen) {
        try {
            while (!closed) {
                lock.lock();
                try {
                    if (streamGen != gen) {
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                Poll p = w.next(options.pollWait());
                lock.lock();
                try {
                    if (streamGen != gen) {
                        return; // replaced while it waited: the old stream's reads are not applied
                    }
                    lastHeard = nanos.getAsLong();
                    switch (p) {
                        case Poll.TooOld t -> {
                            tooOld = true;
                            wake.signalAll();
                            return;
                        }
                        case Poll.Changes c -> {
                            if (c.changes().isEmpty()) {
                                idle = true;
                            }
                            if (!c.changes().isEmpty() || c.revision() > position.revision()) {
                                position = new Position(history, c.revision());
                                onEngine(() -> replica.apply(c));
                            }
                            wake.signalAll();
                        }
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (NvaUnavailable | RuntimeException e) {
            lock.lock();
            try {
                if (streamGen == gen) {
                    watchFailure = e;
                    wake.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /** In sync: reports, acknowledgements, and the watch's health, until something fails. */
    private void loop(NvaLink link) throws NvaUnavailable, InterruptedException {
        while (!closed) {
            boolean relist;
            boolean ackNow;
            lock.lock();
            try {
                if (watchFailure != null) {
                    throw new NvaUnavailable("the watch failed: " + watchFailure.getMessage(), false, watchFailure);
                }
                if (nanos.getAsLong() - lastHeard > options.silence().toNanos()) {
                    throw new NvaUnavailable("the watch was silent for " + options.silence().toSeconds() + " s");
                }
                relist = tooOld;
                tooOld = false;
                ackNow = idle;
                idle = false;
            } finally {
                lock.unlock();
            }
            if (relist) {
                list(link, "too old");
            }
            boolean served = sendReports(link);
            if (served) {
                list(link, "the VNs served changed");
            }
            acknowledge(link, ackNow);
            auditOwn(link);
            lock.lock();
            try {
                if (watchFailure == null && !tooOld && !idle && queue.size() == 0 && inFlight.isEmpty()) {
                    wake.awaitNanos(Math.min(options.ackInterval().toNanos(), 200_000_000L));
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Cuts reports from the queue (at most {@value Report#WINDOW} unanswered) and sends every unanswered one in
     * order. True when a {@code serve} changed the registration (the interest changed: list again).
     */
    private boolean sendReports(NvaLink link) throws NvaUnavailable {
        boolean servedChanged = false;
        while (true) {
            while (inFlight.size() < Report.WINDOW && queue.size() > 0) {
                List<ReportOp> ops = queue.take(Report.MAX_OPS);
                lock.lock();
                try {
                    inFlight.addLast(new Report(nextSeq++, ops));
                } finally {
                    lock.unlock();
                }
            }
            Report r = inFlight.peekFirst();
            if (r == null) {
                return servedChanged;
            }
            Receipt receipt = link.report(r);
            reportsSent.incrementAndGet();
            opsSent.addAndGet(r.ops().size());
            if (receipt.status() == Receipt.Status.REFUSED) {
                events.accept(new ClientEvent.ReportSent(r.seq(), r.ops().size(), receipt.status().name(),
                        receipt.revision(), 0));
                if (receipt.refusal() == Refusal.REPORT_OUT_OF_ORDER) {
                    throw new NvaUnavailable("report " + r.seq() + " out of order: " + receipt.detail());
                }
                throw new NvaUnavailable("report " + r.seq() + " refused: " + receipt.refusal() + " "
                        + receipt.detail());
            }
            lock.lock();
            try {
                inFlight.pollFirst();
            } finally {
                lock.unlock();
            }
            int refused = 0;
            for (int n = 0; n < receipt.results().size(); n++) {
                Receipt.Result res = receipt.results().get(n);
                if (!res.applied()) {
                    refused++;
                } else if (res.changed() && r.ops().get(n) instanceof ReportOp.Serve) {
                    servedChanged = true;
                }
            }
            events.accept(new ClientEvent.ReportSent(r.seq(), r.ops().size(), receipt.status().name(),
                    receipt.revision(), refused));
            if (refused > 0) {
                onEngine(() -> replica.refused(r, receipt));
            }
        }
    }

    private void acknowledge(NvaLink link, boolean idleNow) throws NvaUnavailable {
        ReplicaNva.Applied a = replica.applied();
        long now = nanos.getAsLong();
        if (a == null || a.revision() <= lastAck || !a.history().equals(linkHistory)) {
            return;
        }
        if (!idleNow && now - lastAckNanos < options.ackInterval().toNanos()) {
            return;
        }
        Digest.Audit audit = link.acknowledge(a.history(), a.revision(), a.digest());
        acks.incrementAndGet();
        lastAckNanos = now;
        if (audit == Digest.Audit.DIVERGED) {
            // not recorded at the NVA: the replica is not what the NVA has for this nNVE; list again (section 12)
            events.accept(new ClientEvent.ReplicaDiverged(link.address(), a.revision(), a.digest().count(),
                    divergences.incrementAndGet()));
            // the interest is the VNs the registration serves now: if they changed behind this nNVE's back, serve
            // them again first, or the list would be of another interest (section 12)
            SessionInfo s = link.session();
            if (s.registration() != null && !s.registration().vns().equals(serves)) {
                queue.put(new ReportOp.Serve(serves));
                sendReports(link);
            }
            list(link, "the replica diverged at revision " + a.revision(), true);
            return;
        }
        lastAck = a.revision();
    }

    /**
     * The own-entries audit (section 12): when due and no report waits, the NVA's digest of this nNVE's entries,
     * compared on the engine's thread with the one of what the engine holds, once the replica has applied the
     * NVA's revision; a difference queues the whole own state again.
     */
    private void auditOwn(NvaLink link) throws NvaUnavailable {
        long now = nanos.getAsLong();
        if (ownAuditAgain) {
            ownAuditAgain = false;
            ownAuditDue = true;
        }
        if (!ownAuditDue && now - nextOwnAudit < 0) {
            return;
        }
        long queuedBefore = queue.queued(); // read first: an op the engine queues from here on is seen below
        if (queue.size() > 0 || !inFlight.isEmpty() || replica.applied() == null) {
            return; // what the NVA holds of this nNVE is about to change: compare once it has
        }
        ownAuditDue = false;
        nextOwnAudit = now + options.ownAudit().toNanos();
        Digest.At nva = link.ownDigest();
        if (nva == null) {
            return; // a link that cannot ask
        }
        onEngine(() -> {
            ReplicaNva.Applied a = replica.applied();
            if (queue.queued() != queuedBefore || a == null || a.revision() < nva.revision()) {
                // not comparable yet: the engine changed its own state while the NVA's digest was asked for (the
                // report may already be in flight, the digest predates it), or the replica catches up
                ownAuditAgain = true;
                signal();
                return;
            }
            ownAudits.incrementAndGet();
            Digest mine = replica.ownDigest();
            if (!mine.equals(nva.digest())) {
                int ops = replica.resendOwnState();
                events.accept(new ClientEvent.OwnStateResent(nva.revision(), nva.digest().count(), mine.count(), ops,
                        ownStateResent.incrementAndGet()));
            } else {
                events.accept(new ClientEvent.OwnAuditMatched(nva.revision(), mine.count()));
            }
        });
    }
}
