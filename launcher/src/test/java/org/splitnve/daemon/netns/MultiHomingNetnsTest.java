package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.await;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.text;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.DaemonLab.vns;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.TsiBinding;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.MacAddress;

/**
 * One end device (a tNVE daemon with two uplinks) on two nNVE daemons, each uplink its own cable (a
 * two-port Linux bridge, where nftables drops frames when the test asks for loss): active-standby per VN
 * with fail-over when the active nNVE's cable is cut (REQ-3), and active-active with the state the same
 * on both (REQ-4). The same scenarios in the simulation: sim/.../scenario/MultiHomingScenarioTest.
 */
class MultiHomingNetnsTest {
    static final MacAddress N1 = mac(0x10);
    static final MacAddress N2 = mac(0x20);

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    private String nsN1;
    private Nnve n1;
    private Nnve n2;
    private Tnve h;

    /** n1 and n2 (VNs 5000 and 5001), the end device h with uplink a to n1 and b to n2, and {@code placements}. */
    private void topology(int loss, String placements) throws Exception {
        lab.loss(loss);
        nsN1 = lab.namespace("n1");
        String nsN2 = lab.namespace("n2");
        String nsT = lab.namespace("t");
        DaemonLab.Bridge wa = lab.wire("wa");
        lab.attach(wa, nsT, "upa", mac(1));
        lab.attach(wa, nsN1, "p0", N1);
        DaemonLab.Bridge wb = lab.wire("wb");
        lab.attach(wb, nsT, "upb", mac(2));
        lab.attach(wb, nsN2, "p0", N2);
        n1 = lab.nnve("n1", port(nsN1, "p0", "tags = \"100-199\"") + vns(5000, 5001));
        n2 = lab.nnve("n2", port(nsN2, "p0", "tags = \"200-299\"") + vns(5000, 5001));
        h = lab.tnve("h1", uplink("a", nsT, "upa", "ncb", "") + uplink("b", nsT, "upb", "ncb", "") + placements);
    }

