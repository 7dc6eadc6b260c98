package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.DaemonLab.vns;
import static org.splitnve.daemon.netns.OvsOverlay.awaitInstalled;
import static org.splitnve.daemon.netns.OvsOverlay.awaitPing;
import static org.splitnve.daemon.netns.OvsOverlay.ip;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.daemon.NvaDaemon;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.dataplane.OvsLab;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;

/**
 * Issue 11, DP-5: a live migration on the data plane, make-before-break. One nNVE daemon (embedded NVA, [dataplane], its
 * OVS bridge) with three hypervisors (OVS bridges, a tNVE daemon each): vm1 migrates from hv1 to hv2 while it pings vm2
 * on hv3 every 10 ms. The VM is a namespace whose veth is the VM's NIC; the migration is the tNVE daemons' operations
 * (LC-MIGRATE: prepare at the destination, start at the source, activate at the destination, depart and finish at the
 * source) and the move of the veth's hypervisor end from hv1's bridge to hv2's: while it moves, vm1 has no link (the
 * VM's pause). Its ARP cache stays (permanent entries: a real guest keeps its own across a migration).
 */
class MigrationNetnsTest {
    static final UUID MIGRATION = UUID.fromString("0000d905-0000-4000-8000-000000000005");
    static final String VTEP1 = OverlayDaemonsNetnsTest.VTEP1;
    static final String VTEP2 = OverlayDaemonsNetnsTest.VTEP2;
    static final String TOKEN1 = OverlayDaemonsNetnsTest.TOKEN1;
    static final String TOKEN2 = OverlayDaemonsNetnsTest.TOKEN2;
    static final int TAG = 100;
    static final int INTERVAL_MS = 10;
    private static final Pattern REPLY = Pattern.compile(
            "^\\[(\\d+\\.\\d+)\\] \\d+ bytes from [^:]+: icmp_seq=(\\d+) .*time=([0-9.]+) ms");
    private static final Pattern SENT = Pattern.compile("(\\d+) packets transmitted");

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    /** The state of the TSI's instance on nNVE port {@code port} (INIT when none). */
    private static TsiState stateAt(Nnve n, TsiSpec t, int port) throws Exception {
        return n.call(() -> n.d.engine().instances(t.id()).stream().filter(x -> x.port() == port).map(Tsi::state)
                .findFirst().orElse(TsiState.INIT));
    }

    private static Tnve tnve(DaemonLab lab, String name, OvsLab.Ovs hv, MacAddress nnvePort) throws Exception {
        return lab.tnve(name, uplink("tor", hv.ns, "up0", nnvePort.toString(), "nnve = \"" + nnvePort + "\""));
    }

