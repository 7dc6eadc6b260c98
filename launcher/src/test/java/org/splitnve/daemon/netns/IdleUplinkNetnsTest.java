package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.await;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.DaemonLab.vns;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.daemon.netns.DaemonLab.Bridge;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.nnve.TsiState;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;

/**
 * OPS-7, OPS-1 on real frames: a tNVE daemon starts while its uplink interface is down. When the link
 * comes up the uplink comes back by itself (probed, no VM request needed), negotiated and in sync; a VM
 * created then reaches the nNVE with its addresses. The simulation's counterpart:
 * sim/.../scenario/IdleUplinkScenarioTest.
 */
class IdleUplinkNetnsTest {
    static final MacAddress NNVE = mac(0x10);
    static final MacAddress STATION = mac(1);

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    @ParameterizedTest(name = "loss {0}%")
    @ValueSource(ints = {0, 20})
    @DisplayName("OPS-7, OPS-1: the tNVE starts with its interface down; once it is up the uplink is alive, "
            + "negotiated and in sync without any VM request, and a VM then created has its addresses at the nNVE")
    void linkUpWakesTheUplink(int loss) throws Exception {
        lab.loss(loss);
        String nsN = lab.namespace("n");
        String nsA = lab.namespace("a");
        Bridge wire = lab.wire("w0");
        lab.attach(wire, nsN, "p0", NNVE);
        lab.attach(wire, nsA, "up0", STATION);
        Nnve n = lab.nnve("n1", port(nsN, "p0", "") + vns(5000));
        lab.cut(nsA, "up0");
        Tnve a = lab.tnve("ha", uplink("tor", nsA, "up0", NNVE.toString(), ""));
        await("the tNVE finds its nNVE lost", Duration.ofSeconds(30),
                () -> !a.call(() -> a.d.engine().uplinkAlive("tor")));
        assertThat(a.call(() -> a.d.engine().uplinkInSync("tor"))).isFalse();

        lab.restore(nsA, "up0");
        await("the uplink alive, negotiated and in sync, with no VM request", Duration.ofSeconds(30),
                () -> a.call(() -> a.d.engine().uplinkAlive("tor") && a.d.engine().uplinkHasExtensions("tor")
                        && a.d.engine().uplinkInSync("tor")));
        assertThat(n.peers()).contains(STATION);

        TsiSpec t = tsi(1, 5000);
        a.ok(e -> e.create("vm1", List.of(t)));
        a.ok(e -> e.start("vm1"));
        assertThat(n.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n.call(() -> n.d.engine().instances(t.id()).getFirst().addresses())).containsAll(t.ips());
        assertThat(a.call(() -> a.d.engine().acknowledgedIps("tor", t.id()))).containsExactlyElementsOf(t.ips());
    }
}
