package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.JsonCodec;
import tools.jackson.databind.JsonNode;

/**
 * OPS-3: the tNVE's API answers 400 at once, naming the limit, for a request beyond what its nNVE advertised: the
 * incident's TSI with 50,000 addresses (within the 1 MiB body limit) never reaches the wire, the uplink stays up
 * and the VM already on it keeps running. Real daemons in this process over an in-memory link.
 */
class LimitsApiTest {

    private static String manyIps(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            out.add("\"10." + (i >> 16) + "." + ((i >> 8) & 0xFF) + "." + (i & 0xFF) + "\"");
        }
        return "[" + String.join(",", out) + "]";
    }

    @Test
    @DisplayName("OPS-3, SEC-5, LC-CREATE: POST /v1/vms with 50,000 addresses on a TSI: 400 naming the nNVE's advertised "
            + "limit (4096 addresses per TSI), code 2, no VM left behind, the nNVE never saw the TSI, the uplink is up "
            + "and the running VM untouched; an address change beyond the limit: 400 the same way")
    void overTheLimit() throws Exception {
        try (Fixture f = new Fixture(1)) {
            Http t = f.t.getFirst();
            Http.Answer ok = t.post("/v1/vms", "{\"name\":\"web\",\"start\":true,\"tsis\":[{\"vn\":5000,"
                    + "\"mac\":\"52:54:00:00:0c:01\",\"ips\":[\"192.0.2.1\"]}]}");
            assertThat(ok.status()).as("%s", ok).isEqualTo(200);

            String body = "{\"name\":\"big\",\"tsis\":[{\"vn\":5000,\"mac\":\"52:54:00:00:0c:02\",\"ips\":" + manyIps(50_000)
                    + "}]}";
            assertThat(body.length()).as("within the 1 MiB body limit").isLessThan(1 << 20);
            Http.Answer r = t.post("/v1/vms", body);
            assertThat(r.status()).as("%s", r.text().substring(0, Math.min(400, r.text().length()))).isEqualTo(400);
            JsonNode err = r.json();
            assertThat(err.get("error").asString()).startsWith("over the nNVE's limit: ")
                    .contains("has 50001 addresses", "tor accepts at most 4096 addresses per TSI (its advertised limit)",
                            "nothing was sent");
            assertThat(err.get("code").asLong()).isEqualTo(2);
            assertThat(t.get("/v1/vms/big").status()).as("nothing left behind").isEqualTo(404);

            Http.Answer add = t.post("/v1/vms/web/addresses", "{\"tsi\":\"52:54:00:00:0c:01\",\"op\":\"add\",\"ips\":"
                    + manyIps(5000) + "}");
            assertThat(add.status()).as("%s", add).isEqualTo(400);
            assertThat(add.json().get("error").asString()).contains("would have 5002 addresses",
                    "at most 4096 addresses per TSI");

            // the nNVE holds only the running VM's TSI, activated with its one address; the uplink is up
            List<JsonNode> tsis = JsonCodec.items(f.n.get("/v1/tsis").json());
            assertThat(tsis).singleElement().satisfies(x -> {
                assertThat(x.get("mac").asString()).isEqualTo("52:54:00:00:0c:01");
                assertThat(x.get("state").asString()).isEqualTo("ACTIVATED");
                assertThat(x.get("ips").values()).containsExactly(tools.jackson.databind.node.StringNode.valueOf("192.0.2.1"));
            });
            JsonNode status = t.get("/v1/status").json();
            assertThat(status.get("uplinks").get(0).get("alive").asBoolean()).isTrue();
            assertThat(f.logText()).contains("request.over_limit").contains("uplink.limits")
                    .doesNotContain("ecp.transmit_error");
        }
    }
}
