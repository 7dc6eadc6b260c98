package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.Frames.hostileTsi;
import static org.splitnve.sim.scenario.Frames.hostileTsiMac;
import static org.splitnve.sim.scenario.Frames.vsi;
import static org.splitnve.sim.scenario.SplitNveNet.mac;
import static org.splitnve.sim.scenario.SplitNveNet.ring;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.LocalTagPool;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.Peer;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.TsiBinding;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.ecp.EcpEvent;
import org.splitnve.sim.EthernetSwitch;
import org.splitnve.sim.LinkProfile;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VnId;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * SEC-4: bad input (malformed, truncated, wrong lengths, forged, out-of-state, oversized, flooding) is refused
 * with a reason or dropped, is logged, never stops the nNVE and never touches the TSIs of other end devices.
 * An authenticated station h1 runs its VMs while a hostile end device on the same port (and a fuzzer cabled
 * to a second port) do their worst; h1's state at the nNVE and the NVA is compared before and after.
 */
@ExtendWith(PcapOnFailure.class)
class HostileInputScenarioTest {
    private static final NnveConfig.Limits LIMITS = new NnveConfig.Limits(50, 16, 64);
    private static final int FIRST_FLOOD_VN = 10_001;
    private static final int FLOOD_VNS = 5_000;
    /** The hostile station's ECP: R = 7, so its flood arrives the same on a lossy link. */
    private static final Timers HOSTILE_TIMERS = new Timers(7, 8, 20, 20);

    private SplitNveNet net;
    private NnveNode n1;
    private TnveNode h1;
    private ScriptStation hostile;
    private ScriptStation fuzzer;
    private final MacAddress hostileMac = mac(0x66);
    private final MacAddress fuzzerMac = mac(0x77);
    private TsiSpec a1;
    private TsiSpec a2;
    private TsiSpec b1;

    /** h1's TSIs as the nNVE and the NVA hold them, to compare before and after. */
    private record Snapshot(Map<VsiId, String> nnve, Map<VsiId, List<TsiBinding>> nva, int tag) {
    }

    private void setUp(double loss) throws Exception {
        setUp(loss, LIMITS);
    }

    private void setUp(double loss, NnveConfig.Limits limits) throws Exception {
        net = SplitNveNet.capturing(51, loss);
        net.vn(5000, "blue", 5000);
        for (int vn = FIRST_FLOOD_VN; vn < FIRST_FLOOD_VN + FLOOD_VNS; vn++) {
            net.vn(vn, "flood-" + vn, vn);
        }
        n1 = net.nnve("n1", 2, ring(1, 1), Set.of(hostileMac, fuzzerMac), limits);
        EthernetSwitch sw = net.bridge("sw", 4);
        net.link(sw, 0, n1.host(), 0);
        h1 = net.tnve("h1", mac(1), n1.mac(0), ring(1, 1), FilterFormat.GROUP_MAC_VID);
        net.link(h1.host(), 0, sw, 1);
        hostile = net.station("x", hostileMac, n1.mac(0), EnumSet.allOf(CapabilityTlv.Feature.class), HOSTILE_TIMERS);
        net.sim.connect(net.sim.node("x"), 0, sw, 2, net.profile());
        // The fuzzer is cabled to port 1 itself: frames shorter than an Ethernet header reach the nNVE too.
        fuzzer = net.station("fuzz", fuzzerMac, n1.mac(1), Set.of());
        net.sim.connect(net.sim.node("fuzz"), 0, n1.host(), 1, LinkProfile.CLEAN);

        a1 = tsi(1, 5000, TsiAddress.host(InetAddress.getByName("10.0.0.1")), TsiAddress.host(InetAddress.getByName("2001:db8::1")));
        a2 = tsi(2, 5000);
        b1 = tsi(3, 5000, TsiAddress.host(InetAddress.getByName("10.0.0.3")));
        net.createAndStart(h1, "vmA", a1, a2);
        net.ok(h1.engine().create("vmB", List.of(b1)));
    }

