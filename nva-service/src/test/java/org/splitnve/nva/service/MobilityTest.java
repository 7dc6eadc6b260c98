package org.splitnve.nva.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.nva.service.NvaFixture.A;
import static org.splitnve.nva.service.NvaFixture.B;
import static org.splitnve.nva.service.NvaFixture.C;
import static org.splitnve.nva.service.NvaFixture.VN;
import static org.splitnve.nva.service.NvaFixture.active;
import static org.splitnve.nva.service.NvaFixture.associated;
import static org.splitnve.nva.service.NvaFixture.at;
import static org.splitnve.nva.service.NvaFixture.ip;
import static org.splitnve.nva.service.NvaFixture.mac;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.Refusal;
import org.splitnve.nva.TsiInstance;
import org.splitnve.wire.vdp.TsiAddress;

/** NVA-6: address ownership across nNVEs ordered by mobility sequence numbers (RFC 7432 section 15). */
class MobilityTest {

    private static DuplicateAddress duplicate(NvaFixture f, TsiAddress claim) {
        return ((Resource.Duplicate) f.nva.resource(ResourceKey.duplicate(VN, claim)).orElseThrow()).duplicate();
    }

    private static List<ChangeEvent> lastChange(NvaFixture f) {
        Poll p = f.nva.watch(Interest.operator(), f.nva.historyId(), f.nva.revision() - 1).poll(Duration.ZERO);
        return ((Poll.Changes) p).changes().getFirst().events();
    }

    @Test
    @DisplayName("NVA-6: the newest claim wins whatever the arrival order; the losing nNVE is told by a "
            + "withdrawal addressed to it and its entry lists the address withdrawn; an older claim is refused "
            + "with the claim in force as reason")
    void newestClaimWins() {
        NvaFixture f = new NvaFixture();
        TsiAddress ip = TsiAddress.host(ip("10.0.0.1"), mac(1).mac());
        assertThat(f.one(A, ReportOp.Bind.activated(at(A, 1), List.of(mac(1), ip), 4)).changed()).isTrue();
        // the VM moved to B, which claims with the next number
        assertThat(f.one(B, ReportOp.Bind.activated(at(B, 1), List.of(mac(1), ip), 5)).changed()).isTrue();
        assertThat(f.nva.whereIs(VN, mac(1)).orElseThrow().instance()).isEqualTo(at(B, 1));
        assertThat(f.nva.whereIs(VN, TsiAddress.host(ip("10.0.0.1"))).orElseThrow().instance()).isEqualTo(at(B, 1));
        MappingEntry lost = f.nva.mapping(at(A, 1)).orElseThrow();
        assertThat(lost.withdrawn()).containsExactly(mac(1), ip);
        assertThat(lost.stateOf(mac(1))).isEqualTo(EntryState.MAPPING);
        List<ChangeEvent> events = lastChange(f);
        assertThat(events).filteredOn(e -> e instanceof ChangeEvent.Withdrawal)
                .singleElement()
                .satisfies(e -> {
                    ChangeEvent.Withdrawal w = (ChangeEvent.Withdrawal) e;
                    assertThat(w.to()).isEqualTo(A);
                    assertThat(w.addresses()).containsExactly(mac(1), ip);
                    assertThat(w.winner()).isEqualTo(at(B, 1));
                    assertThat(w.winnerSeq()).isEqualTo(5);
                });

        // C reports, late, an activation from before the move: refused, nothing changes
        long rev = f.nva.revision();
        Receipt.Result stale = f.one(C, ReportOp.Bind.activated(at(C, 1), List.of(mac(1)), 4));
        assertThat(stale.refusal()).isEqualTo(Refusal.STALE_MOBILITY_SEQUENCE);
        assertThat(stale.detail()).contains("at mobility sequence 5").contains(at(B, 1).toString());
        assertThat(f.nva.revision()).isEqualTo(rev);
        assertThat(f.nva.whereIs(VN, mac(1)).orElseThrow().instance()).isEqualTo(at(B, 1));

        // A sends its old state again (anti-entropy): accepted, the address stays withdrawn
        assertThat(f.one(A, ReportOp.Bind.activated(at(A, 1), List.of(mac(1), ip), 4)).applied()).isTrue();
        assertThat(f.nva.mapping(at(A, 1)).orElseThrow().withdrawn()).containsExactly(mac(1), ip);
        assertThat(f.nva.revision()).isEqualTo(rev);
        // and the VM comes back to A: a newer claim wins there again
        assertThat(f.one(A, ReportOp.Bind.activated(at(A, 1), List.of(mac(1), ip), 6)).changed()).isTrue();
        assertThat(f.nva.whereIs(VN, mac(1)).orElseThrow().instance()).isEqualTo(at(A, 1));
        assertThat(f.nva.mapping(at(B, 1)).orElseThrow().withdrawn()).containsExactly(mac(1), ip);
        assertThat(f.nva.invariantViolation()).isNull();
    }

