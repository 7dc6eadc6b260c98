package org.splitnve.dataplane;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.splitnve.dataplane.DataplaneState.Address;
import org.splitnve.dataplane.DataplaneState.RemoteAddress;
import org.splitnve.dataplane.DataplaneState.RemoteNve;
import org.splitnve.dataplane.DataplaneState.Tsi;
import org.splitnve.dataplane.DataplaneState.TsiState;
import org.splitnve.dataplane.DataplaneState.Vn;
import org.splitnve.dataplane.openflow.Action;
import org.splitnve.dataplane.openflow.Instruction;
import org.splitnve.dataplane.openflow.Match;
import org.splitnve.dataplane.openflow.Octets;
import org.splitnve.dataplane.openflow.Oxm;

/**
 * The nNVE's OpenFlow pipeline, a pure function of {@link DataplaneState}. Tables:
 * <pre>
 * 0  ADMIT   from a trunk: (in_port, local tag, source MAC [, source IP / ARP sender]) of an Activated TSI address
 *            -> pop the tag, tun_id := VNI, table 10 (DP-1, DP-2: ARP, ND and IP source guard)
 *            from the VXLAN port: (tun_id = VNI of a VN we serve, tun_src = an NVE serving it) -> table 20 (DP-3)
 *            anything else: drop
 * 10 LOCAL   from our TSIs, by (VNI, destination MAC): to the one NVE the NVA names (tun_dst := its VTEP), or to a
 *            local Activated TSI (push its port's tag); a known address that is not Activated: drop (DP-2);
 *            anything else (broadcast, multicast, unknown unicast): head-end replication to every NVE serving the VN
 *            and to the VN's local ports (DP-3)
 * 20 REMOTE  from the overlay, by (VNI, destination MAC): to a local Activated TSI; not Activated: drop; else the
 *            VN's local ports (never back into the overlay)
 * </pre>
 * OpenFlow never outputs a frame to the port it came in on, so a flood skips the ingress trunk by itself.
 * Table 10 also answers ARP requests for the IPv4 addresses of the VN's Activated addresses, local and remote, at
 * priority 200 per (trunk, tag) of the VN: the reply goes back out of the ingress port with its tag, and the request
 * never reaches the flood (DP-7; IPv6 neighbour solicitations are not answered yet).
 */
public final class Pipeline {
    public static final int T_ADMIT = 0;
    public static final int T_LOCAL = 10;
    public static final int T_REMOTE = 20;

    static final int P_DROP = 0;
    static final int P_FLOOD = 10;
    static final int P_BLOCKED = 90;
    static final int P_UNICAST = 100;
    /** A migration's destination (ARRIVED) wins over the source instance of the same MAC (DP-5). */
    static final int P_MOVED = 105;
    static final int P_GUARD = 110;
    static final int P_TUNNEL = 100;
    static final int P_RESPONDER = 200;
    /** OFPCML_NO_BUFFER: an output to the controller sends the whole frame, never a buffer id. */
    static final int CONTROLLER_NO_BUFFER = 0xffff;
    static final int ARP_REQUEST = 1;
    static final int ARP_REPLY = 2;

    static final int ETH_IPV4 = 0x0800;
    static final int ETH_ARP = 0x0806;
    static final int ETH_RARP = 0x8035;
    static final int ETH_IPV6 = 0x86dd;
    private static final Octets LINK_LOCAL = Octets.ofHex("fe800000000000000000000000000000");
    private static final Octets LINK_LOCAL_MASK = Octets.ofHex("ffc00000000000000000000000000000");
    private static final Octets UNSPECIFIED = Octets.ofHex("00000000000000000000000000000000");

    private Pipeline() {
    }

