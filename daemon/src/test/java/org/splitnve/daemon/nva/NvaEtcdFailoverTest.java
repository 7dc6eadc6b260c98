package org.splitnve.daemon.nva;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.etcd.EtcdClusterExtension;
import org.splitnve.nva.http.HttpNvaLink;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.Poll;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.SessionInfo;
import org.splitnve.nva.service.Snapshot;
import org.splitnve.nva.service.link.NvaLink;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * NVA-2 with the etcd store: two real {@code splitnve nva} processes (child JVMs, {@link NvaChild}) on one
 * three-member etcd cluster ({@link EtcdClusterExtension}; with CI=true a missing etcd fails the test). An nNVE's
 * {@link HttpNvaLink} streams reports through instance A; A is killed with SIGKILL mid-stream; the nNVE carries on
 * through instance B from B's session (the next report's seq is the one after B's last applied). Every report either
 * instance acknowledged is in B's state, and a watcher on B saw every revision once, in order.
 */
class NvaEtcdFailoverTest {
    @RegisterExtension
    static final EtcdClusterExtension ETCD = new EtcdClusterExtension();

    static final String TOKEN = "token-of-nnve-a-0123456789";
    static final String OPERATOR = "operator-token-0123456789";
    static final NveId NVE = NveId.of("nnve-a");
    static final int REPORTS = 240;

    static Path config(Path dir, String name, int port, String store) throws Exception {
        Path c = dir.resolve(name + ".toml");
        Files.writeString(c, """
                [nva]
                name = "%s"
                store = "%s"
                [api]
                listen = "127.0.0.1:%d"
                token_file = "operator.token"
                [[vn]]
                id = 5000
                alias = "blue"
                permit_any = true
                """.formatted(name, store, port));
        return c;
    }

    static HttpResponse<String> operator(URI base, String method, String path, String body) throws Exception {
        return NvaProcesses.call(base, OPERATOR, method, path, body);
    }

    /** Report {@code seq}: the activation of TSI {@code seq} with its own MAC (the same content whoever sends it). */
    static Report report(long seq) {
        TsiInstance in = new TsiInstance(VsiId.uuid(new UUID(0x2222_0000_4000_8000L, seq)), NVE, 1, 5000);
        List<ReportOp> ops = new ArrayList<>();
        if (seq == 1) {
            ops.add(new ReportOp.Serve(Set.of(5000)));
        }
        ops.add(ReportOp.Bind.activated(in, List.of(mac(seq)), 1));
        return new Report(seq, ops);
    }

    /** How {@code seen} differs from {@code expected} (missing, repeated, out of order, unexpected), or "". */
    static String difference(List<Long> seen, List<Long> expected) {
        Set<Long> want = new java.util.HashSet<>(expected);
        Set<Long> once = new java.util.HashSet<>();
        List<Long> repeated = new ArrayList<>();
        List<Long> unexpected = new ArrayList<>();
        List<String> disorder = new ArrayList<>();
        for (int i = 0; i < seen.size(); i++) {
            long r = seen.get(i);
            if (!once.add(r)) {
                repeated.add(r);
            }
            if (!want.contains(r)) {
                unexpected.add(r);
            }
            if (i > 0 && r <= seen.get(i - 1)) {
                disorder.add(seen.get(i - 1) + " then " + r);
            }
        }
        List<Long> missing = expected.stream().filter(r -> !once.contains(r)).toList();
        if (missing.isEmpty() && repeated.isEmpty() && unexpected.isEmpty() && disorder.isEmpty()) {
            return "";
        }
        return seen.size() + " seen, " + expected.size() + " expected; missing " + missing + ", repeated " + repeated
                + ", unexpected " + unexpected + ", out of order " + disorder;
    }

    static TsiAddress mac(long seq) {
        return TsiAddress.mac(new MacAddress(0x5254_0010_0000L + seq));
    }

