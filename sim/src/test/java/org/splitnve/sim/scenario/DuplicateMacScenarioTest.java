package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.TsiBinding;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * OPS-6: one MAC, one TSI per VN on an nNVE. A second TSI claiming a MAC that another TSI of the VN holds (from
 * the same or another end device, on any port) is refused with reason code 5 and a reason detail, and the
 * holder is not disturbed; the same TSI moving (SM-TSI-7) keeps its MAC; a MAC let go is free again.
 */
@ExtendWith(PcapOnFailure.class)
class DuplicateMacScenarioTest {
    private static final int INVALID_MAC = ReasonCode.INVALID_VID_GROUP_OR_MAC.value();

    /** A TSI of its own ID ({@code n}) that uses the MAC of {@code owner}. */
    private static TsiSpec sameMac(int n, long vn, TsiSpec owner) {
        return TsiSpec.of(tsi(n, vn).id(), vn, owner.mac(), List.of());
    }

    /** The refused responses the nNVE put on the wire for one TSI: reason code and detail. */
    private static List<VsiTlv> refusedOnWire(SplitNveNet net, NnveNode n, TsiSpec t) {
        return Frames.vsiSentBy(net.sim, n.host(), t.id(), true).stream()
                .filter(v -> v.status() instanceof VsiStatus.Response r && !r.isSuccess()).toList();
    }

