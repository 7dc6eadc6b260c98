package org.splitnve.tnve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.tnve.TnveEngine.TsiState;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/** The requests in flight, with time moved by hand and the nNVE's answers given directly. */
class RequestsTest {

    @Test
    @DisplayName("SEC-5: at most WINDOW VSI TLVs in flight per uplink; the rest wait in order and go, their timer "
            + "starting then, as answers come")
    void window() {
        Parts t = new Parts(EnumSet.noneOf(Feature.class));
        List<Link> links = new ArrayList<>();
        for (int i = 0; i <= Requests.WINDOW; i++) {
            Link l = t.link(Parts.tsi(i, List.of()));
            links.add(l);
            t.requests.drive(l, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, List.of(), r -> { });
        }
        Link last = links.getLast();
        assertThat(t.up.inFlight).isEqualTo(Requests.WINDOW);
        assertThat(last.pending).isNotNull();
        assertThat(last.pending.sent).isFalse();
        assertThat(t.up.throttled).containsExactly(last);

        t.advance(1_000_000_000L);
        Link first = links.getFirst();
        t.requests.response(t.up, Parts.answer(first, VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Response.SUCCESS, List.of()));

        assertThat(first.confirmed).isEqualTo(TsiState.ASSOCIATED);
        assertThat(last.pending.sent).isTrue();
        assertThat(last.pending.deadline).isEqualTo(t.clock.nanos() + t.up.ecp.timers().responseTimeoutNanos());
        assertThat(t.up.inFlight).isEqualTo(Requests.WINDOW);
        assertThat(t.up.throttled).isEmpty();
    }

    @Test
    @DisplayName("SM-TSI-1: an answer in another mode than the request's (a late answer to an earlier request) "
            + "changes nothing; the answer in the request's mode confirms the state and the local tag")
    void answerMatchedByMode() {
        Parts t = new Parts(EnumSet.noneOf(Feature.class));
        Link l = t.link(Parts.tsi(1, List.of()));
        List<OpResult> done = new ArrayList<>();
        t.requests.drive(l, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, List.of(), done::add);

        t.requests.response(t.up, Parts.answer(l, VsiMode.ASSOCIATE, VsiStatus.Response.SUCCESS, List.of()));
        assertThat(done).isEmpty();
        assertThat(l.pending).isNotNull();
        assertThat(l.confirmed).isEqualTo(TsiState.INIT);

        t.requests.response(t.up, Parts.answer(l, VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Response.SUCCESS, List.of()));
        assertThat(done).containsExactly(OpResult.OK);
        assertThat(l.pending).isNull();
        assertThat(l.confirmed).isEqualTo(TsiState.ASSOCIATED);
        assertThat(l.tag).isEqualTo(Parts.TAG);
        assertThat(t.up.confirmedCount).isEqualTo(1);
    }

