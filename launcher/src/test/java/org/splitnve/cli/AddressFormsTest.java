package org.splitnve.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.JsonCodec;
import org.splitnve.daemon.http.Fixture;
import org.splitnve.libvirt.DomainXml;
import tools.jackson.databind.JsonNode;

/**
 * OPS-3: the CLI, the HTTP API and the libvirt hook read the same address forms (hosts and prefixes, IPv4
 * and IPv6) with one parser, answer the same mistakes with the same reason, and what the tables print
 * (IPv6 in RFC 5952 form) is what the CLI accepts back. The API is a real tNVE daemon (in-memory link to a
 * real nNVE daemon), reached over HTTP; the hook's part is its domain XML parser.
 */
class AddressFormsTest {
    /** Each input and the text every table shows for it. */
    private static final String[][] VALID = {
        {"192.0.2.1", "192.0.2.1"},
        {"192.0.2.0/24", "192.0.2.0/24"},
        {"10.0.0.1/32", "10.0.0.1"},
        {"2001:DB8:0:0:0:0:0:1", "2001:db8::1"},
        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
        {"2001:0db8::/32", "2001:db8::/32"},
        {"::ffff:192.0.2.9", "::ffff:192.0.2.9"},
    };
    /** Each input and a part of the reason all three give. */
    private static final String[][] INVALID = {
        {"192.0.2.0/33", "prefix length"},
        {"010.0.0.1", "leading zeros"},
        {"fe80::1%eth0", "zone"},
        {"host.example", "four decimal octets"},
        {"192.0.2.0/", "prefix length"},
        {"1::2::3", "'::' may stand once"},
    };
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final CliRun cli = new CliRun();

    private static HttpResponse<String> post(String base, String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String domainXml(String ip) {
        return """
                <domain type='kvm'>
                  <name>hooked</name>
                  <metadata>
                    <splitnve:vm xmlns:splitnve="https://splitnve.org/libvirt/1" vn="5000">
                      <splitnve:interface mac="52:54:00:00:0a:01"><splitnve:ip>%s</splitnve:ip></splitnve:interface>
                    </splitnve:vm>
                  </metadata>
                  <devices>
                    <interface type='network'><mac address='52:54:00:00:0a:01'/><source network='ovs'/></interface>
                  </devices>
                </domain>
                """.formatted(ip);
    }

    private static String mac(int i) {
        return "52:54:00:00:0b:%02x".formatted(i);
    }

    @Test
    @DisplayName("OPS-3: the same address texts through the CLI, the API and the libvirt hook: the same address "
            + "(IPv6 printed in RFC 5952 form), and the same refusal with the same reason")
    void sameInputsEverywhere() throws Exception {
        try (Fixture f = new Fixture(1)) {
            String t = Fixture.url(f.tnves.getFirst());
            for (int i = 0; i < VALID.length; i++) {
                String input = VALID[i][0];
                String shown = VALID[i][1];
                assertThat(VmCommand.ip(input)).as("CLI: %s", input).isEqualTo(shown);
                HttpResponse<String> r = post(t, "/v1/vms", "{\"name\":\"vm" + i + "\",\"tsis\":[{\"vn\":5000,\"mac\":\""
                        + mac(i) + "\",\"ips\":[\"" + input + "\"]}]}");
                assertThat(r.statusCode()).as("API: %s: %s", input, r.body()).isEqualTo(200);
                JsonNode vm = JsonCodec.tree(r.body()).get("vm");
                assertThat(vm.get("tsis").get(0).get("ips").values()).as("API: %s", input)
                        .containsExactly(tools.jackson.databind.node.StringNode.valueOf(shown));
                assertThat(DomainXml.parse(domainXml(input)).nics().getFirst().ips()).as("hook: %s", input)
                        .containsExactly(shown);
            }
            for (String[] bad : INVALID) {
                String input = bad[0];
                assertThatThrownBy(() -> VmCommand.ip(input)).as("CLI: %s", input).isInstanceOf(UsageException.class)
                        .hasMessageContaining("not an IP address: '" + input + "'").hasMessageContaining(bad[1]);
                HttpResponse<String> r = post(t, "/v1/vms", "{\"name\":\"bad\",\"tsis\":[{\"vn\":5000,\"mac\":\""
                        + mac(99) + "\",\"ips\":[\"" + input + "\"]}]}");
                assertThat(r.statusCode()).as("API: %s: %s", input, r.body()).isEqualTo(400);
                assertThat(JsonCodec.tree(r.body()).get("error").asString()).as("API: %s", input)
                        .startsWith("tsis[0].ips[0]: not an IP address: '" + input + "'").contains(bad[1]);
                assertThatThrownBy(() -> DomainXml.parse(domainXml(input))).as("hook: %s", input)
                        .isInstanceOf(DomainXml.DomainXmlException.class)
                        .hasMessageContaining("not an IP address: '" + input + "'").hasMessageContaining(bad[1]);
            }
        }
    }

    @Test
    @DisplayName("OPS-3, REQ-10: a prefix and an IPv6 address given to the API show in the tables as 192.0.2.0/24 and "
            + "2001:db8::1, and the CLI removes them by that text; the nNVE then holds neither")
    void whatTheTablesShowTheCliTakes() throws Exception {
        try (Fixture f = new Fixture(1)) {
            String n = Fixture.url(f.nnve);
            String t = Fixture.url(f.tnves.getFirst());
            HttpResponse<String> r = post(t, "/v1/vms", "{\"name\":\"lb\",\"start\":true,\"tsis\":[{\"vn\":5000,\"mac\":\""
                    + mac(1) + "\",\"ips\":[\"192.0.2.0/24\",\"2001:DB8:0:0:0:0:0:1\",\"10.0.0.5\"]}]}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            CliRun.Result shown = cli.run("vm", "show", "lb", "--api", t);
            assertThat(shown.status()).as("%s", shown).isZero();
            assertThat(shown.out()).contains("192.0.2.0/24", "2001:db8::1").doesNotContain("0:0:0:0");
            CliRun.Result nnve = cli.run("show", "tsis", "--api", n);
            assertThat(nnve.out()).contains("192.0.2.0/24", "2001:db8::1");

            CliRun.Result removed = cli.run("vm", "addr", "lb", "--tsi", mac(1), "remove", "192.0.2.0/24", "2001:db8::1",
                    "--api", t);
            assertThat(removed.status()).as("%s", removed).isZero();
            CliRun.Result after = cli.run("show", "tsis", "--json", "--api", n);
            List<JsonNode> tsis = JsonCodec.items(JsonCodec.tree(after.out()));
            assertThat(tsis).singleElement().satisfies(x -> {
                assertThat(x.get("ips").values()).containsExactly(tools.jackson.databind.node.StringNode.valueOf("10.0.0.5"));
                assertThat(x.get("state").asString()).isEqualTo("ACTIVATED");
            });
        }
    }
}
