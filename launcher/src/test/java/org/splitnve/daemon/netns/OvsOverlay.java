package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.splitnve.daemon.NvaDaemon;
import org.splitnve.daemon.config.NvaSettings;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.dataplane.OvsLab;
import org.splitnve.nva.service.client.NvaClient;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;

/**
 * The Open vSwitch topology of the data-plane tests with daemons (issue 11): nNVE bridges (userspace datapath,
 * fail-mode=secure, a flow-based VXLAN port), the underlay between nNVEs, hypervisor bridges (standalone, MAC learning;
 * a VM's access port carries the local tag the tNVE got from its nNVE), VMs (namespaces with a veth) and the trunks
 * from hypervisors to nNVEs; and the probes (ping) the tests use. Everything lives in the {@link OvsLab}'s namespaces.
 */
final class OvsOverlay {
    /** The OpenFlow port number of every nNVE bridge's VXLAN port. */
    static final int VXLAN = 9;

    final OvsLab ovs;

    OvsOverlay(OvsLab ovs) {
        this.ovs = ovs;
    }

    /** An nNVE's switch in a new namespace {@code name}: br-nve with the VXLAN port whose local address is {@code vtep}. */
    OvsLab.Ovs nnve(String name, String vtep) throws IOException {
        String ns = ovs.namespace(name);
        OvsLab.Ovs sw = ovs.startOvs(ns, name);
        sw.vsctl("add-br", "br-nve", "--", "set", "bridge", "br-nve", "datapath_type=netdev", "fail-mode=secure",
                "protocols=OpenFlow13,OpenFlow14",
                "--", "add-port", "br-nve", "vx", "--", "set", "interface", "vx", "type=vxlan", "ofport_request=" + VXLAN,
                "options:remote_ip=flow", "options:local_ip=" + vtep, "options:key=flow");
        return sw;
    }

    /**
     * The underlay: one cable between two nNVEs' namespaces ({@code ula} at a, {@code ulb} at b), each end on the
     * nNVE's bridge br-und, which holds the nNVE's VTEP address (/24); MTU 1600 for VXLAN's 50 octets
     * (../shared/docs/ovs-dataplane.md).
     */
    void underlay(OvsLab.Ovs a, String vtepA, OvsLab.Ovs b, String vtepB) throws IOException {
        ovs.veth(a.ns, "ula", b.ns, "ulb");
        underlayEnd(a, "ula", vtepA);
        underlayEnd(b, "ulb", vtepB);
    }

    private void underlayEnd(OvsLab.Ovs sw, String cable, String vtep) throws IOException {
        ovs.quiet(sw.ns, cable);
        sw.vsctl("add-br", "br-und", "--", "set", "bridge", "br-und", "datapath_type=netdev",
                "--", "add-port", "br-und", cable, "--", "set", "interface", cable, "mtu_request=1600");
        OvsLab.run("ip", "-n", sw.ns, "link", "set", cable, "mtu", "1600");
        OvsLab.run("ip", "-n", sw.ns, "addr", "add", vtep + "/24", "dev", "br-und");
        OvsLab.run("ip", "-n", sw.ns, "link", "set", "br-und", "up");
    }

    /** A hypervisor: a new namespace {@code name} with an OVS bridge br-hv. */
    OvsLab.Ovs hypervisor(String name) throws IOException {
        String ns = ovs.namespace(name);
        OvsLab.Ovs sw = ovs.startOvs(ns, name);
        sw.vsctl("add-br", "br-hv", "--", "set", "bridge", "br-hv", "datapath_type=netdev");
        return sw;
    }

    /**
     * A VM: a new namespace {@code name} whose eth0 has the TSI's MAC and first IPv4 address (/24); the other end of its
     * veth, {@code port}, is an access port of the hypervisor's bridge with local tag {@code tag}. Returns the namespace.
     */
    String vm(String name, OvsLab.Ovs hv, String port, TsiSpec t, int tag) throws IOException {
        String vm = ovs.namespace(name);
        ovs.veth(vm, "eth0", hv.ns, port);
        ovs.vm(vm, "eth0", t.mac().toString(), ip(t) + "/24", null);
        ovs.quiet(hv.ns, port);
        hv.vsctl("add-port", "br-hv", port, "tag=" + tag);
        return vm;
    }

