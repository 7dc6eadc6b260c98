package org.splitnve.daemon.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
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
import org.splitnve.api.JsonCodec;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.daemon.metrics.Metrics;

/**
 * A daemon's HTTP API (docs/api.md) on the JDK's HTTP server: routes, the bearer token (SEC-1), body
 * limits, JSON errors, the event stream, {@code /metrics} and {@code /v1/openapi.json}. Requests run
 * on virtual threads, at most {@link #MAX_REQUESTS} at once (more get 503) plus at most
 * {@link EventStream#MAX_CLIENTS} event streams; a handler reaches the engine only through its runner.
 * Every refusal is logged ({@code api.refused}), every success at debug level ({@code api.request}).
 *
 * <p>SEC-8, before anything else: the {@code Host} header must name this listener (its address, on loopback
 * also {@code localhost}, or a configured host name; 421 otherwise: DNS rebinding), an {@code Origin} header,
 * when there is one, must be this listener's own origin (403: cross-origin requests from web pages), and a
 * body must be {@code application/json} (415: a web page's "simple" request cannot send that without a
 * preflight the API never answers). A request's line, headers and body must arrive within
 * {@link #REQUEST_DEADLINE_SECONDS} of its first octet (the JDK server closes the connection otherwise:
 * {@code sun.net.httpserver.maxReqTime}), and a request takes one of the {@link #MAX_REQUESTS} permits
 * only once its body has been read, so clients that trickle a request hold a connection and a virtual
 * thread each, never a permit.
 */
public final class ApiServer implements AutoCloseable {
    /** Request bodies above this are refused with 413 (unless a route sets its own limit: {@link Route#maxBody}). */
    public static final int MAX_BODY = 1 << 20;
    /** Requests handled at once (event streams and {@link #MONITORING} reads not counted). */
    public static final int MAX_REQUESTS = 64;
    /**
     * The monitoring reads, {@code GET} of these paths: cheap, bounded answers that a scraper or a health check asks
     * for exactly when the API is busiest. They take permits of their own ({@link #MONITORING_REQUESTS}), so 64
     * requests in progress never blind the operator (the soak's scrape was refused so, issue 13).
     */
    static final Set<String> MONITORING = Set.of("/metrics", "/v1/status");
    /** Monitoring reads handled at once, besides the {@link #MAX_REQUESTS}. */
    public static final int MONITORING_REQUESTS = 8;
    /** A comment line on an idle event stream this often. */
    static final long KEEP_ALIVE_MILLIS = 15_000;
    /**
     * SEC-8: a request's line, headers and body arrive within this many seconds of its first octet, and a new
     * connection sends its first octet within as long; the JDK's server closes the connection otherwise. Loopback
     * clients send 1 MiB in milliseconds; 10 s leave slow links room and bound how long a trickling client holds
     * its connection.
     */
    public static final int REQUEST_DEADLINE_SECONDS = 10;
    private static final String MAX_REQ_TIME = "sun.net.httpserver.maxReqTime";

    static {
        // ServerConfig reads these once, when the JDK's server class is loaded: at the first HttpServer.create,
        // which in a daemon is bind() below. An operator's -D setting wins.
        if (System.getProperty(MAX_REQ_TIME) == null) {
            System.setProperty(MAX_REQ_TIME, String.valueOf(REQUEST_DEADLINE_SECONDS));
        }
    }

    /**
     * Who may call a route, decided per request once the route is known (the NVA: each nNVE by its own token, the
     * operator by the operator's token or from loopback, docs/nva-api.md). Without one, the server checks its one
     * bearer token for every request, before routing (SEC-1).
     */
    @FunctionalInterface
    public interface Access {
        /**
         * The principal of the request (given to the handler as {@link Request#principal()}), or an {@link ApiError}
         * (401, 403). {@code route} is the route's pattern, null when no route matches the path.
         */
        String admit(String method, String route, String authorization, java.net.InetAddress remote) throws ApiError;
    }

