package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.ip;
import static org.splitnve.sim.scenario.SplitNveNet.mac;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.NveId;
import org.splitnve.nva.ProvisioningMode;
import org.splitnve.nva.TsiRecord;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.sim.CapturedFrame;
import org.splitnve.sim.EthernetSwitch;
import org.splitnve.sim.LinkProfile;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.ParameterTlv;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * Who may use the nNVE and join a VN (SEC-1), and the two provisioning modes (SEC-2: trusted, validated
 * against the NVA's records), with the real engines and the in-memory NVA, on clean links and with 20% loss.
 */
@ExtendWith(PcapOnFailure.class)
class AuthorisationScenarioTest {
    private SplitNveNet net;
    private NnveNode n1;
    private EthernetSwitch sw;

    private void setUp(double loss) {
        net = SplitNveNet.capturing(31, loss);
        net.vn(5000, "blue", 5000);
        n1 = net.nnve("n1", 1);
        sw = net.switchBefore(n1, 6);
    }

    private TnveNode station(String name, int n, FilterFormat filter) {
        return net.tnveOn(sw, n, name, n1, null, filter);
    }


    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SEC-1, SEC-3, SM-REASON: only the end device the NVA's policy permits uses the nNVE: another one on "
            + "the same port is refused (request.refused 'end device'), gets no peer, no TSI, no NVA entry, and its "
            + "request is answered with a reason code (4, other failure) and detail that reach its tNVE")
    void unauthorisedEndDevice(double loss) {
        setUp(loss);
        net.nva.revokeEndDevice(EndDeviceRule.anyOn(NveId.of("n1")));
        net.nva.permitEndDevice(EndDeviceRule.station(NveId.of("n1"), mac(1)));
        TnveNode allowed = station("h1", 1, FilterFormat.GROUP_MAC_VID);
        TnveNode other = station("h2", 2, FilterFormat.GROUP_MAC_VID);
        TsiSpec t1 = tsi(1, 5000);
        TsiSpec t2 = tsi(2, 5000);

        var c2 = other.engine().create("vm2", List.of(t2));
        net.createAndStart(allowed, "vm1", t1);
        OpResult r2 = net.await(c2);

        assertThat(n1.state(t1)).isEqualTo(TsiState.ACTIVATED);
        assertThat(r2.ok()).isFalse();
        assertThat(other.engine().vmNamed("vm2")).as("a refused create leaves nothing (OPS-2)").isNull();
        assertThat(n1.state(t2)).isEqualTo(TsiState.INIT);
        assertThat(net.nva.bindings(t2.id())).isEmpty();
        assertThat(n1.engine().peers()).extracting(p -> p.station()).containsExactly(mac(1));
        // SM-REASON: the refusal reaches the tNVE with its reason code and detail (not a time-out).
        assertThat(r2.code()).isEqualTo(ReasonCode.OTHER_FAILURE.value());
        assertThat(r2.detail()).contains("not authorised to use this nNVE");
        List<VsiTlv> answers = Frames.vdpFrom(net.sim, n1.mac(0), c -> c.from() == n1.host()).stream()
                .filter(f -> f.ethernet().destination().equals(mac(2))).flatMap(f -> f.vdp().items().stream())
                .map(i -> (VsiTlv) i).toList();
        assertThat(answers).isNotEmpty().allSatisfy(v -> {
            assertThat(v.vsiId()).isEqualTo(t2.id());
            assertThat(((VsiStatus.Response) v.status()).code()).isEqualTo(ReasonCode.OTHER_FAILURE);
            assertThat(v.attached(ReasonDetailTlv.class).detail()).isEqualTo(NnveEngine.DETAIL_POLICY);
        });
        assertThat(other.events().of(TnveEvent.RequestFailed.class))
                .anySatisfy(e -> assertThat(e.detail()).contains("not authorised"));
        assertThat(n1.events().of(NnveEvent.Refused.class)).isNotEmpty().allSatisfy(e -> {
            assertThat(e.station()).isEqualTo(mac(2));
            assertThat(e.request()).isEqualTo("end device");
            assertThat(e.detail()).contains("not authorised");
        });
    }

    /** An injector on switch port 3: frames as they are, on a clean cable. */
    private ScriptStation injector() {
        ScriptStation x = net.station("x", mac(0x66), n1.mac(0), Set.of());
        net.sim.connect(net.sim.node("x"), 0, sw, 3, LinkProfile.CLEAN);
        return x;
    }

    /** An Associate request of a made-up TSI, in its own ECPDU with sequence {@code seq}, from {@code station}. */
    private byte[] associate(MacAddress station, int seq, int n) {
        VdpPdu pdu = new VdpPdu(ManagerId.ofText("x"), List.of(), List.of(Frames.vsi(VsiMode.PRE_ASSOCIATE_RR,
                Frames.hostileTsi(n), 5000, Frames.hostileTsiMac(n), List.of())), null);
        return Frames.vdp(n1.mac(0), station, EcpHeader.request(seq), pdu);
    }

    /** The nNVE's answers to {@code station}: its first transmission of each ECPDU with items (not retransmissions). */
    private List<Frame.Vdp> answersTo(MacAddress station) {
        Set<Integer> seen = new HashSet<>();
        return Frames.vdpFrom(net.sim, n1.mac(0), c -> c.from() == n1.host()).stream()
                .filter(f -> f.ethernet().destination().equals(station) && !f.vdp().items().isEmpty()
                        && seen.add(f.ecp().sequence()))
                .toList();
    }

    /** How many ECPDUs with items from a station {@code which} accepts reached the nNVE. */
    private long requestsArrived(java.util.function.Predicate<MacAddress> which) {
        return net.sim.captured().stream().filter(c -> c.to() == n1.host() && c.delivered()
                && c.decode() instanceof Frame.Vdp v && which.test(v.ethernet().source()) && !v.vdp().items().isEmpty())
                .count();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-REASON, SEC-1, SEC-4: a refused end device that floods the nNVE with requests (400 ECPDUs in 2.5 s) "
            + "gets at most one answer a second, each with the reason code; the rest are dropped and counted, and "
            + "ECPDUs without an item get no answer at all: a refusal cannot be used to amplify")
    void refusalsAreRateLimited(double loss) {
        setUp(loss);
        net.nva.revokeEndDevice(EndDeviceRule.anyOn(NveId.of("n1")));
        ScriptStation x = injector();
        MacAddress refused = mac(0x66);
        long start = net.sim.now();
        for (int i = 0; i < 400; i++) {
            x.sendRaw(associate(refused, 100 + i, i));
            net.runFor(SplitNveNet.SECOND / 160);
        }
        long end = net.sim.now();
        for (int i = 0; i < 50; i++) {   // hellos: nothing asked, nothing answered
            x.sendRaw(Frames.vdp(n1.mac(0), refused, EcpHeader.request(1_000 + i), VdpPdu.EMPTY));
        }
        net.runFor(SplitNveNet.SECOND / 2);

        List<Frame.Vdp> answers = answersTo(refused);
        long seconds = (end - start + SplitNveNet.SECOND - 1) / SplitNveNet.SECOND;
        assertThat(answers).hasSizeBetween(2, (int) seconds).allSatisfy(f -> assertThat(f.vdp().items())
                .singleElement().isInstanceOfSatisfying(VsiTlv.class, v -> {
                    assertThat(((VsiStatus.Response) v.status()).code()).isEqualTo(ReasonCode.OTHER_FAILURE);
                    assertThat(v.isResponse()).isTrue();
                }));
        // One answer a second: the first transmissions are at least a second apart.
        Set<Integer> firsts = new HashSet<>();
        List<Long> firstAt = Frames.sentBy(net.sim, n1.host()).stream().filter(c -> c.decode() instanceof Frame.Vdp v
                && v.ethernet().destination().equals(refused) && !v.vdp().items().isEmpty()
                && firsts.add(v.ecp().sequence())).map(CapturedFrame::nanos).toList();
        for (int i = 1; i < firstAt.size(); i++) {
            assertThat(firstAt.get(i) - firstAt.get(i - 1)).isGreaterThanOrEqualTo(SplitNveNet.SECOND);
        }
        // Everything the nNVE sent that station: per answer an acknowledgement and the ECPDU with its retransmissions.
        long frames = Frames.sentBy(net.sim, n1.host()).stream().filter(c -> c.decode() instanceof Frame.Vdp v
                && v.ethernet().destination().equals(refused)).count();
        assertThat(frames).isLessThanOrEqualTo((long) answers.size() * (2 + SplitNveNet.TIMERS.retries()));
        // Every request that reached the nNVE was answered or counted.
        assertThat(n1.engine().refusalsUnanswered()).isEqualTo(requestsArrived(a -> a.equals(refused)) - answers.size());
        assertThat(n1.engine().peers()).isEmpty();
        assertThat(n1.engine().tsis()).isEmpty();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-REASON, SEC-4: requests forged from 300 made-up source MACs within a second get at most "
            + "RefusedStations.MAX_STATIONS (64) answers in that second; the rest are dropped and counted")
    void refusalsOfManyStationsAreBounded(double loss) {
        setUp(loss);
        net.nva.revokeEndDevice(EndDeviceRule.anyOn(NveId.of("n1")));
        ScriptStation x = injector();
        long start = net.sim.now();
        for (int i = 0; i < 300; i++) {
            x.sendRaw(associate(new MacAddress(0x0266_0100_0000L | i), 7, i));
            net.runFor(SplitNveNet.SECOND / 1_000);
        }
        net.runFor(SplitNveNet.SECOND / 2);
        assertThat(net.sim.now() - start).isLessThan(SplitNveNet.SECOND);

        long answered = Frames.sentBy(net.sim, n1.host()).stream().filter(c -> c.decode() instanceof Frame.Vdp v
                && v.ecp().operation() == EcpOperation.REQUEST && !v.vdp().items().isEmpty())
                .map(c -> ((Frame.Vdp) c.decode()).ethernet().destination()).distinct().count();
        assertThat(answered).isEqualTo(64);
        assertThat(n1.engine().refusalsUnanswered()).isEqualTo(requestsArrived(a -> (a.value() >>> 24) == 0x0266_01L) - 64);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SEC-1, SM-REASON: a TSI the NVA does not permit on the VN is refused with a reason code and detail "
            + "that reach the tNVE; the permitted TSI of the same end device joins")
    void unauthorisedTsi(double loss) {
        setUp(loss);
        TsiSpec permitted = tsi(1, 5000);
        TsiSpec intruder = tsi(2, 5000);
        net.nva.revokeTsi(TsiRule.anyOn(5000));
        net.nva.permitTsi(TsiRule.on(5000, permitted.id()));
        TnveNode h1 = station("h1", 1, FilterFormat.GROUP_MAC_VID);

        net.ok(h1.engine().create("vmA", List.of(permitted)));
        OpResult r = net.await(h1.engine().create("vmB", List.of(intruder)));

        assertThat(r.ok()).isFalse();
        assertThat(r.code()).isEqualTo(4);
        assertThat(r.detail()).contains("not authorised on this VN");
        assertThat(h1.engine().vmNamed("vmB")).as("a refused create leaves nothing (OPS-2)").isNull();
        assertThat(n1.state(intruder)).isEqualTo(TsiState.INIT);
        assertThat(net.nva.bindings(intruder.id())).isEmpty();
        assertThat(n1.state(permitted)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(n1.events().of(NnveEvent.Refused.class)).isNotEmpty().allSatisfy(e -> {
            assertThat(e.tsi()).isEqualTo(intruder.id().toString());
            assertThat(e.code()).isEqualTo(4);
        });
        assertThat(h1.events().of(TnveEvent.RequestFailed.class))
                .anySatisfy(e -> assertThat(e.detail()).contains("not authorised"));
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SEC-2: a trusted VN: the addresses the end device supplies are used as they are (nNVE and NVA)")
    void trustedVn(double loss) throws Exception {
        setUp(loss);
        TnveNode h1 = station("h1", 1, FilterFormat.GROUP_MAC_VID);
        TsiSpec t = tsi(1, 5000, ip("10.0.0.1"), ip("2001:db8::1"), TsiAddress.prefix(InetAddress.getByName("10.9.0.0"), 24));

        net.createAndStart(h1, "vm1", t);

        List<TsiAddress> sent = List.of(TsiAddress.mac(t.mac()), ip("10.0.0.1"), ip("2001:db8::1"),
                TsiAddress.prefix(InetAddress.getByName("10.9.0.0"), 24));
        assertThat(n1.engine().instances(t.id()).getFirst().addresses()).containsExactlyInAnyOrderElementsOf(sent);
        assertThat(net.nva.bindings(t.id()).getFirst().addresses()).containsExactlyInAnyOrderElementsOf(sent);
    }

    /** VN 6000, validated, with records for two TSIs; none permitted by a rule. */
    private VnRecord validatedVn(TsiSpec a, TsiSpec b) throws Exception {
        VnRecord vn = VnRecord.of(UUID.nameUUIDFromBytes("vn-6000".getBytes(StandardCharsets.UTF_8)), 6000, "green", 6000,
                VnService.L2).withMode(ProvisioningMode.VALIDATED);
        net.nva.addVn(vn).orElseThrow();
        net.nva.putTsiRecord(new TsiRecord(a.id(), 6000, List.of(TsiAddress.mac(a.mac()),
                TsiAddress.host(InetAddress.getByName("10.6.0.5"), a.mac())),
                List.of(Parameter.vnProfile("gold"), Parameter.qos(100_000, 200_000, 5))));
        net.nva.putTsiRecord(TsiRecord.of(b.id(), 6000, TsiAddress.mac(b.mac()), ip("10.6.0.7")));
        return vn;
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SEC-2: a validated VN: the end device sends only the VN ID and the TSI's identity; the nNVE provisions "
            + "the NVA's record (addresses and parameters), returns the parameters and the authoritative local tag in "
            + "the response")
    void validatedVnUsesTheRecord(double loss) throws Exception {
        setUp(loss);
        TsiSpec a = tsi(10, 6000);
        TsiSpec b = tsi(11, 6000);
        validatedVn(a, b);
        // GroupID/VID filter: VN ID, a null VID, the TSI's VSI ID; no MAC, no IP.
        TnveNode h1 = station("h1", 1, FilterFormat.GROUP_VID);

        net.createAndStart(h1, "vm1", a);

        List<TsiAddress> record = net.nva.tsiRecord(a.id(), 6000).orElseThrow().addresses();
        Tsi inst = n1.engine().instances(a.id()).getFirst();
        assertThat(inst.state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(inst.addresses()).isEqualTo(record);
        assertThat(net.nva.bindings(a.id()).getFirst().addresses()).isEqualTo(record);

        // What h1 sent: no address at all.
        List<VsiTlv> requests = Frames.vdpFrom(net.sim, mac(1), c -> c.from() == h1.host()).stream()
                .flatMap(f -> f.vdp().items().stream()).filter(i -> i instanceof VsiTlv v && !v.isResponse())
                .map(i -> (VsiTlv) i).toList();
        assertThat(requests).isNotEmpty().allSatisfy(v -> {
            assertThat(v.filter().format()).isEqualTo(FilterFormat.GROUP_VID);
            assertThat(v.attached()).noneMatch(o -> o instanceof TsiAddressTlv);
        });
        // What n1 answered: the record's parameters and the VN context, and the tag it chose.
        List<VsiTlv> answers = Frames.vdpFrom(net.sim, n1.mac(0), c -> c.from() == n1.host()).stream()
                .flatMap(f -> f.vdp().items().stream())
                .filter(i -> i instanceof VsiTlv v && v.isResponse() && v.vsiId().equals(a.id()))
                .map(i -> (VsiTlv) i).toList();
        int tag = n1.engine().vaps().stream().filter(v -> v.vn().vni() == 6000).findFirst().orElseThrow().tag();
        assertThat(answers).isNotEmpty().allSatisfy(v -> {
            assertThat(((VsiStatus.Response) v.status()).isSuccess()).isTrue();
            assertThat(v.filter().entries()).extracting(FilterEntry::vid).containsOnly(tag);
            ParameterTlv p = v.attached(ParameterTlv.class);
            assertThat(p).isNotNull();
            assertThat(p.parameters()).contains(Parameter.vnProfile("gold"), Parameter.qos(100_000, 200_000, 5),
                    Parameter.vnContext(6000));
        });
        assertThat(h1.engine().localTag("nnve", a.id())).isEqualTo(tag);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SEC-2, SEC-1, SM-REASON: on a validated VN an address outside the NVA's record is refused (at "
            + "association and when added later), and a TSI without a record is refused; the reasons reach the tNVE")
    void validatedVnRefusesOtherAddresses(double loss) throws Exception {
        setUp(loss);
        TsiSpec a = tsi(10, 6000);
        TsiSpec b = tsi(11, 6000, ip("10.6.0.99"));
        TsiSpec c = tsi(12, 6000);
        validatedVn(a, b);
        net.nva.permitTsi(TsiRule.on(6000, c.id()));   // permitted on the VN, but the NVA holds no record of it
        TnveNode h1 = station("h1", 1, FilterFormat.GROUP_VID);
        TnveNode h2 = station("h2", 2, FilterFormat.GROUP_MAC_VID);

        OpResult rb = net.await(h2.engine().create("vmB", List.of(b)));
        assertThat(rb.ok()).isFalse();
        assertThat(rb.code()).isEqualTo(5);
        assertThat(rb.detail()).contains("not in the NVA's record").contains("10.6.0.99");
        OpResult rc = net.await(h2.engine().create("vmC", List.of(c)));
        assertThat(rc.ok()).isFalse();
        assertThat(rc.detail()).contains("no record");
        assertThat(net.nva.bindings(b.id())).isEmpty();
        assertThat(net.nva.bindings(c.id())).isEmpty();

        net.createAndStart(h1, "vmA", a);
        List<TsiAddress> record = net.nva.tsiRecord(a.id(), 6000).orElseThrow().addresses();
        // An address the record does not hold, added later: refused too, nothing changes.
        OpResult add = net.await(h1.engine().updateAddresses("vmA", a.id(), TsiAddressTlv.Operation.ADD,
                List.of(ip("10.6.0.66"))));
        assertThat(add.ok()).isFalse();
        assertThat(add.detail()).contains("not in the NVA's record");
        assertThat(n1.engine().instances(a.id()).getFirst().addresses()).isEqualTo(record);
        assertThat(net.nva.bindings(a.id()).getFirst().addresses()).isEqualTo(record);
        assertThat(n1.state(a)).isEqualTo(TsiState.ACTIVATED);
        // One the record holds is fine (and changes nothing: the record is what is provisioned).
        net.ok(h1.engine().updateAddresses("vmA", a.id(), TsiAddressTlv.Operation.ADD, List.of(ip("10.6.0.5"))));
        assertThat(net.nva.bindings(a.id()).getFirst().addresses()).isEqualTo(record);
        // The refusals went out with their detail.
        assertThat(Frames.vdpFrom(net.sim, n1.mac(0), x -> x.from() == n1.host()).stream().flatMap(f -> f.vdp().items().stream())
                .filter(i -> i instanceof VsiTlv v && v.isResponse() && !((VsiStatus.Response) v.status()).isSuccess())
                .map(i -> ((VsiTlv) i).attached(ReasonDetailTlv.class)).toList())
                .isNotEmpty().allSatisfy(d -> assertThat(d).isNotNull());
    }
}
