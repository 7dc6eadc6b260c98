package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EntryState;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.vdp.TsiAddress;

/** The VM lifecycle of RFC 8394 section 2, end to end, on clean links and with 20% loss. */
@ExtendWith(PcapOnFailure.class)
class LifecycleScenarioTest {

    private static NnveNode n1;
    private static TnveNode h1;

    private static SplitNveNet net(double loss) {
        SplitNveNet net = new SplitNveNet(11, loss);
        net.vn(5000, "blue", 5000);
        n1 = net.nnve("n1", 1);
        h1 = net.tnve("h1", n1.mac(0));
        net.link(h1.host(), 0, n1.host(), 0);
        net.runFor(SECOND / 10);
        return net;
    }


    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("LC-CREATE, LC-PAUSE, LC-SUSPEND, LC-TERMINATE, SM-TSI-1..5: create associates while shut down, start "
            + "activates, pause changes nothing, suspend deactivates, resume activates, shutdown de-associates"
            + " (ACLs, tag provisioning and re-learning as the effects the nNVE emits: no data plane applies them "
            + "yet, no packet is checked)")
    void wholeLifecycle(double loss) throws Exception {
        SplitNveNet net = net(loss);
        TsiSpec t = tsi(1, 5000, TsiAddress.host(InetAddress.getByName("10.0.0.1")));

        net.ok(h1.engine().create("vm1", List.of(t)));
        assertThat(h1.engine().vmNamed("vm1").state()).isEqualTo(VmState.SHUTDOWN);
        assertThat(n1.state(t)).isEqualTo(TsiState.ASSOCIATED);
        // SM-TSI-2: mapping entries, not forwarding; ACL created but not allowing; tag provisioned
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> assertThat(b.state()).isEqualTo(EntryState.MAPPING));
        assertThat(n1.effects()).anySatisfy(e -> assertThat(e).isInstanceOf(Effect.TagProvision.class));
        assertThat(n1.effects()).filteredOn(e -> e instanceof Effect.Acl a && a.state() == Effect.AclState.CREATED_DISABLED)
                .hasSize(1);

        net.ok(h1.engine().start("vm1"));
        assertThat(h1.engine().vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(net.nva.bindings(t.id()).getFirst().state()).isEqualTo(EntryState.FORWARDING); // SM-TSI-3

        int effectsBeforePause = n1.effects().size();
        net.ok(h1.engine().pause("vm1"));                                                   // LC-PAUSE
        net.runFor(SECOND);
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.effects()).hasSize(effectsBeforePause);
        net.ok(h1.engine().unpause("vm1"));

        net.ok(h1.engine().suspend("vm1"));                                                 // LC-SUSPEND
        assertThat(n1.state(t)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(net.nva.bindings(t.id()).getFirst().state()).isEqualTo(EntryState.MAPPING); // SM-TSI-4
        net.runFor(30 * SECOND); // the nNVE does not de-associate a suspended VM: the tNVE keeps it alive
        assertThat(n1.state(t)).isEqualTo(TsiState.ASSOCIATED);
        net.ok(h1.engine().resume("vm1"));
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);

        net.ok(h1.engine().shutdown("vm1"));                                                // LC-TERMINATE
        assertThat(n1.state(t)).isEqualTo(TsiState.INIT);
        assertThat(net.nva.bindings(t.id())).isEmpty();                                     // SM-TSI-5
        assertThat(n1.engine().vaps()).isEmpty();                                           // SM-VAP-3
        assertThat(n1.effects()).last().isInstanceOf(Effect.NvaVnTag.class);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("LC-CREATE, OPS-2: when the association is refused, the VM does not run: it is not created at all")
    void refusedCreate(double loss) {
        SplitNveNet net = net(loss);
        TsiSpec unknownVn = tsi(2, 7777);     // VN 7777 is not registered at the NVA
        OpResult r = net.await(h1.engine().create("vm2", List.of(unknownVn)));
        assertThat(r.ok()).isFalse();
        assertThat(r.detail()).contains("7777");
        assertThat(h1.engine().vmNamed("vm2")).as("a refused create leaves nothing (OPS-2)").isNull();
        assertThatThrownBy(() -> h1.engine().start("vm2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no VM named 'vm2'");
        assertThat(n1.engine().tsis()).isEmpty();
    }
}
