package org.splitnve.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.dataplane.DataplaneState.Address;
import org.splitnve.dataplane.DataplaneState.RemoteAddress;
import org.splitnve.dataplane.DataplaneState.RemoteNve;
import org.splitnve.dataplane.DataplaneState.Tsi;
import org.splitnve.dataplane.DataplaneState.TsiState;
import org.splitnve.dataplane.DataplaneState.Vn;
import org.splitnve.dataplane.openflow.Action;
import org.splitnve.dataplane.openflow.Instruction;
import org.splitnve.dataplane.openflow.Octets;
import org.splitnve.dataplane.openflow.Oxm;

/** The pipeline as a pure function of the model: which flows a state yields (the OVS tests prove what they do). */
class PipelineTest {
    private static final long M1 = 0x027700000001L;
    private static final long M3 = 0x027700000003L;

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    private static DataplaneState state(TsiState s1, boolean held) throws Exception {
        return new DataplaneState(2, List.of(new Vn("blue", 5000), new Vn("red", 6000)),
                List.of(new Tsi("vm1", 1, 100, "blue", s1, List.of(new Address(M1, List.of(ip("10.0.0.1")), held)))),
                List.of(new RemoteNve("b", (Inet4Address) ip("192.0.2.2"), List.of("blue"),
                        List.of(new RemoteAddress("blue", M3, List.of())))));
    }

    private static List<Flow> admission(List<Flow> flows, long mac) {
        return flows.stream().filter(f -> f.key().table() == Pipeline.T_ADMIT
                && f.key().match().fields().contains(Oxm.ethSrc(mac))).toList();
    }

    @Test
    @DisplayName("DP-2: only an Activated, not held address is admitted, and only with its IP (IPv4 and ARP source guard)")
    void admissionOnlyWhenActivated() throws Exception {
        assertThat(admission(Pipeline.flows(state(TsiState.ASSOCIATED, false)), M1)).isEmpty();
        assertThat(admission(Pipeline.flows(state(TsiState.ACTIVATED, true)), M1)).isEmpty();
        List<Flow> admit = admission(Pipeline.flows(state(TsiState.ACTIVATED, false)), M1);
        assertThat(admit).isNotEmpty().allSatisfy(f -> {
            assertThat(f.key().match().fields()).contains(Oxm.inPort(1), Oxm.vlanVid(100));
            assertThat(f.instructions()).containsExactly(
                    Instruction.apply(new Action.PopVlan(), new Action.SetField(Oxm.tunnelId(5000))),
                    new Instruction.GotoTable(Pipeline.T_LOCAL));
        });
        assertThat(admit).anySatisfy(f -> assertThat(f.key().match().fields())
                .contains(Oxm.ethType(0x0800), Oxm.ipv4Src(Octets.ofHex("0a000001"))));
        assertThat(admit).anySatisfy(f -> assertThat(f.key().match().fields())
                .contains(Oxm.ethType(0x0806), Oxm.arpSpa(Octets.ofHex("0a000001")), Oxm.arpSha(M1)));
        assertThat(admit).noneSatisfy(f -> assertThat(f.key().match().fields()).doesNotContain(Oxm.ethType(0x0800),
                Oxm.ethType(0x0806), Oxm.ethType(0x8035)));
    }

    @Test
    @DisplayName("DP-2: a known local address that is not Activated is dropped toward it, from both directions")
    void blockedTowardNotActivated() throws Exception {
        List<Flow> flows = Pipeline.flows(state(TsiState.ASSOCIATED, false));
        for (int table : List.of(Pipeline.T_LOCAL, Pipeline.T_REMOTE)) {
            assertThat(flows).anySatisfy(f -> {
                assertThat(f.key().table()).isEqualTo(table);
                assertThat(f.key().match().fields()).contains(Oxm.ethDst(M1));
                assertThat(f.instructions()).isEmpty();
            });
        }
    }

