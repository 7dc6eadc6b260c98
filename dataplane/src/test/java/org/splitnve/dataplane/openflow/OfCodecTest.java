package org.splitnve.dataplane.openflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.dataplane.openflow.OfMessage.BundleAdd;
import org.splitnve.dataplane.openflow.OfMessage.BundleControl;
import org.splitnve.dataplane.openflow.OfMessage.BundleCtrlType;
import org.splitnve.dataplane.openflow.OfMessage.FlowMod;
import org.splitnve.dataplane.openflow.OfMessage.FlowStats;
import org.splitnve.dataplane.openflow.OfMessage.FlowStatsReply;

/** The OpenFlow codec: every message round-trips, known octets decode as the spec lays them out, bad input is refused. */
class OfCodecTest {
    /** An OpenFlow 1.3 port's six feature and speed words (also a valid, if odd, 1.4 property list: 8-aligned). */
    static final Octets FEATURES = Octets.ofHex("00002840" + "00000000" + "00000000" + "00000000" + "00989680" + "00989680");

    private static final Octets FD77_3 = Octets.ofHex("fd770000000000000000000000000003");

    /** The ND responder's actions (first stage, then the second's): every field it sets, the ipv6 move. */
    private static List<Instruction> ndResponder() {
        return List.of(Instruction.apply(
                Action.nxMove(128, Action.NXM_NX_IPV6_SRC, Action.NXM_NX_IPV6_DST),
                new Action.SetField(Oxm.ipv6Src(FD77_3)),
                new Action.SetField(Oxm.icmpv6Type(136)),
                new Action.SetField(Oxm.ndReserved(0x60000000)),
                new Action.SetField(Oxm.ndOptionsType(2)),
                new Action.SetField(Oxm.ndTll(0x027700000003L))),
                new Instruction.GotoTable(11));
    }