    private static void assertDuplicateRefusal(SplitNveNet net, NnveNode n, OpResult r, TsiSpec claimant, TsiSpec holder) {
        String detail = "MAC " + holder.mac() + " is an address of TSI " + holder.id() + " in vn-id:" + claimant.vnId();
        assertThat(r.ok()).as("%s", r).isFalse();
        assertThat(r.code()).isEqualTo(INVALID_MAC);
        assertThat(r.detail()).contains(detail);
        assertThat(n.events().of(NnveEvent.Refused.class)).anySatisfy(e -> {
            assertThat(e.tsi()).isEqualTo(claimant.id().toString());
            assertThat(e.code()).isEqualTo(INVALID_MAC);
            assertThat(e.detail()).contains(detail);
        });
        assertThat(refusedOnWire(net, n, claimant)).isNotEmpty().allSatisfy(v -> {
            assertThat(((VsiStatus.Response) v.status()).code().value()).isEqualTo(INVALID_MAC);
            assertThat(v.attached(ReasonDetailTlv.class)).isNotNull()
                    .satisfies(d -> assertThat(d.detail()).isEqualTo(NnveEngine.DETAIL_DUPLICATE_MAC));
        });
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("OPS-6, SM-REASON, SEC-4, LC-CREATE: a second TSI with a MAC another TSI of the VN holds (another "
            + "hypervisor on another port, or the same hypervisor) is refused with reason code 5 and a reason detail "
            + "naming the holder; the VM stays shut down; the holder keeps its state, addresses and NVA entries; the "
            + "same MAC in another VN is accepted")
    void secondTsiRefused(double loss) throws Exception {
        SplitNveNet net = SplitNveNet.capturing(61, loss);
        net.vn(5000, "blue", 5000);
        net.vn(5001, "red", 5001);
        NnveNode n1 = net.nnve("n1", 2);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        TnveNode h2 = net.tnveOn(n1, 1, "h2");
        net.runFor(SECOND / 10);
        TsiSpec holder = tsi(1, 5000, TsiAddress.host(InetAddress.getByName("10.0.0.1")));
        net.createAndStart(h1, "a", holder);
        String before = n1.engine().instances(holder.id()).getFirst().addresses().toString();
        List<TsiBinding> bindings = net.nva.bindings(holder.id());
        int transitions = n1.transitions(holder.id()).size();

        // another hypervisor, another port: refused, the VM cannot run (LC-CREATE)
        TsiSpec other = sameMac(2, 5000, holder);
        OpResult r = net.await(h2.engine().create("b", List.of(other)));
        assertDuplicateRefusal(net, n1, r, other, holder);
        assertThat(h2.engine().vmNamed("b")).as("a refused create leaves nothing (OPS-2)").isNull();
        assertThat(n1.engine().instances(other.id())).isEmpty();

        // the same hypervisor (what the incident did: two VMs, one MAC): refused the same way
        TsiSpec twin = sameMac(3, 5000, holder);
        assertDuplicateRefusal(net, n1, net.await(h1.engine().create("c", List.of(twin))), twin, holder);
        assertThat(n1.engine().instances(twin.id())).isEmpty();

        // the holder is untouched: one instance, ACTIVATED, same addresses, same NVA entries, no transition
        assertThat(n1.engine().instances(holder.id())).singleElement().satisfies(t -> {
            assertThat(t.state()).isEqualTo(TsiState.ACTIVATED);
            assertThat(t.addresses().toString()).isEqualTo(before);
        });
        assertThat(net.nva.bindings(holder.id())).isEqualTo(bindings);
        assertThat(n1.transitions(holder.id())).hasSize(transitions);

        // the same MAC in another VN is another address: accepted
        TsiSpec elsewhere = sameMac(4, 5001, holder);
        net.ok(h2.engine().create("d", List.of(elsewhere)));
        assertThat(n1.state(elsewhere)).isEqualTo(TsiState.ASSOCIATED);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("OPS-6, REQ-10, SM-TSI-6, SM-REASON: an address change adding a MAC another TSI of the VN holds is "
            + "refused with reason code 5; both TSIs keep their state and addresses")
    void addressChangeRefused(double loss) throws Exception {
        SplitNveNet net = SplitNveNet.capturing(62, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 2);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        TnveNode h2 = net.tnveOn(n1, 1, "h2");
        net.runFor(SECOND / 10);
        TsiSpec holder = tsi(1, 5000);
        TsiSpec other = tsi(2, 5000, TsiAddress.host(InetAddress.getByName("10.0.0.2")));
        net.createAndStart(h1, "a", holder);
        net.createAndStart(h2, "b", other);
        List<TsiAddress> otherBefore = n1.engine().instances(other.id()).getFirst().addresses();

        OpResult r = net.await(h2.engine().updateAddresses("b", other.id(), TsiAddressTlv.Operation.ADD,
                List.of(TsiAddress.mac(holder.mac()))));
        assertDuplicateRefusal(net, n1, r, other, holder);
        assertThat(n1.engine().instances(other.id())).singleElement().satisfies(t -> {
            assertThat(t.state()).isEqualTo(TsiState.ACTIVATED);
            assertThat(t.addresses()).isEqualTo(otherBefore);
        });
        assertThat(n1.engine().instances(holder.id())).singleElement()
                .satisfies(t -> assertThat(t.state()).isEqualTo(TsiState.ACTIVATED));
        // the tNVE reports what the nNVE holds (OPS-1): the refused change is undone there too
        assertThat(h2.engine().vmNamed("b").tsis().getFirst().ips()).containsExactlyElementsOf(other.ips());
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("OPS-6, SM-TSI-7, LC-MIGRATE: the same TSI moving to another port of the nNVE keeps its MAC (two "
            + "instances, one TSI); once the TSI is gone everywhere, its MAC is free for another TSI")
    void sameTsiMovingKeepsItsMac(double loss) throws Exception {
        SplitNveNet net = SplitNveNet.capturing(63, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 2);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        TnveNode h2 = net.tnveOn(n1, 1, "h2");
        net.runFor(SECOND / 10);
        TsiSpec t = tsi(1, 5000);
        UUID migration = UUID.fromString("6d0c9a1e-0f61-4a52-9d0b-6f1a2b3c4d01");
        net.createAndStart(h1, "vm", t);

        net.ok(h2.engine().migratePrepare("vm", List.of(t), migration));
        net.ok(h1.engine().migrateStart("vm", migration));
        net.ok(h2.engine().migrateActivate("vm"));
        assertThat(n1.engine().instances(t.id())).hasSize(2)
                .allSatisfy(x -> assertThat(x.addresses()).contains(TsiAddress.mac(t.mac())));
        // while both instances exist the MAC is the moving TSI's: another TSI is still refused
        TsiSpec intruder = sameMac(2, 5000, t);
        assertDuplicateRefusal(net, n1, net.await(h1.engine().create("x", List.of(intruder))), intruder, t);
        net.ok(h1.engine().migrateDepart("vm", migration));
        net.ok(h1.engine().migrateFinish("vm"));
        assertThat(n1.engine().instances(t.id())).singleElement().satisfies(x -> {
            assertThat(x.port()).isEqualTo(1);
            assertThat(x.state()).isEqualTo(TsiState.ACTIVATED);
        });
        // one instance left: still held
        TsiSpec again = sameMac(3, 5000, t);
        assertDuplicateRefusal(net, n1, net.await(h1.engine().create("y", List.of(again))), again, t);

        // the TSI goes: its MAC is free
        net.ok(h2.engine().shutdown("vm"));
        assertThat(n1.engine().instances(t.id())).isEmpty();
        TsiSpec next = sameMac(4, 5000, t);
        net.ok(h1.engine().create("z", List.of(next)));
        assertThat(n1.state(next)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(MacAddress.parse("52:54:00:00:00:01")).isEqualTo(next.mac());
    }
}