    @Test
    @DisplayName("NVA-2: two splitnve nva processes on a 3-member etcd; an nNVE streams reports through A, A is killed (SIGKILL) mid-stream, the nNVE continues through B from B's session; every acknowledged report is in B's state, a watcher on B saw every revision in order")
    void failoverToAnotherInstance(@TempDir Path dir) throws Exception {
        String store = "etcd://" + ETCD.cluster().endpoints().stream().map(u -> u.getHost() + ":" + u.getPort())
                .collect(Collectors.joining(",")) + "/splitnve/failover-" + UUID.randomUUID();
        Files.writeString(dir.resolve("operator.token"), OPERATOR + "\n");
        int portA = NvaProcesses.freePort();
        int portB = NvaProcesses.freePort();
        URI a = URI.create("http://127.0.0.1:" + portA);
        URI b = URI.create("http://127.0.0.1:" + portB);
        Path outA = dir.resolve("nva-a.log");
        Path outB = dir.resolve("nva-b.log");
        Process pa = NvaCrashHttpTest.start(config(dir, "nva-a", portA, store), outA);
        Process pb = null;
        List<AutoCloseable> open = new ArrayList<>();
        try {
            NvaProcesses.awaitServing(a, OPERATOR, pa, outA);
            pb = NvaCrashHttpTest.start(config(dir, "nva-b", portB, store), outB);
            NvaProcesses.awaitServing(b, OPERATOR, pb, outB);
            assertThat(operator(a, "POST", "/v1/nva/nves", "{\"name\": \"nnve-a\", \"vtep\": \"192.0.2.1\", \"token\": \""
                    + TOKEN + "\"}").statusCode()).isEqualTo(201);

            // the watcher on B: every change from the revision of its list on
            HttpNvaLink watcherLink = new HttpNvaLink(b, OPERATOR, null);
            open.add(watcherLink);
            Snapshot start = watcherLink.list();
            NvaLink.WatchStream watch = watcherLink.watch(start.historyId(), start.revision());
            open.add(watch);
            List<Change> seen = new CopyOnWriteArrayList<>();
            AtomicBoolean watching = new AtomicBoolean(true);
            AtomicBoolean tooOld = new AtomicBoolean();
            List<Throwable> watchFailed = new CopyOnWriteArrayList<>();
            Thread watcher = Thread.ofVirtual().start(() -> {
                try {
                    while (watching.get()) {
                        if (watch.next(Duration.ofMillis(200)) instanceof Poll.Changes c) {
                            seen.addAll(c.changes());
                        } else {
                            tooOld.set(true);
                            return;
                        }
                    }
                } catch (NvaLink.NvaUnavailable | RuntimeException e) {
                    watchFailed.add(e); // the assertions below say so, instead of a thread's stack trace on stderr
                }
            });

            // the nNVE: a stream of reports through A; on A's loss, B's session says where to go on
            Map<Long, Receipt> acknowledged = new ConcurrentHashMap<>();
            AtomicInteger failovers = new AtomicInteger();
            List<Throwable> failed = new CopyOnWriteArrayList<>();
            HttpNvaLink linkA = new HttpNvaLink(a, TOKEN, null, Duration.ofSeconds(5), HttpNvaLink.SILENT);
            HttpNvaLink linkB = new HttpNvaLink(b, TOKEN, null, Duration.ofSeconds(10), HttpNvaLink.SILENT);
            open.add(linkA);
            open.add(linkB);
            String history = linkA.session().historyId();
            Thread nnve = Thread.ofVirtual().start(() -> {
                try {
                    NvaLink link = linkA;
                    long seq = 1;
                    while (seq <= REPORTS) {
                        try {
                            Receipt r = link.report(report(seq));
                            assertThat(r.status()).as("report %s", seq).isIn(Receipt.Status.APPLIED, Receipt.Status.REPEATED);
                            acknowledged.put(seq, r);
                            seq++;
                        } catch (NvaLink.NvaUnavailable e) {
                            assertThat(link).as("only A goes away: %s", e).isSameAs(linkA);
                            link = linkB;
                            failovers.incrementAndGet();
                            SessionInfo s = linkB.session();
                            assertThat(s.historyId()).isEqualTo(history);
                            // the report in flight when A died was applied or not: B's session says which
                            assertThat(s.lastReportSeq()).isLessThanOrEqualTo(seq);
                            seq = s.lastReportSeq() + 1;
                        }
                    }
                } catch (Throwable t) {
                    failed.add(t);
                }
            });

            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (acknowledged.size() < REPORTS / 3 && nnve.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5); // waiting for a condition (a third acknowledged) with a deadline
            }
            assertThat(acknowledged.size()).as("a third of the stream through A: %s", failed).isGreaterThanOrEqualTo(REPORTS / 3);
            pa.destroyForcibly(); // SIGKILL, mid-stream
            pa.waitFor();
            int atKill = acknowledged.size();
            nnve.join(Duration.ofMinutes(2));
            assertThat(failed).isEmpty();
            assertThat(nnve.isAlive()).isFalse();
            assertThat(pa.exitValue()).isEqualTo(137);
            assertThat(atKill).as("A was killed mid-stream").isLessThan(REPORTS);
            assertThat(failovers.get()).isEqualTo(1);
            // all acknowledged but, at most, the one A applied and could not answer before it died
            assertThat(acknowledged.size()).isBetween(REPORTS - 1, REPORTS);

            // every acknowledged report is in B's state; B's session has the last one
            SessionInfo s = linkB.session();
            assertThat(s.lastReportSeq()).isEqualTo(REPORTS);
            Snapshot state = watcherLink.list();
            Set<TsiAddress> bound = new java.util.HashSet<>();
            for (Resource r : state.resources()) {
                if (r instanceof Resource.Mapping m && m.entry().instance().nve().equals(NVE)) {
                    bound.addAll(m.entry().addresses());
                }
            }
            for (long seq = 1; seq <= REPORTS; seq++) {
                assertThat(bound).as("report %s's address", seq).contains(mac(seq));
            }

            // the watcher on B saw every revision once, in order, up to B's revision, with each receipt's revision
            long last = state.revision();
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while ((seen.isEmpty() || seen.getLast().revision() < last) && !tooOld.get() && watchFailed.isEmpty()
                    && System.nanoTime() < until) {
                Thread.sleep(10); // waiting for a condition (the watch reached B's revision) with a deadline
            }
            watching.set(false);
            watcher.join(Duration.ofSeconds(5));
            assertThat(tooOld).isFalse();
            assertThat(watchFailed).as("the watch on B").isEmpty();
            List<Long> revisions = seen.stream().map(Change::revision).toList();
            List<Long> expected = new ArrayList<>();
            for (long r = start.revision() + 1; r <= last; r++) {
                expected.add(r);
            }
            assertThat(difference(revisions, expected)).as("the revisions the watcher on B saw, from %s to %s",
                    start.revision() + 1, last).isEmpty();
            Map<Long, Change> byRevision = new TreeMap<>();
            seen.forEach(c -> byRevision.put(c.revision(), c));
            for (Map.Entry<Long, Receipt> e : acknowledged.entrySet()) {
                assertThat(byRevision).as("report %s's change", e.getKey()).containsKey(e.getValue().revision());
            }
        } finally {
            for (AutoCloseable c : open.reversed()) {
                c.close();
            }
            pa.destroyForcibly();
            pa.waitFor();
            if (pb != null) {
                pb.destroy();
                pb.waitFor();
            }
        }
    }
}
