package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.await;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.DaemonLab.vns;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.dataplane.OvsLab;
import org.splitnve.nnve.TsiState;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;

/**
 * Issue 11, DP-2 through the real protocol: an nNVE daemon with [dataplane] and an embedded NVA programs its Open
 * vSwitch bridge (userspace datapath, fail-mode=secure) from what the tNVE daemons ask over VDP. Two hypervisors, each
 * an OVS bridge with the VM's access port tagged with the nNVE's local tag for the VN (the kernel here has no 8021q)
 * and a trunk to its own nNVE port; a tNVE daemon on each trunk. The VMs are network namespaces with the TSIs' MACs and
 * IPs. Each hypervisor has one VM, so frames between them can only cross the nNVE's bridge.
 */
class DataplaneNetnsTest {
    static final MacAddress P0 = mac(0x10);
    static final MacAddress P1 = mac(0x11);
    static final MacAddress H1 = mac(1);
    static final MacAddress H2 = mac(2);
    static final int TAG = 100;
    static final int VXLAN = 9;

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();


    /**
     * The nNVE's Open vSwitch in {@code nsN}: bridge br-nve (userspace datapath, fail-mode=secure, OpenFlow 1.3 and
     * 1.4) with its flow-based VXLAN port (OpenFlow port VXLAN, local IP 192.0.2.1).
     */
    static OvsLab.Ovs nveBridge(OvsLab ovs, String nsN) throws IOException {
        OvsLab.Ovs nveSwitch = ovs.startOvs(nsN, "nnve");
        nveSwitch.vsctl("add-br", "br-nve", "--", "set", "bridge", "br-nve", "datapath_type=netdev", "fail-mode=secure",
                "protocols=OpenFlow13,OpenFlow14",
                "--", "add-port", "br-nve", "vx", "--", "set", "interface", "vx", "type=vxlan", "ofport_request=" + VXLAN,
                "options:remote_ip=flow", "options:local_ip=192.0.2.1", "options:key=flow");
        return nveSwitch;
    }

    /** A hypervisor: its namespace and OVS bridge with the VM's access port (tag TAG). */
    static OvsLab.Ovs hypervisor(OvsLab ovs, String name, String vm, TsiSpec t) throws IOException {
        String hv = ovs.namespace(name);
        ovs.veth(vm, "eth0", hv, "vp");
        ovs.vm(vm, "eth0", t.mac().toString(), t.ips().getFirst().ip().getHostAddress() + "/24", null);
        ovs.quiet(hv, "vp");
        OvsLab.Ovs sw = ovs.startOvs(hv, name);
        OvsLab.run("ip", "-n", hv, "link", "set", "dev", "vp", "up");
        sw.vsctl("add-br", "br-hv", "--", "set", "bridge", "br-hv", "datapath_type=netdev",
                "--", "add-port", "br-hv", "vp", "tag=" + TAG);
        return sw;
    }

    /**
     * A cable from the hypervisor's trunk up0 (MAC {@code hvMac}, a port of its bridge) to the nNVE's {@code nnvePort}
     * (MAC {@code nMac}, OpenFlow port {@code ofport} of the nNVE's bridge). Returns the hypervisor's namespace.
     */
    static String trunk(OvsLab ovs, OvsLab.Ovs nveSwitch, OvsLab.Ovs sw, MacAddress hvMac, String nsN, String nnvePort,
            MacAddress nMac, int ofport) throws IOException {
        String hv = sw.ns;
        ovs.veth(hv, "up0", nsN, nnvePort);
        OvsLab.run("ip", "-n", hv, "link", "set", "dev", "up0", "address", hvMac.toString());
        OvsLab.run("ip", "-n", nsN, "link", "set", "dev", nnvePort, "address", nMac.toString());
        ovs.quiet(hv, "up0");
        ovs.quiet(nsN, nnvePort);
        sw.vsctl("add-port", "br-hv", "up0");
        nveSwitch.vsctl("add-port", "br-nve", nnvePort, "--", "set", "interface", nnvePort, "ofport_request=" + ofport);
        return hv;
    }

