package org.splitnve.nva.etcd;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.ChangeEvent;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.store.Batch;
import org.splitnve.nva.service.store.Codec;
import org.splitnve.nva.service.store.Loaded;
import org.splitnve.nva.service.store.SharedStore;
import org.splitnve.nva.service.store.StoreConflict;
import org.splitnve.nva.service.store.StoreException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The NVA's state in an etcd cluster (NVA-2's second half; docs/nva.md section 4): a {@link SharedStore} that
 * several NVA instances serve at once. Keys, below a prefix {@code P} (values are {@link Codec}'s bytes):
 *
 * <ul>
 *   <li>{@code P/meta/history} (a UUID written once: the history id), {@code P/meta/revision} (the NVA's
 *       revision, decimal), {@code P/meta/compacted} (the NVA log's compaction point), {@code P/meta/format};</li>
 *   <li>{@code P/r/<resource path>}: one key per resource;</li>
 *   <li>{@code P/log/<revision, 19 digits>}: the change log, one key per change;</li>
 *   <li>{@code P/receipt/<nNVE>/<report number, 19 digits>}: the last {@link Report#WINDOW} receipts per nNVE,
 *       and {@code P/last/<nNVE>}: the number of its last report.</li>
 * </ul>
 *
 * <p>Each batch is one etcd transaction guarded by a compare: {@code P/meta/revision} is the revision the batch
 * was made at, and each receipt's {@code P/last/<nNVE>} is the report before it. Another instance that committed
 * first makes the compare fail ({@link StoreConflict}), so two writers never interleave and an nNVE's report is
 * applied once whichever instance it reaches. etcd answers a transaction once a majority of its members have it
 * on disk: what the NVA acknowledges survives the loss of any one member of three.
 *
 * <p>{@link #follow}: a watch on the prefix, supervised here rather than trusted (jetcd #1352, #1227 are watches
 * that silently stop): it resumes from the last etcd revision seen; when etcd cancels it (a compaction:
 * {@code compact_revision}, or its member lost the leader) or its stream breaks, it is re-created on the next
 * endpoint and the NVA catches up from the store ({@link #since}); a check every {@code checkInterval} reads the
 * stored revision and re-creates a watch that stays behind it for two checks (a silent stream).
 *
 * <p>Needs an etcd that accepts transactions as large as the largest change: start it with
 * {@code --max-txn-ops} above the operations of one report (4,096 plus a few; etcd's default is 128) and
 * {@code --max-request-bytes} above the size of one (1.5 MiB by default: about 7,000 mapping entries).
 */
public final class EtcdStore implements SharedStore {
    /** Where and how to reach etcd. */
    public record Settings(List<URI> endpoints, String prefix, Duration callTimeout, Duration deadline,
            Duration checkInterval) {
        public Settings {
            endpoints = List.copyOf(endpoints);
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("etcd needs at least one endpoint");
            }
            Objects.requireNonNull(prefix, "prefix");
            if (prefix.isEmpty() || prefix.equals("/")) {
                throw new IllegalArgumentException("the NVA's keys need a prefix of their own, not the whole key space");
            }
            prefix = prefix.endsWith("/") ? prefix : prefix + "/";
        }

        /** Calls time out after 2 s, fail after 15 s of trying every endpoint; the watch is checked every 2 s. */
        public static Settings of(List<URI> endpoints, String prefix) {
            return new Settings(endpoints, prefix, Duration.ofSeconds(2), Duration.ofSeconds(15),
                    Duration.ofSeconds(2));
        }

        public Settings withCheckInterval(Duration d) {
            return new Settings(endpoints, prefix, callTimeout, deadline, d);
        }
    }

    /** How many changes one {@link #since} returns at most. */
    static final int SINCE_LIMIT = 1000;
    private static final int PAGE = 2000;

    private final Settings settings;
    private final EtcdClient etcd;
    private final String p;
    private final byte[] start;
    private final byte[] end;
    private volatile boolean closed;

    private volatile SharedStore.Follower follower;
    private Thread watcher;
    private ScheduledExecutorService checker;
    private java.util.concurrent.ScheduledFuture<?> checks;
    private volatile InputStream stream;
    private volatile boolean suspended;
    private final Object pause = new Object();
    /** The etcd revision the watch has delivered everything up to. */
    private final AtomicLong watched = new AtomicLong();
    private final AtomicLong recreated = new AtomicLong();
    private volatile String lastRecreation = "";
    private long behindAt = -1;

    private EtcdStore(Settings settings) {
        this.settings = settings;
        this.etcd = new EtcdClient(settings.endpoints(), settings.callTimeout(), settings.deadline());
        this.p = settings.prefix();
        this.start = p.getBytes(StandardCharsets.UTF_8);
        this.end = EtcdClient.prefixEnd(start);
    }

    /**
     * Opens the store below {@code settings.prefix()}, creating its history if the prefix is empty.
     *
     * @throws StoreException when etcd cannot be reached, or the prefix holds another format
     */
    public static EtcdStore open(Settings settings) {
        EtcdStore s = new EtcdStore(settings);
        try {
            s.init();
        } catch (RuntimeException e) {
            s.etcd.close();
            throw e;
        }
        return s;
    }

    private void init() {
        ObjectNode txn = EtcdClient.object();
        txn.withArray("compare").add(compare("VERSION", key("meta/history")).put("version", "0"));
        ArrayNode ok = txn.withArray("success");
        ok.add(put(key("meta/history"), bytes(UUID.randomUUID().toString())));
        ok.add(put(key("meta/revision"), bytes("0")));
        ok.add(put(key("meta/compacted"), bytes("0")));
        ok.add(put(key("meta/format"), bytes(Integer.toString(Codec.FORMAT))));
        etcd.txn(txn);
        JsonNode f = etcd.range(key("meta/format"), null, 0, 0).path("kvs").path(0).path("value");
        String format = EtcdClient.text(f);
        if (!Integer.toString(Codec.FORMAT).equals(format)) {
            throw new StoreException(describe() + " holds format " + format + "; this NVA reads format "
                    + Codec.FORMAT);
        }
    }

    public Settings settings() {
        return settings;
    }

    private String describe() {
        return "etcd " + settings.endpoints() + " prefix " + p;
    }

    // ================================================================== keys and operations

    private byte[] key(String suffix) {
        return (p + suffix).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String digits(long n) {
        return String.format(java.util.Locale.ROOT, "%019d", n);
    }

    private static ObjectNode compare(String target, byte[] key) {
        return EtcdClient.object().put("target", target).put("key", EtcdClient.b64(key)).put("result", "EQUAL");
    }

    private static ObjectNode put(byte[] key, byte[] value) {
        ObjectNode o = EtcdClient.object();
        o.putObject("request_put").put("key", EtcdClient.b64(key)).put("value", EtcdClient.b64(value));
        return o;
    }

    private static ObjectNode delete(byte[] key, byte[] rangeEnd) {
        ObjectNode o = EtcdClient.object();
        ObjectNode d = o.putObject("request_delete_range").put("key", EtcdClient.b64(key));
        if (rangeEnd != null) {
            d.put("range_end", EtcdClient.b64(rangeEnd));
        }
        return o;
    }

    private static ObjectNode range(byte[] key, byte[] rangeEnd, long limit) {
        ObjectNode o = EtcdClient.object();
        ObjectNode r = o.putObject("request_range").put("key", EtcdClient.b64(key));
        if (rangeEnd != null) {
            r.put("range_end", EtcdClient.b64(rangeEnd));
        }
        if (limit > 0) {
            r.put("limit", Long.toString(limit));
        }
        return o;
    }

    private static String keyOf(JsonNode kv) {
        return EtcdClient.text(kv.get("key"));
    }

    // ================================================================== load

    @Override
    public Loaded load() {
        String history = null;
        long revision = 0;
        long compacted = 0;
        List<Resource> resources = new ArrayList<>();
        List<Change> log = new ArrayList<>();
        Map<NveId, List<Receipt>> receipts = new HashMap<>();
        byte[] from = start;
        long at = 0;
        while (true) {
            JsonNode r = etcd.range(from, end, PAGE, at);
            if (at == 0) {
                at = EtcdClient.num(r.path("header").get("revision")); // every page at the same revision
            }
            JsonNode kvs = r.path("kvs");
            for (JsonNode kv : kvs) {
                String k = keyOf(kv).substring(p.length());
                byte[] v = EtcdClient.bytes(kv.get("value"));
                if (k.startsWith("r/")) {
                    resources.add(Codec.resource(v));
                } else if (k.startsWith("log/")) {
                    log.add(Codec.change(v));
                } else if (k.startsWith("receipt/")) {
                    String nve = k.substring("receipt/".length(), k.lastIndexOf('/'));
                    receipts.computeIfAbsent(NveId.of(nve), x -> new ArrayList<>()).add(Codec.receipt(v));
                } else if (k.equals("meta/history")) {
                    history = new String(v, StandardCharsets.UTF_8);
                } else if (k.equals("meta/revision")) {
                    revision = Long.parseLong(new String(v, StandardCharsets.UTF_8));
                } else if (k.equals("meta/compacted")) {
                    compacted = Long.parseLong(new String(v, StandardCharsets.UTF_8));
                }
            }
            if (!r.path("more").asBoolean(false) || kvs.isEmpty()) {
                break;
            }
            byte[] last = EtcdClient.bytes(kvs.get(kvs.size() - 1).get("key"));
            from = java.util.Arrays.copyOf(last, last.length + 1); // the next key after it
        }
        if (history == null) {
            throw new StoreException(describe() + " holds no NVA history (was the prefix deleted?)");
        }
        if (!log.isEmpty() && log.getLast().revision() != revision) {
            throw new StoreException(describe() + ": the log ends at revision " + log.getLast().revision()
                    + ", the store is at " + revision);
        }
        // the log starts right after the compaction point, whatever an instance with other settings wrote
        compacted = log.isEmpty() ? Math.max(compacted, revision) : Math.max(compacted, log.getFirst().revision() - 1);
        for (List<Receipt> l : receipts.values()) {
            l.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        }
        watched.accumulateAndGet(at, Math::max); // the watch starts after the etcd revision of the last load
        return new Loaded(history, revision, resources, log, compacted, receipts);
    }

    // ================================================================== commit

    @Override
    public void commit(Batch batch) {
        if (batch.changes().isEmpty()) {
            throw new IllegalArgumentException("a shared store commits a batch without change at a base revision:"
                    + " commit(batch, baseRevision)");
        }
        commit(batch, batch.changes().getFirst().revision() - 1);
    }

    @Override
    public void commit(Batch batch, long baseRevision) {
        if (closed) {
            throw new StoreException(describe() + " is closed");
        }
        ObjectNode txn = EtcdClient.object();
        ArrayNode cmp = txn.withArray("compare");
        cmp.add(compare("VALUE", key("meta/revision")).put("value", EtcdClient.b64(Long.toString(baseRevision))));
        for (Map.Entry<NveId, Receipt> r : batch.receipts().entrySet()) {
            byte[] last = key("last/" + r.getKey().name());
            long before = r.getValue().seq() - 1;
            cmp.add(before == 0 ? compare("VERSION", last).put("version", "0")
                    : compare("VALUE", last).put("value", EtcdClient.b64(Long.toString(before))));
        }
        ArrayNode ops = txn.withArray("success");
        for (Change c : batch.changes()) {
            // one operation per key (etcd refuses a key twice in one transaction): the last event of each key
            Map<String, byte[]> last = new LinkedHashMap<>();
            List<byte[]> encoded = new ArrayList<>(c.events().size());
            for (ChangeEvent e : c.events()) {
                switch (e) {
                    case ChangeEvent.Put put -> {
                        byte[] v = Codec.resource(put.resource());
                        encoded.add(v);
                        last.remove(put.key().path());
                        last.put(put.key().path(), v);
                    }
                    case ChangeEvent.Removed r -> {
                        last.remove(r.key().path());
                        last.put(r.key().path(), null);
                    }
                    case ChangeEvent.Withdrawal w -> {
                    }
                }
            }
            for (Map.Entry<String, byte[]> e : last.entrySet()) {
                byte[] k = key("r/" + e.getKey());
                ops.add(e.getValue() == null ? delete(k, null) : put(k, e.getValue()));
            }
            ops.add(put(key("log/" + digits(c.revision())), Codec.change(c, encoded)));
        }
        if (!batch.changes().isEmpty()) {
            ops.add(put(key("meta/revision"), bytes(Long.toString(batch.lastRevision()))));
        }
        for (Map.Entry<NveId, Receipt> r : batch.receipts().entrySet()) {
            String nve = r.getKey().name();
            long seq = r.getValue().seq();
            ops.add(put(key("receipt/" + nve + "/" + digits(seq)), Codec.receipt(r.getValue())));
            ops.add(put(key("last/" + nve), bytes(Long.toString(seq))));
            if (seq > Report.WINDOW) {
                ops.add(delete(key("receipt/" + nve + "/" + digits(seq - Report.WINDOW)), null));
            }
        }
        if (batch.compactThrough() > 0) {
            ops.add(delete(key("log/"), key("log/" + digits(batch.compactThrough() + 1))));
            ops.add(put(key("meta/compacted"), bytes(Long.toString(batch.compactThrough()))));
        }
        txn.withArray("failure").add(range(key("meta/revision"), null, 0));
        JsonNode answer = etcd.txn(txn);
        if (!answer.path("succeeded").asBoolean(false)) {
            JsonNode kv = answer.path("responses").path(0).path("response_range").path("kvs").path(0);
            throw new StoreConflict(describe() + " is at revision " + EtcdClient.text(kv.get("value"))
                    + ", the batch was made at " + baseRevision + (batch.receipts().isEmpty() ? ""
                            : ", or a report of " + batch.receipts().keySet() + " was applied by another instance"));
        }
    }

    // ================================================================== catching up

    @Override
    public Tail since(long revision) {
        ObjectNode txn = EtcdClient.object();
        ArrayNode ops = txn.withArray("success");
        ops.add(range(key("meta/revision"), null, 0));
        ops.add(range(key("meta/compacted"), null, 0));
        ops.add(range(key("log/" + digits(revision + 1)), EtcdClient.prefixEnd(key("log/")), SINCE_LIMIT));
        JsonNode r = etcd.txn(txn).path("responses");
        long head = Long.parseLong(EtcdClient.text(r.path(0).path("response_range").path("kvs").path(0).get("value")));
        long compacted = Long.parseLong(
                EtcdClient.text(r.path(1).path("response_range").path("kvs").path(0).get("value")));
        List<Change> changes = new ArrayList<>();
        for (JsonNode kv : r.path(2).path("response_range").path("kvs")) {
            changes.add(Codec.change(EtcdClient.bytes(kv.get("value"))));
        }
        // what the log no longer holds of what the caller misses: then it must load everything (a compaction point
        // past its revision); otherwise the stored compaction point, which may be older than the caller's revision
        long missingThrough = changes.isEmpty() ? head : changes.getFirst().revision() - 1;
        if (missingThrough > revision) {
            compacted = Math.max(compacted, missingThrough);
        }
        return new Tail(head, changes, compacted);
    }

    @Override
    public List<Receipt> receipts(NveId nve) {
        byte[] k = key("receipt/" + nve.name() + "/");
        List<Receipt> out = new ArrayList<>();
        for (JsonNode kv : etcd.range(k, EtcdClient.prefixEnd(k), 0, 0).path("kvs")) {
            out.add(Codec.receipt(EtcdClient.bytes(kv.get("value"))));
        }
        out.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        return out;
    }

    // ================================================================== following (the supervised watch)

    @Override
    public synchronized void follow(SharedStore.Follower f) {
        if (follower != null) {
            throw new IllegalStateException(describe() + " is followed already");
        }
        follower = Objects.requireNonNull(f);
        watcher = Thread.ofPlatform().daemon().name("etcd-watch " + p).start(this::watchLoop);
        checker = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("etcd-watch-check " + p).unstarted(r));
        long ms = settings.checkInterval().toMillis();
        checks = checker.scheduleWithFixedDelay(this::check, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** How many times the watch was re-created (tests: a compaction or a leader loss did re-create it). */
    public long watchesRecreated() {
        return recreated.get();
    }

    /** Why the watch was last re-created. */
    public String lastRecreation() {
        return lastRecreation;
    }

    private void watchLoop() {
        long backoff = 50;
        while (!closed) {
            synchronized (pause) {
                while (suspended && !closed) {
                    try {
                        pause.wait();
                    } catch (InterruptedException e) {
                        if (closed) {
                            return;
                        }
                    }
                }
            }
            String why;
            try {
                why = watchOnce();
                backoff = 50;
            } catch (IOException | RuntimeException e) {
                why = "the watch stream failed: " + e;
                etcd.skipEndpoint();
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
                why = "interrupted";
            }
            if (closed) {
                return;
            }
            recreated.incrementAndGet();
            lastRecreation = why;
            synchronized (pause) { // not once suspendFollowing has returned: the test's instance is to lag
                if (!suspended) {
                    try {
                        follower.resync(why); // whatever the stream may have missed comes from the store itself
                    } catch (RuntimeException e) {
                        why = why + "; " + e; // the next check or the next stream tries again
                    }
                }
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
            }
            backoff = Math.min(1000, backoff * 2);
        }
    }

    /** One watch stream, until it ends; why it ended. */
    private String watchOnce() throws IOException, InterruptedException {
        ObjectNode create = EtcdClient.object().put("key", EtcdClient.b64(start)).put("range_end", EtcdClient.b64(end))
                .put("start_revision", Long.toString(watched.get() + 1)).put("progress_notify", true);
        try (InputStream in = etcd.watch(create)) {
            stream = in;
            if (closed || suspended) {
                return "closed";
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                JsonNode msg;
                try {
                    msg = EtcdClient.JSON.readTree(line);
                } catch (JacksonException e) {
                    return "unreadable watch response: " + e.getOriginalMessage();
                }
                JsonNode res = msg.path("result");
                if (res.isMissingNode()) {
                    return "watch error: " + msg.path("error");
                }
                long compactRevision = EtcdClient.num(res.get("compact_revision"));
                if (compactRevision > 0) {
                    // etcd no longer has the events from our position: resume from its oldest, after a catch-up
                    watched.accumulateAndGet(compactRevision - 1, Math::max);
                    return "etcd compacted its history through " + compactRevision;
                }
                if (res.path("canceled").asBoolean(false)) {
                    return "etcd cancelled the watch: " + res.path("cancel_reason").asString("");
                }
                JsonNode evs = res.path("events");
                if (evs.isEmpty()) {
                    if (!res.path("created").asBoolean(false)) { // a progress notification
                        watched.accumulateAndGet(EtcdClient.num(res.path("header").get("revision")), Math::max);
                    }
                    continue;
                }
                // a response read before suspendFollowing is not delivered after it (under the same lock)
                synchronized (pause) {
                    if (suspended) {
                        return "suspended";
                    }
                    deliver(evs);
                }
            }
            return "the watch stream ended";
        } finally {
            stream = null;
        }
    }

    /** The events of one watch response (whole transactions, in order) to the follower. */
    private void deliver(JsonNode evs) {
        long known = follower.revision();
        List<Change> changes = new ArrayList<>();
        Map<NveId, Receipt> receipts = new HashMap<>();
        long compacted = 0;
        long lastMod = 0;
        for (JsonNode ev : evs) {
            JsonNode kv = ev.path("kv");
            lastMod = Math.max(lastMod, EtcdClient.num(kv.get("mod_revision")));
            if ("DELETE".equals(ev.path("type").asString(""))) {
                continue;
            }
            String k = keyOf(kv).substring(p.length());
            if (k.startsWith("log/")) {
                if (Long.parseLong(k.substring("log/".length())) > known) {
                    changes.add(Codec.change(EtcdClient.bytes(kv.get("value"))));
                }
            } else if (k.startsWith("receipt/")) {
                NveId nve = NveId.of(k.substring("receipt/".length(), k.lastIndexOf('/')));
                Receipt r = Codec.receipt(EtcdClient.bytes(kv.get("value")));
                receipts.merge(nve, r, (a, b) -> a.seq() >= b.seq() ? a : b);
            } else if (k.equals("meta/compacted")) {
                compacted = Math.max(compacted, Long.parseLong(EtcdClient.text(kv.get("value"))));
            }
        }
        follower.committed(changes, receipts, compacted);
        watched.accumulateAndGet(lastMod, Math::max);
    }

    /**
     * The supervisor: the stored revision against the follower's. Behind at two checks in a row without moving:
     * the stream is silent (a member cut off from the leader, a watch that stopped); it is closed, and the loop
     * re-creates it on the next endpoint and catches up.
     */
    private void check() {
        if (closed || suspended) {
            return;
        }
        try {
            JsonNode kv = etcd.range(key("meta/revision"), null, 0, 0).path("kvs").path(0);
            long stored = Long.parseLong(EtcdClient.text(kv.get("value")));
            long mine = follower.revision();
            if (mine >= stored) {
                behindAt = -1;
            } else if (behindAt == mine) {
                behindAt = -1;
                etcd.skipEndpoint();
                abortStream();
            } else {
                behindAt = mine;
            }
        } catch (RuntimeException e) {
            behindAt = -1; // etcd unreachable: the commits say so; the stream's own failure re-creates it
        }
    }

    private void abortStream() {
        InputStream s = stream;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // closing is all we want of it
            }
        }
        Thread w = watcher;
        if (w != null && s == null) {
            w.interrupt(); // between streams, or blocked opening one
        }
    }

    /**
     * Test support: stops delivering (the stream is closed) until {@link #resumeFollowing}. Once it returns, nothing
     * more is delivered: a response already read waits for the lock and is dropped, and the closed stream's
     * resynchronisation from the store does not run (EtcdNvaTest's lagging instance once caught up with the commit it
     * was to miss, in a fresh-clone run).
     */
    void suspendFollowing() {
        synchronized (pause) {
            suspended = true;
        }
        abortStream();
    }

    void resumeFollowing() {
        synchronized (pause) {
            suspended = false;
            pause.notifyAll();
        }
    }

    /** Compacts etcd's own history up to its current revision (tests; operators run etcd's auto-compaction). */
    public long compactEtcd() {
        long rev = EtcdClient.num(etcd.range(key("meta/revision"), null, 0, 0).path("header").get("revision"));
        etcd.compact(rev);
        return rev;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        resumeFollowing();
        if (checker != null) {
            checks.cancel(true);
            checker.shutdownNow();
        }
        abortStream();
        Thread w = watcher;
        if (w != null) {
            w.interrupt();
            try {
                w.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        etcd.close();
    }
}
