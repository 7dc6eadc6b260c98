package org.splitnve.dataplane;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.StringJoiner;
import org.splitnve.dataplane.openflow.Action;
import org.splitnve.dataplane.openflow.Instruction;
import org.splitnve.dataplane.openflow.Match;
import org.splitnve.dataplane.openflow.Octets;
import org.splitnve.dataplane.openflow.Oxm;

/**
 * A flow's match and instructions as people read them, in the words of {@code ovs-ofctl dump-flows}
 * ({@code in_port=1,dl_vlan=100,dl_src=52:54:00:00:00:01 actions=pop_vlan,set_field:5000->tun_id,goto_table:10}), for
 * {@code splitnve show flows}. Total: a field or action it has no name for is written as its numbers.
 */
public final class FlowText {
    private FlowText() {
    }

    /** The match: {@code field=value} joined by commas; {@code *} for a match of everything. */
    public static String match(Match m) {
        if (m.fields().isEmpty()) {
            return "*";
        }
        StringJoiner j = new StringJoiner(",");
        for (Oxm o : m.fields()) {
            j.add(field(o) + "=" + value(o) + (o.hasMask() ? "/" + value(new Oxm(o.oxmClass(), o.field(), o.mask(), null))
                    : ""));
        }
        return j.toString();
    }

    /** The instructions: {@code drop} for none. */
    public static String instructions(List<Instruction> is) {
        if (is.isEmpty()) {
            return "drop";
        }
        StringJoiner j = new StringJoiner(",");
        for (Instruction i : is) {
            switch (i) {
                case Instruction.ApplyActions a -> a.actions().forEach(x -> j.add(action(x)));
                case Instruction.WriteActions w -> j.add("write_actions(" + String.join(",",
                        w.actions().stream().map(FlowText::action).toList()) + ")");
                case Instruction.GotoTable g -> j.add("goto_table:" + g.table());
                case Instruction.WriteMetadata w -> j.add(String.format("write_metadata:0x%x/0x%x", w.metadata(), w.mask()));
                case Instruction.ClearActions c -> j.add("clear_actions");
                case Instruction.Unknown u -> j.add("instruction" + u.type() + ":" + u.body());
            }
        }
        return j.toString();
    }

    /** One action. */
    public static String action(Action a) {
        return switch (a) {
            case Action.Output o -> "output:" + port(o.port());
            case Action.PushVlan p -> String.format("push_vlan:0x%04x", p.ethertype());
            case Action.PopVlan p -> "pop_vlan";
            case Action.Group g -> "group:" + g.groupId();
            case Action.SetField s -> "set_field:" + value(s.field()) + "->" + field(s.field());
            case Action.Experimenter e -> e.experimenter() == Action.NICIRA && e.body().length() == 16
                    && e.body().get(1) == 6 ? "move:" + nxm(e.body(), 8) + "->" + nxm(e.body(), 12)
                    : String.format("experimenter:0x%x:%s", e.experimenter(), e.body());
            case Action.Unknown u -> "action" + u.type() + ":" + u.body();
        };
    }

    private static String port(int p) {
        return switch (p) {
            case Action.PORT_CONTROLLER -> "CONTROLLER";
            case Action.PORT_IN_PORT -> "IN_PORT";
            case Action.PORT_TABLE -> "TABLE";
            case Action.ANY -> "ANY";
            default -> Integer.toUnsignedString(p);
        };
    }

    private static String nxm(Octets body, int at) {
        int h = 0;
        for (int i = 0; i < 4; i++) {
            h = (h << 8) | (body.get(at + i) & 0xff);
        }
        return switch (h) {
            case Action.NXM_OF_ETH_DST -> "eth_dst";
            case Action.NXM_OF_ETH_SRC -> "eth_src";
            case Action.NXM_OF_ARP_SPA -> "arp_spa";
            case Action.NXM_OF_ARP_TPA -> "arp_tpa";
            case Action.NXM_NX_ARP_SHA -> "arp_sha";
            case Action.NXM_NX_ARP_THA -> "arp_tha";
            case Action.NXM_NX_IPV6_SRC -> "ipv6_src";
            case Action.NXM_NX_IPV6_DST -> "ipv6_dst";
            default -> String.format("nxm:0x%08x", h);
        };
    }

