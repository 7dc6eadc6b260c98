package org.splitnve.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;
import org.tomlj.TomlVersion;
import org.tomlj.internal.TomlLexer;

/**
 * A configuration file: TOML 1.0 (<a href="https://toml.io/en/v1.0.0">toml.io/en/v1.0.0</a>), parsed by
 * tomlj, as {@link Table}s that remember the line of every key. Every TOML table is one {@code Table}:
 * the root, each {@code [name]} (or {@code name = {...}}, or the table a dotted key {@code name.key = v}
 * makes), and each element of an array of tables ({@code [[name]]}, or {@code name = [{...}, {...}]});
 * a table's name is its dotted path from the root, through arrays without an index ({@code nva.vn}).
 * Which tables are sections and which keys they have is the schema's business ({@link Reader}).
 */
public final class ConfFile {
    /**
     * How deep arrays and inline tables may nest in one value. TOML sets no limit; the parser (ANTLR,
     * recursive) runs out of stack some hundred levels deep, so deeper is refused before it parses.
     */
    public static final int MAX_NESTING = 32;

    static {
        // tomlj checks some of its own invariants with assert, and a string can break one: a backslash-u
        // not followed by four hex digits is an AssertionError with assertions on (-ea, as the tests run),
        // and the syntax error "Invalid unicode escape sequence" with them off, as a daemon runs. Off for
        // tomlj, whatever -ea says: the parser behaves as in production (ConfigFuzzTest's finding).
        ClassLoader loader = ConfFile.class.getClassLoader();
        if (loader != null) {
            loader.setPackageAssertionStatus("org.tomlj", false);
        }
    }

    /** One table: the root, a {@code [name]} section, or one element of a {@code [[name]]} array. */
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

        /** The line that defines the table (its header, or its key); 0 for a section that is not in the file. */
        public int line() {
            return line;
        }

        public boolean has(String key) {
            return values.containsKey(key);
        }

        /**
         * The value (String, Long, Double, Boolean, a java.time date or time, a List of values, or a
         * {@link Table}), marking the key as known; null if absent.
         */
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

        /** Whether the table is an element of a {@code [[name]]} array. */
        public boolean array() {
            return array;
        }

