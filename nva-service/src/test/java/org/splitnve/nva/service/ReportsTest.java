package org.splitnve.nva.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.nva.service.NvaFixture.A;
import static org.splitnve.nva.service.NvaFixture.active;
import static org.splitnve.nva.service.NvaFixture.at;
import static org.splitnve.nva.service.NvaFixture.mac;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.Refusal;

/** NVA-3 at the NVA: an nNVE's reports are applied in order, batched, and a repeated report changes nothing. */
class ReportsTest {

    @Test
    @DisplayName("NVA-3: a report sent again changes nothing and gets its first receipt, at the same revision, "
            + "even after later reports undid what it did and after an NVA restart")
    void repeatedReportChangesNothing() {
        NvaFixture f = new NvaFixture();
        long before = f.nva.revision();
        Report bind = Report.of(2, active(A, 1, 0)); // report 1 was A's Serve
        Receipt first = f.nva.report(A, bind);
        assertThat(first.status()).isEqualTo(Receipt.Status.APPLIED);
        assertThat(first.revision()).isEqualTo(before + 1);
        assertThat(first.results()).containsExactly(Receipt.Result.CHANGED);

        Receipt again = f.nva.report(A, bind);
        assertThat(again.status()).isEqualTo(Receipt.Status.REPEATED);
        assertThat(again.revision()).isEqualTo(first.revision());
        assertThat(again.results()).isEqualTo(first.results());
        assertThat(f.nva.revision()).isEqualTo(first.revision());

        // report 3 removes the instance; report 2 once more must not bring it back
        assertThat(f.nva.report(A, Report.of(3, new ReportOp.Unbind(at(A, 1)))).status())
                .isEqualTo(Receipt.Status.APPLIED);
        long afterUnbind = f.nva.revision();
        Receipt late = f.nva.report(A, bind);
        assertThat(late.status()).isEqualTo(Receipt.Status.REPEATED);
        assertThat(late.revision()).isEqualTo(first.revision());
        assertThat(f.nva.mapping(at(A, 1))).isEmpty();
        assertThat(f.nva.revision()).isEqualTo(afterUnbind);

        // the receipts are in the store: a restarted NVA answers report 3 the same way
        Receipt third = f.nva.lastReceipt(A).orElseThrow();
        f.restart(Options.DEFAULT);
        Receipt afterRestart = f.nva.report(A, Report.of(3, new ReportOp.Unbind(at(A, 1))));
        assertThat(afterRestart.status()).isEqualTo(Receipt.Status.REPEATED);
        assertThat(afterRestart.revision()).isEqualTo(third.revision());
        assertThat(f.nva.session(A).lastReportSeq()).isEqualTo(3);
    }

    @Test
    @DisplayName("NVA-3: a report that skips a number is refused whole and applies nothing; the missing one, then it, "
            + "apply in order")
    void reportsApplyInOrder() {
        NvaFixture f = new NvaFixture();
        long before = f.nva.revision();
        Receipt skipped = f.nva.report(A, Report.of(3, active(A, 2, 0)));
        assertThat(skipped.status()).isEqualTo(Receipt.Status.REFUSED);
        assertThat(skipped.refusal()).isEqualTo(Refusal.REPORT_OUT_OF_ORDER);
        assertThat(skipped.detail()).contains("expected report 2");
        assertThat(f.nva.mapping(at(A, 2))).isEmpty();
        assertThat(f.nva.revision()).isEqualTo(before);

        assertThat(f.nva.report(A, Report.of(2, ReportOp.Bind.associated(at(A, 2), List.of(mac(2)), 0))).status())
                .isEqualTo(Receipt.Status.APPLIED);
        assertThat(f.nva.report(A, Report.of(3, active(A, 2, 0))).status()).isEqualTo(Receipt.Status.APPLIED);
        assertThat(f.nva.mapping(at(A, 2)).orElseThrow().state()).isEqualTo(EntryState.FORWARDING);
    }

    @Test
    @DisplayName("NVA-3: a batch of 500 operations is one change at one revision, answered operation by operation; "
            + "a refused operation changes nothing and the others apply")
    void batchIsOneRevision() {
        NvaFixture f = new NvaFixture();
        long before = f.nva.revision();
        List<ReportOp> ops = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            ops.add(active(A, i, 0));
        }
        ops.add(ReportOp.Bind.activated(new org.splitnve.nva.TsiInstance(NvaFixture.vsi(999), A, 1, 7777),
                List.of(mac(999)), 0)); // a VN the NVA does not know
        Watch w = f.nva.watch(Interest.operator(), f.nva.historyId(), before);
        Receipt r = f.nva.report(A, new Report(2, ops));
        assertThat(r.revision()).isEqualTo(before + 1);
        assertThat(f.nva.revision()).isEqualTo(before + 1);
        assertThat(r.results()).hasSize(501);
        assertThat(r.results().subList(0, 500)).allMatch(x -> x.applied() && x.changed());
        assertThat(r.results().get(500).refusal()).isEqualTo(Refusal.UNKNOWN_VN);
        Poll p = w.poll(java.time.Duration.ZERO);
        assertThat(p).isInstanceOf(Poll.Changes.class);
        List<Change> changes = ((Poll.Changes) p).changes();
        assertThat(changes).hasSize(1);
        assertThat(changes.getFirst().revision()).isEqualTo(before + 1);
        assertThat(changes.getFirst().events()).hasSize(500);
    }

    @Test
    @DisplayName("NVA-2, NVA-3: when the store fails the report is refused, nothing is in force and nobody saw it; "
            + "the same report number applies once the store works again")
    void storeFailureUndoes() {
        NvaFixture f = new NvaFixture();
        long before = f.nva.revision();
        Watch w = f.nva.watch(Interest.operator(), f.nva.historyId(), before);
        f.memory.failing(true);
        Receipt r = f.nva.report(A, Report.of(2, active(A, 1, 0)));
        assertThat(r.status()).isEqualTo(Receipt.Status.REFUSED);
        assertThat(r.refusal()).isEqualTo(Refusal.STORE_FAILURE);
        assertThat(f.nva.mapping(at(A, 1))).isEmpty();
        assertThat(f.nva.revision()).isEqualTo(before);
        assertThat(f.nva.whereIs(NvaFixture.VN, mac(1))).isEmpty();
        assertThat(((Poll.Changes) w.poll(java.time.Duration.ZERO)).changes()).isEmpty();

        f.memory.failing(false);
        Receipt retry = f.nva.report(A, Report.of(2, active(A, 1, 0)));
        assertThat(retry.status()).isEqualTo(Receipt.Status.APPLIED);
        assertThat(f.nva.whereIs(NvaFixture.VN, mac(1)).orElseThrow().instance()).isEqualTo(at(A, 1));
    }
}
