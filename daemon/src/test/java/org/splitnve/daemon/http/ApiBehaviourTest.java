package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.Bodies;
import org.splitnve.api.JsonCodec;
import org.splitnve.daemon.config.ApiSettings;
import tools.jackson.databind.JsonNode;

/** The API's answers beyond the happy path: refusals, lost links, migration, the event stream, the token, bad bodies. */
class ApiBehaviourTest {
    static JsonNode vmOf(Http.Answer a) {
        return ApiLifecycleTest.vmOf(a);
    }

    @Test
    @DisplayName("SM-REASON, OPS-2: a TSI in a VN the NVA does not know: 422 with the nNVE's reason code and detail; nothing is left of the VM (LC-CREATE), which is created once its VN is right; the refusal is counted")
    void refused() throws Exception {
        try (Fixture f = new Fixture(1)) {
            Http h = f.t.getFirst();
            Http.Answer a = h.post("/v1/vms", """
                    {"name": "vm1", "tsis": [{"vn": 9999, "mac": "52:54:00:00:00:01"}], "start": true}""");
            assertThat(a.status()).as("%s", a).isEqualTo(422);
            long code = a.json().get("code").asLong();
            assertThat(a.json().get("error").asString()).startsWith("the nNVE refused");
            assertThat(a.json().get("detail").asString()).isNotBlank();
            assertThat(h.get("/v1/vms/vm1").status()).as("a refused create leaves nothing").isEqualTo(404);
            assertThat(h.get("/v1/vms").json().values()).isEmpty();
            assertThat(f.n.get("/v1/tsis").json().values()).isEmpty();
            // the same reason code at both ends, and in the metrics of both
            assertThat(f.logText()).contains("\"event\":\"request.refused\"").contains("\"code\":" + code);
            assertThat(PrometheusText.parse(f.n.get("/metrics").text())
                    .value("splitnve_refusals_total", Map.of("code", String.valueOf(code)))).isGreaterThanOrEqualTo(1);
            assertThat(PrometheusText.parse(h.get("/metrics").text())
                    .value("splitnve_refusals_total", Map.of("code", String.valueOf(code)))).isGreaterThanOrEqualTo(1);
            // the refusal is logged by the API too (SEC-3)
            assertThat(f.logText()).contains("\"event\":\"api.refused\"").contains("\"status\":422");
            // OPS-2: the same create again is refused again (not 409), and with a VN that exists it is done
            assertThat(h.post("/v1/vms", """
                    {"name": "vm1", "tsis": [{"vn": 9999, "mac": "52:54:00:00:00:01"}]}""").status()).isEqualTo(422);
            assertThat(vmOf(h.post("/v1/vms", """
                    {"name": "vm1", "tsis": [{"vn": 5000, "mac": "52:54:00:00:00:01"}]}""")).get("state").asString())
                    .isEqualTo("SHUTDOWN");
        }
    }

    @Test
    @DisplayName("REQ-12: the link to the nNVE cut: the operation answers 504 with code -1 once ECP gives up; the daemon keeps working")
    void noAnswer() throws Exception {
        try (Fixture f = new Fixture(1)) {
            Http h = f.t.getFirst();
            vmOf(h.post("/v1/vms", ApiLifecycleTest.VM1));
            f.links.links().getFirst().up(false);
            Http.Answer a = h.post("/v1/vms/vm1/start", "");
            assertThat(a.status()).as("%s", a).isEqualTo(504);
            assertThat(a.json().get("code").asLong()).isEqualTo(-1);
            f.links.links().getFirst().up(true);
            assertThat(h.get("/v1/status").status()).isEqualTo(200);
            assertThat(PrometheusText.parse(h.get("/metrics").text()).value("splitnve_ecp_retransmissions_total",
                    Map.of())).isGreaterThan(0);
        }
    }

