package org.splitnve.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.api.Bodies;
import org.splitnve.api.JsonCodec;

/** The command line's parsing and its failures, before (or without) any daemon answering. */
class CliArgumentsTest {
    private final CliRun cli = new CliRun();

    private static List<Bodies.TsiSpec> specs(String... argv) throws UsageException {
        return VmCommand.tsiSpecs(Args.parse(List.of(argv), Cli.options("--vn", true, "--mac", true, "--ip", true,
                "--tsi", true, "--start", false)));
    }

    @Test
    @DisplayName("each --vn starts a TSI; the --mac, --ip and --tsi after it belong to it")
    void tsiGroups() throws Exception {
        List<Bodies.TsiSpec> s = specs("--vn", "5000", "--mac", "52:54:00:00:00:01", "--ip", "10.0.0.1", "--ip", "2001:db8::1",
                "--start", "--vn=5001", "--tsi", "7510A000-0000-4000-8000-000000000002", "--mac", "52-54-00-00-00-02");
        assertThat(s).hasSize(2);
        assertThat(JsonCodec.write(s.get(0))).isEqualTo("{\"vn\":5000,\"mac\":\"52:54:00:00:00:01\",\"ips\":[\"10.0.0.1\",\"2001:db8::1\"]}");
        assertThat(JsonCodec.write(s.get(1))).isEqualTo(
                "{\"id\":\"7510a000-0000-4000-8000-000000000002\",\"vn\":5001,\"mac\":\"52:54:00:00:00:02\",\"ips\":[]}");
    }

    @Test
    @DisplayName("a TSI without a MAC, a MAC before any --vn, a MAC twice, bad values: usage errors naming the value")
    void tsiMistakes() {
        assertThatThrownBy(() -> specs("--mac", "52:54:00:00:00:01", "--vn", "5000"))
                .hasMessageContaining("--mac 52:54:00:00:00:01 comes before any --vn");
        assertThatThrownBy(() -> specs("--vn", "5000")).hasMessageContaining("the TSI of --vn 5000 has no --mac");
        assertThatThrownBy(() -> specs()).hasMessageContaining("at least one TSI");
        assertThatThrownBy(() -> specs("--vn", "5000", "--mac", "52:54:00:00:00:01", "--vn", "5001", "--mac",
                "52:54:00:00:00:01")).hasMessageContaining("MAC 52:54:00:00:00:01 given for two TSIs");
        assertThatThrownBy(() -> specs("--vn", "5000", "--mac", "52:54:00:00:00:01", "--mac", "52:54:00:00:00:02"))
                .hasMessageContaining("two --mac");
        assertThatThrownBy(() -> specs("--vn", "web", "--mac", "52:54:00:00:00:01")).hasMessageContaining("not 'web'");
        assertThatThrownBy(() -> specs("--vn", "4294967296", "--mac", "52:54:00:00:00:01")).hasMessageContaining("VN ID");
        assertThatThrownBy(() -> specs("--vn", "5000", "--mac", "52:54:00:00:00")).hasMessageContaining("not a MAC address");
        assertThatThrownBy(() -> specs("--vn", "5000", "--mac", "01:00:5e:00:00:01")).hasMessageContaining("unicast");
        assertThatThrownBy(() -> specs("--vn", "5000", "--mac", "52:54:00:00:00:01", "--ip", "host.example"))
                .hasMessageContaining("not an IP address: 'host.example'");
        assertThatThrownBy(() -> specs("--vn", "5000", "--mac", "52:54:00:00:00:01", "--tsi", "1234"))
                .hasMessageContaining("UUID");
        assertThatThrownBy(() -> specs("--vn", "5000", "--colour", "blue")).hasMessageContaining("unknown option '--colour'");
        assertThatThrownBy(() -> specs("--vn")).hasMessageContaining("--vn needs a value");
        assertThatThrownBy(() -> specs("--start=yes")).hasMessageContaining("--start takes no value");
    }

