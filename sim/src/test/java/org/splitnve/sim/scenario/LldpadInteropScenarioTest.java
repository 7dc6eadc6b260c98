package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.TIMERS;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.ProvisioningMode;
import org.splitnve.nva.TsiRecord;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.sim.Host;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.lldpad.LldpadBridge;
import org.splitnve.sim.lldpad.LldpadStation;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveConfig;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.UnknownOrgTlv;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;

/**
 * Interoperability with standard VDP peers that behave as lldpad 1.1 does on the wire
 * (../shared/docs/lldpad-as-a-peer.md; {@link LldpadStation}, {@link LldpadBridge}): no extensions, one VSI
 * TLV per ECPDU, 2 ms between ECPDUs, keep-alives, and lldpad's quirks.
 */
@ExtendWith(PcapOnFailure.class)
class LldpadInteropScenarioTest {
    private static final MacAddress NCB = MacAddress.NEAREST_CUSTOMER_BRIDGE;

    // ------------------------------------------------------------------ lldpad station against our nNVE

    private record StationNet(SplitNveNet net, NnveNode n1, Host host, LldpadStation station) {
    }

    private static StationNet stationNet(long seed, double loss) {
        SplitNveNet net = new SplitNveNet(seed, loss);
        net.vn(5000, "blue", 5000);    // VSI type 5 maps to VN 5000 (the fixture's VSI Manager database)
        net.vn(5001, "green", 5001);
        return station(net);
    }

    private static StationNet station(SplitNveNet net) {
        net.sim.capture(true);
        NnveNode n1 = net.nnve("n1", 1);
        LldpadStation st = net.lldpad("lldpad", n1.mac(0));
        Host host = net.host("lldpad");
        net.link(host, 0, n1.host(), 0);
        net.runFor(SECOND / 10);
        return new StationNet(net, n1, host, st);
    }

    private static VsiId vsi(int n) {
        return VsiId.uuid(new UUID(0x1d1d_0000_0000_4000L | n, 0x8000_0000_0000_0000L | n));
    }

    private static MacAddress mac(int n) {
        return new MacAddress(0x5254_00aa_0000L | n);
    }

    /** vdptool -W: sends one request and waits for its answer (at most 30 virtual seconds). */
    private static LldpadStation.Vsi ask(StationNet s, VsiMode mode, int typeId, VsiId id, Filter filter) {
        assertThat(s.station.request(mode, typeId, id, filter)).as("vdptool accepts the request").isTrue();
        long limit = s.net.sim.now() + 30 * SECOND;
        while (s.station.vsi(id).waiting() && s.net.sim.now() < limit) {
            s.net.sim.step(limit);
        }
        LldpadStation.Vsi v = s.station.vsi(id);
        assertThat(v.waiting()).as("answered").isFalse();
        assertThat(v.lastResponse()).as("a response came").isNotNull();
        return v;
    }

    private static LldpadStation.Vsi ask(StationNet s, VsiMode mode, VsiId id, Filter filter) {
        return ask(s, mode, LldpadStation.DEFAULT_TYPE_ID, id, filter);
    }

    private static int answeredVid(LldpadStation.Vsi v) {
        return v.answeredFilter().entries().getFirst().vid();
    }


