package org.splitnve.protocol.event;

import java.lang.reflect.RecordComponent;
import java.util.Collection;

/**
 * Renders an event as one structured log line: logfmt ({@code key=value}) for people, JSON for
 * machines. Fields are the event record's components, in declaration order.
 */
public final class EventFormat {
    private EventFormat() {
    }

    public static String logfmt(long atNanos, String node, Event e) {
        StringBuilder sb = new StringBuilder(128);
        sb.append("t=").append(String.format("%.6f", atNanos / 1e9)).append(" node=").append(node)
                .append(" level=").append(e.level()).append(" event=").append(e.name());
        for (RecordComponent c : components(e)) {
            sb.append(' ').append(c.getName()).append('=');
            String v = String.valueOf(value(c, e));
            if (v.isEmpty() || v.indexOf(' ') >= 0 || v.indexOf('"') >= 0 || v.indexOf('=') >= 0) {
                sb.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            } else {
                sb.append(v);
            }
        }
        return sb.toString();
    }

    public static String json(long atNanos, String node, Event e) {
        StringBuilder sb = new StringBuilder(160);
        sb.append("{\"t\":").append(String.format("%.6f", atNanos / 1e9)).append(",\"node\":");
        string(sb, node);
        sb.append(",\"level\":\"").append(e.level()).append("\",\"event\":");
        string(sb, e.name());
        for (RecordComponent c : components(e)) {
            sb.append(',');
            string(sb, c.getName());
            sb.append(':');
            Object v = value(c, e);
            if (v instanceof Number || v instanceof Boolean) {
                sb.append(v);
            } else if (v == null) {
                sb.append("null");
            } else if (v instanceof Collection<?> col) {
                sb.append('[');
                boolean first = true;
                for (Object o : col) {
                    if (!first) {
                        sb.append(',');
                    }
                    first = false;
                    string(sb, String.valueOf(o));
                }
                sb.append(']');
            } else {
                string(sb, String.valueOf(v));
            }
        }
        return sb.append('}').toString();
    }

    private static RecordComponent[] components(Event e) {
        RecordComponent[] c = e.getClass().getRecordComponents();
        return c == null ? new RecordComponent[0] : c;
    }

    private static Object value(RecordComponent c, Event e) {
        try {
            var m = c.getAccessor();
            m.setAccessible(true);
            return m.invoke(e);
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
