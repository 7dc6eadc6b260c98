package org.splitnve.daemon.nva;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.daemon.NvaDaemon;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.config.LogSettings;
import org.splitnve.daemon.http.ApiServer;
import org.splitnve.daemon.http.AuthFailures;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.daemon.metrics.Metrics;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.http.HttpNvaLink;
import org.splitnve.nva.http.NvaJson;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.protocol.event.Event;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * The NVA's API limits: the body limit of {@code POST /v1/nva/reports} admits the largest report of
 * docs/nva-protocol.md section 13 (NVA-3), and wrong tokens are limited per source address (section 9, NVA-7).
 */
class NvaApiLimitsTest {
    final List<AutoCloseable> open = new ArrayList<>();
    final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
    RevisionedNva nva;

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** {@link NvaHttpTest#nva}'s NVA served with the operator's token, its clock of failures {@link #nanos}. */
    URI serve() {
        RevisionedNva nva = NvaHttpTest.nva(100_000);
        open.add(nva);
        this.nva = nva;
        String operatorToken = NvaHttpTest.OPERATOR;
        EventLog log = new EventLog("nva-test", new LogSettings(false, Event.Level.INFO),
                new PrintStream(logged, true, StandardCharsets.UTF_8));
        open.add(log);
        Metrics metrics = new Metrics("nva-test");
        NvaApi api = new NvaApi(nva, metrics, operatorToken, NvaApi.HEARTBEAT,
                new AuthFailures(AuthFailures.MAX_FAILURES, AuthFailures.WINDOW, nanos::get));
        ApiSettings s = ApiSettings.loopback(0);
        ApiServer server = ApiServer.start(ApiServer.bind(s), s, log, metrics, api.routes(),
                () -> metrics.render(metrics.scrape()), api::access, NvaDaemon.OPENAPI);
        open.add(server);
        return URI.create("http://127.0.0.1:" + server.address().getPort());
    }

    /** The longest address in JSON: an IPv6 address without a zero group, /128, with a MAC and its group (the VN). */
    static TsiAddress longest(int tsi, int k) throws Exception {
        byte[] ip = new byte[16];
        for (int i = 0; i < 16; i++) {
            ip[i] = (byte) (0x11 * ((i % 15) + 1));
        }
        ip[12] = (byte) (0x10 | (tsi >> 8));
        ip[13] = (byte) tsi;
        ip[14] = (byte) 0xf1;
        ip[15] = (byte) (0x10 + k);
        return new TsiAddress(InetAddress.getByAddress(ip), 128, new MacAddress(0x5254_0000_0000L + tsi * 64L + k + 1),
                5000);
    }

    /** Section 13's largest report: 4,096 binds, each of {@link NvaApi#MAX_REPORT_BIND_ADDRESSES} longest addresses. */
    static Report maximal(NveId nve) throws Exception {
        List<ReportOp> ops = new ArrayList<>();
        ops.add(new ReportOp.Serve(Set.of(5000)));
        for (int t = 1; ops.size() < Report.MAX_OPS; t++) {
            TsiInstance in = new TsiInstance(VsiId.uuid(new UUID(0xffff_ffff_4fff_bfffL, 0xffff_ffff_0000_0000L | t)), nve,
                    Integer.MAX_VALUE, 5000);
            List<TsiAddress> addrs = new ArrayList<>();
            for (int k = 0; k < NvaApi.MAX_REPORT_BIND_ADDRESSES; k++) {
                addrs.add(longest(t, k));
            }
            ops.add(ReportOp.Bind.activated(in, addrs, 0xFFFF_FFFEL));
        }
        return new Report(1, ops);
    }

    /** Sends only a request's head, with a Content-Length, and reads the status line the server answers. */
    static String statusLine(URI base, String path, String token, long contentLength) throws Exception {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream o = s.getOutputStream();
            o.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + base.getPort() + "\r\nAuthorization: Bearer "
                    + token + "\r\nContent-Type: application/json\r\nContent-Length: " + contentLength
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            o.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                line.append((char) c);
            }
            return line.toString().strip();
        }
    }

    @Test
    @DisplayName("NVA-3 (docs/nva-protocol.md 13): a maximal report (4,096 operations, binds of 32 IPv6 addresses with MAC and group, over 1 MiB) is accepted and applied; a body above the report limit is 413; other routes keep the 1 MiB limit")
    void maximalReportAccepted() throws Exception {
        URI base = serve();
        Report big = maximal(NvaHttpTest.A);
        int size = NvaJson.text(NvaJson.report(big)).getBytes(StandardCharsets.UTF_8).length;
        assertThat(big.ops()).hasSize(Report.MAX_OPS);
        assertThat(size).as("a maximal report (%s octets) needs more than the API's default limit", size).isGreaterThan(ApiServer.MAX_BODY)
                .isLessThanOrEqualTo(NvaApi.MAX_REPORT_BODY);
        try (HttpNvaLink link = new HttpNvaLink(base, NvaHttpTest.TOKEN_A, null, Duration.ofMinutes(2),
                HttpNvaLink.SILENT)) {
            Receipt r = link.report(big);
            assertThat(r.status()).as("%s %s %s", r.status(), r.refusal(), r.detail()).isEqualTo(Receipt.Status.APPLIED);
            assertThat(r.results()).hasSize(Report.MAX_OPS).allMatch(Receipt.Result::applied);
        }
        assertThat(nva.whereIs(5000, TsiAddress.mac(new MacAddress(0x5254_0000_0000L + 4095 * 64L + 32)))).isPresent();

        assertThat(statusLine(base, "/v1/nva/reports", NvaHttpTest.TOKEN_A, NvaApi.MAX_REPORT_BODY + 1L)).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
        // the limit is that route's alone: an operator's route still refuses a body above 1 MiB
        assertThat(statusLine(base, "/v1/nva/vns", NvaHttpTest.OPERATOR, ApiServer.MAX_BODY + 1L)).startsWith("HTTP/1.1 413");
    }

    static HttpResponse<String> get(HttpClient c, URI base, String token) throws Exception {
        return c.send(HttpRequest.newBuilder(base.resolve("/v1/nva/session")).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    long lines(String event, String source) {
        return logged.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> l.contains("event=" + event + " ") && l.contains(source)).count();
    }

    @Test
    @DisplayName("NVA-7 (docs/nva-protocol.md 9): after 20 wrong tokens in a minute one source address gets 429 with Retry-After, even with a right token; another address is not affected; the 429s are logged in aggregate; the window's end lifts the limit")
    void wrongTokensLimitedPerSource() throws Exception {
        URI base = serve();
        try (HttpClient one = HttpClient.newBuilder().localAddress(InetAddress.ofLiteral("127.0.0.1")).build();
                HttpClient two = HttpClient.newBuilder().localAddress(InetAddress.ofLiteral("127.0.0.2")).build()) {
            for (int i = 0; i < AuthFailures.MAX_FAILURES; i++) {
                assertThat(get(one, base, "wrong-token-guess-" + i).statusCode()).as("guess %s", i).isEqualTo(401);
                nanos.addAndGet(1_000_000_000L);
            }
            HttpResponse<String> limited = get(one, base, "wrong-token-guess-x");
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.body()).contains("too many wrong or missing tokens from 127.0.0.1");
            long retry = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
            assertThat(retry).isEqualTo(AuthFailures.WINDOW.toSeconds() - AuthFailures.MAX_FAILURES);
            // a right token from that address is refused the same way: a lucky guess is not told apart
            assertThat(get(one, base, NvaHttpTest.TOKEN_A).statusCode()).isEqualTo(429);
            // another source address: its right token works, its wrong token is a 401, not a 429
            assertThat(get(two, base, NvaHttpTest.TOKEN_A).statusCode()).isEqualTo(200);
            assertThat(get(two, base, "wrong-token-guess-y").statusCode()).isEqualTo(401);
            for (int i = 0; i < 100; i++) {
                assertThat(get(one, base, "wrong-token-guess-z").statusCode()).isEqualTo(429);
            }
            assertThat(lines("api.refused", "remote=127.0.0.1:")).as("one line per 401")
                    .isEqualTo(AuthFailures.MAX_FAILURES);
            assertThat(lines("api.limited", "source=127.0.0.1 ")).as("102 refusals, logged in aggregate")
                    .isEqualTo(EventLog.BURST);
            nanos.addAndGet(AuthFailures.WINDOW.toNanos());
            assertThat(get(one, base, NvaHttpTest.TOKEN_A).statusCode()).as("the window has passed").isEqualTo(200);
        }
    }
}
