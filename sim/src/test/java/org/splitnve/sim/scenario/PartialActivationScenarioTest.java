package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.vdp.TsiAddress;

/** Some addresses of a TSI deactivated and activated again (REQ-8, REQ-9, GAP-8), clean links and 20% loss. */
@ExtendWith(PcapOnFailure.class)
class PartialActivationScenarioTest {
    private SplitNveNet net;
    private NnveNode n1;
    private TnveNode h1;
    private TsiSpec t;
    private TsiAddress ip1;
    private TsiAddress ip2;

    private void setUp(double loss) throws Exception {
        net = new SplitNveNet(61, loss);
        net.vn(5000, "blue", 5000);
        n1 = net.nnve("n1", 1);
        h1 = net.tnve("h1", n1.mac(0));
        net.link(h1.host(), 0, n1.host(), 0);
        net.runFor(SECOND / 10);
        ip1 = TsiAddress.host(InetAddress.getByName("10.0.0.1"));
        ip2 = TsiAddress.host(InetAddress.getByName("10.0.0.2"));
        t = tsi(1, 5000, ip1, ip2);
        net.createAndStart(h1, "vm1", t);
    }

    private Tsi instance() {
        return n1.engine().instances(t.id()).getFirst();
    }

    private boolean forwarding(TsiAddress a) {
        return net.nva.lookup(5000, a.ip()).getFirst().forwarding();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-8, GAP-8: the end device deactivates one address of an activated TSI: it stops forwarding at the "
            + "NVA, its ACL is disabled, the other addresses and the TSI stay activated; activating it again restores it; "
            + "deactivating every address is a plain deactivate")
    void endDeviceDeactivatesSomeAddresses(double loss) throws Exception {
        setUp(loss);
        net.ok(h1.engine().deactivateAddresses("vm1", t.id(), List.of(ip1)));
        assertThat(instance().state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(instance().held()).containsExactly(ip1);
        assertThat(forwarding(ip1)).isFalse();
        assertThat(forwarding(ip2)).isTrue();
        assertThat(net.nva.lookup(5000, t.mac())).singleElement().satisfies(e -> assertThat(e.forwarding()).isTrue());
        assertThat(n1.effects()).anySatisfy(e -> assertThat(e).isEqualTo(new Effect.Acl(
                new Effect.Instance(t.id(), 0, h1.mac(0), instance().vap().vn().key()), List.of(ip1), instance().vap().tag(),
                Effect.AclState.DISABLED)));
        assertThat(h1.engine().inactiveAddresses("nnve", t.id())).containsExactly(ip1);

        net.ok(h1.engine().activateAddresses("vm1", t.id(), List.of(ip1)));
        assertThat(instance().held()).isEmpty();
        assertThat(forwarding(ip1)).isTrue();

        // every address (MAC and both IPs): the TSI is simply deactivated, resources kept
        net.ok(h1.engine().deactivateAddresses("vm1", t.id(), List.of(TsiAddress.mac(t.mac()), ip1, ip2)));
        assertThat(instance().state()).isEqualTo(TsiState.ASSOCIATED);
        assertThat(forwarding(ip1)).isFalse();
        assertThat(forwarding(ip2)).isFalse();

        OpResult notMine = net.await(h1.engine().deactivateAddresses("vm1", t.id(),
                List.of(TsiAddress.host(InetAddress.getByName("10.9.9.9")))));
        assertThat(notMine.ok()).isFalse();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-9: the nNVE deactivates some addresses of a TSI on its own; the end device learns which, the TSI "
            + "stays activated, and nothing is re-requested behind the orchestrator's back")
    void nnveDeactivatesSomeAddresses(double loss) throws Exception {
        setUp(loss);
        assertThat(n1.engine().deactivate(t.id(), List.of(ip2), "policy: address quarantined")).isEqualTo(1);
        net.runFor(5 * SECOND);
        assertThat(instance().state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(forwarding(ip2)).isFalse();
        assertThat(forwarding(ip1)).isTrue();
        assertThat(h1.engine().inactiveAddresses("nnve", t.id())).containsExactly(ip2);
        assertThat(h1.reported()).anySatisfy(e -> {
            assertThat(e).isInstanceOf(TnveEvent.NnveInitiated.class);
            assertThat(((TnveEvent.NnveInitiated) e).what()).contains("deactivated 1 addresses");
        });
        net.runFor(60 * SECOND);
        assertThat(instance().held()).containsExactly(ip2);
        assertThat(forwarding(ip2)).isFalse();
    }
}
