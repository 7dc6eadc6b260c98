package org.splitnve.nnve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/** The peers and sessions part alone: the keep-alive step-down with time moved by hand. */
class SessionsTest {

    private final PartsFixture f = new PartsFixture(NnveConfig.simple("n", 1));
    private final Peer p = f.peer(0, 0x02_00_00_00_00_0AL);
    private final Vap vap = f.vap(p, 10);
    private final long timeout = p.ecp.timers().bridgeKeepAliveTimeoutNanos();

    @Test
    @DisplayName("SM-TIMER: a standard peer's TSI not refreshed for a keep-alive timeout falls from Activated to "
            + "Associated, after another to Init (released, the peer lost); a refresh in time keeps the state")
    void stepDownPerTsi() {
        Tsi t = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        f.engine.tsm.transition(t, TsiState.ACTIVATED, "test");
        f.clock.set(PartsFixture.START + timeout / 2);
        p.touch(t, f.clock.nanos()); // a refresh
        f.clock.set(PartsFixture.START + timeout);
        f.engine.sessions.expire(p, f.clock.nanos());
        assertThat(t.state()).isEqualTo(TsiState.ACTIVATED);
        f.clock.set(PartsFixture.START + timeout / 2 + timeout);
        f.engine.sessions.expire(p, f.clock.nanos());
        assertThat(t.state()).isEqualTo(TsiState.ASSOCIATED);
        assertThat(f.engine.instances(t.id())).containsExactly(t);
        f.clock.advance(timeout - 1);
        f.engine.sessions.expire(p, f.clock.nanos());
        assertThat(t.state()).isEqualTo(TsiState.ASSOCIATED);
        f.clock.advance(1);
        f.engine.sessions.expire(p, f.clock.nanos());
        assertThat(t.state()).isEqualTo(TsiState.INIT);
        assertThat(f.engine.instances(t.id())).isEmpty();
        assertThat(f.events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(NnveEvent.PeerLost.class,
                l -> assertThat(l.reason()).isEqualTo("keep-alive timeout")));
        assertThat(f.sent).as("the de-association is told to the end device").isNotEmpty();
    }

    @Test
    @DisplayName("SM-TIMER (issue 14): a standard station sends a TSI's next keep-alive only once it has the answer to the"
            + " last: when that answer is delivered late (the station's ECP acknowledgement slow), the keep-alive timeout"
            + " counts from the delivery; answers to other TSIs, and delivery to a session peer, change nothing")
    void keepAliveCountsFromTheAnswersDelivery() {
        Tsi t = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        Tsi other = f.tsi(p, vap, 2, 0x02_00_00_00_10_02L);
        f.engine.tsm.transition(t, TsiState.ACTIVATED, "test");
        f.engine.tsm.transition(other, TsiState.ACTIVATED, "test");
        // the keep-alive request came at START (f.tsi's refresh); its answer is delivered 3/4 of a timeout later
        f.clock.set(PartsFixture.START + timeout * 3 / 4);
        VsiTlv answer = answerTo(t);
        f.engine.sessions.delivered(p, List.of(new Sessions.Outgoing(answer, 1, null, PartsFixture.START)),
                f.clock.nanos());
        f.clock.set(PartsFixture.START + timeout);
        f.engine.sessions.expire(p, f.clock.nanos());
        assertThat(t.state()).as("a timeout after the request, 1/4 after the answer's delivery").isEqualTo(
                TsiState.ACTIVATED);
        assertThat(other.state()).as("no late answer of its own").isEqualTo(TsiState.ASSOCIATED);
        f.clock.set(PartsFixture.START + timeout * 3 / 4 + timeout);
        f.engine.sessions.expire(p, f.clock.nanos());
        assertThat(t.state()).as("a timeout after the delivery").isEqualTo(TsiState.ASSOCIATED);
    }