    private final HttpServer http;
    private final ExecutorService executor;
    private final Access access;
    private final EventLog log;
    /** The bearer token (null: none); replaced by a configuration reload (OPS-5). */
    private volatile byte[] token;
    /** SEC-8: host names the API is called by besides its address (lower case); replaced by a reload. */
    private volatile Set<String> hostNames;
    private final List<Route> routes;
    private final EventStream stream;
    private final Semaphore permits = new Semaphore(MAX_REQUESTS);
    private final Semaphore monitoringPermits = new Semaphore(MONITORING_REQUESTS);
    private final Counter requests;
    private final Metrics.Durations latency;
    private volatile boolean closed;

    private ApiServer(HttpServer http, ExecutorService executor, EventLog log, Metrics metrics, String token,
            List<String> hostNames, List<Route> routes, Access access) {
        this.http = http;
        this.access = access;
        this.executor = executor;
        this.log = log;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.hostNames = Set.copyOf(hostNames);
        this.routes = routes;
        this.stream = new EventStream(log);
        this.requests = metrics.counter("splitnve_api_requests_total", "HTTP API requests by route and status",
                "method", "route", "status");
        this.latency = metrics.histogram("splitnve_api_request_seconds",
                "HTTP API request handling time (event streams not counted)", "method", "route");
    }

