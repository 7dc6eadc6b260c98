package org.splitnve.nva.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.Interest;
import org.splitnve.nva.service.Options;
import org.splitnve.nva.service.Poll;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.ResourceKey;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.Watch;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * NVA-2 (second half) and NVA-4 on a real three-member etcd cluster ({@link EtcdCluster}): several NVA instances
 * serve one etcd history at once, any of them answers any nNVE, and losing an etcd member or an NVA instance
 * loses nothing acknowledged. Each test has its own key prefix on the shared cluster.
 */
class EtcdNvaTest {
    @RegisterExtension
    static final EtcdClusterExtension ETCD = new EtcdClusterExtension();

    private static final NveId NVE = NveId.of("nnve-a");
    private static final int VN = 5000;
    private static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-12-01T10:00:00Z"));
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final List<RevisionedNva> opened = new ArrayList<>();
    private final java.util.IdentityHashMap<RevisionedNva, EtcdStore> stores = new java.util.IdentityHashMap<>();

    private static String prefix() {
        return "/splitnve-test/" + UUID.randomUUID() + "/";
    }

    /** An NVA instance on the etcd store below {@code prefix}, reaching etcd through {@code endpoints}. */
    private RevisionedNva instance(String prefix, List<URI> endpoints, Options options) {
        EtcdStore store = EtcdStore.open(EtcdStore.Settings.of(endpoints, prefix)
                .withCheckInterval(Duration.ofMillis(300)));
        String name = "nva-" + opened.size();
        EventSink log = e -> {
            if (e.level() != org.splitnve.protocol.event.Event.Level.DEBUG) {
                System.err.println(name + " " + e); // the shared store's conflicts, reloads and failures
            }
        };
        RevisionedNva nva = RevisionedNva.open(store, options, CLOCK, log);
        opened.add(nva);
        stores.put(nva, store);
        return nva;
    }

    private RevisionedNva instance(String prefix) {
        return instance(prefix, ETCD.cluster().endpoints(), Options.DEFAULT);
    }

    /** The VN, a permit for every TSI, the nNVE registered; its report 1 says it serves the VN. */
    private static void domain(RevisionedNva nva) throws Exception {
        assertThat(nva.addVn(VnRecord.of(UUID.nameUUIDFromBytes(new byte[] {1}), VN, "blue", 500, VnService.L2))
                .decision().isAllowed()).isTrue();
        assertThat(nva.permitTsi(TsiRule.anyOn(VN)).decision().isAllowed()).isTrue();
        assertThat(nva.registerNve(NVE, InetAddress.getByName("192.0.2.1")).decision().isAllowed()).isTrue();
        assertThat(nva.report(NVE, new Report(1, List.of(new ReportOp.Serve(Set.of(VN))))).status())
                .isEqualTo(Receipt.Status.APPLIED);
    }

    private static TsiInstance tsi(int n) {
        return new TsiInstance(VsiId.uuid(new UUID(0x1111_0000_4000_8000L, n)), NVE, 1, VN);
    }

    /** Report {@code seq} of the nNVE: activates TSI {@code seq} (a new mapping entry per report). */
    private static Report bind(long seq) {
        return new Report(seq, List.of(ReportOp.Bind.activated(tsi((int) seq),
                List.of(TsiAddress.mac(new MacAddress(0x5254_0000_0000L + seq))), 1)));
    }

    private static ResourceKey mappingOf(long seq) {
        TsiInstance i = tsi((int) seq);
        return ResourceKey.mapping(i.vnId(), i.vsi(), i.nve(), i.port());
    }

    /** Polls a watch until it has seen {@code through}; the changes it returned, in order. */
    private static List<Change> drain(Watch w, long through) {
        List<Change> out = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (w.position() < through) {
            assertThat(System.nanoTime() - deadline).as("the watch reached revision " + through).isNegative();
            Poll p = w.poll(Duration.ofMillis(500));
            assertThat(p).isInstanceOf(Poll.Changes.class);
            out.addAll(((Poll.Changes) p).changes());
        }
        return out;
    }

