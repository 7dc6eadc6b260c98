package org.splitnve.cli;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.splitnve.api.JsonCodec;
import org.splitnve.cli.ClientSettings.Kind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

/**
 * {@code splitnve watch}: follows a daemon's event stream ({@code GET /v1/events}, server-sent events)
 * and prints one line per event until Ctrl-C (or {@code --count N} events): time, node, event and its
 * fields for people; the JSON objects one a line with {@code --json}. When the daemon stops, its stop is
 * the last line and the exit status 0; with {@code --follow} it reconnects (backing off up to 5 s) and goes on.
 */
@Command(name = "watch", description = {"A daemon's events from now on, one line each, until Ctrl-C.",
    "Every state change and protocol event (default http://127.0.0.1:7480, an nNVE; a tNVE's API works",
    "too). When the daemon stops, its stop is the last line and the exit status 0 (1 when the stream",
    "broke off); --follow reconnects and goes on."})
public final class WatchCommand extends IoCommand implements Callable<Integer> {
    /** The first wait before reconnecting; doubled after each failed try, up to {@link #MAX_BACKOFF_MILLIS}. */
    static final long FIRST_BACKOFF_MILLIS = 250;
    static final long MAX_BACKOFF_MILLIS = 5_000;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    @Option(names = "--count", paramLabel = "N", description = "stop after N events")
    String count;

    @Option(names = {"-f", "--follow"}, description = "when the daemon stops or cannot be reached, reconnect (backing"
            + " off from 0.25 s to 5 s) and go on")
    boolean follow;

    @Mixin
    ApiOptions o;

    @Override
    public Integer call() throws UsageException, ApiException {
        long max = Cli.positive("--count", count, Long.MAX_VALUE);
        ApiClient api = o.clientOfAnyKind(io, Kind.NNVE);
        if (!o.json) {
            io.err().println("watching " + api.base() + " (Ctrl-C to stop)");
        }
        long[] seen = {0};
        long backoff = FIRST_BACKOFF_MILLIS;
        while (true) {
            boolean[] stopping = {false};
            ApiClient.End end;
            try {
                end = api.events("/v1/events", e -> {
                    if (e.event().equals(ApiClient.STREAM_END)) {
                        return true;
                    }
                    if (e.event().equals("daemon.stopping")) {
                        stopping[0] = true;
                    }
                    io.out().println(o.json ? e.data() : line(e));
                    io.out().flush();
                    return ++seen[0] < max;
                }, () -> {
                    if (follow && seen[0] > 0) {
                        io.err().println("watching " + api.base() + " again");
                    }
                });
            } catch (ApiException e) {
                if (!follow) {
                    throw e;
                }
                io.err().println("splitnve: " + e.getMessage() + "; trying again in " + backoff + " ms");
                if (!pause(backoff)) {
                    return 0;
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
                continue;
            }
            if (end == ApiClient.End.CALLER) {
                return 0;
            }
            // the daemon ended the stream: it stops
            backoff = FIRST_BACKOFF_MILLIS;
            if (!follow) {
                if (!o.json) {
                    io.err().println("the daemon at " + api.base() + (stopping[0] ? " stopped" : " ended the event stream"));
                }
                return 0;
            }
            io.err().println("the daemon at " + api.base() + " stopped; reconnecting (--follow)");
            if (!pause(backoff)) {
                return 0;
            }
        }
    }

    /** Waits; false when interrupted (Ctrl-C). */
    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One event for people: "12:00:01.234 nnve-1 tsi.state id=... from=ASSOCIATED to=ACTIVATED". */
    static String line(Sse e) {
        JsonNode o;
        try {
            o = JsonCodec.tree(e.data());
        } catch (JsonCodec.Invalid x) {
            return e.event() + " " + e.data();
        }
        if (!o.isObject()) {
            return e.event() + " " + e.data();
        }
        StringBuilder sb = new StringBuilder();
        Instant at = time(o.path("t"));
        if (at != null) {
            sb.append(TIME.format(at)).append(' ');
        }
        if (o.has("node")) {
            sb.append(Table.text(o.path("node"))).append(' ');
        }
        String level = Table.text(o.path("level"));
        if (level.equals("WARN") || level.equals("ERROR")) {
            sb.append(level).append(' ');
        }
        sb.append(o.has("event") ? Table.text(o.path("event")) : e.event());
        for (Map.Entry<String, JsonNode> m : o.properties()) {
            switch (m.getKey()) {
                case "t", "node", "level", "event" -> {
                    // in front already
                }
                default -> field(sb, m.getKey(), m.getValue());
            }
        }
        return sb.toString();
    }

    /** {@code key=value}; a nested object's members as {@code key.member=value}, as the logfmt log writes them. */
    private static void field(StringBuilder sb, String key, JsonNode value) {
        if (value.isObject() && !value.isEmpty()) {
            for (Map.Entry<String, JsonNode> m : value.properties()) {
                field(sb, key + "." + m.getKey(), m.getValue());
            }
            return;
        }
        String v = value.isString() ? value.stringValue() : Table.text(value);
        sb.append(' ').append(key).append('=');
        sb.append(v.isEmpty() || v.contains(" ") ? JsonCodec.quote(v) : v);
    }

    /** An event's time: RFC 3339 text (Unix seconds from daemons before it, still read); null when neither. */
    static Instant time(JsonNode t) {
        if (t.isString()) {
            try {
                return Instant.parse(t.stringValue());
            } catch (java.time.format.DateTimeParseException e) {
                return null;
            }
        }
        if (t.isNumber()) {
            BigDecimal nanos = t.decimalValue().movePointRight(9);
            return Instant.ofEpochSecond(0, nanos.longValue());
        }
        return null;
    }
}
