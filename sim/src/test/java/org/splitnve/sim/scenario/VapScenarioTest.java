package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.Vap;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.LocalTag;
import org.splitnve.nva.NvaChange;
import org.splitnve.nva.NveId;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.ParameterTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VsiStatus;

/**
 * RFC 8394 Figure 5: the VAP state machine on the nNVE, one per VN and port scope, driven by real
 * engines over clean and lossy links.
 */
@ExtendWith(PcapOnFailure.class)
class VapScenarioTest {
    private static final int BLUE_VNI = 0x12_3456;
    private static final int GREEN_VNI = 0x22_0001;
    private static final int RED_VNI = 0x33_0002;
    private static final VnKey BLUE = new VnKey.Id(5000);
    private static final VnKey GREEN = new VnKey.Id(6000);
    private static final VnKey RED = new VnKey.Id(7000);
    private static final NveId N1 = NveId.of("n1");

    private record Net(SplitNveNet net, NnveNode n1, TnveNode h1) {
    }

    private static Net net(double loss) {
        SplitNveNet net = SplitNveNet.capturing(21, loss);
        net.logNva();
        // VNIs differ from the VN IDs, so a VN_Context that is only the VN ID would show
        net.vn(5000, "blue", BLUE_VNI);
        net.vn(6000, "green", GREEN_VNI);
        net.vn(7000, "red", RED_VNI);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        net.runFor(SECOND / 10);
        return new Net(net, n1, h1);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-VAP-1, SM-VAP-2, SM-VAP-3, REQ-5, REQ-7: the first TSI of a VN connects its VAP (VN, "
            + "Num_TSI_Associated, Local_Tag, VN_Context from the NVA, tag told to the NVA); the last one disconnects "
            + "it and the tag goes to the next VN")
    void implicitConnectAndDisconnect(double loss) {
        Net x = net(loss);
        SplitNveNet net = x.net;
        NnveNode n1 = x.n1;
        TnveNode h1 = x.h1;
        TsiSpec a = tsi(1, 5000);
        TsiSpec b = tsi(2, 5000);
        TsiSpec g = tsi(3, 6000);
        TsiSpec r = tsi(4, 7000);
        assertThat(n1.engine().vaps()).isEmpty();

        // VN_Connect, implicit in the first Associate of the VN
        net.ok(h1.engine().create("a", List.of(a)));
        Vap blue = n1.engine().vap(0, BLUE);
        assertThat(blue).isNotNull();
        assertThat(blue.state()).isEqualTo(Vap.State.VN_CONNECTED);
        assertThat(blue.vn().key()).isEqualTo(BLUE);                      // VN_ID
        assertThat(blue.tsiAssociated()).isEqualTo(1);                    // Num_TSI_Associated
        assertThat(blue.vn().vni()).isEqualTo(BLUE_VNI);                  // VN_Context: the NVA's VNI
        int blueTag = blue.tag();                                         // Local_Tag
        assertThat(blueTag).isEqualTo(2);                                 // the lowest VID of the pool 2..4094
        assertThat(h1.engine().localTag("nnve", a.id())).isEqualTo(blueTag); // returned to the end device (REQ-7)
        // SM-VAP-2: the NVA learns which local tag maps to the VN
        assertThat(n1.effects(Effect.NvaVnTag.class))
                .containsExactly(new Effect.NvaVnTag(BLUE, BLUE_VNI, "n1/0", blueTag));
        assertThat(net.nva.localTags(5000)).containsExactly(new LocalTag(N1, 0, blueTag, 5000));
        assertThat(n1.events().of(NnveEvent.VapState.class)).containsExactly(
                new NnveEvent.VapState("n1/0", BLUE, Vap.State.VN_DISCONNECTED, Vap.State.VN_CONNECTED, blueTag, BLUE_VNI));

        // A second TSI of the VN uses the same VAP: one state machine per VN
        net.ok(h1.engine().create("b", List.of(b)));
        assertThat(n1.engine().vap(0, BLUE)).isSameAs(blue);
        assertThat(blue.tsiAssociated()).isEqualTo(2);
        assertThat(h1.engine().localTag("nnve", b.id())).isEqualTo(blueTag);
        assertThat(n1.effects(Effect.NvaVnTag.class)).hasSize(1);

        // Another VN: its own VAP and tag
        net.ok(h1.engine().create("g", List.of(g)));
        Vap green = n1.engine().vap(0, GREEN);
        assertThat(green.tag()).isNotEqualTo(blueTag).isEqualTo(3);
        assertThat(green.vn().vni()).isEqualTo(GREEN_VNI);
        assertThat(n1.engine().vaps()).containsExactlyInAnyOrder(blue, green);
        assertThat(net.nva.localTags(6000)).containsExactly(new LocalTag(N1, 0, 3, 6000));

        // Num_TSI_Associated follows the de-associations; the VAP stays while one TSI is left
        net.ok(h1.engine().shutdown("a"));
        assertThat(blue.tsiAssociated()).isEqualTo(1);
        assertThat(blue.state()).isEqualTo(Vap.State.VN_CONNECTED);
        assertThat(net.nva.localTags(5000)).hasSize(1);

        // VN_Disconnect with the last TSI (SM-VAP-3): the VAP goes, its tag is released at the nNVE and the NVA
        net.ok(h1.engine().shutdown("b"));
        assertThat(n1.engine().vap(0, BLUE)).isNull();
        assertThat(blue.state()).isEqualTo(Vap.State.VN_DISCONNECTED);
        assertThat(blue.tags()).isEmpty();
        assertThat(blue.tsiAssociated()).isZero();
        assertThat(n1.effects(Effect.NvaVnTag.class)).last()
                .isEqualTo(new Effect.NvaVnTag(BLUE, BLUE_VNI, "n1/0", -1));
        assertThat(net.nva.localTags(5000)).isEmpty();
        assertThat(net.nva.localTag(N1, 0, blueTag)).isEmpty();
        assertThat(n1.events().of(NnveEvent.VapState.class)).last().isEqualTo(
                new NnveEvent.VapState("n1/0", BLUE, Vap.State.VN_CONNECTED, Vap.State.VN_DISCONNECTED, blueTag, BLUE_VNI));
        assertThat(n1.engine().vaps()).containsExactly(green);

        // The tag went back to the pool: the next VN to connect gets it
        net.ok(h1.engine().create("r", List.of(r)));
        Vap red = n1.engine().vap(0, RED);
        assertThat(red.tag()).isEqualTo(blueTag);
        assertThat(h1.engine().localTag("nnve", r.id())).isEqualTo(blueTag);
        assertThat(net.nva.localTag(N1, 0, blueTag)).contains(new LocalTag(N1, 0, blueTag, 7000));

        // The NVA saw each tag recorded and released, in order
        assertThat(net.logged(NvaChange.class).stream()
                .filter(c -> c instanceof NvaChange.LocalTagRecorded || c instanceof NvaChange.LocalTagReleased)
                .map(c -> c.name() + " " + c.vnId()).toList())
                .containsExactly("nva.local_tag_recorded 5000", "nva.local_tag_recorded 6000",
                        "nva.local_tag_released 5000", "nva.local_tag_recorded 7000");
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-VAP-1, SM-VAP-2, SM-VAP-3, REQ-5: explicit VN_Connect before any TSI (asked tag, VN_Context "
            + "answered), TSIs come and go without disconnecting it, explicit VN_Disconnect releases the tag")
    void explicitConnectAndDisconnect(double loss) {
        Net x = net(loss);
        SplitNveNet net = x.net;
        NnveNode n1 = x.n1;
        TnveNode h1 = x.h1;

        net.ok(h1.engine().connectVn(5000, List.of(100)));
        Vap blue = n1.engine().vap(0, BLUE);
        assertThat(blue.state()).isEqualTo(Vap.State.VN_CONNECTED);
        assertThat(blue.tag()).isEqualTo(100);
        assertThat(blue.tsiAssociated()).isZero();
        assertThat(h1.engine().vnTags("nnve", 5000)).containsExactly(100);
        assertThat(net.nva.localTags(5000)).containsExactly(new LocalTag(N1, 0, 100, 5000));
        // SM-VAP-2: the VN_Context travels in the answer (parameter VN context)
        List<VnConnectTlv> answers = Frames.vdpSentBy(net.sim, n1.host()).stream()
                .flatMap(f -> f.vdp().items().stream()).filter(i -> i instanceof VnConnectTlv).map(i -> (VnConnectTlv) i)
                .toList();
        assertThat(answers).isNotEmpty().allSatisfy(c -> {
            assertThat(c.status()).isEqualTo(VsiStatus.Response.SUCCESS);
            assertThat(c.localTags()).containsExactly(100);
            ParameterTlv p = c.attached(ParameterTlv.class);
            assertThat(p).isNotNull();
            assertThat(p.find(Parameter.VN_CONTEXT)).isEqualTo(Parameter.vnContext(BLUE_VNI));
        });

        // TSIs of the connected VN use its tag; the last one leaving does not disconnect an explicit VAP
        TsiSpec a = tsi(1, 5000);
        net.ok(h1.engine().create("a", List.of(a)));
        assertThat(n1.engine().vap(0, BLUE)).isSameAs(blue);
        assertThat(blue.tsiAssociated()).isEqualTo(1);
        assertThat(h1.engine().localTag("nnve", a.id())).isEqualTo(100);
        net.ok(h1.engine().shutdown("a"));
        assertThat(blue.tsiAssociated()).isZero();
        assertThat(blue.state()).isEqualTo(Vap.State.VN_CONNECTED);
        assertThat(net.nva.localTags(5000)).hasSize(1);

        // Explicit VN_Disconnect: every resource of the VN on the port goes
        net.ok(h1.engine().disconnectVn(5000));
        assertThat(blue.state()).isEqualTo(Vap.State.VN_DISCONNECTED);
        assertThat(n1.engine().vaps()).isEmpty();
        assertThat(h1.engine().vnTags("nnve", 5000)).isEmpty();
        assertThat(net.nva.localTags(5000)).isEmpty();
        assertThat(n1.effects(Effect.TagProvision.class)).extracting(Effect.TagProvision::provisioned)
                .containsExactly(true, false);

        // The asked tag is free again: another VN may ask for it
        net.ok(h1.engine().connectVn(6000, List.of(100)));
        assertThat(n1.engine().vap(0, GREEN).tag()).isEqualTo(100);
        assertThat(net.nva.localTag(N1, 0, 100)).contains(new LocalTag(N1, 0, 100, 6000));
        assertThat(Frames.vdpSentBy(net.sim, n1.host())).extracting(Frame.Vdp::vdp)
                .flatExtracting(pdu -> pdu.items()).filteredOn(i -> i instanceof VnConnectTlv)
                .allSatisfy((VdpItem i) -> assertThat(((VsiStatus.Response) ((VnConnectTlv) i).status()).isSuccess()).isTrue());
    }
}