        public String header() {
            return array ? "[[" + name + "]]" : "[" + name + "]";
        }
    }

    /** The file is not TOML 1.0: every mistake the parser found, in file order (the first is {@link #line}). */
    public static final class SyntaxError extends Exception {
        /** One mistake: its line and column (from 1) and what is wrong. */
        public record Mistake(int line, int column, String message) {
            @Override
            public String toString() {
                return "column " + column + ": " + message;
            }
        }

        public final int line;
        private final List<Mistake> mistakes;

        SyntaxError(List<Mistake> mistakes) {
            super(mistakes.getFirst().toString());
            this.mistakes = List.copyOf(mistakes);
            this.line = mistakes.getFirst().line();
        }

        public List<Mistake> mistakes() {
            return mistakes;
        }

        /**
         * One "FILE:LINE: column N: message" a mistake, as the daemons print them; the first
         * {@link #LISTED}, then how many more (a file that is not TOML at all has one on every line).
         */
        public List<String> problems(Path path) {
            List<String> out = new ArrayList<>();
            for (Mistake m : mistakes.subList(0, Math.min(LISTED, mistakes.size()))) {
                out.add(path + ":" + m.line() + ": " + m);
            }
            if (mistakes.size() > LISTED) {
                out.add(path + ":" + mistakes.get(LISTED).line() + ": and " + (mistakes.size() - LISTED)
                        + " more syntax errors from here on");
            }
            return out;
        }

        /** How many syntax errors {@link #problems} lists. */
        public static final int LISTED = 20;
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

    /** Every table in file order (by the line that defines it); the first is the root table. */
    public List<Table> tables() {
        return tables;
    }

    public static ConfFile read(Path path) throws IOException, SyntaxError {
        return parse(path, Files.readString(path, StandardCharsets.UTF_8));
    }

    /** {@link #read}, its failures as the daemons report them: "FILE: cannot read ..." or "FILE:LINE: ...". */
    public static ConfFile load(Path path) throws ConfigException {
        try {
            return read(path);
        } catch (IOException e) {
            throw new ConfigException(List.of(path + ": cannot read the configuration file: " + e.getMessage()));
        } catch (SyntaxError e) {
            throw new ConfigException(e.problems(path));
        }
    }

    public static ConfFile parse(Path path, String text) throws SyntaxError {
        String toml = text.startsWith("\uFEFF") ? text.substring(1) : text; // a byte order mark is allowed
        long[] inlineTables = lex(toml);
        TomlParseResult result;
        try {
            result = Toml.parse(toml, TomlVersion.V1_0_0);
        } catch (TomlParseError e) {
            // tomlj lists its errors in the result, except one it throws: a bad escape in a quoted key of a
            // [table] or [[table]] header (ConfigFuzzTest's finding)
            throw new SyntaxError(List.of(mistake(e)));
        }
        if (result.hasErrors()) {
            List<SyntaxError.Mistake> mistakes = new ArrayList<>();
            for (TomlParseError e : result.errors()) {
                mistakes.add(mistake(e));
            }
            mistakes.sort(Comparator.comparingInt(SyntaxError.Mistake::line)
                    .thenComparingInt(SyntaxError.Mistake::column));
            throw new SyntaxError(mistakes);
        }
        return new ConfFile(path, tables(result, inlineTables));
    }

    private static SyntaxError.Mistake mistake(TomlParseError e) {
        return new SyntaxError.Mistake(e.position().line(), e.position().column(), e.getMessage());
    }

    /** A table still to read: its {@link Table} and the parser's. */
    private record Pending(Table table, TomlTable toml) {}

    /**
     * The tables, breadth first from the root (a loop, not a recursion: dotted keys nest tables without
     * bound). {@code inlineTables}: where each inline table starts (see {@link #lex}).
     */
    private static List<Table> tables(TomlTable root, long[] inlineTables) {
        List<Table> out = new ArrayList<>();
        Deque<Pending> work = new ArrayDeque<>();
        work.add(new Pending(new Table("", 1, false), root));
        while (!work.isEmpty()) {
            Pending p = work.poll();
            out.add(p.table());
            for (String key : p.toml().keySet()) {
                List<String> k = List.of(key);
                int line = p.toml().inputPositionOf(k).line();
                String name = (p.table().name.isEmpty() ? "" : p.table().name + ".") + Toml.joinKeyPath(k);
                p.table().values.put(key, value(p.toml().get(k), name, line, false, work, inlineTables));
                p.table().lines.put(key, line);
            }
        }
        // file order; a stable sort keeps the root first
        out.sort(Comparator.comparingInt(Table::line));
        return List.copyOf(out);
    }

    /**
     * A TOML value as the schema reads it: a table becomes a {@link Table} (its keys read later, from
     * {@code work}), an array a List (nested no deeper than {@link #MAX_NESTING}), the rest stays as tomlj
     * gives it (String, Long, Double, Boolean, OffsetDateTime, LocalDateTime, LocalDate, LocalTime).
     */
    private static Object value(Object v, String name, int line, boolean element, Deque<Pending> work,
            long[] inlineTables) {
        return switch (v) {
            case TomlTable t -> {
                Table table = new Table(name, line, element);
                work.add(new Pending(table, t));
                yield table;
            }
            case TomlArray a -> {
                List<Object> list = new ArrayList<>(a.size());
                for (int i = 0; i < a.size(); i++) {
                    // tomlj places an element where the newlines before it start (the line before it, in an
                    // array over several lines); an inline table's line is where its { is
                    TomlPosition at = a.inputPositionOf(i);
                    int l = at.line();
                    if (a.get(i) instanceof TomlTable) {
                        int next = Arrays.binarySearch(inlineTables, position(at.line(), at.column()));
                        next = next >= 0 ? next : -next - 1;
                        l = next < inlineTables.length ? (int) (inlineTables[next] >>> 32) : l;
                    }
                    list.add(value(a.get(i), name, l, true, work, inlineTables));
                }
                yield List.copyOf(list);
            }
            default -> v;
        };
    }

    /**
     * Lexes the text as the parser will (tomlj's lexer, which is not recursive): refuses arrays and inline
     * tables nested deeper than {@link #MAX_NESTING}, with the line, before the parser sees them (brackets in
     * strings and comments do not count), and returns where each inline table starts, in file order
     * ({@link #position}: line and column).
     */
    private static long[] lex(String toml) throws SyntaxError {
        TomlLexer lexer = new TomlLexer(CharStreams.fromString(toml));
        lexer.removeErrorListeners();
        int depth = 0;
        List<Long> inlineTables = new ArrayList<>();
        for (Token t = lexer.nextToken(); t.getType() != Token.EOF; t = lexer.nextToken()) {
            switch (t.getType()) {
                case TomlLexer.ArrayStart, TomlLexer.InlineTableStart -> {
                    if (++depth > MAX_NESTING) {
                        throw new SyntaxError(List.of(new SyntaxError.Mistake(t.getLine(), t.getCharPositionInLine() + 1,
                                "arrays and inline tables nested more than " + MAX_NESTING + " deep")));
                    }
                    if (t.getType() == TomlLexer.InlineTableStart) {
                        inlineTables.add(position(t.getLine(), t.getCharPositionInLine() + 1));
                    }
                }
                case TomlLexer.ArrayEnd, TomlLexer.InlineTableEnd -> depth = Math.max(0, depth - 1);
                default -> {
                }
            }
        }
        return inlineTables.stream().mapToLong(Long::longValue).toArray();
    }

    /** A line and column as one number that sorts in file order. */
    private static long position(int line, int column) {
        return (long) line << 32 | column;
    }
}