    @Test
    @DisplayName("DP-1, DP-3: unicast to the NVE the NVA names; floods to the NVEs serving the VN only; tunnel ingress only from them")
    void forwarding() throws Exception {
        List<Flow> flows = Pipeline.flows(state(TsiState.ACTIVATED, false));
        Octets vtep = Octets.ofHex("c0000202");
        assertThat(flows).anySatisfy(f -> {
            assertThat(f.key()).isEqualTo(new FlowKey(Pipeline.T_LOCAL, Pipeline.P_UNICAST,
                    org.splitnve.dataplane.openflow.Match.of(Oxm.tunnelId(5000), Oxm.ethDst(M3))));
            assertThat(f.instructions()).containsExactly(Instruction.apply(new Action.SetField(Oxm.tunIpv4Dst(vtep)),
                    new Action.Output(2)));
        });
        // red has no remote NVE and no local TSI: its flood goes nowhere; blue's goes to b and to port 1, tag 100
        assertThat(flows).anySatisfy(f -> {
            assertThat(f.key().match().fields()).containsExactly(Oxm.tunnelId(6000));
            assertThat(f.key().table()).isEqualTo(Pipeline.T_LOCAL);
            assertThat(f.instructions()).isEmpty();
        });
        assertThat(flows).anySatisfy(f -> {
            assertThat(f.key().match().fields()).containsExactly(Oxm.tunnelId(5000));
            assertThat(f.key().table()).isEqualTo(Pipeline.T_LOCAL);
            assertThat(f.instructions()).containsExactly(Instruction.apply(new Action.SetField(Oxm.tunIpv4Dst(vtep)),
                    new Action.Output(2), new Action.PushVlan(0x8100), new Action.SetField(Oxm.vlanVid(100)),
                    new Action.Output(1)));
        });
        List<Flow> fromTunnel = flows.stream().filter(f -> f.key().table() == Pipeline.T_ADMIT
                && f.key().match().fields().contains(Oxm.inPort(2))).toList();
        assertThat(fromTunnel).singleElement().satisfies(f -> assertThat(f.key().match().fields())
                .contains(Oxm.tunnelId(5000), Oxm.tunIpv4Src(vtep)));
    }

    /** vm1 Activated on port 1 (the migration's source) and its instance {@code dest} on port 3 (the destination). */
    private static List<Flow> migrating(TsiState dest) throws Exception {
        List<Address> a = List.of(new Address(M1, List.of(ip("10.0.0.1"))));
        return Pipeline.flows(new DataplaneState(2, List.of(new Vn("blue", 5000)),
                List.of(new Tsi("vm1", 1, 100, "blue", TsiState.ACTIVATED, a), new Tsi("vm1", 3, 100, "blue", dest, a)),
                List.of()));
    }

    @Test
    @DisplayName("DP-5: a migration's destination is programmed blocked (its frames go to the nNVE's controller connection"
            + " and nowhere else) while the source still gets the traffic; unblocked (ARRIVED) it is admitted and frames"
            + " to its MAC go to it, ahead of the source")
    void migrationDestination() throws Exception {
        List<Flow> blocked = migrating(TsiState.ARRIVING);
        List<Flow> fromDest = blocked.stream().filter(f -> f.key().table() == Pipeline.T_ADMIT
                && f.key().match().fields().contains(Oxm.inPort(3))).toList();
        assertThat(fromDest).singleElement().satisfies(f -> {
            assertThat(f.key().match().fields()).containsExactlyInAnyOrder(Oxm.inPort(3), Oxm.vlanVid(100), Oxm.ethSrc(M1));
            assertThat(f.instructions()).containsExactly(Instruction.apply(
                    new Action.Output(Action.PORT_CONTROLLER, Pipeline.CONTROLLER_NO_BUFFER)));
        });
        assertThat(toward(blocked, M1)).as("the highest-priority flow toward vm1 while the destination is blocked")
                .contains(new Action.Output(1)).doesNotContain(new Action.Output(3));

        List<Flow> arrived = migrating(TsiState.ARRIVED);
        assertThat(admission(arrived, M1).stream().filter(f -> f.key().match().fields().contains(Oxm.inPort(3))))
                .isNotEmpty().allSatisfy(f -> assertThat(f.instructions()).contains(new Instruction.GotoTable(Pipeline.T_LOCAL)));
        assertThat(toward(arrived, M1)).as("the highest-priority flow toward vm1 once the destination is unblocked")
                .contains(new Action.Output(3)).doesNotContain(new Action.Output(1));
    }

    /** The actions of the highest-priority unicast flow of table 10 toward {@code mac}. */
    private static List<Action> toward(List<Flow> flows, long mac) {
        Flow best = flows.stream().filter(f -> f.key().table() == Pipeline.T_LOCAL
                && f.key().match().fields().contains(Oxm.ethDst(mac)))
                .max(java.util.Comparator.comparingInt(f -> f.key().priority())).orElseThrow();
        return best.instructions().isEmpty() ? List.of()
                : ((Instruction.ApplyActions) best.instructions().getFirst()).actions();
    }

