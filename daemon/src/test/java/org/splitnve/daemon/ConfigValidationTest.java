package org.splitnve.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.daemon.config.DataplaneSettings;
import org.splitnve.daemon.config.NnveSettings;
import org.splitnve.daemon.config.TnveSettings;
import org.splitnve.nva.PrefixPolicy;
import org.splitnve.wire.MacAddress;

class ConfigValidationTest {
    @TempDir
    Path dir;

    Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** Runs the daemon's entry point on a bad file: the status, and stderr. */
    String[] run(boolean nnve, Path config) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int status = nnve ? NnveDaemon.main(config, System.out, e) : TnveDaemon.main(config, System.out, e);
        return new String[] {String.valueOf(status), err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    @DisplayName("the example configurations parse, every value as documented")
    void examples() throws Exception {
        NnveSettings n = NnveSettings.load(Path.of("../examples/nnve.conf"));
        assertThat(n.name()).isEqualTo("nnve1");
        assertThat(n.ports()).hasSize(2);
        assertThat(n.ports().get(1).tags()).isEqualTo(n.ports().get(0).tags());
        assertThat(n.ports().get(0).tags().cardinality()).isEqualTo(999 + 101);
        assertThat(n.vns()).hasSize(2);
        assertThat(n.typeVns()).containsEntry(5, 5000L);
        TnveSettings t = TnveSettings.load(Path.of("../examples/tnve.conf"));
        assertThat(t.uplinks()).singleElement().satisfies(u -> {
            assertThat(u.destination()).isEqualTo(MacAddress.NEAREST_CUSTOMER_BRIDGE);
            assertThat(u.iface()).isEqualTo("h1-up0");
        });
        assertThat(t.timers().rte()).isEqualTo(14);
    }

    @Test
    @DisplayName("SEC-4: every mistake of an nNVE file is reported with file, line and key; exit status 2, nothing started")
    void nnveMistakes() throws Exception {
        Files.writeString(dir.resolve("short.key"), "00112233\n");
        Files.writeString(dir.resolve("nothex.key"), "zz".repeat(40));
        Path p = write("bad.conf", """
                [nnve]
                name = "n1"
                bogus = 1
                [[port]]
                interface = "eth0"
                multicast = "zz:00"
                tags = "2-100, 50-60"
                [[port]]
                interface = "eth1"
                scope = "s"
                tags = "2-10"
                [[port]]
                interface = "eth2"
                scope = "s"
                tags = "5-20"
                [[port]]
                interface = "eth0"
                [foo]
                [timers]
                rte = 99
                retries = "three"
                [[auth.key]]
                port = "eth0"
                id = 1
                file = "missing.key"
                [[auth.key]]
                station = "52:54:00:00:00:01"
                id = 2
                file = "short.key"
                [[auth.key]]
                port = "eth9"
                id = 3
                file = "nothex.key"
                [[nva.vn]]
                id = 7
                alias = "a"
                vni = 20000000
                [[nva.vn]]
                id = 7
                alias = "a"
                vni = 1
                service = "l4"
                [[nva.vsi_type]]
                type = 1
                vn = 99
                [log]
                format = "xml"
                """);
        String[] r = run(true, p);
        assertThat(r[0]).isEqualTo("2");
        String f = p.toString();
        assertThat(r[1]).contains(
                f + ":3: [nnve] bogus: unknown key",
                f + ":6: [[port]] multicast: bad MAC address 'zz:00'",
                f + ":7: [[port]] tags: tag ranges overlap: 50-60 and 2-100",
                f + ":15: [[port]] tags: ports eth1 and eth2 share scope 's'",
                "overlap (5-10)",
                f + ":17: [[port]] interface: duplicate port 'eth0' (first on line 5)",
                f + ":18: [foo] unknown section [foo]",
                f + ":20: [timers] rte: 99 is out of range 0..31",
                f + ":21: [timers] retries: expected an integer, found \"three\"",
                f + ":25: [[auth.key]] file: key file " + dir.resolve("missing.key") + " does not exist",
                f + ":29: [[auth.key]] file: key file " + dir.resolve("short.key") + " holds 4 octets",
                f + ":31: [[auth.key]] port: no [[port]] has interface 'eth9'",
                f + ":33: [[auth.key]] file: key file " + dir.resolve("nothex.key") + " does not hold a hex key",
                f + ":37: [[nva.vn]] vni: 20000000 is out of range 0..16777215",
                f + ":39: [[nva.vn]] id: duplicate VN ID '7' (first on line 35)",
                f + ":40: [[nva.vn]] alias: duplicate VN alias 'a'",
                f + ":42: [[nva.vn]] service: 'l4' is not one of l2, l3",
                f + ":45: [[nva.vsi_type]] vn: no [[nva.vn]] has id 99",
                f + ":47: [log] format: 'xml' is not one of text, json",
                "configuration errors; nothing started");
    }

    @Test
    @DisplayName("SEC-4, OPS-4, DP-1 (issue 11): [dataplane] is off by default; with it, the bridge's socket (socket, or"
            + " run_dir and bridge), the VTEP, the VXLAN port and the bridge's port of each [[port]] are read (by OpenFlow"
            + " port number or by interface name; a [[port]] without one: its own interface's name); every mistake"
            + " is an error with the line, exit status 2, nothing started")
    void dataplane() throws Exception {
        String base = """
                [nnve]
                name = "n"
                [[port]]
                interface = "eth0"
                [[port]]
                interface = "eth1"
                namespace = "hv"
                """;
        assertThat(load(base).dataplane()).isNull();
        String good = """
                [dataplane]
                run_dir = "/run/ovs"
                bridge = "br0"
                vtep = "192.0.2.1"
                tunnel_ofport = 9
                [[dataplane.port]]
                port = "hv/eth1"
                ofport = 2
                [[dataplane.port]]
                port = "eth0"
                ofport = 1
                """;
        var d = load(base + good).dataplane();
        assertThat(d.socket()).isEqualTo(Path.of("/run/ovs/br0.mgmt"));
        assertThat(d.vtep().getHostAddress()).isEqualTo("192.0.2.1");
        assertThat(d.tunnel()).isEqualTo(DataplaneSettings.BridgePort.number(9));
        assertThat(d.ports()).containsExactly(DataplaneSettings.BridgePort.number(1),
                DataplaneSettings.BridgePort.number(2));
        assertThat(d.named()).isFalse();
        // by name: the tunnel's interface, a [[dataplane.port]] naming another interface, a [[port]] without one (its
        // own interface's name on the bridge)
        var named = load(base + good.replace("tunnel_ofport = 9", "tunnel_interface = \"vx0\"")
                .replace("port = \"hv/eth1\"\nofport = 2", "port = \"hv/eth1\"\ninterface = \"hv-eth1\"")
                .replace("[[dataplane.port]]\nport = \"eth0\"\nofport = 1\n", "")).dataplane();
        assertThat(named.tunnel()).isEqualTo(DataplaneSettings.BridgePort.named("vx0"));
        assertThat(named.ports()).containsExactly(DataplaneSettings.BridgePort.named("eth0"),
                DataplaneSettings.BridgePort.named("hv-eth1"));
        assertThat(named.named()).isTrue();
        assertThat(d.audit()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(load(base + good.replace("run_dir = \"/run/ovs\"\nbridge = \"br0\"", "socket = \"/s/b.mgmt\"")).dataplane().socket()).isEqualTo(Path.of("/s/b.mgmt"));
        assertThat(load(base + "[dataplane]\nenabled = false\n").dataplane()).isNull();
        for (String[] b : new String[][] {
            {good.replace("vtep = \"192.0.2.1\"", "vtep = \"2001:db8::1\""),
                "[dataplane] vtep: '2001:db8::1' is not a unicast IPv4 address"},
            {good.replace("vtep = \"192.0.2.1\"\n", ""), "[dataplane] missing required key 'vtep'"},
            {good.replace("tunnel_ofport = 9\n", ""), "missing required key 'tunnel_interface'"},
            {good.replace("tunnel_ofport = 9\n", "tunnel_ofport = 9\ntunnel_interface = \"vx\"\n"),
                "[dataplane] tunnel_interface: either tunnel_interface or tunnel_ofport, not both"},
            {good.replace("ofport = 1", "ofport = 1\ninterface = \"eth0\""),
                "[[dataplane.port]] interface: either interface or ofport, not both"},
            {good.replace("ofport = 1", "interface = \"a-name-too-long-for-linux\""),
                "[[dataplane.port]] interface: 'a-name-too-long-for-linux' is not an interface name"},
            {good.replace("ofport = 1", "interface = \"vx\"").replace("tunnel_ofport = 9", "tunnel_interface = \"vx\""),
                "the bridge's interface vx is already the tunnel's"},
            {good.replace("run_dir = \"/run/ovs\"\n", ""), "the bridge's management socket is missing"},
            {good.replace("run_dir", "socket = \"/x\"\nrun_dir"), "either socket or run_dir and bridge, not both"},
            {good.replace("port = \"eth0\"", "port = \"eth7\""), "[[dataplane.port]] port: no [[port]] has interface 'eth7'"},
            {good.replace("port = \"eth0\"\nofport = 1", "port = \"hv/eth1\"\nofport = 1"),
                "[[dataplane.port]] port: duplicate [[dataplane.port]] for this [[port]] 'hv/eth1'"},
            {good.replace("ofport = 1", "ofport = 2"), "the bridge's OpenFlow port 2 is already [[port]] eth0's"},
            {good.replace("ofport = 1", "ofport = 9"), "the bridge's OpenFlow port 9 is already the tunnel's"},
            {good.replace("ofport = 1", "ofport = 0"), "[[dataplane.port]] ofport: 0 is out of range"},
            {good + "colour = \"red\"\n", "colour"},
            {"[[dataplane.port]]\nport = \"eth0\"\nofport = 1\n", "[dataplane] missing required key 'vtep'"},
        }) {
            String[] r = run(true, write("bad-dp.conf", base + b[0]));
            assertThat(r[0]).as(b[0]).isEqualTo("2");
            assertThat(r[1]).as(b[0]).contains(b[1]).contains("nothing started");
        }
    }

    @Test
    @DisplayName("SEC-4, OPS-4, DP-4 (issue 11): a tNVE's [dataplane] is off by default; with it, the hypervisor bridge's"
            + " socket, the trunk (default: each uplink's interface), the audit and per [[dataplane.vm]] a VM's interfaces"
            + " are read; every mistake is an error with the line, exit status 2, nothing started")
    void tnveDataplane() throws Exception {
        String base = """
                [tnve]
                name = "h"
                [[uplink]]
                name = "tor"
                interface = "up0"
                """;
        assertThat(TnveSettings.load(write("t.conf", base)).dataplane()).isNull();
        String good = """
                [dataplane]
                run_dir = "/run/ovs"
                bridge = "br-hv"
                [[dataplane.vm]]
                name = "vm1"
                interfaces = ["vnet0", "vnet1"]
                """;
        var d = TnveSettings.load(write("t.conf", base + good)).dataplane();
        assertThat(d.socket()).isEqualTo(Path.of("/run/ovs/br-hv.mgmt"));
        assertThat(d.trunk()).isNull();
        assertThat(d.interfaces()).containsExactly(java.util.Map.entry("vm1", java.util.List.of("vnet0", "vnet1")));
        assertThat(d.audit()).isEqualTo(java.time.Duration.ofSeconds(30));
        var t = TnveSettings.load(write("t.conf", base + good.replace("bridge = \"br-hv\"\n",
                "bridge = \"br-hv\"\ntrunk = \"eth1\"\naudit = 5\n"))).dataplane();
        assertThat(t.trunk()).isEqualTo("eth1");
        assertThat(t.audit()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(TnveSettings.load(write("t.conf", base + "[dataplane]\nenabled = false\n")).dataplane()).isNull();
        for (String[] b : new String[][] {
            {good.replace("run_dir = \"/run/ovs\"\n", ""), "the bridge's management socket is missing"},
            {good.replace("interfaces = [\"vnet0\", \"vnet1\"]\n", ""), "[[dataplane.vm]] missing required key 'interfaces'"},
            {good.replace("interfaces = [\"vnet0\", \"vnet1\"]", "interfaces = [1]"), "[[dataplane.vm]] interfaces: expected a list"},
            {good + "[[dataplane.vm]]\nname = \"vm1\"\ninterfaces = [\"vnet2\"]\n", "duplicate [[dataplane.vm]] for this VM 'vm1'"},
            {good.replace("bridge = \"br-hv\"\n", "bridge = \"br-hv\"\naudit = 0\n"), "[dataplane] audit: 0 is out of range"},
            {good.replace("bridge = \"br-hv\"\n", "bridge = \"br-hv\"\ncolour = \"red\"\n"), "colour"},
        }) {
            String[] r = run(false, write("bad-tdp.conf", base + b[0]));
            assertThat(r[0]).as(b[0]).isEqualTo("2");
            assertThat(r[1]).as(b[0]).contains(b[1]).contains("nothing started");
        }
    }

    @Test
    @DisplayName("[[nva.vn]] shortest_ipv4_prefix and shortest_ipv6_prefix: the "
            + "shortest prefix a TSI may claim in trusted mode, /24 and /64 unless the VN grants others; out of range "
            + "is an error with the line, exit status 2")
    void prefixPolicy() throws Exception {
        String base = "[nnve]\nname = \"n\"\n[[port]]\ninterface = \"eth0\"\n[[nva.vn]]\nid = 7\nalias = \"a\"\nvni = 1\n";
        assertThat(load(base).vns().getFirst().prefixes()).isEqualTo(new PrefixPolicy(24, 64));
        assertThat(load(base + "shortest_ipv4_prefix = 16\nshortest_ipv6_prefix = 48\n").vns().getFirst().prefixes())
                .isEqualTo(new PrefixPolicy(16, 48));
        assertThat(load(base + "shortest_ipv4_prefix = 32\nshortest_ipv6_prefix = 128\n").vns().getFirst().prefixes())
                .isEqualTo(PrefixPolicy.HOSTS_ONLY);
        assertThat(NnveSettings.load(Path.of("../examples/nnve.conf")).vns()).extracting(v -> v.prefixes())
                .containsExactly(PrefixPolicy.DEFAULT, new PrefixPolicy(24, 56));
        for (String[] b : new String[][] {
            {"shortest_ipv4_prefix = 33", "9: [[nva.vn]] shortest_ipv4_prefix: 33 is out of range 0..32"},
            {"shortest_ipv6_prefix = -1", "9: [[nva.vn]] shortest_ipv6_prefix: -1 is out of range 0..128"},
            {"shortest_ipv6_prefix = \"/64\"", "9: [[nva.vn]] shortest_ipv6_prefix: expected an integer"},
        }) {
            String[] r = run(true, write("bad-prefix.conf", base + b[0] + "\n"));
            assertThat(r[0]).as(b[0]).isEqualTo("2");
            assertThat(r[1]).as(b[0]).contains(b[1]).contains("nothing started");
        }
    }

    @Test
    @DisplayName("tNVE files: bad MACs, duplicate uplinks, placements and keys naming undefined uplinks; exit status 2")
    void tnveMistakes() throws Exception {
        Path p = write("t.conf", """
                [tnve]
                name = "h1"
                [[uplink]]
                name = "a"
                interface = "eth0"
                destination = "01:80:c2:00:00:0e"
                [[uplink]]
                name = "a"
                interface = "eth1"
                nnve = "01:00:5e:00:00:01"
                filter = "vlan"
                [[placement]]
                vn = 5
                uplinks = ["a", "zz"]
                mode = "both"
                [[auth.key]]
                uplink = "nope"
                id = 1
                file = "k"
                [lldp]
                interval = 0
                """);
        String[] r = run(false, p);
        assertThat(r[0]).isEqualTo("2");
        String f = p.toString();
        assertThat(r[1]).contains(
                f + ":6: [[uplink]] destination: 01:80:c2:00:00:0e is a reserved group",
                f + ":8: [[uplink]] name: duplicate uplink name 'a' (first on line 4)",
                f + ":10: [[uplink]] nnve: 01:00:5e:00:00:01 is not a unicast MAC address",
                f + ":11: [[uplink]] filter: 'vlan' is not one of vid, mac-vid, group-vid, group-mac-vid",
                f + ":14: [[placement]] uplinks: no [[uplink]] is named 'zz'",
                f + ":15: [[placement]] mode: 'both' is not one of active-standby, active-active",
                f + ":17: [[auth.key]] uplink: no [[uplink]] is named 'nope'",
                f + ":19: [[auth.key]] file: key file " + dir.resolve("k") + " does not exist",
                f + ":21: [lldp] interval: 0 is out of range 1..3600");
    }

    @Test
    @DisplayName("syntax errors, a missing file and a missing [nnve] section give exit status 2 with the line")
    void syntax() throws Exception {
        // the messages of a file that is not TOML are the TOML parser's (tomlj), after FILE:LINE: column N:
        assertThat(run(true, write("s1.conf", "[nnve]\nname = nnve1\n"))[1])
                .contains("s1.conf:2: column 8: Unexpected 'n', expected");
        assertThat(run(true, write("s2.conf", "[nnve]\nname = \"x\"\nname = \"y\"\n"))[1])
                .contains("s2.conf:3: column 1: name previously defined at line 2");
        assertThat(run(true, write("s3.conf", "[[port]]\ninterface = \"e\"\n"))[1]).contains("missing section [nnve]");
        assertThat(run(true, write("s4.conf", "[nnve]\nname = \"x\"\n"))[1]).contains("no [[port]]");
        String[] r = run(false, dir.resolve("absent.conf"));
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("cannot read the configuration file");
    }

    @Test
    @DisplayName("a valid key file (hex with comments and spaces) loads; the key binds to its station")
    void keys() throws Exception {
        Files.writeString(dir.resolve("k.key"), "# host1\n" + "ab ".repeat(32) + "\n");
        NnveSettings s = NnveSettings.from(org.splitnve.config.ConfFile.parse(dir.resolve("n.conf"), """
                [nnve]
                name = "n"
                [[port]]
                interface = "eth0"
                [auth]
                allow_unauthenticated = false
                [[auth.key]]
                station = "52:54:00:00:00:01"
                port = "eth0"
                id = 0xffffffff
                file = "k.key"
                """));
        assertThat(s.allowUnauthenticated()).isFalse();
        assertThat(s.keys()).singleElement().satisfies(k -> {
            assertThat(k.port()).isZero();
            assertThat(k.id()).isEqualTo(-1);
            assertThat(k.material()).hasSize(32);
        });
    }

    @Test
    @DisplayName("[api] defaults to loopback (nNVE 7480, tNVE 7481); beyond loopback without token_file, bad addresses, bad token files and bad host names are errors with the line; exit status 2")
    void api() throws Exception {
        NnveSettings n = NnveSettings.load(Path.of("../examples/nnve.conf"));
        assertThat(n.api().listen()).isEqualTo(new java.net.InetSocketAddress(java.net.InetAddress.ofLiteral("127.0.0.1"), 7480));
        assertThat(n.api().token()).isNull();
        TnveSettings t = TnveSettings.load(Path.of("../examples/tnve.conf"));
        assertThat(t.api().listen()).isEqualTo(new java.net.InetSocketAddress(java.net.InetAddress.ofLiteral("127.0.0.1"), 7481));
        String base = "[nnve]\nname = \"n\"\n[[port]]\ninterface = \"eth0\"\n[api]\n";
        // no [api] at all: the default
        assertThat(NnveSettings.from(org.splitnve.config.ConfFile.parse(dir.resolve("d.conf"),
                "[nnve]\nname = \"n\"\n[[port]]\ninterface = \"eth0\"\n")).api().listen().getPort()).isEqualTo(7480);
        assertThat(load(base + "listen = \"off\"\n").api().enabled()).isFalse();
        assertThat(load(base + "listen = \"[::1]:0\"\n").api().listen().getAddress())
                .isEqualTo(java.net.InetAddress.ofLiteral("::1"));
        assertThat(load(base + "listen = \"localhost:9000\"\n").api().listen().getAddress().isLoopbackAddress())
                .isTrue();
        Files.writeString(dir.resolve("api.token"), "\n  0123456789abcdef-token  \nsecond line\n");
        NnveSettings withToken = load(base + "listen = \"0.0.0.0:7480\"\ntoken_file = \"api.token\"\n");
        assertThat(withToken.api().token()).isEqualTo("0123456789abcdef-token");
        assertThat(withToken.api().listen().getAddress().isAnyLocalAddress()).isTrue();
        // SEC-8: the names the API may be called by besides its address (the Host header), lower case
        assertThat(withToken.api().hostNames()).isEmpty();
        assertThat(load(base + "listen = \"0.0.0.0:7480\"\ntoken_file = \"api.token\"\n"
                + "host_names = [\"NNVE1.example.org\", \"nnve1\"]\n").api().hostNames())
                .containsExactly("nnve1.example.org", "nnve1");

        Files.writeString(dir.resolve("short.token"), "tooshort\n");
        Files.writeString(dir.resolve("empty.token"), "\n\n");
        String[][] bad = {
            {"listen = \"0.0.0.0:7480\"", "6: [api] listen: 0.0.0.0:7480 is not a loopback address: the API then needs a bearer token"},
            {"listen = \"[2001:db8::1]:7480\"", "6: [api] listen: [2001:db8:0:0:0:0:0:1]:7480 is not a loopback address"},
            {"listen = \"127.0.0.1\"", "6: [api] listen: '127.0.0.1' is not HOST:PORT"},
            {"listen = \"example.com:80\"", "6: [api] listen: 'example.com:80' is not HOST:PORT"},
            {"listen = \"127.0.0.1:65536\"", "is not HOST:PORT"},
            {"listen = \"::1:7480\"", "is not HOST:PORT"},
            {"listen = 7480", "6: [api] listen: expected a quoted string"},
            {"token_file = \"short.token\"", "6: [api] token_file: the token in " + dir.resolve("short.token") + " has 8 characters"},
            {"token_file = \"empty.token\"", "holds no token"},
            {"token_file = \"absent.token\"", "token file " + dir.resolve("absent.token") + " does not exist"},
            {"port = 7480", "6: [api] port: unknown key (known in [api]: listen, token_file, host_names)"},
            {"host_names = [\"nnve1.example.org:7480\"]", "6: [api] host_names: 'nnve1.example.org:7480' is not a host name"},
            {"host_names = [\"*.example.org\"]", "is not a host name"},
            {"host_names = 7", "6: [api] host_names: expected a list of quoted strings"},
        };
        for (String[] b : bad) {
            Path p = write("bad-api.conf", base + b[0] + "\n");
            String[] r = run(true, p);
            assertThat(r[0]).as(b[0]).isEqualTo("2");
            assertThat(r[1]).as(b[0]).contains(b[1]).contains("nothing started");
        }
        // the tNVE checks the same
        String[] r = run(false, write("bad-api-t.conf", """
                [tnve]
                name = "h"
                [[uplink]]
                name = "u"
                interface = "eth0"
                [api]
                listen = "0.0.0.0:7481"
                """));
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("bad-api-t.conf:7: [api] listen: 0.0.0.0:7481 is not a loopback address");
    }

    private NnveSettings load(String text) throws Exception {
        return NnveSettings.load(write("api.conf", text));
    }

    @Test
    @DisplayName("REL-1, OPS-4: [state] dir: /var/lib/splitnve/tnve-NAME by default, relative to the file's directory "
            + "when relative; an empty dir, an unknown key or a name with '/' and no dir is an error; a directory that "
            + "cannot be made stops the daemon before any frame (exit 1, the reason on stderr)")
    void stateDirectory() throws Exception {
        String base = "[tnve]\nname = \"h7\"\n[[uplink]]\nname = \"u\"\ninterface = \"nosuch0\"\n";
        assertThat(TnveSettings.load(write("default.conf", base)).stateDir())
                .isEqualTo(Path.of("/var/lib/splitnve/tnve-h7"));
        assertThat(TnveSettings.load(write("rel.conf", base + "[state]\ndir = \"st/h7\"\n")).stateDir())
                .isEqualTo(dir.resolve("st/h7").toAbsolutePath());
        assertThat(TnveSettings.load(write("abs.conf", base + "[state]\ndir = \"/srv/tnve\"\n")).stateDir())
                .isEqualTo(Path.of("/srv/tnve"));
        assertThat(TnveSettings.load(Path.of("../examples/tnve.conf")).stateDir())
                .isEqualTo(Path.of("/var/lib/splitnve/tnve-host1"));

        String[] r = run(false, write("bad-state.conf", base + "[state]\ndir = \"\"\nkeep = true\n"));
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("bad-state.conf:7: [state] dir: an empty path", "bad-state.conf:8: [state] keep: unknown");
        r = run(false, write("slash.conf", base.replace("h7", "rack/h7")));
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("slash.conf:2: [tnve] name: holds a '/'", "set [state] dir");

        // a file where the directory should be: the daemon stops before it opens its interface
        Files.writeString(dir.resolve("blocked"), "a file");
        r = run(false, write("blocked.conf", base + "[state]\ndir = \"blocked/h7\"\n"));
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[1]).contains("state directory", "blocked/h7", "cannot create it").doesNotContain("nosuch0");
    }

    @Test
    @DisplayName("REL-5, SEC-4: a file name with a NUL (token, key, state directory, a tNVE name) is a configuration"
            + " error on its line, not an InvalidPathException (the fuzzer's finding)")
    void fileNamesWithNul() throws Exception {
        // a NUL in a TOML string is written as an escape, backslash u0000 (a raw NUL is not TOML)
        String[] r = run(true, write("nul-token.conf", """
                [nnve]
                name = "n1"
                [[port]]
                interface = "p0"
                [api]
                listen = "127.0.0.1:0"
                token_file = "a\\u0000b"
                """));
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("nul-token.conf:7: [api] token_file: not a file name");
        r = run(true, write("nul-key.conf", """
                [nnve]
                name = "n1"
                [[port]]
                interface = "p0"
                [[auth.key]]
                station = "52:54:00:12:34:56"
                id = 1
                file = "k\\u0000.key"
                """));
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("nul-key.conf:8: [[auth.key]] file: not a file name");
        String base = "[tnve]\nname = \"h7\"\n[[uplink]]\nname = \"u\"\ninterface = \"nosuch0\"\n";
        r = run(false, write("nul-state.conf", base + "[state]\ndir = \"st\\u0000h7\"\n"));
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("nul-state.conf:7: [state] dir: not a file name");
        r = run(false, write("nul-name.conf", base.replace("h7", "h\\u0000")));
        assertThat(r[0]).isEqualTo("2");
        assertThat(r[1]).contains("nul-name.conf:2: [tnve] name: holds a '/' or a NUL");
    }
}