    static List<OfMessage> samples() {
        List<OfMessage> out = new ArrayList<>();
        out.add(new OfMessage.Hello(1, 0x30));
        out.add(new OfMessage.Hello(2, 0));
        out.add(new OfMessage.ErrorMessage(3, 5, 6, Octets.ofHex("0102030405")));
        out.add(new OfMessage.EchoRequest(4, Octets.ofHex("cafe")));
        out.add(new OfMessage.EchoReply(5, Octets.EMPTY));
        out.add(new OfMessage.FeaturesRequest(6));
        out.add(new OfMessage.FeaturesReply(7, 0x0000aabbccddeeffL, 0, 254, 0, 0x4f));
        for (FlowMod m : OfConnectionOvsTest.sample()) {
            out.add(m.withXid(8));
        }
        out.add(FlowMod.deleteStrict(9, 10, 100, Match.of(Oxm.tunnelId(5000), Oxm.ethDst(0x027700000003L))));
        out.add(FlowMod.deleteByCookie(10, 0x1534e5645L, 0xffffffffL));
        out.add(OfMessage.FlowStatsRequest.all(11));
        out.add(new FlowStatsReply(12, true, List.of(new FlowStats(0, 1, 2, 100, 0, 0, 0, 0xa1L, 10, 1000,
                Match.of(Oxm.inPort(1), Oxm.ipv6SrcMasked(Octets.ofHex("fe800000000000000000000000000000"),
                        Octets.ofHex("ffc00000000000000000000000000000"))),
                List.of(new Instruction.GotoTable(10), new Instruction.ClearActions())))));
        out.add(new FlowStatsReply(13, false, List.of()));
        out.add(new OfMessage.BarrierRequest(14));
        out.add(new OfMessage.BarrierReply(15));
        out.add(new BundleControl(16, 77, BundleCtrlType.COMMIT_REQUEST, BundleControl.ATOMIC | BundleControl.ORDERED));
        out.add(new BundleAdd(17, 77, 3, FlowMod.add(17, 0, 5, 1, Match.of(Oxm.reg(3, 9), Oxm.metadata(5, 0xff)),
                List.of(new Instruction.WriteActions(List.of(new Action.Group(4), new Action.Output(Action.PORT_IN_PORT)))))));
        out.add(FlowMod.add(18, 11, 200, 0, Match.of(Oxm.tunnelId(5000), Oxm.ethType(0x86dd), Oxm.ipProto(58),
                Oxm.icmpv6Type(135), Oxm.ndTarget(Octets.ofHex("fd770000000000000000000000000003"))),
                List.of(Instruction.apply(new Action.Experimenter(0x2320, // Nicira reg_move eth_src -> eth_dst (48 bits)
                        Octets.ofHex("0006" + "0030" + "0000" + "0000" + "00000406" + "00000206")),
                        new Action.Output(Action.PORT_CONTROLLER, 0xffff)))));
        out.add(FlowMod.add(23, 10, 200, 0, Match.of(Oxm.inPort(1), Oxm.tunnelId(5000), Oxm.ethType(0x86dd),
                Oxm.ipProto(58), Oxm.icmpv6Type(135), Oxm.icmpv6Code(0), Oxm.ndTarget(FD77_3)), ndResponder()));
        out.add(new OfMessage.Unknown(19, 4, Octets.ofHex("0000000000000000"))); // EXPERIMENTER: kept as data
        out.add(new OfMessage.SetConfig(20, 0, OfMessage.SetConfig.NO_BUFFER));
        out.add(new OfMessage.PacketIn(21, FlowMod.NO_BUFFER, 64, 1, 0, 0x1534e5645L, Match.of(Oxm.inPort(2)),
                Octets.ofHex("ffffffffffff525400000001810000648035" + "00".repeat(46))));
        out.add(new OfMessage.PacketOut(22, FlowMod.NO_BUFFER, 2, List.of(new Action.Output(Action.PORT_TABLE)),
                Octets.ofHex("525400000002525400000001810000640800" + "45".repeat(20))));
        out.add(new OfMessage.PortDescRequest(23));
        out.add(new OfMessage.PortDescReply(24, true, List.of(
                new OfMessage.Port(1, 0xfe540000000aL, "vnet0", 0, 4, FEATURES),
                new OfMessage.Port(0xfffffffe, 0x026e65740001L, "br-hv-sixteen-ch", OfMessage.Port.CONFIG_PORT_DOWN,
                        OfMessage.Port.STATE_LINK_DOWN, FEATURES))));
        out.add(new OfMessage.PortDescReply(25, false, List.of()));
        out.add(new OfMessage.PortStatus(26, OfMessage.PortStatus.ADD, new OfMessage.Port(7, 0x02, "up0", 0, 0, FEATURES)));
        return out;
    }

    @Test
    @DisplayName("every message round-trips, in OpenFlow 1.3 and 1.4")
    void roundTrip() {
        for (int version : new int[] {OfCodec.V1_3, OfCodec.V1_4}) {
            for (OfMessage m : samples()) {
                byte[] b = OfCodec.encode(version, m);
                assertThat(b.length % 8 == 0 || !(m instanceof FlowMod)).as("FLOW_MOD is 8-aligned: " + m).isTrue();
                assertThat(OfCodec.decode(b)).as(m.toString()).isEqualTo(new Decoded.Ok(version, m));
            }
        }
    }

