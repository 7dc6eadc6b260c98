package org.splitnve.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.splitnve.api.JsonCodec;
import tools.jackson.databind.JsonNode;

/**
 * A client of one daemon's HTTP API (docs/api.md) on {@link HttpClient}: JSON in and out, the bearer
 * token when one is configured (SEC-1), errors as {@link ApiException}s.
 */
public final class ApiClient {
    public static final String NNVE_DEFAULT = "http://127.0.0.1:7480";
    public static final String TNVE_DEFAULT = "http://127.0.0.1:7481";

    private final URI base;
    private final String token;
    private final Duration timeout;
    private final HttpClient http;

    public ApiClient(URI base, String token, Duration timeout) {
        this.base = Objects.requireNonNull(base, "base");
        this.token = token;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(Math.min(5, Math.max(1, timeout.toSeconds()))))
                .followRedirects(HttpClient.Redirect.NEVER);
        if ("http".equals(base.getScheme())) {
            // no TLS will be spoken: spare the CLI call loading the default trust store (a tenth of its start-up)
            b.sslContext(plainOnly());
        }
        this.http = b.build();
        java.util.List<HttpClient> scope = OPEN.get();
        if (scope != null) {
            scope.add(http);
        }
    }

    /** The HTTP clients made during one command line on this thread ({@link #closingAfter}), or null. */
    private static final ThreadLocal<java.util.List<HttpClient>> OPEN = new ThreadLocal<>();

    /**
     * Runs one command line and shuts down the HTTP clients it made: their selector threads wait in native code,
     * and a JVM that exits while such a thread runs waits 300 ms for it (a third of a CLI call).
     */
    public static int closingAfter(java.util.function.IntSupplier command) {
        java.util.List<HttpClient> outer = OPEN.get();
        java.util.List<HttpClient> mine = new java.util.ArrayList<>();
        OPEN.set(mine);
        try {
            return command.getAsInt();
        } finally {
            OPEN.set(outer);
            mine.forEach(HttpClient::shutdownNow);
        }
    }

    /** A TLS context for a client that speaks plain HTTP only: never used, so it trusts nothing. */
    private static javax.net.ssl.SSLContext plainOnly() {
        try {
            javax.net.ssl.SSLContext c = javax.net.ssl.SSLContext.getInstance("TLS");
            c.init(null, new javax.net.ssl.TrustManager[0], null);
            return c;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("no TLS context", e);
        }
    }

    /**
     * The client for a command: the URL from {@code --api}, else {@code SPLITNVE_API}, else
     * {@code defaultUrl}; the token from {@code --token-file}, else {@code SPLITNVE_TOKEN} (the token
     * itself), else {@code SPLITNVE_TOKEN_FILE}; none otherwise.
     */
    public static ApiClient from(String apiOption, String tokenFileOption, long timeoutSeconds, Io io,
            String defaultUrl) throws UsageException {
        String url = apiOption != null ? apiOption : io.env("SPLITNVE_API") != null ? io.env("SPLITNVE_API") : defaultUrl;
        String token = tokenFileOption != null ? readToken(Path.of(tokenFileOption), "--token-file") : envToken(io);
        return new ApiClient(baseUri(url), token, Duration.ofSeconds(timeoutSeconds));
    }

    /** The token of the environment: {@code SPLITNVE_TOKEN} (the token itself), else {@code SPLITNVE_TOKEN_FILE}; or null. */
    static String envToken(Io io) throws UsageException {
        if (io.env("SPLITNVE_TOKEN") != null) {
            return io.env("SPLITNVE_TOKEN").strip();
        }
        if (io.env("SPLITNVE_TOKEN_FILE") != null) {
            return readToken(Path.of(io.env("SPLITNVE_TOKEN_FILE")), "SPLITNVE_TOKEN_FILE");
        }
        return null;
    }

    /** Checks and normalises an API URL: http or https, a host, no query; the trailing slash dropped. */
    public static URI baseUri(String url) throws UsageException {
        URI u;
        try {
            u = new URI(url.strip());
        } catch (java.net.URISyntaxException e) {
            throw new UsageException("not a URL: '" + url + "' (e.g. http://127.0.0.1:7481)");
        }
        if ((!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) || u.getHost() == null
                || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new UsageException("not an API URL: '" + url + "' (e.g. http://127.0.0.1:7481)");
        }
        String s = u.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    static String readToken(Path file, String what) throws UsageException {
        try {
            String t = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (t.isEmpty()) {
                throw new UsageException(what + ": " + file + " is empty");
            }
            return t;
        } catch (IOException e) {
            throw new UsageException(what + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    public URI base() {
        return base;
    }

    /** GET: the JSON answer of a 2xx status. */
    public JsonNode get(String path) throws ApiException {
        return send(request(path).GET().build());
    }

    /** POST with a JSON body (a record of {@code Bodies}; an empty object when null): the JSON answer of a 2xx status. */
    public JsonNode post(String path, Object body) throws ApiException {
        String text = body == null ? "{}" : JsonCodec.write(body);
        return send(request(path).header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8)).build());
    }

    /** DELETE: the JSON answer of a 2xx status. */
    public JsonNode delete(String path) throws ApiException {
        return send(request(path).DELETE().build());
    }

    /** The event a daemon sends last on its event stream when it ends it (it stops): {@code data: {"reason"}}. */
    public static final String STREAM_END = "stream.end";

    /** How an event stream ended. */
    public enum End {
        /** The caller had enough (its predicate said false) or the thread was interrupted. */
        CALLER,
        /** The daemon closed the stream (it stops). */
        CLOSED
    }

    /**
     * Follows a server-sent event stream: calls {@code connected} once the daemon has answered, then {@code each}
     * for every event until it returns false, the daemon closes the stream, or the thread is interrupted. No
     * timeout applies once connected. A stream that breaks off is an {@link ApiException}.
     */
    public End events(String path, Predicate<Sse> each, Runnable connected) throws ApiException {
        HttpRequest req = auth(HttpRequest.newBuilder(uri(path)).header("Accept", "text/event-stream")).GET().build();
        HttpResponse<Stream<String>> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofLines());
        } catch (IOException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return End.CALLER;
        }
        try (Stream<String> lines = r.body()) {
            if (r.statusCode() / 100 != 2) {
                throw ApiException.http(r.statusCode(), String.join("\n", lines.toList()));
            }
            connected.run();
            Sse.Reader reader = new Sse.Reader();
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                Sse e = reader.line(it.next());
                if (e != null && !each.test(e)) {
                    return End.CALLER;
                }
            }
            return End.CLOSED;
        } catch (UncheckedIOException e) {
            if (Thread.currentThread().isInterrupted()) {
                return End.CALLER;
            }
            throw ApiException.badAnswer(base.toString(), "the event stream broke: " + e.getCause().getMessage());
        }
    }

    private HttpRequest.Builder request(String path) {
        return auth(HttpRequest.newBuilder(uri(path)).timeout(timeout).header("Accept", "application/json"));
    }

    private HttpRequest.Builder auth(HttpRequest.Builder b) {
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private JsonNode send(HttpRequest req) throws ApiException {
        HttpResponse<String> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw failure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.badAnswer(base.toString(), "interrupted");
        }
        if (r.statusCode() / 100 != 2) {
            throw ApiException.http(r.statusCode(), r.body());
        }
        try {
            return JsonCodec.tree(r.body());
        } catch (JsonCodec.Invalid e) {
            throw ApiException.badAnswer(base.toString(), "the answer is not JSON: " + e.getMessage());
        }
    }

    private ApiException failure(IOException e) {
        if (e instanceof HttpConnectTimeoutException || e instanceof ConnectException
                || e.getCause() instanceof ConnectException) {
            return ApiException.unreachable(base.toString());
        }
        if (e instanceof HttpTimeoutException) {
            return ApiException.timeout(base.toString(), timeout.toSeconds());
        }
        return ApiException.badAnswer(base.toString(), e.getMessage() == null ? e.toString() : e.getMessage());
    }
}
