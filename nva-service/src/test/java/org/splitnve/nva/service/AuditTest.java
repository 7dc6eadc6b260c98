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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.link.InProcessLink;
import org.splitnve.nva.service.link.NvaLink;

/**
 * NVA-4, anti-entropy (docs/nva-protocol.md section 12): the digest of a replica, computed change by change by
 * {@link Replica} and by the NVA for the nNVE's interest at the acknowledged revision, finds a replica that
 * diverged and passes one that did not.
 */
class AuditTest {

    private static void catchUp(RevisionedNva nva, Watch w, Replica r) {
        while (w.position() < nva.revision()) {
            assertThat(r.apply(w.poll(Duration.ZERO))).isTrue();
        }
    }

    @Test
    @DisplayName("NVA-4: a replica that follows the watch matches the NVA's digest at every revision it "
            + "acknowledges, also at a revision the NVA has moved past")
    void faithfulReplicaMatches() {
        NvaFixture f = new NvaFixture();
        Interest interest = Interest.of(B, Set.of(NvaFixture.VN));
        Replica replica = new Replica();
        replica.reset(f.nva.list(interest));
        Watch w = f.nva.watch(interest, replica.historyId(), replica.revision());
        assertThat(f.nva.acknowledge(B, replica.revision(), replica.digest())).isEqualTo(Digest.Audit.MATCHES);
        f.report(A, active(A, 1, 0));
        f.report(C, active(C, 2, 0), ReportOp.Bind.activated(new org.splitnve.nva.TsiInstance(NvaFixture.vsi(3), C,
                1, NvaFixture.VN2), List.of(mac(3)), 0)); // VN 5001: not in B's interest
        f.report(B, active(B, 1, 1)); // B takes TSI 1's MAC: A's entry changes too (withdrawn)
        catchUp(f.nva, w, replica);
        long r1 = replica.revision();
        Digest d1 = replica.digest();
        assertThat(f.nva.acknowledge(B, r1, d1)).isEqualTo(Digest.Audit.MATCHES);
        f.report(A, new ReportOp.Unbind(at(A, 1)));
        f.report(B, active(B, 5, 0));
        f.nva.removeNve(C);
        // the NVA has moved on: the digest at r1 is still known (from the per-VN history)
        assertThat(f.nva.acknowledge(B, r1, d1)).isEqualTo(Digest.Audit.MATCHES);
        catchUp(f.nva, w, replica);
        assertThat(f.nva.acknowledge(B, replica.revision(), replica.digest())).isEqualTo(Digest.Audit.MATCHES);
        assertThat(f.nva.divergences()).isZero();
        assertThat(f.nva.session(B).acknowledged()).isEqualTo(replica.revision());
    }

    @Test
    @DisplayName("NVA-4: a replica with a resource changed behind its back is found diverged, counted and not "
            + "acknowledged; after a new list it matches again")
    void resourceChangedBehindItsBack() {
        NvaFixture f = new NvaFixture();
        Interest interest = Interest.of(B, Set.of(NvaFixture.VN));
        f.report(A, active(A, 1, 0));
        Replica replica = new Replica();
        replica.reset(f.nva.list(interest));
        long rev = replica.revision();
        // the replica's copy of A's entry changes (a bug, a bit flip): same key, another state
        MappingEntry real = f.nva.mapping(at(A, 1)).orElseThrow();
        MappingEntry bent = new MappingEntry(real.instance(), EntryState.MAPPING, real.addresses(), real.held(),
                real.withdrawn(), real.mobilitySeq(), real.since());
        replica.apply(new Poll.Changes(List.of(new Change(rev, "nobody", List.of(new ChangeEvent.Put(
                new Resource.Mapping(bent))))), rev));
        assertThat(replica.digest().count()).isEqualTo(f.nva.list(interest).resources().size()); // same count

        assertThat(f.nva.acknowledge(B, rev, replica.digest())).isEqualTo(Digest.Audit.DIVERGED);
        assertThat(f.nva.divergences()).isEqualTo(1);
        assertThat(f.events.of(ServiceEvent.ReplicaDiverged.class)).singleElement()
                .satisfies(e -> assertThat(e.nve()).isEqualTo(B.name()))
                .satisfies(e -> assertThat(e.divergences()).isEqualTo(1));
        assertThat(f.nva.session(B).acknowledged()).isZero(); // not in force at B

        replica.reset(f.nva.list(interest)); // the nNVE resyncs
        assertThat(f.nva.acknowledge(B, replica.revision(), replica.digest())).isEqualTo(Digest.Audit.MATCHES);
        assertThat(f.nva.session(B).acknowledged()).isEqualTo(rev);
    }

