package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.Bodies;
import tools.jackson.databind.JsonNode;

/**
 * Issue 12, item 13 against the real daemons (a tNVE daemon and its nNVE daemon in this process, driven through
 * the tNVE's API): in trusted mode a TSI claims the addresses it names, so a prefix is a claim on a range; the
 * nNVE's NVA refuses a prefix shorter than the VN allows.
 */
class PrefixClaimTest {
    private static List<String> nnveIps(Fixture f) {
        return f.n.get("/v1/tsis").json().values().stream()
                .flatMap(t -> t.get("ips").values().stream().map(JsonNode::asString)).toList();
    }

    private static void refused(Http.Answer a, String address, String floor) {
        assertThat(a.status()).as("%s", a).isEqualTo(422);
        assertThat(a.json().get("code").asLong()).as("%s", a).isEqualTo(4);
        assertThat(a.json().get("detail").asString()).as("%s", a).contains("shorter than the VN lets a TSI claim")
                .contains(address).contains(floor + " or longer");
    }

    @Test
    @DisplayName("SEC-1, SEC-2 (issue 12, item 13): a trusted VN's TSI cannot claim 0.0.0.0/0, ::/0 or 10.0.0.0/8 "
            + "(the default floor: IPv4 /24; this VN grants IPv6 /32): refused at create and at an address change with "
            + "reason 4 and the address in the detail, nothing held at the nNVE; a /24 and the granted /32 are served")
    void shortPrefixesAreRefused() throws Exception {
        try (Fixture f = new Fixture(1)) {
            Http h = f.t.getFirst();
            // the claim: one TSI takes the VN's whole IPv4 space
            refused(h.post("/v1/vms", """
                    {"name": "greedy", "tsis": [{"vn": 5000, "mac": "52:54:00:00:66:01", "ips": ["0.0.0.0/0"]}],
                     "start": true}"""), "0.0.0.0/0", "/24");
            assertThat(h.get("/v1/vms/greedy").status()).isEqualTo(404);
            assertThat(f.n.get("/v1/tsis").json().values()).isEmpty();

            ApiLifecycleTest.vmOf(h.post("/v1/vms", """
                    {"name": "vm1", "tsis": [{"vn": 5000, "mac": "52:54:00:00:00:01",
                     "ips": ["10.0.0.1", "10.0.1.0/24"]}], "start": true}"""));
            assertThat(nnveIps(f)).containsExactly("10.0.0.1", "10.0.1.0/24");
            for (String[] wide : List.of(new String[] {"::/0", "/32"}, new String[] {"10.0.0.0/8", "/24"},
                    new String[] {"2001:db8::/31", "/32"})) {
                refused(h.post("/v1/vms/vm1/addresses", new Bodies.Addresses("52:54:00:00:00:01", "add", List.of(wide[0]))), wide[0], wide[1]);
                refused(h.post("/v1/vms/vm1/addresses", new Bodies.Addresses("52:54:00:00:00:01", "replace", List.of("10.0.0.1", wide[0]))), wide[0], wide[1]);
            }
            assertThat(nnveIps(f)).as("nothing changed at the nNVE").containsExactly("10.0.0.1", "10.0.1.0/24");
            assertThat(h.post("/v1/vms/vm1/addresses", new Bodies.Addresses("52:54:00:00:00:01", "add", List.of("2001:db8::/32"))).status()).isEqualTo(200);
            assertThat(nnveIps(f)).containsExactly("10.0.0.1", "10.0.1.0/24", "2001:db8::/32");
            assertThat(f.logText()).contains("\"event\":\"request.refused\"").contains("0.0.0.0/0");
        }
    }
}