    /** What the nNVE sent the standard station: no splitnve TLV at all, one VSI TLV per ECPDU. */
    private static void standardSubset(StationNet s) {
        List<Frames.Decoded> sent = Frames.requestsFrom(s.net.sim, s.n1.host());
        assertThat(sent).isNotEmpty().allSatisfy(v -> {
            assertThat(v.frame().vdp().header()).isEmpty();
            assertThat(v.items()).hasSize(1);
            assertThat(v.vsis()).allSatisfy(x -> assertThat(x.attached()).isEmpty());
            assertThat(v.captured().destination()).isEqualTo(s.host.mac(0));
        });
        // At most one: a station that holds nothing and stays silent for a keep-alive timeout is dropped (SEC-5).
        assertThat(s.n1.engine().peers()).hasSizeLessThanOrEqualTo(1).allSatisfy(p -> assertThat(p.extensions()).isFalse());
        assertThat(s.station.lostInBuffer()).as("ECPDUs lost in lldpad's 2 ms buffer").isZero();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-7, REQ-12, SEC-2, ID-4 (lldpad station): Associate with all four filter formats; null VIDs "
            + "answered with the nNVE's tag, the same tag for the same VN, another for another VN; a VID bound to "
            + "another VN refused (5); without a MAC, a trusted L2 VN refuses (1) and a validated one takes the MAC "
            + "from the NVA; a plain VLAN accepted; the nNVE answers with the standard subset only")
    void stationFilterFormats(double loss) {
        SplitNveNet net = new SplitNveNet(71, loss);
        // VN 5000 (VSI type 5) is validated: the NVA holds each TSI's MAC, the station need not send it (SEC-2)
        net.nva.addVn(VnRecord.of(UUID.nameUUIDFromBytes("vn-5000".getBytes(StandardCharsets.UTF_8)), 5000, "blue",
                5000, VnService.L2).withMode(ProvisioningMode.VALIDATED)).orElseThrow();
        for (int i : new int[] {1, 2, 3, 5}) {
            net.nva.putTsiRecord(TsiRecord.of(vsi(i), 5000, TsiAddress.mac(mac(i))));
        }
        net.vn(5001, "green", 5001);   // trusted
        StationNet s = station(net);

        LldpadStation.Vsi a = ask(s, VsiMode.ASSOCIATE, vsi(1), Filter.of(FilterFormat.VID, FilterEntry.vid(0)));
        assertThat(a.lastResponse().isSuccess()).isTrue();
        int tag = s.n1.engine().vap(0, new VnKey.Id(5000)).tag();
        assertThat(tag).isPositive();
        assertThat(answeredVid(a)).isEqualTo(tag);
        assertThat(net.nva.lookup(5000, mac(1))).as("the MAC from the NVA's record").singleElement()
                .satisfies(x -> assertThat(x.state()).isEqualTo(EntryState.FORWARDING));

        LldpadStation.Vsi b = ask(s, VsiMode.ASSOCIATE, vsi(2), Filter.of(FilterFormat.MAC_VID, FilterEntry.macVid(mac(2), 0)));
        assertThat(b.lastResponse().isSuccess()).isTrue();
        assertThat(answeredVid(b)).isEqualTo(tag);
        assertThat(b.answeredFilter().entries().getFirst().mac()).isEqualTo(mac(2));

        LldpadStation.Vsi c = ask(s, VsiMode.PRE_ASSOCIATE_RR, vsi(3),
                Filter.of(FilterFormat.GROUP_VID, FilterEntry.groupVid(5000, 0)));
        assertThat(c.lastResponse().isSuccess()).isTrue();
        assertThat(answeredVid(c)).isEqualTo(tag);
        assertThat(net.nva.lookup(5000, mac(3))).singleElement().satisfies(x -> assertThat(x.state()).isEqualTo(EntryState.MAPPING));

        LldpadStation.Vsi d = ask(s, VsiMode.ASSOCIATE, vsi(4),
                Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid(5001, mac(4), 0)));
        assertThat(d.lastResponse().isSuccess()).isTrue();
        int other = s.n1.engine().vap(0, new VnKey.Id(5001)).tag();
        assertThat(answeredVid(d)).isEqualTo(other).isNotEqualTo(tag);

        LldpadStation.Vsi e = ask(s, VsiMode.ASSOCIATE, vsi(5), Filter.of(FilterFormat.VID, FilterEntry.vid(tag)));
        assertThat(e.lastResponse().isSuccess()).as("the VN's own tag, named").isTrue();
        assertThat(answeredVid(e)).isEqualTo(tag);

