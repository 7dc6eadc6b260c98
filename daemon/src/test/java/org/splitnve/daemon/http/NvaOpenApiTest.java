package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.JsonCodec;
import org.splitnve.daemon.NvaDaemon;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.config.LogSettings;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.daemon.metrics.Metrics;
import org.splitnve.daemon.nva.NvaApi;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.Digest;
import org.splitnve.nva.service.Interest;
import org.splitnve.nva.service.Options;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.Snapshot;
import org.splitnve.nva.service.store.MemoryStore;
import tools.jackson.databind.JsonNode;

/**
 * NVA-8: docs/nva-openapi.json against a running NVA API ({@link NvaApi} on the daemons' {@link ApiServer}, as
 * {@code splitnve nva} serves it): every route is documented and every documented operation is served, the served
 * document is the file, and every operation is called: each answer's status is a documented one, its content type a
 * documented one, and a JSON body fits the documented schema ({@link SchemaCheck}: closed properties).
 */
class NvaOpenApiTest {
    static final Path DOC = Path.of("../docs/nva-openapi.json");
    static final String OPERATOR = "operator-token-0123456789";
    static final String TOKEN_A = "token-of-nnve-a-0123456789";
    static final String TOKEN_B = "token-of-nnve-b-0123456789";

    final JsonNode doc;
    final SchemaCheck schemas;
    final Set<String> covered = new TreeSet<>();
    final List<AutoCloseable> open = new ArrayList<>();
    RevisionedNva served;

