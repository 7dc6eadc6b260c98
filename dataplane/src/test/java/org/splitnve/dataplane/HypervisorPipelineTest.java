package org.splitnve.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.dataplane.HypervisorState.Attachment;
import org.splitnve.dataplane.HypervisorState.PortRef;
import org.splitnve.dataplane.openflow.Action;
import org.splitnve.dataplane.openflow.Instruction;
import org.splitnve.dataplane.openflow.Match;
import org.splitnve.dataplane.openflow.OfMessage.Port;
import org.splitnve.dataplane.openflow.Octets;
import org.splitnve.dataplane.openflow.Oxm;

/**
 * The hypervisor's pipeline as a pure function of the tNVE's model and the switch's ports: which flows a state yields
 * (HypervisorDataplaneNetnsTest in launcher proves what they do with packets, DP-4).
 */
class HypervisorPipelineTest {
    private static final long M1 = 0x5254000a0001L;
    private static final long M2 = 0x5254000a0002L;
    private static final PortRef TRUNK = new PortRef.Named("up0");
    private static final List<Port> PORTS = List.of(
            new Port(0xfffffffe, 0x026e65740099L, "br-hv", 0, 0, Octets.EMPTY),
            new Port(5, 0x026e65740001L, "up0", 0, 0, Octets.EMPTY),
            new Port(1, 0xfe54000a0001L, "vnet0", 0, 0, Octets.EMPTY),
            new Port(2, 0x5254000a0002L, "vp2", 0, 0, Octets.EMPTY));

    private static Attachment vm1(boolean passes) {
        return new Attachment("t1", new PortRef.Named("vnet0"), M1, TRUNK, 100, passes);
    }

    private static Attachment vm2(boolean passes) {
        return new Attachment("t2", new PortRef.ByMac(M2), M2, TRUNK, 100, passes);
    }

    @Test
    @DisplayName("DP-4: a TSI that does not pass (Associated, paused, suspended) has no flow: the secure bridge drops"
            + " its frames both ways")
    void nothingUnlessItPasses() {
        HypervisorPipeline.Plan p = HypervisorPipeline.flows(new HypervisorState(List.of(vm1(false), vm2(false))), PORTS);
        assertThat(p.flows()).containsExactly(new Flow(0, HypervisorPipeline.P_DROP, Match.ALL, List.of(), "default: drop"));
        assertThat(p.missing()).isEmpty();
    }

    @Test
    @DisplayName("DP-4: a passing TSI's frames leave on the trunk tagged with its local tag; the trunk's frames with that"
            + " tag reach it untagged; its port is found by name, and by MAC (libvirt's fe:... tap MAC or its own)")
    void tagsAndUntags() {
        HypervisorPipeline.Plan p = HypervisorPipeline.flows(new HypervisorState(List.of(vm1(true))), PORTS);
        assertThat(p.flows()).contains(
                new Flow(0, HypervisorPipeline.P_FLOOD, Match.of(Oxm.inPort(1), Oxm.vlanNone()), List.of(Instruction.apply(
                        new Action.PushVlan(0x8100), new Action.SetField(Oxm.vlanVid(100)), new Action.Output(5))),
                        "TSI t1: to the nNVE with local tag 100"),
                new Flow(0, HypervisorPipeline.P_UNICAST, Match.of(Oxm.inPort(5), Oxm.vlanVid(100), Oxm.ethDst(M1)),
                        List.of(Instruction.apply(new Action.PopVlan(), new Action.Output(1))),
                        "TSI t1: from the nNVE with local tag 100"),
                new Flow(0, HypervisorPipeline.P_FLOOD, Match.of(Oxm.inPort(5), Oxm.vlanVid(100)),
                        List.of(Instruction.apply(new Action.PopVlan(), new Action.Output(1))),
                        "local tag 100: broadcast, multicast, unknown unicast to its 1 TSI ports"));
        assertThat(p.flows()).hasSize(4);
        assertThat(HypervisorPipeline.find(new PortRef.ByMac(M1), PORTS)).as("libvirt's tap MAC fe:54:...").isEqualTo(1);
        assertThat(HypervisorPipeline.find(new PortRef.ByMac(M2), PORTS)).as("the TSI's own MAC").isEqualTo(2);
        assertThat(HypervisorPipeline.find(new PortRef.Named("br-hv"), PORTS)).as("the bridge's LOCAL port").isNull();
    }

    @Test
    @DisplayName("DP-4: two passing TSIs of one local tag behind one trunk reach each other on this switch (the nNVE"
            + " cannot send a frame back out of its ingress trunk); a tag change moves both directions to the new tag")
    void localDeliveryAndTagChange() {
        HypervisorPipeline.Plan p = HypervisorPipeline.flows(new HypervisorState(List.of(vm1(true), vm2(true))), PORTS);
        assertThat(p.flows()).contains(new Flow(0, HypervisorPipeline.P_UNICAST,
                Match.of(Oxm.inPort(1), Oxm.vlanNone(), Oxm.ethDst(M2)), List.of(Instruction.apply(new Action.Output(2))),
                "TSI t1 to TSI t2 on this switch"));
        assertThat(p.flows()).contains(new Flow(0, HypervisorPipeline.P_FLOOD, Match.of(Oxm.inPort(2), Oxm.vlanNone()),
                List.of(Instruction.apply(new Action.Output(1), new Action.PushVlan(0x8100),
                        new Action.SetField(Oxm.vlanVid(100)), new Action.Output(5))),
                "TSI t2: to the nNVE with local tag 100"));
        Attachment moved = new Attachment("t1", new PortRef.Named("vnet0"), M1, TRUNK, 200, true);
        List<Flow> after = HypervisorPipeline.flows(new HypervisorState(List.of(moved)), PORTS).flows();
        Action.SetField tag100 = new Action.SetField(Oxm.vlanVid(100));
        assertThat(after).noneMatch(f -> f.key().match().fields().contains(Oxm.vlanVid(100))
                || f.instructions().stream().anyMatch(i -> i instanceof Instruction.ApplyActions a && a.actions().contains(tag100)));
        assertThat(after).anyMatch(f -> f.key().match().fields().contains(Oxm.vlanVid(200)));
        assertThat(after).anyMatch(f -> f.instructions().stream().anyMatch(i -> i instanceof Instruction.ApplyActions a
                && a.actions().contains(new Action.SetField(Oxm.vlanVid(200)))));
    }

    @Test
    @DisplayName("a TSI whose port the switch does not have (yet) gets nothing, and the plan says which port is missing")
    void missingPort() {
        Attachment gone = new Attachment("t3", new PortRef.Named("vnet9"), 0x5254000a0003L, TRUNK, 100, true);
        HypervisorPipeline.Plan p = HypervisorPipeline.flows(new HypervisorState(List.of(gone)), PORTS);
        assertThat(p.flows()).hasSize(1);
        assertThat(p.missing()).containsExactly("TSI t3: vnet9");
    }
}