    @Test
    @DisplayName("DP-7, REQ-2: an IPv6 solicitation for a known address (local or remote) gets the two-stage responder,"
            + " except on the port the address's own TSI is behind (it answers itself there; the nNVE's answer would teach"
            + " a bridge behind that port the owner's MAC on the nNVE's link); one from the unspecified address"
            + " (duplicate address detection) floods as before; a not Activated address none")
    void ndResponder() throws Exception {
        Octets fd1 = Octets.of(ip("fd00::1").getAddress());
        Octets fd2 = Octets.of(ip("fd00::2").getAddress());
        Octets fd3 = Octets.of(ip("fd00::3").getAddress());
        Octets fd4 = Octets.of(ip("fd00::4").getAddress());
        long m2 = 0x027700000002L;
        List<Flow> flows = Pipeline.flows(new DataplaneState(2, List.of(new Vn("blue", 5000)),
                List.of(new Tsi("vm1", 1, 100, "blue", TsiState.ACTIVATED, List.of(new Address(M1, List.of(ip("fd00::1"))))),
                        new Tsi("vm2", 3, 100, "blue", TsiState.ACTIVATED, List.of(new Address(m2, List.of(ip("fd00::2"))))),
                        new Tsi("vm4", 1, 101, "blue", TsiState.ASSOCIATED,
                                List.of(new Address(0x027700000004L, List.of(ip("fd00::4")))))),
                List.of(new RemoteNve("b", (Inet4Address) ip("192.0.2.2"), List.of("blue"),
                        List.of(new RemoteAddress("blue", M3, List.of(ip("fd00::3"))))))));
        // asked on port 3 (vm2's): vm1's and the remote's addresses; on port 1 (vm1's): vm2's and the remote's
        for (Object[] c : List.of(new Object[] {fd1, M1, 3}, new Object[] {fd3, M3, 3}, new Object[] {fd2, m2, 1},
                new Object[] {fd3, M3, 1})) {
            Octets target = (Octets) c[0];
            long mac = (Long) c[1];
            int port = (Integer) c[2];
            Flow first = flows.stream().filter(f -> f.key().table() == Pipeline.T_LOCAL
                    && f.key().match().fields().contains(Oxm.ndTarget(target))
                    && f.key().match().fields().contains(Oxm.inPort(port))).collect(onlyOne());
            assertThat(first.key().priority()).isEqualTo(Pipeline.P_RESPONDER);
            assertThat(first.key().match().fields()).contains(Oxm.inPort(port), Oxm.tunnelId(5000), Oxm.icmpv6Type(135));
            assertThat(first.instructions()).contains(new Instruction.GotoTable(Pipeline.T_ND));
            assertThat(((Instruction.ApplyActions) first.instructions().getFirst()).actions()).contains(
                    new Action.SetField(Oxm.ethSrc(mac)), new Action.SetField(Oxm.ipv6Src(target)),
                    new Action.SetField(Oxm.icmpv6Type(136)), new Action.SetField(Oxm.ndReserved(0x60000000)),
                    new Action.SetField(Oxm.ndOptionsType(2)));
            Flow second = flows.stream().filter(f -> f.key().table() == Pipeline.T_ND
                    && f.key().match().fields().contains(Oxm.ndTarget(target))
                    && f.key().match().fields().contains(Oxm.inPort(port))).collect(onlyOne());
            assertThat(second.key().match().fields()).contains(Oxm.icmpv6Type(136));
            assertThat(second.instructions()).containsExactly(Instruction.apply(new Action.SetField(Oxm.ndTll(mac)),
                    new Action.PushVlan(0x8100), new Action.SetField(Oxm.vlanVid(100)),
                    new Action.Output(Action.PORT_IN_PORT)));
        }
        assertThat(flows).noneSatisfy(f -> assertThat(f.key().match().fields()).contains(Oxm.ndTarget(fd4)));
        for (Object[] own : List.of(new Object[] {fd1, 1}, new Object[] {fd2, 3})) {
            assertThat(flows).as("a responder for %s on its own TSI's port %s", own[0], own[1]).noneSatisfy(f ->
                    assertThat(f.key().match().fields()).contains(Oxm.ndTarget((Octets) own[0]), Oxm.inPort((Integer) own[1])));
        }
        Flow flood = flows.stream().filter(f -> f.key().table() == Pipeline.T_LOCAL && f.key().priority() == Pipeline.P_FLOOD)
                .collect(onlyOne());
        Flow dad = flows.stream().filter(f -> f.key().table() == Pipeline.T_LOCAL && f.key().priority() == Pipeline.P_DAD)
                .collect(onlyOne());
        assertThat(dad.key().priority()).isGreaterThan(Pipeline.P_RESPONDER);
        assertThat(dad.key().match().fields()).contains(Oxm.ipv6Src(Octets.of(new byte[16])), Oxm.icmpv6Type(135));
        assertThat(dad.instructions()).isEqualTo(flood.instructions()).isNotEmpty();
    }

    private static java.util.stream.Collector<Flow, ?, Flow> onlyOne() {
        return java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(), l -> {
            assertThat(l).hasSize(1);
            return l.getFirst();
        });
    }

    @Test
    @DisplayName("the flows' keys are unique and the function is deterministic")
    void uniqueAndPure() throws Exception {
        DataplaneState s = state(TsiState.ACTIVATED, false);
        List<Flow> flows = Pipeline.flows(s);
        Set<FlowKey> keys = new HashSet<>();
        for (Flow f : flows) {
            assertThat(keys.add(f.key())).as("duplicate " + f.key()).isTrue();
        }
        assertThat(Pipeline.flows(s)).isEqualTo(flows);
    }
}