    @Test
    @DisplayName("DP-5, LC-MIGRATE (issue 11): vm1 migrates between two hypervisors of one nNVE while pinging vm2 every"
            + " 10 ms; the destination is programmed blocked when it associates (its frames go to the nNVE), its first"
            + " frame unblocks it before the migration's commit (vm2 reaches vm1 there while the destination TSI is only"
            + " Associated), the commit and the source's departure change nothing more; pings lost are counted against"
            + " the VM's pause")
    void migrationBetweenHypervisorsOfOneNnve() throws Exception {
        OvsLab.assumeOvs();
        OvsOverlay o = new OvsOverlay(lab.closeAfter(new OvsLab()));
        OvsLab.Ovs sw = o.nnve("n", "192.0.2.1");
        OvsLab.Ovs hv1 = o.hypervisor("hv1");
        OvsLab.Ovs hv2 = o.hypervisor("hv2");
        OvsLab.Ovs hv3 = o.hypervisor("hv3");
        o.trunk(hv1, "up0", mac(1), sw, "p0", mac(0x10), 1);
        o.trunk(hv2, "up0", mac(2), sw, "p1", mac(0x11), 2);
        o.trunk(hv3, "up0", mac(3), sw, "p2", mac(0x12), 3);
        String pool = "tags = \"" + TAG + "\"";
        Nnve n = lab.nnve("n", port(sw.ns, "p0", pool) + port(sw.ns, "p1", pool) + port(sw.ns, "p2", pool)
                + vns(5000).replace("[nva]\n", "[nva]\nembedded = true\n")
                + OvsOverlay.dataplane(sw, "192.0.2.1", "p0", "p1", "p2"));
        Tnve h1 = tnve(lab, "hv1", hv1, mac(0x10));
        Tnve h2 = tnve(lab, "hv2", hv2, mac(0x11));
        Tnve h3 = tnve(lab, "hv3", hv3, mac(0x12));
        OvsOverlay.awaitInSync(n);
        TsiSpec t1 = tsi(1, 5000);
        TsiSpec t2 = tsi(2, 5000);
        String[] vms = vms(o, h1, hv1, t1, h3, hv3, t2);
        String vm1 = vms[0];
        String vm2 = vms[1];
        awaitInstalled(n);
        awaitPing(vm1, ip(t2), "vm1 (hv1) -> vm2 (hv3) before the migration");

        Path out = lab.dir().resolve("ping.txt");
        Process[] ping = pingEvery10Ms(vm1, ip(t2), out, sw.ns, "p1");
        Prober probes = probeEveryMs(vm1, vm2, ip(t2));

        // The destination associates (LC-MIGRATE prepare): its flows are programmed, blocked (DP-5).
        h2.ok(e -> e.migratePrepare("vm1", List.of(t1), MIGRATION));
        assertThat(h2.tag("tor", t1)).as("the destination's local tag").isEqualTo(TAG);
        h1.ok(e -> e.migrateStart("vm1", MIGRATION));
        awaitInstalled(n);
        assertThat(n.d.dataplaneModel().get(10, TimeUnit.SECONDS).orElseThrow().tsis().stream()
                .map(x -> x.port() + " " + x.state()).toList()).as("the TSIs in the data plane's model, by OpenFlow port")
                .containsExactlyInAnyOrder("1 ACTIVATED", "2 ARRIVING", "3 ACTIVATED");
        assertThat(sw.ofctl("dump-flows", "br-nve").lines().filter(l -> l.contains("dl_src=" + t1.mac())
                && l.contains("CONTROLLER"))).as("the blocked destination's flow: vm1's frames from hv2 to the nNVE")
                .hasSize(1);

        // The VM's pause: its NIC's hypervisor end leaves hv1's bridge and joins hv2's.
        long[] pause = move(hv1, hv2, h2.tag("tor", t1));
        o.ovs.quiet(hv2.ns, "v1p");

        // DP-5: vm1's first frames at hv2 unblock the destination before the migration's commit
        awaitPing(vm2, ip(t1), "vm2 -> vm1 at its destination, before the migration's commit");
        assertThat(stateAt(n, t1, 1)).as("the destination's TSI at the nNVE when vm2 reached vm1 there")
                .isEqualTo(TsiState.ASSOCIATED);
        assertThat(n.events("dataplane.arrival")).as("the nNVE's log of the first frame").hasSize(1);

        // The commit (LC-MIGRATE): the destination activates, the source departs and ends.
        long commit = System.currentTimeMillis();
        h2.ok(e -> e.migrateActivate("vm1"));
        h1.ok(e -> e.migrateDepart("vm1", MIGRATION));
        h1.ok(e -> e.migrateFinish("vm1"));
        System.out.printf("[DP-5] one nNVE: the commit (activate, depart, finish) from %d to %d ms after the pause's"
                + " start%n", commit - pause[0], System.currentTimeMillis() - pause[0]);
        assertThat(stateAt(n, t1, 1)).isEqualTo(TsiState.ACTIVATED);
        assertThat(stateAt(n, t1, 0)).isEqualTo(TsiState.INIT);
        awaitInstalled(n);
        finish(ping);
        awaitPing(vm2, ip(t1), "vm2 -> vm1 after the migration");

        Gaps g = report("one nNVE, hv1 -> hv2", out, wire(out), pause);
        assertThat(g.lostOnWire).as("pings lost beyond the VM's own pause: at the destination's nNVE, never answered (DP-5)")
                .isZero();
        reportProbes("one nNVE, hv1 -> hv2", probes, pause);
    }

