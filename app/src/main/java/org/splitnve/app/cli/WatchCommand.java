package org.splitnve.app.cli;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.splitnve.app.json.Json;

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
        Json j;
        try {
            j = Json.parse(e.data());
        } catch (Json.JsonException x) {
            return e.event() + " " + e.data();
        }
        if (!(j instanceof Json.Obj o)) {
            return e.event() + " " + e.data();
        }
        StringBuilder sb = new StringBuilder();
        if (o.get("t") instanceof Json.Num t) {
            BigDecimal nanos = t.value().movePointRight(9);
            sb.append(TIME.format(Instant.ofEpochSecond(0, nanos.longValue()))).append(' ');
        }
        if (o.has("node")) {
            sb.append(Table.text(o.get("node"))).append(' ');
        }
        String level = Table.text(o.get("level"));
        if (level.equals("WARN") || level.equals("ERROR")) {
            sb.append(level).append(' ');
        }
        sb.append(o.has("event") ? Table.text(o.get("event")) : e.event());
        for (Map.Entry<String, Json> m : o.members().entrySet()) {
            switch (m.getKey()) {
                case "t", "node", "level", "event" -> {
                    // in front already
                }
                default -> {
                    String v = m.getValue() instanceof Json.Str s ? s.value() : Table.text(m.getValue());
                    sb.append(' ').append(m.getKey()).append('=');
                    sb.append(v.isEmpty() || v.contains(" ") ? Json.quote(v) : v);
                }
            }
        }
        return sb.toString();
    }
}