    static boolean ping(String vm, String dst) throws IOException {
        int status = OvsLab.status("ip", "netns", "exec", vm, "ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W", "1", dst);
        assertThat(status).as("ping's exit status (0: answered, 1: no answer)").isIn(0, 1);
        return status == 0;
    }

    static void awaitPing(String vm, String dst, String why) throws Exception {
        await(why, Duration.ofSeconds(20), () -> OvsLab.status("ip", "netns", "exec", vm, "ping", "-n", "-q", "-c", "1",
                "-W", "1", dst) == 0);
    }

    /** Waits until the nNVE's bridge holds the flows of the engine's state as of now. */
    static void awaitInstalled(Nnve n) throws Exception {
        await("the nNVE's bridge to hold the flows of its TSIs' state", Duration.ofSeconds(20),
                () -> n.d.dataplaneInstalled().get(10, TimeUnit.SECONDS));
        // issue 11: the model the flows came from, kept up to date by what changed, is the one made from scratch
        org.assertj.core.api.Assertions.assertThat(n.d.dataplaneModelDifferences().get(10, TimeUnit.SECONDS))
                .as("VNs where the incremental data-plane model differs from one made from scratch").isEmpty();
    }

    /** The nNVE daemon, the two tNVE daemons, the VMs behind them with their TSIs, and the nNVE's switch. */
    record Setup(Nnve n, Tnve h1, Tnve h2, TsiSpec t1, TsiSpec t2, String vm1, String vm2, OvsLab.Ovs nveSwitch) {
    }

    /**
     * One nNVE daemon with [dataplane] (its switch agent audits every {@code auditSeconds}) and an embedded NVA, two
     * hypervisors with a VM each and a tNVE daemon on each trunk.
     */
    static Setup setup(DaemonLab lab, int auditSeconds) throws Exception {
        return setup(lab, auditSeconds, false);
    }

    /**
     * As {@link #setup(DaemonLab, int)}; {@code byName}: the nNVE's configuration gives no OpenFlow port number, it names
     * the tunnel's interface and lets each [[port]] default to its own interface's name on the bridge.
     */
    static Setup setup(DaemonLab lab, int auditSeconds, boolean byName) throws Exception {
        OvsLab.assumeOvs();
        OvsLab ovs = lab.closeAfter(new OvsLab());
        String nsN = ovs.namespace("n");
        OvsLab.Ovs nveSwitch = nveBridge(ovs, nsN);
        TsiSpec t1 = tsi(1, 5000);
        TsiSpec t2 = tsi(2, 5000);
        String vm1 = ovs.namespace("vm1");
        String vm2 = ovs.namespace("vm2");
        String hv1 = trunk(ovs, nveSwitch, hypervisor(ovs, "hv1", vm1, t1), H1, nsN, "p0", P0, 1);
        String hv2 = trunk(ovs, nveSwitch, hypervisor(ovs, "hv2", vm2, t2), H2, nsN, "p1", P1, 2);

        Nnve n = lab.nnve("n1", port(nsN, "p0", "tags = \"" + TAG + "\"") + port(nsN, "p1", "tags = \"" + TAG + "\"")
                + vns(5000).replace("[nva]\n", "[nva]\nembedded = true\n")
                + "[dataplane]\nsocket = \"" + nveSwitch.mgmt("br-nve") + "\"\nvtep = \"192.0.2.1\"\naudit = "
                + auditSeconds + "\n" + (byName ? "tunnel_interface = \"vx\"\n" : "tunnel_ofport = " + VXLAN
                + "\n[[dataplane.port]]\nport = \"p0\"\nofport = 1\n[[dataplane.port]]\nport = \"p1\"\nofport = 2\n"));
        Tnve h1 = lab.tnve("hv1", uplink("tor", hv1, "up0", P0.toString(), "nnve = \"" + P0 + "\""));
        Tnve h2 = lab.tnve("hv2", uplink("tor", hv2, "up0", P1.toString(), "nnve = \"" + P1 + "\""));
        return new Setup(n, h1, h2, t1, t2, vm1, vm2, nveSwitch);
    }

