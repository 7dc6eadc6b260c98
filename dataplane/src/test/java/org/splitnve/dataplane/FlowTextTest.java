package org.splitnve.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.dataplane.openflow.Action;
import org.splitnve.dataplane.openflow.Instruction;
import org.splitnve.dataplane.openflow.Match;
import org.splitnve.dataplane.openflow.Octets;
import org.splitnve.dataplane.openflow.Oxm;

/** {@code show flows}' text of a flow: ovs-ofctl's words for the pipeline's matches and actions, numbers for the rest. */
class FlowTextTest {
    @Test
    @DisplayName("an admission flow and a tunnel flow read as ovs-ofctl writes them; no instruction reads drop")
    void ovsOfctlWords() throws Exception {
        Match admit = Match.of(Oxm.inPort(1), Oxm.vlanVid(100), Oxm.ethSrc(0x525400000001L), Oxm.ethType(0x0800),
                Oxm.ipv4Src(Octets.of(InetAddress.getByName("10.0.0.1").getAddress())));
        assertThat(FlowText.match(admit)).isEqualTo(
                "in_port=1,dl_src=52:54:00:00:00:01,dl_type=0x0800,dl_vlan=100,nw_src=10.0.0.1");
        assertThat(FlowText.instructions(List.of(Instruction.apply(new Action.PopVlan(),
                new Action.SetField(Oxm.tunnelId(5000))), new Instruction.GotoTable(10))))
                .isEqualTo("pop_vlan,set_field:5000->tun_id,goto_table:10");
        assertThat(FlowText.instructions(List.of(Instruction.apply(new Action.SetField(Oxm.tunIpv4Dst(
                Octets.of(InetAddress.getByName("192.0.2.2").getAddress()))), new Action.Output(9)))))
                .isEqualTo("set_field:192.0.2.2->tun_dst,output:9");
        assertThat(FlowText.instructions(List.of(Instruction.apply(new Action.Output(Action.PORT_CONTROLLER, 0xffff)))))
                .isEqualTo("output:CONTROLLER");
        assertThat(FlowText.match(Match.ALL)).isEqualTo("*");
        assertThat(FlowText.instructions(List.of())).isEqualTo("drop");
        assertThat(FlowText.match(Match.of(Oxm.vlanNone(), Oxm.ethDstMulticast()))).isEqualTo(
                "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,dl_vlan=none");
    }

    @Test
    @DisplayName("every flow of a pipeline with ARP and ND responders has a text without the numbers of an unnamed field")
    void everyPipelineFlowNamed() throws Exception {
        DataplaneState s = new DataplaneState(9, List.of(new DataplaneState.Vn("vn-5000", 5000)), List.of(
                new DataplaneState.Tsi("t1", 1, 100, "vn-5000", DataplaneState.TsiState.ACTIVATED, List.of(
                        new DataplaneState.Address(0x525400000001L, List.of(InetAddress.getByName("10.0.0.1"),
                                InetAddress.getByName("2001:db8::1")))))), List.of());
        for (Flow f : Pipeline.flows(s)) {
            assertThat(FlowText.match(f.key().match()) + " " + FlowText.instructions(f.instructions())).as("%s", f)
                    .doesNotContainPattern("\\bfield\\d|experimenter:|nxm:|nxm1:|ericsson:|instruction\\d|\\baction\\d");
        }
    }
}
