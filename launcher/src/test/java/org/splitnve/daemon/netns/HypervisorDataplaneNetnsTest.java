package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.await;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.DaemonLab.vns;
import static org.splitnve.daemon.netns.DataplaneNetnsTest.awaitPing;
import static org.splitnve.daemon.netns.DataplaneNetnsTest.ping;

import java.io.BufferedReader;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.dataplane.HypervisorState;
import org.splitnve.dataplane.OvsLab;
import org.splitnve.dataplane.SwitchAgent;
import org.splitnve.nnve.TsiState;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;

/**
 * Issue 11, DP-4 through the real protocol: the tNVE daemon programs its hypervisor's Open vSwitch bridge. The topology
 * is DataplaneNetnsTest's (an nNVE daemon with [dataplane] and an embedded NVA, its secure OVS bridge with two trunks;
 * two hypervisors, each an OVS bridge with one VM and a trunk to its own nNVE port, a tNVE daemon on that trunk), but
 * the hypervisors' bridges are secure too, with no static tag and no normal action: nothing passes there but what the
 * tNVE installs from its model (the local tag the nNVE returned over VDP, the TSI's state, the VM's state). The nNVE's
 * two ports give different tags (100, 200), so each hypervisor must use the one agreed with it. vm1's port is named in
 * hv1's configuration (as libvirt names a tap); vm2's is found by its MAC (libvirt's fe:54:... for the guest's
 * 52:54:...).
 */
class HypervisorDataplaneNetnsTest {
    static final MacAddress P0 = mac(0x10);
    static final MacAddress P1 = mac(0x11);
    static final MacAddress H1 = mac(1);
    static final MacAddress H2 = mac(2);
    static final int VXLAN = 9;

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    private OvsLab ovs;

    /**
     * A hypervisor: namespace {@code name} with a secure OVS bridge br-hv holding the VM's port vp (MAC {@code portMac})
     * and the trunk up0 (MAC {@code hvMac}), cabled to the nNVE's {@code nnvePort} (OpenFlow port {@code ofport}).
     */
    private OvsLab.Ovs hypervisor(String name, String vm, TsiSpec t, String portMac, MacAddress hvMac, OvsLab.Ovs nnve,
            String nnvePort, MacAddress nMac, int ofport) throws IOException {
        String hv = ovs.namespace(name);
        ovs.veth(vm, "eth0", hv, "vp");
        ovs.vm(vm, "eth0", t.mac().toString(), t.ips().getFirst().ip().getHostAddress() + "/24", null);
        OvsLab.run("ip", "-n", hv, "link", "set", "dev", "vp", "address", portMac);
        ovs.quiet(hv, "vp");
        ovs.veth(hv, "up0", nnve.ns, nnvePort);
        OvsLab.run("ip", "-n", hv, "link", "set", "dev", "up0", "address", hvMac.toString());
        OvsLab.run("ip", "-n", nnve.ns, "link", "set", "dev", nnvePort, "address", nMac.toString());
        ovs.quiet(hv, "up0");
        ovs.quiet(nnve.ns, nnvePort);
        OvsLab.Ovs sw = ovs.startOvs(hv, name);
        sw.vsctl("add-br", "br-hv", "--", "set", "bridge", "br-hv", "datapath_type=netdev", "fail-mode=secure",
                "protocols=OpenFlow13,OpenFlow14", "--", "add-port", "br-hv", "vp", "--", "add-port", "br-hv", "up0");
        nnve.vsctl("add-port", "br-nve", nnvePort, "--", "set", "interface", nnvePort, "ofport_request=" + ofport);
        return sw;
    }

    /** tshark on {@code iface} of {@code ns}: ICMP frames as "VLAN ID, source MAC, source IP, destination IP". */
    private static final class Capture implements AutoCloseable {
        final Process p;
        final List<String> lines = new CopyOnWriteArrayList<>();