        LldpadStation.Vsi f = ask(s, VsiMode.ASSOCIATE, vsi(6),
                Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid(5001, mac(6), tag)));
        assertThat(f.lastResponse().isSuccess()).isFalse();
        assertThat(f.lastResponse().code().value()).as("VN 5000's tag asked for VN 5001").isEqualTo(5);
        assertThat(f.live()).isFalse();

        LldpadStation.Vsi h = ask(s, VsiMode.ASSOCIATE, vsi(8), Filter.of(FilterFormat.GROUP_VID, FilterEntry.groupVid(5001, 0)));
        assertThat(h.lastResponse().isSuccess()).as("no MAC for a trusted L2 VN (ID-4)").isFalse();
        assertThat(h.lastResponse().code().value()).isEqualTo(1);

        LldpadStation.Vsi g = ask(s, VsiMode.ASSOCIATE, 9, vsi(7), Filter.of(FilterFormat.VID, FilterEntry.vid(300)));
        assertThat(g.lastResponse().isSuccess()).as("a plain VLAN, VSI type 9 maps to no VN").isTrue();
        assertThat(answeredVid(g)).isEqualTo(300);
        assertThat(s.n1.engine().vap(0, new VnKey.Vlan(300)).tag()).isEqualTo(300);

        assertThat(s.n1.state(vsi(1))).isEqualTo(TsiState.ACTIVATED);
        assertThat(s.n1.state(vsi(2))).isEqualTo(TsiState.ACTIVATED);
        assertThat(s.n1.state(vsi(3))).isEqualTo(TsiState.ASSOCIATED);
        assertThat(s.n1.state(vsi(4))).isEqualTo(TsiState.ACTIVATED);
        assertThat(s.n1.state(vsi(5))).isEqualTo(TsiState.ACTIVATED);
        assertThat(s.n1.state(vsi(6))).isEqualTo(TsiState.INIT);
        assertThat(s.n1.state(vsi(7))).isEqualTo(TsiState.ACTIVATED);
        assertThat(s.n1.state(vsi(8))).isEqualTo(TsiState.INIT);
        assertThat(s.n1.engine().instances(vsi(1)).getFirst().vap().vn().key()).isEqualTo(new VnKey.Id(5000));
        assertThat(net.nva.lookup(5000, mac(2))).singleElement().satisfies(x -> assertThat(x.state()).isEqualTo(EntryState.FORWARDING));
        assertThat(net.nva.lookup(5001, mac(4))).singleElement().satisfies(x -> assertThat(x.state()).isEqualTo(EntryState.FORWARDING));
        // lldpad's requests: one Manager ID and one VSI TLV each, nothing else
        assertThat(Frames.requestsFrom(net.sim, s.host)).allSatisfy(v -> {
            assertThat(v.frame().vdp().managerId()).isEqualTo(ManagerId.ofText("blade"));
            assertThat(v.vsis()).hasSize(1);
        });
        standardSubset(s);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-8, REQ-9, SM-TIMER (lldpad station): Pre-Associate validates only, Pre-Associate-RR associates, "
            + "Associate activates, Associate -> Pre-Associate is refused, De-Associate releases; keep-alives keep the "
            + "VSIs for minutes; the nNVE's own De-Associate reaches the station, which lets go")
    void stationModesAndKeepAlive(double loss) {
        StationNet s = stationNet(72, loss);
        Filter fp = Filter.of(FilterFormat.MAC_VID, FilterEntry.macVid(mac(1), 0));
        LldpadStation.Vsi p = ask(s, VsiMode.PRE_ASSOCIATE, vsi(1), fp);
        assertThat(p.lastResponse().isSuccess()).isTrue();
        assertThat(s.n1.engine().tsis()).as("Pre-Associate reserves nothing").isEmpty();

        Filter fq = Filter.of(FilterFormat.MAC_VID, FilterEntry.macVid(mac(2), 0));
        assertThat(ask(s, VsiMode.PRE_ASSOCIATE_RR, vsi(2), fq).lastResponse().isSuccess()).isTrue();
        assertThat(s.n1.state(vsi(2))).isEqualTo(TsiState.ASSOCIATED);
        assertThat(s.net.nva.lookup(5000, mac(2))).singleElement().satisfies(x -> assertThat(x.state()).isEqualTo(EntryState.MAPPING));
        assertThat(ask(s, VsiMode.ASSOCIATE, vsi(2), fq).lastResponse().isSuccess()).isTrue();
        assertThat(s.n1.state(vsi(2))).isEqualTo(TsiState.ACTIVATED);
        LldpadStation.Vsi back = ask(s, VsiMode.PRE_ASSOCIATE_RR, vsi(2), fq);     // Associate -> Pre-Associate
        assertThat(back.lastResponse().isSuccess()).isFalse();
        assertThat(s.n1.state(vsi(2))).as("the refused request changed nothing").isEqualTo(TsiState.ACTIVATED);
        assertThat(ask(s, VsiMode.ASSOCIATE, vsi(2), fq).lastResponse().isSuccess()).isTrue();   // lldpad's state again

        Filter fr = Filter.of(FilterFormat.MAC_VID, FilterEntry.macVid(mac(3), 0));
        assertThat(ask(s, VsiMode.ASSOCIATE, vsi(3), fr).lastResponse().isSuccess()).isTrue();
        Filter fs = Filter.of(FilterFormat.MAC_VID, FilterEntry.macVid(mac(4), 0));
        assertThat(ask(s, VsiMode.ASSOCIATE, vsi(4), fs).lastResponse().isSuccess()).isTrue();
        assertThat(ask(s, VsiMode.DE_ASSOCIATE, vsi(4), fs).lastResponse().isSuccess()).isTrue();
        assertThat(s.n1.state(vsi(4))).isEqualTo(TsiState.INIT);
        assertThat(s.station.vsi(vsi(4)).live()).isFalse();
        assertThat(s.station.request(VsiMode.DE_ASSOCIATE, vsi(9), fs)).as("vdptool: never associated").isFalse();

        // keep-alives: five minutes of virtual time, nothing lost
        int sent = s.station.requestsSent();
        s.net.runFor(300 * SECOND);
        assertThat(s.n1.state(vsi(2))).isEqualTo(TsiState.ACTIVATED);
        assertThat(s.n1.state(vsi(3))).isEqualTo(TsiState.ACTIVATED);
        assertThat(s.station.requestsSent() - sent).as("keep-alives sent").isGreaterThanOrEqualTo(2 * 27);
        assertThat(s.station.givenUp()).isZero();
        assertThat(s.station.vsi(vsi(2)).live()).isTrue();

        // the nNVE de-associates one on its own, and "deactivates" the other (a standard peer is de-associated)
        assertThat(s.n1.engine().deassociate(vsi(2), "administrator")).isEqualTo(1);
        assertThat(s.n1.engine().deactivate(vsi(3), "policy")).isEqualTo(1);
        s.net.runFor(60 * SECOND);
        for (VsiId id : List.of(vsi(2), vsi(3))) {
            // at least once: when ECP gives up (acknowledgements lost), the nNVE sends the item again
            assertThat(s.station.vsi(id).unsolicitedDeassociates()).isPositive();
            assertThat(s.station.vsi(id).live()).isFalse();
            assertThat(s.n1.state(id)).isEqualTo(TsiState.INIT);
        }
        assertThat(s.n1.engine().tsis()).isEmpty();
        assertThat(s.net.nva.bindings(vsi(2))).isEmpty();
        standardSubset(s);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-6, REQ-9 (lldpad station): the nNVE de-associates several VSIs at once; it paces its ECPDUs "
            + "more than 2 ms apart, so lldpad processes every De-Associate")
    void stationNnvePacing(double loss) {
        StationNet s = stationNet(73, loss);
        for (int i = 1; i <= 4; i++) {
            assertThat(ask(s, VsiMode.ASSOCIATE, vsi(i), Filter.of(FilterFormat.MAC_VID, FilterEntry.macVid(mac(i), 0)))
                    .lastResponse().isSuccess()).isTrue();
        }
        long at = s.net.sim.now();
        assertThat(s.n1.engine().disconnectVn(new VnKey.Id(5000), "administrator")).isEqualTo(4);
        s.net.runFor(30 * SECOND);
        for (int i = 1; i <= 4; i++) {
            assertThat(s.station.vsi(vsi(i)).unsolicitedDeassociates()).as("VSI %d", i).isPositive();
            assertThat(s.station.vsi(vsi(i)).live()).isFalse();
        }
        List<Long> times = Frames.requestsFrom(s.net.sim, s.n1.host()).stream().filter(v -> v.nanos() >= at)
                .map(Frames.Decoded::nanos).toList();
        assertThat(times).hasSizeGreaterThanOrEqualTo(4);
        for (int i = 1; i < times.size(); i++) {
            assertThat(times.get(i) - times.get(i - 1)).as("gap before ECPDU %d", i).isGreaterThan(2_000_000L);
        }
        assertThat(s.n1.engine().tsis()).isEmpty();
        assertThat(s.n1.engine().vaps()).isEmpty();
        standardSubset(s);
    }

    // ------------------------------------------------------------------ our tNVE against an lldpad bridge

    private static Frame decodeAsLldpad(Frames.Decoded v) {
        try {
            return LldpadBridge.CODEC.decode(v.captured().frame());
        } catch (DecodeException e) {
            throw new AssertionError("lldpad could not parse " + v.captured() + ": " + e.getMessage(), e);
        }
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-8, REQ-12, SM-TIMER (lldpad bridge): the tNVE's associations are accepted and kept alive; one "
            + "VSI TLV per ECPDU, more than 2 ms apart, no extension TLV on any VSI; the bridge's late unsolicited "
            + "De-Associate after a De-Associate is harmless; a suspend (Associate -> Pre-Associate) is refused cleanly")
    void tnveAgainstLldpadBridge(double loss) {
        SplitNveNet net = SplitNveNet.capturing(74, loss);
        Host bh = net.sim.addHost("lldpad", 1, io -> new LldpadBridge(net.sim.clock(), io, net.sim.eventSink("lldpad"), TIMERS));
        LldpadBridge bridge = bh.agent(LldpadBridge.class);
        TnveConfig cfg = new TnveConfig("h1", List.of(new TnveConfig.Uplink("lldpad", 0, NCB, null, FilterFormat.MAC_VID, null)),
                Map.of(), TIMERS, VdpCodec.DEFAULT_OUI, EnumSet.allOf(CapabilityTlv.Feature.class), ManagerId.ofText("h1"));
        TnveNode h1 = net.tnve(cfg, 1);
        net.link(h1.host(), 0, bh, 0);
        net.runFor(SECOND / 10);

        List<TsiSpec> tsis = new ArrayList<>();
        List<CompletableFuture<OpResult>> creating = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            TsiSpec t = tsi(i, 5000);
            tsis.add(t);
            creating.add(h1.engine().create("vm" + i, List.of(t)));     // all at once: the tNVE queues and paces
        }
        creating.forEach(net::ok);
        List<CompletableFuture<OpResult>> starting = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            starting.add(h1.engine().start("vm" + i));
        }
        starting.forEach(net::ok);
        assertThat(h1.engine().uplinkHasExtensions("lldpad")).isFalse();
        assertThat(bridge.live()).hasSize(5).allSatisfy((id, v) -> assertThat(v.mode()).isEqualTo(VsiMode.ASSOCIATE));
        for (TsiSpec t : tsis) {
            assertThat(h1.engine().tsiState("lldpad", t.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        }

        // keep-alives: three minutes, the bridge keeps all
        net.runFor(180 * SECOND);
        assertThat(bridge.live()).hasSize(5);
        assertThat(Frames.requestsFrom(net.sim, bh).stream().flatMap(v -> v.vsis().stream()).filter(v -> !v.isResponse()))
                .as("no unsolicited De-Associate from the bridge").isEmpty();

        // Associate -> Pre-Associate: lldpad refuses it; the VM keeps running, the TSI stays activated
        OpResult suspend = net.await(h1.engine().suspend("vm2"));
        assertThat(suspend.ok()).isFalse();
        assertThat(suspend.code()).isEqualTo(1);
        assertThat(h1.engine().vmNamed("vm2").state()).isEqualTo(VmState.RUNNING);
        assertThat(bridge.live().get(tsis.get(1).id()).mode()).isEqualTo(VsiMode.ASSOCIATE);
        long refused = net.sim.now();

        // De-Associate; a keep-alive timeout later (about 17 s at lldpad's default timers) lldpad still sends an
        // unsolicited De-Associate: harmless
        long shut = net.sim.now();
        net.ok(h1.engine().shutdown("vm1"));
        assertThat(bridge.live()).hasSize(4).doesNotContainKey(tsis.getFirst().id());
        int reportedBefore = h1.reported().size();
        net.runFor(60 * SECOND);
        assertThat(Frames.requestsFrom(net.sim, bh).stream()
                .filter(v -> v.nanos() >= shut + TIMERS.bridgeKeepAliveTimeoutNanos())
                .flatMap(v -> v.vsis().stream())).as("the late unsolicited De-Associate")
                .anySatisfy(v -> {
                    assertThat(v.mode()).isEqualTo(VsiMode.DE_ASSOCIATE);
                    assertThat(v.vsiId()).isEqualTo(tsis.getFirst().id());
                });
        assertThat(h1.reported().subList(reportedBefore, h1.reported().size()))
                .noneMatch(e -> e instanceof TnveEvent.NnveInitiated || e instanceof TnveEvent.RequestFailed);
        for (TsiSpec t : tsis.subList(1, 5)) {
            assertThat(h1.engine().tsiState("lldpad", t.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        }
        assertThat(bridge.live()).hasSize(4);
        // the running VM's keep-alives after the refused suspend do not say "suspended" (S bit)
        assertThat(Frames.requestsFrom(net.sim, h1.host()).stream().filter(v -> v.nanos() > refused)
                .flatMap(v -> v.vsis().stream()).filter(v -> v.vsiId().equals(tsis.get(1).id()))
                .filter(v -> v.mode() == VsiMode.ASSOCIATE))
                .isNotEmpty().allSatisfy(v -> {
                    assertThat(((org.splitnve.wire.vdp.VsiStatus.Request) v.status()).suspended()).isFalse();
                });

        // on the wire: one VSI TLV per ECPDU, no extension on any VSI, ECPDUs more than 2 ms apart
        List<Frames.Decoded> sent = Frames.requestsFrom(net.sim, h1.host());
        assertThat(sent).hasSizeGreaterThan(20).allSatisfy(v -> {
            assertThat(v.vsis().size()).isLessThanOrEqualTo(1);
            assertThat(v.items()).hasSameSizeAs(v.vsis());
            assertThat(v.vsis()).allSatisfy(x -> assertThat(x.attached()).isEmpty());
            assertThat(v.captured().destination()).isEqualTo(NCB);
            // the only splitnve TLVs: the announcement in the header (capability, session) ...
            assertThat(v.frame().vdp().header()).allSatisfy(h -> assertThat(h).isInstanceOfAny(CapabilityTlv.class,
                    SessionTlv.class));
            // ... which a peer that does not know the OUI sees as another organisation's TLVs, and skips
            Frame seen = decodeAsLldpad(v);
            assertThat(seen).isInstanceOf(Frame.Vdp.class);
            assertThat(((Frame.Vdp) seen).vdp().header()).allSatisfy(h -> assertThat(h).isInstanceOf(UnknownOrgTlv.class));
            assertThat(((Frame.Vdp) seen).vdp().items()).allSatisfy(i -> assertThat(i.attached()).isEmpty());
        });
        for (int i = 1; i < sent.size(); i++) {
            assertThat(sent.get(i).nanos() - sent.get(i - 1).nanos()).as("gap before ECPDU %d", i).isGreaterThan(2_000_000L);
        }
        assertThat(bridge.lostInBuffer()).as("ECPDUs lost in lldpad's 2 ms buffer").isZero();
    }
}
