package org.splitnve.tnve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.tnve.TnveEngine.TsiState;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiMode;

/** One uplink's session with its nNVE, fed PDUs directly, time moved by hand. */
class UplinkTest {
    private static final int NNVE_EPOCH = 0x5151;

    private static VdpPdu pdu(List<OrgTlv> header, List<VdpItem> items) {
        return new VdpPdu(ManagerId.ofText("nnve"), header, items, null);
    }

    private static SessionTlv session(int count, long digest) {
        return new SessionTlv(0, NNVE_EPOCH, 0x1234, count, digest, Bytes.of(new byte[SessionTlv.NONCE_LENGTH]));
    }

    @Test
    @DisplayName("SEC-9: a De-Associate notice in the nNVE's name is undone when the nNVE's session count and "
            + "digest say it still holds the TSI as before (the notice was forged), with no frame sent")
    void forgedDeAssociateRepaired() {
        Parts t = new Parts(EnumSet.allOf(Feature.class));
        Link l = t.link(Parts.tsi(1, List.of()));
        t.confirm(l, TsiState.ACTIVATED, VsiMode.ASSOCIATE);
        int count = t.up.confirmedCount;
        long digest = t.up.digest;

        t.up.onReceive(null, pdu(List.of(), List.of(Parts.request(l, VsiMode.DE_ASSOCIATE, List.of()))));
        assertThat(l.confirmed).isEqualTo(TsiState.INIT);
        assertThat(t.events).anyMatch(e -> e instanceof TnveEvent.NnveInitiated n && n.what().equals("de-associated"));
        int framesBefore = t.sent.size();

        t.up.onReceive(null, pdu(List.of(session(count, digest)), List.of()));

        assertThat(l.confirmed).isEqualTo(TsiState.ACTIVATED);
        assertThat(l.desired).isEqualTo(TsiState.ACTIVATED);
        assertThat(t.up.confirmedCount).isEqualTo(count);
        assertThat(t.up.digest).isEqualTo(digest);
        assertThat(t.up.noticed).isEmpty();
        assertThat(t.events).anyMatch(e -> e instanceof TnveEvent.UplinkState s && s.state().equals("repaired"));
        assertThat(t.events).anyMatch(e -> e instanceof TnveEvent.NnveInitiated n && n.what().equals("restored"));
        assertThat(t.sent).hasSize(framesBefore);
    }

    @Test
    @DisplayName("SEC-9: a deactivation notice is undone the same way when the digest shows the TSI still Activated")
    void forgedDeactivateRepaired() {
        Parts t = new Parts(EnumSet.allOf(Feature.class));
        Link l = t.link(Parts.tsi(1, List.of()));
        t.confirm(l, TsiState.ACTIVATED, VsiMode.ASSOCIATE);
        int count = t.up.confirmedCount;
        long digest = t.up.digest;

        t.up.onReceive(null, pdu(List.of(), List.of(Parts.request(l, VsiMode.PRE_ASSOCIATE_RR,
                List.of(new DeactivateTlv(false, DeactivateTlv.Cause.ADMINISTRATIVE))))));
        assertThat(l.confirmed).isEqualTo(TsiState.ASSOCIATED);

        t.up.onReceive(null, pdu(List.of(session(count, digest)), List.of()));
        assertThat(l.confirmed).isEqualTo(TsiState.ACTIVATED);
    }

    @Test
    @DisplayName("SEC-9, REQ-9: a notice the nNVE's digest confirms (it no longer holds the TSI) stands: the end "
            + "device never undoes the nNVE's own initiative")
    void genuineNoticeStands() {
        Parts t = new Parts(EnumSet.allOf(Feature.class));
        Link l = t.link(Parts.tsi(1, List.of()));
        t.confirm(l, TsiState.ACTIVATED, VsiMode.ASSOCIATE);

        t.up.onReceive(null, pdu(List.of(), List.of(Parts.request(l, VsiMode.DE_ASSOCIATE, List.of()))));
        t.up.onReceive(null, pdu(List.of(session(0, 0)), List.of()));

        assertThat(l.confirmed).isEqualTo(TsiState.INIT);
        assertThat(l.desired).isEqualTo(TsiState.INIT);
        assertThat(l.pending).isNull();
        assertThat(t.events).noneMatch(e -> e instanceof TnveEvent.UplinkState s && s.state().equals("repaired"));
        assertThat(t.up.noticed).isEmpty();
    }

