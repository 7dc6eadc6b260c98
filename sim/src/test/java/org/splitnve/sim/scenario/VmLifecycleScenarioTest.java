package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.Effect.AclState;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.Vap;
import org.splitnve.nnve.VnKey;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * The VM lifecycle of RFC 8394 section 2 beyond LifecycleScenarioTest: pause then suspend, a creation that
 * fails half-way or is never answered, libvirt's meaning of shutdown and delete, and a VM brought back after
 * the nNVE's own de-associate or deactivate (OPS-2).
 */
@ExtendWith(PcapOnFailure.class)
class VmLifecycleScenarioTest {
    private static final VnKey BLUE = new VnKey.Id(5000);

    private record Net(SplitNveNet net, NnveNode n1, TnveNode h1) {
    }

    private static Net net(double loss) {
        SplitNveNet net = SplitNveNet.capturing(33, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        net.runFor(SECOND / 10);
        return new Net(net, n1, h1);
    }

    private static TsiAddress v4(int a, int b, int c, int d) {
        try {
            return TsiAddress.host(java.net.InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The ACL state the data plane holds for an instance: the last ACL effect's. */
    private static AclState acl(NnveNode n, VsiId tsi) {
        List<Effect.Acl> l = n.effects(Effect.Acl.class).stream().filter(a -> a.instance().tsi().equals(tsi))
                .toList();
        return l.isEmpty() ? null : l.getLast().state();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("LC-PAUSE, LC-SUSPEND, LC-TERMINATE, SM-TSI-4, OPS-2: pause changes nothing, suspend from paused "
            + "deactivates, the nNVE keeps the suspended VM for minutes, resume activates, power-off of a paused VM "
            + "de-associates and keeps it defined, shut down (ACLs as the effects the nNVE emits: no data plane "
            + "applies them yet, no packet is checked)")
    void pauseThenSuspend(double loss) {
        Net x = net(loss);
        SplitNveNet net = x.net;
        NnveNode n1 = x.n1;
        TnveNode h1 = x.h1;
        TsiSpec t = tsi(1, 5000);
        TnveEngine h = h1.engine();

        net.ok(h.create("vm", List.of(t)));
        net.ok(h.start("vm"));
        int effects = n1.effects().size();
        int requests = Frames.vsiSentBy(net.sim, h1.host(), t.id(), false).size();

        net.ok(h.pause("vm"));                                                     // LC-PAUSE
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.PAUSED);
        net.runFor(2 * SECOND);
        assertThat(n1.state(t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.effects()).hasSize(effects);
        assertThat(Frames.vsiSentBy(net.sim, h1.host(), t.id(), false)).hasSize(requests); // nothing signalled

        net.ok(h.suspend("vm"));                                                   // LC-SUSPEND from PAUSED
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.SUSPENDED);
        assertThat(n1.state(t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ASSOCIATED);
        assertThat(h.tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.ASSOCIATED);
        assertThat(acl(n1, t.id())).isEqualTo(AclState.DISABLED);

        // the nNVE does not de-associate a suspended VM: its keep-alives keep it for minutes
        net.runFor(3 * 60 * SECOND);
        assertThat(n1.state(t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ASSOCIATED);
        assertThat(h1.reported()).noneMatch(ev -> ev instanceof TnveEvent.NnveInitiated);
        assertThat(n1.engine().vap(0, BLUE).state()).isEqualTo(Vap.State.VN_CONNECTED);

        net.ok(h.resume("vm"));                                                    // resume: Activated again
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.RUNNING);
        assertThat(n1.state(t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ACTIVATED);

        net.ok(h.pause("vm"));
        net.ok(h.shutdown("vm"));                                                  // LC-TERMINATE of a paused VM
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.SHUTDOWN);            // OPS-2: kept
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(net.nva.bindings(t.id())).isEmpty();
        assertThat(n1.path(t.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED",
                "ACTIVATED>ASSOCIATED", "ASSOCIATED>ACTIVATED", "ACTIVATED>INIT");
        assertThat(h1.reported()).filteredOn(ev -> ev instanceof TnveEvent.VmStateChanged).extracting(ev -> ((TnveEvent.VmStateChanged) ev).to())
                .containsExactly("PREPARING", "SHUTDOWN", "RUNNING", "PAUSED", "SUSPENDED", "RUNNING", "PAUSED", "SHUTDOWN");
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("LC-CREATE, SM-REASON, OPS-2: a VM whose second TSI cannot be associated is not created: the first "
            + "TSI's association is undone at the nNVE and the NVA, nothing is left of the VM, and it can be created "
            + "again")
    void failedCreateIsUndone(double loss) {
        Net x = net(loss);
        SplitNveNet net = x.net;
        NnveNode n1 = x.n1;
        TnveEngine h = x.h1.engine();
        TsiSpec good = tsi(1, 5000);
        TsiSpec bad = tsi(2, 7777);                          // VN 7777 is not registered at the NVA

        OpResult r = net.await(h.create("vm", List.of(good, bad)));
        assertThat(r.ok()).isFalse();
        assertThat(r.code()).isEqualTo(4);
        assertThat(r.detail()).contains("7777");
        assertThat(h.vmNamed("vm")).as("nothing is left of the refused VM").isNull();
        assertThat(h.vms()).isEmpty();
        assertThat(n1.path(good.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>INIT");
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(n1.engine().vaps()).isEmpty();
        assertThat(net.nva.entries(5000)).isEmpty();
        assertThat(h.tsiState("nnve", good.id())).isEqualTo(TnveEngine.TsiState.INIT);
        assertThatThrownBy(() -> h.start("vm")).isInstanceOf(IllegalArgumentException.class);
        assertThat(x.h1.reported()).filteredOn(e -> e instanceof TnveEvent.VmStateChanged)
                .noneMatch(e -> ((TnveEvent.VmStateChanged) e).to().equals(VmState.RUNNING.name()));
        assertThat(n1.transitions(good.id())).noneMatch(t -> t.to() == TsiState.ACTIVATED);
        assertThat(n1.engine().tsisIn(TsiState.ACTIVATED)).isZero();

        // the same VM, its second NIC on a VN that exists: created, then it runs
        TsiSpec fixed = tsi(2, 5001);
        net.vn(5001, "red", 5001);
        net.ok(h.create("vm", List.of(good, fixed)));
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.SHUTDOWN);
        net.ok(h.start("vm"));
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.RUNNING);
        assertThat(n1.engine().tsisIn(TsiState.ACTIVATED)).isEqualTo(2);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("LC-CREATE, OPS-2: a create the nNVE never answers (the cable is cut) leaves nothing behind either: "
            + "once the cable is back, the same VM is created")
    void unansweredCreateLeavesNothing(double loss) {
        SplitNveNet net = new SplitNveNet(34, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        org.splitnve.sim.Link cable = net.link(h1.host(), 0, n1.host(), 0);
        net.runFor(SECOND / 10);
        TnveEngine h = h1.engine();
        TsiSpec t = tsi(1, 5000);

        cable.cut();
        OpResult r = net.await(h.create("vm", List.of(t)));
        assertThat(r.ok()).isFalse();
        assertThat(r.code()).as("no answer").isEqualTo(-1);
        assertThat(h.vmNamed("vm")).isNull();
        assertThat(h.vms()).isEmpty();

        cable.restore();
        net.runFor(30 * SECOND);                          // the uplink is heard again
        net.ok(h.create("vm", List.of(t)));
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.SHUTDOWN);
        assertThat(n1.state(t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ASSOCIATED);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("OPS-2, LC-CREATE, LC-TERMINATE, SM-TSI-5: libvirt's meaning: shutdown de-associates and keeps the VM, "
            + "shut off; start associates it again (a new tag) and activates it; delete is refused while it runs and "
            + "forgets it once shut down, sending nothing more; delete de-associates a VM created and never started")
    void shutdownKeepsDeleteForgets(double loss) {
        Net x = net(loss);
        SplitNveNet net = x.net;
        NnveNode n1 = x.n1;
        TnveEngine h = x.h1.engine();
        TsiSpec t = tsi(1, 5000);
        net.ok(h.create("vm", List.of(t)));
        net.ok(h.start("vm"));
        int tag = h.localTag("nnve", t.id());
        assertThat(tag).isPositive();

        net.ok(h.shutdown("vm"));
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.SHUTDOWN);
        assertThat(h.vmNamed("vm").tsis()).containsExactly(t);
        assertThat(h.tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.INIT);
        assertThat(h.localTag("nnve", t.id())).as("a TSI at INIT shows no tag").isZero();
        assertThat(h.associated("vm")).isFalse();
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(n1.engine().vaps()).isEmpty();
        assertThat(net.nva.bindings(t.id())).isEmpty();
        assertThat(n1.path(t.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED",
                "ACTIVATED>INIT");

        // shutting down a VM that is shut down sends nothing
        long sent = Frames.vsiSentBy(net.sim, x.h1.host(), t.id(), false).size();
        net.ok(h.shutdown("vm"));
        assertThat(Frames.vsiSentBy(net.sim, x.h1.host(), t.id(), false)).hasSize((int) sent);

        // start: associated first (LC-CREATE), then activated
        net.ok(h.start("vm"));
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.RUNNING);
        assertThat(n1.state(t.id(), 0, x.h1.mac(0))).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.path(t.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED",
                "ACTIVATED>INIT", "INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED");
        assertThat(h.localTag("nnve", t.id())).isEqualTo(n1.engine().vap(0, BLUE).tag()).isPositive();
        assertThat(net.nva.bindings(t.id())).isNotEmpty();

        OpResult running = net.await(h.delete("vm"));
        assertThat(running.ok()).isFalse();
        assertThat(running.detail()).contains("RUNNING").contains("shut it down first");
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.RUNNING);

        net.ok(h.shutdown("vm"));
        sent = Frames.vsiSentBy(net.sim, x.h1.host(), t.id(), false).size();
        net.ok(h.delete("vm"));
        assertThat(h.vmNamed("vm")).isNull();
        assertThat(h.vms()).isEmpty();
        assertThat(Frames.vsiSentBy(net.sim, x.h1.host(), t.id(), false)).as("nothing left to de-associate")
                .hasSize((int) sent);
        assertThat(x.h1.reported()).filteredOn(e -> e instanceof TnveEvent.VmStateChanged)
                .extracting(e -> ((TnveEvent.VmStateChanged) e).to()).containsExactly("PREPARING", "SHUTDOWN",
                        "RUNNING", "SHUTDOWN", "RUNNING", "SHUTDOWN", "DESTROYED");

        // created, never started, deleted: its TSI is de-associated
        net.ok(h.create("vm", List.of(t)));
        assertThat(n1.state(t.id(), 0, x.h1.mac(0))).isEqualTo(TsiState.ASSOCIATED);
        net.ok(h.delete("vm"));
        assertThat(h.vmNamed("vm")).isNull();
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(net.nva.bindings(t.id())).isEmpty();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("OPS-2, REQ-9, REQ-7: a running VM the nNVE de-associated keeps running with its TSI at INIT and no "
            + "tag (the released tag now serves another VN); reconnect associates and activates it again with a new "
            + "tag; a VM the nNVE deactivated, one address or all, is activated again the same way; a VM in sync "
            + "sends nothing")
    void reconnectAfterTheNnvesInitiative(double loss) {
        Net x = net(loss);
        SplitNveNet net = x.net;
        NnveNode n1 = x.n1;
        TnveEngine h = x.h1.engine();
        net.vn(5001, "red", 5001);
        TsiSpec t = tsi(1, 5000, v4(10, 0, 0, 1), v4(10, 0, 0, 2));
        net.ok(h.create("vm", List.of(t)));
        net.ok(h.start("vm"));
        int tag = h.localTag("nnve", t.id());
        assertThat(tag).isPositive();

        // in sync: nothing to do
        long sent = Frames.vsiSentBy(net.sim, x.h1.host(), t.id(), false).size();
        net.ok(h.reconnect("vm"));
        assertThat(Frames.vsiSentBy(net.sim, x.h1.host(), t.id(), false)).hasSize((int) sent);

        // the nNVE de-associates: VN 5000 has no TSI left there, its tag goes to VN 5001
        assertThat(n1.engine().deassociate(t.id(), "administrator")).isEqualTo(1);
        net.runFor(SECOND);
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.RUNNING);
        assertThat(h.tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.INIT);
        assertThat(h.localTag("nnve", t.id())).as("a TSI at INIT shows no tag").isZero();
        TsiSpec other = tsi(2, 5001);
        net.ok(h.create("other", List.of(other)));
        assertThat(h.localTag("nnve", other.id())).as("VN 5001 has the tag VN 5000 had").isEqualTo(tag);
        assertThat(net.await(h.start("vm")).ok()).as("start: the VM runs already").isFalse();

        net.ok(h.reconnect("vm"));
        assertThat(h.tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(n1.state(t.id(), 0, x.h1.mac(0))).isEqualTo(TsiState.ACTIVATED);
        assertThat(h.localTag("nnve", t.id())).as("a new tag for VN 5000").isNotEqualTo(tag)
                .isEqualTo(n1.engine().vap(0, BLUE).tag()).isPositive();
        assertThat(n1.instance(t.id(), 0, x.h1.mac(0)).addresses()).containsAll(t.ips());
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.RUNNING);

        // deactivated (all addresses): reconnect activates it again
        assertThat(n1.engine().deactivate(t.id(), "administrator")).isEqualTo(1);
        net.runFor(SECOND);
        assertThat(h.tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.ASSOCIATED);
        net.ok(h.reconnect("vm"));
        assertThat(n1.state(t.id(), 0, x.h1.mac(0))).isEqualTo(TsiState.ACTIVATED);
        assertThat(h.tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);

        // one address deactivated: reconnect activates it again
        assertThat(n1.engine().deactivate(t.id(), List.of(t.ips().getFirst()), "administrator")).isEqualTo(1);
        net.runFor(SECOND);
        assertThat(h.inactiveAddresses("nnve", t.id())).containsExactly(t.ips().getFirst());
        net.ok(h.reconnect("vm"));
        assertThat(h.inactiveAddresses("nnve", t.id())).isEmpty();
        assertThat(n1.instance(t.id(), 0, x.h1.mac(0)).held()).isEmpty();

        // a shut-down VM is brought back by start, not reconnect
        net.ok(h.shutdown("other"));
        OpResult r = net.await(h.reconnect("other"));
        assertThat(r.ok()).isFalse();
        assertThat(r.detail()).contains("SHUTDOWN").contains("start");
    }
}
