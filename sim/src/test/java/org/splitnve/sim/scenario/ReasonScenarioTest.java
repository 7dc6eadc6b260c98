package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * SM-REASON (seed 002 Req-6): every refused request is answered with a reason code, and, where both
 * sides have the extension, a reason detail the tNVE hands to its orchestrator.
 */
@ExtendWith(PcapOnFailure.class)
class ReasonScenarioTest {

    /** A refused response on the wire: to whom, its status and attached TLVs. */
    private record Refused(MacAddress to, VsiStatus.Response status, List<org.splitnve.wire.vdp.OrgTlv> attached) {
    }

    /** Every refused VSI or VN connect response an nNVE put on the wire. */
    private static List<Refused> refusedOnWire(SplitNveNet net, NnveNode n) {
        return Frames.vdpSentBy(net.sim, n.host()).stream().flatMap(f -> f.vdp().items().stream()
                .filter(i -> status(i) instanceof VsiStatus.Response r && !r.isSuccess())
                .map(i -> new Refused(f.ethernet().destination(), (VsiStatus.Response) status(i), i.attached())))
                .toList();
    }

    private static VsiStatus status(VdpItem i) {
        return switch (i) {
            case VsiTlv v -> v.status();
            case VnConnectTlv c -> c.status();
        };
    }