    @Test
    @DisplayName("DP-5, NVA-6 (issue 11): vm1 migrates from a hypervisor of nNVE n1 to one of nNVE n2 (two daemons"
            + " sharing one splitnve nva) while pinging vm2, behind n1, every 10 ms: n2 programs the destination blocked;"
            + " vm1's first frame there unblocks it and moves its address at the NVA, and n1 follows before the commit"
            + " (it stops forwarding vm1's MAC locally and tunnels it to n2); pings lost are counted against the VM's"
            + " pause")
    void migrationAcrossTwoNnves() throws Exception {
        OvsLab.assumeOvs();
        OvsOverlay o = new OvsOverlay(lab.closeAfter(new OvsLab()));
        NvaDaemon nva = OvsOverlay.nva(lab, new DaemonLab.LogBuffer());
        OverlayDaemonsNetnsTest.define(nva.nva(), "n1", VTEP1, TOKEN1, "n2", VTEP2, TOKEN2);
        OvsLab.Ovs s1 = o.nnve("n1", VTEP1);
        OvsLab.Ovs s2 = o.nnve("n2", VTEP2);
        o.underlay(s1, VTEP1, s2, VTEP2);
        OvsLab.Ovs hv1 = o.hypervisor("hv1");
        OvsLab.Ovs hv2 = o.hypervisor("hv2");
        OvsLab.Ovs hv3 = o.hypervisor("hv3");
        o.trunk(hv1, "up0", mac(1), s1, "p0", mac(0x10), 1);
        o.trunk(hv3, "up0", mac(3), s1, "p1", mac(0x11), 2);
        o.trunk(hv2, "up0", mac(2), s2, "p0", mac(0x20), 1);
        String pool = "tags = \"" + TAG + "\"";
        Nnve n1 = lab.nnve("n1", port(s1.ns, "p0", pool) + port(s1.ns, "p1", pool)
                + OvsOverlay.nvaServers(nva, TOKEN1, 5000) + OvsOverlay.dataplane(s1, VTEP1, "p0", "p1"));
        Nnve n2 = lab.nnve("n2", port(s2.ns, "p0", pool) + OvsOverlay.nvaServers(nva, TOKEN2, 5000)
                + OvsOverlay.dataplane(s2, VTEP2, "p0"));
        Tnve h1 = tnve(lab, "hv1", hv1, mac(0x10));
        Tnve h3 = tnve(lab, "hv3", hv3, mac(0x11));
        Tnve h2 = tnve(lab, "hv2", hv2, mac(0x20));
        OvsOverlay.awaitInSync(n1);
        OvsOverlay.awaitInSync(n2);
        TsiSpec t1 = tsi(1, 5000);
        TsiSpec t2 = tsi(2, 5000);
        String[] vms = vms(o, h1, hv1, t1, h3, hv3, t2);
        awaitInstalled(n1);
        awaitPing(vms[0], ip(t2), "vm1 (hv1) -> vm2 (hv3) before the migration, both behind n1");

        Path out = lab.dir().resolve("ping.txt");
        Process[] ping = pingEvery10Ms(vms[0], ip(t2), out, s2.ns, "p0");
        Prober probes = probeEveryMs(vms[0], vms[1], ip(t2));
        h2.ok(e -> e.migratePrepare("vm1", List.of(t1), MIGRATION));
        h1.ok(e -> e.migrateStart("vm1", MIGRATION));
        awaitInstalled(n2);
        assertThat(n2.d.dataplaneModel().get(10, TimeUnit.SECONDS).orElseThrow().tsis().stream()
                .map(x -> x.port() + " " + x.state()).toList()).as("n2's model: the destination, blocked")
                .containsExactly("1 ARRIVING");

        long[] pause = move(hv1, hv2, h2.tag("tor", t1));
        o.ovs.quiet(hv2.ns, "v1p");
        // DP-5: vm1's first frame at hv2 unblocks it at n2 and moves its address at the NVA at once (NVA-6: n1 follows
        // while its source TSI is still Activated: vm1's MAC goes to n2, not to hv1), before the migration's commit
        OvsOverlay.awaitRemote(n1, t1.mac(), "n1 to learn from the NVA that vm1 is behind n2, before the commit");
        awaitPing(vms[1], ip(t1), "vm2 (behind n1) -> vm1 (behind n2) before the commit");
        assertThat(stateAt(n2, t1, 0)).as("the destination's TSI at n2 then").isEqualTo(TsiState.ASSOCIATED);
        assertThat(stateAt(n1, t1, 0)).as("the source's TSI at n1 then").isEqualTo(TsiState.ACTIVATED);
        assertThat(n2.events("tsi.first_frame")).as("n2's log of the first frame").hasSize(1);
        long commit = System.currentTimeMillis();
        h2.ok(e -> e.migrateActivate("vm1"));
        System.out.printf("[DP-5] two nNVEs: the commit %d ms after the pause's start%n", commit - pause[0]);
        h1.ok(e -> e.migrateDepart("vm1", MIGRATION));
        h1.ok(e -> e.migrateFinish("vm1"));
        awaitPing(vms[1], ip(t1), "vm2 (behind n1) -> vm1 (behind n2) after the migration");
        finish(ping);
        report("two nNVEs, hv1 (n1) -> hv2 (n2)", out, wire(out), pause);
        reportProbes("two nNVEs, hv1 (n1) -> hv2 (n2)", probes, pause);
    }

