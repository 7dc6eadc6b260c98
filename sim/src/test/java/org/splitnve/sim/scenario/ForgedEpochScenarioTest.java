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
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.VdpPdu;

/**
 * SEC-9 without authentication, on a shared segment: one frame with the victim station's MAC and a new
 * session epoch. Today's failure: the nNVE took it for a restart of the victim and released all its TSIs
 * one keep-alive timeout later, for good. Now a new epoch leads to a resynchronisation request: the real
 * station, which did not restart, announces every TSI again and nothing is released.
 */
@ExtendWith(PcapOnFailure.class)
class ForgedEpochScenarioTest {
    private static final MacAddress ATTACKER = MacAddress.parse("02:00:00:00:66:67");
    private static final MacAddress GROUP = MacAddress.parse("03:00:5e:53:4e:02");

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
    @DisplayName("SEC-9, REL-7: a forged frame with the victim's MAC and a new session epoch leads to a "
            + "resynchronisation request, never a silent release: the victim's TSIs stay Activated at the nNVE and "
            + "at the NVA, nothing is de-associated, and the views converge")
    void forgedEpochReleasesNothing(double loss) {
        SplitNveNet net = new SplitNveNet(31, loss);
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
        net.ok(h1.engine().create("vm1", List.of(a, b)));
        net.ok(h1.engine().start("vm1"));
        net.runFor(SECOND);
        int effects = n1.effects().size();

        SessionTlv forged = new SessionTlv(SessionTlv.KEEPALIVE, 0x0BAD_F00D, n1.engine().epoch(), 0, 0L,
                Bytes.wrap(new byte[SessionTlv.NONCE_LENGTH]));
        VdpPdu pdu = new VdpPdu(ManagerId.ofText("h1"), List.of(forged), List.of(), null);
        byte[] f = Frames.vdp(GROUP, h1.mac(0), EcpHeader.request(50_000), pdu);
        x.io().send(0, f, f.length);
        net.runFor(SECOND / 10);
        assertThat(n1.events().of(NnveEvent.PeerRestarted.class)).as("the nNVE took the frame for a restart")
                .isNotEmpty();

        net.runFor(4 * TIMERS.bridgeKeepAliveTimeoutNanos());
        assertThat(n1.state(a)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.state(b)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.events().of(NnveEvent.ResyncRequested.class)).isNotEmpty();
        assertThat(n1.effects().subList(effects, n1.effects().size())).as("no NVA entry removed")
                .noneMatch(e -> e instanceof Effect.NvaRemove);
        assertThat(h1.engine().tsiState("nnve", a.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(h1.reported()).noneMatch(e -> e instanceof TnveEvent.NnveInitiated);
        assertThat(h1.engine().uplinkInSync("nnve")).isTrue();
    }
}
