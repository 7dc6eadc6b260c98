package org.splitnve.app.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.splitnve.app.config.ApiSettings;
import org.splitnve.app.daemon.EventLog;
import org.splitnve.app.json.Json;

/**
 * A daemon's HTTP API (docs/api.md) on the JDK's HTTP server: routes, the bearer token (SEC-1), body
 * limits, JSON errors, the event stream, {@code /metrics} and {@code /v1/openapi.json}. Requests run
 * on virtual threads, at most {@link #MAX_REQUESTS} at once (more get 503) plus at most
 * {@link EventStream#MAX_CLIENTS} event streams; a handler reaches the engine only through its runner.
 * Every refusal is logged ({@code api.refused}), every success at debug level ({@code api.request}).
 */
public final class ApiServer implements AutoCloseable {
    /** Request bodies above this are refused with 413. */
    public static final int MAX_BODY = 1 << 20;
    /** Requests handled at once (event streams not counted). */
    public static final int MAX_REQUESTS = 64;
    /** A comment line on an idle event stream this often. */
    static final long KEEP_ALIVE_MILLIS = 15_000;

    private final HttpServer http;
    private final ExecutorService executor;
    private final EventLog log;
    private final Metrics metrics;
    /** The bearer token (null: none); replaced by a configuration reload (OPS-5). */
    private volatile byte[] token;
    private final List<Route> routes;
    private final EventStream stream;
    private final Semaphore permits = new Semaphore(MAX_REQUESTS);
    private final Metrics.Counter requests;
    private final Metrics.HistogramFamily latency;
    private volatile boolean closed;

    private ApiServer(HttpServer http, ExecutorService executor, EventLog log, Metrics metrics, String token,
            List<Route> routes) {
        this.http = http;
        this.executor = executor;
        this.log = log;
        this.metrics = metrics;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.routes = routes;
        this.stream = new EventStream(log);
        this.requests = metrics.counter("splitnve_api_requests_total", "HTTP API requests by route and status",
                "method", "route", "status");
        this.latency = metrics.histogram("splitnve_api_request_seconds",
                "HTTP API request handling time (event streams not counted)", "method", "route");
    }