    /** Creates and starts vm1 (t1) on the first hypervisor and vm2 (t2) on the second; their ARP caches are permanent. */
    private static String[] vms(OvsOverlay o, Tnve h1, OvsLab.Ovs hv1, TsiSpec t1, Tnve h2, OvsLab.Ovs hv2, TsiSpec t2)
            throws Exception {
        h1.ok(e -> e.create("vm1", List.of(t1)));
        h2.ok(e -> e.create("vm2", List.of(t2)));
        String vm1 = o.vm("vm1", hv1, "v1p", t1, h1.tag("tor", t1));
        String vm2 = o.vm("vm2", hv2, "v2p", t2, h2.tag("tor", t2));
        // a migrated guest never sees its link go: no IPv6 of the namespace's own announces itself when it comes back,
        // so vm1's first frame at the destination is its next ping, as QEMU's guest's would be (or its RARP)
        OvsLab.exec(vm1, "sysctl", "-q", "-w", "net.ipv6.conf.eth0.disable_ipv6=1");
        OvsLab.run("ip", "-n", vm1, "neigh", "replace", ip(t2), "lladdr", t2.mac().toString(), "dev", "eth0", "nud",
                "permanent");
        OvsLab.run("ip", "-n", vm2, "neigh", "replace", ip(t1), "lladdr", t1.mac().toString(), "dev", "eth0", "nud",
                "permanent");
        h1.ok(e -> e.start("vm1"));
        h2.ok(e -> e.start("vm2"));
        return new String[] {vm1, vm2};
    }