    /** ovs-ofctl's name of a field; class:field numbers for one it has none for. */
    static String field(Oxm o) {
        if (o.oxmClass() == Oxm.NXM1) {
            return switch (o.field()) {
                case Oxm.NX_TUN_IPV4_SRC -> "tun_src";
                case Oxm.NX_TUN_IPV4_DST -> "tun_dst";
                default -> o.field() < 8 ? "reg" + o.field() : "nxm1:" + o.field();
            };
        }
        if (o.oxmClass() == Oxm.ERICSSON) {
            return switch (o.field()) {
                case Oxm.ERIC_ND_RESERVED -> "nd_reserved";
                case Oxm.ERIC_ND_OPTIONS_TYPE -> "nd_options_type";
                default -> "ericsson:" + o.field();
            };
        }
        if (o.oxmClass() != Oxm.BASIC) {
            return String.format("%04x:%d", o.oxmClass(), o.field());
        }
        return switch (o.field()) {
            case Oxm.IN_PORT -> "in_port";
            case Oxm.METADATA -> "metadata";
            case Oxm.ETH_DST -> "dl_dst";
            case Oxm.ETH_SRC -> "dl_src";
            case Oxm.ETH_TYPE -> "dl_type";
            case Oxm.VLAN_VID -> "dl_vlan";
            case Oxm.IP_PROTO -> "nw_proto";
            case Oxm.IPV4_SRC -> "nw_src";
            case Oxm.IPV4_DST -> "nw_dst";
            case Oxm.ARP_OP -> "arp_op";
            case Oxm.ARP_SPA -> "arp_spa";
            case Oxm.ARP_TPA -> "arp_tpa";
            case Oxm.ARP_SHA -> "arp_sha";
            case Oxm.ARP_THA -> "arp_tha";
            case Oxm.IPV6_SRC -> "ipv6_src";
            case Oxm.IPV6_DST -> "ipv6_dst";
            case Oxm.ICMPV6_TYPE -> "icmpv6_type";
            case Oxm.ICMPV6_CODE -> "icmpv6_code";
            case Oxm.IPV6_ND_TARGET -> "nd_target";
            case Oxm.IPV6_ND_SLL -> "nd_sll";
            case Oxm.IPV6_ND_TLL -> "nd_tll";
            case Oxm.TUNNEL_ID -> "tun_id";
            default -> "field" + o.field();
        };
    }

    /** A field's value: MACs and IP addresses as written, a VLAN ID without its present bit, numbers in decimal. */
    static String value(Oxm o) {
        Octets v = o.value();
        int n = v.length();
        boolean basic = o.oxmClass() == Oxm.BASIC;
        if (basic && o.field() == Oxm.VLAN_VID && n == 2) {
            long vid = v.toLong();
            return (vid & Oxm.VID_PRESENT) == 0 ? "none" : Long.toString(vid & 0xfff);
        }
        if (basic && o.field() == Oxm.ETH_TYPE && n == 2) {
            return String.format("0x%04x", v.toLong());
        }
        if (n == 6) {
            byte[] b = v.toArray();
            return String.format("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
        }
        if ((n == 4 && address(o)) || n == 16) {
            try {
                return InetAddress.getByAddress(v.toArray()).getHostAddress();
            } catch (UnknownHostException e) {
                return v.toString(); // not reached: 4 and 16 octets are addresses
            }
        }
        return n <= 8 ? Long.toUnsignedString(v.toLong()) : v.toString();
    }

    private static boolean address(Oxm o) {
        return o.oxmClass() == Oxm.NXM1 ? o.field() == Oxm.NX_TUN_IPV4_SRC || o.field() == Oxm.NX_TUN_IPV4_DST
                : o.oxmClass() == Oxm.BASIC && (o.field() == Oxm.IPV4_SRC || o.field() == Oxm.IPV4_DST
                        || o.field() == Oxm.ARP_SPA || o.field() == Oxm.ARP_TPA);
    }
}
