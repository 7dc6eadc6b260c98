package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.JsonCodec;
import org.splitnve.api.TsiIds;
import org.splitnve.daemon.Daemon;
import org.splitnve.daemon.NnveDaemon;
import tools.jackson.databind.JsonNode;

/**
 * docs/openapi.json against the running daemons: every route the servers have is documented and every
 * documented operation exists; every operation is called, and each answer's status is a documented one
 * and its body fits the documented schema (a JSON Schema subset: type, required, properties,
 * items, enum, oneOf, $ref; members not in {@code properties} are refused, so the document cannot fall
 * behind the code).
 */
class OpenApiTest {
    static final Path DOC = Path.of("../docs/openapi.json");

    final JsonNode doc;
    final Set<String> covered = new TreeSet<>();

    final SchemaCheck schemas;

    OpenApiTest() throws Exception {
        doc = JsonCodec.tree(Files.readString(DOC));
        schemas = new SchemaCheck(doc);
    }

    /** "ROLE METHOD TEMPLATE" for each documented operation a daemon of that role serves. */
    Set<String> documented(String role) {
        Set<String> out = new TreeSet<>();
        doc.path("paths").properties().forEach(item -> item.getValue().properties().forEach(op -> {
            List<String> tags = op.getValue().path("tags").valueStream().map(JsonNode::asString).toList();
            if (tags.contains(role) || tags.contains("both")) {
                out.add(role + " " + op.getKey().toUpperCase(Locale.ROOT) + " " + item.getKey());
            }
        }));
        return out;
    }

    static String role(Daemon d) {
        return d instanceof NnveDaemon ? "nnve" : "tnve";
    }

    @Test
    @DisplayName("every route of both daemons is in docs/openapi.json and every documented operation is served; the served document is the file")
    void routesDocumented() throws Exception {
        try (Fixture f = new Fixture(1)) {
            for (Daemon d : f.daemons()) {
                Set<String> served = new TreeSet<>();
                for (Route r : d.api().routes()) {
                    served.add(role(d) + " " + r.method() + " " + r.pattern());
                }
                assertThat(served).isEqualTo(documented(role(d)));
            }
            assertThat(f.n.get("/v1/openapi.json").json()).isEqualTo(doc);
            assertThat(f.t.getFirst().get("/v1/openapi.json").json()).isEqualTo(doc);
            assertThat(doc.path("openapi").asString()).startsWith("3.1");
        }
    }

    /** Calls one operation and checks the answer against the document. */
    Http.Answer call(Http h, String role, String method, String template, String path, String body) {
        Http.Answer a = body == null && method.equals("GET") ? h.get(path) : h.send(method, path, body == null ? "" : body);
        JsonNode op = doc.path("paths").path(template).path(method.toLowerCase(Locale.ROOT));
        assertThat(op.isObject()).as("%s %s documented", method, template).isTrue();
        List<String> tags = op.path("tags").valueStream().map(JsonNode::asString).toList();
        assertThat(tags).as("%s %s tags", method, template).containsAnyOf(role, "both");
        JsonNode response = op.path("responses").path(String.valueOf(a.status()));
        assertThat(response.isObject()).as("%s %s: status %s documented (%s)", method, path, a.status(), a.text())
                .isTrue();
        response = resolve(response);
        String type = a.contentType().split(";", 2)[0].strip();
        JsonNode media = response.path("content").path(type);
        assertThat(media.isObject()).as("%s %s: content type %s documented", method, path, type).isTrue();
        if (type.equals("application/json")) {
            List<String> problems = new ArrayList<>();
            validate(a.json(), media.path("schema"), "$", problems);
            assertThat(problems).as("%s %s -> %s: %s", method, path, a.status(), a.text()).isEmpty();
        }
        covered.add(role + " " + method + " " + template);
        return a;
    }

    private JsonNode resolve(JsonNode v) {
        return schemas.resolve(v);
    }

    void validate(JsonNode v, JsonNode schema, String at, List<String> problems) {
        schemas.validate(v, schema, at, problems);
    }

