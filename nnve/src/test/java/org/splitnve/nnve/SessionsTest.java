package org.splitnve.nnve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.VdpPdu;

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
}
