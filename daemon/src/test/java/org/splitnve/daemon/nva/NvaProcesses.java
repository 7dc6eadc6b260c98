package org.splitnve.daemon.nva;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code splitnve nva} processes for tests (NvaCrashHttpTest, NvaEtcdFailoverTest, the launcher's
 * NvaCliEndToEndTest): one HTTP call with an optional bearer token, and the wait until a process serves.
 */
public final class NvaProcesses {
    private NvaProcesses() {
    }

    /** A port free on loopback now (for a configuration's [api] listen). */
    public static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** One request; {@code token} null: none (a loopback caller is the operator when none is configured). */
    public static HttpResponse<String> call(URI base, String token, String method, String path, String body)
            throws Exception {
        try (HttpClient c = HttpClient.newHttpClient()) {
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
            if (token != null) {
                b.header("Authorization", "Bearer " + token);
            }
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            return c.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** Waits (60 s at most) until the NVA at {@code base} answers GET /v1/nva/status; fails if {@code p} exits. */
    public static void awaitServing(URI base, String token, Process p, Path out) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(p.isAlive()).as("the NVA process runs: %s", Files.exists(out) ? Files.readString(out) : "")
                    .isTrue();
            try {
                if (call(base, token, "GET", "/v1/nva/status", null).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not listening yet
            }
            Thread.sleep(100); // polling a condition (the API answers) with a deadline
        }
        throw new AssertionError("the NVA did not serve within 60 s: " + Files.readString(out));
    }
}