    @Test
    @DisplayName("LC-MIGRATE: live migration between two hypervisors through their APIs; make-before-break seen at the nNVE")
    void migrate() throws Exception {
        try (Fixture f = new Fixture(2)) {
            Http src = f.t.get(0);
            Http dst = f.t.get(1);
            vmOf(src.post("/v1/vms", ApiLifecycleTest.VM1.replace("}]}", "}], \"start\": true}")));
            assertThat(src.get("/v1/vms/vm1").json().get("state").asString()).isEqualTo("RUNNING");
            String m = "1b2c3d4e-0000-4000-8000-000000000001";
            JsonNode prepared = vmOf(dst.post("/v1/vms/vm1/migrate/prepare", """
                    {"migration": "%s", "tsis": [{"vn": 5000, "mac": "52:54:00:00:00:01", "ips": ["10.0.0.1"]}]}"""
                    .formatted(m)));
            assertThat(prepared.get("state").asString()).isEqualTo("MIGRATING_IN");
            assertThat(prepared.get("migration").asString()).isEqualTo(m);
            assertThat(states(f)).containsExactly("0:ACTIVATED", "1:ASSOCIATED");
            assertThat(vmOf(src.post("/v1/vms/vm1/migrate/start", new Bodies.Migration(m))).get("state").asString())
                    .isEqualTo("MIGRATING_OUT");
            assertThat(vmOf(dst.post("/v1/vms/vm1/migrate/commit", "")).get("state").asString()).isEqualTo("RUNNING");
            // make-before-break: the destination activated before the source leaves Activated
            assertThat(states(f)).contains("1:ACTIVATED");
            vmOf(src.post("/v1/vms/vm1/migrate/depart", new Bodies.Migration(m)));
            assertThat(vmOf(src.post("/v1/vms/vm1/migrate/finish", "")).get("state").asString()).isEqualTo("DESTROYED");
            assertThat(states(f)).containsExactly("1:ACTIVATED");
            assertThat(src.get("/v1/vms").json().values()).isEmpty();
            // an incoming migration aborted at the destination: associated, then gone
            vmOf(src.post("/v1/vms/vm1/migrate/prepare", """
                    {"migration": "1b2c3d4e-0000-4000-8000-000000000002",
                     "tsis": [{"vn": 5000, "mac": "52:54:00:00:00:01"}]}"""));
            assertThat(states(f)).containsExactly("0:ASSOCIATED", "1:ACTIVATED");
            assertThat(vmOf(src.post("/v1/vms/vm1/migrate/abort", "")).get("state").asString()).isEqualTo("DESTROYED");
            assertThat(states(f)).containsExactly("1:ACTIVATED");
            // finish on a VM that is not leaving: 409
            assertThat(dst.post("/v1/vms/vm1/migrate/finish", "").status()).isEqualTo(409);
        }
    }

    /** The nNVE's instances of the one TSI: "PORT:STATE", by port. */
    static List<String> states(Fixture f) {
        return f.n.get("/v1/tsis").json().values().stream()
                .map(t -> t.get("port").asLong() + ":" + t.get("state").asString()).sorted().toList();
    }