    /** Every flow the switch must hold for {@code s}, keys unique. */
    public static List<Flow> flows(DataplaneState s) {
        List<Flow> out = new ArrayList<>();
        Map<String, Integer> vni = new HashMap<>();
        for (Vn v : s.vns()) {
            vni.put(v.name(), v.vni());
        }
        for (int t : List.of(T_ADMIT, T_LOCAL, T_REMOTE)) {
            out.add(new Flow(t, P_DROP, Match.ALL, List.of(), "default: drop"));
        }
        // (port, tag) pairs of each VN's Activated TSIs: where the VN's floods go locally.
        Map<String, Set<PortTag>> local = new LinkedHashMap<>();
        for (Tsi t : s.tsis()) {
            if (t.state().passes() && vni.containsKey(t.vn())) {
                local.computeIfAbsent(t.vn(), k -> new LinkedHashSet<>()).add(new PortTag(t.port(), t.tag()));
            }
        }
        Map<FlowKey, Flow> unicast = new LinkedHashMap<>();
        for (Tsi t : s.tsis()) {
            Integer id = vni.get(t.vn());
            if (id == null) {
                continue; // a VN we do not serve carries nothing
            }
            for (Address a : t.addresses()) {
                boolean passes = t.state().passes() && !a.held();
                String why = "TSI " + t.id() + " " + mac(a.mac()) + (passes && t.state() == TsiState.ACTIVATED ? ""
                        : " (" + (a.held() ? "held" : t.state()) + ")");
                if (passes) {
                    admission(out, t, a, id, why);
                } else if (t.state() == TsiState.ARRIVING && !a.held()) {
                    // DP-5: the destination of a migration is programmed blocked; its first frame tells the nNVE
                    Flow f = new Flow(T_ADMIT, P_GUARD, Match.of(Oxm.inPort(t.port()), Oxm.vlanVid(t.tag()),
                            Oxm.ethSrc(a.mac())), List.of(Instruction.apply(
                                    new Action.Output(Action.PORT_CONTROLLER, CONTROLLER_NO_BUFFER))),
                            why + ": to the nNVE, which unblocks it");
                    unicast.putIfAbsent(f.key(), f);
                }
                for (int table : List.of(T_LOCAL, T_REMOTE)) {
                    Match m = Match.of(Oxm.tunnelId(id), Oxm.ethDst(a.mac()));
                    int priority = t.state() == TsiState.ARRIVED ? P_MOVED : P_UNICAST;
                    Flow f = passes
                            ? new Flow(table, priority, m, List.of(Instruction.apply(new Action.PushVlan(0x8100),
                                    new Action.SetField(Oxm.vlanVid(t.tag())), new Action.Output(t.port()))), why)
                            : new Flow(table, P_BLOCKED, m, List.of(), why);
                    unicast.putIfAbsent(f.key(), f);
                }
            }
        }
        out.addAll(unicast.values());
        Map<String, List<RemoteNve>> serving = new LinkedHashMap<>();
        for (RemoteNve r : s.remotes()) {
            for (String vn : r.vns()) {
                serving.computeIfAbsent(vn, k -> new ArrayList<>()).add(r);
            }
            for (RemoteAddress ra : r.addresses()) {
                Integer id = vni.get(ra.vn());
                if (id != null) {
                    Match m = Match.of(Oxm.tunnelId(id), Oxm.ethDst(ra.mac()));
                    FlowKey k = new FlowKey(T_LOCAL, P_UNICAST, m);
                    if (!unicast.containsKey(k)) {
                        out.add(new Flow(k, List.of(Instruction.apply(new Action.SetField(Oxm.tunIpv4Dst(ip(r.vtep()))),
                                new Action.Output(s.tunnelPort()))), "NVE " + r.id() + " serves " + mac(ra.mac())));
                    }
                }
            }
        }
        responders(out, s, vni, local);
        for (Vn v : s.vns()) {
            List<RemoteNve> peers = serving.getOrDefault(v.name(), List.of());
            for (RemoteNve r : peers) {
                out.add(new Flow(T_ADMIT, P_TUNNEL, Match.of(Oxm.inPort(s.tunnelPort()), Oxm.tunnelId(v.vni()),
                        Oxm.tunIpv4Src(ip(r.vtep()))), List.of(new Instruction.GotoTable(T_REMOTE)),
                        "VN " + v.name() + " from NVE " + r.id()));
            }
            List<Action> toLocal = new ArrayList<>();
            Set<PortTag> ports = local.getOrDefault(v.name(), Set.of());
            if (!ports.isEmpty()) {
                toLocal.add(new Action.PushVlan(0x8100));
                for (PortTag pt : ports) {
                    toLocal.add(new Action.SetField(Oxm.vlanVid(pt.tag())));
                    toLocal.add(new Action.Output(pt.port()));
                }
            }
            List<Action> flood = new ArrayList<>();
            for (RemoteNve r : peers) {
                flood.add(new Action.SetField(Oxm.tunIpv4Dst(ip(r.vtep()))));
                flood.add(new Action.Output(s.tunnelPort()));
            }
            flood.addAll(toLocal);
            Match m = Match.of(Oxm.tunnelId(v.vni()));
            out.add(new Flow(T_LOCAL, P_FLOOD, m, flood.isEmpty() ? List.of() : List.of(new Instruction.ApplyActions(flood)),
                    "VN " + v.name() + ": broadcast, multicast, unknown unicast to " + peers.size() + " NVEs and "
                            + ports.size() + " local ports"));
            out.add(new Flow(T_REMOTE, P_FLOOD, m, toLocal.isEmpty() ? List.of() : List.of(new Instruction.ApplyActions(toLocal)),
                    "VN " + v.name() + ": from the overlay to " + ports.size() + " local ports"));
        }
        return out;
    }

    private record PortTag(int port, int tag) {
    }