    @Test
    @DisplayName("usage mistakes exit 2 with the message and the command's usage on stderr, nothing on stdout")
    void usageErrors() {
        for (String[] argv : List.of(new String[] {"vm"}, new String[] {"vm", "reboot", "vm1"},
                new String[] {"vm", "start"}, new String[] {"vm", "start", "a", "b"},
                new String[] {"vm", "addr", "vm1", "--tsi", "52:54:00:00:00:01", "swap", "10.0.0.1"},
                new String[] {"vm", "addr", "vm1", "add", "10.0.0.1"},
                new String[] {"vm", "migrate", "vm1"}, new String[] {"vm", "list", "--timeout", "0"},
                new String[] {"vm", "list", "--api", "ftp://host"}, new String[] {"show"}, new String[] {"show", "routes"},
                new String[] {"watch", "--count", "-1"}, new String[] {"capture", "eth0"},
                new String[] {"capture", "--out", "x.pcap"}, new String[] {"frobnicate"})) {
            CliRun.Result r = cli.run(argv);
            assertThat(r.status()).as("%s: %s", List.of(argv), r).isEqualTo(2);
            // issue 9: one line saying what, then where the usage is (no longer the whole usage text)
            assertThat(r.err()).as("%s", List.of(argv)).startsWith("splitnve").contains("see `splitnve")
                    .endsWith(" --help`\n");
            assertThat(r.err().lines().count()).as("%s: %s", List.of(argv), r.err()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
        }
        assertThat(cli.run("vm", "migrate", "vm1", "--to", "http://127.0.0.1:7481").err())
                .contains("--to names the source tNVE itself");
    }

    @Test
    @DisplayName("--help and help print the usage on stdout and exit 0; help lists every operating command")
    void help() {
        CliRun.Result r = cli.run("help");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("vm create NAME --vn ID --mac MAC", "vm migrate NAME --to URL", "vm addr NAME",
                "show peers|vns|tsis|tags", "watch", "capture IFACE --out FILE.pcap", "libvirt-hook", "--token-file");
        for (String c : List.of("vm", "show", "watch", "capture")) {
            CliRun.Result h = cli.run(c, "--help");
            assertThat(h.status()).isZero();
            assertThat(h.out()).contains("usage: splitnve " + c);
        }
    }

    @Test
    @DisplayName("no daemon at --api: exit 1 and 'no daemon answers at URL: is it running? (--api)'")
    void unreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;
        CliRun.Result r = cli.run("vm", "start", "vm1", "--api", url);
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("splitnve: no daemon answers at " + url + ": is it running? (--api)");
        assertThat(r.out()).isEqualTo("vm1: activating... failed\n");
        CliRun.Result s = new CliRun(Map.of("SPLITNVE_API", url + "/")).run("show", "tsis");
        assertThat(s.status()).isEqualTo(1);
        assertThat(s.err()).contains("no daemon answers at " + url + ":");
    }