    @Test
    @DisplayName("NVA-4: a replica that missed a change (its watch skipped a revision) is found diverged")
    void missedChangeIsFound() {
        NvaFixture f = new NvaFixture();
        Interest interest = Interest.of(B, Set.of(NvaFixture.VN));
        Replica replica = new Replica();
        replica.reset(f.nva.list(interest));
        long listed = replica.revision();
        f.report(A, active(A, 1, 0)); // missed
        f.report(C, active(C, 2, 0));
        Watch skipping = f.nva.watch(interest, replica.historyId(), listed + 1);
        catchUp(f.nva, skipping, replica);
        assertThat(f.nva.acknowledge(B, replica.revision(), replica.digest())).isEqualTo(Digest.Audit.DIVERGED);
        // an extra resource the NVA does not have: diverged too
        Replica extra = new Replica();
        extra.reset(f.nva.list(interest));
        Resource.Tag notAtTheNva = new Resource.Tag(new org.splitnve.nva.LocalTag(B, 1, 100, NvaFixture.VN));
        extra.apply(new Poll.Changes(List.of(new Change(extra.revision(), "nobody",
                List.of(new ChangeEvent.Put(notAtTheNva)))), extra.revision()));
        assertThat(f.nva.acknowledge(B, extra.revision(), extra.digest())).isEqualTo(Digest.Audit.DIVERGED);
        assertThat(f.nva.divergences()).isEqualTo(2);
    }

    @Test
    @DisplayName("NVA-4: the NVA's digest of every interest, kept change by change through random reports, equals "
            + "the digest of a list; an nNVE's own-entries digest equals the one computed from the state")
    void incrementalEqualsList() {
        NvaFixture f = new NvaFixture();
        SplittableRandom rnd = new SplittableRandom(10);
        List<NveId> nves = List.of(A, B, C);
        long[] seqs = new long[40];
        List<Long> revisions = new ArrayList<>();
        List<List<Digest>> expected = new ArrayList<>();
        List<Interest> interests = List.of(Interest.of(A, Set.of(NvaFixture.VN)), Interest.of(B,
                Set.of(NvaFixture.VN)), Interest.of(C, Set.of(NvaFixture.VN, NvaFixture.VN2)), Interest.operator());
        for (int i = 0; i < 300; i++) {
            NveId nve = nves.get(rnd.nextInt(3));
            int tsi = rnd.nextInt(40);
            if (rnd.nextInt(4) == 0) {
                f.report(nve, new ReportOp.Unbind(at(nve, tsi)));
            } else {
                f.report(nve, active(nve, tsi, ++seqs[tsi]));
            }
            List<Digest> now = new ArrayList<>();
            for (Interest in : interests) {
                Snapshot s = f.nva.list(in);
                now.add(Digest.of(s.resources()));
                assertThat(f.nva.digest(in, s.revision())).contains(now.getLast());
            }
            revisions.add(f.nva.revision());
            expected.add(now);
            for (NveId n : nves) {
                assertThat(f.nva.ownDigest(n).digest()).isEqualTo(Digest.own(n,
                        f.nva.list(Interest.operator()).resources()));
            }
        }
        for (int i = 0; i < revisions.size(); i++) { // every past revision of the log, afterwards
            for (int j = 0; j < interests.size(); j++) {
                assertThat(f.nva.digest(interests.get(j), revisions.get(i))).contains(expected.get(i).get(j));
            }
        }
        // after a restart, revisions before it are no longer known; the current one is
        long before = f.nva.revision();
        f.report(A, active(A, 1, ++seqs[1]));
        long last = f.nva.revision();
        f.restart(Options.DEFAULT);
        assertThat(f.nva.digest(interests.get(1), before)).isEmpty();
        assertThat(f.nva.acknowledge(B, before, Digest.EMPTY)).isEqualTo(Digest.Audit.UNCHECKED);
        assertThat(f.nva.digest(interests.get(1), last)).contains(Digest.of(f.nva.list(interests.get(1)).resources()));
    }

    @Test
    @DisplayName("NVA-4: through the nNVE's link, an acknowledgement with the replica's digest is answered "
            + "matches or diverged")
    void throughTheLink() throws Exception {
        NvaFixture f = new NvaFixture();
        try (NvaLink link = new InProcessLink(f.nva, B)) {
            Snapshot s = link.list();
            Replica replica = new Replica();
            replica.reset(s);
            assertThat(link.acknowledge(s.historyId(), s.revision(), replica.digest())).isEqualTo(Digest.Audit.MATCHES);
            assertThat(link.acknowledge(s.historyId(), s.revision(), Digest.EMPTY)).isEqualTo(Digest.Audit.DIVERGED);
        }
    }
}
