package org.splitnve.app.json;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON values (RFC 8259) for the HTTP API, the CLI and the libvirt hook: a sealed value type, a total
 * parser ({@link #parse} gives a value or a {@link JsonException} with the offset, nothing else) and a
 * compact writer. Objects keep their members' order.
 */
public sealed interface Json {

    /** Nesting deeper than this is refused (a hostile body cannot exhaust the stack). */
    int MAX_DEPTH = 64;

    record Obj(Map<String, Json> members) implements Json {
        public Obj {
            members = Collections.unmodifiableMap(new LinkedHashMap<>(members));
        }

        /** The member, or {@link Null#NULL} when absent. */
        public Json get(String key) {
            Json v = members.get(key);
            return v == null ? Null.NULL : v;
        }

        public boolean has(String key) {
            return members.containsKey(key);
        }
    }

    record Arr(List<Json> items) implements Json {
        public Arr {
            items = List.copyOf(items);
        }
    }

    record Str(String value) implements Json {
        public Str {
            if (value == null) {
                throw new IllegalArgumentException("null string");
            }
        }
    }

    /** A number, normalised (trailing zeros stripped) so that equal numbers are equal values. */
    record Num(BigDecimal value) implements Json {
        public Num {
            value = value.stripTrailingZeros();
        }

        public long longValue() {
            return value.longValue();
        }

        /** True when the number is an integer within [min, max]. */
        public boolean isIntegerIn(long min, long max) {
            try {
                long v = value.longValueExact();
                return v >= min && v <= max;
            } catch (ArithmeticException e) {
                return false;
            }
        }
    }

    record Bool(boolean value) implements Json {}

    enum Null implements Json { NULL }

    /** A parse error: what was expected, and where (character offset). */
    final class JsonException extends Exception {
        private final int offset;

        public JsonException(String message, int offset) {
            super(message + " at offset " + offset);
            this.offset = offset;
        }

        public int offset() {
            return offset;
        }
    }

    // ---- building

    static Json of(Object o) {
        return switch (o) {
            case null -> Null.NULL;
            case Json j -> j;
            case String s -> new Str(s);
            case Boolean b -> new Bool(b);
            case Integer i -> new Num(BigDecimal.valueOf(i));
            case Long l -> new Num(BigDecimal.valueOf(l));
            case Short s -> new Num(BigDecimal.valueOf(s));
            case Double d -> new Num(BigDecimal.valueOf(d));
            case Float f -> new Num(BigDecimal.valueOf(f.doubleValue()));
            case BigDecimal d -> new Num(d);
            case Map<?, ?> m -> {
                Map<String, Json> out = new LinkedHashMap<>();
                m.forEach((k, v) -> out.put(String.valueOf(k), of(v)));
                yield new Obj(out);
            }
            case Iterable<?> it -> {
                List<Json> out = new ArrayList<>();
                it.forEach(v -> out.add(of(v)));
                yield new Arr(out);
            }
            default -> new Str(o.toString());
        };
    }

    /** An object from alternating keys and values: {@code Json.obj("name", "vm1", "tsis", list)}. */
    static Obj obj(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values come in pairs");
        }
        Map<String, Json> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], of(keysAndValues[i + 1]));
        }
        return new Obj(m);
    }

    // ---- reading values conveniently (null when the value is not of that kind)

    default String asString() {
        return this instanceof Str s ? s.value() : null;
    }

    default Json get(String key) {
        return this instanceof Obj o ? o.get(key) : Null.NULL;
    }

    default List<Json> asList() {
        return this instanceof Arr a ? a.items() : null;
    }

    default Boolean asBoolean() {
        return this instanceof Bool b ? b.value() : null;
    }

    /** The integer value, or null when this is not an integer number within [min, max]. */
    default Long asLong(long min, long max) {
        return this instanceof Num n && n.isIntegerIn(min, max) ? n.longValue() : null;
    }

    // ---- writing

    default String write() {
        StringBuilder sb = new StringBuilder();
        Writer.write(this, sb);
        return sb.toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        Writer.string(s, sb);
        return sb.toString();
    }

    // ---- parsing

    static Json parse(String text) throws JsonException {
        Parser p = new Parser(text);
        p.ws();
        Json v = p.value(0);
        p.ws();
        if (p.pos != text.length()) {
            throw new JsonException("unexpected '" + text.charAt(p.pos) + "' after the value", p.pos);
        }
        return v;
    }

    final class Writer {
        private Writer() {
        }

        static void write(Json v, StringBuilder sb) {
            switch (v) {
                case Obj o -> {
                    sb.append('{');
                    boolean first = true;
                    for (Map.Entry<String, Json> e : o.members().entrySet()) {
                        if (!first) {
                            sb.append(',');
                        }
                        first = false;
                        string(e.getKey(), sb);
                        sb.append(':');
                        write(e.getValue(), sb);
                    }
                    sb.append('}');
                }
                case Arr a -> {
                    sb.append('[');
                    for (int i = 0; i < a.items().size(); i++) {
                        if (i > 0) {
                            sb.append(',');
                        }
                        write(a.items().get(i), sb);
                    }
                    sb.append(']');
                }
                case Str s -> string(s.value(), sb);
                case Num n -> sb.append(number(n.value()));
                case Bool b -> sb.append(b.value());
                case Null n -> sb.append("null");
            }
        }

        /**
         * Plain digits ({@code 5000}, {@code 0.25}) for every number of ordinary size; scientific notation
         * ({@code 1E+100}) beyond, where the plain form would be longer than a parser reads (REL-5: {@code 1e100}
         * was written as 101 digits and not read back). Either form is at most 108 characters for a number
         * {@link Parser} accepts.
         */
        static String number(BigDecimal v) {
            return Math.abs(v.scale()) <= 40 && v.precision() <= 60 ? v.toPlainString() : v.toString();
        }

        static void string(String s, StringBuilder sb) {
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> sb.append("\\\"");
                    case '\\' -> sb.append("\\\\");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            sb.append(String.format("\\u%04x", (int) c));
                        } else {
                            sb.append(c);
                        }
                    }
                }
            }
            sb.append('"');
        }
    }

    final class Parser {
        /** Characters of one number's text, significant digits and decimal exponent of its value. */
        static final int MAX_NUMBER_LENGTH = 120;
        static final int MAX_DIGITS = 100;
        static final int MAX_EXPONENT = 9999;

        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        void ws() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    break;
                }
            }
        }

        private JsonException error(String what) {
            return new JsonException(pos >= s.length() ? what + ", found the end of the text"
                    : what + ", found '" + s.charAt(pos) + "'", pos);
        }

        Json value(int depth) throws JsonException {
            if (depth > MAX_DEPTH) {
                throw new JsonException("nested deeper than " + MAX_DEPTH, pos);
            }
            if (pos >= s.length()) {
                throw error("expected a value");
            }
            char c = s.charAt(pos);
            return switch (c) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> new Str(string());
                case 't' -> literal("true", new Bool(true));
                case 'f' -> literal("false", new Bool(false));
                case 'n' -> literal("null", Null.NULL);
                default -> {
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        yield number();
                    }
                    throw error("expected a value");
                }
            };
        }

        private Json literal(String word, Json v) throws JsonException {
            if (!s.startsWith(word, pos)) {
                throw error("expected '" + word + "'");
            }
            pos += word.length();
            return v;
        }

        private Json object(int depth) throws JsonException {
            pos++;
            Map<String, Json> m = new LinkedHashMap<>();
            ws();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return new Obj(m);
            }
            while (true) {
                ws();
                if (pos >= s.length() || s.charAt(pos) != '"') {
                    throw error("expected a member name in quotes");
                }
                int at = pos;
                String key = string();
                if (m.containsKey(key)) {
                    throw new JsonException("member '" + key + "' appears twice", at);
                }
                ws();
                if (pos >= s.length() || s.charAt(pos) != ':') {
                    throw error("expected ':'");
                }
                pos++;
                ws();
                m.put(key, value(depth + 1));
                ws();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                } else if (pos < s.length() && s.charAt(pos) == '}') {
                    pos++;
                    return new Obj(m);
                } else {
                    throw error("expected ',' or '}'");
                }
            }
        }

        private Json array(int depth) throws JsonException {
            pos++;
            List<Json> items = new ArrayList<>();
            ws();
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                return new Arr(items);
            }
            while (true) {
                ws();
                items.add(value(depth + 1));
                ws();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                } else if (pos < s.length() && s.charAt(pos) == ']') {
                    pos++;
                    return new Arr(items);
                } else {
                    throw error("expected ',' or ']'");
                }
            }
        }

        private String string() throws JsonException {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c < 0x20) {
                    pos--;
                    throw error("control character in a string");
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= s.length()) {
                    throw error("unterminated escape");
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("expected 4 hex digits after \\u");
                        }
                        int v = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(s.charAt(pos), 16);
                            if (d < 0) {
                                throw error("expected 4 hex digits after \\u");
                            }
                            v = v * 16 + d;
                            pos++;
                        }
                        sb.append((char) v);
                    }
                    default -> {
                        pos--;
                        throw error("unknown escape");
                    }
                }
            }
        }

        private Json number() throws JsonException {
            int start = pos;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            if (pos >= s.length() || !isDigit(s.charAt(pos))) { // ASCII only (REL-5: "-\u0662" passed here)
                throw error("expected a digit");
            }
            if (s.charAt(pos) == '0') {
                pos++;
            } else {
                digits();
            }
            if (pos < s.length() && s.charAt(pos) == '.') {
                pos++;
                if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                    throw error("expected a digit after '.'");
                }
                digits();
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                    throw error("expected a digit in the exponent");
                }
                int expStart = pos;
                digits();
                if (pos - expStart > 4) {
                    throw new JsonException("exponent too large", expStart);
                }
            }
            if (pos - start > MAX_NUMBER_LENGTH) {
                throw new JsonException("number longer than " + MAX_NUMBER_LENGTH + " characters", start);
            }
            BigDecimal v = new BigDecimal(s.substring(start, pos)).stripTrailingZeros();
            // bounds on the value, so that what Writer writes for it is read back the same (REL-5)
            if (v.precision() > MAX_DIGITS || Math.abs((long) v.precision() - v.scale() - 1) > MAX_EXPONENT) {
                throw new JsonException("number out of range (at most " + MAX_DIGITS + " significant digits, "
                        + "exponent within +-" + MAX_EXPONENT + ")", start);
            }
            return new Num(v);
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private void digits() {
            while (pos < s.length() && isDigit(s.charAt(pos))) {
                pos++;
            }
        }
    }
}
