package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.TIMERS;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EntryState;
import org.splitnve.protocol.event.RecordingSink;
import org.splitnve.sim.Host;
import org.splitnve.sim.Link;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.tnve.TnveConfig;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.VdpCodec;

/** A restarted tNVE (new session epoch) and the nNVE's resynchronisation, clean links and 20% loss. */
@ExtendWith(PcapOnFailure.class)
class RestartScenarioTest {
    private static final MacAddress HOST = MacAddress.parse("02:00:00:00:aa:01");

    private static TnveEngine start(SplitNveNet net, String name, NnveNode n1) {
        TnveConfig cfg = new TnveConfig(name, List.of(TnveConfig.Uplink.to("nnve", 0, n1.mac(1))), Map.of(), TIMERS,
                VdpCodec.DEFAULT_OUI, EnumSet.allOf(CapabilityTlv.Feature.class), ManagerId.ofText("h1"));
        RecordingSink events = new RecordingSink(net.sim.eventSink(name));
        Host h = net.sim.addHost(name, List.of(HOST), io -> new TnveEngine(cfg, net.sim.clock(), io, events,
                new SplittableRandom(name.hashCode())));
        net.link(h, 0, n1.host(), 1);
        return h.agent(TnveEngine.class);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-TIMER, SEC-4 (session extension): a tNVE restarts with a new epoch and re-announces the VMs it "
            + "still has: their TSIs keep their state with no transition and no NVA change (traffic kept); a TSI it "
            + "no longer has is released after the resynchronisation")
    void restartKeepsWhatIsReannounced(double loss) {
        SplitNveNet net = new SplitNveNet(91, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 2);
        TnveEngine before = start(net, "h1", n1);
        net.runFor(SECOND / 10);
        TsiSpec kept = tsi(1, 5000);
        TsiSpec gone = tsi(2, 5000);
        TsiSpec suspended = tsi(3, 5000);
        net.ok(before.create("vm1", List.of(kept)));
        net.ok(before.start("vm1"));
        net.ok(before.create("vm2", List.of(gone)));
        net.ok(before.start("vm2"));
        net.ok(before.create("vm3", List.of(suspended)));
        net.ok(before.start("vm3"));
        net.ok(before.suspend("vm3"));

        // The agent stops (no De-Associate: a restart) and a new one comes up on the same MAC within seconds.
        Link old = net.sim.links().stream().filter(l -> l.name().startsWith("h1.")).findFirst().orElseThrow();
        net.sim.disconnect(old);
        net.runFor(2 * SECOND);
        int effectsAtRestart = n1.effects().size();
        long transitionsAtRestart = n1.events().of(NnveEvent.TsiState.class).size();
        TnveEngine after = start(net, "h1-again", n1);
        net.ok(after.adopt("vm1", List.of(kept), VmState.RUNNING));
        net.ok(after.adopt("vm3", List.of(suspended), VmState.SUSPENDED));
        net.runFor(40 * SECOND);   // past the resynchronisation window and several keep-alives

        assertThat(n1.events().of(NnveEvent.PeerRestarted.class)).isNotEmpty();
        var transitions = n1.events().of(NnveEvent.TsiState.class);
        assertThat(transitions.subList((int) transitionsAtRestart, transitions.size()))
                .as("only the TSI that was not re-announced changed state")
                .allSatisfy(e -> assertThat(e.tsi()).isEqualTo(gone.id()));
        assertThat(n1.engine().instances(kept.id())).singleElement()
                .satisfies(t -> assertThat(t.state()).isEqualTo(TsiState.ACTIVATED));
        assertThat(n1.engine().instances(suspended.id())).singleElement()
                .satisfies(t -> assertThat(t.state()).isEqualTo(TsiState.ASSOCIATED));
        assertThat(n1.engine().instances(gone.id())).isEmpty();
        assertThat(net.nva.bindings(kept.id())).singleElement()
                .satisfies(b -> assertThat(b.state()).isEqualTo(EntryState.FORWARDING));
        assertThat(net.nva.bindings(gone.id())).isEmpty();
        assertThat(n1.effects().subList(effectsAtRestart, n1.effects().size()))
                .as("no NVA entry of the kept TSI removed or changed")
                .noneSatisfy(e -> assertThat(e).isInstanceOfAny(Effect.NvaRemove.class, Effect.NvaEntries.class)
                        .matches(x -> x.toString().contains(kept.id().toString())));
        assertThat(after.vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);
    }
}