    private Snapshot snapshot() {
        Map<VsiId, String> nnve = new HashMap<>();
        Map<VsiId, List<TsiBinding>> nva = new HashMap<>();
        for (TsiSpec t : List.of(a1, a2, b1)) {
            List<Tsi> inst = n1.engine().instances(t.id()).stream().filter(i -> i.station().equals(mac(1))).toList();
            assertThat(inst).hasSize(1);
            Tsi i = inst.getFirst();
            nnve.put(t.id(), i.state() + " " + i.port() + " " + i.addresses() + " " + i.filter() + " " + i.vap().tag());
            nva.put(t.id(), net.nva.bindings(t.id()));
        }
        return new Snapshot(nnve, nva, h1.engine().localTag("nnve", a1.id()));
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SEC-4, SEC-3, SM-REASON: random octets, truncated TLVs, wrong lengths, forged frames, a station asking "
            + "for 5,000 VNs and more TSIs and addresses than its limits, out-of-state requests, thousands of requests "
            + "and a flood of spoofed sources: the nNVE keeps running, answers what it can with reason codes, logs the "
            + "rest, and the other station's TSIs and NVA entries are untouched")
    void hostileInputLeavesOthersUntouched(double loss) throws Exception {
        setUp(loss);
        Snapshot before = snapshot();
        SplittableRandom rnd = new SplittableRandom(77);

        // 1. A station asking for 5,000 VNs (all known to the NVA): 16 connected, every other one refused.
        hostile.hello();
        List<VnConnectTlv> connects = new ArrayList<>();
        for (int vn = FIRST_FLOOD_VN; vn < FIRST_FLOOD_VN + FLOOD_VNS; vn++) {
            connects.add(VnConnectTlv.request(VnConnectTlv.Operation.CONNECT, VnId.group(vn), List.of(0)));
        }
        hostile.submitAll(connects);
        net.runFor(3 * SECOND);
        Map<Long, VnConnectTlv> vnAnswers = new HashMap<>();
        for (VnConnectTlv c : hostile.received(VnConnectTlv.class)) {
            vnAnswers.put(((VnId.Group) c.vn()).unsigned(), c);
        }
        assertThat(vnAnswers).hasSize(FLOOD_VNS);
        assertThat(vnAnswers.values()).filteredOn(c -> ((VsiStatus.Response) c.status()).isSuccess()).hasSize(16)
                .allSatisfy(c -> assertThat(c.localTags()).hasSize(1));
        assertThat(vnAnswers.values()).filteredOn(c -> !((VsiStatus.Response) c.status()).isSuccess())
                .hasSize(FLOOD_VNS - 16).allSatisfy(c -> {
                    assertThat(((VsiStatus.Response) c.status()).code().value()).isEqualTo(2);
                    assertThat(c.attached(ReasonDetailTlv.class).text()).contains("limit of 16 VNs");
                });
        long connected = vnAnswers.entrySet().stream().filter(e -> ((VsiStatus.Response) e.getValue().status()).isSuccess())
                .mapToLong(Map.Entry::getKey).min().orElseThrow();

        // 2. More TSIs than allowed, one with too many addresses, out-of-state and malformed requests, requests
        //    naming h1's TSIs, and 2,000 validate-only requests: thousands of items in one go.
        List<VdpItem> flood = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            flood.add(vsi(VsiMode.PRE_ASSOCIATE_RR, hostileTsi(i), connected, hostileTsiMac(i), List.of()));
        }
        List<TsiAddress> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(TsiAddress.host(InetAddress.getByAddress(new byte[] {10, 66, 0, (byte) i})));
        }
        List<TsiAddressTlv> fragments = TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, 9, many, 480);
        for (int f = 0; f < fragments.size(); f++) {
            flood.add(vsi(VsiMode.PRE_ASSOCIATE_RR, hostileTsi(1), connected, hostileTsiMac(1), List.of(fragments.get(f))));
        }
        flood.add(vsi(VsiMode.PRE_ASSOCIATE_RR, hostileTsi(300), connected, hostileTsiMac(300),
                List.of(new DeactivateTlv(false, DeactivateTlv.Cause.SUSPEND))));      // never associated
        flood.add(new VsiTlv(VsiMode.ASSOCIATE, VsiStatus.Request.PLAIN, 1, 1, hostileTsi(3),
                Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid((int) connected, hostileTsiMac(3), 0),
                        FilterEntry.groupMacVid(5000, hostileTsiMac(3), 0)), List.of()));  // two VNs in one TLV
        flood.add(VnConnectTlv.request(VnConnectTlv.Operation.DISCONNECTED, VnId.group(connected), List.of()));
        for (TsiSpec t : List.of(a1, a2, b1)) {
            flood.add(vsi(VsiMode.DE_ASSOCIATE, t.id(), 5000, t.mac(), List.of()));     // h1's TSIs, another station
        }
        for (int i = 0; i < 2000; i++) {
            flood.add(vsi(VsiMode.PRE_ASSOCIATE, hostileTsi(10_000 + i), connected, hostileTsiMac(10_000 + i), List.of()));
        }
        hostile.submitAll(flood);

        // 3. Octets: random frames, random payloads behind a valid ECP header, every truncation and length
        //    error of a valid request, to port 1 (the fuzzer) and through h1's switch (the hostile station).
        byte[] valid = Frames.vdp(n1.mac(1), fuzzerMac, EcpHeader.request(7), new VdpPdu(ManagerId.ofText("fuzz"),
                List.of(), List.of(vsi(VsiMode.PRE_ASSOCIATE_RR, hostileTsi(500), 5000, hostileTsiMac(500), List.of(
                        fragments.getFirst()))), null), false);
        // A well-formed request the nNVE once crashed on: addresses for a TSI whose filter has no MAC.
        fuzzer.sendRaw(Frames.vdp(n1.mac(1), fuzzerMac, EcpHeader.request(3), new VdpPdu(ManagerId.ofText("fuzz"),
                List.of(CapabilityTlv.all()), List.of(new VsiTlv(VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Request.PLAIN, 1, 1,
                        hostileTsi(501), Filter.of(FilterFormat.GROUP_VID, FilterEntry.groupVid(5000, 0)),
                        List.of(TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, 11, List.of(many.getFirst()), 480)
                                .getFirst()))), null)));
        int injected = 0;
        List<byte[]> octets = new ArrayList<>(Frames.noise(rnd, valid, 300, 0, 1519));  // random; addressed to n1, ECP, random VDP
        octets.addAll(Frames.truncations(valid, 0, valid.length));                      // every truncation
        octets.addAll(Frames.lengthErrors(valid));                                      // every TLV length one off, or garbage
        for (byte[] f : octets) {
            fuzzer.sendRaw(f);
            injected++;
        }
        // Through h1's port: h1's MAC with a made-up tag, and with no authentication at all.
        VdpPdu deassociateA1 = new VdpPdu(ManagerId.ofText("h1"), List.of(), List.of(vsi(VsiMode.DE_ASSOCIATE, a1.id(),
                5000, a1.mac(), List.of())), null);
        for (int i = 0; i < 20; i++) {
            hostile.sendRaw(Frames.forged(n1.mac(0), mac(1), 1000 + i, deassociateA1, 1, 5_000_000L + i, i));
            hostile.sendRaw(Frames.vdp(n1.mac(0), mac(1), EcpHeader.request(2000 + i), deassociateA1));
        }
        // A flood of spoofed sources, each a new end device the port makes authenticate.
        for (int i = 0; i < 500; i++) {
            MacAddress spoofed = new MacAddress(0x02AB_0000_0000L | i);
            hostile.sendRaw(Frames.vdp(n1.mac(0), spoofed, EcpHeader.request(1), new VdpPdu(ManagerId.ofText("spoof"),
                    List.of(), List.of(vsi(VsiMode.PRE_ASSOCIATE_RR, hostileTsi(20_000 + i), 5000, spoofed, List.of())),
                    null)));
        }
        net.runFor(5 * SECOND);

        // The nNVE runs, and answered what it could, with reasons.
        List<VsiTlv> answers = hostile.vsiResponses();
        Set<VsiId> accepted = new HashSet<>();
        Set<VsiId> refusedForLimit = new HashSet<>();
        for (VsiTlv v : answers) {
            VsiStatus.Response r = (VsiStatus.Response) v.status();
            if (v.mode() == VsiMode.PRE_ASSOCIATE_RR && r.isSuccess()) {
                accepted.add(v.vsiId());
            } else if (r.code().value() == 2) {
                refusedForLimit.add(v.vsiId());
            }
        }
        assertThat(hostile.undelivered).isEmpty();
        long hostileTsis = n1.engine().tsis().stream().filter(t -> t.station().equals(hostileMac)).count();
        assertThat(hostileTsis).isEqualTo(LIMITS.tsisPerPeer());
        assertThat(accepted).hasSizeGreaterThanOrEqualTo(LIMITS.tsisPerPeer());
        assertThat(refusedForLimit).hasSizeGreaterThanOrEqualTo(200 - LIMITS.tsisPerPeer());
        assertThat(answers).anySatisfy(v -> {           // the TSI with 100 addresses
            assertThat(v.vsiId()).isEqualTo(hostileTsi(1));
            assertThat(((VsiStatus.Response) v.status()).code().value()).isEqualTo(2);
            assertThat(v.attached(ReasonDetailTlv.class).text()).contains("at most 64");
        });
        assertThat(answers).anySatisfy(v -> {           // deactivate of a TSI that is not there
            assertThat(v.vsiId()).isEqualTo(hostileTsi(300));
            assertThat(((VsiStatus.Response) v.status()).code().value()).isEqualTo(4);
        });
        assertThat(answers).anySatisfy(v -> {           // one VSI TLV naming two VNs
            assertThat(v.vsiId()).isEqualTo(hostileTsi(3));
            assertThat(((VsiStatus.Response) v.status()).code().value()).isEqualTo(1);
        });
        assertThat(answers).filteredOn(v -> v.mode() == VsiMode.PRE_ASSOCIATE).hasSizeGreaterThanOrEqualTo(2000);
        assertThat(hostile.received(VnConnectTlv.class)).anySatisfy(c -> {
            assertThat(c.operation()).isEqualTo(VnConnectTlv.Operation.DISCONNECTED);
            assertThat(((VsiStatus.Response) c.status()).code().value()).isEqualTo(1);
        });
        assertThat(fuzzer.vsiResponses()).anySatisfy(v -> {   // answered, not crashed on
            assertThat(v.vsiId()).isEqualTo(hostileTsi(501));
            assertThat(((VsiStatus.Response) v.status()).code().value()).isEqualTo(1);
            assertThat(v.attached(ReasonDetailTlv.class).text()).contains("needs a MAC");
        });
        // Dropped and logged: frames that do not decode, frames that fail authentication.
        assertThat(n1.events().of(NnveEvent.BadInput.class)).hasSizeGreaterThan(injected / 4)
                .allSatisfy(e -> assertThat(e.error()).isNotBlank());
        assertThat(n1.events().of(EcpEvent.AuthRefused.class)).filteredOn(e -> e.peer().equals(mac(1)))
                .extracting(EcpEvent.AuthRefused::verdict).contains("BAD_TAG", "MISSING");
        assertThat(n1.events().of(EcpEvent.AuthRefused.class)).filteredOn(e -> e.verdict().equals("MISSING"))
                .extracting(EcpEvent.AuthRefused::peer).hasSizeGreaterThan(100);
        assertThat(n1.engine().tsis()).noneMatch(t -> (t.station().value() & 0xFFFF_0000_0000L) == 0x02AB_0000_0000L);

        // h1: untouched, and served as before.
        assertThat(snapshot()).isEqualTo(before);
        net.ok(h1.engine().suspend("vmA"));
        net.ok(h1.engine().resume("vmA"));
        net.ok(h1.engine().start("vmB"));
        assertThat(h1.engine().vmNamed("vmA").state()).isEqualTo(VmState.RUNNING);
        assertThat(n1.engine().instances(b1.id()).getFirst().state()).isEqualTo(TsiState.ACTIVATED);

        // The flood of spoofed end devices does not stay: idle peers are dropped; h1's keep-alives hold its TSIs.
        net.runFor(40 * SECOND);
        assertThat(n1.engine().peers()).extracting(p -> p.station()).doesNotContain(new MacAddress(0x02AB_0000_0000L))
                .contains(mac(1));
        assertThat(n1.engine().peers()).hasSizeLessThan(10);
        Set<MacAddress> spoofedUp = new HashSet<>();
        n1.events().of(NnveEvent.PeerUp.class).stream().map(NnveEvent.PeerUp::station)
                .filter(m -> (m.value() & 0xFFFF_0000_0000L) == 0x02AB_0000_0000L).forEach(spoofedUp::add);
        assertThat(spoofedUp).hasSizeGreaterThan(300);
        assertThat(n1.events().of(NnveEvent.PeerLost.class)).filteredOn(e -> e.reason().contains("never authenticated"))
                .extracting(NnveEvent.PeerLost::station).containsExactlyInAnyOrderElementsOf(spoofedUp);
        assertThat(n1.engine().instances(a1.id()).getFirst().state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.engine().instances(b1.id()).getFirst().state()).isEqualTo(TsiState.ACTIVATED);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SEC-4, SEC-3: the tNVE facing a hostile nNVE (random octets, truncated and mis-sized frames, answers "
            + "to nothing, notices for TSIs it lacks, a refusal) keeps running, logs what it drops, reports the refusal "
            + "with its reason and keeps its VMs' state as the answers say")
    void tnveSurvivesHostileNnve(double loss) throws Exception {
        net = SplitNveNet.capturing(53, loss);
        MacAddress evilMac = mac(0x99);
        TnveNode h9 = net.tnve("h9", mac(9), evilMac, null, FilterFormat.GROUP_MAC_VID);
        ScriptStation evil = net.station("evil", evilMac, mac(9), EnumSet.allOf(CapabilityTlv.Feature.class));
        net.link(h9.host(), 0, net.sim.node("evil"), 0);
        TsiSpec t1 = tsi(1, 5000);
        TsiSpec t2 = tsi(2, 5000);
        SplittableRandom rnd = new SplittableRandom(99);

        evil.hello();
        var c1 = h9.engine().create("vm1", List.of(t1));
        net.runFor(SECOND / 10);
        VsiTlv asked = evil.received(VsiTlv.class).stream().filter(v -> v.vsiId().equals(t1.id())).findFirst().orElseThrow();
        // Noise first: answers to nothing, notices for TSIs h9 does not have, a VN it never connected.
        evil.submit(new VsiTlv(VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Response.SUCCESS, 1, 1, hostileTsi(1), asked.filter(),
                List.of()));
        evil.submit(vsi(VsiMode.DE_ASSOCIATE, hostileTsi(2), 5000, hostileTsiMac(2), List.of()));
        evil.submit(vsi(VsiMode.PRE_ASSOCIATE_RR, hostileTsi(3), 5000, hostileTsiMac(3),
                List.of(new DeactivateTlv(false, DeactivateTlv.Cause.ADMINISTRATIVE))));
        evil.submit(new VnConnectTlv(VsiStatus.Request.PLAIN, VnConnectTlv.Operation.DISCONNECTED, VnId.group(6000),
                List.of(), List.of()));
        // Octets.
        byte[] valid = Frames.vdp(mac(9), evilMac, EcpHeader.request(9), new VdpPdu(ManagerId.ofText("evil"), List.of(), List.of(
                new VsiTlv(VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Response.SUCCESS, 1, 1, t2.id(), asked.filter(), List.of())),
                null), false);
        int injected = 0;
        List<byte[]> octets = new ArrayList<>(Frames.noise(rnd, valid, 200, 0, 1519));
        octets.addAll(Frames.truncations(valid, 14, valid.length - 1));
        for (byte[] f : octets) {
            evil.sendRaw(f);
            injected++;
        }
        // Then the real answer: refused, with a reason.
        evil.submit(new VsiTlv(asked.mode(), VsiStatus.Response.refused(ReasonCode.INSUFFICIENT_RESOURCES),
                asked.typeId(), asked.typeVersion(), asked.vsiId(), asked.filter(),
                List.of(new ReasonDetailTlv(NnveEngine.DETAIL_LIMIT, "no room for you"))));
        OpResult r1 = net.await(c1);

        assertThat(r1.ok()).isFalse();
        assertThat(r1.code()).isEqualTo(2);
        assertThat(r1.detail()).contains("no room for you");
        assertThat(h9.engine().vmNamed("vm1")).as("a refused create leaves nothing (OPS-2)").isNull();
        assertThat(h9.engine().tsiState("nnve", t1.id())).isEqualTo(TnveEngine.TsiState.INIT);
        assertThat(h9.engine().tsiState("nnve", hostileTsi(1))).isEqualTo(TnveEngine.TsiState.INIT);
        // SEC-5 (issue 12 changes what this asserted): frames that do not decode are no longer logged one line
        // each; the first from a source is, the rest are counted into one input.dropped line per interval.
        long decodeLines = h9.events().of(TnveEvent.RequestFailed.class).stream()
                .filter(e -> e.request().equals("decode")).count();
        assertThat(decodeLines).isBetween(1L, 3L);

        // Still working: the next VM is answered and associated.
        var c2 = h9.engine().create("vm2", List.of(t2));
        net.runFor(SECOND / 10);
        VsiTlv asked2 = evil.received(VsiTlv.class).stream().filter(v -> v.vsiId().equals(t2.id()) && !v.isResponse())
                .findFirst().orElseThrow();
        evil.submit(new VsiTlv(asked2.mode(), VsiStatus.Response.SUCCESS, asked2.typeId(), asked2.typeVersion(),
                asked2.vsiId(), Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid(5000, t2.mac(), 100)),
                List.of()));
        assertThat(net.await(c2).ok()).isTrue();
        assertThat(h9.engine().tsiState("nnve", t2.id())).isEqualTo(TnveEngine.TsiState.ASSOCIATED);
        assertThat(h9.engine().localTag("nnve", t2.id())).isEqualTo(100);
        // One interval later: what was not logged is counted, in one summary line per source.
        net.runFor(11 * SECOND);
        long summarized = h9.events().of(TnveEvent.InputDropped.class).stream().mapToLong(TnveEvent.InputDropped::count)
                .sum();
        assertThat(h9.events().of(TnveEvent.InputDropped.class)).hasSizeLessThanOrEqualTo(3);
        assertThat(decodeLines + summarized + h9.engine().foreignFrames(0)).isGreaterThan(injected / 4);
    }

    /**
     * SEC-4 / SM-TSI-7 gap: a second end device that activates a TSI ID another end device holds on the
     * same nNVE takes over the TSI's NVA entries (NvaMove), which is what a move between two hypervisors
     * behind one nNVE needs (SM-TSI-7, no remove-then-add churn). Nothing ties a TSI to the end device that
     * hosts it: the NVA's policy (TsiRule) authorises a TSI on a VN, not on an end device, so a hostile but
     * authorised end device can claim a TSI ID it does not host. Only a migration arrival moves the entries (SM-TSI-7); this claim carries none.
     */
    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SEC-4: another end device activating a TSI ID that h1 holds, without a migration arrival, does not "
            + "take its NVA entries")
    void claimingAnotherStationsTsi(double loss) throws Exception {
        setUp(loss);
        Snapshot before = snapshot();
        hostile.hello();
        hostile.submit(vsi(VsiMode.ASSOCIATE, a1.id(), 5000, a1.mac(), List.of()));
        net.runFor(SECOND);
        assertThat(net.nva.bindings(a1.id())).isEqualTo(before.nva().get(a1.id()));
    }

    // ------------------------------------------------------------------ issue 12: resources one peer can hold

    /** A plain nNVE (no keys) on {@code ports} ports with these limits, and a scripted hostile station. */
    private NnveNode plainNnve(int ports, NnveConfig.Limits limits) {
        net = SplitNveNet.capturing(61, 0.0);
        net.vn(5000, "blue", 5000);
        return net.nnve(NnveConfig.simple("n1", ports).withTimers(SplitNveNet.TIMERS).withLimits(limits));
    }

    private static List<TsiAddress> ipv4s(int first, int n) throws Exception {
        List<TsiAddress> out = new ArrayList<>(n);
        for (int i = first; i < first + n; i++) {
            out.add(TsiAddress.host(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i})));
        }
        return out;
    }

    private static Peer peerOf(NnveNode n, MacAddress station) {
        return n.engine().peers().stream().filter(p -> p.station().equals(station)).findFirst().orElse(null);
    }

    @Test
    @DisplayName("SEC-5, SEC-4: address fragments sent without LAST (2,000 of them, over 100 TSIs) are capped per change, "
            + "per end device and per port as they arrive, refused with reason 2 and a detail, dropped when no LAST "
            + "comes within a keep-alive timeout; the other station's TSIs are untouched")
    void fragmentsWithoutLastAreCapped() throws Exception {
        NnveConfig.Limits limits = LIMITS.withFragments(8, 4096, 32, 4096, 65_536);
        setUp(0.0, limits);
        Snapshot before = snapshot();
        hostile.hello();
        // Phase 1: small fragments (2 addresses) meet the count limits; phase 2: large ones (30) the octets.
        for (int phase = 1; phase <= 2; phase++) {
            int perFragment = phase == 1 ? 2 : 30;
            List<VdpItem> flood = new ArrayList<>();
            for (int tsi = 1; tsi <= 50; tsi++) {
                for (int f = 0; f < 20; f++) {
                    TsiAddressTlv frag = new TsiAddressTlv(TsiAddressTlv.Operation.ADD, phase, f, false,
                            ipv4s(tsi * 1000 + f * 30, perFragment));
                    flood.add(vsi(VsiMode.ASSOCIATE, hostileTsi(tsi), 5000, hostileTsiMac(tsi), List.of(frag)));
                }
            }
            int answered = hostile.vsiResponses().size();
            hostile.submitAll(flood);
            int maxFragments = 0;
            long maxOctets = 0;
            for (int i = 0; i < 30; i++) {
                net.runFor(SECOND / 10);
                Peer p = peerOf(n1, hostileMac);
                maxFragments = Math.max(maxFragments, p.stagedFragments());
                maxOctets = Math.max(maxOctets, p.stagedOctets());
            }
            System.out.printf("phase %d: %d fragments sent; most staged at once: %d fragments, %d octets%n", phase,
                    flood.size(), maxFragments, maxOctets);
            assertThat(maxFragments).isPositive().isLessThanOrEqualTo(32);
            assertThat(maxOctets).isLessThanOrEqualTo(4096);
            List<String> why = hostile.vsiResponses().subList(answered, hostile.vsiResponses().size()).stream()
                    .filter(v -> ((VsiStatus.Response) v.status()).code().value() == 2)
                    .map(v -> v.attached(ReasonDetailTlv.class).text()).toList();
            assertThat(why).isNotEmpty();
            if (phase == 1) {
                assertThat(why).anySatisfy(t -> assertThat(t).contains("in more than 8 fragments"));
                assertThat(why).anySatisfy(t -> assertThat(t).contains("address fragments staged, at most 32"));
            } else {
                assertThat(why).anySatisfy(t -> assertThat(t).contains("addresses in one change, at most 64"));
                assertThat(why).anySatisfy(t -> assertThat(t).contains("octets of address fragments staged, at most 4096"));
            }
            // No LAST ever comes: a keep-alive timeout later nothing is staged any more, and that was logged.
            net.runFor(20 * SECOND);
            assertThat(peerOf(n1, hostileMac)).satisfiesAnyOf(p -> assertThat(p).isNull(),
                    p -> assertThat(p.stagedFragments()).isZero());
        }
        assertThat(n1.events().of(NnveEvent.Refused.class)).anySatisfy(e ->
                assertThat(e.toString()).contains("no LAST fragment"));
        assertThat(snapshot()).isEqualTo(before);
        net.ok(h1.engine().suspend("vmA"));
    }

    @Test
    @DisplayName("SEC-6, SEC-5: an address change of 601 fragments naming 12,020 distinct addresses is refused at the "
            + "fragment that passes the per-TSI limit, before LAST: the nNVE never holds or merges more than the limit; "
            + "a change within the limit still applies")
    void addressChangeIsRefusedAsSoonAsTheLimitIsPassed() throws Exception {
        setUp(0.0, LIMITS);
        hostile.hello();
        hostile.submit(vsi(VsiMode.ASSOCIATE, hostileTsi(1), 5000, hostileTsiMac(1), List.of()));
        net.runFor(SECOND);
        List<VdpItem> change = new ArrayList<>();
        for (int f = 0; f <= 600; f++) {
            TsiAddressTlv frag = new TsiAddressTlv(TsiAddressTlv.Operation.ADD, 9, f, f == 600, ipv4s(f * 20, 20));
            change.add(vsi(VsiMode.ASSOCIATE, hostileTsi(1), 5000, hostileTsiMac(1), List.of(frag)));
        }
        hostile.submitAll(change);
        long t0 = System.nanoTime();
        int maxFragments = 0;
        for (int i = 0; i < 50; i++) {
            net.runFor(SECOND / 10);
            maxFragments = Math.max(maxFragments, peerOf(n1, hostileMac).stagedFragments());
        }
        System.out.printf("601-fragment address change: %d ms of simulation (engine and harness)%n",
                (System.nanoTime() - t0) / 1_000_000);
        // 20 addresses a fragment, at most 64 (LIMITS): the fourth fragment passes the limit.
        assertThat(maxFragments).isLessThanOrEqualTo(3);
        List<VsiTlv> answers = hostile.vsiResponses().stream().filter(v -> v.vsiId().equals(hostileTsi(1))).toList();
        assertThat(answers).anySatisfy(v -> {
            assertThat(((VsiStatus.Response) v.status()).code().value()).isEqualTo(2);
            assertThat(v.attached(ReasonDetailTlv.class).text()).contains("addresses in one change, at most 64");
        });
        assertThat(n1.engine().instances(hostileTsi(1)).getFirst().addresses()).hasSize(1);
        // Within the limit: applied.
        List<TsiAddressTlv> ok = TsiAddressTlv.split(TsiAddressTlv.Operation.ADD, 10, ipv4s(50_000, 40), 480);
        for (TsiAddressTlv frag : ok) {
            hostile.submit(vsi(VsiMode.ASSOCIATE, hostileTsi(1), 5000, hostileTsiMac(1), List.of(frag)));
        }
        net.runFor(SECOND);
        assertThat(n1.engine().instances(hostileTsi(1)).getFirst().addresses()).hasSize(41);
    }

    @Test
    @DisplayName("SEC-5: VN connects carrying extra local tags (valid ones, one outside the pool, more than 32) cannot "
            + "exhaust a shared port scope: tags are checked before any is reserved, all or nothing, within quotas per "
            + "end device and per port; the victim on another port of the scope gets its VN; the operator's release "
            + "returns the hostile station's tags")
    void vnConnectCannotExhaustLocalTags() throws Exception {
        net = SplitNveNet.capturing(62, 0.0);
        net.vn(5000, "blue", 5000);
        for (int vn = FIRST_FLOOD_VN; vn < FIRST_FLOOD_VN + 60; vn++) {
            net.vn(vn, "flood-" + vn, vn);
        }
        java.util.BitSet pool = LocalTagPool.range(100, 199);
        NnveConfig cfg = NnveConfig.simple("n1", 2).withTimers(SplitNveNet.TIMERS)
                .withPorts(List.of(new NnveConfig.PortConfig("shared", pool, null),
                        new NnveConfig.PortConfig("shared", pool, null)))
                .withLimits(new NnveConfig.Limits(50, 64, 64).withTags(20, 40));
        n1 = net.nnve(cfg);
        hostile = net.station("x", hostileMac, n1.mac(0), EnumSet.allOf(CapabilityTlv.Feature.class), HOSTILE_TIMERS);
        net.sim.connect(net.sim.node("x"), 0, n1.host(), 0, LinkProfile.CLEAN);
        h1 = net.tnve("h1", mac(1), n1.mac(1), null, FilterFormat.GROUP_MAC_VID);
        net.link(h1.host(), 0, n1.host(), 1);

        hostile.hello();
        List<VnConnectTlv> connects = new ArrayList<>();
        int next = 100;
        for (int vn = FIRST_FLOOD_VN; vn < FIRST_FLOOD_VN + 60; vn++) {
            List<Integer> tags = new ArrayList<>(List.of(0));
            for (int k = 0; k < 3; k++) {
                tags.add(100 + (next++ % 100));
            }
            if (vn % 7 == 0) {
                tags.add(3000); // outside the pool: the whole connect is refused, nothing kept
            }
            connects.add(VnConnectTlv.request(VnConnectTlv.Operation.CONNECT, VnId.group(vn), tags));
        }
        // A VN it holds already, 31 more tags: more than 32 for one VN (the nNVE once threw building the answer).
        List<Integer> tooMany = new ArrayList<>(List.of(0));
        for (int t = 150; t < 181; t++) {
            tooMany.add(t);
        }
        connects.add(VnConnectTlv.request(VnConnectTlv.Operation.CONNECT, VnId.group(FIRST_FLOOD_VN), tooMany));
        hostile.submitAll(connects);
        net.runFor(3 * SECOND);

        assertThat(n1.engine().tagsHeldBy(0, hostileMac)).isLessThanOrEqualTo(20);
        assertThat(hostile.received(VnConnectTlv.class)).hasSize(61);
        assertThat(hostile.received(VnConnectTlv.class)).filteredOn(c -> !((VsiStatus.Response) c.status()).isSuccess())
                .isNotEmpty().allSatisfy(c -> assertThat(c.attached(ReasonDetailTlv.class)).isNotNull());
        List<String> why = hostile.received(VnConnectTlv.class).stream()
                .filter(c -> !((VsiStatus.Response) c.status()).isSuccess())
                .map(c -> c.attached(ReasonDetailTlv.class).text()).toList();
        assertThat(why).anySatisfy(t -> assertThat(t).contains("local tags, at most 20"));
        assertThat(why).anySatisfy(t -> assertThat(t).contains("not in this port's tag pool"));
        assertThat(why).anySatisfy(t -> assertThat(t).contains("at most 32 local tags"));
        int held = n1.engine().vaps().stream().mapToInt(v -> v.tags().size()).sum();
        assertThat(held).isEqualTo(n1.engine().tagsHeldBy(0, hostileMac));

        // The victim on the other port of the scope: served.
        TsiSpec v1 = tsi(1, 5000);
        net.ok(h1.engine().create("vm1", List.of(v1)));
        assertThat(n1.engine().instances(v1.id()).getFirst().vap().tag()).isBetween(100, 199);

        // The operator releases what the hostile station holds: its tags return to the pool.
        int freed = n1.engine().releaseTags(0, hostileMac, "hostile");
        assertThat(freed).isEqualTo(held);
        assertThat(n1.engine().tagsHeldBy(0, hostileMac)).isZero();
        assertThat(n1.engine().vaps()).singleElement().satisfies(v -> assertThat(v.vn().key().toString()).contains("5000"));
        net.runFor(SECOND);
        assertThat(hostile.received(VnConnectTlv.class)).filteredOn(c -> c.operation() == VnConnectTlv.Operation.DISCONNECTED)
                .hasSize(freed / 4 + (freed % 4 == 0 ? 0 : 1));
    }

    @Test
    @DisplayName("SEC-9: an empty ECPDU forged with a station's next sequence number does not make the nNVE drop the "
            + "station's real request as a duplicate: the VM is created as if nothing had happened")
    void forgedSequenceNumberDoesNotSwallowARequest() throws Exception {
        NnveNode n = plainNnve(1, LIMITS);
        EthernetSwitch sw = net.bridge("sw", 3);
        net.link(sw, 0, n.host(), 0);
        TnveNode h = net.tnve("h1", mac(1), n.mac(0), null, FilterFormat.GROUP_MAC_VID);
        net.link(h.host(), 0, sw, 1);
        ScriptStation x = net.station("x", hostileMac, n.mac(0), Set.of());
        net.sim.connect(net.sim.node("x"), 0, sw, 2, LinkProfile.CLEAN);
        net.ok(h.engine().create("vm1", List.of(tsi(1, 5000))));
        int last = Frames.vdpFrom(net.sim, mac(1), c -> true).stream().filter(v -> v.ecp().operation() == EcpOperation.REQUEST)
                .mapToInt(v -> v.ecp().sequence()).max().orElseThrow();
        x.sendRaw(Frames.vdp(n.mac(0), mac(1), EcpHeader.request(last + 1), VdpPdu.EMPTY));
        net.ok(h.engine().create("vm2", List.of(tsi(2, 5000))));
        assertThat(n.engine().instances(tsi(2, 5000).id())).singleElement()
                .satisfies(t -> assertThat(t.state()).isEqualTo(TsiState.ASSOCIATED));
    }

    @Test
    @DisplayName("SEC-5: 3,000 requests from a made-up station that never acknowledges queue at most the per-peer limit "
            + "of answers; once it is silent for a keep-alive timeout it is dropped with its queue")
    void answersToAStationThatNeverAcknowledgesAreCapped() throws Exception {
        NnveNode n = plainNnve(1, LIMITS.withResponsesPerPeer(32));
        ScriptStation x = net.station("x", hostileMac, n.mac(0), Set.of());
        net.sim.connect(net.sim.node("x"), 0, n.host(), 0, LinkProfile.CLEAN);
        MacAddress forged = new MacAddress(0x02CC_0000_0001L);
        int most = 0;
        for (int i = 0; i < 3000; i++) {
            x.sendRaw(Frames.vdp(n.mac(0), forged, EcpHeader.request(1 + (i & 0xFFFF)), new VdpPdu(ManagerId.ofText("f"),
                    List.of(), List.of(vsi(VsiMode.PRE_ASSOCIATE, hostileTsi(i + 1), 5000, hostileTsiMac(i + 1), List.of())),
                    null)));
            if (i % 100 == 0) {
                net.runFor(SECOND / 100);
                Peer p = peerOf(n, forged);
                most = Math.max(most, p == null ? 0 : p.ecp().queued());
            }
        }
        net.runFor(SECOND / 100);
        Peer p = peerOf(n, forged);
        assertThat(p).isNotNull();
        most = Math.max(most, p.ecp().queued());
        System.out.printf("answers queued for a station that never acknowledges: at most %d%n", most);
        assertThat(most).isLessThanOrEqualTo(32);
        long timeout = p.ecp().timers().bridgeKeepAliveTimeoutNanos();
        net.runFor(timeout + SECOND);
        assertThat(peerOf(n, forged)).isNull();
        assertThat(n.events().of(NnveEvent.PeerLost.class)).anySatisfy(e -> assertThat(e.station()).isEqualTo(forged));
        assertThat(n.events().of(NnveEvent.Refused.class)).filteredOn(e -> e.station().equals(forged)).hasSizeLessThan(10);
    }

    @Test
    @DisplayName("SEC-10: an LLDPDU with EVB R 7, RTE 31, RKA 31 from one station does not become the timers of other "
            + "end devices, and its own are clamped (RKA at most 22: no forged TSI lives for hours without keep-alive)")
    void lldpTimersArePerStationAndClamped() throws Exception {
        NnveNode n = plainNnve(1, LIMITS);
        EthernetSwitch sw = net.bridge("sw", 3).forwardReservedGroups(true);
        net.link(sw, 0, n.host(), 0);
        TnveNode h = net.tnve("h1", mac(1), n.mac(0), null, FilterFormat.GROUP_MAC_VID);
        net.link(h.host(), 0, sw, 1);
        ScriptStation x = net.station("x", hostileMac, n.mac(0), EnumSet.allOf(CapabilityTlv.Feature.class));
        net.sim.connect(net.sim.node("x"), 0, sw, 2, LinkProfile.CLEAN);
        x.sendRaw(FrameCodec.DEFAULT.encode(new Frame.Lldp(new EthernetHeader(MacAddress.NEAREST_CUSTOMER_BRIDGE,
                hostileMac, LldpPdu.ETHERTYPE), LldpPdu.ofMac(hostileMac, 120, List.of(EvbTlv.station(7, 31, 31, 31, true)))),
                true));
        net.runFor(SECOND / 10);
        net.ok(h.engine().create("vm1", List.of(tsi(1, 5000))));
        x.hello();
        net.runFor(SECOND / 10);
        assertThat(peerOf(n, mac(1)).ecp().timers()).isEqualTo(SplitNveNet.TIMERS);
        Timers own = peerOf(n, hostileMac).ecp().timers();
        assertThat(own).isEqualTo(SplitNveNet.TIMERS.negotiate(Timers.PEER_MAX));
        assertThat(own.bridgeKeepAliveTimeoutNanos()).isLessThan(120 * SECOND);
    }

    @Test
    @DisplayName("SEC-5, SEC-4: a tNVE behind a switch that floods 5,000 malformed VDP frames from another station to "
            + "the group address drops them before decoding (a counter, no log line each) and keeps serving its VMs")
    void tnveDropsFramesFromOtherSourcesBeforeDecoding() throws Exception {
        NnveNode n = plainNnve(1, LIMITS);
        EthernetSwitch sw = net.bridge("sw", 3).forwardReservedGroups(true);
        net.link(sw, 0, n.host(), 0);
        TnveNode h = net.tnve("h1", mac(1), n.mac(0), null, FilterFormat.GROUP_MAC_VID);
        net.link(h.host(), 0, sw, 1);
        ScriptStation x = net.station("x", hostileMac, n.mac(0), Set.of());
        net.sim.connect(net.sim.node("x"), 0, sw, 2, LinkProfile.CLEAN);
        net.ok(h.engine().create("vm1", List.of(tsi(1, 5000))));
        byte[] valid = Frames.vdp(MacAddress.NEAREST_CUSTOMER_BRIDGE, hostileMac, EcpHeader.request(5), new VdpPdu(
                ManagerId.ofText("x"), List.of(), List.of(vsi(VsiMode.ASSOCIATE, hostileTsi(1), 5000, hostileTsiMac(1),
                        List.of())), null), false);
        List<byte[]> junk = new ArrayList<>(Frames.noise(new SplittableRandom(5), valid, 2500, 14, 1515));
        int sent = 0;
        for (byte[] f : junk) {
            System.arraycopy(valid, 0, f, 0, Math.min(14, f.length)); // to the group address, from the hostile MAC
            x.sendRaw(f);
            sent++;
        }
        net.runFor(SECOND);
        net.ok(h.engine().start("vm1"));
        assertThat(h.engine().foreignFrames(0)).isGreaterThanOrEqualTo(sent);
        assertThat(h.events().of(TnveEvent.RequestFailed.class)).filteredOn(e -> e.request().equals("decode")).isEmpty();
    }
}