    /**
     * Listens where {@code s} says, with the daemon's own routes plus the common ones; the metrics come from
     * {@code scrape} (called on an HTTP thread at each scrape), written in the format the scraper asks for.
     *
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static ApiServer start(ApiSettings s, EventLog log, Metrics metrics, List<Route> own,
            Supplier<MetricSnapshots> scrape) {
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
            Supplier<MetricSnapshots> scrape) {
        return start(http, s, log, metrics, own, scrape, null, "/api/openapi.json");
    }

    /**
     * Serves on a server {@link #bind bound} before (an {@code HttpsServer} too), with {@code access} deciding who
     * may call each route (null: the settings' one token) and {@code openApiResource} the OpenAPI document served
     * at {@code /v1/openapi.json}.
     */
    public static ApiServer start(HttpServer http, ApiSettings s, EventLog log, Metrics metrics, List<Route> own,
            Supplier<MetricSnapshots> scrape, Access access, String openApiResource) {
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("api-", 0).factory());
        List<Route> routes = new ArrayList<>(own);
        routes.add(Route.get("/v1/events", r -> new Reply.Stream()));
        routes.add(Route.get("/metrics", r -> new Reply.MetricsReply(scrape.get())));
        routes.add(Route.get("/v1/openapi.json", r -> new Reply.Text(200, "application/json; charset=utf-8",
                openApi(openApiResource))));
        ApiServer server = new ApiServer(http, executor, log, metrics, s.token(), s.hostNames(), List.copyOf(routes),
                access);
        log.addTap(server.stream);
        http.setExecutor(executor);
        http.createContext("/", server::handle);
        http.start();
        log.accept(new ApiEvent.Listening(server.addressText(), s.token() != null));
        return server;
    }

    /** docs/openapi.json, packaged with the application. */
    public static String openApi() {
        return openApi("/api/openapi.json");
    }

    /** An OpenAPI document packaged with the application ({@code /api/nva-openapi.json}: the NVA's). */
    public static String openApi(String resource) {
        try (InputStream in = ApiServer.class.getResourceAsStream(resource)) {
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

    /** OPS-5, SEC-8: the host names the API is called by from now on, besides its address. */
    public void setHostNames(List<String> names) {
        this.hostNames = Set.copyOf(names);
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
        awaitStreams();
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
        Semaphore permitted = null;
        try {
            misdirected(x);
            crossOrigin(x);
            byte[] required = token; // read once: a reload may replace it meanwhile
            if (access == null && required != null && !authorised(x, required)) {
                x.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"splitnve\"");
                throw new ApiError(401, x.getRequestHeaders().getFirst("Authorization") == null
                        ? "this API needs Authorization: Bearer TOKEN" : "wrong bearer token", 0, "");
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
            String principal = access == null ? null : access.admit(method, found == null ? null : found.pattern(),
                    x.getRequestHeaders().getFirst("Authorization"), x.getRemoteAddress().getAddress());
            if (found == null && allowed.isEmpty()) {
                throw ApiError.notFound("no such path: " + Fields.clip(String.valueOf(rawPath)));
            }
            if (found == null) {
                x.getResponseHeaders().set("Allow", String.join(", ", allowed));
                throw new ApiError(405, method + " is not allowed here (allowed: " + String.join(", ", allowed) + ")",
                        0, "");
            }
            route = found.pattern();
            contentType(x);
            String body = body(x, found.maxBody());
            // SEC-8: the permit is taken once the body is in, so a client that trickles its request holds none
            boolean monitoring = "GET".equals(method) && MONITORING.contains(route);
            Semaphore pool = monitoring ? monitoringPermits : permits;
            if (!pool.tryAcquire()) {
                throw new ApiError(503, "busy: " + (monitoring ? MONITORING_REQUESTS + " monitoring reads"
                        : MAX_REQUESTS + " requests") + " in progress; try again", 0, "");
            }
            permitted = pool;
            reply = found.handler().handle(new Request(method, rawPath, params, body, remote,
                    x.getRequestURI().getRawQuery(), principal));
        } catch (ApiError e) {
            if (e.status() == 401) {
                x.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"splitnve\"");
            }
            if (e.status() == 413 || e.status() == 408) {
                // the body was not read: this connection cannot carry another request
                x.getResponseHeaders().set("Connection", "close");
            }
            if (e.retryAfterSeconds() > 0) {
                x.getResponseHeaders().set("Retry-After", String.valueOf(e.retryAfterSeconds()));
            }
            reply = new Reply.JsonReply(e.status(), e.body());
            if (e.status() == 429) {
                InetSocketAddress from = x.getRemoteAddress();
                log.accept(new ApiEvent.Limited(from == null ? "?" : from.getAddress().getHostAddress(), remote, method,
                        Fields.clip(String.valueOf(rawPath)), e.getMessage()));
            } else {
                log.accept(new ApiEvent.Refused(remote, method, Fields.clip(String.valueOf(rawPath)), e.status(),
                        e.code(), e.getMessage()));
            }
        } catch (RuntimeException e) {
            ApiError err = new ApiError(500, "internal error: " + e, 0, "");
            reply = new Reply.JsonReply(500, err.body());
            log.accept(new ApiEvent.Refused(remote, method, Fields.clip(String.valueOf(rawPath)), 500, 0,
                    err.getMessage()));
        } finally {
            if (permitted != null) {
                permitted.release();
            }
        }
        int status = switch (reply) {
            case Reply.JsonReply j -> j.status();
            case Reply.Text t -> t.status();
            case Reply.MetricsReply m -> 200;
            case Reply.Stream s -> 200;
            case Reply.Lines l -> 200;
        };
        requests.labelValues(method, route, String.valueOf(status)).inc();
        try {
            switch (reply) {
                case Reply.JsonReply j -> send(x, j.status(), "application/json; charset=utf-8", JsonCodec.write(j.body()));
                case Reply.Text t -> send(x, t.status(), t.contentType(), t.body());
                case Reply.MetricsReply m -> metrics(x, m.metrics());
                case Reply.Stream s -> {
                    stream(x, remote);
                    return;
                }
                case Reply.Lines l -> {
                    lines(x, l.writer());
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

    /**
     * SEC-8, DNS rebinding: a web page whose name resolves to this listener reaches it with that name in
     * {@code Host}. Accepted: the address the connection came to (an IP literal cannot be rebound), on loopback
     * also {@code localhost} and any loopback literal ({@code 127.0.0.1}, {@code [::1]}), and the configured host
     * names; any port (a tunnel or a proxy may forward another). 400 without a {@code Host}, 421 for another name
     * (also {@code 0.0.0.0}, which browsers send to loopback).
     */
    private void misdirected(HttpExchange x) throws ApiError {
        List<String> hosts = x.getRequestHeaders().get("Host");
        if (hosts == null || hosts.size() != 1 || hosts.getFirst().isBlank()) {
            throw ApiError.badRequest(hosts == null || hosts.isEmpty() ? "the request has no Host header"
                    : "the request has " + hosts.size() + " Host headers");
        }
        String name = hostName(hosts.getFirst());
        if (name == null || !acceptedHost(x, name)) {
            throw new ApiError(421, "Host " + Fields.clip(hosts.getFirst()) + " does not name this API (" + addressText()
                    + (hostNames.isEmpty() ? "" : ", " + String.join(", ", hostNames)) + "): DNS rebinding?"
                    + " ([api] host_names adds names)", 0, "");
        }
    }

    /** The name of a Host header ({@code name}, {@code name:port}, {@code [v6]:port}), lower case; null if malformed. */
    static String hostName(String host) {
        String h = host.strip().toLowerCase(java.util.Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            if (end < 0 || (end + 1 < h.length() && (h.charAt(end + 1) != ':' || !port(h.substring(end + 2))))) {
                return null;
            }
            return h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            if (!port(h.substring(colon + 1))) {
                return null;
            }
            h = h.substring(0, colon);
        }
        return h.isEmpty() ? null : h;
    }

    private static boolean port(String p) {
        return p.length() >= 1 && p.length() <= 5 && p.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private boolean acceptedHost(HttpExchange x, String name) {
        if (hostNames.contains(name)) {
            return true;
        }
        InetSocketAddress local = x.getLocalAddress();
        java.net.InetAddress at = local == null ? address().getAddress() : local.getAddress();
        if (at.isLoopbackAddress() && name.equals("localhost")) {
            return true;
        }
        java.net.InetAddress literal = literal(name);
        if (literal == null) {
            return false;
        }
        return at.isLoopbackAddress() ? literal.isLoopbackAddress()
                : literal.equals(at) || literal.equals(address().getAddress());
    }

    /** The address a Host name spells as an IP literal ({@code 192.0.2.1}, {@code [2001:db8::1]}); null for a name. */
    private static java.net.InetAddress literal(String name) {
        boolean v6 = name.startsWith("[") && name.endsWith("]");
        String inner = v6 ? name.substring(1, name.length() - 1) : name;
        boolean plausible = !inner.isEmpty() && (v6
                ? inner.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)
                : inner.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
        if (!plausible) {
            return null; // a name: never looked up
        }
        try {
            return java.net.InetAddress.ofLiteral(inner);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * SEC-8, cross-site requests: a browser sends {@code Origin} with every cross-origin request (and with
     * same-origin ones that are not GET or HEAD); the CLI, curl and scripts send none. A present Origin must
     * be {@code http://} and this request's Host (the API's own origin, as the browser saw it); {@code null}
     * (a sandboxed or privacy-sensitive context) and any other origin are refused with 403.
     */
    private static void crossOrigin(HttpExchange x) throws ApiError {
        List<String> origins = x.getRequestHeaders().get("Origin");
        if (origins == null || origins.isEmpty()) {
            return;
        }
        String host = x.getRequestHeaders().getFirst("Host").strip();
        if (origins.size() != 1 || !origins.getFirst().strip().equalsIgnoreCase("http://" + host)) {
            throw new ApiError(403, "cross-origin request refused: Origin " + Fields.clip(String.join(", ", origins))
                    + " is not this API's (http://" + Fields.clip(host) + "); web pages may not call it", 0, "");
        }
    }

    /**
     * SEC-8: a request with a body sends it as {@code application/json} (a {@code charset} parameter, if any,
     * UTF-8): what a web page can send cross-origin without a CORS preflight ({@code text/plain}, forms) is
     * refused with 415 before its body is read.
     */
    private static void contentType(HttpExchange x) throws ApiError {
        String length = x.getRequestHeaders().getFirst("Content-Length");
        boolean body = x.getRequestHeaders().containsKey("Transfer-Encoding")
                || (length != null && !length.strip().equals("0"));
        String type = x.getRequestHeaders().getFirst("Content-Type");
        if (!body && type == null) {
            return;
        }
        if (type == null || !json(type)) {
            throw new ApiError(415, (type == null ? "a request body needs Content-Type: application/json"
                    : "Content-Type " + Fields.clip(type) + " is not application/json"), 0, "");
        }
    }

    /** {@code application/json} with no parameter but {@code charset=utf-8}, any case. */
    static boolean json(String contentType) {
        String[] parts = contentType.split(";", -1); // every parameter; empty ones (";;", a trailing ";") skipped below
        if (!parts[0].strip().equalsIgnoreCase("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0 || !p.substring(0, eq).strip().equalsIgnoreCase("charset")) {
                return false;
            }
            String v = p.substring(eq + 1).strip().replace("\"", "");
            if (!v.equalsIgnoreCase("utf-8") && !v.equalsIgnoreCase("utf8")) {
                return false;
            }
        }
        return true;
    }

    /** The body's text, at most {@code max} octets (413 beyond), UTF-8 (400 if not); 408 if it breaks off. */
    private static String body(HttpExchange x, int max) throws ApiError {
        String length = x.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > max) {
                    throw new ApiError(413, "the body is larger than " + max + " octets", 0, "");
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
                if (out.size() + n > max) {
                    throw new ApiError(413, "the body is larger than " + max + " octets", 0, "");
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
            // the client went away, or the server closed the connection at the deadline (SEC-8)
            throw new ApiError(408, "the body did not arrive (within " + REQUEST_DEADLINE_SECONDS + " s of the request's"
                    + " first octet): " + e, 0, "");
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

    /**
     * A scrape, in OpenMetrics when the scraper's {@code Accept} asks for {@code application/openmetrics-text},
     * else in the Prometheus text format 0.0.4 (the writers of the Prometheus Java client).
     */
    private static void metrics(HttpExchange x, MetricSnapshots m) throws IOException {
        List<String> accept = x.getRequestHeaders().get("Accept");
        ExpositionFormatWriter w = Metrics.writer(accept == null ? null : String.join(",", accept));
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        w.write(out, m);
        x.getResponseHeaders().set("Content-Type", w.getContentType());
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.sendResponseHeaders(200, out.size() == 0 ? -1 : out.size());
        try (OutputStream o = x.getResponseBody()) {
            out.writeTo(o);
        }
    }

    /** Event streams being written. */
    private int streams;
    private final Object streamsLock = new Object();

    /** Waits (at most 1 s) for the event streams to write what they have and their end: the stop reaches them. */
    private void awaitStreams() {
        long deadline = System.nanoTime() + 1_000_000_000L;
        synchronized (streamsLock) {
            while (streams > 0) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return;
                }
                try {
                    streamsLock.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Writes a stream of JSON lines until its writer returns, the client goes or the server stops. */
    private void lines(HttpExchange x, Reply.LineWriter writer) throws IOException {
        synchronized (streamsLock) {
            streams++;
        }
        try {
            x.getResponseHeaders().set("Content-Type", "application/x-ndjson; charset=utf-8");
            x.getResponseHeaders().set("Cache-Control", "no-store");
            x.sendResponseHeaders(200, 0);
            OutputStream o = x.getResponseBody();
            // the headers now, not with the first line: a client waits for them (an NVA watch's first line can be a
            // heartbeat, 10 s away; the nNVE's client was not in sync until then)
            o.flush();
            writer.write(json -> {
                if (closed) {
                    throw new IOException("the server stops");
                }
                o.write((json + "\n").getBytes(StandardCharsets.UTF_8));
                o.flush();
            });
            o.close();
        } catch (InterruptedException e) {
            // the server stops
        } catch (IOException e) {
            // the client went away, or the server stops
        } finally {
            synchronized (streamsLock) {
                streams--;
                streamsLock.notifyAll();
            }
        }
    }

    /**
     * Streams events to one client until it goes, is too slow, or the daemon stops; a stream the daemon ends
     * ends with a {@code stream.end} event giving the reason, then closes cleanly.
     */
    private void stream(HttpExchange x, String remote) throws IOException {
        EventStream.Client c = closed ? null : stream.subscribe();
        if (c == null) {
            ApiError e = new ApiError(503, "too many event streams (at most " + EventStream.MAX_CLIENTS + ")", 0, "");
            log.accept(new ApiEvent.Refused(remote, "GET", "/v1/events", 503, 0, e.getMessage()));
            send(x, 503, "application/json; charset=utf-8", JsonCodec.write(e.body()));
            return;
        }
        long sent = 0;
        String why = "the client closed the stream";
        synchronized (streamsLock) {
            streams++;
        }
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
                    o.write(("event: stream.end\ndata: " + org.splitnve.api.JsonCodec.write(java.util.Map.of("reason", why)) + "\n\n")
                            .getBytes(StandardCharsets.UTF_8));
                    o.flush();
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
            synchronized (streamsLock) {
                streams--;
                streamsLock.notifyAll();
            }
            log.accept(new ApiEvent.StreamEnded(remote, sent, why));
        }
    }
}
