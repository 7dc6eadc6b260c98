package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.TIMERS;
import static org.splitnve.sim.scenario.SplitNveNet.ip;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.TsiState;
import org.splitnve.sim.Link;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.TsiSpec;

/**
 * OPS-7, OPS-1: a tNVE that starts while its link is down (cable cut, interface down) with no VM to
 * announce. Today's failure: the uplink stayed "not alive" until a VM request woke it, and a request
 * sent before the extensions were known reached the nNVE without its IP addresses.
 */
@ExtendWith(PcapOnFailure.class)
class IdleUplinkScenarioTest {


    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("OPS-7: an idle uplink whose link comes up is probed and comes back in sync, extensions "
            + "negotiated, within a keep-alive period and without any VM request")
    void idleUplinkComesBackByItself(double loss) {
        SplitNveNet net = new SplitNveNet(17, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 2);
        TnveNode h1 = net.tnve("h1", n1.mac(1));
        Link cable = net.link(h1.host(), 0, n1.host(), 1);
        cable.cut();
        net.runFor(3 * TIMERS.keepAliveNanos());
        assertThat(h1.engine().uplinkAlive("nnve")).isFalse();
        assertThat(h1.engine().uplinkInSync("nnve")).isFalse();

        cable.restore();
        net.runFor(TIMERS.keepAliveNanos() + SECOND);
        assertThat(h1.engine().uplinkAlive("nnve")).isTrue();
        assertThat(h1.engine().uplinkHasExtensions("nnve")).isTrue();
        assertThat(h1.engine().uplinkInSync("nnve")).isTrue();
        assertThat(n1.engine().peers()).singleElement().satisfies(p -> assertThat(p.station()).isEqualTo(h1.mac(0)));
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("OPS-1: a VM created on an uplink that came up before the extensions were negotiated reaches the "
            + "nNVE with all its addresses once they are; the tNVE reports the addresses the nNVE acknowledged, "
            + "never only those it asked for")
    void addressesHeldBackAreSentOnceNegotiated(double loss) {
        SplitNveNet net = new SplitNveNet(19, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 2);
        TnveNode h1 = net.tnve("h1", n1.mac(1));
        Link cable = net.link(h1.host(), 0, n1.host(), 1);
        cable.cut();
        net.runFor(SECOND);   // the hello went nowhere; the uplink took the nNVE for a standard bridge
        cable.restore();

        TsiSpec t = tsi(1, 5000, ip("10.0.0.1"), ip("2001:db8::1"));
        net.createAndStart(h1, "vm1", t);
        net.runFor(2 * SECOND);

        assertThat(n1.engine().instances(t.id())).singleElement().satisfies(x -> {
            assertThat(x.state()).isEqualTo(TsiState.ACTIVATED);
            assertThat(x.addresses()).containsAll(t.ips());
        });
        assertThat(h1.engine().acknowledgedIps("nnve", t.id())).containsExactlyElementsOf(t.ips());
        assertThat(h1.engine().uplinkInSync("nnve")).isTrue();
    }
}
