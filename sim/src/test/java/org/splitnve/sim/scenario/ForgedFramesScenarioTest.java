package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.TIMERS;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.LocalTagPool;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.TsiState;
import org.splitnve.protocol.PortAgent;
import org.splitnve.sim.EthernetSwitch;
import org.splitnve.sim.Host;
import org.splitnve.sim.LinkProfile;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiMode;

/**
 * SEC-9 without authentication, on a shared segment: a station behind the same switch as a victim tNVE
 * and its nNVE sends single forged frames. VDP goes to a non-reserved group (GAP-1), which the switch
 * floods: the forged source MAC that the switch learns on the attacker's port does not cut the victim off
 * from its nNVE (a unicast destination would: that is the switch's learning, not the protocol). Each
 * disturbance is repaired by the protocol itself within a keep-alive period, and the two views converge.
 */
@ExtendWith(PcapOnFailure.class)
class ForgedFramesScenarioTest {
    private static final MacAddress ATTACKER = MacAddress.parse("02:00:00:00:66:66");
    private static final MacAddress GROUP = MacAddress.parse("03:00:5e:53:4e:01");

    /** The attacker: it only sends what the test makes it send. */
    private static final class Silent implements PortAgent {
        @Override
        public void onFrame(int port, byte[] buf, int off, int len) {
        }

        @Override
        public void onTimer() {
        }

        @Override
        public long nextDeadline() {
            return Long.MAX_VALUE;
        }
    }

    private record Segment(SplitNveNet net, NnveNode n1, TnveNode h1, Host attacker, TsiSpec a, TsiSpec b) {
        void inject(byte[] frame) {
            attacker.io().send(0, frame, frame.length);
        }
    }

    /** nNVE, victim tNVE and attacker behind one switch; the victim runs vm1 with TSIs a and b (Activated). */
    private static Segment segment(long seed, double loss) {
        SplitNveNet net = new SplitNveNet(seed, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve(NnveConfig.simple("n1", 1).withTimers(TIMERS).withPorts(List.of(
                new NnveConfig.PortConfig("n1/0", LocalTagPool.range(2, 4094), GROUP))));
        TnveNode h1 = net.tnve("h1", GROUP);
        EthernetSwitch sw = net.bridge("sw", 3);
        net.link(sw, 0, n1.host(), 0);
        net.link(h1.host(), 0, sw, 1);
        Host x = net.sim.addHost("x", List.of(ATTACKER), io -> new Silent());
        net.sim.connect(x, 0, sw, 2, LinkProfile.CLEAN);
        TsiSpec a = tsi(1, 5000);
        TsiSpec b = tsi(2, 5000);
        net.createAndStart(h1, "vm1", a, b);
        net.runFor(SECOND);
        return new Segment(net, n1, h1, x, a, b);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SEC-9: a forged De-Associate and a forged deactivate in the nNVE's name: the tNVE's view comes back "
            + "to what the nNVE holds within a keep-alive period (no split, no endless resynchronisation), the VM "
            + "keeps running and the nNVE never lets the TSIs go")
    void forgedNoticesAreRepaired(double loss) {
        Segment s = segment(29, loss);
        VdpPdu deassociate = new VdpPdu(ManagerId.ofText("h1"), List.of(),
                List.of(Frames.vsi(VsiMode.DE_ASSOCIATE, s.a.id(), 5000, s.a.mac(), List.of())), null);
        VdpPdu deactivate = new VdpPdu(ManagerId.ofText("h1"), List.of(), List.of(Frames.vsi(VsiMode.PRE_ASSOCIATE_RR,
                s.b.id(), 5000, s.b.mac(), List.of(new DeactivateTlv(false, DeactivateTlv.Cause.ADMINISTRATIVE)))), null);
        s.inject(Frames.vdp(s.h1.mac(0), s.n1.mac(0), EcpHeader.request(40_000), deassociate));
        s.inject(Frames.vdp(s.h1.mac(0), s.n1.mac(0), EcpHeader.request(40_001), deactivate));
        s.net.runFor(SECOND / 10);
        assertThat(s.h1.engine().tsiState("nnve", s.a.id())).as("the forged De-Associate was taken at first")
                .isEqualTo(TnveEngine.TsiState.INIT);

        s.net.runFor(2 * TIMERS.keepAliveNanos());
        assertThat(s.h1.engine().tsiState("nnve", s.a.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(s.h1.engine().tsiState("nnve", s.b.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(s.n1.state(s.a)).isEqualTo(TsiState.ACTIVATED);
        assertThat(s.n1.state(s.b)).isEqualTo(TsiState.ACTIVATED);
        assertThat(s.h1.engine().vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);
        assertThat(s.h1.reported()).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(TnveEvent.UplinkState.class,
                u -> assertThat(u.state()).isEqualTo("repaired")));

        // Converged: no resynchronisation keeps going afterwards.
        int events = s.h1.reported().size();
        s.net.runFor(3 * TIMERS.keepAliveNanos());
        assertThat(s.h1.reported().subList(events, s.h1.reported().size()))
                .noneMatch(e -> e instanceof TnveEvent.UplinkState u && (u.state().equals("resync")
                        || u.state().equals("repaired")));
        assertThat(s.n1.state(s.a)).isEqualTo(TsiState.ACTIVATED);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SEC-9, REL-7: a forged frame with the victim's MAC and a new session epoch leads to a "
            + "resynchronisation request, never a silent release: the victim's TSIs stay Activated at the nNVE and "
            + "at the NVA, nothing is de-associated, and the views converge")
    void forgedEpochReleasesNothing(double loss) {
        Segment s = segment(31, loss);
        int effects = s.n1.effects().size();
        SessionTlv forged = new SessionTlv(SessionTlv.KEEPALIVE, 0x0BAD_F00D, s.n1.engine().epoch(), 0, 0L,
                Bytes.wrap(new byte[SessionTlv.NONCE_LENGTH]));
        s.inject(Frames.vdp(GROUP, s.h1.mac(0), EcpHeader.request(50_000),
                new VdpPdu(ManagerId.ofText("h1"), List.of(forged), List.of(), null)));
        s.net.runFor(SECOND / 10);
        assertThat(s.n1.events().of(NnveEvent.PeerRestarted.class)).as("the nNVE took the frame for a restart")
                .isNotEmpty();

        s.net.runFor(4 * TIMERS.bridgeKeepAliveTimeoutNanos());
        assertThat(s.n1.state(s.a)).isEqualTo(TsiState.ACTIVATED);
        assertThat(s.n1.state(s.b)).isEqualTo(TsiState.ACTIVATED);
        assertThat(s.n1.events().of(NnveEvent.ResyncRequested.class)).isNotEmpty();
        assertThat(s.n1.effects().subList(effects, s.n1.effects().size())).as("no NVA entry removed")
                .noneMatch(e -> e instanceof Effect.NvaRemove);
        assertThat(s.h1.engine().tsiState("nnve", s.a.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(s.h1.reported()).noneMatch(e -> e instanceof TnveEvent.NnveInitiated);
        assertThat(s.h1.engine().uplinkInSync("nnve")).isTrue();
    }
}
