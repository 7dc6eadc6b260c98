package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.JsonCodec;
import org.splitnve.daemon.config.ApiSettings;

/**
 * SEC-8 (issue 12, items 11 and 12) against the real daemons' APIs (an nNVE and a tNVE daemon in this process,
 * their APIs on loopback, reached over TCP): what a web page can make a browser send (a cross-origin
 * {@code text/plain} POST, a DNS-rebound name in {@code Host}), written on a socket by hand because an HTTP
 * client library would not send those headers; and clients that trickle their requests.
 */
class ApiHardeningTest {
    /** One HTTP/1.1 exchange on a fresh connection, written by hand: the status and the body. */
    record Raw(int status, String text) {
    }

    static Raw raw(InetSocketAddress a, String method, String path, List<String> headers, String body) throws IOException {
        try (Socket s = new Socket(a.getAddress(), a.getPort())) {
            s.setSoTimeout(10_000);
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            if (body != null) {
                req.append("Content-Length: ").append(b.length).append("\r\n");
            }
            req.append("Connection: close\r\n\r\n");
            OutputStream o = s.getOutputStream();
            o.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            o.write(b);
            o.flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int sp = answer.indexOf(' ');
            assertThat(sp).as("an HTTP answer: %s", answer).isPositive();
            int end = answer.indexOf("\r\n\r\n");
            return new Raw(Integer.parseInt(answer.substring(sp + 1, sp + 4)), end < 0 ? "" : answer.substring(end + 4));
        }
    }

    private static String host(InetSocketAddress a) {
        return "127.0.0.1:" + a.getPort();
    }

    /** The nNVE's instances: "STATE" each. */
    private static List<String> states(Fixture f) {
        return f.n.get("/v1/tsis").json().values().stream().map(t -> t.get("state").asString()).toList();
    }

    private static String runningVm(Fixture f) {
        Http h = f.t.getFirst();
        ApiLifecycleTest.vmOf(h.post("/v1/vms", ApiLifecycleTest.VM1.replace("}]}", "}], \"start\": true}")));
        assertThat(states(f)).containsExactly("ACTIVATED");
        return f.n.get("/v1/tsis").json().get(0).get("id").asString();
    }

    @Test
    @DisplayName("SEC-8 (issue 12, item 11): the attack: a cross-origin text/plain POST with a foreign Origin and a "
            + "DNS-rebound Host no longer deactivates a TSI; each check refuses on its own (421 foreign Host, 403 "
            + "foreign or null Origin, 415 a body that is not JSON), each refusal logged; the API's own names, a "
            + "configured host name, same-origin and Origin-less JSON requests (the CLI, curl) are served")
    void webPagesCannotDriveTheApi() throws Exception {
        try (Fixture f = new Fixture(1, new ApiSettings(ApiSettings.loopback(0).listen(), null,
                List.of("nnve1.example.org")))) {
            InetSocketAddress api = f.nnve.api().address();
            String id = runningVm(f);
            String path = "/v1/tsis/" + id + "/deactivate";
            String evil = "Host: rebind.evil.example:" + api.getPort();
            String ours = "Host: " + host(api);

            // the request, as a browser sends it from http://rebind.evil.example:PORT after DNS rebinding
            Raw attack = raw(api, "POST", path, List.of(evil, "Origin: http://evil.example",
                    "Content-Type: text/plain;charset=UTF-8"), "{\"reason\": \"csrf\"}");
            assertThat(attack.status()).as("%s", attack).isEqualTo(421);
            assertThat(JsonCodec.tree(attack.text()).get("error").asString()).contains("DNS rebinding?").contains("rebind.evil.example");
            // each defence alone
            assertThat(raw(api, "POST", path, List.of(evil, "Content-Type: application/json"), "{}").status())
                    .as("a rebound name, JSON, no Origin").isEqualTo(421);
            assertThat(raw(api, "GET", "/v1/tsis", List.of(evil), null).status())
                    .as("a same-origin read after rebinding (no Origin)").isEqualTo(421);
            assertThat(raw(api, "GET", "/v1/events", List.of(evil), null).status()).isEqualTo(421);
            assertThat(raw(api, "POST", path, List.of(ours, "Origin: http://evil.example",
                    "Content-Type: application/json"), "{}").status()).as("a foreign Origin").isEqualTo(403);
            assertThat(raw(api, "POST", path, List.of(ours, "Origin: null", "Content-Type: application/json"), "{}")
                    .status()).as("Origin null (sandboxed page)").isEqualTo(403);
            assertThat(raw(api, "POST", path, List.of(ours, "Origin: http://127.0.0.1:" + (api.getPort() + 1),
                    "Content-Type: application/json"), "{}").status()).as("another port is another origin").isEqualTo(403);
            assertThat(raw(api, "GET", "/v1/events", List.of(ours, "Origin: http://evil.example"), null).status())
                    .as("an EventSource from another page").isEqualTo(403);
            for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                    "application/json; charset=latin1", "application/jsonp")) {
                Raw r = raw(api, "POST", path, List.of(ours, "Content-Type: " + type), "{}");
                assertThat(r.status()).as(type).isEqualTo(415);
                assertThat(JsonCodec.tree(r.text()).get("error").asString()).contains("application/json");
            }
            assertThat(raw(api, "POST", path, List.of(ours), "{}").status()).as("a body without Content-Type").isEqualTo(415);
            assertThat(raw(api, "GET", "/v1/status", List.of(), null).status()).as("no Host at all").isEqualTo(400);
            assertThat(raw(api, "GET", "/v1/status", List.of(ours, "Host: 127.0.0.1"), null).status())
                    .as("two Host headers").isEqualTo(400);
            assertThat(states(f)).as("the TSI is untouched").containsExactly("ACTIVATED");
            assertThat(f.logText()).contains("\"status\":421").contains("\"status\":403").contains("\"status\":415")
                    .contains("rebind.evil.example");