    @Test
    @DisplayName("SM-REASON (issue 14's stress run, 20% loss): an answer ECP gave up on goes again, unless the station"
            + " asked about its TSI since: the old answer (a suspend's) sent again could be taken for the answer to the"
            + " newer request (a resume's), which the nNVE had not made yet")
    void staleAnswerNotSentAgain() {
        Tsi t = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        Tsi other = f.tsi(p, vap, 2, 0x02_00_00_00_10_02L);
        f.engine.tsm.transition(t, TsiState.ASSOCIATED, "test");
        f.engine.tsm.transition(other, TsiState.ASSOCIATED, "test");
        VsiTlv toT = answerTo(t);
        VsiTlv toOther = answerTo(other);
        long queued = f.clock.nanos();
        // the station asks about t again after the answers were queued (its resume), not about the other TSI
        f.clock.advance(1_000_000L);
        p.request(t, f.clock.nanos());
        f.sent.clear();
        f.engine.sessions.transmitError(p, List.of(new Sessions.Outgoing(toT, 1, null, queued),
                new Sessions.Outgoing(toOther, 1, null, queued)));
        assertThat(sentItems()).as("the answers sent again").containsExactly(toOther);
    }

    @Test
    @DisplayName("SM-TIMER (issue 14's stress run: lldpad's VDP loses an answer its ECP acknowledged, then ends the VSI at"
            + " its response timeout): an answer delivered to a standard station that no request about its TSI follows"
            + " a keep-alive period later goes again, three times at most; a TSI the station asked about in time gets"
            + " nothing again")
    void answerSentAgainWhenNoRequestFollows() {
        Tsi t = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        Tsi other = f.tsi(p, vap, 2, 0x02_00_00_00_10_02L);
        f.engine.tsm.transition(t, TsiState.ACTIVATED, "test");
        f.engine.tsm.transition(other, TsiState.ACTIVATED, "test");
        VsiTlv toT = answerTo(t);
        VsiTlv toOther = answerTo(other);
        long at = f.clock.nanos();
        f.engine.sessions.delivered(p, List.of(new Sessions.Outgoing(toT, 1, null, at),
                new Sessions.Outgoing(toOther, 1, null, at)), at);
        // the station's next keep-alive about the other TSI comes a keep-alive period later; none about t
        f.clock.set(at + p.ecp.timers().keepAliveNanos());
        p.request(other, f.clock.nanos());
        f.sent.clear();
        for (int round = 1; round <= Sessions.NUDGES; round++) {
            f.clock.set(Math.max(f.clock.nanos(), Sessions.nudgeDeadline(p)));
            p.request(other, f.clock.nanos()); // the other TSI's keep-alives go on
            f.engine.onTimer();
            assertThat(sentItems()).as("round %d", round).containsExactly(toT);
            assertThat(t.state()).isEqualTo(TsiState.ACTIVATED);
        }
        assertThat(Sessions.nudgeDeadline(p)).as("three times at most").isEqualTo(Long.MAX_VALUE);
        assertThat(f.events).anySatisfy(e -> assertThat(e).isInstanceOf(NnveEvent.AnswersAgain.class));
    }

    @Test
    @DisplayName("REQ-6, OPS-1: this side's capabilities go with the next PDU to an end device as long as it announces its"
            + " own: the PDU that first carried them may have been lost (ECP gave up on it under loss), and the end device"
            + " would then never learn this nNVE's extensions")
    void capabilitiesAgainWhileThePeerAnnouncesItsOwn() {
        VdpPdu hello = new VdpPdu(null, List.of(CapabilityTlv.of(EnumSet.allOf(CapabilityTlv.Feature.class))), List.of(),
                null);
        f.engine.sessions.receive(p, hello);
        assertThat(f.engine.sessions.header(p)).as("the first PDU to it").hasAtLeastOneElementOfType(CapabilityTlv.class);
        assertThat(f.engine.sessions.header(p)).as("the next one, the end device silent meanwhile")
                .doesNotHaveAnyElementsOfTypes(CapabilityTlv.class);
        // the first was lost: the end device, still without this side's capabilities, sends its own again
        f.engine.sessions.receive(p, hello);
        assertThat(f.engine.sessions.header(p)).as("the next PDU to it").hasAtLeastOneElementOfType(CapabilityTlv.class);
    }