    @Test
    @DisplayName("a PACKET_IN as OpenFlow 1.4 section 7.4.1 lays it out (checked by hand) decodes with its in_port"
            + " and frame; a PACKET_OUT to OFPP_TABLE and a SET_CONFIG encode as section 7.3.7 and 7.3.2 say")
    void packetInOutLayout() {
        String frame = "ffffffffffff" + "525400000001" + "81000064" + "8035" + "0001";
        byte[] in = Octets.ofHex("050a003e" + "00000000"     // header: 1.4, PACKET_IN, 62 octets, xid 0
                + "ffffffff" + "0014" + "01" + "00"           // no buffer, total_len 20, reason ACTION, table 0
                + "00000001534e5645"                          // cookie
                + "0001000c" + "80000004" + "00000002" + "00000000" // match: OXM, 12; in_port=2; pad
                + "0000"                                      // pad
                + frame).toArray();
        assertThat(OfCodec.decode(in)).isInstanceOfSatisfying(Decoded.Ok.class, ok -> {
            OfMessage.PacketIn p = (OfMessage.PacketIn) ok.message();
            assertThat(p.inPort()).isEqualTo(2);
            assertThat(p.reason()).isEqualTo(1);
            assertThat(p.cookie()).isEqualTo(0x1534e5645L);
            assertThat(p.data()).isEqualTo(Octets.ofHex(frame));
        });
        String out = Octets.of(OfCodec.encode(OfCodec.V1_4, new OfMessage.PacketOut(7, FlowMod.NO_BUFFER, 2,
                List.of(new Action.Output(Action.PORT_TABLE)), Octets.ofHex(frame)))).toString();
        assertThat(out).isEqualTo("050d003c" + "00000007"     // header: 1.4, PACKET_OUT, 60 octets, xid 7
                + "ffffffff" + "00000002" + "0010" + "000000000000" // no buffer, in_port 2, actions_len 16, pad
                + "00000010" + "fffffff9" + "0000" + "000000000000" // output:TABLE, max_len 0, pad
                + frame);
        assertThat(Octets.of(OfCodec.encode(OfCodec.V1_4, new OfMessage.SetConfig(8, 0, 0xffff))).toString())
                .isEqualTo("0509000c" + "00000008" + "0000" + "ffff");
    }

    @Test
    @DisplayName("a FLOW_MOD's octets are laid out as OpenFlow 1.3 section 7.3.4.1 says (checked by hand)")
    void flowModLayout() {
        FlowMod m = FlowMod.add(0x11223344, 10, 100, 0xa1L, Match.of(Oxm.inPort(1)),
                List.of(new Instruction.GotoTable(20)));
        String hex = Octets.of(OfCodec.encode(OfCodec.V1_4, m)).toString();
        assertThat(hex).isEqualTo(
                "050e0048" + "11223344"                      // header: 1.4, FLOW_MOD, 72 octets, xid
                        + "00000000000000a1" + "0000000000000000" // cookie, cookie mask
                        + "0a" + "00" + "0000" + "0000" + "0064"  // table 10, ADD, idle, hard, priority 100
                        + "ffffffff" + "ffffffff" + "ffffffff"  // buffer, out_port, out_group
                        + "0000" + "0000"                         // flags, importance
                        + "0001000c" + "80000004" + "00000001" + "00000000" // match: OXM, 12; in_port=1; pad
                        + "00010008" + "14000000");               // goto_table 20
    }

    @Test
    @DisplayName("the ND responder's actions are laid out as OpenFlow 1.3 section 7.2.5 (set_field), OVS's Nicira"
            + " reg_move and Ericsson ND fields say (checked by hand), and decode back")
    void ndResponderLayout() {
        FlowMod m = FlowMod.add(0x11223344, 10, 200, 0, Match.ALL, ndResponder());
        byte[] b = OfCodec.encode(OfCodec.V1_4, m);
        assertThat(Octets.of(b).toString()).isEqualTo(
                "050e00b8" + "11223344"                      // header: 1.4, FLOW_MOD, 184 octets, xid
                        + "0000000000000000" + "0000000000000000" // cookie, cookie mask
                        + "0a" + "00" + "0000" + "0000" + "00c8"  // table 10, ADD, idle, hard, priority 200
                        + "ffffffff" + "ffffffff" + "ffffffff"  // buffer, out_port, out_group
                        + "0000" + "0000"                         // flags, importance
                        + "00010004" + "00000000"                 // match: OXM, 4 (empty); pad
                        + "00040078" + "00000000"                 // apply_actions, 120 octets
                        // experimenter 24 octets, Nicira; reg_move (6) of 128 bits, offsets 0, ipv6_src -> ipv6_dst
                        + "ffff0018" + "00002320" + "0006" + "0080" + "0000" + "0000" + "00012610" + "00012810"
                        // set_field 24: OXM basic ipv6_src (26), 16 octets
                        + "00190018" + "80003410" + "fd770000000000000000000000000003"
                        // set_field 16: icmpv6_type (29) = 136, pad 7
                        + "00190010" + "80003a01" + "88" + "00000000000000"
                        // set_field 16: Ericsson (0x1000) nd_reserved (1) = S|O
                        + "00190010" + "10000204" + "60000000" + "00000000"
                        // set_field 16: Ericsson nd_options_type (2) = 2 (target link-layer address), pad 7
                        + "00190010" + "10000401" + "02" + "00000000000000"
                        // set_field 16: nd_tll (33), pad 2
                        + "00190010" + "80004206" + "027700000003" + "0000"
                        + "00010008" + "0b000000");               // goto_table 11
        assertThat(OfCodec.decode(b)).isEqualTo(new Decoded.Ok(OfCodec.V1_4, m));
    }