    @Test
    @DisplayName("REL-7, OPS-7: an nNVE that acknowledges late (a starved peer: three ECPDUs given up on, the uplink "
            + "declared lost, then its frames again) is a live peer: the next request ECP gives up on goes again "
            + "until its response deadline, and the nNVE's answer completes it (it used to fail at once, the count "
            + "of errors never restarting)")
    void lateAcknowledgementsAfterALossRetried() {
        Parts t = new Parts(EnumSet.allOf(Feature.class));
        for (int i = 0; i < 3; i++) {
            t.up.onTransmitError(List.of()); // three keep-alives given up on
        }
        assertThat(t.events).anyMatch(e -> e instanceof TnveEvent.UplinkState s && s.state().equals("down"));
        t.up.onReceive(null, pdu(List.of(), List.of())); // the nNVE is heard again
        assertThat(t.events.getLast()).isInstanceOfSatisfying(TnveEvent.UplinkState.class,
                s -> assertThat(s.state()).isEqualTo("up"));

        Link l = t.link(Parts.tsi(1, List.of()));
        List<OpResult> r = new ArrayList<>();
        l.desired = TsiState.ASSOCIATED;
        t.requests.drive(l, TsiState.ASSOCIATED, VsiMode.ASSOCIATE, List.of(), r::add);
        long giveUp = t.up.ecp.timers().deliveryNanos(); // all retries of one ECPDU, unacknowledged
        for (long ns = 0; ns <= 2 * giveUp && t.up.consecutiveErrors == 0 && r.isEmpty(); ns += 1_000_000L) {
            t.advance(1_000_000L);
            t.up.onTimer(t.station.now);
        }
        for (int ms = 0; ms < 5; ms++) { // the minimum gap between ECPDUs
            t.advance(1_000_000L);
            t.up.onTimer(t.station.now);
        }
        assertThat(t.up.consecutiveErrors).as("ECP gave up on the request's ECPDU once").isEqualTo(1);
        assertThat(r).as("the request is not failed: it goes again").isEmpty();
        assertThat(t.up.ecp.busy()).as("the request is in flight again").isTrue();
        assertThat(l.pending).isNotNull();

        t.answer(l, org.splitnve.wire.vdp.VsiStatus.Response.SUCCESS);
        assertThat(r).singleElement().satisfies(x -> assertThat(x.ok()).isTrue());
        assertThat(l.confirmed).isEqualTo(TsiState.ASSOCIATED);
    }

    @Test
    @DisplayName("REL-7, OPS-1 (issue 13's chaos run): a re-announcement refused after an operation changed what the end"
            + " device wants (a start while the re-announcement as Associated waited) does not drop the TSI: the"
            + " operation's own answer decides; refused with nothing changed since, the TSI is dropped and said so")
    void staleReannouncementRefused() {
        for (boolean changedSince : new boolean[] {true, false}) {
            Parts t = new Parts(EnumSet.allOf(Feature.class));
            Link l = t.link(Parts.tsi(1, List.of()));
            t.confirm(l, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR);
            t.up.onReceive(null, pdu(List.of(session(t.up.confirmedCount, t.up.digest)), List.of()));
            assertThat(l.pending).as("nothing to announce yet").isNull();
            t.up.onReceive(null, pdu(List.of(epoch(0x6161)), List.of())); // the nNVE restarted: every TSI again
            assertThat(l.pending).as("the re-announcement in flight").isNotNull();
            assertThat(l.pending.mode).isEqualTo(VsiMode.PRE_ASSOCIATE_RR);
            if (changedSince) {
                l.desired = TsiState.ACTIVATED; // a start, meanwhile
            }
            t.answer(l, org.splitnve.wire.vdp.VsiStatus.Response.refused(
                    org.splitnve.wire.vdp.ReasonCode.OTHER_FAILURE));
            boolean dropped = t.events.stream().anyMatch(e -> e instanceof TnveEvent.NnveInitiated n
                    && n.what().equals("not taken back after a resynchronisation"));
            assertThat(dropped).as("dropped, the end device's wish %s since: %s", changedSince ? "changed" : "the same",
                    t.events)
                    .isEqualTo(!changedSince);
            assertThat(l.confirmed).isEqualTo(changedSince ? TsiState.ASSOCIATED : TsiState.INIT);
        }
    }

    private static SessionTlv epoch(int e) {
        return new SessionTlv(0, e, 0x1234, 0, 0, Bytes.of(new byte[SessionTlv.NONCE_LENGTH]));
    }
}