    /** ARP answered at the nNVE (DP-7) for every IPv4 address of an Activated address of the VN, local or remote. */
    private static void responders(List<Flow> out, DataplaneState s, Map<String, Integer> vni,
                                   Map<String, Set<PortTag>> local) {
        Map<String, Map<Inet4Address, Long>> known = new LinkedHashMap<>();
        for (Tsi t : s.tsis()) {
            if (t.state().passes()) {
                for (Address a : t.addresses()) {
                    if (!a.held()) {
                        know(known, t.vn(), a.mac(), a.ips());
                    }
                }
            }
        }
        for (RemoteNve r : s.remotes()) {
            for (RemoteAddress ra : r.addresses()) {
                know(known, ra.vn(), ra.mac(), ra.ips());
            }
        }
        for (Map.Entry<String, Map<Inet4Address, Long>> vn : known.entrySet()) {
            Integer id = vni.get(vn.getKey());
            if (id == null) {
                continue;
            }
            for (PortTag pt : local.getOrDefault(vn.getKey(), Set.of())) {
                for (Map.Entry<Inet4Address, Long> e : vn.getValue().entrySet()) {
                    Octets ip = ip(e.getKey());
                    long mac = e.getValue();
                    out.add(new Flow(T_LOCAL, P_RESPONDER, Match.of(Oxm.inPort(pt.port()), Oxm.tunnelId(id),
                            Oxm.ethType(ETH_ARP), Oxm.arpOp(ARP_REQUEST), Oxm.arpTpa(ip)),
                            List.of(Instruction.apply(
                                    Action.nxMove(48, Action.NXM_OF_ETH_SRC, Action.NXM_OF_ETH_DST),
                                    new Action.SetField(Oxm.basic(Oxm.ETH_SRC, Octets.ofLong(mac, 6))),
                                    new Action.SetField(Oxm.arpOp(ARP_REPLY)),
                                    Action.nxMove(48, Action.NXM_NX_ARP_SHA, Action.NXM_NX_ARP_THA),
                                    Action.nxMove(32, Action.NXM_OF_ARP_SPA, Action.NXM_OF_ARP_TPA),
                                    new Action.SetField(Oxm.arpSha(mac)),
                                    new Action.SetField(Oxm.arpSpa(ip)),
                                    new Action.PushVlan(0x8100),
                                    new Action.SetField(Oxm.vlanVid(pt.tag())),
                                    new Action.Output(Action.PORT_IN_PORT))),
                            "ARP for " + e.getKey().getHostAddress() + " answered with " + mac(mac)));
                }
            }
        }
    }

    private static void know(Map<String, Map<Inet4Address, Long>> known, String vn, long mac, List<InetAddress> ips) {
        for (InetAddress ip : ips) {
            if (ip instanceof Inet4Address v4) {
                known.computeIfAbsent(vn, k -> new LinkedHashMap<>()).putIfAbsent(v4, mac);
            }
        }
    }

    /** Table 0 for one Activated address: MAC only, or MAC with its IPs (IPv4, ARP, IPv6 incl. link-local and DAD). */
    private static void admission(List<Flow> out, Tsi t, Address a, int vni, String why) {
        List<Instruction> go = List.of(Instruction.apply(new Action.PopVlan(), new Action.SetField(Oxm.tunnelId(vni))),
                new Instruction.GotoTable(T_LOCAL));
        Oxm port = Oxm.inPort(t.port());
        Oxm tag = Oxm.vlanVid(t.tag());
        Oxm src = Oxm.ethSrc(a.mac());
        if (a.ips().isEmpty()) {
            out.add(new Flow(T_ADMIT, P_UNICAST, Match.of(port, tag, src), go, why));
            return;
        }
        boolean v6 = false;
        for (InetAddress ip : a.ips()) {
            if (ip instanceof Inet4Address v4) {
                out.add(new Flow(T_ADMIT, P_GUARD, Match.of(port, tag, src, Oxm.ethType(ETH_IPV4), Oxm.ipv4Src(ip(v4))), go,
                        why + " IPv4 " + v4.getHostAddress()));
                out.add(new Flow(T_ADMIT, P_GUARD, Match.of(port, tag, src, Oxm.ethType(ETH_ARP), Oxm.arpSpa(ip(v4)),
                        Oxm.arpSha(a.mac())), go, why + " ARP " + v4.getHostAddress()));
            } else if (ip instanceof Inet6Address six) {
                v6 = true;
                out.add(new Flow(T_ADMIT, P_GUARD, Match.of(port, tag, src, Oxm.ethType(ETH_IPV6),
                        Oxm.ipv6Src(Octets.of(six.getAddress()))), go, why + " IPv6 " + six.getHostAddress()));
            }
        }
        if (v6) {
            out.add(new Flow(T_ADMIT, P_GUARD, Match.of(port, tag, src, Oxm.ethType(ETH_IPV6),
                    Oxm.ipv6SrcMasked(LINK_LOCAL, LINK_LOCAL_MASK)), go, why + " IPv6 link-local"));
            out.add(new Flow(T_ADMIT, P_GUARD, Match.of(port, tag, src, Oxm.ethType(ETH_IPV6), Oxm.ipv6Src(UNSPECIFIED)),
                    go, why + " IPv6 duplicate address detection"));
        }
        // A migrated VM announces itself with RARP (QEMU): no IP in it to guard.
        out.add(new Flow(T_ADMIT, P_GUARD, Match.of(port, tag, src, Oxm.ethType(ETH_RARP)), go, why + " RARP"));
    }

    static Octets ip(Inet4Address a) {
        return Octets.of(a.getAddress());
    }

    static String mac(long m) {
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x", (m >>> 40) & 0xff, (m >>> 32) & 0xff, (m >>> 24) & 0xff,
                (m >>> 16) & 0xff, (m >>> 8) & 0xff, m & 0xff);
    }
}
