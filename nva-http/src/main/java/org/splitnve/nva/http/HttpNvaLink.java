package org.splitnve.nva.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.Digest;
import org.splitnve.nva.service.Poll;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.SessionInfo;
import org.splitnve.nva.service.Snapshot;
import org.splitnve.nva.service.link.NvaLink;
import tools.jackson.databind.JsonNode;

/**
 * An nNVE's link to one NVA address over HTTP (docs/nva-protocol.md section 2): the JDK's {@link HttpClient},
 * {@code Authorization: Bearer TOKEN} on every request (section 9), JSON bodies and NDJSON streams in the shapes
 * of {@link NvaJson}. It answers as {@link org.splitnve.nva.service.link.InProcessLink} does for the same calls.
 *
 * <p>Failures are {@link NvaUnavailable}: no connection, no answer within the request timeout, a broken or
 * malformed answer, a watch stream silent for {@link #SILENT} (section 4.2: the NVA sends a progress line every
 * 10 s), and, with {@code refused()}, 401 (wrong token) and 403 (an nNVE the NVA does not know).
 */
public final class HttpNvaLink implements NvaLink {
    /** A watch stream that says nothing for this long is dead (section 4.2). */
    public static final Duration SILENT = Duration.ofSeconds(30);
    /** The default time a request (not a stream) may take, connection included. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final Duration silent;

    /**
     * @param base  the NVA's address, {@code https://10.0.0.1:7490} (plain {@code http://} on loopback)
     * @param token this nNVE's token (at least 16 characters)
     * @param tls   the TLS context that trusts the NVA's certificate; null for the JDK's default
     */
    public HttpNvaLink(URI base, String token, SSLContext tls) {
        this(base, token, tls, REQUEST_TIMEOUT, SILENT);
    }

