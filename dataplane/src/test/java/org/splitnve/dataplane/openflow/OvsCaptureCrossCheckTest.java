package org.splitnve.dataplane.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.dataplane.OvsLab;
import org.splitnve.dataplane.openflow.OfMessage.FlowMod;
import org.splitnve.dataplane.openflow.OfMessage.FlowStats;
import org.splitnve.dataplane.openflow.OfMessage.FlowStatsReply;

/**
 * Our decoder against OpenFlow written by others: real ovs-ofctl and ovs-vswitchd talk over TCP inside a namespace
 * (a passive {@code ptcp:} listener on the bridge, which never flushes its flows), tshark captures it, and each message
 * of each TCP stream is decoded by us and compared field by field with what tshark's OpenFlow 1.4 dissector reads
 * from the same capture: message types and xids in order, every FLOW_MOD's cookie, table and priority, every
 * reported flow's table and priority, and the OXM fields seen.
 */
class OvsCaptureCrossCheckTest {
    private static OvsLab lab;
    private static OvsLab.Ovs ovs;
    private static Path pcap;
    /** The first TCP stream after the probes: every stream from it on is ours and complete. */
    private static int firstStream;

    @BeforeAll
    static void capture() throws Exception {
        OvsLab.assumeOvs();
        lab = new OvsLab();
        String ns = lab.namespace("cap");
        ovs = lab.startOvs(ns, "cap");
        ovs.vsctl("add-br", "br0", "--", "set", "bridge", "br0", "datapath_type=netdev", "fail-mode=secure",
                "protocols=OpenFlow13,OpenFlow14", "--", "set-controller", "br0", "ptcp:6653:127.0.0.1");
        OvsLab.await(() -> {
            try {
                return OvsLab.exec(ns, "ss", "-ltn").contains("127.0.0.1:6653");
            } catch (IOException e) {
                return false;
            }
        }, 10_000, "the switch to listen on 6653");
        pcap = ovs.dir.resolve("openflow.pcap");
        Path flows = ovs.dir.resolve("flows.txt");
        Files.writeString(flows, """
                table=0,priority=100,cookie=0xa1,in_port=1,dl_vlan=100,dl_src=02:77:00:00:00:01 actions=pop_vlan,set_field:0x1388->tun_id,goto_table:10
                table=0,priority=110,cookie=0xa2,in_port=1,dl_vlan=100,dl_src=02:77:00:00:00:01,arp,arp_spa=10.77.0.1,arp_sha=02:77:00:00:00:01 actions=goto_table:10
                table=10,priority=100,cookie=0xa3,tun_id=0x1388,dl_dst=02:77:00:00:00:03 actions=set_field:192.0.2.2->tun_dst,output:2
                table=10,priority=50,cookie=0xa4,tun_id=0x1388,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=push_vlan:0x8100,set_field:4196->vlan_vid,output:1
                table=10,priority=200,cookie=0xa5,in_port=1,tun_id=0x1388,arp,arp_op=1,arp_tpa=10.77.0.3 actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],set_field:02:77:00:00:00:03->eth_src,IN_PORT
                table=20,priority=110,cookie=0xa6,ipv6,ipv6_src=fe80::/10 actions=drop
                """);
        Process tshark = new ProcessBuilder("ip", "netns", "exec", ns, "tshark", "-n", "-B", "32", "-i", "lo", "-f",
                "tcp port 6653",
                "-w", pcap.toString()).redirectErrorStream(true).redirectOutput(ovs.dir.resolve("tshark.log").toFile()).start();
        try {
            OvsLab.await(() -> {
                try {
                    return Files.exists(ovs.dir.resolve("tshark.log"))
                            && Files.readString(ovs.dir.resolve("tshark.log")).contains("Capturing on");
                } catch (IOException e) {
                    return false;
                }
            }, 20_000, "tshark to start");
            // tshark says "Capturing on" a little before it does: probe until a connection's SYN is in the file
            OvsLab.await(() -> {
                try {
                    OvsLab.exec(ns, "ovs-ofctl", "-O", "OpenFlow14", "--no-names", "show", "tcp:127.0.0.1:6653");
                    return !tshark("-Y", "tcp.flags.syn == 1 && tcp.flags.ack == 0").isBlank();
                } catch (IOException | AssertionError e) {
                    return false;
                }
            }, 20_000, "tshark to capture");
            firstStream = streams();
            OvsLab.exec(ns, "ovs-ofctl", "-O", "OpenFlow14", "--no-names", "--bundle", "add-flows", "tcp:127.0.0.1:6653", flows.toString());
            OvsLab.exec(ns, "ovs-ofctl", "-O", "OpenFlow14", "--no-names", "dump-flows", "tcp:127.0.0.1:6653");
            OvsLab.exec(ns, "ovs-ofctl", "-O", "OpenFlow14", "--no-names", "--strict", "del-flows", "tcp:127.0.0.1:6653",
                    "table=20,priority=110,ipv6,ipv6_src=fe80::/10");
            // a fourth connection marks the end: once its FIN is in the file, the three before are complete there
            OvsLab.exec(ns, "ovs-ofctl", "-O", "OpenFlow14", "--no-names", "show", "tcp:127.0.0.1:6653");
            OvsLab.await(() -> {
                try {
                    int last = streams() - 1;
                    return !tshark("-Y", "tcp.stream eq " + last + " && tcp.flags.fin == 1 && tcp.srcport == 6653").isBlank();
                } catch (IOException | AssertionError e) {
                    return false;
                }
            }, 20_000, "the capture to hold the marker connection's end");
        } finally {
            tshark.destroy();
            tshark.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    /**
     * Both directions of TCP stream {@code s}: [0] client to switch, [1] switch to client. In tshark's raw follow
     * output, Node 0's data lines are flush left and Node 1's indented by a tab.
     */
    private static byte[][] stream(int s) throws IOException {
        String out = tshark("-q", "-z", "follow,tcp,raw," + s);
        StringBuilder node0 = new StringBuilder();
        StringBuilder node1 = new StringBuilder();
        boolean switchIsNode0 = false;
        boolean data = false;
        for (String line : out.lines().toList()) {
            if (line.startsWith("Node 0:")) {
                switchIsNode0 = line.strip().endsWith(":6653");
            } else if (line.startsWith("Node 1:")) {
                data = true;
            } else if (data && !line.startsWith("====") && !line.isBlank()) {
                (line.startsWith("\t") ? node1 : node0).append(line.strip());
            }
        }
        byte[] b0 = HexFormat.of().parseHex(node0);
        byte[] b1 = HexFormat.of().parseHex(node1);
        return switchIsNode0 ? new byte[][] {b1, b0} : new byte[][] {b0, b1};
    }

    /** How many TCP streams the capture holds. */
    private static int streams() throws IOException {
        return (int) tshark("-T", "fields", "-e", "tcp.stream").lines().filter(l -> !l.isBlank()).map(String::strip)
                .distinct().count();
    }

    /** tshark on the capture; its standard output only (it warns on standard error when run as root). */
    private static String tshark(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-r", pcap.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        assertThat(p.exitValue()).as(String.join(" ", cmd)).isZero();
        return out;
    }

    private static List<OfMessage> decodeAll(byte[] b) {
        List<OfMessage> out = new ArrayList<>();
        int off = 0;
        while (off < b.length) {
            int len = OfCodec.frameLength(b, off, b.length - off);
            assertThat(len).as("a whole message at " + off).isBetween(OfCodec.HEADER, b.length - off);
            Decoded d = OfCodec.decode(b, off, len);
            assertThat(d).as("message at " + off).isInstanceOf(Decoded.Ok.class);
            out.add(((Decoded.Ok) d).message());
            off += len;
        }
        return out;
    }

    /** One tshark field over the whole capture, every occurrence, in order. */
    private static List<String> field(String name) throws IOException {
        List<String> values = new ArrayList<>();
        for (String line : tshark("-Y", "tcp.stream >= " + firstStream + " && (openflow_v5.type == 14"
                        + " || openflow_v5.type == 34 || openflow_v5.multipart_reply.type == 1)", "-T", "fields",
                "-E", "occurrence=a", "-E", "aggregator=,", "-e", name).lines().toList()) {
            for (String v : line.split(",", -1)) {
                if (!v.isBlank()) {
                    values.add(v.strip());
                }
            }
        }
        return values;
    }

    @Test
    @DisplayName("real ovs-ofctl and ovs-vswitchd traffic decodes, and every field tshark reads agrees with ours")
    void decodesWhatOvsWrites() throws Exception {
        List<OfMessage> all = new ArrayList<>();
        int streams = streams();
        assertThat(streams - firstStream).as("ovs-ofctl's connections after the probes").isGreaterThanOrEqualTo(4);
        for (int s = firstStream; s < streams; s++) {
            byte[][] dirs = stream(s);
            assertThat(dirs[0].length).as("stream " + s + " carries OpenFlow").isGreaterThan(0);
            // tshark lists messages in capture order; within a stream that is request, reply, request...: compare
            // per stream by type and xid, both directions together, against tshark's reading of that stream alone.
            List<OfMessage> ours = new ArrayList<>(decodeAll(dirs[0]));
            ours.addAll(decodeAll(dirs[1]));
            List<String> theirs = new ArrayList<>();
            for (String line : tshark("-Y", "tcp.stream eq " + s + " && openflow_v5",
                    "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,", "-e", "openflow_v5.type", "-e",
                    "openflow_v5.xid").lines().toList()) {
                String[] f = line.split("\t", -1);
                String[] types = f[0].split(",", -1);
                String[] xids = f[1].split(",", -1);
                for (int i = 0; i < types.length; i++) {
                    theirs.add(types[i] + "/" + Long.decode(xids[i]));
                }
            }
            List<String> mine = ours.stream().map(m -> OfCodec.type(m) + "/" + Integer.toUnsignedLong(m.xid())).toList();
            // BUNDLE_ADD_MESSAGE's inner message is dissected by tshark too (its type and xid appear twice)
            List<String> expected = new ArrayList<>();
            for (OfMessage m : ours) {
                expected.add(OfCodec.type(m) + "/" + Integer.toUnsignedLong(m.xid()));
                if (m instanceof OfMessage.BundleAdd ba) {
                    expected.add(OfCodec.type(ba.message()) + "/" + Integer.toUnsignedLong(ba.xid()));
                }
            }
            assertThat(theirs).as("stream " + s + ": types and xids").containsExactlyInAnyOrderElementsOf(expected);
            assertThat(mine).isNotEmpty();
            all.addAll(ours);
        }
        List<FlowMod> mods = new ArrayList<>();
        List<FlowStats> stats = new ArrayList<>();
        for (OfMessage m : all) {
            if (m instanceof OfMessage.BundleAdd(int x, int id, int fl, FlowMod fm)) {
                mods.add(fm);
            } else if (m instanceof FlowMod fm) {
                mods.add(fm);
            } else if (m instanceof FlowStatsReply r) {
                stats.addAll(r.flows());
            }
        }
        assertThat(mods).hasSize(7);
        assertThat(stats).hasSize(6);
        assertThat(field("openflow_v5.flowmod.cookie")).containsExactlyInAnyOrderElementsOf(
                mods.stream().map(m -> "0x" + String.format("%016x", m.cookie())).toList());
        assertThat(field("openflow_v5.flowmod.priority")).containsExactlyInAnyOrderElementsOf(
                mods.stream().map(m -> String.valueOf(m.priority())).toList());
        assertThat(field("openflow_v5.flowmod.table_id")).containsExactlyInAnyOrderElementsOf(
                mods.stream().map(m -> String.valueOf(m.table())).toList());
        assertThat(field("openflow_v5.flow_stats.priority")).containsExactlyInAnyOrderElementsOf(
                stats.stream().map(s -> String.valueOf(s.priority())).toList());
        assertThat(field("openflow_v5.flow_stats.table_id")).containsExactlyInAnyOrderElementsOf(
                stats.stream().map(s -> String.valueOf(s.table())).toList());
        // every OXM tshark saw (matches and set_field, OpenFlow basic and Nicira classes), by field number, against ours
        List<String> oxms = new ArrayList<>();
        for (FlowMod m : mods) {
            collect(oxms, m.match(), m.instructions());
        }
        for (FlowStats s : stats) {
            collect(oxms, s.match(), s.instructions());
        }
        assertThat(field("openflow_v5.oxm.field")).containsExactlyInAnyOrderElementsOf(oxms);
        // and what the switch reported is what ovs-ofctl sent, by our reading of both
        assertThat(stats).anySatisfy(s -> {
            assertThat(s.cookie()).isEqualTo(0xa3L);
            assertThat(s.match()).isEqualTo(Match.of(Oxm.tunnelId(5000), Oxm.ethDst(0x027700000003L)));
            assertThat(s.instructions()).containsExactly(Instruction.apply(
                    new Action.SetField(Oxm.tunIpv4Dst(Octets.ofHex("c0000202"))), new Action.Output(2)));
        });
    }

    private static void collect(List<String> out, Match match, List<Instruction> instructions) {
        for (Oxm f : match.fields()) {
            out.add(String.valueOf(f.field()));
        }
        for (Instruction i : instructions) {
            if (i instanceof Instruction.ApplyActions(List<Action> actions)) {
                for (Action a : actions) {
                    if (a instanceof Action.SetField(Oxm f)) {
                        out.add(String.valueOf(f.field()));
                    }
                }
            }
        }
    }
}
