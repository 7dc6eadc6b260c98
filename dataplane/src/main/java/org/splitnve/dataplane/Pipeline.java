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
 * Table 10 also answers ARP requests and IPv6 neighbour solicitations for the IPs of the VN's Activated addresses,
 * local and remote, at priority 200 per (trunk, tag) of the VN: the answer goes back out of the ingress port with its
 * tag, and the request never reaches the flood (DP-7). A solicitation takes two stages: table 10 turns it into an
 * advertisement, table 11 ({@link #T_ND}) writes the target's MAC into its option and sends it. A solicitation from
 * the unspecified address (duplicate address detection) is never answered: priority 210 floods it as before.
 */
public final class Pipeline {
    public static final int T_ADMIT = 0;
    public static final int T_LOCAL = 10;
    /** The second stage of the ND responder (DP-7): only table 10's responder flows go there. */
    public static final int T_ND = 11;
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
    /** A TSI's duplicate address detection (source ::) is never answered by the nNVE: it goes the normal way. */
    static final int P_DAD = 210;
    /** OFPCML_NO_BUFFER: an output to the controller sends the whole frame, never a buffer id. */
    static final int CONTROLLER_NO_BUFFER = 0xffff;
    static final int ARP_REQUEST = 1;
    static final int ARP_REPLY = 2;
    static final int IPPROTO_ICMPV6 = 58;
    static final int ND_SOLICITATION = 135;
    static final int ND_ADVERTISEMENT = 136;
    /** A neighbour advertisement's flags (RFC 4861 section 4.4): Solicited, Override. */
    static final int NA_SOLICITED = 0x40000000;
    static final int NA_OVERRIDE = 0x20000000;
    static final int ND_OPT_TARGET_LL = 2;

    static final int ETH_IPV4 = 0x0800;
    static final int ETH_ARP = 0x0806;
    static final int ETH_RARP = 0x8035;
    static final int ETH_IPV6 = 0x86dd;
    private static final Octets LINK_LOCAL = Octets.ofHex("fe800000000000000000000000000000");
    private static final Octets LINK_LOCAL_MASK = Octets.ofHex("ffc00000000000000000000000000000");
    private static final Octets UNSPECIFIED = Octets.ofHex("00000000000000000000000000000000");

    private Pipeline() {
    }

    /** Every flow the switch must hold for {@code s}, keys unique: the defaults, then each VN's ({@link #vnFlows}). */
    public static List<Flow> flows(DataplaneState s) {
        List<Flow> out = new ArrayList<>(defaults());
        for (VnSlice v : slices(s)) {
            out.addAll(vnFlows(v));
        }
        return out;
    }

    /** The flows of no VN: each table drops what no other flow takes. */
    public static List<Flow> defaults() {
        List<Flow> out = new ArrayList<>(4);
        for (int t : List.of(T_ADMIT, T_LOCAL, T_ND, T_REMOTE)) {
            out.add(new Flow(t, P_DROP, Match.ALL, List.of(), "default: drop"));
        }
        return out;
    }

    /**
     * What one VN's flows are made of: the VN, the bridge's tunnel port, its TSIs, and the other NVEs that serve it or
     * have addresses in it (each with only this VN in its VNs and only its addresses in this VN). Every flow but the
     * defaults belongs to exactly one VN (its VNI, or a trunk's tag for it), so a change recomputes only the VNs whose
     * slice changed ({@link FlowTable}).
     */
    public record VnSlice(int tunnelPort, Vn vn, List<Tsi> tsis, List<RemoteNve> remotes) {
        public VnSlice {
            tsis = List.copyOf(tsis);
            remotes = List.copyOf(remotes);
        }
    }

    /** The state cut into one slice per VN (in the order of {@code s.vns()}); TSIs of a VN not listed are left out. */
    public static List<VnSlice> slices(DataplaneState s) {
        Map<String, List<Tsi>> tsis = new HashMap<>();
        for (Tsi t : s.tsis()) {
            tsis.computeIfAbsent(t.vn(), k -> new ArrayList<>()).add(t);
        }
        Map<String, List<RemoteNve>> remotes = new HashMap<>();
        for (RemoteNve r : s.remotes()) {
            Map<String, List<RemoteAddress>> byVn = new LinkedHashMap<>();
            for (String vn : r.vns()) {
                byVn.put(vn, new ArrayList<>());
            }
            for (RemoteAddress a : r.addresses()) {
                byVn.computeIfAbsent(a.vn(), k -> new ArrayList<>()).add(a);
            }
            Set<String> serves = Set.copyOf(r.vns());
            byVn.forEach((vn, addresses) -> remotes.computeIfAbsent(vn, k -> new ArrayList<>()).add(new RemoteNve(r.id(),
                    r.vtep(), serves.contains(vn) ? List.of(vn) : List.of(), addresses)));
        }
        List<VnSlice> out = new ArrayList<>(s.vns().size());
        for (Vn v : s.vns()) {
            out.add(new VnSlice(s.tunnelPort(), v, tsis.getOrDefault(v.name(), List.of()),
                    remotes.getOrDefault(v.name(), List.of())));
        }
        return out;
    }

    /** The flows of one VN, keys unique. */
    public static List<Flow> vnFlows(VnSlice slice) {
        DataplaneState s = new DataplaneState(slice.tunnelPort(), List.of(slice.vn()), slice.tsis(), slice.remotes());
        List<Flow> out = new ArrayList<>();
        Map<String, Integer> vni = new HashMap<>();
        for (Vn v : s.vns()) {
            vni.put(v.name(), v.vni());
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
            List<Instruction> floodIt = flood.isEmpty() ? List.of() : List.of(new Instruction.ApplyActions(flood));
            out.add(new Flow(T_LOCAL, P_FLOOD, m, floodIt,
                    "VN " + v.name() + ": broadcast, multicast, unknown unicast to " + peers.size() + " NVEs and "
                            + ports.size() + " local ports"));
            // a TSI probing its own (or a wanted) address must not be told by the nNVE that it is taken
            out.add(new Flow(T_LOCAL, P_DAD, Match.of(Oxm.tunnelId(v.vni()), Oxm.ethType(ETH_IPV6),
                    Oxm.ipv6Src(UNSPECIFIED), Oxm.ipProto(IPPROTO_ICMPV6), Oxm.icmpv6Type(ND_SOLICITATION)), floodIt,
                    "VN " + v.name() + ": duplicate address detection goes the normal way, never answered here"));
            out.add(new Flow(T_REMOTE, P_FLOOD, m, toLocal.isEmpty() ? List.of() : List.of(new Instruction.ApplyActions(toLocal)),
                    "VN " + v.name() + ": from the overlay to " + ports.size() + " local ports"));
        }
        return out;
    }

    private record PortTag(int port, int tag) {
    }

    /**
     * ARP and IPv6 neighbour solicitations answered at the nNVE (DP-7) for every IP of an Activated address of the VN,
     * local or remote, per (trunk, tag) of the VN: the answer goes back out of the ingress port with its tag. Not on
     * the port the address's own TSI is behind (REQ-2: several end devices behind one port through an ordinary
     * bridge): there the owner answers itself, and an answer from the nNVE, sent with the owner's MAC as its source,
     * would teach that bridge the owner's MAC on the nNVE's link, so that the bridge sent the owner's frames to the
     * nNVE, which cannot send them back out of the port they came in on (the demo's h1 and h2 behind nnve-a's p0 lost
     * each other that way now and then, issue 14's stress run).
     */
    private static void responders(List<Flow> out, DataplaneState s, Map<String, Integer> vni,
                                   Map<String, Set<PortTag>> local) {
        Map<String, Map<InetAddress, Long>> known = new LinkedHashMap<>();
        Map<String, Map<InetAddress, Set<Integer>>> behind = new LinkedHashMap<>();
        for (Tsi t : s.tsis()) {
            if (t.state().passes()) {
                for (Address a : t.addresses()) {
                    if (!a.held()) {
                        know(known, t.vn(), a.mac(), a.ips());
                        for (InetAddress ip : a.ips()) {
                            behind.computeIfAbsent(t.vn(), k -> new LinkedHashMap<>())
                                    .computeIfAbsent(ip, k -> new java.util.HashSet<>()).add(t.port());
                        }
                    }
                }
            }
        }
        for (RemoteNve r : s.remotes()) {
            for (RemoteAddress ra : r.addresses()) {
                know(known, ra.vn(), ra.mac(), ra.ips());
            }
        }
        for (Map.Entry<String, Map<InetAddress, Long>> vn : known.entrySet()) {
            Integer id = vni.get(vn.getKey());
            if (id == null) {
                continue;
            }
            Map<InetAddress, Set<Integer>> owners = behind.getOrDefault(vn.getKey(), Map.of());
            for (PortTag pt : local.getOrDefault(vn.getKey(), Set.of())) {
                for (Map.Entry<InetAddress, Long> e : vn.getValue().entrySet()) {
                    if (owners.getOrDefault(e.getKey(), Set.of()).contains(pt.port())) {
                        continue; // its owner is behind this very port: it answers itself
                    }
                    if (e.getKey() instanceof Inet4Address v4) {
                        arpResponder(out, pt, id, v4, e.getValue());
                    } else if (e.getKey() instanceof Inet6Address v6) {
                        ndResponder(out, pt, id, v6, e.getValue());
                    }
                }
            }
        }
    }

    private static void arpResponder(List<Flow> out, PortTag pt, int vni, Inet4Address addr, long mac) {
        Octets ip = ip(addr);
        out.add(new Flow(T_LOCAL, P_RESPONDER, Match.of(Oxm.inPort(pt.port()), Oxm.tunnelId(vni),
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
                "ARP for " + addr.getHostAddress() + " answered with " + mac(mac)));
    }

    /**
     * The neighbour solicitation for {@code addr} turned into the advertisement in two stages (OVS refuses to set the
     * target link-layer address on a match that is a solicitation, ../shared/docs/ovs-dataplane.md section 3): table 10
     * swaps the addresses, makes it type 136 with the Solicited and Override flags and its option a target link-layer
     * address option; table 11 writes the MAC into that option and sends it back. OVS's userspace datapath updates the
     * ICMPv6 checksum for each field it sets (pseudo-header included).
     */
    private static void ndResponder(List<Flow> out, PortTag pt, int vni, Inet6Address addr, long mac) {
        Octets target = Octets.of(addr.getAddress());
        String what = "ND for " + addr.getHostAddress() + " answered with " + mac(mac);
        out.add(new Flow(T_LOCAL, P_RESPONDER, Match.of(Oxm.inPort(pt.port()), Oxm.tunnelId(vni), Oxm.ethType(ETH_IPV6),
                Oxm.ipProto(IPPROTO_ICMPV6), Oxm.icmpv6Type(ND_SOLICITATION), Oxm.icmpv6Code(0), Oxm.ndTarget(target)),
                List.of(Instruction.apply(
                        Action.nxMove(48, Action.NXM_OF_ETH_SRC, Action.NXM_OF_ETH_DST),
                        new Action.SetField(Oxm.ethSrc(mac)),
                        Action.nxMove(128, Action.NXM_NX_IPV6_SRC, Action.NXM_NX_IPV6_DST),
                        new Action.SetField(Oxm.ipv6Src(target)),
                        new Action.SetField(Oxm.icmpv6Type(ND_ADVERTISEMENT)),
                        new Action.SetField(Oxm.ndReserved(NA_SOLICITED | NA_OVERRIDE)),
                        new Action.SetField(Oxm.ndOptionsType(ND_OPT_TARGET_LL))),
                        new Instruction.GotoTable(T_ND)),
                what + " (1/2)"));
        out.add(new Flow(T_ND, P_RESPONDER, Match.of(Oxm.inPort(pt.port()), Oxm.tunnelId(vni), Oxm.ethType(ETH_IPV6),
                Oxm.ipProto(IPPROTO_ICMPV6), Oxm.icmpv6Type(ND_ADVERTISEMENT), Oxm.icmpv6Code(0), Oxm.ndTarget(target)),
                List.of(Instruction.apply(
                        new Action.SetField(Oxm.ndTll(mac)),
                        new Action.PushVlan(0x8100),
                        new Action.SetField(Oxm.vlanVid(pt.tag())),
                        new Action.Output(Action.PORT_IN_PORT))),
                what + " (2/2)"));
    }

    private static void know(Map<String, Map<InetAddress, Long>> known, String vn, long mac, List<InetAddress> ips) {
        for (InetAddress ip : ips) {
            known.computeIfAbsent(vn, k -> new LinkedHashMap<>()).putIfAbsent(ip, mac);
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