    /**
     * Listens where {@code s} says, with the daemon's own routes plus the common ones; the metrics text
     * comes from {@code scrape} (called on an HTTP thread at each scrape).
     *
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static ApiServer start(ApiSettings s, EventLog log, Metrics metrics, List<Route> own,
            Supplier<String> scrape) {
        return start(bind(s), s, log, metrics, own, scrape);
    }

    /**
     * OPS-4: binds the API's address without serving yet, so a daemon knows it can listen before it opens its
     * interfaces or sends its first frame. Stop it ({@code stop(0)}) if the daemon does not start after all.
     *
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static HttpServer bind(ApiSettings s) {
        try {
            return HttpServer.create(s.listen(), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + s + " for the HTTP API: " + e.getMessage(), e);
        }
    }

    /** Serves on a server {@link #bind bound} before. */
    public static ApiServer start(HttpServer http, ApiSettings s, EventLog log, Metrics metrics, List<Route> own,
            Supplier<String> scrape) {
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("api-", 0).factory());
        List<Route> routes = new ArrayList<>(own);
        routes.add(Route.get("/v1/events", r -> new Reply.Stream()));
        routes.add(Route.get("/metrics", r -> new Reply.Text(200, "text/plain; version=0.0.4; charset=utf-8",
                scrape.get())));
        routes.add(Route.get("/v1/openapi.json", r -> new Reply.Text(200, "application/json; charset=utf-8",
                openApi())));
        ApiServer server = new ApiServer(http, executor, log, metrics, s.token(), List.copyOf(routes));
        log.addTap(server.stream);
        http.setExecutor(executor);
        http.createContext("/", server::handle);
        http.start();
        log.accept(new ApiEvent.Listening(server.addressText(), s.token() != null));
        return server;
    }

    /** docs/openapi.json, packaged with the application. */
    public static String openApi() {
        try (InputStream in = ApiServer.class.getResourceAsStream("/api/openapi.json")) {
            if (in == null) {
                return "{}";
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "{}";
        }
    }

    /** OPS-5: the bearer token every request must carry from now on (null: none). */
    public void setToken(String t) {
        this.token = t == null ? null : t.getBytes(StandardCharsets.UTF_8);
    }

    /** Where the API listens (the port bound when the configuration said 0). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    private String addressText() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Every route: the daemon's and the common ones. */
    public List<Route> routes() {
        return routes;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.removeTap(stream);
        stream.closeAll();
        http.stop(0);
        executor.shutdownNow();
        log.accept(new ApiEvent.Stopped(addressText()));
    }

    // ------------------------------------------------------------------ one exchange

    private void handle(HttpExchange x) {
        long t0 = System.nanoTime();
        String method = x.getRequestMethod();
        String rawPath = x.getRequestURI().getRawPath();
        String remote = remote(x);
        String route = "unmatched";
        Reply reply;
        boolean permitted = permits.tryAcquire();
        try {
            if (!permitted) {
                throw new ApiError(503, "busy: " + MAX_REQUESTS + " requests in progress; try again", 0, "");
            }
            byte[] required = token; // read once: a reload may replace it meanwhile
            if (required != null && !authorised(x, required)) {
                x.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"splitnve\"");
                throw new ApiError(401, x.getRequestHeaders().getFirst("Authorization") == null
                        ? "this API needs Authorization: Bearer TOKEN (SEC-1)" : "wrong bearer token (SEC-1)", 0, "");
            }
            List<String> segments = new ArrayList<>();
            for (String seg : Route.segments(rawPath == null ? "/" : rawPath)) {
                segments.add(decode(seg));
            }
            Route found = null;
            Map<String, String> params = null;
            Set<String> allowed = new LinkedHashSet<>();
            for (Route r : routes) {
                Map<String, String> p = r.match(segments);
                if (p == null) {
                    continue;
                }
                allowed.add(r.method());
                if (r.method().equals(method) && found == null) {
                    found = r;
                    params = p;
                }
            }
            if (found == null && allowed.isEmpty()) {
                throw ApiError.notFound("no such path: " + Fields.clip(String.valueOf(rawPath)));
            }
            if (found == null) {
                x.getResponseHeaders().set("Allow", String.join(", ", allowed));
                throw new ApiError(405, method + " is not allowed here (allowed: " + String.join(", ", allowed) + ")",
                        0, "");
            }
            route = found.pattern();
            String body = body(x);
            reply = found.handler().handle(new Request(method, rawPath, params, body, remote));
        } catch (ApiError e) {
            if (e.status() == 413) {
                // the body was not read: this connection cannot carry another request
                x.getResponseHeaders().set("Connection", "close");
            }
            reply = new Reply.JsonReply(e.status(), e.body());
            log.accept(new ApiEvent.Refused(remote, method, Fields.clip(String.valueOf(rawPath)), e.status(), e.code(),
                    e.getMessage()));
        } catch (RuntimeException e) {
            ApiError err = new ApiError(500, "internal error: " + e, 0, "");
            reply = new Reply.JsonReply(500, err.body());
            log.accept(new ApiEvent.Refused(remote, method, Fields.clip(String.valueOf(rawPath)), 500, 0,
                    err.getMessage()));
        } finally {
            if (permitted) {
                permits.release();
            }
        }
        int status = switch (reply) {
            case Reply.JsonReply j -> j.status();
            case Reply.Text t -> t.status();
            case Reply.Stream s -> 200;
        };
        requests.inc(method, route, String.valueOf(status));
        try {
            switch (reply) {
                case Reply.JsonReply j -> send(x, j.status(), "application/json; charset=utf-8", j.body().write());
                case Reply.Text t -> send(x, t.status(), t.contentType(), t.body());
                case Reply.Stream s -> {
                    stream(x, remote);
                    return;
                }
            }
            latency.with(method, route).observeNanos(System.nanoTime() - t0);
            if (status < 400) {
                log.accept(new ApiEvent.Request(remote, method, Fields.clip(String.valueOf(rawPath)), status,
                        (System.nanoTime() - t0) / 1000));
            }
        } catch (IOException | RuntimeException e) {
            // the client went away
        } finally {
            x.close();
        }
    }

    private static String remote(HttpExchange x) {
        InetSocketAddress a = x.getRemoteAddress();
        return a == null ? "?" : a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private static String decode(String segment) throws ApiError {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("bad percent-encoding in the path: " + Fields.clip(segment));
        }
    }

    /** SEC-1: {@code Authorization: Bearer TOKEN}, compared in constant time. */
    private static boolean authorised(HttpExchange x, byte[] token) {
        String h = x.getRequestHeaders().getFirst("Authorization");
        if (h == null || h.length() < 7 || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(token, h.substring(7).strip().getBytes(StandardCharsets.UTF_8));
    }

    /** The body's text, at most {@link #MAX_BODY} octets (413 beyond), UTF-8 (400 if not). */
    private static String body(HttpExchange x) throws ApiError {
        String length = x.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > MAX_BODY) {
                    throw new ApiError(413, "the body is larger than " + MAX_BODY + " octets", 0, "");
                }
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("bad Content-Length");
            }
        }
        try (InputStream in = x.getRequestBody()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > MAX_BODY) {
                    throw new ApiError(413, "the body is larger than " + MAX_BODY + " octets", 0, "");
                }
                out.write(buf, 0, n);
            }
            byte[] b = out.toByteArray();
            var decoder = StandardCharsets.UTF_8.newDecoder();
            try {
                return decoder.decode(java.nio.ByteBuffer.wrap(b)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw ApiError.badRequest("the body is not UTF-8");
            }
        } catch (IOException e) {
            throw ApiError.badRequest("the body could not be read: " + e.getMessage());
        }
    }

    private static void send(HttpExchange x, int status, String contentType, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", contentType);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(b);
            }
        }
    }

    /** Streams events to one client until it goes, is too slow, or the daemon stops. */
    private void stream(HttpExchange x, String remote) throws IOException {
        EventStream.Client c = closed ? null : stream.subscribe();
        if (c == null) {
            ApiError e = new ApiError(503, "too many event streams (at most " + EventStream.MAX_CLIENTS + ")", 0, "");
            log.accept(new ApiEvent.Refused(remote, "GET", "/v1/events", 503, 0, e.getMessage()));
            send(x, 503, "application/json; charset=utf-8", e.body().write());
            return;
        }
        long sent = 0;
        String why = "the client closed the stream";
        try {
            x.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            x.getResponseHeaders().set("Cache-Control", "no-store");
            x.sendResponseHeaders(200, 0);
            OutputStream o = x.getResponseBody();
            o.write(": splitnve event stream\n\n".getBytes(StandardCharsets.UTF_8));
            o.flush();
            while (true) {
                String m = c.next(KEEP_ALIVE_MILLIS);
                if (m == null) {
                    o.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                } else if (c.isEnd(m)) {
                    why = c.ended;
                    break;
                } else {
                    o.write(m.getBytes(StandardCharsets.UTF_8));
                    sent++;
                }
                o.flush();
            }
            o.close();
        } catch (InterruptedException e) {
            why = "the daemon stops";
        } catch (IOException e) {
            // the client went away
        } finally {
            c.close();
            log.accept(new ApiEvent.StreamEnded(remote, sent, why));
        }
    }
}