    /**
     * {@code ping -D} every 10 ms for 10 s from {@code vm} to {@code dst}, its output to {@code out}; before it starts,
     * tshark captures the echo requests that reach the destination's nNVE port ({@code port} in namespace {@code ns}:
     * the trunk from the destination hypervisor) into {@code out.wire}: a ping sent while the VM's link is away never
     * does. Returns {ping, tshark}.
     */
    private Process[] pingEvery10Ms(String vm, String dst, Path out, String ns, String port) throws Exception {
        Path wire = wire(out);
        Path err = out.resolveSibling(out.getFileName() + ".tshark");
        Process tshark = lab.process(new ProcessBuilder("ip", "netns", "exec", ns, "tshark", "-l", "-n", "-i", port,
                "-f", "vlan and icmp[icmptype] == icmp-echo", "-T", "fields", "-e", "icmp.seq")
                .redirectOutput(wire.toFile()).redirectError(err.toFile()).start());
        DaemonLab.await("tshark to capture on " + port, java.time.Duration.ofSeconds(30),
                () -> Files.exists(err) && Files.readString(err).contains("Capturing on"));
        Process ping = lab.process(new ProcessBuilder("ip", "netns", "exec", vm, "ping", "-n", "-D", "-i",
                String.valueOf(INTERVAL_MS / 1000.0), "-w", "10", dst).redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        return new Process[] {ping, tshark};
    }

    /** An echo server for UDP on port 7007: every datagram back to its sender. */
    private static final String ECHO = """
            import socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("0.0.0.0", 7007))
            print("listening", flush=True)
            while True:
                b, a = s.recvfrom(64)
                s.sendto(b, a)
            """;

    /**
     * The prober: for 10 s a UDP datagram every millisecond (its sequence number) to the echo server; prints "ready" when
     * the first echo is back, then at the end how many it sent and each echo's sequence number and arrival time (epoch
     * seconds). Errors while the link is away (no route, no buffer, a refusal) are counted as sent and lost.
     */
    private static final String PROBER = """
            import socket, sys, threading, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.connect((sys.argv[1], 7007))
            s.settimeout(0.5)
            got = []
            done = [False]
            def rx():
                while True:
                    try:
                        b = s.recv(64)
                    except socket.timeout:
                        if done[0]:
                            return
                        continue
                    except OSError:
                        continue
                    got.append((int(b), time.time()))
                    if len(got) == 1:
                        print("ready", flush=True)
            t = threading.Thread(target=rx)
            t.start()
            n = 0
            start = time.monotonic()
            due = start
            while time.monotonic() - start < 10:
                try:
                    s.send(b"%d" % n)
                except OSError:
                    pass
                n += 1
                due += 0.001
                d = due - time.monotonic()
                if d > 0:
                    time.sleep(d)
            done[0] = True
            t.join()
            print(n)
            for seq, at in got:
                print(seq, "%.6f" % at)
            """;

    /** A running prober and its output. */
    private record Prober(Process process, java.io.BufferedReader out) {
    }

    /**
     * The longest gap measured with 1-ms probes (issue 11's measurement beside the 10-ms ping, whose interval bounds
     * its resolution): an echo server in {@code to}, the prober in {@code from} toward {@code toIp}, for 10 s; returns
     * once the first echo is back (the probes run before the migration begins).
     */
    private Prober probeEveryMs(String from, String to, String toIp) throws Exception {
        Process echo = lab.process(new ProcessBuilder("ip", "netns", "exec", to, "python3", "-c", ECHO)
                .redirectErrorStream(true).start());
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(echo.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(r.readLine()).as("the UDP echo server in %s", to).isEqualTo("listening");
        Process p = lab.process(new ProcessBuilder("ip", "netns", "exec", from, "python3", "-c", PROBER, toIp)
                .redirectErrorStream(true).start());
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("the prober's first line: its first echo is back").isEqualTo("ready");
        return new Prober(p, out);
    }

    /** Waits for the prober's end and prints what its 1-ms probes saw: sent, lost, the longest gap between echoes. */
    private static void reportProbes(String what, Prober prober, long[] pause) throws Exception {
        List<String> lines = prober.out().lines().toList();
        assertThat(prober.process().waitFor(30, TimeUnit.SECONDS)).as("the 1-ms prober ends").isTrue();
        assertThat(lines).as("the prober's output").isNotEmpty();
        int sent = Integer.parseInt(lines.getFirst().strip());
        java.util.Set<Integer> seqs = new java.util.HashSet<>();
        List<Double> at = new java.util.ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.strip().split(" ", -1);
            seqs.add(Integer.parseInt(f[0]));
            at.add(Double.parseDouble(f[1]));
        }
        java.util.Collections.sort(at);
        long gap = 0;
        long gapAt = 0;
        for (int i = 1; i < at.size(); i++) {
            long g = Math.round((at.get(i) - at.get(i - 1)) * 1000);
            if (g > gap) {
                gap = g;
                gapAt = Math.round(at.get(i - 1) * 1000) - pause[0];
            }
        }
        System.out.printf("[DP-5] %s, 1-ms UDP probes: %d sent, %d echoed, %d lost; the longest gap between echoes %d ms,"
                + " from %d ms after the pause's start (the VM's pause: %d ms)%n", what, sent, seqs.size(),
                sent - seqs.size(), gap, gapAt, pause[1] - pause[0]);
        assertThat(at.stream().filter(t -> t * 1000 > pause[1]).count()).as("echoes after the VM's pause").isPositive();
    }

    private static Path wire(Path out) {
        return out.resolveSibling(out.getFileName() + ".wire");
    }

    /** Waits for the ping to end (-w 10) and stops the capture once it has seen the last echo request. */
    private static void finish(Process[] ping) throws Exception {
        assertThat(ping[0].waitFor(30, TimeUnit.SECONDS)).as("the 10-ms ping ends (-w 10)").isTrue();
        ping[1].destroy();
        assertThat(ping[1].waitFor(10, TimeUnit.SECONDS)).as("tshark ends").isTrue();
    }

    /**
     * The VM's pause: vm1's NIC's hypervisor end (v1p, tag {@code tag} at the destination) leaves {@code from}'s bridge
     * and joins {@code to}'s. Returns when it started and ended (epoch milliseconds).
     */
    private static long[] move(OvsLab.Ovs from, OvsLab.Ovs to, int tag) throws java.io.IOException {
        long start = System.currentTimeMillis();
        from.vsctl("del-port", "br-hv", "v1p");
        OvsLab.run("ip", "-n", from.ns, "link", "set", "v1p", "netns", to.ns);
        to.vsctl("add-port", "br-hv", "v1p", "tag=" + tag);
        OvsLab.run("ip", "-n", to.ns, "link", "set", "v1p", "up"); // the link comes back on the destination's bridge
        return new long[] {start, System.currentTimeMillis()};
    }

    private static Gaps report(String what, Path ping, Path wire, long[] pause) throws java.io.IOException {
        Gaps g = Gaps.of(Files.readString(ping), Files.readString(wire), pause[0], pause[1]);
        System.out.printf("[DP-5] %s: %d pings at %d ms, %d lost (%d while the VM's link was away, %d ms; %d beyond"
                + " it: they reached the destination's nNVE and were not answered); longest gap between replies %d ms; lost icmp_seq at ms from"
                + " the pause's start: %s%n", what, g.sent, INTERVAL_MS, g.lost, g.lost - g.lostOnWire,
                pause[1] - pause[0], g.lostOnWire, g.longestGapMs, g.lostAt);
        assertThat(g.repliesAfter).as("replies after the VM's pause").isPositive();
        return g;
    }

    /**
     * What a {@code ping -D} said, against the echo requests that reached the destination's nNVE ({@code onWire}):
     * pings sent, lost, lost on the wire (they reached the destination's nNVE and were never answered: the network's
     * loss; a ping sent while the VM's link was away never got there, the VM's pause), the longest silence between two replies, and the lost
     * pings' times from the pause's start (estimated from their answered neighbours').
     */
    record Gaps(int sent, int lost, int lostOnWire, long longestGapMs, int repliesAfter, String lostAt) {
        static Gaps of(String output, String onWire, long pauseStart, long pauseEnd) {
            TreeMap<Integer, Double> replies = new TreeMap<>(); // icmp_seq -> reply time (epoch seconds)
            TreeMap<Integer, Double> sentAt = new TreeMap<>();  // icmp_seq -> reply time less the round trip
            int sent = 0;
            for (String line : output.lines().toList()) {
                Matcher m = REPLY.matcher(line);
                if (m.find()) {
                    int seq = Integer.parseInt(m.group(2));
                    double t = Double.parseDouble(m.group(1));
                    replies.putIfAbsent(seq, t);
                    sentAt.putIfAbsent(seq, t - Double.parseDouble(m.group(3)) / 1000);
                }
                Matcher s = SENT.matcher(line);
                if (s.find()) {
                    sent = Integer.parseInt(s.group(1));
                }
            }
            assertThat(sent).as("ping's summary: %s", output).isPositive();
            java.util.Set<Integer> wire = new java.util.HashSet<>();
            for (String line : onWire.lines().toList()) {
                if (line.trim().matches("\\d+")) {
                    wire.add(Integer.parseInt(line.trim()));
                }
            }
            // the pings after the last answered one may have had no time to be answered before ping ended: not counted
            int last = replies.isEmpty() ? sent + 1 : replies.lastKey();
            int lostOnWire = 0;
            int lost = 0;
            StringBuilder lostAt = new StringBuilder();
            for (int seq = 1; seq < last; seq++) {
                if (replies.containsKey(seq)) {
                    continue;
                }
                lost++;
                if (wire.contains(seq)) {
                    lostOnWire++;
                }
                var before = sentAt.lowerEntry(seq);
                var after = sentAt.higherEntry(seq);
                if (before != null && after != null) {
                    double t = before.getValue() + (after.getValue() - before.getValue()) * (seq - before.getKey())
                            / (after.getKey() - before.getKey());
                    lostAt.append(lostAt.isEmpty() ? "" : ", ").append(seq).append(wire.contains(seq) ? " (on the wire)"
                            : "").append(" at ").append(Math.round(t * 1000) - pauseStart);
                }
            }
            long gap = 0;
            Double previous = null;
            int afterPause = 0;
            for (double t : replies.values()) {
                if (previous != null) {
                    gap = Math.max(gap, Math.round((t - previous) * 1000));
                }
                previous = t;
                if (t * 1000 > pauseEnd) {
                    afterPause++;
                }
            }
            return new Gaps(sent, lost, lostOnWire, gap, afterPause, lostAt.toString());
        }
    }
}