    @Test
    @DisplayName("a port description reply as OVS sends it in OpenFlow 1.4 (section 7.2.1: ofp_port with its Ethernet"
            + " property) and in 1.3 (fixed 64 octets), laid out by hand, decodes field by field and encodes back to the"
            + " same octets")
    void portDescriptionLayout() {
        String v14 = "05130058" + "00000007"                          // header: 1.4, MULTIPART_REPLY, 88 octets, xid 7
                + "000d" + "0000" + "00000000"                         // OFPMP_PORT_DESC, no more parts, pad
                + "00000001" + "0048" + "0000"                         // port 1, 72 octets, pad
                + "fe540000000a" + "0000"                              // hw_addr, pad
                + "766e657430" + "0000000000000000000000"              // name "vnet0", NUL-padded to 16
                + "00000000" + "00000004"                              // config, state (OFPPS_LIVE)
                + "0000" + "0020" + "00000000"                         // property: Ethernet, 32 octets, pad
                + "00002840" + "00000000" + "00000000" + "00000000" + "00989680" + "00989680";
        Decoded d = OfCodec.decode(Octets.ofHex(v14).toArray());
        OfMessage.Port vnet0 = new OfMessage.Port(1, 0xfe540000000aL, "vnet0", 0, 4,
                Octets.ofHex("0000002000000000" + FEATURES));
        assertThat(d).isEqualTo(new Decoded.Ok(OfCodec.V1_4, new OfMessage.PortDescReply(7, false, List.of(vnet0))));
        assertThat(Octets.of(OfCodec.encode(OfCodec.V1_4, ((Decoded.Ok) d).message())).toString()).isEqualTo(v14);

        String v13 = "04130050" + "00000008"                          // header: 1.3, MULTIPART_REPLY, 80 octets, xid 8
                + "000d" + "0001" + "00000000"                         // OFPMP_PORT_DESC, more parts follow, pad
                + "fffffffe" + "00000000"                              // OFPP_LOCAL, pad
                + "026e65740001" + "0000"                              // hw_addr, pad
                + "62722d6876" + "0000000000000000000000"              // name "br-hv"
                + "00000001" + "00000001"                              // config PORT_DOWN, state LINK_DOWN
                + FEATURES;                                            // curr .. max_speed
        Decoded d13 = OfCodec.decode(Octets.ofHex(v13).toArray());
        assertThat(d13).isEqualTo(new Decoded.Ok(OfCodec.V1_3, new OfMessage.PortDescReply(8, true, List.of(
                new OfMessage.Port(0xfffffffe, 0x026e65740001L, "br-hv", 1, 1, FEATURES)))));
        assertThat(Octets.of(OfCodec.encode(OfCodec.V1_3, ((Decoded.Ok) d13).message())).toString()).isEqualTo(v13);

        assertThat(Octets.of(OfCodec.encode(OfCodec.V1_4, new OfMessage.PortDescRequest(9))).toString())
                .isEqualTo("0512001000000009" + "000d000000000000");
        // a port whose length is below ofp_port's fixed 40 octets, and a request with a body, are refused
        String shortPort = v14.substring(0, 40) + "0020" + v14.substring(44);
        assertThat(OfCodec.decode(Octets.ofHex(shortPort).toArray())).isInstanceOfSatisfying(Decoded.Failed.class,
                f -> assertThat(f.failure().error()).isEqualTo(OfDecodeError.BAD_LENGTH));
        assertThat(OfCodec.decode(Octets.ofHex("0512001800000009" + "000d000000000000" + "0000000100000000").toArray()))
                .isInstanceOfSatisfying(Decoded.Failed.class, f -> assertThat(f.failure().error()).isEqualTo(OfDecodeError.BAD_LENGTH));
        // a port status (OFPT_PORT_STATUS, 12): reason, pad, the port
        String status = "050c0058" + "0000000a" + "02" + "00000000000000" + v14.substring(32);
        assertThat(OfCodec.decode(Octets.ofHex(status).toArray())).isEqualTo(new Decoded.Ok(OfCodec.V1_4,
                new OfMessage.PortStatus(10, OfMessage.PortStatus.MODIFY, vnet0)));
    }

