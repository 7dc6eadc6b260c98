package org.splitnve.dataplane.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.dataplane.OvsLab;
import org.splitnve.dataplane.openflow.OfMessage.FlowMod;
import org.splitnve.dataplane.openflow.OfMessage.FlowStats;

/** Our OpenFlow codec and connection against a real ovs-vswitchd (userspace datapath) in a namespace. */
class OfConnectionOvsTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static OvsLab lab;
    private static OvsLab.Ovs ovs;

    @BeforeAll
    static void start() throws Exception {
        OvsLab.assumeOvs();
        lab = new OvsLab();
        String ns = lab.namespace("of");
        ovs = lab.startOvs(ns, "of");
        ovs.vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev", "fail-mode=secure",
                "protocols=OpenFlow13,OpenFlow14");
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    static List<FlowMod> sample() {
        Octets ip = Octets.ofHex("0a4d0003");
        return List.of(
                FlowMod.add(0, 0, 100, 0xa1L, Match.of(Oxm.inPort(1), Oxm.vlanVid(100), Oxm.ethSrc(0x027700000001L)),
                        List.of(Instruction.apply(new Action.PopVlan(), new Action.SetField(Oxm.tunnelId(5000))),
                                new Instruction.GotoTable(10))),
                FlowMod.add(0, 10, 100, 0xa2L, Match.of(Oxm.tunnelId(5000), Oxm.ethDst(0x027700000003L)),
                        List.of(Instruction.apply(new Action.SetField(Oxm.tunIpv4Dst(Octets.ofHex("c0000202"))),
                                new Action.Output(2)))),
                FlowMod.add(0, 10, 50, 0xa3L, Match.of(Oxm.tunnelId(5000), Oxm.ethDstMulticast()),
                        List.of(Instruction.apply(new Action.PushVlan(0x8100), new Action.SetField(Oxm.vlanVid(100)),
                                new Action.Output(1)))),
                FlowMod.add(0, 0, 120, 0xa4L, Match.of(Oxm.inPort(1), Oxm.vlanVid(100), Oxm.ethSrc(0x027700000001L),
                                Oxm.ethType(0x0806), Oxm.arpSpa(ip), Oxm.arpSha(0x027700000001L)),
                        List.of(new Instruction.WriteMetadata(7, 0xff), new Instruction.GotoTable(10))),
                FlowMod.add(0, 0, 0, 0, Match.ALL, List.of()));
    }

    @Test
    @DisplayName("DP-6: handshake (HELLO 1.4, FEATURES), a bundle of flow-mods, and flow stats read back field by field as ovs-ofctl shows them")
    void bundleAndReadBack() throws Exception {
        try (OfConnection c = OfConnection.open(ovs.mgmt("br0"), T)) {
            assertThat(c.version()).isEqualTo(OfCodec.V1_4);
            assertThat(c.echo(T)).isInstanceOf(OfConnection.Outcome.Ok.class);
            assertThat(c.bundle(sample(), T)).isEqualTo(new OfConnection.Outcome.Ok<>(5));
            var read = c.flows(T);
            assertThat(read).isInstanceOf(OfConnection.Outcome.Ok.class);
            List<FlowStats> flows = ((OfConnection.Outcome.Ok<List<FlowStats>>) read).value();
            assertThat(flows).hasSize(5);
            for (FlowMod m : sample()) {
                assertThat(flows).anySatisfy(s -> {
                    assertThat(s.table()).isEqualTo(m.table());
                    assertThat(s.priority()).isEqualTo(m.priority());
                    assertThat(s.cookie()).isEqualTo(m.cookie());
                    assertThat(s.match()).isEqualTo(m.match());
                    assertThat(s.instructions()).isEqualTo(m.instructions());
                });
            }
            String dump = ovs.ofctl("dump-flows", "br0", "--no-stats");
            assertThat(dump).contains("cookie=0xa1, priority=100,in_port=1,dl_vlan=100,dl_src=02:77:00:00:00:01 actions=pop_vlan,set_field:0x1388->tun_id,goto_table:10");
            assertThat(dump).contains("set_field:192.0.2.2->tun_dst,output:2");
            assertThat(dump).contains("arp_spa=10.77.0.3");
        }
    }
}