    /**
     * A trunk from the hypervisor's {@code hvIf} (MAC {@code hvMac}, a port of br-hv) to the nNVE's {@code nIf} (MAC
     * {@code nMac}, OpenFlow port {@code ofport} of br-nve): the tNVE's uplink and the nNVE's VDP port.
     */
    void trunk(OvsLab.Ovs hv, String hvIf, MacAddress hvMac, OvsLab.Ovs n, String nIf, MacAddress nMac, int ofport)
            throws IOException {
        ovs.veth(hv.ns, hvIf, n.ns, nIf);
        OvsLab.run("ip", "-n", hv.ns, "link", "set", "dev", hvIf, "address", hvMac.toString());
        OvsLab.run("ip", "-n", n.ns, "link", "set", "dev", nIf, "address", nMac.toString());
        ovs.quiet(hv.ns, hvIf);
        ovs.quiet(n.ns, nIf);
        hv.vsctl("add-port", "br-hv", hvIf);
        n.vsctl("add-port", "br-nve", nIf, "--", "set", "interface", nIf, "ofport_request=" + ofport);
    }

    /** The nNVE's {@code [dataplane]}: its bridge br-nve, VTEP, and its ports in order (OpenFlow ports 1, 2, ...). */
    static String dataplane(OvsLab.Ovs n, String vtep, String... ports) {
        StringBuilder sb = new StringBuilder("[dataplane]\nsocket = \"" + n.mgmt("br-nve") + "\"\nvtep = \"" + vtep
                + "\"\ntunnel_ofport = " + VXLAN + "\n");
        for (int i = 0; i < ports.length; i++) {
            sb.append("[[dataplane.port]]\nport = \"").append(ports[i]).append("\"\nofport = ").append(i + 1).append('\n');
        }
        return sb.toString();
    }

    /**
     * {@code splitnve nva} in this process (the daemon an operator runs, with its HTTP API on a free loopback port and
     * its state in memory), logging to {@code log}.
     */
    static NvaDaemon nva(DaemonLab lab, DaemonLab.LogBuffer log) throws Exception {
        Path conf = lab.write("nva.toml", """
                [nva]
                name = "nva"
                store = "memory:"
                [api]
                listen = "127.0.0.1:0"
                [log]
                format = "json"
                level = "info"
                """);
        return lab.closeAfter(NvaDaemon.start(NvaSettings.load(conf), conf.toString(), log.stream));
    }

    /** The nNVE's {@code [nva]} for the NVA daemon {@code nva}: its address, the nNVE's token, the VNs it serves. */
    static String nvaServers(NvaDaemon nva, String token, long... serves) {
        StringBuilder vns = new StringBuilder();
        for (long v : serves) {
            vns.append(vns.isEmpty() ? "" : ", ").append(v);
        }
        return "[nva]\nservers = [\"http://127.0.0.1:" + nva.api().address().getPort() + "\"]\ntoken = \"" + token
                + "\"\nserves = [" + vns + "]\n";
    }

    static String ip(TsiSpec t) {
        return t.ips().getFirst().ip().getHostAddress();
    }