    @Test
    @DisplayName("DP-4, REQ-7: an answer that keeps the TSI's state but carries another local tag (the nNVE gave it a new"
            + " one, e.g. re-associated after its restart) is reported as tsi.tag, so that the hypervisor's switch follows;"
            + " the first tag, and the same tag again, are not")
    void tagChangeReported() {
        Parts t = new Parts(EnumSet.noneOf(Feature.class));
        Link l = t.link(Parts.tsi(1, List.of()));
        t.confirm(l, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR);
        t.confirm(l, TsiState.ACTIVATED, VsiMode.ASSOCIATE);
        assertThat(t.events).noneMatch(e -> e instanceof TnveEvent.TagChanged);

        t.requests.drive(l, TsiState.ACTIVATED, VsiMode.ASSOCIATE, List.of(), r -> { });
        Filter other = Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid((int) l.spec.vnId(), l.spec.mac(), 300));
        t.requests.response(t.up, new VsiTlv(VsiMode.ASSOCIATE, VsiStatus.Response.SUCCESS, l.spec.typeId(),
                l.spec.typeVersion(), l.spec.id(), other, List.of()));
        assertThat(l.tag).isEqualTo(300);
        assertThat(l.confirmed).isEqualTo(TsiState.ACTIVATED);
        assertThat(t.events).filteredOn(e -> e instanceof TnveEvent.TagChanged).singleElement()
                .isEqualTo(new TnveEvent.TagChanged("vm", l.spec.id(), t.up.cfg.name(), Parts.TAG, 300));
    }

    @Test
    @DisplayName("SM-TSI-1, LC-SUSPEND: an answer in the request's mode that echoes another request's deactivate or "
            + "migration TLV (a create's answer sent twice, while a suspend waits) changes nothing; the answer echoing "
            + "the suspend's deactivate ends it")
    void answerMatchedByEchoedTlvs() {
        Parts t = new Parts(EnumSet.allOf(Feature.class));
        Link l = t.link(Parts.tsi(1, List.of()));
        t.requests.drive(l, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, List.of(MigrationTlv.notMigration()),
                r -> { });
        t.requests.response(t.up, Parts.answer(l, VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Response.SUCCESS,
                List.of(MigrationTlv.notMigration())));
        assertThat(l.confirmed).isEqualTo(TsiState.ASSOCIATED);
        l.confirmed = TsiState.ACTIVATED; // as after a start

        List<OpResult> done = new ArrayList<>();
        DeactivateTlv suspend = new DeactivateTlv(false, DeactivateTlv.Cause.SUSPEND);
        t.requests.drive(l, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, List.of(suspend), done::add);
        t.requests.response(t.up, Parts.answer(l, VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Response.SUCCESS,
                List.of(MigrationTlv.notMigration())));
        assertThat(done).as("the create's second answer does not end the suspend").isEmpty();
        assertThat(l.pending).isNotNull();

        t.requests.response(t.up, Parts.answer(l, VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Response.SUCCESS,
                List.of(suspend)));
        assertThat(done).containsExactly(OpResult.OK);
        assertThat(l.pending).isNull();
    }

    @Test
    @DisplayName("REQ-10, OPS-1: only the answer echoing the LAST fragment of the request's transaction ends it; "
            + "the TSI's addresses are then those acknowledged")
    void answerMatchedByFragmentEcho() {
        Parts t = new Parts(EnumSet.allOf(Feature.class));
        var spec = Parts.tsi(1, Parts.ips(300));
        Link l = t.link(spec);
        List<OpResult> done = new ArrayList<>();
        t.requests.drive(l, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, List.of(), done::add);
        Pending p = l.pending;
        assertThat(p.items).hasSizeGreaterThan(1); // a first association carries the addresses, in fragments
        List<TsiAddressTlv> fragments = new ArrayList<>();
        for (VsiTlv item : p.items) {
            for (OrgTlv o : item.attached()) {
                if (o instanceof TsiAddressTlv a) {
                    fragments.add(a);
                }
            }
        }
        TsiAddressTlv firstFragment = fragments.getFirst();
        TsiAddressTlv lastFragment = fragments.getLast();
        assertThat(lastFragment.last()).isTrue();
        assertThat(firstFragment.last()).isFalse();
        TsiAddressTlv otherTransaction = new TsiAddressTlv(lastFragment.operation(),
                (lastFragment.transaction() + 1) & 0xFFFF, lastFragment.fragment(), true, lastFragment.addresses());

        t.requests.response(t.up, Parts.answer(l, VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Response.SUCCESS,
                List.of(firstFragment)));
        t.requests.response(t.up, Parts.answer(l, VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Response.SUCCESS,
                List.of(otherTransaction)));
        assertThat(done).isEmpty();
        assertThat(l.confirmed).isEqualTo(TsiState.INIT);

        t.requests.response(t.up, Parts.answer(l, VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Response.SUCCESS,
                List.of(lastFragment)));
        assertThat(done).containsExactly(OpResult.OK);
        assertThat(l.confirmed).isEqualTo(TsiState.ASSOCIATED);
        assertThat(l.ackedIps).containsExactlyElementsOf(spec.ips());
    }

    @Test
    @DisplayName("SM-REASON, OPS-1: a refusal echoing an earlier fragment ends the request with its reason code; "
            + "nothing is confirmed or acknowledged")
    void refusalOfAnEarlierFragmentEndsTheRequest() {
        Parts t = new Parts(EnumSet.allOf(Feature.class));
        Link l = t.link(Parts.tsi(1, Parts.ips(300)));
        List<OpResult> done = new ArrayList<>();
        t.requests.drive(l, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, List.of(), done::add);
        TsiAddressTlv firstFragment = l.pending.items.getFirst().attached(TsiAddressTlv.class);

        t.requests.response(t.up, Parts.answer(l, VsiMode.PRE_ASSOCIATE_RR,
                VsiStatus.Response.refused(ReasonCode.INSUFFICIENT_RESOURCES), List.of(firstFragment)));

        assertThat(done).hasSize(1);
        assertThat(done.getFirst().ok()).isFalse();
        assertThat(done.getFirst().code()).isEqualTo(ReasonCode.INSUFFICIENT_RESOURCES.value());
        assertThat(l.pending).isNull();
        assertThat(l.confirmed).isEqualTo(TsiState.INIT);
        assertThat(l.ackedIps).isEmpty();
        assertThat(t.events).anyMatch(e -> e instanceof TnveEvent.RequestFailed f && f.code() == ReasonCode.INSUFFICIENT_RESOURCES.value());
    }

    @Test
    @DisplayName("SM-TIMER: a request unanswered by its response deadline fails (no answer) at that deadline, not "
            + "before, and the next request of the TSI goes")
    void deadline() {
        Parts t = new Parts(EnumSet.noneOf(Feature.class));
        Link l = t.link(Parts.tsi(1, List.of()));
        List<OpResult> first = new ArrayList<>();
        List<OpResult> second = new ArrayList<>();
        t.requests.drive(l, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, List.of(), first::add);
        t.requests.drive(l, TsiState.ACTIVATED, VsiMode.ASSOCIATE, List.of(), second::add);
        long deadline = l.pending.deadline;
        assertThat(t.up.nextDeadline()).isLessThanOrEqualTo(deadline);

        t.at(deadline - 1);
        t.up.onTimer(t.station.now);
        assertThat(first).isEmpty();

        t.at(deadline);
        t.up.onTimer(t.station.now);
        assertThat(first).hasSize(1);
        assertThat(first.getFirst().code()).isEqualTo(Station.CODE_NO_ANSWER);
        assertThat(l.confirmed).isEqualTo(TsiState.INIT);
        assertThat(l.pending).isNotNull();
        assertThat(l.pending.mode).isEqualTo(VsiMode.ASSOCIATE); // the next one went
        assertThat(second).isEmpty();
    }
}
