package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.OvsOverlay.awaitInstalled;
import static org.splitnve.daemon.netns.OvsOverlay.awaitPing;
import static org.splitnve.daemon.netns.OvsOverlay.awaitRemote;
import static org.splitnve.daemon.netns.OvsOverlay.ip;
import static org.splitnve.daemon.netns.OvsOverlay.ping;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.daemon.NvaDaemon;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.dataplane.OvsLab;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;

/**
 * Issue 11, DP-1 end to end: two nNVE daemons, each with [dataplane] and its own Open vSwitch bridge (userspace
 * datapath, secure), share one {@code splitnve nva} ([nva] servers, over HTTP on loopback); an underlay cable joins
 * their VTEPs (192.0.2.1, 192.0.2.2). Each has one hypervisor (an OVS bridge, a tNVE daemon on its trunk): vm1 (VN
 * blue) behind nNVE n1; vm3 (blue) and vm4 (VN red, the same IP subnet) behind n2. Nothing tells an nNVE about the
 * other's VMs but the NVA: each learns the other's VTEP (the NVE registry) and addresses (mapping entries) from its
 * replica, and its bridge tunnels to them.
 */
class OverlayDaemonsNetnsTest {
    static final long BLUE = 5000;
    static final long RED = 5001;
    static final String TOKEN1 = "n1-token-0123456789abcdef";
    static final String TOKEN2 = "n2-token-0123456789abcdef";
    static final String VTEP1 = "192.0.2.1";
    static final String VTEP2 = "192.0.2.2";
    static final MacAddress N1 = mac(0x10);
    static final MacAddress N2 = mac(0x20);
    static final MacAddress H1 = mac(1);
    static final MacAddress H2 = mac(2);

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    /** The VNs (VNI = ID + 10000), every TSI permitted, both nNVEs registered with their VTEPs and tokens. */
    static void define(RevisionedNva nva, String... nves) throws Exception {
        for (long vn : new long[] {BLUE, RED}) {
            nva.addVn(VnRecord.of(new UUID(0x5eed, vn), vn, "vn-" + vn, (int) vn + 10_000, VnService.L2))
                    .decision().orElseThrow();
            nva.permitTsi(TsiRule.anyOn((int) vn));
        }
        for (int i = 0; i < nves.length; i += 3) {
            NveId id = NveId.of(nves[i]);
            nva.registerNve(id, InetAddress.getByName(nves[i + 1]));
            nva.permitEndDevice(EndDeviceRule.anyOn(id));
            nva.setCredential(id, nves[i + 2]);
        }
    }

    /**
     * The overlay of this class, up and running: the NVA daemon, both nNVE daemons in sync with it, both tNVE daemons,
     * vm1 (blue, behind n1), vm3 (blue) and vm4 (red) behind n2, all three started and each nNVE's bridge holding the
     * other's VTEP; {@code vm1}, {@code vm3}, {@code vm4} are the VMs' namespaces.
     */
    record Overlay(Nnve n1, Nnve n2, Tnve h1, Tnve h2, OvsLab.Ovs s1, TsiSpec t1, TsiSpec t3, TsiSpec t4, String vm1,
            String vm3, String vm4) {
    }

    /** Builds and starts {@link Overlay} (root and Open vSwitch, else the test is skipped; with CI set, it fails). */
    static Overlay overlay(DaemonLab lab) throws Exception {
        OvsLab.assumeOvs();
        OvsOverlay o = new OvsOverlay(lab.closeAfter(new OvsLab()));
        NvaDaemon nva = OvsOverlay.nva(lab, new DaemonLab.LogBuffer());
        define(nva.nva(), "n1", VTEP1, TOKEN1, "n2", VTEP2, TOKEN2);

        OvsLab.Ovs s1 = o.nnve("n1", VTEP1);
        OvsLab.Ovs s2 = o.nnve("n2", VTEP2);
        o.underlay(s1, VTEP1, s2, VTEP2);
        OvsLab.Ovs hv1 = o.hypervisor("hv1");
        OvsLab.Ovs hv2 = o.hypervisor("hv2");
        o.trunk(hv1, "up0", H1, s1, "p0", N1, 1);
        o.trunk(hv2, "up0", H2, s2, "p0", N2, 1);

        Nnve n1 = lab.nnve("n1", port(s1.ns, "p0", "tags = \"100-101\"") + OvsOverlay.nvaServers(nva, TOKEN1, BLUE, RED)
                + OvsOverlay.dataplane(s1, VTEP1, "p0"));
        Nnve n2 = lab.nnve("n2", port(s2.ns, "p0", "tags = \"100-101\"") + OvsOverlay.nvaServers(nva, TOKEN2, BLUE, RED)
                + OvsOverlay.dataplane(s2, VTEP2, "p0"));
        Tnve h1 = lab.tnve("hv1", uplink("tor", hv1.ns, "up0", N1.toString(), "nnve = \"" + N1 + "\""));
        Tnve h2 = lab.tnve("hv2", uplink("tor", hv2.ns, "up0", N2.toString(), "nnve = \"" + N2 + "\""));

        OvsOverlay.awaitInSync(n1);
        OvsOverlay.awaitInSync(n2);
        TsiSpec t1 = tsi(1, BLUE);
        TsiSpec t3 = tsi(3, BLUE);
        TsiSpec t4 = tsi(4, RED);
        h1.ok(e -> e.create("vm1", List.of(t1)));
        h2.ok(e -> e.create("vm3", List.of(t3)));
        h2.ok(e -> e.create("vm4", List.of(t4)));
        // each VM's access port carries the local tag its nNVE gave the VN on that trunk
        String vm1 = o.vm("vm1", hv1, "v1p", t1, h1.tag("tor", t1));
        String vm3 = o.vm("vm3", hv2, "v3p", t3, h2.tag("tor", t3));
        String vm4 = o.vm("vm4", hv2, "v4p", t4, h2.tag("tor", t4));
        assertThat(h2.tag("tor", t3)).as("blue's and red's tags on n2's port").isNotEqualTo(h2.tag("tor", t4));
        h1.ok(e -> e.start("vm1"));
        h2.ok(e -> e.start("vm3"));
        h2.ok(e -> e.start("vm4"));
        assertThat(n1.state(t1)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n2.state(t3)).isEqualTo(TsiState.ACTIVATED);

        // What n1 knows of vm3 and n2 of vm1 comes from the NVA only.
        awaitRemote(n1, t3.mac(), "n1 to learn from the NVA that vm3 is behind n2");
        awaitRemote(n2, t1.mac(), "n2 to learn from the NVA that vm1 is behind n1");
        assertThat(n1.d.dataplaneModel().get(10, TimeUnit.SECONDS).orElseThrow().remotes())
                .as("n1's remote NVEs").singleElement()
                .satisfies(r -> assertThat(r.vtep().getHostAddress()).isEqualTo(VTEP2));
        awaitInstalled(n1);
        awaitInstalled(n2);
        return new Overlay(n1, n2, h1, h2, s1, t1, t3, t4, vm1, vm3, vm4);
    }