    @ParameterizedTest(name = "loss {0}%")
    @ValueSource(ints = {0, 20})
    @DisplayName("REQ-3: an end device with two nNVEs, one active per VN (active-standby); when the active nNVE's cable "
            + "is cut the VN fails over: its TSIs are associated or activated at the standby as the end device wants "
            + "them, the lost nNVE releases them, and the lifecycle goes on at the new active nNVE")
    void activeStandbyFailover(int loss) throws Exception {
        topology(loss, """
                [[placement]]
                vn = 5000
                mode = "active-standby"
                uplinks = ["a", "b"]
                [[placement]]
                vn = 5001
                mode = "active-standby"
                uplinks = ["b", "a"]
                """);
        TsiSpec running = tsi(1, 5000);
        TsiSpec shutDown = tsi(2, 5000);
        TsiSpec other = tsi(3, 5001);
        h.ok(e -> e.create("vm1", List.of(running)));
        h.ok(e -> e.start("vm1"));
        h.ok(e -> e.create("vm2", List.of(shutDown)));
        h.ok(e -> e.create("vm3", List.of(other)));
        h.ok(e -> e.start("vm3"));

        // one nNVE per VN: VN 5000 on n1 only, VN 5001 on n2 only
        assertThat(n1.state(running)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.state(shutDown)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(n1.state(other)).isEqualTo(TsiState.INIT);
        assertThat(n2.state(other)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n2.state(running)).isEqualTo(TsiState.INIT);
        assertThat(n2.state(shutDown)).isEqualTo(TsiState.INIT);
        assertThat(h.events("vn.failover")).isEmpty();

        lab.cut(nsN1, "p0");
        await("VN 5000 fails over", Duration.ofSeconds(30), () -> n2.state(running) == TsiState.ACTIVATED
                && n2.state(shutDown) == TsiState.ASSOCIATED && h.state("b", running) == TnveEngine.TsiState.ACTIVATED
                && h.state("b", shutDown) == TnveEngine.TsiState.ASSOCIATED);
        assertThat(h.events("vn.failover")).singleElement().satisfies(e -> {
            assertThat(text(e, "vn")).isEqualTo("5000");
            assertThat(text(e, "from")).isEqualTo("a");
            assertThat(text(e, "to")).isEqualTo("b");
        });
        assertThat(h.call(() -> h.d.engine().uplinkAlive("a"))).isFalse();
        assertThat(h.state("b", running)).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(h.state("b", shutDown)).isEqualTo(TnveEngine.TsiState.ASSOCIATED);
        assertThat(h.tag("b", running)).isEqualTo(n2.vap(0, 5000).tag()).isBetween(200, 299);
        assertThat(n2.state(other)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n2.bindings(running)).singleElement().satisfies(b -> assertThat(b.state())
                .isEqualTo(EntryState.FORWARDING));
        assertThat(n2.bindings(shutDown)).singleElement().satisfies(b -> assertThat(b.state())
                .isEqualTo(EntryState.MAPPING));
        // the VMs did not notice
        assertThat(h.call(() -> h.d.engine().vmNamed("vm1").state())).isEqualTo(VmState.RUNNING);
        assertThat(h.call(() -> h.d.engine().vmNamed("vm2").state())).isEqualTo(VmState.SHUTDOWN);
        // the lost nNVE releases the TSIs when the end device stops refreshing them (SM-TIMER)
        await("n1 releases the TSIs", Duration.ofSeconds(30), () -> n1.tsis().isEmpty());
        assertThat(n1.bindings(running)).isEmpty();
        assertThat(n1.vap(0, 5000)).isNull();

        // the cable comes back: the VN stays on n2, n1 gets nothing
        lab.restore(nsN1, "p0");
        await("uplink a is heard again", Duration.ofSeconds(30), () -> h.call(() -> h.d.engine().uplinkAlive("a")));
        assertThat(n1.tsis()).isEmpty();
        assertThat(h.state("a", running)).isEqualTo(TnveEngine.TsiState.INIT);
        assertThat(h.events("vn.failover")).hasSize(1);

        // the lifecycle goes on at the new active nNVE
        h.ok(e -> e.start("vm2"));
        assertThat(n2.state(shutDown)).isEqualTo(TsiState.ACTIVATED);
        h.ok(e -> e.shutdown("vm1"));
        assertThat(n2.state(running)).isEqualTo(TsiState.INIT);
        assertThat(n2.bindings(running)).isEmpty();
        assertThat(n1.tsis()).isEmpty();
        lab.reportLoss(n1, n2, h);
    }

    @ParameterizedTest(name = "loss {0}%")
    @ValueSource(ints = {0, 20})
    @DisplayName("REQ-4: an end device on two nNVEs for the same VN at once (active-active): the TSIs are at both "
            + "nNVEs and their state is the same on both, at the nNVEs, at their NVA and as the end device sees it, "
            + "through create, start, suspend, resume and shutdown")
    void activeActive(int loss) throws Exception {
        topology(loss, """
                [[placement]]
                vn = 5000
                mode = "active-active"
                uplinks = ["a", "b"]
                """);
        TsiSpec t = tsi(1, 5000);
        TsiSpec u = tsi(2, 5000);
        h.ok(e -> e.create("vm1", List.of(t, u)));
        both(TsiState.ASSOCIATED, t, u);
        h.ok(e -> e.start("vm1"));
        both(TsiState.ACTIVATED, t, u);
        assertThat(h.tag("a", t)).isEqualTo(h.tag("a", u)).isEqualTo(n1.vap(0, 5000).tag()).isBetween(100, 199);
        assertThat(h.tag("b", t)).isEqualTo(h.tag("b", u)).isEqualTo(n2.vap(0, 5000).tag()).isBetween(200, 299);
        h.ok(e -> e.suspend("vm1"));
        both(TsiState.ASSOCIATED, t, u);
        h.ok(e -> e.resume("vm1"));
        both(TsiState.ACTIVATED, t, u);
        h.ok(e -> e.shutdown("vm1"));
        both(TsiState.INIT, t, u);
        assertThat(n1.vap(0, 5000)).isNull();
        assertThat(n2.vap(0, 5000)).isNull();
        assertThat(h.events("vn.failover")).isEmpty();
        assertThat(h.events("nnve.initiated")).isEmpty();
        lab.reportLoss(n1, n2, h);
    }

    /** Each TSI in {@code s} at n1, at n2, at their NVAs and on both uplinks of the end device. */
    private void both(TsiState s, TsiSpec... tsis) throws Exception {
        for (TsiSpec t : tsis) {
            for (Nnve n : List.of(n1, n2)) {
                assertThat(n.state(t)).as("%s at %s", t.id(), n.name).isEqualTo(s);
                List<TsiBinding> b = n.bindings(t);
                if (s == TsiState.INIT) {
                    assertThat(b).isEmpty();
                } else {
                    assertThat(b).singleElement().satisfies(x -> assertThat(x.state())
                            .isEqualTo(s == TsiState.ACTIVATED ? EntryState.FORWARDING : EntryState.MAPPING));
                }
            }
            assertThat(h.state("a", t).name()).isEqualTo(s.name());
            assertThat(h.state("b", t).name()).isEqualTo(s.name());
        }
    }
}