    @Test
    @DisplayName("NVA-6: sequence numbers wrap (RFC 7432 section 15, serial arithmetic): 0 is newer than "
            + "4294967295")
    void sequenceWraps() {
        NvaFixture f = new NvaFixture();
        f.one(A, active(A, 1, MobilitySeq.MAX));
        assertThat(f.one(B, active(B, 1, 0)).changed()).isTrue();
        assertThat(f.nva.whereIs(VN, mac(1)).orElseThrow().instance()).isEqualTo(at(B, 1));
        assertThat(f.one(C, active(C, 1, MobilitySeq.MAX)).refusal()).isEqualTo(Refusal.STALE_MOBILITY_SEQUENCE);
    }

    @Test
    @DisplayName("NVA-6: the same address claimed at another nNVE with the same sequence number outside a migration "
            + "is a duplicate: refused, reported, counted once per activation (not per report sent again); the "
            + "same claim as a migration's destination wins")
    void duplicateOutsideMigration() {
        NvaFixture f = new NvaFixture();
        f.one(A, active(A, 1, 3));
        Receipt first = f.report(B, active(B, 1, 3));
        assertThat(first.results().getFirst().refusal()).isEqualTo(Refusal.DUPLICATE_ADDRESS);
        assertThat(f.nva.whereIs(VN, mac(1)).orElseThrow().instance()).isEqualTo(at(A, 1));
        assertThat(f.nva.mapping(at(B, 1))).isEmpty();
        DuplicateAddress d = duplicate(f, mac(1));
        assertThat(d.reason()).isEqualTo(DuplicateAddress.Reason.UNORDERED_CLAIM);
        assertThat(d.activations()).isEqualTo(1);
        assertThat(d.frozen()).isFalse();
        assertThat(f.events.of(ServiceEvent.Duplicate.class)).hasSize(1);

        // the same report again, and the same activation in a new report: still one activation
        assertThat(f.nva.report(B, new Report(first.seq(), List.of(active(B, 1, 3)))).status())
                .isEqualTo(Receipt.Status.REPEATED);
        f.report(B, active(B, 1, 3));
        assertThat(duplicate(f, mac(1)).activations()).isEqualTo(1);
        assertThat(f.nva.duplicateActivations()).isEqualTo(1);
        // a second activation (C's) counts
        f.report(C, active(C, 1, 3));
        assertThat(duplicate(f, mac(1)).activations()).isEqualTo(2);

        // B is the destination of a live migration: the hint settles the tie
        assertThat(f.one(B, active(B, 1, 3).inMigration()).changed()).isTrue();
        assertThat(f.nva.whereIs(VN, mac(1)).orElseThrow().instance()).isEqualTo(at(B, 1));
    }

