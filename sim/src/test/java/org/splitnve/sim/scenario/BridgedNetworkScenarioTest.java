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
import org.splitnve.nnve.LocalTagPool;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.Vap;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.LocalTag;
import org.splitnve.sim.CapturedFrame;
import org.splitnve.sim.EthernetSwitch;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * A bridged Ethernet network between end devices and the nNVE (RFC 8394 section 4): VDP crosses
 * ordinary switches when it is addressed to the nNVE's unicast MAC or to a non-reserved group, several
 * end devices share one nNVE port and are told apart by MAC, and they share the VN's local tag.
 */
@ExtendWith(PcapOnFailure.class)
class BridgedNetworkScenarioTest {
    /** A non-reserved multicast group (not 01-80-C2-00-00-0X), locally administered. */
    static final MacAddress GROUP = MacAddress.parse("03:00:5e:53:4e:01");

    private static NnveConfig config(String name, MacAddress multicast, int firstTag, int lastTag) {
        return NnveConfig.simple(name, 1).withTimers(SplitNveNet.TIMERS)
                .withPorts(List.of(new NnveConfig.PortConfig(name + "/0", LocalTagPool.range(firstTag, lastTag), multicast)));
    }


    /** Runs create + start of one VM with one TSI and checks it is activated at the nNVE. */
    private static void createAndStart(SplitNveNet net, TnveNode h, NnveNode n, String vm, TsiSpec t) {
        net.createAndStart(h, vm, t);
        assertThat(h.engine().vmNamed(vm).state()).isEqualTo(VmState.RUNNING);
        assertThat(h.engine().tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(n.state(t)).isEqualTo(TsiState.ACTIVATED);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-1, GAP-1, REQ-12: VDP to the nNVE's unicast MAC crosses two ordinary switches; everything is "
            + "Ethernet frames (ECP, EtherType 0x8940)")
    void unicastAcrossSwitch(double loss) {
        SplitNveNet net = SplitNveNet.capturing(21, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        EthernetSwitch sw = net.bridge("sw", 2);
        EthernetSwitch core = net.bridge("core", 2);
        net.link(h1.host(), 0, sw, 0);
        net.link(sw, 1, core, 0);
        net.link(core, 1, n1.host(), 0);
        net.runFor(SECOND / 10);

        TsiSpec t = tsi(1, 5000);
        createAndStart(net, h1, n1, "vm1", t);
        assertThat(net.nva.bindings(t.id())).singleElement()
                .satisfies(b -> assertThat(b.state()).isEqualTo(EntryState.FORWARDING));
        assertThat(sw.filtered()).as("the switch dropped nothing").isZero();
        assertThat(core.filtered()).as("the switch dropped nothing").isZero();
        assertThat(core.portOf(h1.mac(0))).isZero();
        assertThat(core.portOf(n1.mac(0))).isOne();

        // Every frame crossed the switch as ordinary unicast between the two port MACs.
        List<CapturedFrame> all = net.sim.captured();
        assertThat(all).isNotEmpty();
        for (CapturedFrame c : all) {
            assertThat(c.length()).isBetween(EthernetHeader.MIN_FRAME, EthernetHeader.MAX_FRAME);
            Frame f = c.decode();
            assertThat(f).as("frame %s decodes as ECP/VDP", c).isInstanceOf(Frame.Vdp.class);     // REQ-12
            assertThat(f.ethernet().etherType()).isEqualTo(EcpHeader.ETHERTYPE);
            if (c.source().equals(h1.mac(0))) {
                assertThat(c.destination()).isEqualTo(n1.mac(0));
            } else {
                assertThat(c.source()).isEqualTo(n1.mac(0));
                assertThat(c.destination()).isEqualTo(h1.mac(0));
            }
        }
        assertThat(Frames.decoded(net.sim)).anySatisfy(v -> {
            assertThat(v.captured().to()).isEqualTo(n1.host());
            assertThat(v.vsis()).anySatisfy(x -> assertThat(x.mode()).isEqualTo(VsiMode.ASSOCIATE));
        });
        assertThat(n1.engine().peers()).singleElement().satisfies(p -> assertThat(p.station()).isEqualTo(h1.mac(0)));
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-1, REQ-2, GAP-1: VDP to a configured non-reserved multicast group crosses an ordinary switch; "
            + "two end devices use the group, each answered at its own MAC, neither confused by the other's requests")
    void multicastGroupAcrossSwitch(double loss) {
        SplitNveNet net = SplitNveNet.capturing(22, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve(config("n1", GROUP, 2, 4094));
        TnveNode h1 = net.tnve("h1", GROUP);
        TnveNode h2 = net.tnve("h2", GROUP);
        EthernetSwitch sw = net.behindOneSwitch(h1, h2, n1, 0);
        net.runFor(SECOND / 10);

        TsiSpec t = tsi(1, 5000);
        TsiSpec u = tsi(2, 5000);
        createAndStart(net, h1, n1, "vm1", t);
        createAndStart(net, h2, n1, "vm2", u);
        assertThat(n1.engine().peers()).extracting(p -> p.station()).containsExactlyInAnyOrder(h1.mac(0), h2.mac(0));
        net.ok(h1.engine().shutdown("vm1"));
        assertThat(n1.state(t)).isEqualTo(TsiState.INIT);
        assertThat(n1.state(u)).isEqualTo(TsiState.ACTIVATED);
        assertThat(net.nva.bindings(t.id())).isEmpty();
        assertThat(sw.filtered()).isZero();
        // the end devices' requests went to the group, flooded by the switch (to the nNVE and the other end device)
        List<Frames.Decoded> toNnve = Frames.decoded(net.sim).stream()
                .filter(v -> v.captured().to() == n1.host() && v.request()).toList();
        assertThat(toNnve).isNotEmpty().allSatisfy(v -> assertThat(v.captured().destination()).isEqualTo(GROUP));
        assertThat(Frames.decoded(net.sim)).anySatisfy(v -> {
            assertThat(v.captured().to()).isEqualTo(h2.host());
            assertThat(v.captured().source()).isEqualTo(h1.mac(0));
        });
        // the nNVE answers at each end device's MAC
        assertThat(Frames.decodedFrom(net.sim, n1.host())).allSatisfy(v -> assertThat(v.captured().destination())
                .isIn(h1.mac(0), h2.mac(0)));
        assertThat(h2.reported()).noneMatch(e -> e instanceof org.splitnve.tnve.TnveEvent.RequestFailed);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-1, GAP-1: to the nearest-customer-bridge address (01-80-C2-00-00-00) VDP does not cross an "
            + "ordinary switch: the association fails cleanly, with a reason, and the VM does not run")
    void nearestCustomerBridgeDoesNotCross(double loss) {
        SplitNveNet net = new SplitNveNet(23, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnve("h1", MacAddress.NEAREST_CUSTOMER_BRIDGE);
        EthernetSwitch sw = net.bridge("sw", 2);
        net.link(h1.host(), 0, sw, 0);
        net.link(sw, 1, n1.host(), 0);
        net.runFor(SECOND / 10);

        OpResult r = net.await(h1.engine().create("vm1", List.of(tsi(1, 5000))));
        assertThat(r.ok()).isFalse();
        assertThat(r.code()).as("no answer").isEqualTo(-1);
        assertThat(r.detail()).contains("no acknowledgement");
        assertThat(h1.engine().vmNamed("vm1")).as("a create with no answer leaves nothing (OPS-2)").isNull();
        assertThat(h1.engine().uplinkAlive("nnve")).isFalse();
        assertThat(sw.filtered()).isPositive();
        assertThat(sw.forwarded()).isZero();
        assertThat(n1.engine().peers()).isEmpty();
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(h1.reported()).anySatisfy(e -> assertThat(e.name()).isEqualTo("request.failed"));
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-2, REQ-7: two end devices behind one switch on one nNVE port are kept apart by MAC and share "
            + "the VN's local tag; one leaving does not disturb the other")
    void twoEndDevicesOnePort(double loss) {
        SplitNveNet net = SplitNveNet.capturing(24, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        TnveNode h2 = net.tnve("h2", n1.mac(0));
        net.behindOneSwitch(h1, h2, n1, 0);
        net.runFor(SECOND / 10);

        TsiSpec a = tsi(1, 5000);
        TsiSpec b = tsi(2, 5000);
        createAndStart(net, h1, n1, "vm-a", a);
        createAndStart(net, h2, n1, "vm-b", b);

        // two peers on one port, one per station MAC; each TSI belongs to its own station
        assertThat(n1.engine().peers()).hasSize(2).allSatisfy(p -> assertThat(p.port()).isZero())
                .extracting(p -> p.station()).containsExactlyInAnyOrder(h1.mac(0), h2.mac(0));
        assertThat(n1.engine().instances(a.id())).singleElement().extracting(Tsi::station).isEqualTo(h1.mac(0));
        assertThat(n1.engine().instances(b.id())).singleElement().extracting(Tsi::station).isEqualTo(h2.mac(0));
        // the nNVE answers each end device at its own MAC, about its own TSIs only
        for (Frames.Decoded v : Frames.decodedFrom(net.sim, n1.host())) {
            MacAddress dst = v.captured().destination();
            assertThat(dst).isIn(h1.mac(0), h2.mac(0));
            for (VsiTlv x : v.vsis()) {
                assertThat(x.vsiId()).isEqualTo(dst.equals(h1.mac(0)) ? a.id() : b.id());
            }
        }
        // REQ-7: one VAP, one tag, shared by both end devices behind the port
        Vap vap = n1.engine().vap(0, new VnKey.Id(5000));
        assertThat(vap.state()).isEqualTo(Vap.State.VN_CONNECTED);
        assertThat(vap.tsiAssociated()).isEqualTo(2);
        int tag = vap.tag();
        assertThat(tag).isPositive();
        assertThat(h1.engine().localTag("nnve", a.id())).isEqualTo(tag);
        assertThat(h2.engine().localTag("nnve", b.id())).isEqualTo(tag);
        assertThat(n1.effects()).filteredOn(e -> e instanceof Effect.TagProvision).hasSize(1);

        // h1 goes; h2's TSI, the VAP and the tag stay
        net.ok(h1.engine().shutdown("vm-a"));
        net.runFor(30 * SECOND);
        assertThat(n1.state(a)).isEqualTo(TsiState.INIT);
        assertThat(n1.state(b)).isEqualTo(TsiState.ACTIVATED);
        assertThat(h2.engine().tsiState("nnve", b.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(vap.state()).isEqualTo(Vap.State.VN_CONNECTED);
        assertThat(vap.tsiAssociated()).isEqualTo(1);
        assertThat(vap.tag()).isEqualTo(tag);
        assertThat(n1.effects()).filteredOn(e -> e instanceof Effect.TagProvision).hasSize(1);
        assertThat(net.nva.bindings(a.id())).isEmpty();
        assertThat(net.nva.bindings(b.id())).singleElement()
                .satisfies(x -> assertThat(x.state()).isEqualTo(EntryState.FORWARDING));
        assertThat(h2.reported()).noneSatisfy(e -> assertThat(e.name()).isIn("nnve.initiated", "request.failed"));
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-7, SM-VAP-3, SM-REASON: a null VID is answered with the port's tag for the VN, the same for "
            + "every end device; a tag bound to another VN is refused (5); an exhausted pool is refused (2); tags "
            + "return to the pool when their VN disconnects and are reused")
    void localTags(double loss) {
        SplitNveNet net = SplitNveNet.capturing(25, loss);
        net.vn(5000, "blue", 5000);
        net.vn(5001, "green", 5001);
        net.vn(5002, "red", 5002);
        NnveNode n1 = net.nnve(config("n1", null, 100, 101));    // a pool of two tags
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        TnveNode h2 = net.tnve("h2", n1.mac(0));
        net.behindOneSwitch(h1, h2, n1, 0);
        net.runFor(SECOND / 10);

        TsiSpec a = tsi(1, 5000);
        TsiSpec b = tsi(2, 5000);
        net.ok(h1.engine().create("vm-a", List.of(a)));
        // on the wire: the request carries the null VID, the response the assigned tag
        List<VsiTlv> asked = Frames.vsiRequestsFrom(net.sim, h1.host(), a.id());
        assertThat(asked).isNotEmpty().allSatisfy(v -> assertThat(v.filter().entries())
                .allSatisfy(e -> assertThat(e.isNullVid()).isTrue()));
        List<VsiTlv> answers = Frames.decodedFrom(net.sim, n1.host()).stream().flatMap(v -> v.vsis().stream())
                .filter(v -> v.vsiId().equals(a.id()) && v.isResponse()).toList();
        assertThat(answers).isNotEmpty().allSatisfy(v -> assertThat(v.filter().entries())
                .extracting(FilterEntry::vid).containsOnly(100));
        assertThat(h1.engine().localTag("nnve", a.id())).isEqualTo(100);

        net.ok(h2.engine().create("vm-b", List.of(b)));
        assertThat(h2.engine().localTag("nnve", b.id())).isEqualTo(100);           // same VN, same tag

        OpResult taken = net.await(h2.engine().connectVn(5001, List.of(100)));    // 100 is VN 5000's
        assertThat(taken.ok()).isFalse();
        assertThat(taken.code()).isEqualTo(5);
        assertThat(n1.engine().vap(0, new VnKey.Id(5001))).isNull();

        net.ok(h2.engine().connectVn(5001, List.of(0)));                          // "assign one"
        assertThat(h2.engine().vnTags("nnve", 5001)).containsExactly(101);

        TsiSpec c = tsi(3, 5002);
        OpResult exhausted = net.await(h1.engine().create("vm-c", List.of(c)));
        assertThat(exhausted.ok()).isFalse();
        assertThat(exhausted.code()).isEqualTo(2);
        assertThat(h1.engine().vmNamed("vm-c")).as("a refused create leaves nothing (OPS-2)").isNull();
        assertThat(n1.engine().vap(0, new VnKey.Id(5002))).isNull();

        net.ok(h2.engine().disconnectVn(5001));                                   // 101 returns
        assertThat(n1.engine().vap(0, new VnKey.Id(5001))).isNull();
        TsiSpec d = tsi(4, 5002);
        net.ok(h1.engine().create("vm-d", List.of(d)));
        assertThat(h1.engine().localTag("nnve", d.id())).isEqualTo(101);          // reused

        net.ok(h1.engine().shutdown("vm-a"));
        net.ok(h2.engine().shutdown("vm-b"));                                     // VN 5000 disconnects: 100 returns
        assertThat(n1.engine().vap(0, new VnKey.Id(5000))).isNull();
        net.ok(h2.engine().connectVn(5001, List.of(0)));
        assertThat(h2.engine().vnTags("nnve", 5001)).containsExactly(100);        // reused by another VN

        // end state, the same with and without loss
        assertThat(n1.engine().vaps()).extracting(v -> v.vn().key() + "=" + v.tag())
                .containsExactlyInAnyOrder("vn-id:5001=100", "vn-id:5002=101");
        assertThat(net.nva.localTags(5000)).isEmpty();
        assertThat(net.nva.localTags(5001)).extracting(LocalTag::tag).containsExactly(100);
        assertThat(net.nva.localTags(5002)).extracting(LocalTag::tag).containsExactly(101);
        assertThat(n1.engine().tsis()).extracting(Tsi::id).containsExactly(d.id());
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-2, REQ-1: two stations sending VDP to the nearest-customer-bridge group behind a switch that "
            + "forwards it (a Linux bridge with STP off does): the second station hears the first one's requests "
            + "before anything from the nNVE, and still learns the nNVE, not the other station, as its peer")
    void reservedGroupFloodedBySwitch(double loss) {
        SplitNveNet net = SplitNveNet.capturing(23, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnve("h1", MacAddress.NEAREST_CUSTOMER_BRIDGE);
        TnveNode h2 = net.tnve("h2", MacAddress.NEAREST_CUSTOMER_BRIDGE);
        net.behindOneSwitch(h1, h2, n1, 0).forwardReservedGroups(true);
        net.runFor(SECOND / 10);

        TsiSpec a = tsi(1, 5000);
        TsiSpec b = tsi(2, 5000);
        createAndStart(net, h1, n1, "vmA", a);    // h2, idle, has heard h1's requests to 01:80:c2:00:00:00
        assertThat(net.sim.captured()).anySatisfy(f -> {
            assertThat(f.to()).isSameAs(h2.host());
            assertThat(f.source()).isEqualTo(h1.mac(0));
            assertThat(f.destination()).isEqualTo(MacAddress.NEAREST_CUSTOMER_BRIDGE);
            assertThat(f.delivered()).isTrue();
        });
        createAndStart(net, h2, n1, "vmB", b);
        assertThat(n1.engine().peers()).hasSize(2);
        assertThat(n1.engine().tsis()).hasSize(2).allSatisfy(t -> assertThat(t.state()).isEqualTo(TsiState.ACTIVATED));
        assertThat(h2.reported()).noneSatisfy(e -> assertThat(e.name()).isEqualTo("request.failed"));
    }
}