    @Test
    @DisplayName("the token comes from --token-file, SPLITNVE_TOKEN or SPLITNVE_TOKEN_FILE; an unreadable or empty file is a usage error")
    void tokens(@TempDir Path dir) throws Exception {
        Io io = new Io(new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()),
                System.in, Map.of());
        assertThatThrownBy(() -> ApiClient.from(null, dir.resolve("none").toString(), 5, io, ApiClient.TNVE_DEFAULT))
                .isInstanceOf(UsageException.class).hasMessageContaining("--token-file: cannot read");
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> ApiClient.from(null, empty.toString(), 5, io, ApiClient.TNVE_DEFAULT))
                .hasMessageContaining("is empty");
        CliRun.Result r = cli.run("vm", "list", "--token-file", dir.resolve("none").toString());
        assertThat(r.status()).isEqualTo(2);
    }

    @Test
    @DisplayName("an HTTP error prints the error, the VDP reason code by name and the detail")
    void errorText() {
        assertThat(ApiException.http(422, "{\"error\":\"the nNVE refused\",\"code\":2,\"detail\":\"no tag left on port 1\"}")
                .getMessage()).isEqualTo("422 the nNVE refused (VDP reason code 2 (insufficient resources)): no tag left on port 1");
        assertThat(ApiException.http(422, "{\"error\":\"the nNVE refused: other failure\",\"code\":4,\"detail\":\"unknown VN\"}")
                .getMessage()).isEqualTo("422 the nNVE refused: other failure (VDP reason code 4): unknown VN");
        assertThat(ApiException.http(504, "{\"error\":\"no answer from the nNVE\",\"code\":-1,\"detail\":\"\"}").getMessage())
                .isEqualTo("504 no answer from the nNVE (the nNVE did not answer)");
        ApiException e = ApiException.http(409, "{\"error\":\"VM 'vm1' is RUNNING, not SHUTDOWN\",\"code\":0}");
        assertThat(e.code()).isZero();
        assertThat(e.getMessage()).as("code 0 is no refusal: not shown").isEqualTo("409 VM 'vm1' is RUNNING, not SHUTDOWN");
        assertThat(ApiException.http(502, "<html>bad gateway</html>").getMessage()).isEqualTo("502 <html>bad gateway</html>");
    }

    @Test
    @DisplayName("server-sent events: fields, multi-line data, comments (keep-alives) and unnamed events")
    void sse() {
        Sse.Reader r = new Sse.Reader();
        assertThat(r.line(": keep-alive")).isNull();
        assertThat(r.line("")).isNull();
        assertThat(r.line("event: tsi.state")).isNull();
        assertThat(r.line("data: {\"a\":1,")).isNull();
        assertThat(r.line("data:\"b\":2}")).isNull();
        assertThat(r.line("id: 7")).isNull();
        assertThat(r.line("")).isEqualTo(new Sse("tsi.state", "{\"a\":1,\n\"b\":2}"));
        assertThat(r.line("data: x")).isNull();
        assertThat(r.line("")).isEqualTo(new Sse("message", "x"));
    }

    @Test
    @DisplayName("SEC-3: watch prints one readable line per event: time, node, event, fields (WARN and ERROR marked); "
            + "the RFC 3339 time of today's daemons and the Unix seconds of earlier ones")
    void watchLine() {
        String line = WatchCommand.line(new Sse("tsi.state", "{\"t\":1700000000.123456,\"node\":\"nnve-1\",\"level\":\"INFO\","
                + "\"event\":\"tsi.state\",\"tsi\":\"7510a000-0000-4000-8000-000000000001\",\"from\":\"ASSOCIATED\","
                + "\"to\":\"ACTIVATED\",\"cause\":\"associate request\",\"ips\":[\"10.0.0.1\"]}"));
        assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d\\.123 nnve-1 tsi\\.state tsi=7510a000-0000-4000-8000-000000000001 "
                + "from=ASSOCIATED to=ACTIVATED cause=\"associate request\" ips=10\\.0\\.0\\.1");
        assertThat(WatchCommand.line(new Sse("x", "{\"level\":\"WARN\",\"event\":\"ecp.lost\",\"peer\":\"02:00:00:00:00:01\"}")))
                .isEqualTo("WARN ecp.lost peer=02:00:00:00:00:01");
        assertThat(WatchCommand.line(new Sse("odd", "not json"))).isEqualTo("odd not json");
        // SEC-3: the daemons' time is RFC 3339 (UTC, microseconds), shown in local time; a nested object is key.member
        String rfc = WatchCommand.line(new Sse("daemon.started", "{\"t\":\"2026-12-07T00:31:02.123456Z\",\"node\":\"h1\","
                + "\"level\":\"INFO\",\"event\":\"daemon.started\",\"ports\":[\"eth1\",\"eth2\"],"
                + "\"timers\":{\"retries\":3,\"rte\":14}}"));
        assertThat(rfc).isEqualTo(java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
                .withZone(java.time.ZoneId.systemDefault()).format(java.time.Instant.parse("2026-12-07T00:31:02.123456Z"))
                + " h1 daemon.started ports=eth1,eth2 timers.retries=3 timers.rte=14");
    }

    @Test
    @DisplayName("tables for people: columns aligned on the widest cell, JSON values as text")
    void table() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        var json = JsonCodec.mapper();
        new Table("VN", "ALIAS", "TAG").row(json.valueToTree(5000), json.valueToTree("web"), json.valueToTree(100))
                .row(json.valueToTree(123456), json.nullNode(), json.valueToTree(List.of(7, 8))).print(new PrintStream(b, true, StandardCharsets.UTF_8));
        assertThat(b.toString(StandardCharsets.UTF_8)).isEqualTo("""
                VN      ALIAS  TAG
                5000    web    100
                123456  -      7,8
                """);
    }
}
