package org.splitnve.nva.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.nva.service.NvaFixture.A;
import static org.splitnve.nva.service.NvaFixture.B;
import static org.splitnve.nva.service.NvaFixture.C;
import static org.splitnve.nva.service.NvaFixture.active;
import static org.splitnve.nva.service.NvaFixture.at;
import static org.splitnve.nva.service.NvaFixture.mac;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.service.store.MemoryStore;

/** NVA-4: list, watch, resume from a revision, and "too old" leading to a full resync; replicas converge. */
class WatchTest {

    private static Poll.Changes changes(Poll p) {
        assertThat(p).isInstanceOf(Poll.Changes.class);
        return (Poll.Changes) p;
    }

    /** Polls until the replica is at the NVA's revision; false if the NVA said "too old". */
    private static boolean catchUp(RevisionedNva nva, Watch w, Replica r) {
        while (w.position() < nva.revision()) {
            if (!r.apply(w.poll(Duration.ZERO))) {
                return false;
            }
        }
        return true;
    }

    @Test
    @DisplayName("NVA-4: a watch resumed from the last revision applied after a disconnection gets exactly the "
            + "changes after it, in revision order, and the replica equals a fresh list")
    void resumeFromRevision() {
        NvaFixture f = new NvaFixture();
        Interest interest = Interest.of(C, Set.of(NvaFixture.VN));
        Replica replica = new Replica();
        replica.reset(f.nva.list(interest));
        Watch w = f.nva.watch(interest, replica.historyId(), replica.revision());
        f.report(A, active(A, 1, 0));
        f.report(B, active(B, 2, 0));
        assertThat(catchUp(f.nva, w, replica)).isTrue();
        long applied = replica.revision();

        // disconnected: the watch is gone; three changes happen
        f.report(A, active(A, 3, 0));
        f.report(B, new ReportOp.Unbind(at(B, 2)));
        f.report(A, active(A, 4, 0));

        Watch resumed = f.nva.watch(interest, replica.historyId(), applied);
        Poll.Changes got = changes(resumed.poll(Duration.ZERO));
        assertThat(got.changes()).extracting(Change::revision)
                .containsExactly(applied + 1, applied + 2, applied + 3);
        assertThat(replica.apply(got)).isTrue();
        assertThat(replica.revision()).isEqualTo(f.nva.revision());
        assertThat(replica.sorted()).isEqualTo(f.nva.list(interest).resources());
        assertThat(replica.resyncs()).isZero();
    }

    @Test
    @DisplayName("NVA-4: a watch from a revision older than the compacted change log gets 'too old' with the "
            + "compaction point, never a partial history; the nNVE lists again, watches from the list's revision "
            + "and converges")
    void tooOldLeadsToFullResync() {
        NvaFixture f = new NvaFixture(Options.DEFAULT.withMaxLogEvents(10));
        Interest interest = Interest.of(A, Set.of(NvaFixture.VN));
        Replica replica = new Replica();
        replica.reset(f.nva.list(interest));
        long applied = replica.revision();
        for (int i = 1; i <= 30; i++) {
            f.report(B, active(B, i, 0));
        }
        f.report(B, new ReportOp.Unbind(at(B, 7)));
        assertThat(f.nva.compactedThrough()).isGreaterThan(applied);

        Poll p = f.nva.watch(interest, replica.historyId(), applied).poll(Duration.ZERO);
        assertThat(p).isInstanceOf(Poll.TooOld.class);
        assertThat(((Poll.TooOld) p).compactedThrough()).isEqualTo(f.nva.compactedThrough());
        assertThat(replica.apply(p)).isFalse();

        replica.reset(f.nva.list(interest));
        Watch w = f.nva.watch(interest, replica.historyId(), replica.revision());
        f.report(B, active(B, 31, 0));
        assertThat(catchUp(f.nva, w, replica)).isTrue();
        assertThat(replica.sorted()).isEqualTo(f.nva.list(interest).resources());
        assertThat(replica.get(ResourceKey.mapping(NvaFixture.VN, NvaFixture.vsi(7), B, 1))).isEmpty();
        assertThat(replica.resyncs()).isEqualTo(1);
        assertThat(f.events.of(ServiceEvent.WatchTooOld.class)).hasSize(1);
    }