    @Test
    @DisplayName("SM-TIMER: with a session, the peer's keep-alive stands for all its TSIs: heard in time nothing "
            + "changes, silent for a timeout every TSI steps down at once")
    void stepDownPerSession() {
        p.common = CapabilityTlv.of(EnumSet.of(CapabilityTlv.Feature.SESSION));
        p.epoch = 0x1234;
        Tsi a = f.tsi(p, vap, 1, 0x02_00_00_00_10_01L);
        Tsi b = f.tsi(p, vap, 2, 0x02_00_00_00_10_02L);
        f.engine.tsm.transition(a, TsiState.ACTIVATED, "test");
        f.engine.tsm.transition(b, TsiState.ASSOCIATED, "test");
        f.clock.set(PartsFixture.START + timeout / 2);
        p.lastHeard = f.clock.nanos(); // a keep-alive
        f.clock.set(PartsFixture.START + timeout);
        f.engine.sessions.expire(p, f.clock.nanos());
        assertThat(a.state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(b.state()).isEqualTo(TsiState.ASSOCIATED);
        f.clock.set(PartsFixture.START + timeout / 2 + timeout);
        f.engine.sessions.expire(p, f.clock.nanos());
        assertThat(a.state()).isEqualTo(TsiState.ASSOCIATED);
        assertThat(b.state()).isEqualTo(TsiState.INIT);
        assertThat(p.tsiCount()).isEqualTo(1);
    }

    /** The answer to an activation (or a keep-alive) of {@code t}: Associate, success, its filter. */
    private static VsiTlv answerTo(Tsi t) {
        return new VsiTlv(VsiMode.ASSOCIATE, VsiStatus.Response.SUCCESS, t.typeId, t.typeVersion, t.id, t.filter);
    }

    /**
     * The VDP items the engine sends from now on, each ECPDU acknowledged as a station does, its timers run until
     * nothing is due within 100 ms (ECP paces its frames to a standard station).
     */
    private List<org.splitnve.wire.vdp.VdpItem> sentItems() {
        List<org.splitnve.wire.vdp.VdpItem> items = new java.util.ArrayList<>();
        for (int round = 0; round < 50; round++) {
            for (PartsFixture.Sent out : List.copyOf(f.sent)) {
                f.sent.remove(out);
                byte[] b = out.frame().toArray();
                try {
                    if (org.splitnve.wire.frame.FrameCodec.DEFAULT.decode(b) instanceof org.splitnve.wire.frame.Frame.Vdp v
                            && v.ecp().operation() == org.splitnve.wire.ecp.EcpOperation.REQUEST) {
                        items.addAll(v.vdp().items());
                        byte[] ack = org.splitnve.wire.frame.FrameCodec.DEFAULT.encode(new org.splitnve.wire.frame.Frame.Vdp(
                                new org.splitnve.wire.ethernet.EthernetHeader(v.ethernet().source(),
                                        v.ethernet().destination(), org.splitnve.wire.ecp.EcpHeader.ETHERTYPE),
                                new org.splitnve.wire.ecp.EcpHeader(org.splitnve.wire.ecp.EcpOperation.ACK,
                                        org.splitnve.wire.ecp.EcpHeader.SUBTYPE_VDP, v.ecp().sequence()), VdpPdu.EMPTY),
                                true);
                        f.engine.onFrame(out.port(), ack, 0, ack.length);
                    }
                } catch (org.splitnve.wire.DecodeException e) {
                    throw new AssertionError(e);
                }
            }
            long next = f.engine.nextDeadline();
            if (f.sent.isEmpty() && next - f.clock.nanos() > 100_000_000L) {
                break;
            }
            f.clock.set(Math.max(next, f.clock.nanos()));
            f.engine.onTimer();
        }
        return items;
    }
}
