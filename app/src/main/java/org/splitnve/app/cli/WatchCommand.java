package org.splitnve.app.cli;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.splitnve.app.json.JsonCodec;
import tools.jackson.databind.JsonNode;

/**
 * {@code splitnve watch}: follows a daemon's event stream ({@code GET /v1/events}, server-sent events)
 * and prints one line per event until Ctrl-C (or {@code --count N} events): time, node, event and its
 * fields for people; the JSON objects one a line with {@code --json}.
 */
public final class WatchCommand {
    static final String USAGE = """
            usage: splitnve watch [--count N] [options]   (default --api http://127.0.0.1:7480; a tNVE's
                                                          API works too)
              prints every state change and protocol event from now on, one line each, until Ctrl-C
              --count N   stop after N events
            """ + Cli.COMMON_USAGE;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    private WatchCommand() {
    }

    public static int run(List<String> argv, Io io) {
        if (Cli.isHelp(argv)) {
            io.out().print(USAGE);
            return 0;
        }
        return Cli.execute(io, USAGE, () -> {
            Args a = Args.parse(argv, Cli.options("--count", true));
            a.words(0, "");
            long count = a.positive("--count", Long.MAX_VALUE);
            boolean json = a.flag("--json");
            ApiClient api = Cli.client(a, io, ApiClient.NNVE_DEFAULT);
            if (!json) {
                io.err().println("watching " + api.base() + " (Ctrl-C to stop)");
            }
            long[] seen = {0};
            api.events("/v1/events", e -> {
                if (json) {
                    io.out().println(e.data());
                } else {
                    io.out().println(line(e));
                }
                io.out().flush();
                return ++seen[0] < count;
            });
            return 0;
        });
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