    @Test
    @DisplayName("DP-1, DP-3 (issue 11): two nNVE daemons sharing one splitnve nva ([nva] servers) carry VN blue between"
            + " their hypervisors over VXLAN: vm1 behind n1 and vm3 behind n2 ping each other once Activated, 8 MiB of TCP"
            + " in full-size segments cross intact (SHA-256 checked at the far end), the underlay carries VXLAN with"
            + " blue's VNI between the two VTEPs, and vm4 in VN red (same IP subnet) reaches neither")
    void vxlanBetweenTwoNnveDaemons() throws Exception {
        Overlay u = overlay(lab);
        TsiSpec t1 = u.t1();
        TsiSpec t3 = u.t3();
        TsiSpec t4 = u.t4();
        String vm1 = u.vm1();
        String vm3 = u.vm3();
        String vm4 = u.vm4();
        OvsLab.Ovs s1 = u.s1();

        awaitPing(vm1, ip(t3), "vm1 (behind n1) -> vm3 (behind n2) in VN blue");
        assertThat(ping(vm3, ip(t1))).as("vm3 -> vm1").isTrue();

        // DP-1 with frames of full size (1514 octets inside VXLAN's 50): TCP from vm1 to vm3, every octet checked
        OvsOverlay.Tcp tcp = OvsOverlay.tcp(vm1, vm3, ip(t3), 8);
        System.out.println("[DP-1] TCP vm1 -> vm3 across the overlay: " + tcp);
        assertThat(tcp.received()).as("octets vm3 received").isEqualTo(tcp.sent()).isEqualTo(8L << 20);
        assertThat(tcp.intact()).as("SHA-256 of what vm3 received equals what vm1 sent").isTrue();

        // DP-1: the underlay carries the VMs' frames in VXLAN with blue's VNI, between the two VTEPs
        Process tshark = new ProcessBuilder("ip", "netns", "exec", s1.ns, "tshark", "-l", "-n", "-i", "ula", "-c", "4",
                "-a", "duration:20", "-f", "udp port 4789", "-T", "fields", "-e", "vxlan.vni", "-e", "ip.src", "-e",
                "ip.dst", "-e", "eth.src").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            // tshark needs a moment to open the interface: ping until it has seen its frames
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (tshark.isAlive() && System.nanoTime() < end) {
                OvsLab.status("ip", "netns", "exec", vm1, "ping", "-n", "-q", "-c", "1", "-W", "1", ip(t3));
            }
            assertThat(tshark.waitFor(20, TimeUnit.SECONDS)).isTrue();
            List<String> lines = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).hasSize(4);
            for (String l : lines) {
                String[] f = l.split("\t", -1);
                assertThat(f[0]).as("VNI of " + l).isEqualTo(String.valueOf(BLUE + 10_000));
                // each field lists the outer header's value first, then the inner frame's
                assertThat(List.of(first(f[1]), first(f[2]))).as("outer IPs of " + l).containsExactlyInAnyOrder(VTEP1, VTEP2);
                assertThat(last(f[3])).as("inner source MAC of " + l).isIn(t1.mac().toString(), t3.mac().toString());
            }
        } finally {
            tshark.destroyForcibly();
        }

        // DP-3: red's vm4 shares the IP subnet and the hypervisor with vm3, and reaches nobody in blue
        assertThat(ping(vm1, ip(t4))).as("vm1 (blue) -> vm4 (red)").isFalse();
        assertThat(ping(vm4, ip(t1))).as("vm4 (red) -> vm1 (blue)").isFalse();
        assertThat(ping(vm4, ip(t3))).as("vm4 (red) -> vm3 (blue) on the same hypervisor").isFalse();
        assertThat(ping(vm1, ip(t3))).as("blue still works").isTrue();
    }

    private static String first(String field) {
        return field.split(",", -1)[0];
    }

    private static String last(String field) {
        String[] v = field.split(",", -1);
        return v[v.length - 1];
    }
}
