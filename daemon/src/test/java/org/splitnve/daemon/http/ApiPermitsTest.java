package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.config.LogSettings;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.daemon.metrics.Metrics;
import org.splitnve.protocol.event.Event;

/**
 * The API's request permits: {@link ApiServer#MAX_REQUESTS} requests at once, and beyond them a 503 that says so; the
 * monitoring reads ({@code GET /metrics}, {@code GET /v1/status}) have permits of their own, so a busy API never
 * refuses the scrape or the health check that would show it busy (the soak's scrape was refused at 64 requests in
 * progress, issue 13).
 */
class ApiPermitsTest {

    @Test
    @DisplayName("SEC-8: with 64 requests in progress a 65th is refused (503, 'busy'), while GET /metrics and GET "
            + "/v1/status are still answered 200; once the 64 end, requests are served again")
    void monitoringReadsHavePermitsOfTheirOwn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger inProgress = new AtomicInteger();
        List<Route> own = List.of(
                Route.post("/v1/slow", r -> {
                    inProgress.incrementAndGet();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Reply.ok(Map.of("slow", true));
                }),
                Route.get("/v1/status", r -> Reply.ok(Map.of("up", true))));
        ByteArrayOutputStream logged = new ByteArrayOutputStream();
        Metrics metrics = new Metrics("permits-test");
        ApiSettings s = ApiSettings.loopback(0);
        try (EventLog log = new EventLog("permits-test", new LogSettings(false, Event.Level.INFO),
                        new PrintStream(logged, true, StandardCharsets.UTF_8));
                ApiServer server = ApiServer.start(ApiServer.bind(s), s, log, metrics, own,
                        () -> metrics.render(metrics.scrape()));
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            URI base = URI.create("http://127.0.0.1:" + server.address().getPort());
            List<CompletableFuture<HttpResponse<String>>> slow = new ArrayList<>();
            for (int i = 0; i < ApiServer.MAX_REQUESTS; i++) {
                slow.add(http.sendAsync(post(base, "/v1/slow"), HttpResponse.BodyHandlers.ofString()));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (inProgress.get() < ApiServer.MAX_REQUESTS) {
                assertThat(System.nanoTime()).as("%d of %d slow requests in progress", inProgress.get(),
                        ApiServer.MAX_REQUESTS).isLessThan(deadline);
                Thread.sleep(10);
            }

            HttpResponse<String> refused = http.send(post(base, "/v1/slow"), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as("a 65th request: %s", refused.body()).isEqualTo(503);
            assertThat(refused.body()).contains("busy: 64 requests in progress");
            for (String path : List.of("/metrics", "/v1/status")) {
                HttpResponse<String> read = http.send(get(base, path), HttpResponse.BodyHandlers.ofString());
                assertThat(read.statusCode()).as("GET %s with 64 requests in progress: %s", path, read.body())
                        .isEqualTo(200);
            }
            assertThat(inProgress.get()).as("the refused request never reached its handler")
                    .isEqualTo(ApiServer.MAX_REQUESTS);

            release.countDown();
            for (CompletableFuture<HttpResponse<String>> f : slow) {
                assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> again = http.send(post(base, "/v1/slow"), HttpResponse.BodyHandlers.ofString());
            assertThat(again.statusCode()).as("served again once the 64 ended").isEqualTo(200);
        }
        assertThat(logged.toString(StandardCharsets.UTF_8)).contains("event=api.refused").contains("status=503");
    }

    private static HttpRequest post(URI base, String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build();
    }

    private static HttpRequest get(URI base, String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).GET().build();
    }
}