    /** A TCP transfer's outcome: octets sent and received, whether the SHA-256 at both ends agreed, how long it took. */
    record Tcp(long sent, long received, boolean intact, double seconds) {
        double mbitPerSecond() {
            return sent * 8 / seconds / 1e6;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%d octets sent, %d received, %s, %.2f s (%.0f Mbit/s)", sent,
                    received, intact ? "SHA-256 equal" : "SHA-256 DIFFERENT", seconds, mbitPerSecond());
        }
    }

    /** The receiving end: one connection, every octet hashed, then "OCTETS SHA256" sent back. */
    private static final String TCP_SERVER = """
            import hashlib, socket, sys
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", int(sys.argv[1])))
            s.listen(1)
            print("listening", flush=True)
            c, _ = s.accept()
            h = hashlib.sha256()
            n = 0
            while True:
                b = c.recv(1 << 16)
                if not b:
                    break
                h.update(b)
                n += len(b)
            c.sendall(("%d %s\\n" % (n, h.hexdigest())).encode())
            c.close()
            """;

    /** The sending end: MEGABYTES MiB of random octets, then the answer; prints "SENT SHA256 RECEIVED SHA256 SECONDS". */
    private static final String TCP_CLIENT = """
            import hashlib, os, socket, sys, time
            ip, port, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            data = os.urandom(1 << 20)
            h = hashlib.sha256()
            c = socket.create_connection((ip, port), timeout=30)
            t0 = time.monotonic()
            for _ in range(mb):
                c.sendall(data)
                h.update(data)
            c.shutdown(socket.SHUT_WR)
            answer = c.makefile().readline().split()
            t1 = time.monotonic()
            print(mb << 20, h.hexdigest(), answer[0], answer[1], "%.6f" % (t1 - t0))
            """;

    /**
     * {@code megabytes} MiB of TCP from namespace {@code from} to {@code to} (its address {@code toIp}, port 5001), with
     * python3 at both ends: what the receiver counted and hashed against what the sender sent.
     */
    static Tcp tcp(String from, String to, String toIp, int megabytes) throws Exception {
        Process server = new ProcessBuilder("ip", "netns", "exec", to, "python3", "-c", TCP_SERVER, "5001")
                .redirectErrorStream(true).start();
        try {
            java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            assertThat(r.readLine()).as("the TCP server in %s", to).isEqualTo("listening");
            Process client = new ProcessBuilder("ip", "netns", "exec", from, "python3", "-c", TCP_CLIENT, toIp, "5001",
                    String.valueOf(megabytes)).redirectErrorStream(true).start();
            String out = new String(client.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            assertThat(client.waitFor(60, TimeUnit.SECONDS)).as("the TCP client ends").isTrue();
            assertThat(client.exitValue()).as("the TCP client's status: %s", out).isZero();
            String[] f = out.split(" ", -1);
            assertThat(f).as("the TCP client's line: %s", out).hasSize(5);
            return new Tcp(Long.parseLong(f[0]), Long.parseLong(f[2]), f[1].equals(f[3]), Double.parseDouble(f[4]));
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Three pings 0.2 s apart: true when one was answered. */
    static boolean ping(String vm, String dst) throws IOException {
        int status = OvsLab.status("ip", "netns", "exec", vm, "ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W", "1", dst);
        assertThat(status).as("ping's exit status (0: answered, 1: no answer)").isIn(0, 1);
        return status == 0;
    }

    /** Pings once a second until one is answered (20 s at most). */
    static void awaitPing(String vm, String dst, String why) throws Exception {
        await(why, Duration.ofSeconds(20), () -> OvsLab.status("ip", "netns", "exec", vm, "ping", "-n", "-q", "-c", "1",
                "-W", "1", dst) == 0);
    }

    /** Waits until the nNVE's bridge holds the flows of its TSIs' and its NVA replica's state as of now. */
    static void awaitInstalled(Nnve n) throws Exception {
        await("the bridge of " + n.name + " to hold the flows of its state", Duration.ofSeconds(20),
                () -> n.d.dataplaneInstalled().get(10, TimeUnit.SECONDS));
        // issue 11: the model the flows came from, kept up to date by what changed, is the one made from scratch
        org.assertj.core.api.Assertions.assertThat(n.d.dataplaneModelDifferences().get(10, TimeUnit.SECONDS))
                .as("VNs where the incremental data-plane model differs from one made from scratch").isEmpty();
    }

    /** Waits until the nNVE's NVA client is in sync with the NVA (the VNs it serves are in its replica). */
    static void awaitInSync(Nnve n) throws Exception {
        await(n.name + "'s NVA client in sync", Duration.ofSeconds(30),
                () -> n.d.nvaClient().orElseThrow().state() == NvaClient.State.IN_SYNC);
    }

    /** Waits until the nNVE's data plane model names {@code mac} behind another NVE (from its replica of the NVA). */
    static void awaitRemote(Nnve n, MacAddress mac, String why) throws Exception {
        await(why, Duration.ofSeconds(30), () -> n.d.dataplaneModel().get(10, TimeUnit.SECONDS)
                .map(m -> m.remotes().stream().anyMatch(r -> r.addresses().stream().anyMatch(a -> a.mac() == mac.value())))
                .orElse(false));
    }
}