    @Test
    @DisplayName("NVA-6: another TSI claiming an address forwarded at another nNVE is a duplicate; at the same nNVE, "
            + "or against a mapping entry, it is refused as an address in use")
    void anotherTsi() {
        NvaFixture f = new NvaFixture();
        f.one(A, active(A, 1, 0));
        TsiInstance other = new TsiInstance(NvaFixture.vsi(2), B, 1, VN);
        Receipt.Result r = f.one(B, ReportOp.Bind.activated(other, List.of(mac(1)), 9));
        assertThat(r.refusal()).isEqualTo(Refusal.DUPLICATE_ADDRESS);
        assertThat(duplicate(f, mac(1)).reason()).isEqualTo(DuplicateAddress.Reason.ANOTHER_TSI);
        TsiInstance sameNve = new TsiInstance(NvaFixture.vsi(3), A, 2, VN);
        assertThat(f.one(A, ReportOp.Bind.activated(sameNve, List.of(mac(1)), 9)).refusal())
                .isEqualTo(Refusal.ADDRESS_IN_USE);
        assertThat(f.one(B, ReportOp.Bind.associated(other, List.of(mac(1)), 9)).refusal())
                .isEqualTo(Refusal.ADDRESS_IN_USE);
        assertThat(f.nva.whereIs(VN, mac(1)).orElseThrow().instance()).isEqualTo(at(A, 1));
    }

    @Test
    @DisplayName("NVA-6: a live migration is one move whatever the frames: pre-associate at the destination, "
            + "activate there with the next number, de-associate at the source; N moves within M freeze the "
            + "address as a duplicate until an operator clears it")
    void movesAreCountedByActivations() {
        NvaFixture f = new NvaFixture(new Options(100_000, 3, Duration.ofMinutes(3)));
        f.one(A, active(A, 1, 0));
        // migration 1: A -> B
        f.one(B, associated(B, 1, 0));
        assertThat(f.nva.whereIs(VN, mac(1)).orElseThrow().instance()).isEqualTo(at(A, 1));
        f.one(B, active(B, 1, 1).inMigration());
        f.one(A, new ReportOp.Unbind(at(A, 1)));
        // the destination's nNVE reports its state again and again (anti-entropy): no move
        for (int i = 0; i < 5; i++) {
            f.one(B, active(B, 1, 1));
        }
        f.clock.advance(Duration.ofSeconds(10));
        // migration 2: B -> A: the second move, accepted
        assertThat(f.one(A, active(A, 1, 2).inMigration()).changed()).isTrue();
        f.clock.advance(Duration.ofSeconds(10));
        // a third move within 180 s is the N-th (N = 3): a flapping duplicate, frozen
        Receipt.Result third = f.one(B, active(B, 1, 3));
        assertThat(third.refusal()).isEqualTo(Refusal.DUPLICATE_ADDRESS);
        DuplicateAddress d = duplicate(f, mac(1));
        assertThat(d.reason()).isEqualTo(DuplicateAddress.Reason.FLAPPING);
        assertThat(d.frozen()).isTrue();
        assertThat(f.nva.whereIs(VN, mac(1)).orElseThrow().instance()).isEqualTo(at(A, 1));
        // frozen: even a newer claim is refused until the operator clears it
        assertThat(f.one(C, active(C, 1, 9)).refusal()).isEqualTo(Refusal.DUPLICATE_ADDRESS);
        NvaFixture.ok(f.nva.clearDuplicate(VN, mac(1)));
        assertThat(f.one(C, active(C, 1, 9)).changed()).isTrue();
        assertThat(f.nva.whereIs(VN, mac(1)).orElseThrow().instance()).isEqualTo(at(C, 1));
    }

    @Test
    @DisplayName("NVA-6: moves further apart than M are not a duplicate")
    void movesOutsideTheWindow() {
        NvaFixture f = new NvaFixture(new Options(100_000, 3, Duration.ofMinutes(3)));
        NvaFixture.ok(f.nva.permitTsi(org.splitnve.nva.TsiRule.anyOn(VN)));
        long seq = 0;
        f.one(A, active(A, 1, seq));
        for (int i = 0; i < 6; i++) {
            f.clock.advance(Duration.ofSeconds(100));
            var n = i % 2 == 0 ? B : A;
            assertThat(f.one(n, active(n, 1, ++seq)).changed()).as("move %d", i + 1).isTrue();
        }
        assertThat(f.nva.resource(ResourceKey.duplicate(VN, mac(1)))).isEmpty();
    }
}