    @Test
    @DisplayName("NVA-4: a revision of another history (another NVA store), or one the NVA never reached, is "
            + "'too old' too: the nNVE resynchronises instead of trusting it")
    void otherHistoryIsTooOld() {
        NvaFixture f = new NvaFixture();
        NvaFixture other = new NvaFixture();
        Interest interest = Interest.of(A, Set.of(NvaFixture.VN));
        assertThat(f.nva.watch(interest, other.nva.historyId(), 1).poll(Duration.ZERO))
                .isInstanceOf(Poll.TooOld.class);
        assertThat(f.nva.watch(interest, f.nva.historyId(), f.nva.revision() + 5).poll(Duration.ZERO))
                .isInstanceOf(Poll.TooOld.class);
        assertThat(f.nva.watch(interest, f.nva.historyId(), f.nva.revision()).poll(Duration.ZERO))
                .isEqualTo(new Poll.Changes(List.of(), f.nva.revision()));
    }

    @Test
    @DisplayName("NVA-4: a restarted NVA resumes watches from the change log in its store: no full resync after "
            + "an NVA restart within the log")
    void resumeAcrossNvaRestart() {
        NvaFixture f = new NvaFixture();
        Interest interest = Interest.of(A, Set.of(NvaFixture.VN));
        Replica replica = new Replica();
        replica.reset(f.nva.list(interest));
        long applied = replica.revision();
        f.report(B, active(B, 1, 0));
        f.report(B, active(B, 2, 0));
        f.restart(Options.DEFAULT);
        Poll.Changes got = changes(f.nva.watch(interest, replica.historyId(), applied).poll(Duration.ZERO));
        assertThat(got.changes()).hasSize(2);
        replica.apply(got);
        assertThat(replica.sorted()).isEqualTo(f.nva.list(interest).resources());
    }

    @Test
    @DisplayName("NVA-4: a watch sees only its interest: another VN's changes are skipped (its revision still "
            + "reached, a progress mark), a withdrawal reaches only the nNVE it is addressed to")
    void interestFilters() {
        NvaFixture f = new NvaFixture();
        Watch wa = f.nva.watch(Interest.of(A, Set.of(NvaFixture.VN)), f.nva.historyId(), f.nva.revision());
        Watch wb = f.nva.watch(Interest.of(B, Set.of(NvaFixture.VN)), f.nva.historyId(), f.nva.revision());
        TsiInstance red = new TsiInstance(NvaFixture.vsi(50), C, 1, NvaFixture.VN2);
        f.report(C, ReportOp.Bind.activated(red, List.of(mac(50)), 0));
        Poll.Changes skipped = changes(wa.poll(Duration.ZERO));
        assertThat(skipped.changes()).isEmpty();
        assertThat(skipped.revision()).isEqualTo(f.nva.revision());

        f.report(A, active(A, 1, 0));
        f.report(C, ReportOp.Bind.activated(at(C, 1), List.of(mac(1)), 1)); // C wins over A
        List<ChangeEvent> seenByA = new ArrayList<>();
        changes(wa.poll(Duration.ZERO)).changes().forEach(c -> seenByA.addAll(c.events()));
        List<ChangeEvent> seenByB = new ArrayList<>();
        changes(wb.poll(Duration.ZERO)).changes().forEach(c -> seenByB.addAll(c.events()));
        assertThat(seenByA).filteredOn(e -> e instanceof ChangeEvent.Withdrawal).hasSize(1);
        assertThat(seenByB).filteredOn(e -> e instanceof ChangeEvent.Withdrawal).isEmpty();
        assertThat(seenByB).filteredOn(e -> e instanceof ChangeEvent.Put).hasSize(3);
    }

    @Test
    @DisplayName("NVA-4: removals are explicit events: an nNVE removed takes its entries and tags with it, a VN removed "
            + "everything in it, each a removal a replica applies; the replica converges")
    void explicitRemovals() {
        NvaFixture f = new NvaFixture();
        Interest interest = Interest.of(C, Set.of(NvaFixture.VN, NvaFixture.VN2));
        Replica replica = new Replica();
        replica.reset(f.nva.list(interest));
        Watch w = f.nva.watch(interest, replica.historyId(), replica.revision());
        f.report(A, active(A, 1, 0));
        f.report(A, new ReportOp.RecordTag(new org.splitnve.nva.LocalTag(A, 0, 100, NvaFixture.VN)));
        f.report(C, ReportOp.Bind.activated(new TsiInstance(NvaFixture.vsi(2), C, 1, NvaFixture.VN2),
                List.of(mac(2)), 0));
        assertThat(catchUp(f.nva, w, replica)).isTrue();
        assertThat(replica.get(ResourceKey.mapping(NvaFixture.VN, NvaFixture.vsi(1), A, 1))).isPresent();

        long before = f.nva.revision();
        NvaFixture.ok(f.nva.removeNve(A));
        NvaFixture.ok(f.nva.removeVn(NvaFixture.VN2));
        Poll.Changes got = changes(w.poll(Duration.ZERO));
        assertThat(got.changes()).extracting(Change::revision).containsExactly(before + 1, before + 2);
        assertThat(got.changes().getFirst().events()).allMatch(e -> e instanceof ChangeEvent.Removed)
                .extracting(ChangeEvent::key).contains(ResourceKey.nve(A),
                        ResourceKey.mapping(NvaFixture.VN, NvaFixture.vsi(1), A, 1),
                        ResourceKey.localTag(A, 0, 100));
        assertThat(got.changes().get(1).events()).allMatch(e -> e instanceof ChangeEvent.Removed)
                .extracting(ChangeEvent::key).contains(ResourceKey.vn(NvaFixture.VN2),
                        ResourceKey.mapping(NvaFixture.VN2, NvaFixture.vsi(2), C, 1));
        assertThat(replica.apply(got)).isTrue();
        assertThat(replica.sorted()).isEqualTo(f.nva.list(interest).resources());
        assertThat(replica.get(ResourceKey.mapping(NvaFixture.VN, NvaFixture.vsi(1), A, 1))).isEmpty();
        assertThat(f.nva.whereIs(NvaFixture.VN, mac(1))).isEmpty();
    }

