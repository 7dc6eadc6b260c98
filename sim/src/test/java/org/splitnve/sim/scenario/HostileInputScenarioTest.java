package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.Frames.hostileTsi;
import static org.splitnve.sim.scenario.Frames.hostileTsiMac;
import static org.splitnve.sim.scenario.Frames.vsi;
import static org.splitnve.sim.scenario.SecureNet.mac;
import static org.splitnve.sim.scenario.SecureNet.ring;
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
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.NnveConfig;
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

    private SecureNet s;
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
        s = new SecureNet(51, loss);
        net = s.net;
        net.vn(5000, "blue", 5000);
        for (int vn = FIRST_FLOOD_VN; vn < FIRST_FLOOD_VN + FLOOD_VNS; vn++) {
            net.vn(vn, "flood-" + vn, vn);
        }
        n1 = s.nnve("n1", 2, ring(1, 1), Set.of(hostileMac, fuzzerMac), LIMITS);
        EthernetSwitch sw = net.bridge("sw", 4);
        net.link(sw, 0, n1.host(), 0);
        h1 = s.tnve("h1", mac(1), n1.mac(0), ring(1, 1), FilterFormat.GROUP_MAC_VID);
        net.link(h1.host(), 0, sw, 1);
        hostile = s.station("x", hostileMac, n1.mac(0), EnumSet.allOf(CapabilityTlv.Feature.class), HOSTILE_TIMERS);
        net.sim.connect(net.sim.node("x"), 0, sw, 2, net.profile());
        // The fuzzer is cabled to port 1 itself: frames shorter than an Ethernet header reach the nNVE too.
        fuzzer = s.station("fuzz", fuzzerMac, n1.mac(1), Set.of());
        net.sim.connect(net.sim.node("fuzz"), 0, n1.host(), 1, LinkProfile.CLEAN);

        a1 = tsi(1, 5000, TsiAddress.host(InetAddress.getByName("10.0.0.1")), TsiAddress.host(InetAddress.getByName("2001:db8::1")));
        a2 = tsi(2, 5000);
        b1 = tsi(3, 5000, TsiAddress.host(InetAddress.getByName("10.0.0.3")));
        net.ok(h1.engine().create("vmA", List.of(a1, a2)));
        net.ok(h1.engine().start("vmA"));
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
        s = new SecureNet(53, loss);
        net = s.net;
        MacAddress evilMac = mac(0x99);
        TnveNode h9 = s.tnve("h9", mac(9), evilMac, null, FilterFormat.GROUP_MAC_VID);
        ScriptStation evil = s.station("evil", evilMac, mac(9), EnumSet.allOf(CapabilityTlv.Feature.class));
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
        assertThat(h9.events().of(TnveEvent.RequestFailed.class))
                .filteredOn(e -> e.request().equals("decode")).hasSizeGreaterThan(injected / 4);

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
    @DisplayName("SEC-4, SEC-1: another end device activating a TSI ID that h1 holds, without a migration arrival, does not "
            + "take its NVA entries")
    void claimingAnotherStationsTsi(double loss) throws Exception {
        setUp(loss);
        Snapshot before = snapshot();
        hostile.hello();
        hostile.submit(vsi(VsiMode.ASSOCIATE, a1.id(), 5000, a1.mac(), List.of()));
        net.runFor(SECOND);
        assertThat(net.nva.bindings(a1.id())).isEqualTo(before.nva().get(a1.id()));
    }
}
