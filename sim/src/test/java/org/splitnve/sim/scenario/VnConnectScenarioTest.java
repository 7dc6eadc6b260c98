package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.Vap;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.LocalTag;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VnId;
import org.splitnve.wire.vdp.VsiStatus;

/** VN connect and disconnect (RFC 8394 REQ-5, REQ-6; SM-VAP-1..3): explicit, implicit, and by the nNVE. */
@ExtendWith(PcapOnFailure.class)
class VnConnectScenarioTest {

    private static List<VnConnectTlv> vnItems(SplitNveNet net, org.splitnve.sim.Node from) {
        return Frames.decodedFrom(net.sim, from).stream().filter(Frames.Decoded::request)
                .flatMap(v -> v.items().stream()).filter(i -> i instanceof VnConnectTlv c && c.status() instanceof VsiStatus.Request)
                .map(i -> (VnConnectTlv) i).toList();
    }

    private static List<NnveEvent.VapState> vapEvents(NnveNode n) {
        return n.events().of(NnveEvent.VapState.class);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-5, REQ-7, SM-VAP-1, SM-VAP-2: the end device connects a VN explicitly (before any TSI), gets "
            + "its tag, the NVA learns the tag; TSIs of the VN use it; the VN stays until the end device disconnects it")
    void explicitConnect(double loss) {
        SplitNveNet net = SplitNveNet.capturing(41, loss);
        net.vn(5000, "blue", 5000);
        net.vn(5001, "green", 5001);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        net.runFor(SECOND / 10);

        net.ok(h1.engine().connectVn(5000, List.of(0)));
        net.ok(h1.engine().connectVn(5001, List.of(300)));          // asks for a tag of its own
        Vap blue = n1.engine().vap(0, new VnKey.Id(5000));
        assertThat(blue.state()).isEqualTo(Vap.State.VN_CONNECTED);
        assertThat(blue.tsiAssociated()).isZero();
        int tag = blue.tag();
        assertThat(h1.engine().vnTags("nnve", 5000)).containsExactly(tag);
        assertThat(h1.engine().vnTags("nnve", 5001)).containsExactly(300);
        assertThat(net.nva.localTags(5000)).extracting(LocalTag::tag).containsExactly(tag);   // SM-VAP-2
        assertThat(net.nva.localTags(5001)).extracting(LocalTag::tag).containsExactly(300);
        // on the wire: CONNECT requests from the end device, answered with the tags
        assertThat(vnItems(net, h1.host())).extracting(VnConnectTlv::operation).containsOnly(VnConnectTlv.Operation.CONNECT);
        assertThat(Frames.decodedFrom(net.sim, n1.host()).stream().flatMap(v -> v.items().stream())
                .filter(i -> i instanceof VnConnectTlv c && c.status() instanceof VsiStatus.Response
                        && c.vn().equals(VnId.group(5000))))
                .isNotEmpty().allSatisfy(i -> assertThat(((VnConnectTlv) i).localTags()).containsExactly(tag));

        TsiSpec t = tsi(1, 5000);
        net.createAndStart(h1, "vm1", t);
        assertThat(h1.engine().localTag("nnve", t.id())).isEqualTo(tag);
        assertThat(blue.tsiAssociated()).isEqualTo(1);
        net.ok(h1.engine().shutdown("vm1"));
        net.runFor(30 * SECOND);
        // the last TSI is gone, but the VN was connected explicitly: it stays, with its tag
        assertThat(n1.engine().vap(0, new VnKey.Id(5000))).isSameAs(blue);
        assertThat(blue.state()).isEqualTo(Vap.State.VN_CONNECTED);
        assertThat(blue.tag()).isEqualTo(tag);

        net.ok(h1.engine().disconnectVn(5000));
        net.ok(h1.engine().disconnectVn(5001));
        assertThat(blue.state()).isEqualTo(Vap.State.VN_DISCONNECTED);
        assertThat(n1.engine().vaps()).isEmpty();
        assertThat(net.nva.localTags(5000)).isEmpty();
        assertThat(net.nva.localTags(5001)).isEmpty();
        assertThat(h1.engine().vnTags("nnve", 5000)).isEmpty();
        assertThat(vapEvents(n1)).extracting(e -> e.vn() + ":" + e.to()).containsExactly(
                "vn-id:5000:VN_CONNECTED", "vn-id:5001:VN_CONNECTED", "vn-id:5000:VN_DISCONNECTED",
                "vn-id:5001:VN_DISCONNECTED");
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-5, SM-VAP-1, SM-VAP-3: the first TSI association of a VN connects it implicitly, the last "
            + "de-association disconnects it; an explicit disconnect while TSIs remain does not pull the VN from under them")
    void implicitConnect(double loss) {
        SplitNveNet net = new SplitNveNet(42, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        net.runFor(SECOND / 10);

        assertThat(n1.engine().vaps()).isEmpty();
        TsiSpec a = tsi(1, 5000);
        TsiSpec b = tsi(2, 5000);
        net.ok(h1.engine().create("vm1", List.of(a)));          // first TSI of the VN: connects it
        Vap blue = n1.engine().vap(0, new VnKey.Id(5000));
        assertThat(blue.state()).isEqualTo(Vap.State.VN_CONNECTED);
        assertThat(net.nva.localTags(5000)).extracting(LocalTag::tag).containsExactly(blue.tag());
        net.ok(h1.engine().create("vm2", List.of(b)));
        assertThat(blue.tsiAssociated()).isEqualTo(2);

        net.ok(h1.engine().disconnectVn(5000));                 // TSIs remain: the VN stays
        assertThat(blue.state()).isEqualTo(Vap.State.VN_CONNECTED);
        assertThat(n1.engine().instances(a.id()).getFirst().state()).isEqualTo(TsiState.ASSOCIATED);

        net.ok(h1.engine().shutdown("vm1"));
        assertThat(blue.state()).isEqualTo(Vap.State.VN_CONNECTED);
        net.ok(h1.engine().shutdown("vm2"));                    // the last one: disconnects it
        assertThat(blue.state()).isEqualTo(Vap.State.VN_DISCONNECTED);
        assertThat(n1.engine().vaps()).isEmpty();
        assertThat(net.nva.localTags(5000)).isEmpty();
        assertThat(vapEvents(n1)).extracting(e -> e.to()).containsExactly(Vap.State.VN_CONNECTED,
                Vap.State.VN_DISCONNECTED);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-6, SM-VAP-3: the nNVE disconnects a VN; every end device using it learns it (the one with "
            + "TSIs and the one that only connected it) and nothing is re-associated behind the orchestrator's back")
    void nnveDisconnects(double loss) {
        SplitNveNet net = SplitNveNet.capturing(43, loss);
        net.vn(5000, "blue", 5000);
        net.vn(5001, "green", 5001);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        TnveNode h2 = net.tnve("h2", n1.mac(0));
        net.behindOneSwitch(h1, h2, n1, 0);
        net.runFor(SECOND / 10);

        TsiSpec t = tsi(1, 5000);
        TsiSpec u = tsi(2, 5000);
        TsiSpec other = tsi(3, 5001);
        net.createAndStart(h1, "vm1", t, other);
        net.ok(h1.engine().create("vm2", List.of(u)));
        net.ok(h2.engine().connectVn(5000, List.of(0)));
        assertThat(h2.engine().vnTags("nnve", 5000)).hasSize(1);

        long disconnectedAt = net.sim.now();
        assertThat(n1.engine().disconnectVn(new VnKey.Id(5000), "administrator")).isEqualTo(2);
        assertThat(n1.engine().vap(0, new VnKey.Id(5000))).isNull();
        assertThat(net.nva.bindings(t.id())).isEmpty();
        assertThat(net.nva.localTags(5000)).isEmpty();
        net.runFor(60 * SECOND);

        // h1 learned that both its TSIs of the VN are gone; the other VN is untouched
        assertThat(h1.reported()).filteredOn(e -> e instanceof TnveEvent.NnveInitiated).extracting(
                e -> ((TnveEvent.NnveInitiated) e).tsi()).containsExactlyInAnyOrder(t.id().toString(), u.id().toString());
        assertThat(h1.engine().tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.INIT);
        assertThat(h1.engine().tsiState("nnve", u.id())).isEqualTo(TnveEngine.TsiState.INIT);
        assertThat(h1.engine().tsiState("nnve", other.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(n1.engine().instances(other.id()).getFirst().state()).isEqualTo(TsiState.ACTIVATED);
        // h2, which had only connected the VN, was told too
        assertThat(h2.engine().vnTags("nnve", 5000)).isEmpty();
        List<VnConnectTlv> notices = vnItems(net, n1.host());
        assertThat(notices).isNotEmpty().allSatisfy(c -> {
            assertThat(c.operation()).isEqualTo(VnConnectTlv.Operation.DISCONNECTED);
            assertThat(c.vn()).isEqualTo(VnId.group(5000));
        });
        assertThat(Frames.decodedFrom(net.sim, n1.host()).stream()
                .filter(v -> v.items().stream().anyMatch(i -> i instanceof VnConnectTlv c
                        && c.operation() == VnConnectTlv.Operation.DISCONNECTED))
                .map(v -> v.captured().destination()).distinct()).containsExactlyInAnyOrder(h1.mac(0), h2.mac(0));
        // nothing came back on its own: the nNVE holds only the TSI of the other VN
        assertThat(n1.engine().tsis()).extracting(x -> x.id()).containsExactly(other.id());
        assertThat(n1.engine().vaps()).extracting(v -> v.vn().key()).containsExactly(new VnKey.Id(5001));
        assertThat(h1.engine().vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);   // the orchestrator decides
        assertThat(Frames.requestsFrom(net.sim, h1.host()).stream().filter(v -> v.nanos() >= disconnectedAt)
                .flatMap(v -> v.vsis().stream()).filter(x -> x.vsiId().equals(t.id()) || x.vsiId().equals(u.id())))
                .as("no request for the disconnected TSIs after the notice").isEmpty();
    }
}
