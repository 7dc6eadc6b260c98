package org.splitnve.app.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict subset of TOML, parsed by hand (JDK only): {@code # comments}, {@code [section]} tables,
 * {@code [[section]]} arrays of tables, and {@code key = value} lines where a value is a
 * {@code "string"} (escapes \" \\ \t \n), an integer (decimal, or 0x hex), {@code true}/{@code false},
 * or a one-line array {@code [v, v]} of strings or integers. Keys are {@code [a-z0-9_]+}. Every table
 * remembers the line of each key, and which keys were read, so the schema reports the unknown ones.
 */
public final class ConfFile {
    /** One {@code [name]} table or one element of a {@code [[name]]} array. */
    public static final class Table {
        final String name;
        final int line;
        final boolean array;
        final Map<String, Object> values = new LinkedHashMap<>();
        final Map<String, Integer> lines = new LinkedHashMap<>();
        final Set<String> read = new LinkedHashSet<>();

        Table(String name, int line, boolean array) {
            this.name = name;
            this.line = line;
            this.array = array;
        }

        public String name() {
            return name;
        }

        public int line() {
            return line;
        }

        public boolean has(String key) {
            return values.containsKey(key);
        }

        /** The raw value (String, Long, Boolean or List), marking the key as known; null if absent. */
        public Object get(String key) {
            read.add(key);
            return values.get(key);
        }

        public int lineOf(String key) {
            return lines.getOrDefault(key, line);
        }

        public Set<String> keys() {
            return values.keySet();
        }

        public String header() {
            return array ? "[[" + name + "]]" : "[" + name + "]";
        }
    }

    /** A line that is not in the subset. */
    public static final class SyntaxError extends Exception {
        public final int line;

        SyntaxError(int line, String message) {
            super(message);
            this.line = line;
        }
    }

    private final Path path;
    private final List<Table> tables;

    private ConfFile(Path path, List<Table> tables) {
        this.path = path;
        this.tables = tables;
    }

    public Path path() {
        return path;
    }

    /** Every table in file order; the first is the unnamed root table (keys before any header). */
    public List<Table> tables() {
        return tables;
    }

    public static ConfFile read(Path path) throws IOException, SyntaxError {
        return parse(path, Files.readString(path, StandardCharsets.UTF_8));
    }

    public static ConfFile parse(Path path, String text) throws SyntaxError {
        List<Table> tables = new ArrayList<>();
        Table current = new Table("", 1, false);
        tables.add(current);
        Set<String> singles = new LinkedHashSet<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int n = i + 1;
            String s = stripComment(lines[i], n).strip();
            if (s.isEmpty()) {
                continue;
            }
            if (s.startsWith("[[")) {
                if (!s.endsWith("]]")) {
                    throw new SyntaxError(n, "a table array header is [[name]]: " + s);
                }
                String name = s.substring(2, s.length() - 2).strip();
                checkName(name, n);
                if (singles.contains(name)) {
                    throw new SyntaxError(n, "[[" + name + "]] after [" + name + "]: use one form");
                }
                current = new Table(name, n, true);
                tables.add(current);
            } else if (s.startsWith("[")) {
                if (!s.endsWith("]")) {
                    throw new SyntaxError(n, "a table header is [name]: " + s);
                }
                String name = s.substring(1, s.length() - 1).strip();
                checkName(name, n);
                for (Table t : tables) {
                    if (t.name.equals(name)) {
                        throw new SyntaxError(n, (t.array ? "[" + name + "] after [[" + name + "]]"
                                : "section [" + name + "] appears twice (first on line " + t.line + ")"));
                    }
                }
                singles.add(name);
                current = new Table(name, n, false);
                tables.add(current);
            } else {
                int eq = s.indexOf('=');
                if (eq < 0) {
                    throw new SyntaxError(n, "expected key = value, [section] or [[section]]: " + s);
                }
                String key = s.substring(0, eq).strip();
                if (!key.matches("[a-z0-9_]+")) {
                    throw new SyntaxError(n, "a key is lower-case letters, digits and _: '" + key + "'");
                }
                if (current.values.containsKey(key)) {
                    throw new SyntaxError(n, "key '" + key + "' appears twice in " + current.header() + " (first on line "
                            + current.lines.get(key) + ")");
                }
                current.values.put(key, value(s.substring(eq + 1).strip(), n, true));
                current.lines.put(key, n);
            }
        }
        return new ConfFile(path, tables);
    }

    private static void checkName(String name, int n) throws SyntaxError {
        if (!name.matches("[a-z0-9_]+(\\.[a-z0-9_]+)*")) {
            throw new SyntaxError(n, "a section name is lower-case letters, digits, _ and .: '" + name + "'");
        }
    }

    /** The line without its comment (a # outside a string). */
    private static String stripComment(String line, int n) throws SyntaxError {
        boolean inString = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (inString && c == '\\') {
                i++;
            } else if (c == '"') {
                inString = !inString;
            } else if (c == '#' && !inString) {
                return line.substring(0, i);
            }
        }
        if (inString) {
            throw new SyntaxError(n, "unterminated string");
        }
        return line;
    }

    private static Object value(String v, int n, boolean arrayAllowed) throws SyntaxError {
        if (v.isEmpty()) {
            throw new SyntaxError(n, "a key needs a value");
        }
        if (v.startsWith("\"")) {
            StringBuilder sb = new StringBuilder();
            int i = 1;
            for (; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '\\') {
                    if (++i >= v.length()) {
                        break;
                    }
                    switch (v.charAt(i)) {
                        case '"' -> sb.append('"');
                        case '\\' -> sb.append('\\');
                        case 't' -> sb.append('\t');
                        case 'n' -> sb.append('\n');
                        default -> throw new SyntaxError(n, "unknown escape \\" + v.charAt(i));
                    }
                } else if (c == '"') {
                    break;
                } else {
                    sb.append(c);
                }
            }
            if (i != v.length() - 1) {
                throw new SyntaxError(n, "text after the closing quote, or no closing quote: " + v);
            }
            return sb.toString();
        }
        if (v.equals("true") || v.equals("false")) {
            return Boolean.valueOf(v);
        }
        if (v.startsWith("[")) {
            if (!arrayAllowed) {
                throw new SyntaxError(n, "arrays do not nest");
            }
            if (!v.endsWith("]")) {
                throw new SyntaxError(n, "an array is [a, b] on one line: " + v);
            }
            List<Object> out = new ArrayList<>();
            String body = v.substring(1, v.length() - 1).strip();
            if (!body.isEmpty()) {
                for (String part : splitTopLevel(body, n)) {
                    out.add(value(part.strip(), n, false));
                }
            }
            return List.copyOf(out);
        }
        String digits = v.replace("_", "");
        try {
            if (digits.startsWith("0x") || digits.startsWith("0X")) {
                return Long.parseLong(digits.substring(2), 16);
            }
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new SyntaxError(n, "not a value (strings are quoted; numbers are integers; booleans true/false): " + v);
        }
    }

    private static List<String> splitTopLevel(String body, int n) throws SyntaxError {
        List<String> parts = new ArrayList<>();
        boolean inString = false;
        int start = 0;
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (inString && c == '\\') {
                i++;
            } else if (c == '"') {
                inString = !inString;
            } else if (c == ',' && !inString) {
                parts.add(body.substring(start, i));
                start = i + 1;
            }
        }
        String last = body.substring(start);
        if (!last.isBlank()) {
            parts.add(last);
        }
        for (String p : parts) {
            if (p.isBlank()) {
                throw new SyntaxError(n, "empty array element");
            }
        }
        return parts;
    }
}
