package org.splitnve.dataplane;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.splitnve.dataplane.HypervisorState.Attachment;
import org.splitnve.dataplane.HypervisorState.PortRef;
import org.splitnve.dataplane.openflow.Action;
import org.splitnve.dataplane.openflow.Instruction;
import org.splitnve.dataplane.openflow.Match;
import org.splitnve.dataplane.openflow.OfMessage.Port;
import org.splitnve.dataplane.openflow.Oxm;

/**
 * The hypervisor's switch as the tNVE programs it (DP-4), a pure function of {@link HypervisorState} and the switch's
 * ports. One table; the bridge runs in secure fail mode, so what no flow allows is dropped:
 * <pre>
 * 0  from a TSI's port, untagged, while it passes (Activated, its VM running):
 *      to another passing TSI of the same trunk and local tag on this switch, by destination MAC: to its port
 *      anything else: to those TSIs' ports, and push_vlan, vid := the local tag, to the trunk toward its nNVE
 *    from a trunk, tagged with a local tag of passing TSIs:
 *      by destination MAC: pop_vlan, to that TSI's port; anything else: pop_vlan, to every one of them
 *    anything else (an associated, deactivated, paused or suspended TSI, an unknown port or tag): drop
 * </pre>
 * The nNVE cannot send a frame back out of the trunk it came in on (OpenFlow never outputs to the ingress port), so
 * two TSIs of one VN behind one trunk meet here. A TSI whose port (or trunk) the switch does not have gets nothing:
 * {@link Plan#missing} says which.
 */
public final class HypervisorPipeline {
    static final int P_DROP = 0;
    static final int P_FLOOD = 10;
    static final int P_UNICAST = 100;

    private HypervisorPipeline() {
    }

    /** The flows, and the ports named in the model that the switch does not have (their TSIs get nothing). */
    public record Plan(List<Flow> flows, Set<String> missing) {
        public Plan {
            flows = List.copyOf(flows);
            missing = Set.copyOf(missing);
        }
    }

    private record Member(String tsi, int port, long mac) {
    }

    private record TrunkTag(int trunk, int tag) {
    }

    /** Every flow the switch must hold for {@code s}, given its {@code ports} (keys unique). */
    public static Plan flows(HypervisorState s, List<Port> ports) {
        Set<String> missing = new LinkedHashSet<>();
        Map<TrunkTag, Set<Member>> groups = new LinkedHashMap<>();
        Map<Integer, TrunkTag> outbound = new LinkedHashMap<>();
        Map<Integer, Member> members = new LinkedHashMap<>();
        for (Attachment a : s.attachments()) {
            Integer port = find(a.port(), ports);
            Integer trunk = find(a.trunk(), ports);
            if (port == null) {
                missing.add("TSI " + a.tsi() + ": " + a.port());
            }
            if (trunk == null) {
                missing.add("trunk " + a.trunk());
            }
            if (port == null || trunk == null || !a.passes()) {
                continue;
            }
            Member m = new Member(a.tsi(), port, a.mac());
            members.putIfAbsent(port, m);
            TrunkTag g = new TrunkTag(trunk, a.tag());
            groups.computeIfAbsent(g, k -> new LinkedHashSet<>()).add(m);
            outbound.putIfAbsent(port, g); // a TSI on several uplinks sends on the first (its placement's order)
        }
        Map<FlowKey, Flow> out = new LinkedHashMap<>();
        add(out, new Flow(0, P_DROP, Match.ALL, List.of(), "default: drop"));
        for (Map.Entry<TrunkTag, Set<Member>> e : groups.entrySet()) {
            TrunkTag g = e.getKey();
            Set<Member> ms = e.getValue();
            List<Action> all = new ArrayList<>();
            all.add(new Action.PopVlan());
            for (Member m : ms) {
                add(out, new Flow(0, P_UNICAST, Match.of(Oxm.inPort(g.trunk()), Oxm.vlanVid(g.tag()), Oxm.ethDst(m.mac())),
                        List.of(Instruction.apply(new Action.PopVlan(), new Action.Output(m.port()))),
                        "TSI " + m.tsi() + ": from the nNVE with local tag " + g.tag()));
                all.add(new Action.Output(m.port()));
            }
            add(out, new Flow(0, P_FLOOD, Match.of(Oxm.inPort(g.trunk()), Oxm.vlanVid(g.tag())),
                    List.of(new Instruction.ApplyActions(all)),
                    "local tag " + g.tag() + ": broadcast, multicast, unknown unicast to its " + ms.size() + " TSI ports"));
        }
        for (Map.Entry<Integer, TrunkTag> e : outbound.entrySet()) {
            int port = e.getKey();
            TrunkTag g = e.getValue();
            Member self = members.get(port);
            List<Action> flood = new ArrayList<>();
            for (Member o : groups.get(g)) {
                if (o.port() != port) {
                    add(out, new Flow(0, P_UNICAST, Match.of(Oxm.inPort(port), Oxm.vlanNone(), Oxm.ethDst(o.mac())),
                            List.of(Instruction.apply(new Action.Output(o.port()))),
                            "TSI " + self.tsi() + " to TSI " + o.tsi() + " on this switch"));
                    flood.add(new Action.Output(o.port()));
                }
            }
            flood.add(new Action.PushVlan(0x8100));
            flood.add(new Action.SetField(Oxm.vlanVid(g.tag())));
            flood.add(new Action.Output(g.trunk()));
            add(out, new Flow(0, P_FLOOD, Match.of(Oxm.inPort(port), Oxm.vlanNone()),
                    List.of(new Instruction.ApplyActions(flood)),
                    "TSI " + self.tsi() + ": to the nNVE with local tag " + g.tag()));
        }
        return new Plan(List.copyOf(out.values()), missing);
    }

    private static void add(Map<FlowKey, Flow> out, Flow f) {
        out.putIfAbsent(f.key(), f);
    }

    /** The OpenFlow number of the port {@code ref} names, or null; reserved ports (the bridge's LOCAL) never match. */
    static Integer find(PortRef ref, List<Port> ports) {
        for (Port p : ports) {
            if (Integer.compareUnsigned(p.number(), 0xffffff00) > 0) {
                continue;
            }
            boolean hit = switch (ref) {
                case PortRef.Named n -> p.name().equals(n.name());
                case PortRef.ByMac m -> p.mac() == m.mac() || p.mac() == (0xfe0000000000L | (m.mac() & 0xffffffffffL));
            };
            if (hit) {
                return p.number();
            }
        }
        return null;
    }
}
