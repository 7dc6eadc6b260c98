package org.splitnve.protocol.event;

import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Renders an event as one structured log line: logfmt ({@code key=value}) for people, JSON for machines. Every
 * line starts with the time {@code t}, RFC 3339 in UTC with microseconds ({@code 2026-12-07T00:31:02.123456Z}),
 * the node, the level and the event's name; then the event record's components, in declaration order.
 *
 * <p>A component's value is written as what it is, never as a Java {@code toString} of a structure: a record
 * whose text is the default {@code Name[a=1, b=2]} (one that defines its own text, such as a MAC address, a VSI
 * ID or a VN key, is written as that text) becomes its components: {@code timers.retries=3 timers.rte=20} in
 * logfmt, a nested object {@code "timers":{"retries":3,"rte":20}} in JSON; a collection becomes {@code
 * ports=eth0,eth1} in logfmt (its records {@code tsis.0.id=...}), an array in JSON; a map becomes {@code
 * name.key=value} and an object. Numbers and booleans stay numbers and booleans in JSON.
 */
public final class EventFormat {
    /** RFC 3339, UTC, always six fraction digits. */
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    /** Nesting written out before a value is given as its text (records do not nest deeper in practice). */
    private static final int MAX_DEPTH = 8;

    private EventFormat() {
    }

    /** Unix nanoseconds as RFC 3339 in UTC with microseconds: {@code 2026-12-07T00:31:02.123456Z}. */
    public static String time(long atNanos) {
        return TIME.format(Instant.ofEpochSecond(Math.floorDiv(atNanos, 1_000_000_000L),
                Math.floorMod(atNanos, 1_000_000_000L)));
    }

    public static String logfmt(long atNanos, String node, Event e) {
        StringBuilder sb = new StringBuilder(128);
        sb.append("t=").append(time(atNanos)).append(" node=");
        logfmtValue(sb, node);
        sb.append(" level=").append(e.level()).append(" event=").append(e.name());
        for (RecordComponent c : components(e)) {
            logfmtField(sb, c.getName(), value(c, e), 0);
        }
        return sb.toString();
    }

    public static String json(long atNanos, String node, Event e) {
        StringBuilder sb = new StringBuilder(160);
        sb.append("{\"t\":\"").append(time(atNanos)).append("\",\"node\":");
        string(sb, node);
        sb.append(",\"level\":\"").append(e.level()).append("\",\"event\":");
        string(sb, e.name());
        for (RecordComponent c : components(e)) {
            sb.append(',');
            string(sb, c.getName());
            sb.append(':');
            jsonValue(sb, value(c, e), 0);
        }
        return sb.append('}').toString();
    }

    // ------------------------------------------------------------------ logfmt

    private static void logfmtField(StringBuilder sb, String key, Object v, int depth) {
        if (depth < MAX_DEPTH && v instanceof Record r && plainRecord(r)) {
            for (RecordComponent c : components(r)) {
                logfmtField(sb, key + "." + c.getName(), value(c, r), depth + 1);
            }
            return;
        }
        if (depth < MAX_DEPTH && v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> en : m.entrySet()) {
                logfmtField(sb, key + "." + en.getKey(), en.getValue(), depth + 1);
            }
            return;
        }
        if (depth < MAX_DEPTH && v instanceof Collection<?> col && col.stream().anyMatch(EventFormat::structured)) {
            int i = 0;
            for (Object o : col) {
                logfmtField(sb, key + "." + i++, o, depth + 1);
            }
            return;
        }
        sb.append(' ').append(key).append('=');
        if (v instanceof Collection<?> col) {
            StringJoiner j = new StringJoiner(",");
            col.forEach(o -> j.add(String.valueOf(o)));
            logfmtValue(sb, j.toString());
        } else {
            logfmtValue(sb, String.valueOf(v));
        }
    }

    private static void logfmtValue(StringBuilder sb, String v) {
        if (v.isEmpty() || v.indexOf(' ') >= 0 || v.indexOf('"') >= 0 || v.indexOf('=') >= 0 || v.indexOf('\n') >= 0) {
            sb.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"');
        } else {
            sb.append(v);
        }
    }

    // ------------------------------------------------------------------ JSON

    private static void jsonValue(StringBuilder sb, Object v, int depth) {
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b);
            case Double d when d.isNaN() || d.isInfinite() -> string(sb, d.toString());
            case Float f when f.isNaN() || f.isInfinite() -> string(sb, f.toString());
            case Number n -> sb.append(n);
            case Record r when depth < MAX_DEPTH && plainRecord(r) -> {
                sb.append('{');
                boolean first = true;
                for (RecordComponent c : components(r)) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    string(sb, c.getName());
                    sb.append(':');
                    jsonValue(sb, value(c, r), depth + 1);
                }
                sb.append('}');
            }
            case Map<?, ?> m when depth < MAX_DEPTH -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> en : m.entrySet()) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    string(sb, String.valueOf(en.getKey()));
                    sb.append(':');
                    jsonValue(sb, en.getValue(), depth + 1);
                }
                sb.append('}');
            }
            case Collection<?> col when depth < MAX_DEPTH -> {
                sb.append('[');
                boolean first = true;
                for (Object o : col) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    jsonValue(sb, o, depth + 1);
                }
                sb.append(']');
            }
            default -> string(sb, String.valueOf(v));
        }
    }

    // ------------------------------------------------------------------ records

    /** A record, map or collection: written out member by member, not as its text. */
    private static boolean structured(Object v) {
        return (v instanceof Record r && plainRecord(r)) || v instanceof Map<?, ?> || v instanceof Collection<?>;
    }

    /**
     * True when a record's text is the default {@code Name[a=1, b=2]} (it defines none of its own): it is written
     * as its components. A record with a text of its own (a MAC address, a VSI ID) is written as that text.
     */
    static boolean plainRecord(Record r) {
        StringJoiner j = new StringJoiner(", ", r.getClass().getSimpleName() + "[", "]");
        for (RecordComponent c : components(r)) {
            j.add(c.getName() + "=" + value(c, r));
        }
        return j.toString().equals(r.toString());
    }

    private static RecordComponent[] components(Object o) {
        RecordComponent[] c = o.getClass().getRecordComponents();
        return c == null ? new RecordComponent[0] : c;
    }

    private static Object value(RecordComponent c, Object o) {
        try {
            var m = c.getAccessor();
            m.setAccessible(true);
            return m.invoke(o);
        } catch (ReflectiveOperationException | RuntimeException ex) {
            return "?";
        }
    }

    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        sb.append('"');
    }
}