    NvaOpenApiTest() throws Exception {
        doc = JsonCodec.tree(Files.readString(DOC));
        schemas = new SchemaCheck(doc);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    ApiServer serve() {
        RevisionedNva nva = RevisionedNva.open(new MemoryStore(), Options.DEFAULT, java.time.Clock.systemUTC(), e -> { });
        open.add(nva);
        served = nva;
        EventLog log = new EventLog("nva-test", LogSettings.DEFAULT, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        open.add(log);
        Metrics metrics = new Metrics("nva-test");
        NvaApi api = new NvaApi(nva, metrics, OPERATOR, Duration.ofSeconds(10));
        ApiSettings s = ApiSettings.loopback(0);
        ApiServer server = ApiServer.start(ApiServer.bind(s), s, log, metrics, api.routes(),
                () -> metrics.render(metrics.scrape()), api::access, NvaDaemon.OPENAPI);
        open.add(server);
        return server;
    }

    Set<String> documented() {
        Set<String> out = new TreeSet<>();
        doc.path("paths").properties().forEach(item -> item.getValue().properties().forEach(op ->
                out.add(op.getKey().toUpperCase(Locale.ROOT) + " " + item.getKey())));
        return out;
    }

    @Test
    @DisplayName("NVA-8: every route of the NVA's API is in docs/nva-openapi.json and every documented operation is served; /v1/openapi.json serves the file")
    void routesDocumented() {
        ApiServer server = serve();
        Set<String> served = new TreeSet<>();
        for (Route r : server.routes()) {
            served.add(r.method() + " " + r.pattern());
        }
        assertThat(served).isEqualTo(documented());
        assertThat(new Http(server.address(), OPERATOR).get("/v1/openapi.json").json()).isEqualTo(doc);
        assertThat(doc.path("openapi").asString()).startsWith("3.1");
    }

    /** Calls one operation and checks the answer against the document; returns it. */
    Http.Answer call(Http h, String method, String template, String path, String body, int expected) {
        Http.Answer a = body == null && method.equals("GET") ? h.get(path) : h.send(method, path, body == null ? "" : body);
        assertThat(a.status()).as("%s %s: %s", method, path, a).isEqualTo(expected);
        JsonNode op = doc.path("paths").path(template).path(method.toLowerCase(Locale.ROOT));
        assertThat(op.isObject()).as("%s %s documented", method, template).isTrue();
        JsonNode response = schemas.resolve(op.path("responses").path(String.valueOf(a.status())));
        assertThat(response.isObject()).as("%s %s: status %s documented (%s)", method, path, a.status(), a.text())
                .isTrue();
        if (!response.has("content")) {
            assertThat(a.text()).as("%s %s: no content documented", method, path).isEmpty();
        } else {
            String type = a.contentType().split(";", 2)[0].strip();
            JsonNode media = response.path("content").path(type);
            assertThat(media.isObject()).as("%s %s: content type %s documented", method, path, type).isTrue();
            if (type.equals("application/json")) {
                List<String> problems = new ArrayList<>();
                schemas.validate(a.json(), media.path("schema"), "$", problems);
                assertThat(problems).as("%s %s -> %s: %s", method, path, a.status(), a.text()).isEmpty();
            }
        }
        covered.add(method + " " + template);
        return a;
    }

    @Test
    @DisplayName("NVA-8: every documented operation called on the NVA's API (protocol, operator, common); statuses and content types documented, bodies fit their schemas")
    void everyOperation() throws Exception {
        ApiServer server = serve();
        Http op = new Http(server.address(), OPERATOR);
        Http a = new Http(server.address(), TOKEN_A);
        Http b = new Http(server.address(), TOKEN_B);
        String t1 = "1b2c3d4e-0000-4000-8000-0000000000a1";
        String t2 = "1b2c3d4e-0000-4000-8000-0000000000a2";

        call(op, "GET", "/v1/nva/status", "/v1/nva/status", null, 200);
        call(op, "POST", "/v1/nva/vns", "/v1/nva/vns", "{\"id\": 5000, \"alias\": \"blue\", \"permit_any\": true}", 201);
        call(op, "POST", "/v1/nva/vns", "/v1/nva/vns", "{\"id\": 5000, \"alias\": \"blue2\"}", 409);
        call(op, "POST", "/v1/nva/vns", "/v1/nva/vns", "{\"id\": \"x\", \"alias\": \"x\"}", 400);
        call(op, "POST", "/v1/nva/vns", "/v1/nva/vns", "{\"id\": 5001, \"alias\": \"red\", \"mode\": \"validated\"}", 201);
        call(op, "GET", "/v1/nva/vns", "/v1/nva/vns", null, 200);
        call(op, "GET", "/v1/nva/vns/{vn}", "/v1/nva/vns/5000", null, 200);
        call(op, "GET", "/v1/nva/vns/{vn}", "/v1/nva/vns/7", null, 404);
        call(op, "GET", "/v1/nva/vns/{vn}", "/v1/nva/vns/x", null, 400);
        call(op, "POST", "/v1/nva/vns/{vn}/permits", "/v1/nva/vns/5001/permits", "{\"tsi\": \"" + t2 + "\"}", 201);
        call(op, "DELETE", "/v1/nva/vns/{vn}/permits/{tsi}", "/v1/nva/vns/5001/permits/" + t2, null, 200);
        call(op, "DELETE", "/v1/nva/vns/{vn}/permits/{tsi}", "/v1/nva/vns/5001/permits/" + t2, null, 404);
        call(op, "POST", "/v1/nva/vns/{vn}/records", "/v1/nva/vns/5001/records", "{\"tsi\": \"" + t2
                + "\", \"addresses\": [{\"mac\": \"52:54:00:00:00:09\", \"ip\": \"10.9.0.1\"}]}", 201);
        call(op, "GET", "/v1/nva/vns/{vn}", "/v1/nva/vns/5001", null, 200);
        call(op, "DELETE", "/v1/nva/vns/{vn}/records/{tsi}", "/v1/nva/vns/5001/records/" + t2, null, 200);
        call(op, "DELETE", "/v1/nva/vns/{vn}/records/{tsi}", "/v1/nva/vns/5001/records/" + t2, null, 404);
        call(op, "POST", "/v1/nva/nves", "/v1/nva/nves", "{\"name\": \"nnve-a\", \"vtep\": \"192.0.2.1\", \"token\": \""
                + TOKEN_A + "\"}", 201);
        assertThat(call(op, "POST", "/v1/nva/nves", "/v1/nva/nves", "{\"name\": \"nnve-b\", \"vtep\": \"192.0.2.2\"}", 201)
                .json().path("token").asString()).hasSize(43);
        call(op, "POST", "/v1/nva/nves", "/v1/nva/nves", "{\"name\": \"nnve-a\", \"vtep\": \"192.0.2.1\"}", 409);
        call(op, "POST", "/v1/nva/nves/{nve}/token", "/v1/nva/nves/nnve-b/token", "{\"token\": \"" + TOKEN_B + "\"}", 200);
        call(op, "POST", "/v1/nva/nves/{nve}/token", "/v1/nva/nves/nope/token", "", 404);
        call(op, "POST", "/v1/nva/nves/{nve}/devices", "/v1/nva/nves/nnve-a/devices", "{\"port\": 3}", 201);
        call(op, "DELETE", "/v1/nva/nves/{nve}/devices", "/v1/nva/nves/nnve-a/devices", "{\"port\": 3}", 200);
        call(op, "DELETE", "/v1/nva/nves/{nve}/devices", "/v1/nva/nves/nnve-a/devices", "{\"port\": 3}", 404);

        // the protocol, with nNVE tokens
        JsonNode session = call(a, "POST", "/v1/nva/session", "/v1/nva/session", "{}", 200).json();
        call(op, "POST", "/v1/nva/session", "/v1/nva/session", "{}", 403);
        call(a, "GET", "/v1/nva/list", "/v1/nva/list", null, 200);
        call(a, "GET", "/v1/nva/watch", "/v1/nva/watch?history=another&from=0", null, 200); // too_old, then the end
        call(a, "GET", "/v1/nva/watch", "/v1/nva/watch?history=x", null, 400);
        String bind = "{\"op\": \"bind\", \"instance\": {\"tsi\": \"%s\", \"vn\": 5000, \"nve\": \"%s\", \"port\": 3},"
                + " \"state\": \"forwarding\", \"addresses\": [{\"mac\": \"52:54:00:6b:3c:01\"}, {\"ip\": \"10.1.0.5/32\","
                + " \"mac\": \"52:54:00:6b:3c:01\"}], \"held\": [], \"mobility_seq\": %d, \"migration\": false}";
        JsonNode receipt = call(a, "POST", "/v1/nva/reports", "/v1/nva/reports", "{\"seq\": 1, \"ops\": [{\"op\": \"serve\","
                + " \"vns\": [5000]}, " + bind.formatted(t1, "nnve-a", 7) + "]}", 200).json();
        assertThat(receipt.path("status").asString()).isEqualTo("applied");
        call(b, "POST", "/v1/nva/reports", "/v1/nva/reports", "{\"seq\": 1, \"ops\": [{\"op\": \"serve\", \"vns\": [5000]},"
                + " " + bind.formatted(t2, "nnve-b", 7) + "]}", 200);
        call(a, "POST", "/v1/nva/reports", "/v1/nva/reports", "{\"seq\": 2}", 400);
        call(a, "POST", "/v1/nva/ack", "/v1/nva/ack", "{\"history\": \"" + session.path("history").asString()
                + "\", \"revision\": " + receipt.path("revision").asLong() + "}", 204);
        call(a, "POST", "/v1/nva/ack", "/v1/nva/ack", "{\"history\": \"" + session.path("history").asString()
                + "\", \"revision\": 999999}", 409);
        // NVA-4, section 12: the acknowledgement's digest, and the own-entries digest
        Snapshot interest = served.list(Interest.of(NveId.of("nnve-a"), Set.of(5000)));
        Digest digest = Digest.of(interest.resources());
        String history = session.path("history").asString();
        String ack = "{\"history\": \"" + history + "\", \"revision\": " + interest.revision()
                + ", \"digest\": {\"count\": %d, \"hash\": \"%s\"}}";
        assertThat(call(a, "POST", "/v1/nva/ack", "/v1/nva/ack", ack.formatted(digest.count(), digest.hashHex()), 200)
                .json().path("audit").asString()).isEqualTo("matches");
        Digest wrong = new Digest(digest.count(), digest.hash() + 1);
        assertThat(call(a, "POST", "/v1/nva/ack", "/v1/nva/ack", ack.formatted(wrong.count(), wrong.hashHex()), 409)
                .json().path("reason").asString()).isEqualTo("resync");
        call(a, "POST", "/v1/nva/ack", "/v1/nva/ack", ack.formatted(1, "xyz"), 400);
        JsonNode own = call(a, "GET", "/v1/nva/own-digest", "/v1/nva/own-digest", null, 200).json();
        Digest.At nvaOwn = served.ownDigest(NveId.of("nnve-a"));
        assertThat(Digest.of(own.path("count").asLong(), own.path("hash").asString())).isEqualTo(nvaOwn.digest());
        assertThat(nvaOwn.digest().count()).as("nnve-a's one mapping entry").isEqualTo(1);
        call(op, "GET", "/v1/nva/own-digest", "/v1/nva/own-digest", null, 403);
        call(a, "GET", "/v1/nva/status", "/v1/nva/status", null, 403);

        // the operator reads what the nNVEs reported (NVA-8)
        JsonNode where = call(op, "GET", "/v1/nva/where", "/v1/nva/where?mac=52:54:00:6b:3c:01", null, 200).json();
        assertThat(where.path("entries")).isNotEmpty();
        call(op, "GET", "/v1/nva/where", "/v1/nva/where?ip=10.1.0.5&vn=5000", null, 200);
        call(op, "GET", "/v1/nva/where", "/v1/nva/where?mac=nope", null, 400);
        call(op, "GET", "/v1/nva/nves", "/v1/nva/nves", null, 200);
        call(op, "GET", "/v1/nva/nves/{nve}", "/v1/nva/nves/nnve-a", null, 200);
        call(op, "GET", "/v1/nva/nves/{nve}", "/v1/nva/nves/nope", null, 404);
        assertThat(call(op, "GET", "/v1/nva/duplicates", "/v1/nva/duplicates", null, 200).json())
                .as("two TSIs claimed one MAC").isNotEmpty();
        call(op, "DELETE", "/v1/nva/duplicates/{vn}/{address}", "/v1/nva/duplicates/5000/52:54:00:6b:3c:01", null, 200);
        call(op, "DELETE", "/v1/nva/nves/{nve}", "/v1/nva/nves/nnve-b", null, 200);
        call(op, "DELETE", "/v1/nva/vns/{vn}", "/v1/nva/vns/5001", null, 200);
        call(op, "DELETE", "/v1/nva/vns/{vn}", "/v1/nva/vns/5001", null, 404);
        call(new Http(server.address(), "wrong-token-0123456789"), "GET", "/v1/nva/vns", "/v1/nva/vns", null, 401);

        // the common ones
        call(op, "GET", "/metrics", "/metrics", null, 200);
        call(op, "GET", "/v1/openapi.json", "/v1/openapi.json", null, 200);
        HttpResponse<Stream<String>> r = Http.CLIENT.send(op.request("/v1/events").GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode events = doc.path("paths").path("/v1/events").path("get").path("responses").path("200").path("content");
        assertThat(events.path(r.headers().firstValue("Content-Type").orElse("").split(";", 2)[0]).isObject()).isTrue();
        r.body().close();
        covered.add("GET /v1/events");

        assertThat(covered).isEqualTo(documented());
    }
}