    @Test
    @DisplayName("SEC-3: GET /v1/events streams the nNVE's tsi.state events in order as server-sent events")
    void events() throws Exception {
        try (Fixture f = new Fixture(1)) {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            CompletableFuture<HttpResponse<Stream<String>>> resp = Http.CLIENT.sendAsync(
                    f.n.request("/v1/events").GET().build(), HttpResponse.BodyHandlers.ofLines());
            HttpResponse<Stream<String>> r = resp.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    r.body().forEach(lines::add);
                } catch (java.io.UncheckedIOException e) {
                    // the test closed the stream
                }
            });
            try {
                // the stream is open (its first comment came) before the VM is created
                assertThat(lines.poll(10, TimeUnit.SECONDS)).startsWith(":");
                Http h = f.t.getFirst();
                vmOf(h.post("/v1/vms", ApiLifecycleTest.VM1.replace("}]}", "}], \"start\": true}")));
                vmOf(h.post("/v1/vms/vm1/shutdown", ""));
                List<String> transitions = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                String event = null;
                while (transitions.size() < 3 && System.nanoTime() < deadline) {
                    String line = lines.poll(1, TimeUnit.SECONDS);
                    if (line == null) {
                        continue;
                    }
                    if (line.startsWith("event: ")) {
                        event = line.substring(7);
                    } else if (line.startsWith("data: ")) {
                        JsonNode data = JsonCodec.tree(line.substring(6));
                        assertThat(data.get("event").asString()).isEqualTo(event);
                        assertThat(data.get("node").asString()).isEqualTo("nnve-api");
                        if (event.equals("tsi.state")) {
                            transitions.add(data.get("from").asString() + ">" + data.get("to").asString());
                        }
                    }
                }
                assertThat(transitions).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED", "ACTIVATED>INIT");
            } finally {
                reader.interrupt();
                r.body().close();
            }
        }
    }

    @Test
    @DisplayName("with a bearer token configured, no token or a wrong one gets 401 (WWW-Authenticate: Bearer), logged; the right one 200")
    void token() throws Exception {
        String secret = "s3cr3t-t0ken-0123456789";
        try (Fixture f = new Fixture(1, new ApiSettings(ApiSettings.loopback(0).listen(), secret))) {
            Http none = f.n.withToken(null);
            for (Http c : List.of(none, f.n.withToken("s3cr3t-t0ken-0123456780"), f.n.withToken("x"))) {
                for (String path : List.of("/v1/status", "/metrics", "/v1/events", "/v1/nothing")) {
                    Http.Answer a = c.get(path);
                    assertThat(a.status()).as(path).isEqualTo(401);
                    assertThat(a.response().headers().firstValue("WWW-Authenticate").orElse("")).startsWith("Bearer");
                    assertThat(a.json().get("error").asString()).containsAnyOf("needs Authorization: Bearer TOKEN",
                            "wrong bearer token"); // SEC-1, in plain words (issue 9)
                }
                assertThat(c.post("/v1/tsis/1b2c3d4e-0000-4000-8000-000000000001/deassociate", "{}").status())
                        .isEqualTo(401);
            }
            assertThat(f.n.get("/v1/status").status()).isEqualTo(200);
            assertThat(f.n.get("/v1/status").json().get("role").asString()).isEqualTo("nnve");
            assertThat(f.logText()).contains("\"event\":\"api.refused\"").contains("\"status\":401")
                    .contains("\"event\":\"api.listening\"").contains("\"tokenRequired\":true");
        }
    }

    @Test
    @DisplayName("OPS-4: an API address already in use: the daemon does not start (it says why), its engine never "
            + "runs (the address is bound before), and its ports are closed")
    void addressInUse() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            ApiSettings busy = new ApiSettings(new java.net.InetSocketAddress(taken.getInetAddress(), taken.getLocalPort()),
                    null);
            org.splitnve.daemon.config.NnveSettings s = org.splitnve.daemon.config.NnveSettings.from(
                    org.splitnve.config.ConfFile.parse(java.nio.file.Path.of("n.conf"),
                            "[nnve]\nname = \"n\"\n[[port]]\ninterface = \"mem0\"\n")).withApi(busy);
            org.splitnve.transport.MemoryLinks.Link link = new org.splitnve.transport.MemoryLinks(1).connect();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> org.splitnve.daemon.NnveDaemon.start(s, "n.conf",
                    new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8), List.of(link.a())))
                    .isInstanceOf(java.io.UncheckedIOException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
            assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("daemon.started");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> link.a().send(new byte[60], 60))
                    .isInstanceOf(java.nio.channels.ClosedChannelException.class);
        }
    }

    @Test
    @DisplayName("SEC-4: malformed bodies get 400 naming the field, oversized ones 413; nothing is created and the daemon keeps working")
    void malformed() throws Exception {
        try (Fixture f = new Fixture(1)) {
            Http h = f.t.getFirst();
            Map<String, String> bad = new java.util.LinkedHashMap<>();
            bad.put("{", "not JSON");
            bad.put("[]", "object");
            bad.put("{\"name\": 5, \"tsis\": []}", "name");
            bad.put("{\"name\": \"vm1\"}", "tsis");
            bad.put("{\"name\": \"vm1\", \"tsis\": [{\"vn\": \"5000\", \"mac\": \"52:54:00:00:00:01\"}]}", "tsis[0].vn");
            bad.put("{\"name\": \"vm1\", \"tsis\": [{\"vn\": 5000, \"mac\": \"52:54:00:00:00\"}]}", "tsis[0].mac");
            bad.put("{\"name\": \"vm1\", \"tsis\": [{\"vn\": 5000, \"mac\": \"01:00:5e:00:00:01\"}]}", "tsis[0].mac");
            bad.put("{\"name\": \"vm1\", \"tsis\": [{\"vn\": 5000, \"mac\": \"52:54:00:00:00:01\", \"ips\": [\"10.0.0.256\"]}]}",
                    "tsis[0].ips[0]");
            bad.put("{\"name\": \"vm1\", \"tsis\": [{\"vn\": 5000, \"mac\": \"52:54:00:00:00:01\", \"ips\": [\"example.com\"]}]}",
                    "tsis[0].ips[0]");
            bad.put("{\"name\": \"vm1\", \"tsis\": [{\"vn\": 5000, \"mac\": \"52:54:00:00:00:01\", \"id\": \"nope\"}]}",
                    "tsis[0].id");
            bad.put("{\"name\": \"vm1\", \"tsis\": [{\"vn\": 4294967296, \"mac\": \"52:54:00:00:00:01\"}]}", "tsis[0].vn");
            bad.put("{\"name\": \"vm1\", \"tsis\": [{\"vn\": 5000, \"mac\": \"52:54:00:00:00:01\"}], \"strat\": true}",
                    "strat");
            bad.put("{\"name\": \"vm1\", \"tsis\": [{\"vn\": 5000, \"mac\": \"52:54:00:00:00:01\"}], \"start\": 1}", "start");
            bad.put("{\"name\": \"vm1\", \"tsis\": [{\"vn\": 5000, \"mac\": \"52:54:00:00:00:01\"},"
                    + " {\"vn\": 5001, \"mac\": \"52:54:00:00:00:01\"}]}", "tsis[1].mac");
            bad.put("{\"a\":".repeat(100) + "1" + "}".repeat(100), "not JSON");
            bad.put("\"\\ud800\"", "object");
            // Jackson as configured: a repeated member, a member of another JSON type, a nested unknown member
            bad.put("{\"name\": \"vm1\", \"name\": \"vm2\", \"tsis\": []}", "not JSON: Duplicate Object property \"name\"");
            bad.put("{\"name\": \"vm1\", \"tsis\": [{\"vn\": 5000, \"mac\": 525400000001}]}",
                    "tsis[0].mac: expected a string, found an integer");
            bad.put("{\"name\": \"vm1\", \"tsis\": [{\"vn\": 5000, \"mac\": \"52:54:00:00:00:01\", \"vlan\": 7}]}",
                    "tsis[0].vlan: unknown member (known: id, vn, mac, ips)");
            bad.put("{\"name\": \"vm1\", \"tsis\": [{\"vn\": 5000.5, \"mac\": \"52:54:00:00:00:01\"}]}",
                    "tsis[0].vn: expected an integer");
            for (Map.Entry<String, String> b : bad.entrySet()) {
                Http.Answer a = h.post("/v1/vms", b.getKey());
                assertThat(a.status()).as("%s -> %s", b.getKey(), a).isEqualTo(400);
                assertThat(a.json().get("error").asString()).as(b.getKey()).contains(b.getValue());
            }
            assertThat(h.post("/v1/vms/vm1/addresses", "{\"tsi\": \"52:54:00:00:00:01\", \"op\": \"move\", \"ips\": []}")
                    .json().get("error").asString()).contains("op");
            assertThat(f.n.post("/v1/tsis/not-a-uuid/deactivate", "{}").status()).isEqualTo(400);
            assertThat(f.n.post("/v1/tsis/1b2c3d4e-0000-4000-8000-000000000001/deactivate", "{\"ips\": [\"x\"]}")
                    .json().get("error").asString()).contains("ips[0]");
            // 413 beyond 1 MiB, 405 for a wrong method, 404 for no such path
            Http.Answer big = h.post("/v1/vms", "{\"name\": \"" + "x".repeat(ApiServer.MAX_BODY) + "\"}");
            assertThat(big.status()).isEqualTo(413);
            Http.Answer m = h.send("DELETE", "/v1/vms", null);
            assertThat(m.status()).isEqualTo(405);
            assertThat(m.response().headers().firstValue("Allow").orElse("")).contains("GET", "POST");
            assertThat(h.get("/v2/vms").status()).isEqualTo(404);
            // nothing was created; the daemon still works
            assertThat(h.get("/v1/vms").json().values()).isEmpty();
            vmOf(h.post("/v1/vms", ApiLifecycleTest.VM1));
            assertThat(f.n.get("/v1/tsis").json().values()).hasSize(1);
            assertThat(f.logText()).doesNotContain("internal error");
        }
    }
}