            // served: the API's names (any port: a tunnel), a configured name, its own origin, and no Origin (the CLI)
            for (String h : List.of(host(api), "127.0.0.1", "localhost:" + api.getPort(), "LocalHost", "[::1]:" + api.getPort(),
                    "[0:0:0:0:0:0:0:1]", "127.0.0.1:1", "nnve1.example.org:" + api.getPort(), "NNVE1.example.org")) {
                assertThat(raw(api, "GET", "/v1/status", List.of("Host: " + h), null).status()).as(h).isEqualTo(200);
            }
            assertThat(raw(api, "GET", "/v1/status", List.of("Host: " + "localhost.evil.example"), null).status())
                    .isEqualTo(421);
            assertThat(raw(api, "GET", "/v1/status", List.of("Host: 192.0.2.1:" + api.getPort()), null).status())
                    .as("an address that is not this listener's").isEqualTo(421);
            assertThat(raw(api, "GET", "/v1/status", List.of("Host: 0.0.0.0:" + api.getPort()), null).status())
                    .as("0.0.0.0, which browsers send to loopback").isEqualTo(421);
            assertThat(raw(api, "GET", "/v1/tsis", List.of("Host: localhost:" + api.getPort(),
                    "Origin: http://localhost:" + api.getPort()), null).status()).as("same origin").isEqualTo(200);
            Raw ok = raw(api, "POST", path, List.of(ours, "Content-Type: application/json; charset=utf-8"),
                    "{\"reason\": \"operator\"}");
            assertThat(ok.status()).as("%s", ok).isEqualTo(200);
            assertThat(states(f)).containsExactly("ASSOCIATED");
        }
    }

    /** A connection that sent a request's headers (and, with {@code bodyStarted}, part of its body) and trickles the rest. */
    private static final class Trickler {
        final Socket socket;
        final OutputStream out;
        volatile boolean closedByServer;

        Trickler(InetSocketAddress a, String start) throws IOException {
            socket = new Socket(a.getAddress(), a.getPort());
            out = socket.getOutputStream();
            out.write(start.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        void trickle(byte b) {
            try {
                out.write(b);
                out.flush();
            } catch (IOException e) {
                closedByServer = true;
            }
        }

        /** Whether the server closed the connection (end of stream or reset), waiting at most 100 ms. */
        boolean closed() {
            if (closedByServer) {
                return true;
            }
            try {
                socket.setSoTimeout(100);
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream seen = new ByteArrayOutputStream();
                int c;
                while ((c = in.read()) >= 0) {
                    seen.write(c); // an answer (408) may come before the close
                }
                closedByServer = true;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                closedByServer = true;
            }
            return closedByServer;
        }
    }

    @Test
    @DisplayName("SEC-8 (issue 12, item 12): 80 connections trickling a request body and 16 trickling their headers "
            + "(more than the 64 request permits): every request of a normal client meanwhile is answered 200 within "
            + "5 s, POSTs with bodies included; the server closes every trickling connection at its deadline "
            + "(REQUEST_DEADLINE_SECONDS), a body cut off is logged (408), and the daemon serves as before")
    void slowClientsDoNotBlockTheApi() throws Exception {
        try (Fixture f = new Fixture(1);
                ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor()) {
            InetSocketAddress api = f.nnve.api().address();
            String id = runningVm(f);
            List<Trickler> bodies = new ArrayList<>();
            List<Trickler> headers = new ArrayList<>();
            for (int i = 0; i < ApiServer.MAX_REQUESTS + 16; i++) {
                bodies.add(new Trickler(api, "POST /v1/tsis/" + id + "/deactivate HTTP/1.1\r\nHost: " + host(api)
                        + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"reason\": \""));
            }
            for (int i = 0; i < 16; i++) {
                headers.add(new Trickler(api, "GET /v1/status HTTP/1.1\r\nHost: " + host(api) + "\r\nX-Slow: "));
            }
            long started = System.nanoTime();
            ScheduledFuture<?> trickling = clock.scheduleAtFixedRate(() -> {
                bodies.forEach(t -> t.trickle((byte) 'x'));
                headers.forEach(t -> t.trickle((byte) 'y'));
            }, 200, 200, TimeUnit.MILLISECONDS);

            // While they trickle (a body of 100,000 octets at 5 a second: hours), a normal client is served at once.
            int served = 0;
            while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(3)) {
                HttpRequest get = f.n.request("/v1/status").timeout(Duration.ofSeconds(5)).GET().build();
                Http.Answer a = f.n.send(get);
                assertThat(a.status()).as("request %d during the trickle: %s", served, a).isEqualTo(200);
                HttpRequest post = f.n.request("/v1/tags/release").timeout(Duration.ofSeconds(5))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"port\": \"0\", \"reason\": \"probe\"}")).build();
                Http.Answer p = f.n.send(post);
                assertThat(p.status()).as("POST %d during the trickle: %s", served, p).isEqualTo(200);
                served++;
            }
            System.out.printf("%d GET and %d POST answered while %d connections trickled%n", served, served,
                    bodies.size() + headers.size());
            assertThat(served).isPositive();
            assertThat(f.t.getFirst().get("/v1/status").status()).as("the tNVE's API too").isEqualTo(200);

            // The deadline: the server closes every trickling connection, although each keeps sending.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ApiServer.REQUEST_DEADLINE_SECONDS + 20);
            List<Trickler> all = new ArrayList<>(bodies);
            all.addAll(headers);
            long open;
            while ((open = all.stream().filter(t -> !t.closed()).count()) > 0) {
                assertThat(System.nanoTime()).as("%d of %d trickling connections still open %d s after they began", open,
                        all.size(), ApiServer.REQUEST_DEADLINE_SECONDS + 20).isLessThan(deadline);
            }
            // the trickle went on all along (a task that threw would have ended it: the closes would prove nothing)
            assertThat(trickling.isDone()).as("the trickle still runs").isFalse();
            long closedAfter = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("every trickling connection closed by the server %d ms after it began%n", closedAfter);
            clock.shutdownNow();
            for (Trickler t : all) {
                t.socket.close();
            }
            assertThat(f.logText()).contains("\"status\":408").contains("did not arrive");
            assertThat(f.n.get("/v1/status").status()).isEqualTo(200);
        }
    }
}