    private static void assertConsecutive(List<Change> changes, long from, long through) {
        assertThat(changes).extracting(Change::revision)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(from + 1, through).boxed().toList());
    }

    @org.junit.jupiter.api.AfterEach
    void closeInstances() {
        for (RevisionedNva n : opened) {
            n.close();
        }
    }

    @Test
    @DisplayName("NVA-2, NVA-4: reports through instance A reach a watcher on instance B in order, the same changes at the same revisions, and back")
    void reportsThroughOneInstanceAreWatchedOnAnother() throws Exception {
        String prefix = prefix();
        RevisionedNva a = instance(prefix);
        domain(a);
        RevisionedNva b = instance(prefix);
        assertThat(b.historyId()).isEqualTo(a.historyId());
        long start = b.revision();
        Watch onB = b.watch(Interest.operator(), b.historyId(), start);
        Watch onA = a.watch(Interest.operator(), a.historyId(), start);
        for (long s = 2; s <= 41; s++) {
            assertThat(a.report(NVE, bind(s)).status()).isEqualTo(Receipt.Status.APPLIED);
        }
        List<Change> seenOnB = drain(onB, a.revision());
        assertConsecutive(seenOnB, start, a.revision());
        assertThat(seenOnB).isEqualTo(drain(onA, a.revision()));
        // and the other way: B's report (the next number: B knows report 41 from the store) reaches A's watcher
        Receipt r = b.report(NVE, bind(42));
        assertThat(r.status()).isEqualTo(Receipt.Status.APPLIED);
        List<Change> back = drain(onA, r.revision());
        assertThat(back).extracting(Change::revision).containsExactly(r.revision());
        assertThat(a.resource(mappingOf(42))).isPresent();
    }

    @Test
    @DisplayName("NVA-2, NVA-3: a report applied by instance A, which died before answering, is retried on a lagging instance B and applied exactly once")
    void reportRetriedOnAnotherInstanceIsAppliedOnce() throws Exception {
        String prefix = prefix();
        RevisionedNva a = instance(prefix);
        domain(a);
        RevisionedNva b = instance(prefix);
        EtcdStore bStore = storeOf(b);
        bStore.suspendFollowing(); // B lags: it has not seen what A is about to commit
        Receipt first = a.report(NVE, bind(2));
        assertThat(first.status()).isEqualTo(Receipt.Status.APPLIED);
        a.close(); // A dies before the nNVE had the receipt
        long before = b.revision();
        assertThat(before).isLessThan(first.revision());
        Receipt retried = b.report(NVE, bind(2)); // the nNVE sends the same report to the next NVA address
        assertThat(retried.status()).isEqualTo(Receipt.Status.REPEATED);
        assertThat(retried.revision()).isEqualTo(first.revision());
        assertThat(retried.results()).isEqualTo(first.results());
        assertThat(b.revision()).isEqualTo(first.revision()); // one revision for the report, not two
        Receipt next = b.report(NVE, bind(3));
        assertThat(next.status()).isEqualTo(Receipt.Status.APPLIED);
        assertThat(next.revision()).isEqualTo(first.revision() + 1);
        bStore.resumeFollowing();
        RevisionedNva fresh = instance(prefix);
        assertThat(fresh.session(NVE).lastReportSeq()).isEqualTo(3);
        assertThat(fresh.revision()).isEqualTo(next.revision());
    }

    private EtcdStore storeOf(RevisionedNva nva) {
        return stores.get(nva);
    }

    /** Runs reports of the nNVE in a loop, through whichever instance {@code through} names, recording receipts. */
    private static final class Load {
        final AtomicReference<RevisionedNva> through;
        final ConcurrentLinkedQueue<Long> acknowledged = new ConcurrentLinkedQueue<>();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread thread;

        Load(RevisionedNva first, long nextSeq) {
            through = new AtomicReference<>(first);
            thread = Thread.ofPlatform().name("report-load").start(() -> {
                long seq = nextSeq;
                while (!stop.get()) {
                    RevisionedNva nva = through.get();
                    try {
                        Receipt r = nva.report(NVE, bind(seq));
                        if (r.status() == Receipt.Status.APPLIED || r.status() == Receipt.Status.REPEATED) {
                            acknowledged.add(seq);
                            seq++;
                        } else {
                            failures.incrementAndGet(); // STORE_FAILURE: not acknowledged, sent again
                        }
                    } catch (IllegalStateException closed) {
                        failures.incrementAndGet(); // the instance is gone: the nNVE moves to the next address
                        RevisionedNva other = through.get();
                        if (other != nva) {
                            seq = other.session(NVE).lastReportSeq() + 1; // where the NVA says it stands
                        }
                    }
                }
            });
        }

        void awaitAcks(int n) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (acknowledged.size() < n) {
                assertThat(System.nanoTime() - deadline).as(n + " reports acknowledged").isNegative();
                Thread.sleep(20); // polling a counter with a deadline
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            thread.join(WAIT.toMillis());
        }
    }

    /** Everything a fresh instance loads holds every acknowledged report, and equals what {@code live} has. */
    private void assertNothingLost(String prefix, List<URI> endpoints, List<Long> acked, RevisionedNva live) {
        RevisionedNva fresh = instance(prefix, endpoints, Options.DEFAULT);
        assertThat(acked).isNotEmpty();
        long max = acked.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(fresh.session(NVE).lastReportSeq()).isGreaterThanOrEqualTo(max);
        for (long s : acked) {
            assertThat(fresh.resource(mappingOf(s))).as("report " + s + " acknowledged").isPresent();
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (live.revision() < fresh.revision()) {
            assertThat(System.nanoTime() - deadline).as("the live instance follows").isNegative();
            Thread.onSpinWait();
        }
        List<Resource> freshList = fresh.list(Interest.operator()).resources();
        assertThat(live.list(Interest.operator()).resources()).isEqualTo(freshList);
    }

    @Test
    @DisplayName("NVA-2: the etcd leader killed under a load of reports: nothing acknowledged is lost, the reports carry on")
    void etcdLeaderKilledUnderLoad() throws Exception {
        String prefix = prefix();
        EtcdCluster.Member leader = ETCD.cluster().leader();
        RevisionedNva a = instance(prefix, ETCD.cluster().endpointsFrom(leader), Options.DEFAULT);
        domain(a);
        RevisionedNva b = instance(prefix);
        Watch onB = b.watch(Interest.operator(), b.historyId(), b.revision());
        long start = b.revision();
        Load load = new Load(a, 2);
        try {
            load.awaitAcks(30);
            ETCD.cluster().kill(leader);
            int afterKill = load.acknowledged.size();
            load.awaitAcks(afterKill + 30);
            load.stop();
            List<URI> alive = ETCD.cluster().members().stream().filter(EtcdCluster.Member::running)
                    .map(EtcdCluster.Member::endpoint).toList();
            assertNothingLost(prefix, alive, List.copyOf(load.acknowledged), b);
            assertConsecutive(drain(onB, a.revision()), start, a.revision());
        } finally {
            load.stop();
            ETCD.cluster().restart(leader);
        }
    }

    @Test
    @DisplayName("NVA-2, NVA-4: an NVA instance killed under a load of reports: the nNVE carries on through the other, whose watchers miss nothing")
    void nvaInstanceKilledUnderLoad() throws Exception {
        String prefix = prefix();
        RevisionedNva a = instance(prefix);
        domain(a);
        RevisionedNva b = instance(prefix);
        long start = b.revision();
        Watch onB = b.watch(Interest.operator(), b.historyId(), start);
        Load load = new Load(a, 2);
        try {
            load.awaitAcks(30);
            load.through.set(b);
            a.close(); // under load: a report may be in the middle of its commit
            int afterKill = load.acknowledged.size();
            load.awaitAcks(afterKill + 30);
            load.stop();
            assertThat(load.failures.get()).isLessThanOrEqualTo(1);
            assertNothingLost(prefix, ETCD.cluster().endpoints(), List.copyOf(load.acknowledged), b);
            assertConsecutive(drain(onB, b.revision()), start, b.revision());
        } finally {
            load.stop();
        }
    }

    @Test
    @DisplayName("NVA-4: a watch on instance B survives an etcd compaction of the revisions it missed (the stream is re-created, nothing is lost)")
    void watchSurvivesEtcdCompaction() throws Exception {
        String prefix = prefix();
        RevisionedNva a = instance(prefix, ETCD.cluster().endpoints(), Options.DEFAULT);
        domain(a);
        RevisionedNva b = instance(prefix, ETCD.cluster().endpoints(), Options.DEFAULT);
        EtcdStore bStore = storeOf(b);
        long start = b.revision();
        Watch onB = b.watch(Interest.operator(), b.historyId(), start);
        bStore.suspendFollowing();
        for (long s = 2; s <= 21; s++) {
            assertThat(a.report(NVE, bind(s)).status()).isEqualTo(Receipt.Status.APPLIED);
        }
        storeOf(a).compactEtcd();
        long recreated = bStore.watchesRecreated();
        bStore.resumeFollowing();
        assertConsecutive(drain(onB, a.revision()), start, a.revision());
        assertThat(bStore.watchesRecreated()).isGreaterThan(recreated);
        assertThat(bStore.lastRecreation()).contains("compacted");
        // the stream goes on after the compaction
        Receipt r = a.report(NVE, bind(22));
        assertThat(drain(onB, r.revision())).extracting(Change::revision).containsExactly(r.revision());
    }

    @Test
    @DisplayName("NVA-4: when the NVA log kept in etcd was compacted past what instance B has, B reloads and its watcher gets too old, then lists and converges")
    void laggingInstanceReloadsAndItsWatchersGetTooOld() throws Exception {
        String prefix = prefix();
        Options small = Options.DEFAULT.withMaxLogEvents(5);
        RevisionedNva a = instance(prefix, ETCD.cluster().endpoints(), small);
        domain(a);
        RevisionedNva b = instance(prefix, ETCD.cluster().endpoints(), small);
        long start = b.revision();
        Watch onB = b.watch(Interest.operator(), b.historyId(), start);
        storeOf(b).suspendFollowing();
        for (long s = 2; s <= 21; s++) {
            assertThat(a.report(NVE, bind(s)).status()).isEqualTo(Receipt.Status.APPLIED);
        }
        storeOf(b).resumeFollowing();
        assertThat(b.awaitRevision(a.revision(), WAIT)).isTrue();
        Poll p = onB.poll(Duration.ofSeconds(1));
        assertThat(p).isInstanceOf(Poll.TooOld.class);
        assertThat(((Poll.TooOld) p).compactedThrough()).isGreaterThan(start);
        assertThat(b.list(Interest.operator()).resources()).isEqualTo(a.list(Interest.operator()).resources());
    }

    @Test
    @DisplayName("NVA-2, NVA-4: a watch on instance B, connected to the etcd leader, survives the leader's death (jetcd #1352)")
    void watchSurvivesLeaderLoss() throws Exception {
        String prefix = prefix();
        EtcdCluster.Member leader = ETCD.cluster().leader();
        List<URI> others = ETCD.cluster().members().stream().filter(m -> m != leader).map(EtcdCluster.Member::endpoint).toList();
        RevisionedNva a = instance(prefix, others, Options.DEFAULT);
        domain(a);
        RevisionedNva b = instance(prefix, ETCD.cluster().endpointsFrom(leader), Options.DEFAULT);
        long start = b.revision();
        Watch onB = b.watch(Interest.operator(), b.historyId(), start);
        try {
            ETCD.cluster().kill(leader);
            for (long s = 2; s <= 11; s++) {
                assertThat(a.report(NVE, bind(s)).status()).isEqualTo(Receipt.Status.APPLIED);
            }
            assertConsecutive(drain(onB, a.revision()), start, a.revision());
            assertThat(storeOf(b).watchesRecreated()).isPositive();
        } finally {
            ETCD.cluster().restart(leader);
        }
    }
}
