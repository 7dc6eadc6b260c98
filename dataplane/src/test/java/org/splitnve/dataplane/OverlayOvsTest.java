package org.splitnve.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.dataplane.DataplaneState.Address;
import org.splitnve.dataplane.DataplaneState.RemoteAddress;
import org.splitnve.dataplane.DataplaneState.RemoteNve;
import org.splitnve.dataplane.DataplaneState.Tsi;
import org.splitnve.dataplane.DataplaneState.TsiState;
import org.splitnve.dataplane.DataplaneState.Vn;
import org.splitnve.dataplane.openflow.OfConnection;

/**
 * Tenant traffic through two nNVEs on real Open vSwitch (userspace datapath), each in its namespace, with a VXLAN
 * underlay between them; two hypervisors (OVS access ports with the local tag, a trunk to their nNVE) and four VMs
 * (namespaces with a veth, IPv4 and IPv6). VN blue (VNI 5000): vm1 on hv1 (tag 100), vm3 on hv2 (tag 200); VN red
 * (VNI 6000): vm2 on hv1 (tag 101), vm4 on hv2 (tag 201). All four share one IP subnet, so only the overlay keeps the
 * VNs apart. The tests run in order on one topology, each changing the TSIs' states as the nNVE engine would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OverlayOvsTest {
    private static final Duration T = Duration.ofSeconds(10);
    private static final int TRUNK = 1;
    private static final int VXLAN = 2;
    private static final long MAC1 = 0x027700000001L;
    private static final long MAC2 = 0x027700000002L;
    private static final long MAC3 = 0x027700000003L;
    private static final long MAC4 = 0x027700000004L;

    private static OvsLab lab;
    private static OvsLab.Ovs nveA;
    private static OvsLab.Ovs nveB;
    private static String vm1;
    private static String vm2;
    private static String vm3;
    private static String vm4;
    private static String nsA;
    private static Side a;
    private static Side b;

    /** One nNVE's driver and the state it programs. */
    private static final class Side {
        final OvsLab.Ovs ovs;
        final Inet4Address vtep;
        OfConnection connection;
        FlowDriver driver;
        DataplaneState state;

        Side(OvsLab.Ovs ovs, String vtep) throws IOException {
            this.ovs = ovs;
            this.vtep = (Inet4Address) InetAddress.getByName(vtep);
            connect();
        }

        void connect() throws Exception2 {
            try {
                connection = OfConnection.open(ovs.mgmt("br-nve"), T);
                driver = new FlowDriver(connection, FlowDriver.DEFAULT_MAX_BUNDLE, T);
                driver.start();
            } catch (IOException | FlowDriver.ApplyException e) {
                throw new Exception2(e);
            }
        }

        FlowDriver.Report program(DataplaneState s) throws FlowDriver.ApplyException {
            state = s;
            return driver.apply(Pipeline.flows(s));
        }
    }

    /** IOException wrapping the driver's exception (keeps the helpers' signatures short). */
    private static final class Exception2 extends IOException {
        private static final long serialVersionUID = 1L;

        Exception2(Exception e) {
            super(e);
        }
    }

    @BeforeAll
    static void topology() throws Exception {
        OvsLab.assumeOvs();
        lab = new OvsLab();
        String hv1 = lab.namespace("hv1");
        String hv2 = lab.namespace("hv2");
        nsA = lab.namespace("nvea");
        String nsB = lab.namespace("nveb");
        vm1 = lab.namespace("vm1");
        vm2 = lab.namespace("vm2");
        vm3 = lab.namespace("vm3");
        vm4 = lab.namespace("vm4");
        // the VMs
        lab.veth(vm1, "eth0", hv1, "v1p");
        lab.veth(vm2, "eth0", hv1, "v2p");
        lab.veth(vm3, "eth0", hv2, "v3p");
        lab.veth(vm4, "eth0", hv2, "v4p");
        lab.vm(vm1, "eth0", "02:77:00:00:00:01", "10.77.0.1/24", "fd77::1/64");
        lab.vm(vm2, "eth0", "02:77:00:00:00:02", "10.77.0.2/24", "fd77::2/64");
        lab.vm(vm3, "eth0", "02:77:00:00:00:03", "10.77.0.3/24", "fd77::3/64");
        lab.vm(vm4, "eth0", "02:77:00:00:00:04", "10.77.0.4/24", "fd77::4/64");
        // trunks hypervisor <-> nNVE, underlay nNVE <-> nNVE
        lab.veth(hv1, "t1h", nsA, "t1n");
        lab.veth(hv2, "t2h", nsB, "t2n");
        lab.veth(nsA, "ua", nsB, "ub");
        for (String[] p : List.of(new String[] {hv1, "v1p"}, new String[] {hv1, "v2p"}, new String[] {hv2, "v3p"},
                new String[] {hv2, "v4p"}, new String[] {hv1, "t1h"}, new String[] {hv2, "t2h"},
                new String[] {nsA, "t1n"}, new String[] {nsB, "t2n"}, new String[] {nsA, "ua"}, new String[] {nsB, "ub"})) {
            lab.quiet(p[0], p[1]);
        }
        OvsLab.Ovs h1 = lab.startOvs(hv1, "hv1");
        OvsLab.Ovs h2 = lab.startOvs(hv2, "hv2");
        nveA = lab.startOvs(nsA, "nvea");
        nveB = lab.startOvs(nsB, "nveb");
        hypervisor(h1, "v1p", 100, "v2p", 101, "t1h");
        hypervisor(h2, "v3p", 200, "v4p", 201, "t2h");
        nve(nveA, "ua", "192.0.2.1", "t1n");
        nve(nveB, "ub", "192.0.2.2", "t2n");
        a = new Side(nveA, "192.0.2.1");
        b = new Side(nveB, "192.0.2.2");
    }

    private static void hypervisor(OvsLab.Ovs hv, String p1, int tag1, String p2, int tag2, String trunk) throws IOException {
        hv.vsctl("add-br", "br-hv", "--", "set", "bridge", "br-hv", "datapath_type=netdev",
                "--", "add-port", "br-hv", p1, "tag=" + tag1, "--", "add-port", "br-hv", p2, "tag=" + tag2,
                "--", "add-port", "br-hv", trunk);
    }

    private static void nve(OvsLab.Ovs nve, String underlay, String ip, String trunk) throws IOException {
        nve.vsctl("add-br", "br-und", "--", "set", "bridge", "br-und", "datapath_type=netdev",
                "--", "add-port", "br-und", underlay, "--", "set", "interface", underlay, "mtu_request=1600");
        OvsLab.run("ip", "-n", nve.ns, "link", "set", underlay, "mtu", "1600");
        OvsLab.run("ip", "-n", nve.ns, "addr", "add", ip + "/24", "dev", "br-und");
        OvsLab.run("ip", "-n", nve.ns, "link", "set", "br-und", "up");
        nve.vsctl("add-br", "br-nve", "--", "set", "bridge", "br-nve", "datapath_type=netdev", "fail-mode=secure",
                "protocols=OpenFlow13,OpenFlow14",
                "--", "add-port", "br-nve", trunk, "--", "set", "interface", trunk, "ofport_request=" + TRUNK,
                "--", "add-port", "br-nve", "vx", "--", "set", "interface", "vx", "type=vxlan", "ofport_request=" + VXLAN,
                "options:remote_ip=flow", "options:local_ip=" + ip, "options:key=flow");
    }

    @AfterAll
    static void teardown() {
        for (Side s : new Side[] {a, b}) {
            if (s != null && s.connection != null) {
                s.connection.close();
            }
        }
        if (lab != null) {
            lab.close();
        }
    }

    // --------------------------------------------------------------------------------------------- the model

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(s, e);
        }
    }

    private static final List<Vn> VNS = List.of(new Vn("blue", 5000), new Vn("red", 6000));

    private static Tsi tsi(String id, int tag, String vn, boolean active, long mac, String v4, String v6) {
        return new Tsi(id, TRUNK, tag, vn, active ? TsiState.ACTIVATED : TsiState.ASSOCIATED,
                List.of(new Address(mac, List.of(ip(v4), ip(v6)))));
    }

    /** The two nNVEs' states for the given activations; remote addresses are the other side's Activated ones. */
    private static void program(boolean vm1On, boolean vm2On, boolean vm3On, boolean vm4On) throws Exception {
        a.program(stateA(vm1On, vm2On, vm3On, vm4On));
        b.program(new DataplaneState(VXLAN, VNS, onB(vm3On, vm4On), List.of(remote("nve-a", a.vtep, onA(vm1On, vm2On)))));
    }

    private static List<Tsi> onA(boolean vm1On, boolean vm2On) throws Exception {
        return List.of(tsi("vm1", 100, "blue", vm1On, MAC1, "10.77.0.1", "fd77::1"),
                tsi("vm2", 101, "red", vm2On, MAC2, "10.77.0.2", "fd77::2"));
    }

    private static List<Tsi> onB(boolean vm3On, boolean vm4On) throws Exception {
        return List.of(tsi("vm3", 200, "blue", vm3On, MAC3, "10.77.0.3", "fd77::3"),
                tsi("vm4", 201, "red", vm4On, MAC4, "10.77.0.4", "fd77::4"));
    }

    /** nNVE a's model for these VMs' states. */
    private static DataplaneState stateA(boolean vm1On, boolean vm2On, boolean vm3On, boolean vm4On) throws Exception {
        return new DataplaneState(VXLAN, VNS, onA(vm1On, vm2On), List.of(remote("nve-b", b.vtep, onB(vm3On, vm4On))));
    }

    private static RemoteNve remote(String id, Inet4Address vtep, List<Tsi> theirs) {
        List<RemoteAddress> addrs = new ArrayList<>();
        for (Tsi t : theirs) {
            if (t.state() == TsiState.ACTIVATED) {
                for (Address ad : t.addresses()) {
                    addrs.add(new RemoteAddress(t.vn(), ad.mac(), ad.ips()));
                }
            }
        }
        return new RemoteNve(id, vtep, List.of("blue", "red"), addrs);
    }

    // --------------------------------------------------------------------------------------------- probes

    /**
     * True if one of {@code count} pings from {@code vm} to {@code dst} is answered, false if none is (ping's status 1);
     * any other status (ping missing, bad address) fails the test: a ping that cannot run proves nothing.
     */
    private static boolean ping(String vm, String dst, int count, String... options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", vm, "ping", "-n", "-q", "-c",
                String.valueOf(count), "-i", "0.2", "-w", String.valueOf(Math.max(2, count))));
        cmd.addAll(List.of(options));
        cmd.add(dst);
        int status = OvsLab.status(cmd.toArray(String[]::new));
        assertThat(status).as("ping's exit status (0: answered, 1: no answer)").isIn(0, 1);
        return status == 0;
    }

    /** Waits (10 s) until a ping passes: the first one also waits for the nNVEs to resolve each other's VTEP. */
    private static void assertPingPasses(String vm, String dst) throws IOException {
        try {
            awaitPing(vm, dst);
        } catch (IOException e) {
            throw new IOException(e.getMessage() + "\nnNVE a:\n" + nveA.ofctl("dump-flows", "br-nve") + "\nnNVE b:\n"
                    + nveB.ofctl("dump-flows", "br-nve"), e);
        }
    }

    private static void awaitPing(String vm, String dst) throws IOException {
        OvsLab.await(() -> {
            try {
                return OvsLab.status("ip", "netns", "exec", vm, "ping", "-n", "-q", "-c", "1", "-W", "1", dst) == 0;
            } catch (IOException e) {
                return false;
            }
        }, 15_000, "a ping from " + vm + " to " + dst);
    }

    private static void assertNoPing(String vm, String dst) throws IOException {
        OvsLab.exec(vm, "ip", "neigh", "flush", "all");
        assertThat(ping(vm, dst, 3)).as("ping " + vm + " -> " + dst).isFalse();
    }

    /** The targets of the neighbour solicitations in a capture of VXLAN (tshark decodes UDP 4789 as VXLAN). */
    private static List<String> solicitedTargets(Path pcap) throws IOException {
        Process p = new ProcessBuilder("tshark", "-r", pcap.toString(), "-Y", "icmpv6.type == 135", "-T", "fields",
                "-e", "icmpv6.nd.ns.target_address").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        // a capture still being written may read as cut short: what it holds is all we look at
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /** Flushes {@code vm}'s neighbours and pings {@code dst} once (not answered: its target is down or unknown). */
    private static void solicit(String vm, String dst) throws IOException {
        OvsLab.exec(vm, "ip", "-6", "neigh", "flush", "all");
        assertThat(ping(vm, dst, 1)).as("no echo reply from " + dst).isFalse();
    }

    // --------------------------------------------------------------------------------------------- tests

    @Test
    @Order(1)
    @DisplayName("DP-2: Associated TSIs (not yet Activated) get nothing through")
    void associatedPassNothing() throws Exception {
        program(false, false, false, false);
        assertNoPing(vm1, "10.77.0.3");
    }

    @Test
    @Order(2)
    @DisplayName("DP-1: Activated TSIs in one VN ping across the overlay (IPv4, IPv6); VXLAN frames carry the VN's VNI")
    void activatedPingAcrossTheOverlay() throws Exception {
        program(true, false, true, false);
        assertPingPasses(vm1, "10.77.0.3");
        assertPingPasses(vm3, "fd77::1");
        Process tshark = new ProcessBuilder("ip", "netns", "exec", nsA, "tshark", "-l", "-n", "-i", "ua", "-c", "4",
                "-a", "duration:20", "-f", "udp port 4789", "-T", "fields", "-e", "vxlan.vni", "-e", "ip.src", "-e",
                "ip.dst", "-e", "eth.src").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            // tshark needs a moment to open the interface: ping until it has seen its frames.
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (tshark.isAlive() && System.nanoTime() < end) {
                ping(vm1, "10.77.0.3", 1);
            }
            assertThat(tshark.waitFor(20, TimeUnit.SECONDS)).isTrue();
            List<String> lines = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).hasSize(4);
            for (String l : lines) {
                String[] f = l.split("\t", -1);
                assertThat(f[0]).as("VNI of " + l).isEqualTo("5000");
                // each field lists the outer header's value first, then the inner frame's
                assertThat(List.of(first(f[1]), first(f[2]))).as("outer IPs of " + l)
                        .containsExactlyInAnyOrder("192.0.2.1", "192.0.2.2");
                assertThat(last(f[3])).as("inner source MAC of " + l).isIn("02:77:00:00:00:01", "02:77:00:00:00:03");
            }
        } finally {
            tshark.destroyForcibly();
        }
    }

    @Test
    @Order(3)
    @DisplayName("DP-3: nothing crosses between VNs (red vm2 cannot reach blue vm3 in the same IP subnet); red works on its own")
    void noVnCrossing() throws Exception {
        program(true, true, true, true);
        assertPingPasses(vm2, "10.77.0.4");
        assertNoPing(vm2, "10.77.0.3");
        assertNoPing(vm4, "10.77.0.1");
    }

    @Test
    @Order(4)
    @DisplayName("DP-2: spoofed source IP or MAC from an Activated TSI gets nothing through")
    void spoofed() throws Exception {
        program(true, true, true, true);
        assertPingPasses(vm1, "10.77.0.3");
        // a second IP the TSI never declared
        OvsLab.run("ip", "-n", vm1, "addr", "add", "10.77.0.9/24", "dev", "eth0");
        try {
            OvsLab.exec(vm1, "ip", "neigh", "flush", "all");
            assertThat(ping(vm1, "10.77.0.3", 3, "-I", "10.77.0.9")).as("ping from an undeclared IP").isFalse();
        } finally {
            OvsLab.run("ip", "-n", vm1, "addr", "del", "10.77.0.9/24", "dev", "eth0");
        }
        // another MAC
        OvsLab.run("ip", "-n", vm1, "link", "set", "eth0", "address", "02:77:00:00:00:99");
        try {
            assertNoPing(vm1, "10.77.0.3");
        } finally {
            OvsLab.run("ip", "-n", vm1, "link", "set", "eth0", "address", "02:77:00:00:00:01");
        }
        assertPingPasses(vm1, "10.77.0.3");
    }

    @Test
    @Order(5)
    @DisplayName("DP-2: a deactivated TSI gets nothing through, in either direction")
    void deactivated() throws Exception {
        program(true, true, false, true);
        assertNoPing(vm1, "10.77.0.3");
        assertNoPing(vm3, "10.77.0.1");
        program(true, true, true, true);
        assertPingPasses(vm1, "10.77.0.3");
    }

    @Test
    @Order(6)
    @DisplayName("DP-7 (ARP): an ARP request for a known address is answered at the nNVE, even with the target down")
    void arpAnsweredAtTheNnve() throws Exception {
        program(true, true, true, true);
        assertPingPasses(vm1, "10.77.0.3");
        OvsLab.run("ip", "-n", vm3, "link", "set", "eth0", "down");
        try {
            OvsLab.exec(vm1, "ip", "neigh", "flush", "all");
            assertThat(ping(vm1, "10.77.0.3", 1)).as("vm3 is down: no echo reply").isFalse();
            assertThat(OvsLab.exec(vm1, "ip", "neigh", "show", "10.77.0.3"))
                    .as("but the nNVE answered the ARP request").contains("lladdr 02:77:00:00:00:03");
            // an address the NVA does not know (vm4's IP is red, not blue) is not answered in blue
            OvsLab.exec(vm1, "ip", "neigh", "flush", "all");
            assertThat(ping(vm1, "10.77.0.4", 1)).isFalse();
            assertThat(OvsLab.exec(vm1, "ip", "neigh", "show", "10.77.0.4")).doesNotContain("lladdr");
        } finally {
            OvsLab.run("ip", "-n", vm3, "link", "set", "eth0", "up");
        }
        assertPingPasses(vm1, "10.77.0.3");
        assertThat(a.driver.reconcile().changes()).as("OVS reports the responder's actions as we sent them").isZero();
    }

    @Test
    @Order(6)
    @DisplayName("DP-7 (IPv6 ND): a neighbour solicitation for a known address is answered at the nNVE with its MAC"
            + " (Solicited), even with the target down, and not flooded across the overlay; one for an address not in"
            + " the VN is not answered")
    void ndAnsweredAtTheNnve() throws Exception {
        program(true, true, true, true);
        // an earlier link-down in vm3 removed its IPv6 address (keep_addr_on_down=0)
        OvsLab.run("ip", "-n", vm3, "addr", "replace", "fd77::3/64", "dev", "eth0", "nodad");
        assertPingPasses(vm1, "fd77::3");
        OvsLab.run("ip", "-n", vm3, "link", "set", "eth0", "down");
        // what crosses the overlay to nNVE b, seen on its underlay port
        Path pcap = nveB.dir.resolve("nd.pcap");
        Process tshark = new ProcessBuilder("ip", "netns", "exec", nveB.ns, "tshark", "-n", "-i", "ub", "-f", "udp port 4789",
                "-w", pcap.toString()).redirectErrorStream(true).redirectOutput(nveB.dir.resolve("tshark-nd.log").toFile())
                .start();
        try {
            // an address the NVA does not know in blue (vm4's is red) is not answered: it goes the normal way, and
            // once the capture has seen it go, the capture is live
            OvsLab.await(() -> {
                try {
                    solicit(vm1, "fd77::4");
                    return solicitedTargets(pcap).contains("fd77::4");
                } catch (IOException e) {
                    return false;
                }
            }, 30_000, "vm1's solicitation for fd77::4 to be flooded to nNVE b");
            assertThat(OvsLab.exec(vm1, "ip", "-6", "neigh", "show", "fd77::4")).doesNotContain("lladdr");
            solicit(vm1, "fd77::3");
            assertThat(OvsLab.exec(vm1, "ip", "-6", "neigh", "show", "fd77::3"))
                    .as("vm3 is down, but the nNVE answered the solicitation with vm3's MAC, flagged Solicited (REACHABLE)")
                    .contains("lladdr 02:77:00:00:00:03").contains("REACHABLE").doesNotContain("router");
            // one more unanswered one after it: once it is in the capture, so is anything sent before it
            long before = solicitedTargets(pcap).stream().filter("fd77::4"::equals).count();
            OvsLab.await(() -> {
                try {
                    solicit(vm1, "fd77::4");
                    return solicitedTargets(pcap).stream().filter("fd77::4"::equals).count() > before;
                } catch (IOException e) {
                    return false;
                }
            }, 30_000, "a second solicitation for fd77::4 to be flooded to nNVE b");
            assertThat(solicitedTargets(pcap)).as("the solicitation for vm3's address never crossed the overlay")
                    .doesNotContain("fd77::3");
        } finally {
            tshark.destroy();
            if (!tshark.waitFor(10, TimeUnit.SECONDS)) {
                tshark.destroyForcibly();
            }
            OvsLab.run("ip", "-n", vm3, "link", "set", "eth0", "up");
            OvsLab.run("ip", "-n", vm3, "addr", "replace", "fd77::3/64", "dev", "eth0", "nodad");
        }
        assertPingPasses(vm1, "fd77::3");
        assertThat(a.driver.reconcile().changes()).as("OVS reports the responder's actions as we sent them").isZero();
    }

    @Test
    @Order(6)
    @DisplayName("DP-7 (IPv6 ND): duplicate address detection is never answered by the nNVE but goes the normal way:"
            + " vm1 claiming vm3's address hears from vm3 that it is taken")
    void dadGoesTheNormalWay() throws Exception {
        program(true, true, true, true);
        OvsLab.run("ip", "-n", vm3, "addr", "replace", "fd77::3/64", "dev", "eth0", "nodad");
        assertPingPasses(vm1, "fd77::3");
        // vm1 probes fd77::3 from :: (RFC 4862); vm3 owns it and answers to ff02::1, across the overlay
        OvsLab.run("ip", "-n", vm1, "addr", "add", "fd77::3/64", "dev", "eth0");
        try {
            OvsLab.await(() -> {
                try {
                    String out = OvsLab.exec(vm1, "ip", "-6", "addr", "show", "dev", "eth0", "to", "fd77::3/128");
                    return !out.contains("tentative") || out.contains("dadfailed");
                } catch (IOException e) {
                    return false;
                }
            }, 15_000, "vm1's duplicate address detection for fd77::3 to end");
            assertThat(OvsLab.exec(vm1, "ip", "-6", "addr", "show", "dev", "eth0", "to", "fd77::3/128"))
                    .as("vm3 answered vm1's probe: the address is taken").contains("dadfailed");
        } finally {
            OvsLab.run("ip", "-n", vm1, "addr", "del", "fd77::3/64", "dev", "eth0");
        }
        assertPingPasses(vm1, "fd77::3");
    }

    @Test
    @Order(7)
    @DisplayName("DP-6: restarting the driver (new connection, new generation) loses no ping at 10 ms; nothing is re-sent")
    void restartKeepsForwarding() throws Exception {
        program(true, true, true, true);
        assertPingPasses(vm1, "10.77.0.3");
        long before = a.driver.generation();
        Process ping = new ProcessBuilder("ip", "netns", "exec", vm1, "ping", "-n", "-q", "-i", "0.01", "-c", "300",
                "10.77.0.3").redirectErrorStream(true).start();
        try {
            OvsLab.await(() -> pingRunningLongEnough(ping), 2000, "ping to run");
            a.connection.close();
            a.connect();
            FlowDriver.Report r = a.program(a.state);
            assertThat(a.driver.generation()).isEqualTo(before + 1);
            assertThat(r.changes()).as("a restart with the same state changes nothing").isZero();
            assertThat(ping.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(out);
            assertThat(m.find()).as(out).isTrue();
            assertThat(Integer.parseInt(m.group(2))).as(out).isEqualTo(Integer.parseInt(m.group(1)));
        } finally {
            ping.destroyForcibly();
        }
    }

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"KILL", "TERM"})
    @Order(9)
    @DisplayName("DP-6, issue 13: ovs-vswitchd itself stopped (SIGKILL, or SIGTERM: every OpenFlow flow lost either way) and"
            + " started again under a ping every 10 ms: the agent notices, restores the flows, traffic resumes; the gap is"
            + " measured")
    void vswitchdRestart(String signal) throws Exception {
        program(true, true, true, true);
        assertPingPasses(vm1, "10.77.0.3");
        a.connection.close();
        List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        try (SwitchAgent agent = new SwitchAgent(nveA.mgmt("br-nve"), FlowDriver.DEFAULT_MAX_BUNDLE, T,
                Duration.ofMillis(10), Duration.ofSeconds(30), events::add).start()) {
            agent.desire(Pipeline.flows(a.state));
            OvsLab.await(agent::synced, 10_000, "the agent to take over");
            int flowsBefore = flowCount(nveA);
            Process ping = new ProcessBuilder("ip", "netns", "exec", vm1, "ping", "-n", "-i", "0.01", "-c", "600",
                    "10.77.0.3").redirectErrorStream(true).start();
            try {
                OvsLab.await(() -> pingRunningLongEnough(ping), 2000, "ping to run");
                nveA.signal("ovs-vswitchd", signal.equals("KILL"));
                nveA.startVswitchd();
                OvsLab.await(() -> agent.connects() == 2 && agent.synced(), 20_000, "the agent to restore the flows");
                assertThat(flowCount(nveA)).isEqualTo(flowsBefore);
                assertThat(ping.waitFor(60, TimeUnit.SECONDS)).isTrue();
                String out = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                java.util.Set<Integer> answered = new java.util.TreeSet<>();
                Matcher m = Pattern.compile("icmp_seq=(\\d+) ").matcher(out);
                while (m.find()) {
                    answered.add(Integer.parseInt(m.group(1)));
                }
                int longest = 0;
                int run = 0;
                for (int seq = 1; seq <= 600; seq++) {
                    run = answered.contains(seq) ? 0 : run + 1;
                    longest = Math.max(longest, run);
                }
                System.err.printf("ovs-vswitchd SIG%s and restart: %d of 600 pings at 10 ms lost, longest gap %d pings;"
                        + " agent: %s%n", signal, 600 - answered.size(), longest, events);
                assertThat(answered).as("pings pass again after the restore").contains(600);
            } finally {
                ping.destroyForcibly();
            }
        }
    }

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"KILL", "TERM"})
    @Order(9)
    @DisplayName("DP-6, issue 13: ovsdb-server stopped (SIGKILL, SIGTERM) under a ping every 10 ms and started again: the"
            + " switch forwards on its flows throughout (not one ping lost), the agent's OpenFlow connection is not"
            + " touched, and the bridge is managed again afterwards")
    void ovsdbRestart(String signal) throws Exception {
        program(true, true, true, true);
        assertPingPasses(vm1, "10.77.0.3");
        a.connection.close();
        try (SwitchAgent agent = new SwitchAgent(nveA.mgmt("br-nve"), FlowDriver.DEFAULT_MAX_BUNDLE, T,
                Duration.ofMillis(10), Duration.ofSeconds(30), l -> { }).start()) {
            agent.desire(Pipeline.flows(a.state));
            OvsLab.await(agent::synced, 10_000, "the agent to take over");
            Process ping = new ProcessBuilder("ip", "netns", "exec", vm1, "ping", "-n", "-q", "-i", "0.01", "-c", "300",
                    "10.77.0.3").redirectErrorStream(true).start();
            try {
                OvsLab.await(() -> pingRunningLongEnough(ping), 2000, "ping to run");
                nveA.signal("ovsdb-server", signal.equals("KILL"));
                Thread.sleep(500); // the database away for half a second of the ping
                nveA.startOvsdb();
                assertThat(ping.waitFor(60, TimeUnit.SECONDS)).isTrue();
                String out = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(out);
                assertThat(m.find()).as(out).isTrue();
                System.err.printf("ovsdb-server SIG%s and restart: %s of %s pings at 10 ms answered%n", signal,
                        m.group(2), m.group(1));
                assertThat(m.group(2)).as("pings answered: %s", out).isEqualTo(m.group(1));
            } finally {
                ping.destroyForcibly();
            }
            assertThat(agent.connects()).as("the OpenFlow connection lived through it").isEqualTo(1);
            assertThat(agent.synced()).isTrue();
            // the bridge is managed again: ovs-vsctl reaches ovs-vswitchd through the restarted database
            nveA.vsctl("set", "bridge", "br-nve", "other-config:ovsdb-restart=" + signal.toLowerCase(java.util.Locale.ROOT));
            assertThat(nveA.vsctl("get", "bridge", "br-nve", "other-config:ovsdb-restart")).contains(
                    signal.toLowerCase(java.util.Locale.ROOT));
            assertThat(agent.reconcile().get(10, TimeUnit.SECONDS).changes()).as("no drift").isZero();
        }
    }

    @Test
    @Order(10)
    @DisplayName("DP-6: models handed to the switch agent as differences (FlowTable), faster than it applies them (merged"
            + " in order), leave the switch holding exactly the pipeline's table for the last one; traffic follows")
    void differencesReachTheSwitch() throws Exception {
        program(true, true, true, true);
        a.connection.close();
        boolean[][] steps = {{false, true}, {true, false}, {false, false}, {true, true}, {false, true}, {true, true},
            {true, false}};
        try (SwitchAgent agent = new SwitchAgent(nveA.mgmt("br-nve"), FlowDriver.DEFAULT_MAX_BUNDLE, T,
                Duration.ofMillis(10), Duration.ofDays(1), l -> { }).start()) {
            FlowTable table = new FlowTable();
            FlowTable.Delta first = table.update(stateA(true, true, true, true));
            agent.desire(first.all(), first.upserts(), first.removals());
            OvsLab.await(agent::synced, 10_000, "the agent to take over");
            long applied = agent.applied();
            long last = -1;
            DataplaneState s = null;
            for (boolean[] step : steps) {
                s = stateA(step[0], step[1], true, true);
                FlowTable.Delta d = table.update(s);
                assertThat(d.vnsRecomputed()).as("one VM's change: one VN or two").isBetween(1, 2);
                last = agent.desire(d.all(), d.upserts(), d.removals());
            }
            long want = last;
            OvsLab.await(() -> agent.installed() == want && agent.synced(), 10_000, "the agent to apply the last model");
            assertThat(agent.applied() - applied).as("models applied: at most one per model, merged when they come faster").isBetween(1L, (long) steps.length);
            java.util.Map<FlowKey, List<org.splitnve.dataplane.openflow.Instruction>> held = new java.util.HashMap<>();
            for (var f : agent.flows().get(10, TimeUnit.SECONDS)) {
                held.put(new FlowKey(f.table(), f.priority(), f.match()), f.instructions());
            }
            java.util.Map<FlowKey, List<org.splitnve.dataplane.openflow.Instruction>> expected = new java.util.HashMap<>();
            for (Flow f : Pipeline.flows(s)) {
                expected.put(f.key(), f.instructions());
            }
            assertThat(held).isEqualTo(expected);
            assertPingPasses(vm1, "10.77.0.3"); // the last step: vm1 on, vm2 off
            assertNoPing(vm2, "10.77.0.4");
        }
        a.connect();
    }

    private static int flowCount(OvsLab.Ovs ovs) throws IOException {
        return (int) ovs.ofctl("dump-flows", "br-nve", "--no-stats").lines().filter(l -> l.contains("priority=")).count();
    }

    private static String first(String values) {
        return values.split(",", -1)[0];
    }

    private static String last(String values) {
        String[] v = values.split(",", -1);
        return v[v.length - 1];
    }

    private static boolean pingRunningLongEnough(Process p) {
        return p.isAlive() && p.info().startInstant().map(s -> s.plusMillis(300).isBefore(java.time.Instant.now())).orElse(true);
    }

    @Test
    @Order(8)
    @DisplayName("DP-6: reconcile repairs drift: a flow deleted behind the driver's back comes back, one added is removed")
    void reconcileRepairsDrift() throws Exception {
        program(true, true, true, true);
        assertPingPasses(vm1, "10.77.0.3");
        nveA.ofctl("del-flows", "br-nve", "--strict", "table=10,priority=100,tun_id=5000,dl_dst=02:77:00:00:00:03");
        nveA.ofctl("add-flow", "br-nve", "table=0,priority=200,in_port=1,actions=drop");
        assertNoPing(vm1, "10.77.0.3");
        FlowDriver.Report r = a.driver.reconcile();
        assertThat(r.added()).isEqualTo(1);
        assertThat(r.deleted()).isEqualTo(1);
        assertPingPasses(vm1, "10.77.0.3");
        assertThat(a.driver.reconcile().changes()).isZero();
    }
}