    /** The orchestrator's result carries the reason code, and the detail the nNVE logged with its refusal. */
    private static void assertRefused(OpResult r, NnveNode n, int code, String detailPart) {
        assertThat(r.ok()).as("refused: %s", r).isFalse();
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.detail()).contains(detailPart);
        assertThat(n.events().of(NnveEvent.Refused.class)).anySatisfy(e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.detail()).contains(detailPart);
            assertThat(r.detail()).contains(e.detail());             // the text the nNVE sent is what the tNVE reports
        });
    }

    /** Every refusal the nNVE sent carries a reason code and (extension peer) a reason detail. */
    private static void assertEveryRefusalExplained(SplitNveNet net, NnveNode n, MacAddress to, int atLeast,
            boolean detail) {
        List<Refused> refused = refusedOnWire(net, n).stream().filter(x -> x.to().equals(to)).toList();
        assertThat(refused).hasSizeGreaterThanOrEqualTo(atLeast).allSatisfy(x -> {
            assertThat(x.status().code().value()).isNotZero();
            if (detail) {
                assertThat(x.attached()).anySatisfy(t -> assertThat(t).isInstanceOfSatisfying(ReasonDetailTlv.class,
                        d -> assertThat(d.text()).isNotBlank()));
            } else {
                assertThat(x.attached()).isEmpty();
            }
        });
    }

    private static VnRecord vnWithoutPermission(long id, int vni) {
        return VnRecord.of(UUID.nameUUIDFromBytes(("vn-" + id).getBytes(StandardCharsets.UTF_8)), id, "vn" + id, vni,
                VnService.L2);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-REASON, LC-CREATE, SEC-1: unknown VN, TSI not authorised on the VN, local tag of another VN: each "
            + "refusal carries its reason code and detail text to the orchestrator; a standard peer gets the code alone")
    void policyAndTagRefusals(double loss) {
        SplitNveNet net = SplitNveNet.capturing(71, loss);
        net.vn(5000, "blue", 5000);
        net.vn(5100, "cyan", 5100);
        net.nva.addVn(vnWithoutPermission(6000, 6000)).orElseThrow();     // no TSI may join VN 6000
        NnveNode n1 = net.nnve("n1", 2);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        TnveNode h2 = net.tnve(SplitNveNet.standardTnve("h2", n1.mac(1)), 1);
        net.link(h1.host(), 0, n1.host(), 0);
        net.link(h2.host(), 0, n1.host(), 1);
        net.runFor(SECOND / 10);
        TnveEngine h = h1.engine();

        // unknown VN
        OpResult r = net.await(h.create("x", List.of(tsi(1, 7777))));
        assertRefused(r, n1, 4, "unknown VN ID 7777");
        assertThat(h.vmNamed("x")).as("a refused create leaves nothing (OPS-2)").isNull();
        assertThat(h1.reported()).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(TnveEvent.RequestFailed.class,
                f -> assertThat(f.detail()).contains("unknown VN ID 7777")));
        // LC-TERMINATE: the refused VM is undone cleanly; a De-Associate is idempotent, even on an unknown VN
        long refusedBefore = n1.events().of(NnveEvent.Refused.class).size();
        assertThat(net.await(h.create("x2", List.of(tsi(9, 7777)))).ok()).isFalse();
        assertThat(h.vmNamed("x2")).isNull();
        assertThat(n1.events().of(NnveEvent.Refused.class).stream().skip(refusedBefore))
                .allSatisfy(e -> assertThat(e.request()).isEqualTo("PRE_ASSOCIATE_RR"));

        // the NVA does not let this TSI join the VN
        r = net.await(h.create("y", List.of(tsi(2, 6000))));
        assertRefused(r, n1, 4, "the TSI is not authorised on this VN");

        // the local tag asked for is another VN's on this port
        net.ok(h.connectVn(5000, List.of(100)));
        r = net.await(h.connectVn(5100, List.of(100)));
        assertRefused(r, n1, 5, "VID 100 is the tag of vn-id:5000");
        assertThat(n1.engine().vap(0, new VnKey.Id(5100))).isNull();
        assertThat(n1.engine().vap(0, new VnKey.Id(5000)).tag()).isEqualTo(100);

        assertThat(n1.engine().tsis()).isEmpty();
        assertEveryRefusalExplained(net, n1, h1.mac(0), 3, true);
        long refusedToH1 = n1.events().of(NnveEvent.Refused.class).stream().filter(e -> e.station().equals(h1.mac(0)))
                .count();
        assertThat(refusedToH1).isGreaterThanOrEqualTo(3);   // a request sent again is refused again

        // a standard peer: the 4-bit reason code is all VDP has, and it is there
        r = net.await(h2.engine().create("z", List.of(tsi(3, 7777))));
        assertThat(r.ok()).isFalse();
        assertThat(r.code()).isEqualTo(4);
        assertThat(h2.engine().vmNamed("z")).as("a refused create leaves nothing (OPS-2)").isNull();
        List<Refused> toH2 = refusedOnWire(net, n1).stream().filter(x -> x.to().equals(h2.mac(0))).toList();
        assertThat(toH2).isNotEmpty().allSatisfy(x -> {
            assertThat(x.status().code().value()).isEqualTo(4);
            assertThat(x.attached()).isEmpty();
        });
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-REASON, SEC-4: per-peer limits (TSIs, VNs, addresses per TSI) refuse with reason 2 and a detail; "
            + "what was accepted before is untouched")
    void limits(double loss) throws Exception {
        SplitNveNet net = SplitNveNet.capturing(73, loss);
        net.vn(5000, "blue", 5000);
        net.vn(5100, "cyan", 5100);
        // the nNVE's own enforcement: its limits do not reach the end device (as from an nNVE that predates
        // advertising them), which would otherwise refuse these requests itself before sending (OPS-3)
        NnveNode n1 = net.nnve(NnveConfig.simple("n1", 1).withTimers(SplitNveNet.TIMERS)
                .withLimits(new NnveConfig.Limits(2, 1, 3)), Frames::withoutAdvertisedLimits);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        net.runFor(SECOND / 10);
        TnveEngine h = h1.engine();
        TsiAddress ip1 = TsiAddress.host(InetAddress.getByName("10.0.0.1"));
        TsiAddress ip2 = TsiAddress.host(InetAddress.getByName("10.0.0.2"));
        TsiSpec a = tsi(1, 5000, ip1, ip2);                            // MAC + 2 IPs: 3 addresses, the limit

        net.ok(h.create("a", List.of(a)));
        OpResult r = net.await(h.create("big", List.of(tsi(2, 5000, TsiAddress.host(InetAddress.getByName("10.0.0.3")),
                TsiAddress.host(InetAddress.getByName("10.0.0.4")), TsiAddress.host(InetAddress.getByName("10.0.0.5"))))));
        assertRefused(r, n1, 2, "4 addresses, at most 3");
        r = net.await(h.create("cyan", List.of(tsi(3, 5100))));
        assertRefused(r, n1, 2, "limit of 1 VNs");
        net.ok(h.create("b", List.of(tsi(4, 5000))));
        r = net.await(h.create("c", List.of(tsi(5, 5000))));
        assertRefused(r, n1, 2, "limit of 2 TSIs");
        // an address change over the limit is refused as a whole; the TSI keeps its state and addresses
        r = net.await(h.updateAddresses("a", a.id(), TsiAddressTlv.Operation.ADD,
                List.of(TsiAddress.host(InetAddress.getByName("2001:db8::9")))));
        assertRefused(r, n1, 2, "4 addresses, at most 3");

        assertThat(n1.engine().tsis()).hasSize(2).allSatisfy(t -> assertThat(t.state()).isEqualTo(TsiState.ASSOCIATED));
        assertThat(n1.engine().instances(a.id()).getFirst().addresses()).hasSize(3);
        // the tNVE's view of the TSI's addresses stays what the nNVE holds
        assertThat(h.vmNamed("a").tsis().getFirst().ips()).containsExactly(ip1, ip2);
        assertThat(net.nva.bindings(a.id()).getFirst().addresses()).hasSize(3);
        assertThat(n1.engine().vap(0, new VnKey.Id(5100))).isNull();
        assertThat(n1.engine().vap(0, new VnKey.Id(5000)).tsiAssociated()).isEqualTo(2);
        assertEveryRefusalExplained(net, n1, h1.mac(0), 4, true);
        assertThat(h.vmNamed("a").state()).isEqualTo(VmState.SHUTDOWN);
        net.ok(h.start("a"));
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-REASON, REQ-9, GAP-8: after the nNVE de-associated a TSI on its own, a deactivate of it is refused "
            + "(not activated) with reason and detail; the VM is not suspended")
    void deactivateOfATsiThatIsNotActivated(double loss) {
        SplitNveNet net = SplitNveNet.capturing(75, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        net.runFor(SECOND / 10);
        TnveEngine h = h1.engine();
        TsiSpec t = tsi(1, 5000);
        net.ok(h.create("vm", List.of(t)));
        net.ok(h.start("vm"));

        assertThat(n1.engine().deassociate(t.id(), "policy change")).isEqualTo(1);
        long limit = net.sim.now() + 30 * SECOND;
        while (h.tsiState("nnve", t.id()) != TnveEngine.TsiState.INIT && net.sim.now() < limit) {
            net.sim.step(limit);
        }
        assertThat(h.tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.INIT);
        assertThat(h1.reported()).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(TnveEvent.NnveInitiated.class,
                ni -> assertThat(ni.detail()).contains("policy change")));

        OpResult r = net.await(h.suspend("vm"));
        assertRefused(r, n1, 4, "deactivate: the TSI is not activated");
        assertThat(n1.events().of(NnveEvent.Refused.class)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.request()).isEqualTo("PRE_ASSOCIATE_RR"));
        assertThat(h.vmNamed("vm").state()).isEqualTo(VmState.RUNNING);
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(net.nva.bindings(t.id())).isEmpty();
        assertEveryRefusalExplained(net, n1, h1.mac(0), 1, true);
        assertThat(refusedOnWire(net, n1)).allSatisfy(x -> assertThat(x.attached()).anySatisfy(
                d -> assertThat(d).isInstanceOfSatisfying(ReasonDetailTlv.class,
                        rd -> assertThat(rd.detail()).isEqualTo(NnveEngine.DETAIL_STATE))));
    }
}
