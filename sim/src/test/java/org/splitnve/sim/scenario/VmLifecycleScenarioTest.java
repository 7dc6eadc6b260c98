package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.Effect.AclState;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.Vap;
import org.splitnve.nnve.VnKey;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.vdp.VsiId;

/**
 * The VM lifecycle of RFC 8394 section 2 beyond LifecycleScenarioTest: pause then suspend, and a creation
 * that fails half-way.
 */
@ExtendWith(PcapOnFailure.class)
class VmLifecycleScenarioTest {
    private static final VnKey BLUE = new VnKey.Id(5000);

    private record Net(SplitNveNet net, NnveNode n1, TnveNode h1) {
    }

    private static Net net(double loss) {
        SplitNveNet net = new SplitNveNet(33, loss);
        net.sim.capture(true);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        net.link(h1.host(), 0, n1.host(), 0);
        net.runFor(SECOND / 10);
        return new Net(net, n1, h1);
    }

    /** The ACL state the data plane holds for an instance: the last ACL effect's. */
    private static AclState acl(NnveNode n, VsiId tsi) {
        List<Effect.Acl> l = ScenarioKit.effects(n, Effect.Acl.class).stream().filter(a -> a.instance().tsi().equals(tsi))
                .toList();
        return l.isEmpty() ? null : l.getLast().state();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("LC-PAUSE, LC-SUSPEND, LC-TERMINATE, SM-TSI-4: pause changes nothing, suspend from paused deactivates, "
            + "the nNVE keeps the suspended VM for minutes, resume activates, power-off of a paused VM de-associates")
    void pauseThenSuspend(double loss) {
        Net x = net(loss);
        SplitNveNet net = x.net;
        NnveNode n1 = x.n1;
        TnveNode h1 = x.h1;
        TsiSpec t = tsi(1, 5000);
        TnveEngine h = h1.engine();

        net.ok(h.create("vm", List.of(t)));
        net.ok(h.start("vm"));
        int effects = n1.effects().size();
        int requests = ScenarioKit.vsiSentBy(net, h1.host(), t.id(), false).size();

        net.ok(h.pause("vm"));                                                     // LC-PAUSE
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.PAUSED);
        net.runFor(2 * SECOND);
        assertThat(ScenarioKit.state(n1, t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.effects()).hasSize(effects);
        assertThat(ScenarioKit.vsiSentBy(net, h1.host(), t.id(), false)).hasSize(requests); // nothing signalled

        net.ok(h.suspend("vm"));                                                   // LC-SUSPEND from PAUSED
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.SUSPENDED);
        assertThat(ScenarioKit.state(n1, t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ASSOCIATED);
        assertThat(h.tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.ASSOCIATED);
        assertThat(acl(n1, t.id())).isEqualTo(AclState.DISABLED);

        // the nNVE does not de-associate a suspended VM: its keep-alives keep it for minutes
        net.runFor(3 * 60 * SECOND);
        assertThat(ScenarioKit.state(n1, t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ASSOCIATED);
        assertThat(h1.reported()).noneMatch(ev -> ev instanceof TnveEvent.NnveInitiated);
        assertThat(n1.engine().vap(0, BLUE).state()).isEqualTo(Vap.State.VN_CONNECTED);

        net.ok(h.resume("vm"));                                                    // resume: Activated again
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.RUNNING);
        assertThat(ScenarioKit.state(n1, t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ACTIVATED);

        net.ok(h.pause("vm"));
        net.ok(h.shutdown("vm"));                                                  // LC-TERMINATE of a paused VM
        assertThat(h.vmNamed("vm")).isNull();
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(net.nva.bindings(t.id())).isEmpty();
        assertThat(ScenarioKit.path(n1, t.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED",
                "ACTIVATED>ASSOCIATED", "ASSOCIATED>ACTIVATED", "ACTIVATED>INIT");
        assertThat(h1.reported()).filteredOn(ev -> ev instanceof TnveEvent.VmStateChanged).extracting(ev -> ((TnveEvent.VmStateChanged) ev).to())
                .containsExactly("PREPARING", "SHUTDOWN", "RUNNING", "PAUSED", "SUSPENDED", "RUNNING", "PAUSED", "DESTROYED");
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("LC-CREATE, SM-REASON: a VM whose second TSI cannot be associated is not created: the first TSI's "
            + "association is undone at the nNVE and the NVA, the VM stays shut down and cannot start")
    void failedCreateIsUndone(double loss) {
        Net x = net(loss);
        SplitNveNet net = x.net;
        NnveNode n1 = x.n1;
        TnveEngine h = x.h1.engine();
        TsiSpec good = tsi(1, 5000);
        TsiSpec bad = tsi(2, 7777);                          // VN 7777 is not registered at the NVA

        OpResult r = net.await(h.create("vm", List.of(good, bad)));
        assertThat(r.ok()).isFalse();
        assertThat(r.code()).isEqualTo(4);
        assertThat(r.detail()).contains("7777");
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.SHUTDOWN);
        assertThat(h.associated("vm")).isFalse();
        assertThat(ScenarioKit.path(n1, good.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>INIT");
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(n1.engine().vaps()).isEmpty();
        assertThat(net.nva.entries(5000)).isEmpty();
        assertThat(h.tsiState("nnve", good.id())).isEqualTo(TnveEngine.TsiState.INIT);

        OpResult start = net.await(h.start("vm"));
        assertThat(start.ok()).isFalse();
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.SHUTDOWN);
        assertThat(x.h1.reported()).filteredOn(e -> e instanceof TnveEvent.VmStateChanged)
                .noneMatch(e -> ((TnveEvent.VmStateChanged) e).to().equals(VmState.RUNNING.name()));
        assertThat(ScenarioKit.transitions(n1, good.id())).noneMatch(t -> t.to() == TsiState.ACTIVATED);
        assertThat(n1.engine().tsisIn(TsiState.ACTIVATED)).isZero();
    }
}