    @Test
    @DisplayName("every documented operation called on the running daemons; statuses documented, bodies fit their schemas")
    void everyOperation() throws Exception {
        try (Fixture f = new Fixture(2)) {
            Http h1 = f.t.get(0);
            Http h2 = f.t.get(1);
            Http n = f.n;
            String m1 = "1b2c3d4e-0000-4000-8000-0000000000a1";
            String vm1 = "{\"name\": \"vm1\", \"tsis\": [{\"vn\": 5000, \"mac\": \"52:54:00:00:01:01\", \"ips\": [\"10.0.0.1\"]}]}";
            for (Http h : List.of(h1, h2)) {
                tnve(h, "GET", "/v1/status", "/v1/status", null);
            }
            tnve(h1, "GET", "/v1/vms", "/v1/vms", null);
            assertThat(tnve(h1, "POST", "/v1/vms", "/v1/vms", vm1).status()).isEqualTo(200);
            assertThat(tnve(h1, "POST", "/v1/vms", "/v1/vms", vm1).status()).isEqualTo(409);
            assertThat(tnve(h1, "POST", "/v1/vms", "/v1/vms", "{\"name\": 1}").status()).isEqualTo(400);
            assertThat(tnve(h1, "POST", "/v1/vms", "/v1/vms",
                    "{\"name\": \"vm9\", \"tsis\": [{\"vn\": 9999, \"mac\": \"52:54:00:00:09:01\"}]}").status()).isEqualTo(422);
            tnve(h1, "GET", "/v1/vms/{name}", "/v1/vms/vm1", null);
            assertThat(tnve(h1, "GET", "/v1/vms/{name}", "/v1/vms/nope", null).status()).isEqualTo(404);
            for (String verb : List.of("start", "pause", "unpause", "suspend", "resume")) {
                assertThat(tnve(h1, "POST", "/v1/vms/{name}/" + verb, "/v1/vms/vm1/" + verb, "").status()).as(verb)
                        .isEqualTo(200);
            }
            assertThat(tnve(h1, "POST", "/v1/vms/{name}/start", "/v1/vms/vm1/start", "").status()).isEqualTo(409);
            assertThat(tnve(h1, "POST", "/v1/vms/{name}/addresses", "/v1/vms/vm1/addresses",
                    "{\"tsi\": \"52:54:00:00:01:01\", \"op\": \"replace\", \"ips\": [\"10.0.0.5\", \"10.0.1.0/24\"]}").status())
                    .isEqualTo(200);
            // live migration h1 -> h2
            assertThat(tnve(h2, "POST", "/v1/vms/{name}/migrate/prepare", "/v1/vms/vm1/migrate/prepare",
                    "{\"migration\": \"" + m1 + "\", \"tsis\": [{\"vn\": 5000, \"mac\": \"52:54:00:00:01:01\"}]}").status())
                    .isEqualTo(200);
            assertThat(tnve(h1, "POST", "/v1/vms/{name}/migrate/start", "/v1/vms/vm1/migrate/start",
                    "{\"migration\": \"" + m1 + "\"}").status()).isEqualTo(200);
            assertThat(tnve(h2, "POST", "/v1/vms/{name}/migrate/commit", "/v1/vms/vm1/migrate/commit", "").status())
                    .isEqualTo(200);
            assertThat(tnve(h1, "POST", "/v1/vms/{name}/migrate/depart", "/v1/vms/vm1/migrate/depart",
                    "{\"migration\": \"" + m1 + "\"}").status()).isEqualTo(200);
            assertThat(tnve(h1, "POST", "/v1/vms/{name}/migrate/finish", "/v1/vms/vm1/migrate/finish", "").status())
                    .isEqualTo(200);
            // an incoming migration aborted
            assertThat(tnve(h1, "POST", "/v1/vms/{name}/migrate/prepare", "/v1/vms/vm2/migrate/prepare",
                    "{\"migration\": \"1b2c3d4e-0000-4000-8000-0000000000a2\", \"tsis\": [{\"vn\": 5001, \"mac\": \"52:54:00:00:02:01\"}]}")
                    .status()).isEqualTo(200);
            assertThat(tnve(h1, "POST", "/v1/vms/{name}/migrate/abort", "/v1/vms/vm2/migrate/abort", "").status())
                    .isEqualTo(200);
            // the nNVE's view, and its own initiative on a TSI of vm3
            assertThat(tnve(h1, "POST", "/v1/vms", "/v1/vms", "{\"name\": \"vm3\", \"start\": true, \"tsis\": [{\"vn\": 5001,"
                    + " \"mac\": \"52:54:00:00:03:01\", \"ips\": [\"10.1.0.3\", \"10.1.0.4\"]}]}").status()).isEqualTo(200);
            for (String p : List.of("/v1/status", "/v1/peers", "/v1/vns", "/v1/tsis", "/v1/tags")) {
                assertThat(nnve(n, "GET", p, p, null).status()).as(p).isEqualTo(200);
            }
            String id3 = TsiIds.derivedId("vm3", org.splitnve.wire.MacAddress.parse("52:54:00:00:03:01")).toString();
            assertThat(nnve(n, "POST", "/v1/tsis/{id}/deactivate", "/v1/tsis/" + id3 + "/deactivate",
                    "{\"reason\": \"test\", \"ips\": [\"10.1.0.4\"]}").status()).isEqualTo(200);
            assertThat(nnve(n, "POST", "/v1/tsis/{id}/deactivate", "/v1/tsis/" + id3 + "/deactivate", "{}").status())
                    .isEqualTo(200);
            assertThat(nnve(n, "POST", "/v1/tsis/{id}/deactivate", "/v1/tsis/" + id3 + "/deactivate", "{}").status())
                    .isEqualTo(409);
            assertThat(nnve(n, "POST", "/v1/tsis/{id}/deassociate", "/v1/tsis/" + id3 + "/deassociate",
                    "{\"reason\": \"test\"}").status()).isEqualTo(200);
            assertThat(nnve(n, "POST", "/v1/tsis/{id}/deassociate", "/v1/tsis/" + id3 + "/deassociate", "").status())
                    .isEqualTo(404);
            assertThat(nnve(n, "POST", "/v1/tsis/{id}/deassociate", "/v1/tsis/bad/deassociate", "").status())
                    .isEqualTo(400);
            // issue 11: without [dataplane] there is no switch to explain or reconcile
            assertThat(nnve(n, "GET", "/v1/dataplane/flows", "/v1/dataplane/flows", null).status()).isEqualTo(404);
            assertThat(nnve(n, "POST", "/v1/dataplane/reconcile", "/v1/dataplane/reconcile", "").status()).isEqualTo(404);
            // SEC-5: the operator's release of local tags (every end device behind port 0: none holds any by VN connect)
            assertThat(nnve(n, "POST", "/v1/tags/release", "/v1/tags/release", "{\"port\": \"0\", \"reason\": \"test\"}")
                    .status()).isEqualTo(200);
            assertThat(nnve(n, "POST", "/v1/tags/release", "/v1/tags/release", "{\"port\": \"nope\"}").status())
                    .isEqualTo(404);
            assertThat(nnve(n, "POST", "/v1/tags/release", "/v1/tags/release",
                    "{\"port\": \"0\", \"station\": \"01:00:5e:00:00:01\"}").status()).isEqualTo(400);
            // OPS-2: reconnect after the nNVE's de-associate; shutdown keeps, delete forgets
            assertThat(tnve(h1, "POST", "/v1/vms/{name}/reconnect", "/v1/vms/vm3/reconnect", "").status()).isEqualTo(200);
            assertThat(tnve(h1, "DELETE", "/v1/vms/{name}", "/v1/vms/vm3", "").status()).isEqualTo(409);
            assertThat(tnve(h2, "POST", "/v1/vms/{name}/shutdown", "/v1/vms/vm1/shutdown", "").status()).isEqualTo(200);
            assertThat(tnve(h2, "POST", "/v1/vms/{name}/reconnect", "/v1/vms/vm1/reconnect", "").status()).isEqualTo(409);
            assertThat(tnve(h2, "DELETE", "/v1/vms/{name}", "/v1/vms/vm1", "").status()).isEqualTo(200);
            assertThat(tnve(h2, "DELETE", "/v1/vms/{name}", "/v1/vms/vm1", "").status()).isEqualTo(404);
            // REL-1: a VM running here that this tNVE does not know, taken over
            assertThat(tnve(h2, "POST", "/v1/vms/{name}/adopt", "/v1/vms/vm4/adopt", "{\"state\": \"RUNNING\", \"tsis\":"
                    + " [{\"vn\": 5000, \"mac\": \"52:54:00:00:04:01\"}]}").status()).isEqualTo(200);
            assertThat(tnve(h2, "POST", "/v1/vms/{name}/adopt", "/v1/vms/vm4/adopt", "{\"state\": \"RUNNING\", \"tsis\":"
                    + " [{\"vn\": 5000, \"mac\": \"52:54:00:00:04:01\"}]}").status()).isEqualTo(409);
            assertThat(tnve(h2, "POST", "/v1/vms/{name}/adopt", "/v1/vms/vm5/adopt", "{\"state\": \"GONE\", \"tsis\":"
                    + " [{\"vn\": 5000, \"mac\": \"52:54:00:00:05:01\"}]}").status()).isEqualTo(400);
            // both daemons: metrics, the document, the event stream
            for (Daemon d : f.daemons()) {
                Http h = new Http(d.api().address());
                call(h, role(d), "GET", "/metrics", "/metrics", null);
                call(h, role(d), "GET", "/v1/openapi.json", "/v1/openapi.json", null);
                HttpResponse<Stream<String>> r = Http.CLIENT.send(h.request("/v1/events").GET().build(),
                        HttpResponse.BodyHandlers.ofLines());
                assertThat(r.statusCode()).isEqualTo(200);
                JsonNode events = doc.path("paths").path("/v1/events").path("get").path("responses").path("200")
                        .path("content");
                assertThat(events.path(r.headers().firstValue("Content-Type").orElse("").split(";", 2)[0]).isObject()).isTrue();
                r.body().close();
                covered.add(role(d) + " GET /v1/events");
            }
            Set<String> all = new TreeSet<>(documented("tnve"));
            all.addAll(documented("nnve"));
            assertThat(covered).isEqualTo(all);
            TimeUnit.MILLISECONDS.sleep(0);
        }
    }

    Http.Answer tnve(Http h, String method, String template, String path, String body) {
        return call(h, "tnve", method, template, path, body);
    }

    Http.Answer nnve(Http h, String method, String template, String path, String body) {
        return call(h, "nnve", method, template, path, body);
    }
}
