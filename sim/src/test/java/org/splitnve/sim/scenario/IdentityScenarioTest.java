package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.ip;
import static org.splitnve.sim.scenario.SplitNveNet.mac;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.Entry;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.TsiRule;
import org.splitnve.sim.EthernetSwitch;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.ParameterTlv;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VnId;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiIdFormat;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * Identity and addressing (ID-1..ID-4, seed 004): VN Name, VN ID and VN Alias; every VSIID format; the
 * cost of the common case on the wire; what L2 and L3 VN service need. Real engines, the in-memory NVA,
 * clean links and 20% loss.
 */
@ExtendWith(PcapOnFailure.class)
class IdentityScenarioTest {
    private SplitNveNet net;
    private NnveNode n1;
    private EthernetSwitch sw;

    private void setUp(double loss) {
        net = SplitNveNet.capturing(61, loss);
        net.vn(5000, "blue", 5000);
        n1 = net.nnve("n1", 1);
        sw = net.switchBefore(n1, 6);
    }

    private TnveNode station(String name, int n, FilterFormat filter) {
        return net.tnveOn(sw, n, name, n1, null, filter);
    }


    /** The VSI TLVs {@code h} sent for {@code id} on its own cable, in order. */
    private List<VsiTlv> sentVsi(TnveNode h, VsiId id) {
        return Frames.vdpFrom(net.sim, h.host().mac(0), c -> c.from() == h.host()).stream().flatMap(f -> f.vdp().items().stream())
                .filter(i -> i instanceof VsiTlv v && !v.isResponse() && v.vsiId().equals(id)).map(i -> (VsiTlv) i)
                .toList();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("ID-1, REQ-5, SM-VAP-2: one VN by its VN Name, VN ID and VN Alias at the NVA; on the wire a VN "
            + "connect by VN ID (tNVE) and one by VN Name (another station) reach the same VAP, tag and VN context; an "
            + "unknown VN Name is refused with its reason")
    void vnNameIdAlias(double loss) {
        setUp(loss);
        UUID name = UUID.nameUUIDFromBytes("vn-5000".getBytes(StandardCharsets.UTF_8));
        VnRecord byId = net.nva.vnById(5000).orElseThrow();
        assertThat(net.nva.vnByName(name)).contains(byId);
        assertThat(net.nva.vnByAlias("blue")).contains(byId);
        assertThat(net.nva.vn(new VnId.Name(name))).contains(byId);
        assertThat(net.nva.vn(VnId.group(5000))).contains(byId);
        assertThat(byId.name()).isEqualTo(name);
        assertThat(byId.alias()).isEqualTo("blue");
        assertThat(net.nva.vnByAlias("no such VN")).isEmpty();

        TnveNode h1 = station("h1", 1, FilterFormat.GROUP_MAC_VID);
        ScriptStation x = net.station("x", mac(2), n1.mac(0), EnumSet.allOf(CapabilityTlv.Feature.class));
        net.link(net.sim.node("x"), 0, sw, 2);

        net.ok(h1.engine().connectVn(5000, List.of(0)));
        UUID unknown = UUID.nameUUIDFromBytes("vn-unknown".getBytes(StandardCharsets.UTF_8));
        x.hello();
        x.submit(VnConnectTlv.request(VnConnectTlv.Operation.CONNECT, new VnId.Name(name), List.of(0)));
        x.submit(VnConnectTlv.request(VnConnectTlv.Operation.CONNECT, new VnId.Name(unknown), List.of(0)));
        net.runFor(SECOND);

        // h1 named the VN by its ID on the wire.
        List<VnConnectTlv> h1Sent = Frames.vdpFrom(net.sim, mac(1), c -> c.from() == h1.host()).stream()
                .flatMap(f -> f.vdp().items().stream()).filter(i -> i instanceof VnConnectTlv).map(i -> (VnConnectTlv) i)
                .toList();
        assertThat(h1Sent).isNotEmpty().allSatisfy(c -> assertThat(c.vn()).isEqualTo(VnId.group(5000)));
        // One VAP for both names of the VN, keyed by its VN ID, one tag for both stations.
        assertThat(n1.engine().vaps()).singleElement().satisfies(v -> {
            assertThat(v.vn().key()).isEqualTo(new VnKey.Id(5000));
            assertThat(v.vn().vni()).isEqualTo(byId.context());
        });
        int tag = n1.engine().vaps().getFirst().tag();
        assertThat(h1.engine().vnTags("nnve", 5000)).containsExactly(tag);
        List<VnConnectTlv> answers = x.received(VnConnectTlv.class);
        assertThat(answers).filteredOn(c -> c.vn().equals(new VnId.Name(name))).isNotEmpty().allSatisfy(c -> {
            assertThat(((VsiStatus.Response) c.status()).isSuccess()).isTrue();
            assertThat(c.localTags()).containsExactly(tag);
            assertThat(c.attached(ParameterTlv.class).parameters()).contains(Parameter.vnContext(byId.context()));
        });
        assertThat(answers).filteredOn(c -> c.vn().equals(new VnId.Name(unknown))).isNotEmpty().allSatisfy(c -> {
            assertThat(((VsiStatus.Response) c.status()).code().value()).isEqualTo(4);
            assertThat(c.attached(ReasonDetailTlv.class).text()).contains("unknown VN Name");
        });
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("ID-2: TSIs named by each VSIID format (UUID, MAC, IPv4, IPv6, locally defined) associate and "
            + "activate, each kept apart at the nNVE and the NVA, each format on the wire")
    void everyVsiIdFormat(double loss) throws Exception {
        setUp(loss);
        TnveNode h1 = station("h1", 1, FilterFormat.GROUP_MAC_VID);
        byte[] local = new byte[16];
        for (int i = 0; i < 16; i++) {
            local[i] = (byte) (0xA0 + i);
        }
        List<VsiId> ids = List.of(
                VsiId.uuid(UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8")),
                VsiId.mac(MacAddress.parse("52:54:00:12:34:56")),
                VsiId.ipv4((Inet4Address) InetAddress.getByName("192.0.2.10")),
                VsiId.ipv6((Inet6Address) InetAddress.getByName("2001:db8::10")),
                VsiId.local(local));
        List<TsiSpec> tsis = new java.util.ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            tsis.add(TsiSpec.of(ids.get(i), 5000, new MacAddress(0x5254_0000_0100L + i), List.of()));
        }

        net.ok(h1.engine().create("vm1", tsis));
        net.ok(h1.engine().start("vm1"));

        assertThat(ids).extracting(VsiId::format).containsExactly(VsiIdFormat.UUID, VsiIdFormat.MAC, VsiIdFormat.IPV4,
                VsiIdFormat.IPV6, VsiIdFormat.LOCAL);
        for (TsiSpec t : tsis) {
            assertThat(n1.state(t)).as("%s", t.id()).isEqualTo(TsiState.ACTIVATED);
            assertThat(net.nva.bindings(t.id())).singleElement()
                    .satisfies(b -> assertThat(b.addresses()).containsExactly(TsiAddress.mac(t.mac())));
            assertThat(sentVsi(h1, t.id())).isNotEmpty().allSatisfy(v -> assertThat(v.vsiId().format())
                    .isEqualTo(t.id().format()));
        }
        assertThat(n1.engine().tsis()).hasSize(5);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("ID-3: TSI -> VN -> MAC -> IP; the common case (one VN, one MAC, one IP) costs one VSI TLV (39 octets, "
            + "the MAC in its filter) and one 21-octet address TLV; activation costs the VSI TLV alone; the NVA finds the "
            + "TSI by its MAC and by its IP in the VN")
    void commonCaseIsCheapest(double loss) throws Exception {
        setUp(loss);
        TnveNode h1 = station("h1", 1, FilterFormat.GROUP_MAC_VID);
        TsiSpec simple = tsi(1, 5000, ip("10.0.0.1"));
        TsiSpec macOnly = tsi(2, 5000);
        TsiSpec richer = tsi(3, 5000, ip("10.0.0.3"), ip("10.0.0.4"), ip("2001:db8::3"));

        net.createAndStart(h1, "vm1", simple);
        net.ok(h1.engine().create("vm2", List.of(macOnly)));
        net.ok(h1.engine().create("vm3", List.of(richer)));

        // The association: one VSI TLV; its attachments: one address TLV with the one IP (the MAC is not
        // repeated), and the migration TLV saying "not a migration" (REQ-13), nothing else.
        VsiTlv associate = sentVsi(h1, simple.id()).getFirst();
        assertThat(associate.mode()).isEqualTo(VsiMode.PRE_ASSOCIATE_RR);
        assertThat(associate.filter().entries()).singleElement()
                .satisfies(e -> assertThat(e.mac()).isEqualTo(simple.mac()));
        assertThat(2 + associate.bodyLength()).isEqualTo(2 + 25 + 12);
        List<TsiAddressTlv> addresses = associate.attached().stream().filter(o -> o instanceof TsiAddressTlv)
                .map(o -> (TsiAddressTlv) o).toList();
        assertThat(addresses).singleElement().satisfies(a -> {
            assertThat(a.addresses()).containsExactly(ip("10.0.0.1"));
            assertThat(a.encodedLength()).isEqualTo(21);
        });
        assertThat(associate.attached()).extracting(o -> (Object) o.getClass()).containsOnly(TsiAddressTlv.class,
                MigrationTlv.class);
        assertThat(associate.encodedLength()).isEqualTo(39 + 21 + MigrationTlv.notMigration().encodedLength());
        // The activation: the VSI TLV alone.
        VsiTlv activate = sentVsi(h1, simple.id()).stream().filter(v -> v.mode() == VsiMode.ASSOCIATE).findFirst()
                .orElseThrow();
        assertThat(activate.attached()).isEmpty();
        assertThat(activate.encodedLength()).isEqualTo(39);
        // Cheaper than anything with more to say, dearer than nothing at all: a MAC alone needs no address TLV.
        VsiTlv macOnlyAssociate = sentVsi(h1, macOnly.id()).getFirst();
        assertThat(macOnlyAssociate.attached()).noneMatch(o -> o instanceof TsiAddressTlv);
        assertThat(sentVsi(h1, richer.id()).getFirst().encodedLength()).isGreaterThan(associate.encodedLength());

        // Containment at the NVA: the VN holds the MAC and the IP, both lead to the TSI.
        List<Entry> byMac = net.nva.lookup(5000, simple.mac());
        List<Entry> byIp = net.nva.lookup(5000, InetAddress.getByName("10.0.0.1"));
        assertThat(byMac).singleElement().satisfies(e -> assertThat(e.instance().vsi()).isEqualTo(simple.id()));
        assertThat(byIp).singleElement().satisfies(e -> assertThat(e.instance().vsi()).isEqualTo(simple.id()));
        assertThat(net.nva.bindings(simple.id())).singleElement().satisfies(b -> {
            assertThat(b.instance().vnId()).isEqualTo(5000);
            assertThat(b.addresses()).containsExactly(TsiAddress.mac(simple.mac()), ip("10.0.0.1"));
        });
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("ID-4, SM-REASON: an L2 VN needs a MAC (an IP optional); an L3 VN needs an IP and a MAC; the NVA "
            + "refuses what falls short, at association and when an update would, and the reason reaches the tNVE")
    void serviceNeeds(double loss) throws Exception {
        setUp(loss);
        VnRecord l3 = VnRecord.of(UUID.nameUUIDFromBytes("vn-7000".getBytes(StandardCharsets.UTF_8)), 7000, "red", 7000,
                VnService.L3);
        net.nva.addVn(l3).orElseThrow();
        net.nva.permitTsi(TsiRule.anyOn(7000));
        TnveNode withMac = station("h1", 1, FilterFormat.GROUP_MAC_VID);
        TnveNode noMac = station("h2", 2, FilterFormat.GROUP_VID);   // its requests carry no MAC

        TsiSpec l2Mac = tsi(1, 5000);                          // L2, MAC only: fine
        TsiSpec l2IpOnly = tsi(2, 5000, ip("10.0.0.2"));       // L2 from h2: an IP, no MAC
        TsiSpec l3MacOnly = tsi(3, 7000);                      // L3, MAC only
        TsiSpec l3IpOnly = tsi(4, 7000, ip("10.7.0.4"));       // L3 from h2: no MAC
        TsiSpec l3Both = tsi(5, 7000, ip("10.7.0.5"));         // L3, MAC and IP: fine

        net.ok(withMac.engine().create("vmL2", List.of(l2Mac)));
        OpResult r2 = net.await(noMac.engine().create("vm2", List.of(l2IpOnly)));
        OpResult r3 = net.await(withMac.engine().create("vm3", List.of(l3MacOnly)));
        OpResult r4 = net.await(noMac.engine().create("vm4", List.of(l3IpOnly)));
        net.ok(withMac.engine().create("vmL3", List.of(l3Both)));

        assertThat(r2.ok()).isFalse();
        assertThat(r2.code()).isEqualTo(1);
        assertThat(r2.detail()).contains("an L2 VN needs a MAC address");
        for (OpResult r : List.of(r3, r4)) {
            assertThat(r.ok()).isFalse();
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.detail()).contains("an L3 VN needs an IP address and a MAC address");
        }
        assertThat(n1.state(l2Mac)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(n1.state(l3Both)).isEqualTo(TsiState.ASSOCIATED);
        for (TsiSpec t : List.of(l2IpOnly, l3MacOnly, l3IpOnly)) {
            assertThat(n1.state(t)).isEqualTo(TsiState.INIT);
            assertThat(net.nva.bindings(t.id())).isEmpty();
        }
        assertThat(net.nva.bindings(l3Both.id()).getFirst().addresses())
                .containsExactly(TsiAddress.mac(l3Both.mac()), ip("10.7.0.5"));

        // Taking the only IP away from the L3 TSI would leave it short: refused, nothing changes.
        OpResult strip = net.await(withMac.engine().updateAddresses("vmL3", l3Both.id(), TsiAddressTlv.Operation.REMOVE,
                List.of(ip("10.7.0.5"))));
        assertThat(strip.ok()).isFalse();
        assertThat(strip.detail()).contains("an L3 VN needs an IP address");
        assertThat(net.nva.bindings(l3Both.id()).getFirst().addresses())
                .containsExactly(TsiAddress.mac(l3Both.mac()), ip("10.7.0.5"));
        assertThat(n1.state(l3Both)).isEqualTo(TsiState.ASSOCIATED);
        // On the L2 VN an IP is optional: added and removed again freely.
        net.ok(withMac.engine().updateAddresses("vmL2", l2Mac.id(), TsiAddressTlv.Operation.ADD, List.of(ip("10.0.0.1"))));
        net.ok(withMac.engine().updateAddresses("vmL2", l2Mac.id(), TsiAddressTlv.Operation.REMOVE, List.of(ip("10.0.0.1"))));
        assertThat(net.nva.bindings(l2Mac.id()).getFirst().addresses()).containsExactly(TsiAddress.mac(l2Mac.mac()));
    }
}
