package org.splitnve.nva.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.nva.service.NvaFixture.A;
import static org.splitnve.nva.service.NvaFixture.B;
import static org.splitnve.nva.service.NvaFixture.C;
import static org.splitnve.nva.service.NvaFixture.active;
import static org.splitnve.nva.service.NvaFixture.at;
import static org.splitnve.nva.service.NvaFixture.mac;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.nva.NveId;
import org.splitnve.nva.Refusal;
import org.splitnve.nva.service.store.Batch;
import org.splitnve.nva.service.store.SqliteStore;

/**
 * NVA-2, NVA-3: group commit (docs/nva.md section 1.1). Reports of several nNVEs that arrive while a commit is in
 * flight are applied in memory and made durable together, in one store commit, each at its own revision with its
 * own receipt, answered only once durable, and seen by nobody before; a failed commit undoes exactly its group.
 */
class GroupCommitTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    /** Waits, with a deadline, until {@code n} changes wait for the next commit. */
    private static void awaitWaiting(RevisionedNva nva, int n) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (nva.waitingForCommit() < n) {
            assertThat(System.nanoTime()).as("%d changes waiting for the commit", n).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private static Receipt get(CompletableFuture<Receipt> f) throws Exception {
        return f.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    /** Asserts that nothing of the reports not yet durable is seen: reads, lists, the registry, watches. */
    private static void nothingSeen(NvaFixture f, long rev, Watch w, List<Integer> tsis, List<NveId> nves) {
        RevisionedNva nva = f.nva;
        assertThat(nva.revision()).isEqualTo(rev);
        assertThat(((Poll.Changes) w.poll(Duration.ZERO)).changes()).isEmpty();
        for (int i = 0; i < tsis.size(); i++) {
            assertThat(nva.mapping(at(nves.get(i), tsis.get(i)))).isEmpty();
            assertThat(nva.whereIs(NvaFixture.VN, mac(tsis.get(i)))).isEmpty();
        }
        Snapshot list = nva.list(Interest.operator());
        assertThat(list.revision()).isEqualTo(rev);
        for (int i = 0; i < tsis.size(); i++) {
            org.splitnve.nva.TsiInstance in = at(nves.get(i), tsis.get(i));
            assertThat(list.resources()).noneMatch(r -> r instanceof Resource.Mapping m && m.entry().instance().equals(in));
        }
    }

    @Test
    @DisplayName("NVA-2, NVA-3: reports of three nNVEs that arrive during a commit are applied in memory, seen by "
            + "nobody, then made durable in one store commit, each at its own revision with its own receipt")
    void concurrentReportsShareOneCommit() throws Exception {
        GatedStore store = new GatedStore();
        NvaFixture f = new NvaFixture(store, Options.DEFAULT);
        long rev0 = f.nva.revision();
        Watch w = f.nva.watch(Interest.operator(), f.nva.historyId(), rev0);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            store.hold(1);
            CompletableFuture<Receipt> a2 = CompletableFuture.supplyAsync(
                    () -> f.nva.report(A, Report.of(2, active(A, 1, 0))), pool);
            store.awaitHeld(1, DEADLINE); // report 2 of A is in its commit (the fsync takes its time)
            CompletableFuture<Receipt> b2 = CompletableFuture.supplyAsync(
                    () -> f.nva.report(B, Report.of(2, active(B, 2, 0))), pool);
            CompletableFuture<Receipt> c2 = CompletableFuture.supplyAsync(
                    () -> f.nva.report(C, Report.of(2, active(C, 3, 0))), pool);
            // A's next report applies too: its previous one is being committed, not waiting
            CompletableFuture<Receipt> a3 = CompletableFuture.supplyAsync(
                    () -> f.nva.report(A, Report.of(3, active(A, 4, 0))), pool);
            awaitWaiting(f.nva, 3);
            nothingSeen(f, rev0, w, List.of(1, 2, 3, 4), List.of(A, B, C, A));
            assertThat(f.nva.session(A).lastReportSeq()).isEqualTo(1);
            assertThat(a2).isNotDone();

            store.release(false);
            List<Receipt> receipts = List.of(get(a2), get(b2), get(c2), get(a3));
            assertThat(receipts).allMatch(r -> r.status() == Receipt.Status.APPLIED);
            assertThat(receipts.getFirst().revision()).isEqualTo(rev0 + 1);
            Set<Long> revs = new HashSet<>();
            receipts.forEach(r -> revs.add(r.revision()));
            assertThat(revs).containsExactlyInAnyOrder(rev0 + 1, rev0 + 2, rev0 + 3, rev0 + 4);
            assertThat(get(a3).revision()).isGreaterThan(get(a2).revision()); // an nNVE's reports stay in order

            // two commits: A's report 2 alone, then the three others together, one receipt each
            List<Batch> batches = store.batches();
            Batch group = batches.getLast();
            assertThat(batches.get(batches.size() - 2).changes()).hasSize(1);
            assertThat(group.changes()).extracting(Change::revision).containsExactly(rev0 + 2, rev0 + 3, rev0 + 4);
            assertThat(group.receipts()).containsOnlyKeys(A, B, C);
            assertThat(group.receipts().get(A).seq()).isEqualTo(3);

            Poll.Changes seen = (Poll.Changes) w.poll(Duration.ZERO);
            assertThat(seen.changes()).extracting(Change::revision)
                    .containsExactly(rev0 + 1, rev0 + 2, rev0 + 3, rev0 + 4);
            for (Receipt r : receipts) { // each change is the one its receipt names
                Change c = seen.changes().get((int) (r.revision() - rev0 - 1));
                assertThat(c.events()).hasSize(1);
            }
            assertThat(f.nva.list(Interest.operator()).resources()).filteredOn(r -> r instanceof Resource.Mapping)
                    .hasSize(4);

            // durable with their receipts: a restarted NVA answers a repeat with the first receipt
            f.restart(Options.DEFAULT);
            Receipt again = f.nva.report(B, Report.of(2, active(B, 2, 0)));
            assertThat(again.status()).isEqualTo(Receipt.Status.REPEATED);
            assertThat(again.revision()).isEqualTo(get(b2).revision());
            assertThat(f.nva.session(A).lastReportSeq()).isEqualTo(3);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("NVA-2, NVA-3: a failed commit undoes exactly its group: each of its reports is refused with "
            + "STORE_FAILURE, the reports applied on top of it are made again and applied, with no revision skipped")
    void failedGroupUndoneExactly() throws Exception {
        GatedStore store = new GatedStore();
        NvaFixture f = new NvaFixture(store, Options.DEFAULT);
        long rev0 = f.nva.revision();
        Watch w = f.nva.watch(Interest.operator(), f.nva.historyId(), rev0);
        ExecutorService pool = Executors.newCachedThreadPool();
        try {
            // group 1: A alone (held, then durable); group 2: B and C, applied meanwhile, held, then failed
            store.hold(2);
            CompletableFuture<Receipt> a2 = CompletableFuture.supplyAsync(
                    () -> f.nva.report(A, Report.of(2, active(A, 1, 0))), pool);
            store.awaitHeld(1, DEADLINE);
            CompletableFuture<Receipt> b2 = CompletableFuture.supplyAsync(
                    () -> f.nva.report(B, Report.of(2, active(B, 2, 0))), pool);
            CompletableFuture<Receipt> c2 = CompletableFuture.supplyAsync(
                    () -> f.nva.report(C, Report.of(2, active(C, 3, 0))), pool);
            awaitWaiting(f.nva, 2);
            store.release(false);
            assertThat(get(a2).status()).isEqualTo(Receipt.Status.APPLIED);
            assertThat(get(a2).revision()).isEqualTo(rev0 + 1);
            store.awaitHeld(2, DEADLINE);
            assertThat(((Poll.Changes) w.poll(Duration.ZERO)).changes()).extracting(Change::revision)
                    .containsExactly(rev0 + 1);
            nothingSeen(f, rev0 + 1, w, List.of(2, 3), List.of(B, C));
            store.release(true);
            for (Receipt r : List.of(get(b2), get(c2))) {
                assertThat(r.status()).isEqualTo(Receipt.Status.REFUSED);
                assertThat(r.refusal()).isEqualTo(Refusal.STORE_FAILURE);
            }
            nothingSeen(f, rev0 + 1, w, List.of(2, 3), List.of(B, C));
            assertThat(store.batches().getLast().changes()).extracting(Change::revision).containsExactly(rev0 + 1);

            // group 1 (A's report 3) fails; group 2 (B and C again, applied on top of it) is made again without
            // it and succeeds
            store.hold(1);
            CompletableFuture<Receipt> a3 = CompletableFuture.supplyAsync(
                    () -> f.nva.report(A, Report.of(3, active(A, 4, 0))), pool);
            store.awaitHeld(3, DEADLINE);
            b2 = CompletableFuture.supplyAsync(() -> f.nva.report(B, Report.of(2, active(B, 2, 0))), pool);
            c2 = CompletableFuture.supplyAsync(() -> f.nva.report(C, Report.of(2, active(C, 3, 0))), pool);
            awaitWaiting(f.nva, 2);
            store.release(true);
            assertThat(get(a3).refusal()).isEqualTo(Refusal.STORE_FAILURE);
            assertThat(get(b2).status()).isEqualTo(Receipt.Status.APPLIED);
            assertThat(get(c2).status()).isEqualTo(Receipt.Status.APPLIED);
            assertThat(Set.of(get(b2).revision(), get(c2).revision())).containsExactlyInAnyOrder(rev0 + 2, rev0 + 3);
            assertThat(f.nva.mapping(at(A, 4))).isEmpty();
            assertThat(f.nva.mapping(at(A, 1))).isPresent();
            assertThat(f.nva.mapping(at(B, 2))).isPresent();
            assertThat(f.nva.mapping(at(C, 3))).isPresent();
            assertThat(((Poll.Changes) w.poll(Duration.ZERO)).changes()).extracting(Change::revision)
                    .containsExactly(rev0 + 2, rev0 + 3);
            assertThat(f.nva.invariantViolation()).isNull();

            // A sends its report again: it applies, at the next revision
            Receipt retry = f.nva.report(A, Report.of(3, active(A, 4, 0)));
            assertThat(retry.status()).isEqualTo(Receipt.Status.APPLIED);
            assertThat(retry.revision()).isEqualTo(rev0 + 4);
            f.restart(Options.DEFAULT); // the store holds exactly what was acknowledged
            assertThat(f.nva.revision()).isEqualTo(rev0 + 4);
            assertThat(f.nva.list(Interest.operator()).resources()).filteredOn(r -> r instanceof Resource.Mapping)
                    .hasSize(4);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("NVA-2, NVA-3, NVA-4: eight nNVEs report concurrently on SQLite; every report is applied once, in "
            + "its nNVE's order, at distinct revisions; a watcher's replica and a restarted NVA equal the state")
    void concurrentReportersOnSqlite(@TempDir Path dir) throws Exception {
        SqliteStore sqlite = SqliteStore.open(dir.resolve("nva.db"));
        NvaFixture f = new NvaFixture(sqlite, Options.DEFAULT);
        List<NveId> nves = new ArrayList<>();
        for (int n = 0; n < 8; n++) {
            NveId nve = NveId.of("group-" + n);
            f.register(nve, "192.0.2." + (10 + n), NvaFixture.VN);
            nves.add(nve);
        }
        Interest interest = Interest.of(A, Set.of(NvaFixture.VN));
        Replica replica = new Replica();
        replica.reset(f.nva.list(interest));
        Watch w = f.nva.watch(interest, replica.historyId(), replica.revision());
        int reports = 40;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<List<Receipt>>> all = new ArrayList<>();
            for (int n = 0; n < 8; n++) {
                NveId nve = nves.get(n);
                int base = 1000 * (n + 1);
                all.add(CompletableFuture.supplyAsync(() -> {
                    List<Receipt> out = new ArrayList<>();
                    for (int s = 2; s < 2 + reports; s++) { // report 1 was the Serve
                        List<ReportOp> ops = new ArrayList<>();
                        for (int i = 0; i < 10; i++) {
                            int tsi = base + (s * 10 + i) % 120; // TSIs bound again and again: changes and no-ops
                            ops.add(ReportOp.Bind.activated(at(nve, tsi), List.of(mac(tsi)), s));
                        }
                        out.add(f.nva.report(nve, new Report(s, ops)));
                    }
                    return out;
                }, pool));
            }
            Set<Long> revisions = new HashSet<>();
            for (CompletableFuture<List<Receipt>> one : all) {
                List<Receipt> rs = one.get(60, TimeUnit.SECONDS);
                for (int i = 0; i < rs.size(); i++) {
                    assertThat(rs.get(i).status()).isEqualTo(Receipt.Status.APPLIED);
                    assertThat(rs.get(i).seq()).isEqualTo(i + 2);
                    assertThat(revisions.add(rs.get(i).revision())).as("a revision of its own").isTrue();
                    if (i > 0) {
                        assertThat(rs.get(i).revision()).isGreaterThan(rs.get(i - 1).revision());
                    }
                }
            }
            while (w.position() < f.nva.revision()) {
                assertThat(replica.apply(w.poll(Duration.ofSeconds(5)))).isTrue();
            }
            assertThat(replica.sorted()).isEqualTo(f.nva.list(interest).resources());
            List<Resource> before = f.nva.list(Interest.operator()).resources();
            long rev = f.nva.revision();
            f.nva.close();
            try (RevisionedNva again = RevisionedNva.open(SqliteStore.open(dir.resolve("nva.db")), Options.DEFAULT,
                    f.clock, f.events)) {
                assertThat(again.revision()).isEqualTo(rev);
                assertThat(again.list(Interest.operator()).resources()).isEqualTo(before);
                for (NveId nve : nves) {
                    assertThat(again.session(nve).lastReportSeq()).isEqualTo(1 + reports);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