    public HttpNvaLink(URI base, String token, SSLContext tls, Duration requestTimeout, Duration silent) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        if (!"http".equals(this.base.getScheme()) && !"https".equals(this.base.getScheme())) {
            throw new IllegalArgumentException("an NVA address is http:// or https://, not " + base);
        }
        this.token = token;
        this.requestTimeout = requestTimeout;
        this.silent = silent;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(requestTimeout).followRedirects(HttpClient.Redirect.NEVER);
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
    }

    @Override
    public String address() {
        return base.toString();
    }

    @Override
    public void close() {
        http.close();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                .header("Accept", "application/json, application/x-ndjson");
    }

    private HttpRequest post(String path, String body) {
        return request(path).timeout(requestTimeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
    }

    private <T> HttpResponse<T> send(HttpRequest r, HttpResponse.BodyHandler<T> h) throws NvaUnavailable {
        try {
            return http.send(r, h);
        } catch (HttpTimeoutException e) {
            throw new NvaUnavailable("the NVA at " + base + " did not answer " + r.uri().getPath() + " in time", false, e);
        } catch (ConnectException e) {
            throw new NvaUnavailable("cannot connect to the NVA at " + base + ": " + e, false, e);
        } catch (IOException e) {
            throw new NvaUnavailable("the NVA at " + base + " (" + r.uri().getPath() + "): " + e, false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NvaUnavailable("interrupted while calling the NVA at " + base, false, e);
        }
    }

    /** A JSON answer's text, after the status checks. */
    private String json(HttpRequest r, int expected) throws NvaUnavailable {
        HttpResponse<String> a = send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        check(a.statusCode(), a.body(), r);
        if (a.statusCode() != expected) {
            throw new NvaUnavailable("the NVA answered " + r.uri().getPath() + " with " + a.statusCode() + ", not "
                    + expected);
        }
        return a.body();
    }

    private void check(int status, String body, HttpRequest r) throws NvaUnavailable {
        if (status == 401 || status == 403) {
            throw new NvaUnavailable("the NVA at " + base + " refused this nNVE (" + status + "): " + clip(body), true,
                    null);
        }
        if (status >= 300) {
            throw new NvaUnavailable("the NVA at " + base + " answered " + r.uri().getPath() + " with " + status + ": "
                    + clip(body));
        }
    }

    private <T> T decode(String text, NvaJson.Decoder<T> d, String what) throws NvaUnavailable {
        try {
            return NvaJson.read(text, d);
        } catch (NvaJson.Bad e) {
            throw new NvaUnavailable("the NVA at " + base + " sent a " + what + " that is not the protocol's: "
                    + e.getMessage());
        }
    }

    @Override
    public SessionInfo session() throws NvaUnavailable {
        String body = json(post("/v1/nva/session", "{}"), 200);
        return decode(body, NvaJson::session, "session");
    }

    @Override
    public Receipt report(Report report) throws NvaUnavailable {
        String body = json(post("/v1/nva/reports", NvaJson.text(NvaJson.report(report))), 200);
        return decode(body, NvaJson::receipt, "receipt");
    }

    @Override
    public void acknowledge(String historyId, long appliedRevision) throws NvaUnavailable {
        ack(new NvaJson.Ack(historyId, appliedRevision));
    }

    /**
     * The acknowledgement with the replica's digest (section 12): {@code 200 {"audit": "matches"}} or
     * {@code {"audit": "unchecked"}} (recorded), {@code 409 {"reason": "resync"}} ({@link Digest.Audit#DIVERGED}:
     * list again); {@code 204} (an NVA that does not audit) is {@link Digest.Audit#UNCHECKED}.
     */
    @Override
    public Digest.Audit acknowledge(String historyId, long appliedRevision, Digest replica) throws NvaUnavailable {
        return ack(new NvaJson.Ack(historyId, appliedRevision, replica));
    }

    private Digest.Audit ack(NvaJson.Ack ack) throws NvaUnavailable {
        HttpRequest r = post("/v1/nva/ack", NvaJson.text(NvaJson.ack(ack)));
        HttpResponse<String> a = send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (a.statusCode() == 409) {
            if (resync(a.body())) {
                return Digest.Audit.DIVERGED;
            }
            // as RevisionedNva.acknowledge: a revision beyond the NVA's is the caller's mistake, not the network's
            throw new IllegalArgumentException(clip(a.body()));
        }
        check(a.statusCode(), a.body(), r);
        if (a.statusCode() == 204 || ack.digest() == null) {
            return Digest.Audit.UNCHECKED;
        }
        return decode(a.body(), NvaJson::audit, "verdict");
    }

    /** Whether a 409's body is the NVA's {@code {"reason": "resync"}}. */
    private static boolean resync(String body) {
        try {
            JsonNode n = NvaJson.parse(body);
            JsonNode reason = n.get("reason");
            return reason != null && reason.isString() && NvaJson.RESYNC.equals(reason.asString());
        } catch (NvaJson.Bad e) {
            return false;
        }
    }

    /** The NVA's own-entries digest; null from an NVA that does not serve it yet (404): no audit then. */
    @Override
    public Digest.At ownDigest() throws NvaUnavailable {
        HttpRequest r = request("/v1/nva/own-digest").timeout(requestTimeout).GET().build();
        HttpResponse<String> a = send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (a.statusCode() == 404) {
            return null;
        }
        check(a.statusCode(), a.body(), r);
        return decode(a.body(), NvaJson::ownDigest, "digest");
    }

    @Override
    public Snapshot list() throws NvaUnavailable {
        HttpRequest r = request("/v1/nva/list").GET().build();
        HttpResponse<InputStream> a = send(r, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = a.body()) {
            if (a.statusCode() != 200) {
                String body = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
                check(a.statusCode(), body, r);
                throw new NvaUnavailable("the NVA answered the list with " + a.statusCode());
            }
            Lines lines = new Lines(in, "list");
            Thread reader = Thread.ofVirtual().name("nva-list").start(lines);
            try {
                NvaJson.Line first = lines.next(requestTimeout.plus(silent));
                if (!(first instanceof NvaJson.Line.ListStart start)) {
                    throw new NvaUnavailable("a list that does not begin with its list line: " + first);
                }
                List<Resource> out = new ArrayList<>((int) Math.min(start.count(), 1 << 20));
                while (true) {
                    NvaJson.Line l = lines.next(silent);
                    switch (l) {
                        case NvaJson.Line.Item item -> out.add(item.resource());
                        case NvaJson.Line.ListEnd end -> {
                            if (end.revision() != start.revision() || out.size() != start.count()) {
                                throw new NvaUnavailable("a list of " + out.size() + " resources at revision "
                                        + end.revision() + " announced " + start.count() + " at " + start.revision());
                            }
                            return new Snapshot(start.historyId(), start.revision(), out);
                        }
                        default -> throw new NvaUnavailable("a list with a line it cannot have: " + l);
                    }
                }
            } finally {
                reader.interrupt();
            }
        } catch (IOException e) {
            throw new NvaUnavailable("the list from " + base + " broke off: " + e, false, e);
        }
    }

    @Override
    public WatchStream watch(String historyId, long fromRevision) throws NvaUnavailable {
        HttpRequest r = request("/v1/nva/watch?history=" + URLEncoder.encode(historyId, StandardCharsets.UTF_8)
                + "&from=" + fromRevision).GET().build();
        HttpResponse<InputStream> a = send(r, HttpResponse.BodyHandlers.ofInputStream());
        InputStream in = a.body();
        if (a.statusCode() != 200) {
            String body;
            try (in) {
                body = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            } catch (IOException e) {
                body = "";
            }
            check(a.statusCode(), body, r);
            throw new NvaUnavailable("the NVA answered the watch with " + a.statusCode());
        }
        Lines lines = new Lines(in, "watch");
        Thread reader = Thread.ofVirtual().name("nva-watch").start(lines);
        return new HttpWatch(lines, reader, in, fromRevision);
    }

    /** An open watch: the reader thread queues lines, {@link #next} gathers what has come. */
    private static final class HttpWatch implements WatchStream {
        private final Lines lines;
        private final Thread reader;
        private final InputStream in;
        private long revision;
        private Poll.TooOld pendingTooOld;
        /** The too_old line that ended the stream: every later call answers it again, as a Watch does. */
        private Poll.TooOld ended;

        HttpWatch(Lines lines, Thread reader, InputStream in, long from) {
            this.lines = lines;
            this.reader = reader;
            this.in = in;
            this.revision = from;
        }

        @Override
        public Poll next(Duration maxWait) throws NvaUnavailable {
            if (pendingTooOld != null) {
                ended = pendingTooOld;
                pendingTooOld = null;
            }
            if (ended != null) {
                return ended;
            }
            List<Change> changes = new ArrayList<>();
            NvaJson.Line l = lines.poll(maxWait);
            while (l != null) {
                switch (l) {
                    case NvaJson.Line.ChangeLine c -> {
                        changes.add(c.change());
                        revision = c.change().revision();
                    }
                    case NvaJson.Line.Progress p -> revision = Math.max(revision, p.revision());
                    case NvaJson.Line.TooOld t -> {
                        if (changes.isEmpty()) {
                            ended = t.tooOld();
                            return ended;
                        }
                        pendingTooOld = t.tooOld();
                        return new Poll.Changes(changes, revision);
                    }
                    default -> throw new NvaUnavailable("a watch with a line it cannot have: " + l);
                }
                l = lines.poll(Duration.ZERO);
            }
            return new Poll.Changes(changes, revision);
        }

        @Override
        public void close() {
            reader.interrupt();
            try {
                in.close();
            } catch (IOException e) {
                // closing a stream that broke
            }
        }
    }

    /** Reads lines of a stream on its own thread, so that a reader can wait on them with a deadline. */
    private final class Lines implements Runnable {

        private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>(65_536);
        private final InputStream in;
        private final String what;
        private volatile long lastNanos = System.nanoTime();

        Lines(InputStream in, String what) {
            this.in = in;
            this.what = what;
        }

        @Override
        public void run() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    lastNanos = System.nanoTime();
                    Object item;
                    try {
                        item = NvaJson.line(NvaJson.parse(line));
                    } catch (NvaJson.Bad e) {
                        item = new NvaUnavailable("the NVA at " + base + " sent a " + what + " line that is not the"
                                + " protocol's: " + e.getMessage());
                    }
                    queue.put(item);
                    if (item instanceof NvaUnavailable) {
                        return;
                    }
                }
                queue.put(End.END);
            } catch (IOException e) {
                queue.offer(new NvaUnavailable("the " + what + " stream from " + base + " broke: " + e, false, e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The next line within {@code wait}; a stream silent for {@link #silent} or ended is an {@link NvaUnavailable}. */
        NvaJson.Line next(Duration wait) throws NvaUnavailable {
            NvaJson.Line l = poll(wait);
            if (l == null) {
                throw new NvaUnavailable("the " + what + " stream from " + base + " said nothing for " + wait.toSeconds()
                        + " s");
            }
            return l;
        }

        /** The next line, or null if none came within {@code wait} (and the stream is not silent too long). */
        NvaJson.Line poll(Duration wait) throws NvaUnavailable {
            Object o;
            try {
                o = wait.isZero() ? queue.poll() : queue.poll(wait.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NvaUnavailable("interrupted while reading the " + what + " from " + base, false, e);
            }
            if (o == null) {
                if (System.nanoTime() - lastNanos > silent.toNanos()) {
                    throw new NvaUnavailable("the " + what + " stream from " + base + " has been silent for more than "
                            + silent.toSeconds() + " s: dead");
                }
                return null;
            }
            if (o instanceof End) {
                queue.offer(End.END);
                throw new NvaUnavailable("the NVA at " + base + " ended the " + what + " stream");
            }
            if (o instanceof NvaUnavailable u) {
                queue.offer(u);
                throw u;
            }
            return (NvaJson.Line) o;
        }
    }

    /** The end of a stream, queued after its last line. */
    private enum End {
        END
    }

    private static String clip(String s) {
        if (s == null) {
            return "";
        }
        String one = s.replace('\n', ' ').strip();
        return one.length() <= 300 ? one : one.substring(0, 300) + "...";
    }
}
