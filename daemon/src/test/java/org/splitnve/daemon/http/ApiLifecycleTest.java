package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.Bodies;
import org.splitnve.api.JsonCodec;
import org.splitnve.api.TsiIds;
import tools.jackson.databind.JsonNode;

/** The VM lifecycle through the tNVE's HTTP API, checked through the nNVE's (in-process daemons, in-memory links). */
class ApiLifecycleTest {
    static final String VM1 = """
            {"name": "vm1", "tsis": [{"vn": 5000, "mac": "52:54:00:00:00:01", "ips": ["10.0.0.1"]}]}""";

    static JsonNode only(JsonNode list) {
        assertThat(list.values()).hasSize(1);
        return list.get(0);
    }

    static JsonNode vmOf(Http.Answer a) {
        assertThat(a.status()).as("%s", a).isEqualTo(200);
        assertThat(a.json().get("ok").asBoolean()).isTrue();
        return a.json().get("vm");
    }

    static String nnveState(Fixture f) {
        return only(f.n.get("/v1/tsis").json()).get("state").asString();
    }

    @Test
    @DisplayName("LC-CREATE, LC-PAUSE, LC-SUSPEND, REQ-10, LC-TERMINATE, OPS-2: a VM's whole life through the API; the nNVE's API shows each TSI state")
    void lifecycle() throws Exception {
        try (Fixture f = new Fixture(1)) {
            Http h = f.t.getFirst();
            JsonNode vm = vmOf(h.post("/v1/vms", VM1));
            assertThat(vm.get("state").asString()).isEqualTo("SHUTDOWN");
            JsonNode tsi = only(vm.get("tsis"));
            assertThat(only(tsi.get("uplinks")).get("state").asString()).isEqualTo("ASSOCIATED");
            String id = tsi.get("id").asString();
            assertThat(id).isEqualTo(TsiIds.derivedId("vm1", org.splitnve.wire.MacAddress.parse("52:54:00:00:00:01"))
                    .toString());
            // LC-CREATE: associated while shut down
            JsonNode n = only(f.n.get("/v1/tsis").json());
            assertThat(n.get("state").asString()).isEqualTo("ASSOCIATED");
            assertThat(n.get("id").asString()).isEqualTo(id);
            assertThat(n.get("vn").asLong()).isEqualTo(5000);
            assertThat(n.get("mac").asString()).isEqualTo("52:54:00:00:00:01");
            assertThat(n.get("ips").values()).containsExactly(tools.jackson.databind.node.StringNode.valueOf("10.0.0.1"));
            long tag = n.get("tag").asLong();
            assertThat(JsonCodec.write(only(f.n.get("/v1/tags").json())))
                    .isEqualTo("{\"scope\":\"rack\",\"tag\":" + tag + ",\"vn\":5000,\"alias\":\"blue\"}");

            assertThat(vmOf(h.post("/v1/vms/vm1/start", "")).get("state").asString()).isEqualTo("RUNNING");
            assertThat(nnveState(f)).isEqualTo("ACTIVATED");
            // LC-PAUSE: the TSI stays activated
            assertThat(vmOf(h.post("/v1/vms/vm1/pause", "")).get("state").asString()).isEqualTo("PAUSED");
            assertThat(nnveState(f)).isEqualTo("ACTIVATED");
            assertThat(vmOf(h.post("/v1/vms/vm1/unpause", "{}")).get("state").asString()).isEqualTo("RUNNING");
            // LC-SUSPEND: activated -> associated -> activated
            assertThat(vmOf(h.post("/v1/vms/vm1/suspend", "")).get("state").asString()).isEqualTo("SUSPENDED");
            assertThat(nnveState(f)).isEqualTo("ASSOCIATED");
            assertThat(vmOf(h.post("/v1/vms/vm1/resume", "")).get("state").asString()).isEqualTo("RUNNING");
            assertThat(nnveState(f)).isEqualTo("ACTIVATED");
            // REQ-10: an address more, the state unchanged (by MAC and by TSI ID)
            JsonNode after = vmOf(h.post("/v1/vms/vm1/addresses", """
                    {"tsi": "52:54:00:00:00:01", "op": "add", "ips": ["10.0.0.2", "2001:db8::2"]}"""));
            assertThat(only(after.get("tsis")).get("ips").values()).extracting(JsonNode::asString)
                    .containsExactly("10.0.0.1", "10.0.0.2", "2001:db8::2");
            n = only(f.n.get("/v1/tsis").json());
            assertThat(n.get("ips").values()).extracting(JsonNode::asString)
                    .containsExactlyInAnyOrder("10.0.0.1", "10.0.0.2", "2001:db8::2");
            assertThat(n.get("state").asString()).isEqualTo("ACTIVATED");
            vmOf(h.post("/v1/vms/vm1/addresses", new Bodies.Addresses(id, "remove", List.of("10.0.0.1"))));
            assertThat(only(f.n.get("/v1/tsis").json()).get("ips").values()).extracting(JsonNode::asString)
                    .containsExactlyInAnyOrder("10.0.0.2", "2001:db8::2");
            // 409: a state that does not fit; 404: no such VM
            Http.Answer wrong = h.post("/v1/vms/vm1/resume", "");
            assertThat(wrong.status()).as("%s", wrong).isEqualTo(409);
            assertThat(wrong.json().get("error").asString()).contains("RUNNING", "SUSPENDED");
            assertThat(h.post("/v1/vms/vm9/start", "").status()).isEqualTo(404);
            assertThat(h.get("/v1/vms/vm9").status()).isEqualTo(404);
            assertThat(h.get("/v1/vms").json().values()).hasSize(1);
            // LC-TERMINATE, OPS-2: shut down and kept; deleted and gone
            assertThat(vmOf(h.post("/v1/vms/vm1/shutdown", "")).get("state").asString()).isEqualTo("SHUTDOWN");
            assertThat(f.n.get("/v1/tsis").json().values()).isEmpty();
            assertThat(only(h.get("/v1/vms").json()).get("state").asString()).isEqualTo("SHUTDOWN");
            assertThat(vmOf(h.send("DELETE", "/v1/vms/vm1", "")).get("state").asString()).isEqualTo("DESTROYED");
            assertThat(h.get("/v1/vms").json().values()).isEmpty();
            assertThat(h.get("/v1/vms/vm1").status()).isEqualTo(404);
        }
    }
}
