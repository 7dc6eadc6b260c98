package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.await;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.DaemonLab.vns;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.daemon.netns.DaemonLab.Bridge;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.Vap;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.TsiBinding;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.transport.WireTap;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * The daemons on real frames through a Linux bridge (an ordinary switch) in network namespaces: one
 * station and its nNVE, VDP addressed to the nearest customer bridge, to the nNVE's unicast MAC or to a
 * non-reserved multicast group; and two stations sharing one nNVE port. Every scenario also with 20% of
 * the frames entering each bridge port dropped by nftables. The same scenarios in the simulation:
 * sim/.../scenario/BridgedNetworkScenarioTest.
 */
class BridgedNetnsTest {
    /** A non-reserved multicast group (not 01:80:c2:00:00:0x), locally administered (GAP-1). */
    static final MacAddress GROUP = MacAddress.parse("03:00:5e:53:4e:01");
    static final MacAddress NNVE = mac(0x10);

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    @ParameterizedTest(name = "loss {0}%, VDP to {1}")
    @CsvSource({"0, ncb", "20, ncb", "0, unicast", "20, unicast", "0, multicast", "20, multicast"})
    @DisplayName("REQ-1, REQ-12, GAP-1: station and nNVE daemons on two ports of a Linux bridge (STP off); VDP to the "
            + "nearest customer bridge, to the nNVE's unicast MAC or to a non-reserved multicast group crosses it: the "
            + "VMs are associated, activated, suspended, resumed and shut down; the nNVE holds the TSIs, VAPs and NVA "
            + "entries, the tNVE has the tags")
    void stationBehindBridge(int loss, String to) throws Exception {
        lab.loss(loss);
        MacAddress station = mac(1);
        MacAddress destination = switch (to) {
            case "ncb" -> MacAddress.NEAREST_CUSTOMER_BRIDGE;
            case "unicast" -> NNVE;
            default -> GROUP;
        };
        String nsN = lab.namespace("n");
        String nsT = lab.namespace("t");
        Bridge br = lab.bridge("br0");
        String swT = lab.attach(br, nsT, "up0", station);
        String swN = lab.attach(br, nsN, "p0", NNVE);
        WireTap atNnve = lab.closeAfter(new WireTap(nsN, "p0", GROUP));
        WireTap atStation = lab.closeAfter(new WireTap(nsT, "up0"));
        Nnve n = lab.nnve("n1", port(nsN, "p0", "tags = \"100-199\"" + (to.equals("multicast")
                ? "\nmulticast = \"" + GROUP + "\"" : "")) + vns(5000, 5001));
        Tnve t = lab.tnve("h1", uplink("tor", nsT, "up0", to.equals("ncb") ? "ncb" : destination.toString(), ""));

        TsiSpec a = tsi(1, 5000);
        TsiSpec b = tsi(2, 5000);
        TsiSpec c = tsi(3, 5001);
        t.ok(e -> e.create("vm1", List.of(a)));
        assertThat(n.state(a)).isEqualTo(TsiState.ASSOCIATED);
        t.ok(e -> e.start("vm1"));
        // a second VM with two TSIs on two VNs through its lifecycle: start, suspend, resume, shutdown
        t.ok(e -> e.create("vm2", List.of(b, c)));
        t.ok(e -> e.start("vm2"));
        assertThat(n.state(c)).isEqualTo(TsiState.ACTIVATED);
        t.ok(e -> e.suspend("vm2"));
        assertThat(n.state(b)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(n.bindings(c)).singleElement().satisfies(x -> assertThat(x.state()).isEqualTo(EntryState.MAPPING));
        t.ok(e -> e.resume("vm2"));
        assertThat(n.state(c)).isEqualTo(TsiState.ACTIVATED);
        assertThat(t.tag("tor", c)).isEqualTo(n.vap(0, 5001).tag()).isNotEqualTo(t.tag("tor", b));
        t.ok(e -> e.shutdown("vm2"));
        assertThat(n.state(b)).isEqualTo(TsiState.INIT);
        assertThat(n.state(c)).isEqualTo(TsiState.INIT);
        assertThat(n.bindings(c)).isEmpty();
        assertThat(n.vap(0, 5001)).isNull();

        // the nNVE: one peer (the station, on port 0), the running VM's TSI activated, its VAP and NVA entries
        assertThat(n.peers()).containsExactly(station);
        assertThat(n.tsis()).singleElement().extracting(Tsi::id).isEqualTo(a.id());
        assertThat(n.state(a)).isEqualTo(TsiState.ACTIVATED);
        Tsi held = n.call(() -> n.d.engine().instances(a.id()).getFirst());
        assertThat(held.station()).isEqualTo(station);
        assertThat(held.port()).isZero();
        Vap vap = n.vap(0, 5000);
        assertThat(vap.state()).isEqualTo(Vap.State.VN_CONNECTED);
        assertThat(vap.tag()).isBetween(100, 199);
        assertThat(n.bindings(a)).singleElement().satisfies(x -> {
            assertThat(x.state()).isEqualTo(EntryState.FORWARDING);
            assertThat(x.addresses()).contains(TsiAddress.mac(a.mac())).containsAll(a.ips());
        });
        // the tNVE: the VM runs, the TSI is activated with the nNVE's tag
        assertThat(t.call(() -> t.d.engine().vmNamed("vm1").state())).isEqualTo(VmState.RUNNING);
        assertThat(t.state("tor", a)).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(t.tag("tor", a)).isEqualTo(vap.tag());

        // the frames crossed the bridge: it learned each end on its own port
        assertThat(lab.learned(br, swT)).contains(station);
        assertThat(lab.learned(br, swN)).contains(NNVE);
        // REQ-12, GAP-1: ECP frames (EtherType 0x8940) to the configured destination; answers to the station's MAC
        List<WireTap.Captured> requests = atNnve.vdp().stream()
                .filter(f -> f.vdp().ethernet().source().equals(station)).toList();
        assertThat(requests).isNotEmpty().allSatisfy(f -> {
            assertThat(f.vdp().ethernet().etherType()).isEqualTo(EcpHeader.ETHERTYPE);
            assertThat(f.vdp().ethernet().destination()).isEqualTo(destination);
        });
        assertThat(requests).anySatisfy(f -> assertThat(f.vdp().vdp().items()).anySatisfy(i -> {
            assertThat(i).isInstanceOfSatisfying(VsiTlv.class, v -> {
                assertThat(v.vsiId()).isEqualTo(a.id());
                assertThat(v.mode()).isEqualTo(VsiMode.ASSOCIATE);
            });
        }));
        // answers and acknowledgements go to the station's MAC; the one group-addressed ECPDU is the nNVE's start
        // announcement (header only, RESYNC_REQUEST: REL-7)
        List<WireTap.Captured> fromNnve = atStation.vdp().stream().filter(f -> f.vdp().ethernet().source().equals(NNVE))
                .toList();
        assertThat(fromNnve).filteredOn(f -> f.vdp().ethernet().destination().isMulticast()).allSatisfy(f -> {
            assertThat(f.vdp().vdp().items()).isEmpty();
            assertThat(f.vdp().vdp().header(org.splitnve.wire.vdp.SessionTlv.class).has(
                    org.splitnve.wire.vdp.SessionTlv.RESYNC_REQUEST)).isTrue();
        });
        assertThat(fromNnve).filteredOn(f -> !f.vdp().ethernet().destination().isMulticast()).isNotEmpty()
                .allSatisfy(f -> assertThat(f.vdp().ethernet().destination()).isEqualTo(station));
        lab.reportLoss(n, t);
    }

    @ParameterizedTest(name = "loss {0}%, VDP to {1}")
    @CsvSource({"0, unicast", "20, unicast", "0, ncb", "20, ncb"})
    @DisplayName("REQ-2, REQ-7, REQ-1: two station daemons behind one Linux bridge on one nNVE port: each has its own "
            + "TSIs, told apart by MAC; the same VN has the same local tag for both; one station shutting its VM down "
            + "and stopping leaves the other's TSIs, VAP, tag and NVA entries untouched. With VDP to the nearest "
            + "customer bridge group, which a Linux bridge with STP off floods, each station also sees the other's "
            + "requests and LLDPDUs and must not take the other station for its nNVE")
    void twoStationsOnePort(int loss, String to) throws Exception {
        String destination = to.equals("ncb") ? "ncb" : NNVE.toString();
        lab.loss(loss);
        MacAddress s1 = mac(1);
        MacAddress s2 = mac(2);
        String nsN = lab.namespace("n");
        String nsT1 = lab.namespace("t1");
        String nsT2 = lab.namespace("t2");
        Bridge br = lab.bridge("br0");
        lab.attach(br, nsN, "p0", NNVE);
        lab.attach(br, nsT1, "up0", s1);
        lab.attach(br, nsT2, "up0", s2);
        WireTap atNnve = lab.closeAfter(new WireTap(nsN, "p0"));
        Nnve n = lab.nnve("n1", port(nsN, "p0", "tags = \"100-199\"") + vns(5000, 5001));
        Tnve t1 = lab.tnve("h1", uplink("tor", nsT1, "up0", destination, ""));
        Tnve t2 = lab.tnve("h2", uplink("tor", nsT2, "up0", destination, ""));

        TsiSpec a = tsi(1, 5000);
        TsiSpec c = tsi(3, 5001);
        TsiSpec b = tsi(2, 5000);
        t1.ok(e -> e.create("vmA", List.of(a, c)));
        t2.ok(e -> e.create("vmB", List.of(b)));
        t1.ok(e -> e.start("vmA"));
        t2.ok(e -> e.start("vmB"));

        // two peers on port 0, one per station MAC, each TSI with its own station
        assertThat(n.peers()).containsExactlyInAnyOrder(s1, s2);
        assertThat(n.tsis()).hasSize(3).allSatisfy(x -> {
            assertThat(x.port()).isZero();
            assertThat(x.state()).isEqualTo(TsiState.ACTIVATED);
            assertThat(x.station()).isEqualTo(x.id().equals(b.id()) ? s2 : s1);
        });
        // REQ-7: one VAP per VN on the port; VN 5000's tag is shared by both stations, VN 5001 has another
        Vap blue = n.vap(0, 5000);
        assertThat(blue.tsiAssociated()).isEqualTo(2);
        int tag = blue.tag();
        assertThat(t1.tag("tor", a)).isEqualTo(tag);
        assertThat(t2.tag("tor", b)).isEqualTo(tag);
        assertThat(t1.tag("tor", c)).isEqualTo(n.vap(0, 5001).tag()).isNotEqualTo(tag);

        String before = n.describe(b);
        List<TsiBinding> bindingsBefore = n.bindings(b);
        assertThat(before).startsWith(s2 + " port 0 ACTIVATED");

        // station 1 shuts its VM down (de-associates its TSIs), then its daemon stops
        t1.ok(e -> e.shutdown("vmA"));
        assertThat(n.state(a)).isEqualTo(TsiState.INIT);
        assertThat(n.state(c)).isEqualTo(TsiState.INIT);
        assertThat(n.vap(0, 5001)).isNull();
        t1.daemon.stop("test: station 1 goes away");
        long stopped = System.nanoTime();
        // a keep-alive period of station 2: two of its session keep-alives (not retransmissions of one) reach the
        // nNVE after station 1 stopped
        await("two keep-alives of station 2 at the nNVE", Duration.ofSeconds(15), () -> atNnve.vdp().stream()
                .filter(f -> f.nanos() - stopped > 0 && keepAlive(f, s2)).map(f -> f.vdp().ecp().sequence()).distinct()
                .count() >= 2);
        assertThat(n.describe(b)).isEqualTo(before);
        assertThat(n.bindings(b)).isEqualTo(bindingsBefore);
        assertThat(n.vap(0, 5000).tsiAssociated()).isEqualTo(1);
        assertThat(n.vap(0, 5000).tag()).isEqualTo(tag);
        assertThat(t2.state("tor", b)).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(t2.events("nnve.initiated")).isEmpty();
        assertThat(t2.events("request.failed")).isEmpty();
        assertThat(n.tsis()).extracting(Tsi::id).containsExactly(b.id());
        lab.reportLoss(n, t1, t2);
    }

    /** A session keep-alive of {@code station}: a request without items whose session TLV has the keep-alive flag. */
    private static boolean keepAlive(WireTap.Captured c, MacAddress station) {
        SessionTlv session = c.vdp().vdp().header(SessionTlv.class);
        return c.vdp().ethernet().source().equals(station) && c.vdp().ecp().operation() == EcpOperation.REQUEST
                && c.vdp().vdp().items().isEmpty() && session != null && session.has(SessionTlv.KEEPALIVE);
    }

}