    @Test
    @DisplayName("bad input is refused with a typed error, never an exception")
    void refusals() {
        assertThat(OfCodec.decode(new byte[] {4, 0, 0})).isInstanceOfSatisfying(Decoded.Failed.class,
                f -> assertThat(f.failure().error()).isEqualTo(OfDecodeError.TRUNCATED));
        assertThat(OfCodec.decode(Octets.ofHex("0402000400000000").toArray()))
                .isInstanceOfSatisfying(Decoded.Failed.class, f -> assertThat(f.failure().error()).isEqualTo(OfDecodeError.BAD_LENGTH));
        assertThat(OfCodec.decode(Octets.ofHex("0102000800000000").toArray())).isInstanceOfSatisfying(Decoded.Failed.class,
                f -> assertThat(f.failure().error()).isEqualTo(OfDecodeError.BAD_VERSION));
        byte[] fm = OfCodec.encode(OfCodec.V1_4, FlowMod.add(1, 0, 1, 0, Match.of(Oxm.inPort(1)), List.of()));
        byte[] badCmd = fm.clone();
        badCmd[25] = 9;
        assertThat(OfCodec.decode(badCmd)).isInstanceOfSatisfying(Decoded.Failed.class,
                f -> assertThat(f.failure().error()).isEqualTo(OfDecodeError.BAD_VALUE));
        byte[] badMatch = fm.clone();
        badMatch[49] = 0; // match type 0 (OFPMT_STANDARD)
        assertThat(OfCodec.decode(badMatch)).isInstanceOfSatisfying(Decoded.Failed.class,
                f -> assertThat(f.failure().error()).isEqualTo(OfDecodeError.BAD_MATCH_TYPE));
        byte[] badOxm = fm.clone();
        badOxm[55] = 40; // in_port OXM claims 40 octets
        assertThat(OfCodec.decode(badOxm)).isInstanceOfSatisfying(Decoded.Failed.class,
                f -> assertThat(f.failure().error()).isEqualTo(OfDecodeError.BAD_LENGTH));
    }

    @Test
    @DisplayName("decoding is total: 200,000 random and mutated inputs give a message or a typed refusal, never an exception")
    void fuzzNeverThrows() {
        SplittableRandom rnd = new SplittableRandom(11);
        List<byte[]> seeds = new ArrayList<>();
        for (OfMessage m : samples()) {
            seeds.add(OfCodec.encode(OfCodec.V1_4, m));
        }
        int refused = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] b;
            if (i % 4 == 0) {
                b = new byte[rnd.nextInt(0, 200)];
                rnd.nextBytes(b);
                if (b.length >= 4) {
                    b[0] = 5;
                    b[2] = (byte) (b.length >>> 8);
                    b[3] = (byte) b.length;
                }
            } else {
                byte[] seed = seeds.get(rnd.nextInt(seeds.size()));
                b = seed.clone();
                int flips = rnd.nextInt(1, 6);
                for (int k = 0; k < flips && b.length > 0; k++) {
                    b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                }
                if (rnd.nextInt(8) == 0) {
                    b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
                }
            }
            Decoded d = OfCodec.decode(b);
            if (d instanceof Decoded.Failed) {
                refused++;
            } else if (d instanceof Decoded.Ok ok) {
                // whatever decodes encodes again to a message that decodes to the same value
                assertThat(OfCodec.decode(OfCodec.encode(ok.version(), ok.message()))).isEqualTo(d);
            }
        }
        assertThat(refused).as("the mutations do reach the refusals").isGreaterThan(10_000);
    }
}