        Capture(DaemonLab lab, String ns, String iface) throws IOException {
            p = lab.process(new ProcessBuilder("ip", "netns", "exec", ns, "tshark", "-l", "-n", "-i", iface, "-Y", "icmp",
                    "-T", "fields", "-e", "vlan.id", "-e", "eth.src", "-e", "ip.src", "-e", "ip.dst", "-a", "duration:60")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader r = p.inputReader()) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // the capture ended
                }
            });
        }

        /** The captured frames from {@code ip} to {@code dst}. */
        List<String> between(String ip, String dst) {
            return lines.stream().filter(l -> l.endsWith("\t" + ip + "\t" + dst)).toList();
        }

        @Override
        public void close() {
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Frames a VM's interface has received so far (its kernel's counter). */
    private static long received(String vm) throws IOException {
        return Long.parseLong(OvsLab.exec(vm, "cat", "/sys/class/net/eth0/statistics/rx_packets").strip());
    }

    private static void awaitInstalled(String what, Tnve... hs) throws Exception {
        for (Tnve h : hs) {
            await(h.name + "'s bridge to hold the flows of " + what, Duration.ofSeconds(20),
                    () -> h.d.dataplaneInstalled().get(10, TimeUnit.SECONDS));
        }
    }

    private static void awaitInstalled(Nnve n) throws Exception {
        await("the nNVE's bridge to hold the flows of its TSIs' state", Duration.ofSeconds(20),
                () -> n.d.dataplaneInstalled().get(10, TimeUnit.SECONDS));
        // issue 11: the model the flows came from, kept up to date by what changed, is the one made from scratch
        org.assertj.core.api.Assertions.assertThat(n.d.dataplaneModelDifferences().get(10, TimeUnit.SECONDS))
                .as("VNs where the incremental data-plane model differs from one made from scratch").isEmpty();
    }

    private OvsLab.Ovs nve;
    private OvsLab.Ovs hv1;
    private OvsLab.Ovs hv2;
    private Nnve n;
    private Tnve h1;
    private Tnve h2;
    private final TsiSpec t1 = tsi(1, 5000);
    private final TsiSpec t2 = tsi(2, 5000);
    private final String ip1 = t1.ips().getFirst().ip().getHostAddress();
    private final String ip2 = t2.ips().getFirst().ip().getHostAddress();
    private String vm1;
    private String vm2;
    private String hv2Config;
    private String nnveConfig;

    /**
     * The topology, daemons started, no VM yet; hv1's [dataplane] gets {@code hv1Extra} (its [[dataplane.vm]] for vm1
     * names port vp).
     */
    private void topology(String hv1Extra) throws Exception {
        OvsLab.assumeOvs();
        ovs = lab.closeAfter(new OvsLab());
        String nsN = ovs.namespace("n");
        nve = ovs.startOvs(nsN, "nnve");
        nve.vsctl("add-br", "br-nve", "--", "set", "bridge", "br-nve", "datapath_type=netdev", "fail-mode=secure",
                "protocols=OpenFlow13,OpenFlow14",
                "--", "add-port", "br-nve", "vx", "--", "set", "interface", "vx", "type=vxlan", "ofport_request=" + VXLAN,
                "options:remote_ip=flow", "options:local_ip=192.0.2.1", "options:key=flow");
        vm1 = ovs.namespace("vm1");
        vm2 = ovs.namespace("vm2");
        hv1 = hypervisor("hv1", vm1, t1, "02:6e:65:74:01:01", H1, nve, "p0", P0, 1);
        String tap2 = "fe" + t2.mac().toString().substring(2); // libvirt's tap MAC for the guest's 52:54:...
        hv2 = hypervisor("hv2", vm2, t2, tap2, H2, nve, "p1", P1, 2);

        nnveConfig = port(nsN, "p0", "tags = \"100\"") + port(nsN, "p1", "tags = \"200\"")
                + vns(5000).replace("[nva]\n", "[nva]\nembedded = true\n")
                + "[dataplane]\nsocket = \"" + nve.mgmt("br-nve") + "\"\nvtep = \"192.0.2.1\"\ntunnel_ofport = "
                + VXLAN + "\n[[dataplane.port]]\nport = \"p0\"\nofport = 1\n[[dataplane.port]]\nport = \"p1\"\nofport = 2\n";
        n = lab.nnve("n1", nnveConfig);
        h1 = lab.tnve("hv1", uplink("tor", hv1.ns, "up0", P0.toString(), "nnve = \"" + P0 + "\"")
                + "[dataplane]\nsocket = \"" + hv1.mgmt("br-hv") + "\"\n" + hv1Extra
                + "[[dataplane.vm]]\nname = \"vm1\"\ninterfaces = [\"vp\"]\n");
        hv2Config = uplink("tor", hv2.ns, "up0", P1.toString(), "nnve = \"" + P1 + "\"")
                + "[dataplane]\nsocket = \"" + hv2.mgmt("br-hv") + "\"\naudit = 1\n";
        h2 = lab.tnve("hv2", hv2Config);
    }

    /** vm1 and vm2 created and started. */
    private void bothRunning() throws Exception {
        h1.ok(e -> e.create("vm1", List.of(t1)));
        h1.ok(e -> e.start("vm1"));
        h2.ok(e -> e.create("vm2", List.of(t2)));
        h2.ok(e -> e.start("vm2"));
    }

    @Test
    @DisplayName("DP-4 (issue 11): the tNVE daemons program their hypervisors' secure OVS bridges from VDP: nothing"
            + " passes before start, vm1 and vm2 ping once both run, each hypervisor tags its VM's frames on the trunk with"
            + " the local tag its nNVE port returned (100, 200); paused (the nNVE keeps the TSI Activated) the hypervisor"
            + " drops what the nNVE still forwards, suspended nothing passes either, resumed they ping again")
    void hypervisorGatesByTsiState() throws Exception {
        topology("");
        // created, not started: associated at the nNVE; the hypervisors' bridges hold only their default drop
        h1.ok(e -> e.create("vm1", List.of(t1)));
        h2.ok(e -> e.create("vm2", List.of(t2)));
        awaitInstalled("vm1 and vm2 associated", h1, h2);
        assertThat(hv2.ofctl("dump-flows", "br-hv")).doesNotContain("in_port");
        assertThat(ping(vm1, ip2)).as("vm1 -> vm2 before either was started").isFalse();

        h1.ok(e -> e.start("vm1"));
        long t0 = System.nanoTime();
        h2.ok(e -> e.start("vm2"));
        assertThat(h1.tag("tor", t1)).as("hv1's local tag from nNVE port p0").isEqualTo(100);
        assertThat(h2.tag("tor", t2)).as("hv2's local tag from nNVE port p1").isEqualTo(200);
        awaitPing(vm1, ip2, "vm1 -> vm2 once both run (Activated)");
        long firstPing = System.nanoTime() - t0;
        assertThat(ping(vm2, ip1)).as("vm2 -> vm1").isTrue();
        assertThat(h2.d.dataplaneModel().get(10, TimeUnit.SECONDS).orElseThrow().attachments())
                .extracting(HypervisorState.Attachment::tag, HypervisorState.Attachment::passes)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(200, true));

        // on hv2's trunk, both directions of vm1 <-> vm2 carry tag 200 (vm2's frames pushed by hv2's bridge, vm1's by the
        // nNVE's for p1); on hv1's, tag 100
        try (Capture c2 = new Capture(lab, hv2.ns, "up0"); Capture c1 = new Capture(lab, hv1.ns, "up0")) {
            await("echo requests and replies captured on both trunks", Duration.ofSeconds(30), () -> {
                ping(vm1, ip2);
                return c2.between(ip1, ip2).size() >= 2 && c2.between(ip2, ip1).size() >= 2
                        && c1.between(ip1, ip2).size() >= 2 && c1.between(ip2, ip1).size() >= 2;
            });
            for (String l : c2.lines) {
                assertThat(l).as("an ICMP frame on hv2's trunk").startsWith("200\t");
            }
            for (String l : c1.lines) {
                assertThat(l).as("an ICMP frame on hv1's trunk").startsWith("100\t");
            }
            assertThat(c2.between(ip2, ip1)).allMatch(l -> l.startsWith("200\t" + t2.mac() + "\t"));
        }

        // paused: the nNVE keeps vm2's TSI Activated (LC-PAUSE) and forwards to hv2; hv2's bridge passes nothing
        h2.ok(e -> e.pause("vm2"));
        assertThat(n.state(t2)).isEqualTo(TsiState.ACTIVATED);
        awaitInstalled(n);
        awaitInstalled("vm2 paused", h2);
        long before = received(vm2);
        try (Capture c2 = new Capture(lab, hv2.ns, "up0")) {
            await("echo requests for the paused vm2 reaching hv2's trunk", Duration.ofSeconds(30), () -> {
                assertThat(ping(vm1, ip2)).as("vm1 -> paused vm2").isFalse();
                return c2.between(ip1, ip2).size() >= 3;
            });
            assertThat(c2.between(ip1, ip2)).allMatch(l -> l.startsWith("200\t"));
        }
        assertThat(received(vm2)).as("frames vm2's interface received while paused").isEqualTo(before);
        assertThat(ping(vm2, ip1)).as("paused vm2 -> vm1").isFalse();

        // suspended: deactivated at the nNVE (LC-SUSPEND) and at the hypervisor
        h2.ok(e -> e.unpause("vm2"));
        awaitPing(vm1, ip2, "vm1 -> vm2 after unpause");
        h2.ok(e -> e.suspend("vm2"));
        assertThat(n.state(t2)).isEqualTo(TsiState.ASSOCIATED);
        awaitInstalled(n);
        awaitInstalled("vm2 suspended", h2);
        assertThat(hv2.ofctl("dump-flows", "br-hv")).doesNotContain("in_port");
        assertThat(ping(vm1, ip2)).as("vm1 -> suspended vm2").isFalse();
        assertThat(ping(vm2, ip1)).as("suspended vm2 -> vm1").isFalse();

        t0 = System.nanoTime();
        h2.ok(e -> e.resume("vm2"));
        awaitPing(vm1, ip2, "vm1 -> vm2 after resume");
        long again = System.nanoTime() - t0;
        assertThat(ping(vm2, ip1)).as("vm2 -> vm1 after resume").isTrue();

        // hv2's agent audits every second: what the switch reports back is exactly what it installed (no drift)
        SwitchAgent a2 = h2.d.switchAgent().orElseThrow();
        long audited = a2.audits();
        await("two more audits of hv2's bridge", Duration.ofSeconds(20), () -> a2.audits() >= audited + 2);
        assertThat(h2.events("dataplane.switch")).as("hv2's switch agent's events")
                .noneSatisfy(e -> assertThat(e.toString()).containsAnyOf("drift", "ports changed"));
        assertThat(a2.connects()).isEqualTo(1);
        System.out.printf("[DP-4] start op to first answered ping %d ms; resume op to first answered ping %d ms%n",
                firstPing / 1_000_000, again / 1_000_000);
    }

    @Test
    @DisplayName("DP-4 (issue 11): a TSI's port that appears on the hypervisor's bridge after its TSI was activated is"
            + " picked up from the switch's port status message (the audit is an hour away), and two running VMs of one VN"
            + " behind one trunk reach each other on the hypervisor's bridge (the nNVE never sends a frame back out of its"
            + " ingress trunk)")
    void portAppearingLater() throws Exception {
        topology("audit = 3600\n[[dataplane.vm]]\nname = \"vm3\"\ninterfaces = [\"vp3\"]\n");
        TsiSpec t3 = tsi(3, 5000);
        String ip3 = t3.ips().getFirst().ip().getHostAddress();
        h1.ok(e -> e.create("vm1", List.of(t1)));
        h1.ok(e -> e.start("vm1"));
        h1.ok(e -> e.create("vm3", List.of(t3)));
        h1.ok(e -> e.start("vm3"));
        assertThat(n.state(t3)).isEqualTo(TsiState.ACTIVATED);
        awaitInstalled("vm1 and vm3 running", h1);
        await("hv1 to log that vm3's port is not on its bridge", Duration.ofSeconds(20),
                () -> h1.events("dataplane.ports").stream().anyMatch(e -> e.toString().contains("vp3")));

        String vm3 = ovs.namespace("vm3");
        ovs.veth(vm3, "eth0", hv1.ns, "vp3");
        ovs.vm(vm3, "eth0", t3.mac().toString(), ip3 + "/24", null);
        ovs.quiet(hv1.ns, "vp3");
        hv1.vsctl("add-port", "br-hv", "vp3");
        awaitPing(vm1, ip3, "vm1 -> vm3 once vm3's port vp3 is on hv1's bridge");
        assertThat(ping(vm3, ip1)).as("vm3 -> vm1").isTrue();
        assertThat(h1.events("dataplane.ports").getLast().toString()).contains("every port");
    }

    @Test
    @DisplayName("DP-6, DP-4 (issue 11): a tNVE daemon stopped and started again on its state directory leaves its"
            + " hypervisor's flows in place until the nNVE has answered the VMs it takes over (their TSIs are at INIT"
            + " until then; the nNVE's engine stalls 100 ms): a ping every 10 ms from vm1 to vm2 through the restart loses"
            + " none (but the last, which the ping's stop may cut short)")
    void tnveRestartKeepsForwarding() throws Exception {
        topology("");
        bothRunning();
        // recorded in the state directory as the API records it after each operation (REL-1)
        h2.d.store().write(h2.call(() -> h2.d.store().capture(h2.d.engine(), "vm2")));
        awaitPing(vm1, ip2, "vm1 -> vm2");
        awaitInstalled("vm1 and vm2 running", h1, h2);

        Process ping = lab.process(new ProcessBuilder("ip", "netns", "exec", vm1, "ping", "-n", "-q", "-i", "0.01", "-W", "1",
                "-c", "3000", ip2).redirectErrorStream(true).start());
        await("the first echo replies", Duration.ofSeconds(10), () -> received(vm1) > 20);
        h2.daemon.close();
        // a loaded nNVE: its engine stalls for 100 ms from now (shorter than the ECP retransmissions' give-up), so its
        // answers to the restarted tNVE come at least that late; a sleep here is the stall itself, not a wait
        var stall = n.d.runner().submit(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Tnve again = lab.tnve("hv2", hv2Config);
        stall.get(10, TimeUnit.SECONDS);
        await("the restarted tNVE to take vm2 over and its bridge to hold the flows", Duration.ofSeconds(20),
                () -> again.d.dataplaneInstalled().get(10, TimeUnit.SECONDS)
                        && again.state("tor", t2) == org.splitnve.tnve.TnveEngine.TsiState.ACTIVATED);
        long settled = received(vm1);
        await("100 more frames to vm1 after the restart", Duration.ofSeconds(20), () -> received(vm1) > settled + 100);
        assertThat(ping.isAlive()).as("the ping ran through the whole restart").isTrue();
        OvsLab.run("kill", "-INT", String.valueOf(ping.pid()));
        assertThat(ping.waitFor(10, TimeUnit.SECONDS)).isTrue();
        String out = new String(ping.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        long sent = Long.parseLong(m.group(1));
        long got = Long.parseLong(m.group(2));
        System.out.printf("[DP-6] tNVE restart under a 10 ms ping: %d sent, %d answered%n", sent, got);
        assertThat(sent).as("pings sent").isGreaterThan(100);
        assertThat(sent - got).as("pings lost across the tNVE's restart (" + out.strip().lines().toList().getLast() + ")")
                .isLessThanOrEqualTo(1);
    }

    @Test
    @DisplayName("DP-4 (issue 11): a tag change over VDP follows: the nNVE restarted with another tag pool (300) for hv2's"
            + " port refuses vm2's TSI with its old tag 200 when hv2 announces it again (REL-7), and hv2's bridge closes"
            + " vm2's port; reconnected (OPS-2: a new local tag asked for), the TSI gets 300 and hv2's bridge follows: vm1"
            + " and vm2 ping again, every frame of theirs on hv2's trunk tagged 300")
    void tagChangeFollows() throws Exception {
        topology("");
        bothRunning();
        awaitPing(vm1, ip2, "vm1 -> vm2");
        assertThat(h2.tag("tor", t2)).isEqualTo(200);

        lab.write("n1.conf", lab.nnveConfig("n1", nnveConfig.replace("tags = \"200\"", "tags = \"300\"")));
        Nnve again = lab.restart(n);
        await("the restarted nNVE to refuse vm2's TSI with tag 200", Duration.ofSeconds(20),
                () -> h2.state("tor", t2) == org.splitnve.tnve.TnveEngine.TsiState.INIT);
        awaitInstalled("vm2's TSI refused", h2);
        assertThat(hv2.ofctl("dump-flows", "br-hv")).doesNotContain("in_port");
        assertThat(ping(vm1, ip2)).as("vm1 -> vm2 while its TSI is not associated").isFalse();

        h2.ok(e -> e.reconnect("vm2"));
        assertThat(h2.tag("tor", t2)).isEqualTo(300);
        awaitInstalled(again);
        awaitInstalled("vm2 with tag 300", h2);
        awaitPing(vm1, ip2, "vm1 -> vm2 with hv2's new tag");
        assertThat(ping(vm2, ip1)).as("vm2 -> vm1").isTrue();
        try (Capture c2 = new Capture(lab, hv2.ns, "up0")) {
            await("vm2's echo replies captured on hv2's trunk", Duration.ofSeconds(30), () -> {
                ping(vm1, ip2);
                return c2.between(ip2, ip1).size() >= 2;
            });
            assertThat(c2.lines).allMatch(l -> l.startsWith("300\t"));
        }
        assertThat(hv2.ofctl("dump-flows", "br-hv")).doesNotContain("dl_vlan=200").contains("dl_vlan=300");
    }
}
