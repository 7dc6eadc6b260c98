package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.ProvisioningMode;
import org.splitnve.nva.TsiRecord;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.ParameterTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * SM-EXT (seed 002 Req-8): per-VN and per-TSI parameters (VN context, VN profile, QoS, parameter types
 * this code does not know) ride on the existing messages, in both provisioning modes (SEC-2).
 */
@ExtendWith(PcapOnFailure.class)
class ExtensionParameterScenarioTest {
    private static final int GOLD_VNI = 0x52_0000;
    /** A parameter type no code here knows: carried as it is. */
    private static final Parameter FUTURE = new Parameter(200, Bytes.wrap("future-knob=7".getBytes(StandardCharsets.UTF_8)));

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-EXT, SEC-2, SM-VAP-2: a validated VN: the NVA's TSI record gives the addresses and the parameters "
            + "(VN profile, QoS, an unknown type); the nNVE stores them and answers them with the VN context in the "
            + "Associate and Activate responses; no record or an address outside it is refused")
    void validatedVnParameters(double loss) throws Exception {
        SplitNveNet net = SplitNveNet.capturing(91, loss);
        net.nva.addVn(VnRecord.of(UUID.nameUUIDFromBytes("vn-gold".getBytes(StandardCharsets.UTF_8)), 5200, "gold",
                GOLD_VNI, VnService.L2).withMode(ProvisioningMode.VALIDATED)).orElseThrow();
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        net.runFor(SECOND / 10);
        TnveEngine h = h1.engine();

        TsiSpec t = tsi(1, 5200);                                   // the end device names VN and TSI only
        TsiAddress ip = TsiAddress.host(InetAddress.getByName("10.52.0.1"), t.mac());
        List<Parameter> params = List.of(Parameter.vnProfile("gold-web"), Parameter.qos(10_000, 50_000, 5), FUTURE);
        net.nva.putTsiRecord(new TsiRecord(t.id(), 5200, List.of(TsiAddress.mac(t.mac()), ip), params));

        net.ok(h.create("vm", List.of(t)));
        net.ok(h.start("vm"));
        Tsi inst = n1.engine().instances(t.id()).getFirst();
        assertThat(inst.state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(inst.parameters()).containsExactlyElementsOf(params);
        assertThat(inst.addresses()).containsExactlyInAnyOrder(TsiAddress.mac(t.mac()), ip);   // the NVA's, not asked
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
            assertThat(b.addresses()).contains(ip);
        });
        // the parameters travel in the responses, as one more TLV on the existing messages
        List<VsiTlv> answers = Frames.vsiSentBy(net.sim, n1.host(), t.id(), true);
        assertThat(answers).extracting(VsiTlv::mode).contains(VsiMode.PRE_ASSOCIATE_RR, VsiMode.ASSOCIATE);
        assertThat(answers).allSatisfy(v -> {
            assertThat(v.status()).isEqualTo(VsiStatus.Response.SUCCESS);
            ParameterTlv p = v.attached(ParameterTlv.class);
            assertThat(p).isNotNull();
            assertThat(p.parameters()).containsAll(params).contains(Parameter.vnContext(GOLD_VNI));
            assertThat(p.find(Parameter.QOS).uint(0, 4)).isEqualTo(10_000);
            assertThat(p.find(Parameter.QOS).uint(8, 1)).isEqualTo(5);
        });

        // no record (which is what authorises a TSI on a validated VN here): refused; an address outside the
        // record: refused (SEC-1, SEC-2)
        OpResult r = net.await(h.create("norecord", List.of(tsi(2, 5200))));
        assertThat(r.ok()).isFalse();
        assertThat(r.code()).isEqualTo(4);
        assertThat(r.detail()).contains("not authorised");
        TsiSpec liar = tsi(3, 5200, TsiAddress.host(InetAddress.getByName("10.52.0.99")));
        net.nva.putTsiRecord(TsiRecord.of(liar.id(), 5200, TsiAddress.mac(liar.mac())));
        r = net.await(h.create("liar", List.of(liar)));
        assertThat(r.ok()).isFalse();
        assertThat(r.code()).isEqualTo(5);
        assertThat(r.detail()).contains("10.52.0.99");
        assertThat(n1.engine().tsis()).hasSize(1);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-EXT, SEC-2: a trusted VN: the parameters the end device attaches to its Associate (QoS, VN "
            + "profile, an unknown type) are used as they are, stored with the TSI and answered with the VN context")
    void trustedRequestParameters(double loss) {
        SplitNveNet net = SplitNveNet.capturing(93, loss);
        net.vn(5000, "blue", 0x50_0000);
        NnveNode n1 = net.nnve("n1", 1);
        ScriptStation st = net.station("st", n1.mac(0), EnumSet.of(CapabilityTlv.Feature.PARAMETERS,
                CapabilityTlv.Feature.REASON_DETAIL, CapabilityTlv.Feature.DEACTIVATE));
        net.link(net.host("st"), 0, n1.host(), 0);
        net.runFor(SECOND / 10);
        VsiId id = VsiId.uuid("6ba7b810-9dad-41d1-80b4-00c04fd430e1");
        MacAddress mac = MacAddress.parse("52:54:00:dd:00:01");
        Filter f = Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid(5000, mac, 0));
        List<Parameter> asked = List.of(Parameter.qos(1_000, 2_000, 3), Parameter.vnProfile("bronze"), FUTURE);

        VsiTlv answer = st.request(net, new VsiTlv(VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Request.PLAIN, 1, 1, id, f,
                List.of(new ParameterTlv(asked))));
        assertThat(answer.status()).isEqualTo(VsiStatus.Response.SUCCESS);
        Tsi inst = n1.engine().instances(id).getFirst();
        assertThat(inst.state()).isEqualTo(TsiState.ASSOCIATED);
        assertThat(inst.parameters()).containsExactlyElementsOf(asked);
        assertThat(answer.attached(ParameterTlv.class)).isNotNull();
        assertThat(answer.attached(ParameterTlv.class).parameters()).containsAll(asked)
                .contains(Parameter.vnContext(0x50_0000));

        // the Activate that follows carries no parameters: the TSI keeps what it was given
        answer = st.request(net, new VsiTlv(VsiMode.ASSOCIATE, VsiStatus.Request.PLAIN, 1, 1, id, f, List.of()));
        assertThat(answer.status()).isEqualTo(VsiStatus.Response.SUCCESS);
        assertThat(n1.engine().instances(id).getFirst().state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.engine().instances(id).getFirst().parameters()).containsExactlyElementsOf(asked);
        assertThat(answer.attached(ParameterTlv.class).parameters()).containsAll(asked);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-EXT, SM-VAP-2, REQ-5: a VN's own parameters at the NVA (VN profile, MTU) are answered, with its VN "
            + "context, to the end device's VN_Connect; the same TLV on the same message")
    void vnParametersInVnConnect(double loss) {
        SplitNveNet net = SplitNveNet.capturing(95, loss);
        List<Parameter> profile = List.of(Parameter.vnProfile("gold"), Parameter.mtu(9000), FUTURE);
        net.nva.addVn(VnRecord.of(UUID.nameUUIDFromBytes("vn-gold".getBytes(StandardCharsets.UTF_8)), 5200, "gold",
                GOLD_VNI, VnService.L2).withParameters(profile)).orElseThrow();
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        net.runFor(SECOND / 10);

        net.ok(h1.engine().connectVn(5200, List.of(0)));
        assertThat(n1.engine().vap(0, new org.splitnve.nnve.VnKey.Id(5200)).vn().parameters())
                .containsExactlyElementsOf(profile);
        List<org.splitnve.wire.vdp.VnConnectTlv> answers = Frames.vdpSentBy(net.sim, n1.host()).stream()
                .flatMap(f -> f.vdp().items().stream()).filter(i -> i instanceof org.splitnve.wire.vdp.VnConnectTlv)
                .map(i -> (org.splitnve.wire.vdp.VnConnectTlv) i).toList();
        assertThat(answers).isNotEmpty().allSatisfy(c -> {
            assertThat(c.status()).isEqualTo(VsiStatus.Response.SUCCESS);
            assertThat(c.attached(ParameterTlv.class).parameters()).containsAll(profile)
                    .contains(Parameter.vnContext(GOLD_VNI));
            assertThat(c.attached(ParameterTlv.class).find(Parameter.MTU).uint(0, 2)).isEqualTo(9000);
        });
    }
}
