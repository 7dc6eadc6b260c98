package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.TsiBinding;
import org.splitnve.sim.Link;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.TnveConfig;
import org.splitnve.tnve.TnveConfig.Mode;
import org.splitnve.tnve.TnveConfig.Placement;
import org.splitnve.tnve.TnveConfig.Uplink;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;

/**
 * One end device on several nNVEs (RFC 8394 REQ-3, REQ-4; seed 003 GAP-UPLINK): one nNVE per VN with a
 * standby that takes over when the active one is lost, and the same VN on several nNVEs (or several
 * ports of one nNVE) at once, the state the same on all.
 */
@ExtendWith(PcapOnFailure.class)
class MultiHomingScenarioTest {

    private static TsiState state(NnveNode n, TsiSpec t) {
        List<Tsi> list = n.engine().instances(t.id());
        assertThat(list).as("instances of %s on %s", t.id(), n.name()).hasSizeLessThanOrEqualTo(1);
        return list.isEmpty() ? TsiState.INIT : list.getFirst().state();
    }

    private static TnveEngine.TsiState tState(TnveNode h, String uplink, TsiSpec t) {
        return h.engine().tsiState(uplink, t.id());
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-3: one end device, two nNVEs, one active per VN (active-standby); when the active link is cut "
            + "the VN fails over and its TSIs are associated or activated at the standby in their desired state")
    void activeStandbyFailover(double loss) {
        SplitNveNet net = new SplitNveNet(31, loss);
        net.vn(5000, "blue", 5000);
        net.vn(5001, "green", 5001);
        NnveNode n1 = net.nnve("n1", 1);
        NnveNode n2 = net.nnve("n2", 1);
        TnveNode h1 = net.tnve("h1", 2, List.of(Uplink.to("a", 0, n1.mac(0)), Uplink.to("b", 1, n2.mac(0))),
                Map.of(5000L, new Placement(Mode.ACTIVE_STANDBY, List.of("a", "b")),
                        5001L, new Placement(Mode.ACTIVE_STANDBY, List.of("b", "a"))));
        Link linkA = net.link(h1.host(), 0, n1.host(), 0);
        net.link(h1.host(), 1, n2.host(), 0);
        net.runFor(SECOND / 10);

        TsiSpec running = tsi(1, 5000);
        TsiSpec shutDown = tsi(2, 5000);
        TsiSpec other = tsi(3, 5001);
        net.createAndStart(h1, "vm1", running);
        net.ok(h1.engine().create("vm2", List.of(shutDown)));
        net.createAndStart(h1, "vm3", other);

        // one nNVE per VN: VN 5000 on n1 only, VN 5001 on n2 only
        assertThat(state(n1, running)).isEqualTo(TsiState.ACTIVATED);
        assertThat(state(n1, shutDown)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(state(n2, running)).isEqualTo(TsiState.INIT);
        assertThat(state(n2, shutDown)).isEqualTo(TsiState.INIT);
        assertThat(state(n2, other)).isEqualTo(TsiState.ACTIVATED);
        assertThat(state(n1, other)).isEqualTo(TsiState.INIT);
        assertThat(h1.reported()).noneMatch(e -> e instanceof TnveEvent.Failover);

        linkA.cut();
        net.runFor(60 * SECOND);

        assertThat(h1.engine().uplinkAlive("a")).isFalse();
        assertThat(h1.reported()).filteredOn(e -> e instanceof TnveEvent.Failover).singleElement()
                .isEqualTo(new TnveEvent.Failover("5000", "a", "b"));
        // the standby holds the TSIs in the state the end device wants
        assertThat(state(n2, running)).isEqualTo(TsiState.ACTIVATED);
        assertThat(state(n2, shutDown)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(state(n2, other)).isEqualTo(TsiState.ACTIVATED);
        assertThat(tState(h1, "b", running)).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(tState(h1, "b", shutDown)).isEqualTo(TnveEngine.TsiState.ASSOCIATED);
        // the lost nNVE released them when the end device stopped refreshing them (SM-TIMER)
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(n1.engine().vaps()).isEmpty();
        // the NVA points at the standby
        assertThat(net.nva.bindings(running.id())).singleElement().satisfies(b -> {
            assertThat(b.instance().nve().toString()).contains("n2");
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
        });
        assertThat(net.nva.bindings(shutDown.id())).singleElement().satisfies(b -> {
            assertThat(b.instance().nve().toString()).contains("n2");
            assertThat(b.state()).isEqualTo(EntryState.MAPPING);
        });
        // the VMs did not notice
        assertThat(h1.engine().vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);
        assertThat(h1.engine().vmNamed("vm2").state()).isEqualTo(VmState.SHUTDOWN);

        // the old active comes back: the VN stays on the new one, nothing is activated twice
        linkA.restore();
        net.runFor(60 * SECOND);
        assertThat(h1.engine().uplinkAlive("a")).isTrue();
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(tState(h1, "a", running)).isEqualTo(TnveEngine.TsiState.INIT);
        assertThat(tState(h1, "a", shutDown)).isEqualTo(TnveEngine.TsiState.INIT);
        assertThat(state(n2, running)).isEqualTo(TsiState.ACTIVATED);
        assertThat(h1.reported()).filteredOn(e -> e instanceof TnveEvent.Failover).hasSize(1);

        // and the lifecycle goes on at the new active nNVE
        net.ok(h1.engine().start("vm2"));
        assertThat(state(n2, shutDown)).isEqualTo(TsiState.ACTIVATED);
        net.ok(h1.engine().shutdown("vm1"));
        assertThat(state(n2, running)).isEqualTo(TsiState.INIT);
        assertThat(net.nva.bindings(running.id())).isEmpty();
        assertThat(n2.engine().tsis()).extracting(Tsi::id).containsExactlyInAnyOrder(shutDown.id(), other.id());
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-3: when the lost active link comes back right after the fail-over, before the old nNVE timed "
            + "the TSIs out, the old nNVE lets them go: the VN stays on one nNVE")
    void activeStandbyQuickReturn(double loss) {
        SplitNveNet net = new SplitNveNet(34, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        NnveNode n2 = net.nnve("n2", 1);
        TnveNode h1 = net.tnve("h1", 2, List.of(Uplink.to("a", 0, n1.mac(0)), Uplink.to("b", 1, n2.mac(0))),
                Map.of(5000L, new Placement(Mode.ACTIVE_STANDBY, List.of("a", "b"))));
        Link linkA = net.link(h1.host(), 0, n1.host(), 0);
        net.link(h1.host(), 1, n2.host(), 0);
        net.runFor(SECOND / 10);

        TsiSpec t = tsi(1, 5000);
        net.createAndStart(h1, "vm1", t);
        linkA.cut();
        long limit = net.sim.now() + 60 * SECOND;
        while (h1.reported().stream().noneMatch(e -> e instanceof TnveEvent.Failover) && net.sim.now() < limit) {
            net.sim.step(limit);
        }
        assertThat(h1.reported()).filteredOn(e -> e instanceof TnveEvent.Failover).hasSize(1);
        linkA.restore();
        assertThat(state(n1, t)).as("the old nNVE has not timed the TSI out yet").isEqualTo(TsiState.ACTIVATED);

        net.runFor(60 * SECOND);
        assertThat(state(n2, t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(state(n1, t)).isEqualTo(TsiState.INIT);
        assertThat(tState(h1, "b", t)).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(tState(h1, "a", t)).isEqualTo(TnveEngine.TsiState.INIT);
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.instance().nve().toString()).contains("n2");
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
        });
        net.ok(h1.engine().shutdown("vm1"));
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(n2.engine().tsis()).isEmpty();
        assertThat(net.nva.bindings(t.id())).isEmpty();
    }

    /** The state of one TSI on both attachments must be {@code expected}, at the nNVEs and as the tNVE sees it. */
    private static void both(TnveNode h, NnveNode n1, NnveNode n2, TsiSpec t, TsiState expected) {
        assertThat(state(n1, t)).as("at n1").isEqualTo(expected);
        assertThat(state(n2, t)).as("at n2").isEqualTo(expected);
        assertThat(tState(h, "a", t).name()).isEqualTo(expected.name());
        assertThat(tState(h, "b", t).name()).isEqualTo(expected.name());
    }

    private static EntryState entry(TsiState s) {
        return s == TsiState.ACTIVATED ? EntryState.FORWARDING : EntryState.MAPPING;
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-4, GAP-UPLINK: one end device on two nNVEs for the same VN at once (active-active): the "
            + "association state is the same on both through create, start, pause, suspend, resume and shutdown")
    void activeActiveTwoNnves(double loss) {
        SplitNveNet net = new SplitNveNet(32, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        NnveNode n2 = net.nnve("n2", 1);
        TnveNode h1 = net.tnve("h1", 2, List.of(Uplink.to("a", 0, n1.mac(0)), Uplink.to("b", 1, n2.mac(0))),
                Map.of(5000L, new Placement(Mode.ACTIVE_ACTIVE, List.of("a", "b"))));
        net.link(h1.host(), 0, n1.host(), 0);
        net.link(h1.host(), 1, n2.host(), 0);
        net.runFor(SECOND / 10);

        TsiSpec t = tsi(1, 5000);
        TsiSpec u = tsi(2, 5000);
        net.ok(h1.engine().create("vm1", List.of(t, u)));
        both(h1, n1, n2, t, TsiState.ASSOCIATED);
        both(h1, n1, n2, u, TsiState.ASSOCIATED);
        nvaOnBoth(net, t, TsiState.ASSOCIATED);

        net.ok(h1.engine().start("vm1"));
        both(h1, n1, n2, t, TsiState.ACTIVATED);
        both(h1, n1, n2, u, TsiState.ACTIVATED);
        nvaOnBoth(net, t, TsiState.ACTIVATED);

        net.ok(h1.engine().pause("vm1"));
        net.runFor(30 * SECOND);                       // keep-alives on both keep both
        both(h1, n1, n2, t, TsiState.ACTIVATED);
        net.ok(h1.engine().unpause("vm1"));

        net.ok(h1.engine().suspend("vm1"));
        both(h1, n1, n2, t, TsiState.ASSOCIATED);
        both(h1, n1, n2, u, TsiState.ASSOCIATED);
        nvaOnBoth(net, t, TsiState.ASSOCIATED);
        net.runFor(30 * SECOND);
        both(h1, n1, n2, t, TsiState.ASSOCIATED);

        net.ok(h1.engine().resume("vm1"));
        both(h1, n1, n2, t, TsiState.ACTIVATED);
        both(h1, n1, n2, u, TsiState.ACTIVATED);

        net.ok(h1.engine().shutdown("vm1"));
        both(h1, n1, n2, t, TsiState.INIT);
        both(h1, n1, n2, u, TsiState.INIT);
        assertThat(net.nva.bindings(t.id())).isEmpty();
        assertThat(n1.engine().vaps()).isEmpty();
        assertThat(n2.engine().vaps()).isEmpty();
        assertThat(h1.reported()).noneMatch(e -> e instanceof TnveEvent.Failover || e instanceof TnveEvent.NnveInitiated);
    }

    private static void nvaOnBoth(SplitNveNet net, TsiSpec t, TsiState s) {
        assertThat(net.nva.bindings(t.id())).hasSize(2).allSatisfy(b -> assertThat(b.state()).isEqualTo(entry(s)))
                .extracting(b -> b.instance().nve().toString()).anyMatch(x -> x.contains("n1")).anyMatch(x -> x.contains("n2"));
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("GAP-UPLINK, REQ-4, REQ-7, SM-TSI-7: two uplinks to two ports of one nNVE sharing a port scope (link "
            + "aggregation): both attachments in the same state, one VN tag for both, one set of NVA entries")
    void activeActiveTwoPortsOneScope(double loss) {
        SplitNveNet net = new SplitNveNet(33, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve(NnveConfig.simple("n1", 2).withTimers(SplitNveNet.TIMERS)
                .withPorts(List.of(NnveConfig.PortConfig.of("lag"), NnveConfig.PortConfig.of("lag"))));
        TnveNode h1 = net.tnve("h1", 2, List.of(Uplink.to("a", 0, n1.mac(0)), Uplink.to("b", 1, n1.mac(1))),
                Map.of(5000L, new Placement(Mode.ACTIVE_ACTIVE, List.of("a", "b"))));
        net.link(h1.host(), 0, n1.host(), 0);
        net.link(h1.host(), 1, n1.host(), 1);
        net.runFor(SECOND / 10);

        TsiSpec t = tsi(1, 5000);
        for (Step s : List.of(new Step("create", TsiState.ASSOCIATED), new Step("start", TsiState.ACTIVATED),
                new Step("suspend", TsiState.ASSOCIATED), new Step("resume", TsiState.ACTIVATED))) {
            net.ok(switch (s.op) {
                case "create" -> h1.engine().create("vm1", List.of(t));
                case "start" -> h1.engine().start("vm1");
                case "suspend" -> h1.engine().suspend("vm1");
                default -> h1.engine().resume("vm1");
            });
            List<Tsi> inst = n1.engine().instances(t.id());
            assertThat(inst).as("after %s", s.op).hasSize(2).extracting(Tsi::port).containsExactlyInAnyOrder(0, 1);
            assertThat(inst).allSatisfy(x -> assertThat(x.state()).isEqualTo(s.expected));
            assertThat(inst).filteredOn(Tsi::ownsNvaEntries).hasSize(1);
            assertThat(tState(h1, "a", t).name()).isEqualTo(s.expected.name());
            assertThat(tState(h1, "b", t).name()).isEqualTo(s.expected.name());
            List<TsiBinding> b = net.nva.bindings(t.id());
            assertThat(b).singleElement().satisfies(x -> assertThat(x.state()).isEqualTo(entry(s.expected)));
            // one VAP, one tag for both ports of the scope
            assertThat(n1.engine().vaps()).singleElement().satisfies(v -> assertThat(v.tsiAssociated()).isEqualTo(2));
            int tag = n1.engine().vap(0, new VnKey.Id(5000)).tag();
            assertThat(h1.engine().localTag("a", t.id())).isEqualTo(tag);
            assertThat(h1.engine().localTag("b", t.id())).isEqualTo(tag);
        }
        net.ok(h1.engine().shutdown("vm1"));
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(n1.engine().vaps()).isEmpty();
        assertThat(net.nva.bindings(t.id())).isEmpty();
    }

    private record Step(String op, TsiState expected) {
    }
}