    @Test
    @DisplayName("NVA-4: a poll waits for the next change (no busy polling) and returns it as soon as it is in force")
    void pollWaitsForChange() throws Exception {
        NvaFixture f = new NvaFixture();
        Watch w = f.nva.watch(Interest.operator(), f.nva.historyId(), f.nva.revision());
        CompletableFuture<Poll> waiting = CompletableFuture.supplyAsync(() -> w.poll(Duration.ofSeconds(30)));
        assertThat(f.nva.report(A, Report.of(2, active(A, 1, 0))).status()).isEqualTo(Receipt.Status.APPLIED);
        Poll p = waiting.get(20, TimeUnit.SECONDS);
        assertThat(changes(p).changes()).hasSize(1);
    }

    @Test
    @DisplayName("NVA-4, NVA-6: 2,000 random reports of three nNVEs, with watchers that disconnect and resume or "
            + "resync at random under a small change log: every replica converges to the NVA's list, and one entry "
            + "at most forwards each address")
    void randomConvergence() {
        SplittableRandom rnd = new SplittableRandom(20261201L);
        NvaFixture f = new NvaFixture(new MemoryStore(), Options.DEFAULT.withMaxLogEvents(64));
        NveId[] nves = {A, B, C};
        Replica[] replicas = new Replica[3];
        Watch[] watches = new Watch[3];
        Interest[] interests = new Interest[3];
        for (int i = 0; i < 3; i++) {
            interests[i] = Interest.of(nves[i], Set.of(NvaFixture.VN));
            replicas[i] = new Replica();
            replicas[i].reset(f.nva.list(interests[i]));
            watches[i] = f.nva.watch(interests[i], replicas[i].historyId(), replicas[i].revision());
        }
        long[] seq = new long[40];
        for (int step = 0; step < 2000; step++) {
            NveId n = nves[rnd.nextInt(3)];
            int tsi = 1 + rnd.nextInt(40);
            ReportOp op = switch (rnd.nextInt(5)) {
                case 0 -> new ReportOp.Unbind(at(n, tsi));
                case 1 -> ReportOp.Bind.associated(at(n, tsi), List.of(mac(tsi)), seq[tsi - 1]);
                case 2 -> active(n, tsi, seq[tsi - 1]); // often stale or a duplicate
                default -> { // a move
                    seq[tsi - 1] = MobilitySeq.next(seq[tsi - 1]);
                    yield active(n, tsi, seq[tsi - 1]);
                }
            };
            f.report(n, op);
            assertThat(f.nva.invariantViolation()).isNull();
            int w = rnd.nextInt(3);
            switch (rnd.nextInt(4)) {
                case 0 -> { // disconnect; resume from what it applied
                    watches[w] = f.nva.watch(interests[w], replicas[w].historyId(), replicas[w].revision());
                }
                case 1 -> { // poll a little
                    if (!replicas[w].apply(watches[w].poll(Duration.ZERO))) {
                        replicas[w].reset(f.nva.list(interests[w]));
                        watches[w] = f.nva.watch(interests[w], replicas[w].historyId(), replicas[w].revision());
                    }
                }
                default -> {
                }
            }
        }
        long resyncs = 0;
        for (int i = 0; i < 3; i++) {
            if (!catchUp(f.nva, watches[i], replicas[i])) {
                replicas[i].reset(f.nva.list(interests[i]));
            }
            assertThat(replicas[i].sorted()).as("replica of %s", nves[i]).isEqualTo(f.nva.list(interests[i]).resources());
            resyncs += replicas[i].resyncs();
        }
        assertThat(resyncs).as("the small log made some watchers resync").isPositive();
    }
}
