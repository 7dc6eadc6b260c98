package org.splitnve.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.dataplane.openflow.Action;
import org.splitnve.dataplane.openflow.Instruction;
import org.splitnve.dataplane.openflow.Match;
import org.splitnve.dataplane.openflow.OfConnection;
import org.splitnve.dataplane.openflow.Oxm;

/** FlowDriver against a real ovs-vswitchd: differences only, bounded atomic bundles, generations, never a flush. */
class FlowDriverOvsTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static OvsLab lab;
    private static OvsLab.Ovs ovs;

    @BeforeAll
    static void start() throws Exception {
        OvsLab.assumeOvs();
        lab = new OvsLab();
        ovs = lab.startOvs(lab.namespace("drv"), "drv");
        ovs.vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev", "fail-mode=secure",
                "protocols=OpenFlow13,OpenFlow14");
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @AfterEach
    void empty() throws Exception {
        ovs.ofctl("del-flows", "br0");
    }

    /** Admission-style flows: (in_port 1, VLAN, source MAC) -> output {@code out}. */
    static List<Flow> flows(int from, int n, int out) {
        List<Flow> l = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            l.add(new Flow(0, 100, Match.of(Oxm.inPort(1), Oxm.vlanVid(100 + i % 1000), Oxm.ethSrc(0x020000000000L + i)),
                    List.of(Instruction.apply(new Action.PopVlan(), new Action.Output(out))), "flow " + i));
        }
        return l;
    }

    private static int countOnSwitch() throws Exception {
        return (int) ovs.ofctl("dump-flows", "br0", "--no-stats").lines().filter(l -> l.contains("priority=")).count();
    }

    @Test
    @DisplayName("DP-6: only the difference is sent: adds, in-place replacements and strict deletes, in one bundle")
    void differenceOnly() throws Exception {
        try (OfConnection c = OfConnection.open(ovs.mgmt("br0"), T)) {
            FlowDriver d = new FlowDriver(c, FlowDriver.DEFAULT_MAX_BUNDLE, T);
            d.start();
            FlowDriver.Report first = d.apply(flows(0, 1000, 2));
            assertThat(first).extracting(FlowDriver.Report::added, FlowDriver.Report::bundles).containsExactly(1000, 1);
            assertThat(countOnSwitch()).isEqualTo(1000);
            List<Flow> next = new ArrayList<>(flows(5, 985, 2)); // 0-4 removed
            next.addAll(flows(990, 10, 3));                       // 990-999 changed
            next.addAll(flows(1000, 5, 2));                       // 1000-1004 new
            FlowDriver.Report r = d.apply(next);
            assertThat(r).extracting(FlowDriver.Report::added, FlowDriver.Report::modified, FlowDriver.Report::deleted,
                    FlowDriver.Report::bundles).containsExactly(5, 10, 5, 1);
            String dump = ovs.ofctl("dump-flows", "br0", "--no-stats");
            assertThat(countOnSwitch()).isEqualTo(1000);
            assertThat(dump).doesNotContain("dl_src=02:00:00:00:00:00 ").contains("dl_src=02:00:00:00:03:ec");
            assertThat(dump.lines().filter(l -> l.contains("output:3")).count()).isEqualTo(10);
            assertThat(d.apply(next).changes()).isZero();
            assertThat(d.reconcile().changes()).isZero();
            // a change the caller knows: 990-999 back to output 2, flow 5 removed, nothing else looked at
            FlowDriver.Report u = d.update(flows(990, 10, 2), List.of(flows(5, 1, 2).getFirst().key()));
            assertThat(u).extracting(FlowDriver.Report::added, FlowDriver.Report::modified, FlowDriver.Report::deleted)
                    .containsExactly(0, 10, 1);
            assertThat(countOnSwitch()).isEqualTo(999);
            assertThat(ovs.ofctl("dump-flows", "br0", "--no-stats")).doesNotContain("output:3");
            assertThat(d.reconcile().changes()).isZero();
        }
    }

    @Test
    @DisplayName("DP-6: a bundle the switch refuses changes nothing (one bad flow among 500: none of them is installed)")
    void refusedBundleIsAtomic() throws Exception {
        try (OfConnection c = OfConnection.open(ovs.mgmt("br0"), T)) {
            FlowDriver d = new FlowDriver(c, FlowDriver.DEFAULT_MAX_BUNDLE, T);
            d.start();
            d.apply(flows(0, 100, 2));
            List<Flow> bad = new ArrayList<>(flows(0, 100, 3));
            bad.addAll(flows(100, 399, 2));
            // goto_table backwards (10 -> 0): OVS refuses it (OFPBIC_BAD_TABLE_ID)
            bad.add(new Flow(10, 1, Match.ALL, List.of(new Instruction.GotoTable(0)), "bad"));
            assertThatThrownBy(() -> d.apply(bad)).isInstanceOf(FlowDriver.ApplyException.class)
                    .hasMessageContaining("refused");
            String dump = ovs.ofctl("dump-flows", "br0", "--no-stats");
            assertThat(countOnSwitch()).isEqualTo(100);
            assertThat(dump).doesNotContain("output:3");
            assertThat(d.reconcile().changes()).as("the driver knows the switch is unchanged").isZero();
        }
    }

    @Test
    @DisplayName("DP-6: a difference larger than the bound goes out in bounded bundles; a restarted driver takes the next generation and re-sends nothing")
    void boundedBundlesAndGenerations() throws Exception {
        long gen;
        try (OfConnection c = OfConnection.open(ovs.mgmt("br0"), T)) {
            FlowDriver d = new FlowDriver(c, 100, T);
            d.start();
            gen = d.generation();
            assertThat(d.apply(flows(0, 250, 2)).bundles()).isEqualTo(3);
            assertThat(countOnSwitch()).isEqualTo(250);
        }
        try (OfConnection c = OfConnection.open(ovs.mgmt("br0"), T)) {
            FlowDriver d = new FlowDriver(c, 100, T);
            d.start();
            assertThat(d.generation()).isEqualTo(gen + 1);
            assertThat(d.installed()).hasSize(250);
            assertThat(d.apply(flows(0, 250, 2)).changes()).isZero();
            FlowDriver.Report r = d.apply(flows(0, 251, 2));
            assertThat(r.added()).isEqualTo(1);
            assertThat(ovs.ofctl("dump-flows", "br0", "--no-stats"))
                    .contains("cookie=0x" + Long.toHexString(d.cookie()) + ",")
                    .contains("cookie=0x" + Long.toHexString((gen << 32) | FlowDriver.OWNER) + ",");
        }
    }
}