    @Test
    @DisplayName("DP-2 (issue 11): two VMs of one VN behind two hypervisors ping each other through the nNVE daemon's OVS"
            + " bridge only while both TSIs are Activated over VDP: nothing while one is only created (Associated), passes"
            + " once both are started, stops when one is suspended (deactivated, LC-SUSPEND), passes again when it is resumed")
    void activationGatesTraffic() throws Exception {
        Setup u = setup(lab, 30);
        Nnve n = u.n();
        Tnve h1 = u.h1();
        Tnve h2 = u.h2();
        TsiSpec t1 = u.t1();
        TsiSpec t2 = u.t2();
        String vm1 = u.vm1();
        String vm2 = u.vm2();
        String ip1 = t1.ips().getFirst().ip().getHostAddress();
        String ip2 = t2.ips().getFirst().ip().getHostAddress();

        h1.ok(e -> e.create("vm1", List.of(t1)));
        h1.ok(e -> e.start("vm1"));
        h2.ok(e -> e.create("vm2", List.of(t2)));
        assertThat(n.state(t1)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n.state(t2)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(h1.tag("tor", t1)).as("the nNVE's local tag for the VN on port 0").isEqualTo(TAG);
        awaitInstalled(n);
        assertThat(ping(vm1, ip2)).as("vm1 -> vm2 while vm2 is only Associated").isFalse();

        long t0 = System.nanoTime();
        h2.ok(e -> e.start("vm2"));
        awaitPing(vm1, ip2, "vm1 -> vm2 once both are Activated");
        long firstPing = System.nanoTime() - t0;
        assertThat(ping(vm2, ip1)).as("vm2 -> vm1").isTrue();

        h2.ok(e -> e.suspend("vm2"));
        assertThat(n.state(t2)).isEqualTo(TsiState.ASSOCIATED);
        awaitInstalled(n);
        assertThat(ping(vm1, ip2)).as("vm1 -> vm2 after vm2 was suspended (deactivated)").isFalse();
        assertThat(ping(vm2, ip1)).as("vm2 -> vm1 after vm2 was suspended (deactivated)").isFalse();

        t0 = System.nanoTime();
        h2.ok(e -> e.resume("vm2"));
        awaitPing(vm1, ip2, "vm1 -> vm2 after vm2 was resumed (Activated again)");
        long again = System.nanoTime() - t0;
        assertThat(ping(vm2, ip1)).as("vm2 -> vm1 after resume").isTrue();

        List<String> flows = new ArrayList<>(u.nveSwitch().ofctl("dump-flows", "br-nve").lines().toList());
        assertThat(String.join("\n", flows)).contains("dl_src=" + t1.mac()).contains("dl_src=" + t2.mac());
        assertThat(n.d.switchAgent().orElseThrow().connects()).isEqualTo(1);
        System.out.printf("[DP-2] start op to first answered ping %d ms; resume op to first answered ping %d ms%n",
                firstPing / 1_000_000, again / 1_000_000);
    }

    @Test
    @DisplayName("DP-1, DP-6 (issue 11): an nNVE configured with the bridge's interface names instead of OpenFlow port"
            + " numbers reads the numbers from the switch and forwards; when vm1's trunk is removed from the bridge and"
            + " added back under another number (41), the daemon follows the switch's port status: vm1 and vm2 ping"
            + " each other again, and the admission flows name the new number, none the old")
    void portsByName() throws Exception {
        Setup u = setup(lab, 86_400, true); // no periodic audit: only the port status message tells the daemon
        Nnve n = u.n();
        String ip1 = u.t1().ips().getFirst().ip().getHostAddress();
        String ip2 = u.t2().ips().getFirst().ip().getHostAddress();
        startBoth(u, "vm1 -> vm2 through ports found by name");
        String mac1 = u.t1().mac().toString();
        assertThat(admissions(u.nveSwitch(), mac1)).as("vm1's admission flows").isNotEmpty()
                .allMatch(f -> f.contains("in_port=1,"));
        assertThat(n.events("dataplane.ports")).as("the ports the nNVE found")
                .anyMatch(e -> e.toString().contains("p0 = 1, p1 = 2, vx = " + VXLAN));

        // vm1's trunk leaves the bridge and comes back under another number
        u.nveSwitch().vsctl("del-port", "br-nve", "p0");
        u.nveSwitch().vsctl("add-port", "br-nve", "p0", "--", "set", "interface", "p0", "ofport_request=41");
        await("the nNVE's admission flows on the new number", Duration.ofSeconds(20), () -> {
            List<String> flows = admissions(u.nveSwitch(), mac1);
            return !flows.isEmpty() && flows.stream().allMatch(f -> f.contains("in_port=41,"));
        });
        awaitPing(u.vm1(), ip2, "vm1 -> vm2 once the nNVE followed p0's new number");
        assertThat(ping(u.vm2(), ip1)).as("vm2 -> vm1").isTrue();
        assertThat(n.events("dataplane.ports")).anyMatch(e -> e.toString().contains("p0 = 41"));
    }

    /** Creates and starts both VMs (Activated at the nNVE), waits for their flows and vm1's first answered ping. */
    private static void startBoth(Setup u, String why) throws Exception {
        u.h1().ok(e -> e.create("vm1", List.of(u.t1())));
        u.h1().ok(e -> e.start("vm1"));
        u.h2().ok(e -> e.create("vm2", List.of(u.t2())));
        u.h2().ok(e -> e.start("vm2"));
        awaitInstalled(u.n());
        awaitPing(u.vm1(), u.t2().ips().getFirst().ip().getHostAddress(), why);
    }

    /** The flows of table 0 that match frames from {@code mac} on a trunk (tagged), as ovs-ofctl shows them. */
    private static List<String> admissions(OvsLab.Ovs sw, String mac) throws IOException {
        return sw.ofctl("dump-flows", "br-nve", "--no-names").lines()
                .filter(l -> l.contains("table=0,") && l.contains("dl_src=" + mac) && l.contains("dl_vlan=")).toList();
    }

    @Test
    @DisplayName("DP-6, DP-2 (issue 11): `splitnve show flows` explains per TSI what the switch does (an Activated TSI's"
            + " admission flow held with the packets the VMs sent, an Associated one's drop); a flow deleted behind the"
            + " nNVE's back stops vm1's traffic and shows as not held, one added shows as drift; `splitnve reconcile`"
            + " repairs both (traffic again), and finds nothing the second time")
    void showFlowsAndReconcile() throws Exception {
        Setup u = setup(lab, 86_400); // no periodic audit during the test: only the reconcile asked for repairs the drift
        OvsLab.Ovs nveSwitch = u.nveSwitch();
        Nnve n = u.n();
        String ip2 = u.t2().ips().getFirst().ip().getHostAddress();
        startBoth(u, "vm1 -> vm2 with both Activated");
        String api = "--api=http://127.0.0.1:" + n.d.api().address().getPort();
        org.splitnve.cli.CliRun cli = new org.splitnve.cli.CliRun();
        String mac1 = u.t1().mac().toString();
        String admit1 = "table=0,in_port=1,dl_vlan=" + TAG + ",dl_src=" + mac1;

        // the explanation, as JSON: vm1's flows, the admission flow held with the packets it passed
        org.splitnve.cli.CliRun.Result shown = cli.run("show", "flows", "--json", api);
        assertThat(shown.status()).as("%s", shown).isZero();
        tools.jackson.databind.JsonNode j = org.splitnve.api.JsonCodec.tree(shown.out());
        assertThat(j.path("agent").path("connected").asBoolean()).isTrue();
        assertThat(j.path("counters").asBoolean()).as("the switch's flows read: %s", j.path("error")).isTrue();
        tools.jackson.databind.JsonNode vm1 = tsiOf(j, mac1);
        assertThat(vm1.path("state").asString()).isEqualTo("ACTIVATED");
        assertThat(vm1.path("ofport").asInt()).isEqualTo(1);
        assertThat(vm1.path("explanation").asString()).startsWith("Activated");
        tools.jackson.databind.JsonNode admission = admissionOf(vm1, mac1);
        assertThat(admission.path("installed").asBoolean()).isTrue();
        assertThat(admission.path("packets").asLong()).as("vm1's pings counted on its admission flow").isPositive();
        assertThat(admission.path("actions").asString()).contains("pop_vlan", "goto_table:10");
        assertThat(j.path("unexpected").isEmpty()).as("no drift yet: %s", j.path("unexpected")).isTrue();

        // for people: one TSI
        org.splitnve.cli.CliRun.Result text = cli.run("show", "flows", "--tsi", mac1, api);
        assertThat(text.status()).as("%s", text).isZero();
        assertThat(text.out()).contains("ACTIVATED (passes)", "dl_src=" + mac1, "TSI " + vm1.path("id").asString())
                .doesNotContain("TSI " + tsiOf(j, u.t2().mac().toString()).path("id").asString());

        // drift: vm1's admission flows deleted behind the nNVE's back (vm1 passes nothing), and a flow added
        nveSwitch.ofctl("del-flows", "br-nve", admit1);
        nveSwitch.ofctl("add-flow", "br-nve", "table=20,priority=7,dl_dst=02:00:00:00:00:99,actions=drop");
        assertThat(ping(u.vm1(), ip2)).as("vm1 -> vm2 once its admission flows are gone").isFalse();
        j = org.splitnve.api.JsonCodec.tree(cli.run("show", "flows", "--json", api).out());
        assertThat(admissionOf(tsiOf(j, mac1), mac1).path("installed").asBoolean(true)).as("shown as not held").isFalse();
        assertThat(j.path("unexpected").valueStream().map(f -> f.path("match").asString()))
                .as("the flow added, shown as drift").containsExactly("dl_dst=02:00:00:00:00:99");

        org.splitnve.cli.CliRun.Result r = cli.run("reconcile", "--json", api);
        assertThat(r.status()).as("%s", r).isZero();
        tools.jackson.databind.JsonNode rj = org.splitnve.api.JsonCodec.tree(r.out());
        assertThat(rj.path("deleted").asInt()).as("the flow added, removed: %s", rj).isEqualTo(1);
        assertThat(rj.path("added").asInt()).as("vm1's admission flows, back: %s", rj).isPositive();
        assertThat(ping(u.vm1(), ip2)).as("vm1 -> vm2 after the reconcile").isTrue();
        assertThat(nveSwitch.ofctl("dump-flows", "br-nve")).doesNotContain("02:00:00:00:00:99");
        org.splitnve.cli.CliRun.Result again = cli.run("reconcile", api);
        assertThat(again.status()).as("%s", again).isZero();
        assertThat(again.out()).startsWith("no drift");
        assertThat(n.events("dataplane.switch")).as("the nNVE's log of the repair")
                .anyMatch(e -> e.toString().contains("reconcile repaired drift"));
    }

    /** The TSI of {@code show flows --json} that has {@code mac}. */
    private static tools.jackson.databind.JsonNode tsiOf(tools.jackson.databind.JsonNode flows, String mac) {
        return flows.path("tsis").valueStream().filter(t -> t.path("addresses").valueStream()
                .anyMatch(a -> a.asString().startsWith(mac))).findFirst().orElseThrow(() -> new AssertionError(
                        "no TSI with " + mac + " in " + flows));
    }

    /** A TSI's table-0 flow that admits its IPv4 packets (its MAC and its IP: DP-2's IP source guard). */
    private static tools.jackson.databind.JsonNode admissionOf(tools.jackson.databind.JsonNode tsi, String mac) {
        return tsi.path("flows").valueStream().filter(f -> f.path("table").asInt() == 0
                && f.path("match").asString().contains("dl_src=" + mac) && f.path("match").asString().contains(
                        "dl_type=0x0800")).findFirst().orElseThrow(
                        () -> new AssertionError("no admission flow of " + mac + " in " + tsi));
    }
}
