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
import org.splitnve.nnve.LocalTagPool;
import org.splitnve.nnve.NnveConfig;
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
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiMode;

/**
 * SEC-9 without authentication, on a shared segment: a station behind the same switch sends one frame
 * posing as the nNVE (its MAC as the source) that de-associates, or deactivates, a TSI of the victim
 * tNVE. Today's failure: the two sides split (tNVE Init, nNVE Activated) and never converge. The nNVE's
 * session count and digest show it still holds the TSI: the tNVE puts its view back by itself within a
 * keep-alive period, sends nothing that would disturb the nNVE, and the two views agree.
 */
@ExtendWith(PcapOnFailure.class)
class ForgedNoticeScenarioTest {
    private static final MacAddress ATTACKER = MacAddress.parse("02:00:00:00:66:66");
    private static final MacAddress GROUP = MacAddress.parse("03:00:5e:53:4e:01");

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

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SEC-9: a forged De-Associate and a forged deactivate in the nNVE's name: the tNVE's view comes back "
            + "to what the nNVE holds within a keep-alive period (no split, no endless resynchronisation), the VM "
            + "keeps running and the nNVE never lets the TSIs go")
    void forgedNoticesAreRepaired(double loss) {
        SplitNveNet net = new SplitNveNet(29, loss);
        net.vn(5000, "blue", 5000);
        // VDP to a non-reserved group (GAP-1), which the switch floods: the forged source MAC that the switch now
        // learns on the attacker's port does not cut the tNVE off from its nNVE (a unicast destination would:
        // that is the switch's learning, not the protocol).
        NnveNode n1 = net.nnve(NnveConfig.simple("n1", 2).withTimers(TIMERS).withPorts(List.of(
                new NnveConfig.PortConfig("n1/0", LocalTagPool.range(2, 4094), GROUP),
                new NnveConfig.PortConfig("n1/1", LocalTagPool.range(2, 4094), null))));
        TnveNode h1 = net.tnve("h1", GROUP);
        EthernetSwitch sw = net.bridge("sw", 3);
        net.link(sw, 0, n1.host(), 0);
        net.link(h1.host(), 0, sw, 1);
        Host x = net.sim.addHost("x", List.of(ATTACKER), io -> new Silent());
        net.sim.connect(x, 0, sw, 2, LinkProfile.CLEAN);
        TsiSpec a = tsi(1, 5000);
        TsiSpec b = tsi(2, 5000);
        net.ok(h1.engine().create("vm1", List.of(a)));
        net.ok(h1.engine().start("vm1"));
        net.ok(h1.engine().create("vm2", List.of(b)));
        net.ok(h1.engine().start("vm2"));
        net.runFor(SECOND);

        // One frame each, in the nNVE's name, to the victim's MAC.
        VdpPdu deassociate = new VdpPdu(ManagerId.ofText("h1"), List.of(),
                List.of(Frames.vsi(VsiMode.DE_ASSOCIATE, a.id(), 5000, a.mac(), List.of())), null);
        VdpPdu deactivate = new VdpPdu(ManagerId.ofText("h1"), List.of(), List.of(Frames.vsi(VsiMode.PRE_ASSOCIATE_RR,
                b.id(), 5000, b.mac(), List.of(new DeactivateTlv(false, DeactivateTlv.Cause.ADMINISTRATIVE)))), null);
        byte[] f1 = Frames.vdp(h1.mac(0), n1.mac(0), EcpHeader.request(40_000), deassociate);
        byte[] f2 = Frames.vdp(h1.mac(0), n1.mac(0), EcpHeader.request(40_001), deactivate);
        x.io().send(0, f1, f1.length);
        x.io().send(0, f2, f2.length);
        net.runFor(SECOND / 10);
        assertThat(h1.engine().tsiState("nnve", a.id())).as("the forged De-Associate was taken at first")
                .isEqualTo(TnveEngine.TsiState.INIT);

        net.runFor(2 * TIMERS.keepAliveNanos());
        assertThat(h1.engine().tsiState("nnve", a.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(h1.engine().tsiState("nnve", b.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(n1.state(a)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.state(b)).isEqualTo(TsiState.ACTIVATED);
        assertThat(h1.engine().vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);
        assertThat(h1.reported()).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(TnveEvent.UplinkState.class,
                u -> assertThat(u.state()).isEqualTo("repaired")));

        // Converged: no resynchronisation keeps going afterwards.
        int events = h1.reported().size();
        net.runFor(3 * TIMERS.keepAliveNanos());
        assertThat(h1.reported().subList(events, h1.reported().size()))
                .noneMatch(e -> e instanceof TnveEvent.UplinkState u && (u.state().equals("resync")
                        || u.state().equals("repaired")));
        assertThat(n1.state(a)).isEqualTo(TsiState.ACTIVATED);
    }
}
