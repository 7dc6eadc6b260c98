package org.splitnve.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.splitnve.config.ConfFile.Table;
import org.splitnve.wire.MacAddress;
import org.tomlj.Toml;

/**
 * Typed, validating access to a {@link ConfFile}: every mistake becomes one message naming file, line and key
 * ({@code FILE:LINE: [section] key: message}).
 */
public final class Reader {
    private final ConfFile file;
    private final List<String> problems = new ArrayList<>();
    /** The schema's sections, as {@link #sections} was given them. */
    private Set<String> singles = Set.of();
    private Set<String> arrays = Set.of();
    /** The tables {@link #sections} found to be sections (the root first); before it ran, every table. */
    private List<Table> sectionTables;

    public Reader(ConfFile file) {
        this.file = file;
    }

    /** The file read. */
    public ConfFile file() {
        return file;
    }

    public String where(Table t, String key) {
        return file.path() + ":" + (key == null ? t.line() : t.lineOf(key)) + ": "
                + (t.name().isEmpty() ? "" : t.header() + " ") + (key == null ? "" : Toml.joinKeyPath(List.of(key)) + ": ");
    }

    public void problem(Table t, String key, String message) {
        problems.add(where(t, key) + message);
    }

    public void problem(String message) {
        problems.add(file.path() + ": " + message);
    }

    public void throwIfAny() throws ConfigException {
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
    }

    /**
     * Checks the sections, from the root down: a table (or array of tables) of the root is a section, known
     * or not (an unknown one is a problem); within a known section, a table whose name is known is a section
     * too, any other is a value of its key (read as the schema reads that key, or an unknown key). Each known
     * one must have its form: one table for a single section, an array of tables for a list of them. A table
     * that only holds sections ({@code auth} of a tNVE's {@code [[auth.key]]}) may be there, with no key. The
     * root holds no keys.
     */
    public void sections(Set<String> singles, Set<String> arrays) {
        this.singles = singles;
        this.arrays = arrays;
        List<Table> known = new ArrayList<>(List.of(file.tables().getFirst()));
        List<Table> holders = new ArrayList<>();
        for (int i = 0; i < known.size(); i++) {
            Table t = known.get(i);
            boolean root = t.name().isEmpty();
            for (String k : t.keys()) {
                List<Table> subs = tables(t.values.get(k));
                if (t.values.get(k) instanceof List<?> l && l.isEmpty()
                        && arrays.contains(root ? k : t.name() + "." + k)) {
                    t.read.add(k); // an empty list of sections: port = []
                    continue;
                }
                if (subs.isEmpty()) {
                    if (root) {
                        t.read.add(k);
                        problem(t, k, "a key outside any section (the file starts with a [section])");
                    }
                    continue;
                }
                String name = subs.getFirst().name();
                Form form = form(name);
                if (form == Form.UNKNOWN && !root) {
                    continue; // a value of the key k (unknownKeys or the key's reader reports it)
                }
                t.read.add(k);
                for (Table sub : subs) {
                    switch (form) {
                        case UNKNOWN -> problem(sub, null, "unknown section " + sub.header() + " (known: "
                                + known(singles, arrays) + ")");
                        case SINGLE -> {
                            if (sub.array) {
                                problem(sub, null, "[" + name + "] is one section: write [" + name + "], not [["
                                        + name + "]]");
                            } else {
                                known.add(sub);
                            }
                        }
                        case ARRAY -> {
                            if (sub.array) {
                                known.add(sub);
                            } else {
                                problem(sub, null, "[[" + name + "]] is a list of sections: write [[" + name + "]]");
                            }
                        }
                        case HOLDER -> {
                            if (sub.array) {
                                problem(sub, null, "unknown section " + sub.header() + " (known: "
                                        + known(singles, arrays) + ")");
                            } else {
                                known.add(sub);
                                holders.add(sub);
                            }
                        }
                    }
                }
            }
        }
        sectionTables = known;
        holders.forEach(this::unknownKeys);
    }

    /** What a table's name is to the schema. */
    private enum Form {
        /** a single section, {@code [name]} */
        SINGLE,
        /** a list of sections, {@code [[name]]} */
        ARRAY,
        /** no section, but the table that holds some ({@code auth} of {@code auth.key}) */
        HOLDER,
        UNKNOWN
    }

    private Form form(String name) {
        if (singles.contains(name)) {
            return Form.SINGLE;
        }
        if (arrays.contains(name)) {
            return Form.ARRAY;
        }
        String prefix = name + ".";
        return singles.stream().anyMatch(n -> n.startsWith(prefix)) || arrays.stream().anyMatch(n -> n.startsWith(prefix))
                ? Form.HOLDER : Form.UNKNOWN;
    }

    /** The tables a value is: a table, or every element of a non-empty array of tables; else none. */
    private static List<Table> tables(Object v) {
        if (v instanceof Table t) {
            return List.of(t);
        }
        if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(Table.class::isInstance)) {
            return l.stream().map(Table.class::cast).toList();
        }
        return List.of();
    }

    private static String known(Set<String> singles, Set<String> arrays) {
        List<String> out = new ArrayList<>();
        singles.stream().sorted().forEach(s -> out.add("[" + s + "]"));
        arrays.stream().sorted().forEach(s -> out.add("[[" + s + "]]"));
        return String.join(", ", out);
    }

    /** The single section named so, or an empty table (every key at its default). */
    public Table single(String name) {
        for (Table t : sections()) {
            if (t.name().equals(name) && !t.array) {
                return t;
            }
        }
        return new Table(name, 0, false);
    }

    /** The elements of the list of sections named so, in file order. */
    public List<Table> array(String name) {
        return sections().stream().filter(t -> t.name().equals(name) && t.array)
                .sorted(java.util.Comparator.comparingInt(Table::line)).toList();
    }

    private List<Table> sections() {
        return sectionTables != null ? sectionTables : file.tables();
    }

    /**
     * Reports keys of {@code t} that were never read (a table among them: an unknown section). Call after
     * reading every key of the table.
     */
    public void unknownKeys(Table t) {
        List<String> keys = t.read.stream().filter(k -> form(t.name() + "." + k) == Form.UNKNOWN).toList();
        for (String k : t.keys()) {
            if (t.read.contains(k)) {
                continue;
            }
            List<Table> subs = tables(t.values.get(k));
            String name = t.name() + "." + k;
            if (!subs.isEmpty()) {
                problem(subs.getFirst(), null, "unknown section " + subs.getFirst().header() + " (known: "
                        + known(singles, arrays) + ")");
            } else if (form(name) != Form.UNKNOWN) {
                String header = arrays.contains(name) ? "[[" + name + "]]" : "[" + name + "]";
                problem(t, k, "a section, not a value: write " + header + " and its keys below it");
            } else if (keys.isEmpty()) {
                problem(t, k, "unknown key (" + t.header() + " holds sections only)");
            } else {
                problem(t, k, "unknown key (known in " + t.header() + ": " + String.join(", ", keys) + ")");
            }
        }
    }

    public String string(Table t, String key, String dflt) {
        Object v = t.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String s) {
            return s;
        }
        problem(t, key, "expected a quoted string, found " + show(v));
        return dflt;
    }

    public String required(Table t, String key) {
        if (!t.has(key)) {
            t.get(key);
            problem(t, null, "missing required key '" + key + "'");
            return null;
        }
        String s = string(t, key, null);
        if (s != null && s.isBlank()) {
            problem(t, key, "must not be empty");
            return null;
        }
        return s;
    }

    public long integer(Table t, String key, long dflt, long min, long max) {
        Object v = t.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Long l)) {
            problem(t, key, "expected an integer, found " + show(v));
            return dflt;
        }
        if (l < min || l > max) {
            problem(t, key, l + " is out of range " + min + ".." + max);
            return dflt;
        }
        return l;
    }

    public boolean bool(Table t, String key, boolean dflt) {
        Object v = t.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        problem(t, key, "expected true or false, found " + show(v));
        return dflt;
    }

    /** One of {@code choices} (lower case in the file). */
    public String choice(Table t, String key, String dflt, String... choices) {
        String s = string(t, key, dflt);
        if (s == null) {
            return null;
        }
        for (String c : choices) {
            if (c.equals(s)) {
                return s;
            }
        }
        problem(t, key, "'" + s + "' is not one of " + String.join(", ", choices));
        return dflt;
    }

    public MacAddress mac(Table t, String key) {
        String s = string(t, key, null);
        if (s == null) {
            return null;
        }
        try {
            return MacAddress.parse(s);
        } catch (IllegalArgumentException e) {
            problem(t, key, "bad MAC address '" + s + "' (write aa:bb:cc:dd:ee:ff)");
            return null;
        }
    }

    public List<String> strings(Table t, String key) {
        Object v = t.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof List<?> l && l.stream().allMatch(String.class::isInstance)) {
            return l.stream().map(String.class::cast).toList();
        }
        problem(t, key, "expected a list of quoted strings, found " + show(v));
        return null;
    }

    /** A list of integers ({@code [5000, 5001]}), or null when the key is absent. */
    public List<Long> longs(Table t, String key) {
        Object v = t.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Long n) {
            return List.of(n);
        }
        if (v instanceof List<?> l && l.stream().allMatch(Long.class::isInstance)) {
            return l.stream().map(Long.class::cast).toList();
        }
        problem(t, key, "expected a list of integers, found " + show(v));
        return null;
    }

    /**
     * VID ranges: {@code "2-1000, 2000-2100"} (a string) or {@code ["2-1000", "2000"]}; each VID 1..4094;
     * ranges must not overlap.
     */
    public BitSet tags(Table t, String key, BitSet dflt) {
        List<String> parts = strings(t, key);
        if (parts == null) {
            return dflt;
        }
        BitSet out = new BitSet(4096);
        List<int[]> ranges = new ArrayList<>();
        for (String part : parts) {
            for (String r : part.split(",", -1)) { // every piece, empty ones (a trailing comma) skipped below
                String s = r.strip();
                if (s.isEmpty()) {
                    continue;
                }
                int[] range = range(s);
                if (range == null) {
                    problem(t, key, "bad tag range '" + s + "' (write FIRST-LAST or VID, VIDs 1..4094, FIRST <= LAST)");
                    return dflt;
                }
                for (int[] o : ranges) {
                    if (range[0] <= o[1] && o[0] <= range[1]) {
                        problem(t, key, "tag ranges overlap: " + text(range) + " and " + text(o));
                        return dflt;
                    }
                }
                ranges.add(range);
                out.set(range[0], range[1] + 1);
            }
        }
        if (out.isEmpty()) {
            problem(t, key, "the tag pool is empty");
            return dflt;
        }
        return out;
    }

    public static String text(int[] r) {
        return r[0] == r[1] ? String.valueOf(r[0]) : r[0] + "-" + r[1];
    }

    private static int[] range(String s) {
        try {
            int dash = s.indexOf('-');
            int a = Integer.parseInt((dash < 0 ? s : s.substring(0, dash)).strip());
            int b = dash < 0 ? a : Integer.parseInt(s.substring(dash + 1).strip());
            return a >= 1 && b <= 4094 && a <= b ? new int[] {a, b} : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** "HOST:PORT" as the configuration writes it ("[::1]:7480" for IPv6). */
    public static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** A literal "IPv4:PORT", "[IPv6]:PORT" or "localhost:PORT" (no name lookup), or null. */
    public static InetSocketAddress socketAddress(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            return null;
        }
        String host = s.substring(0, colon);
        String port = s.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
            return null;
        }
        java.net.InetAddress ip;
        if (host.equals("localhost")) {
            ip = java.net.InetAddress.getLoopbackAddress();
        } else if (host.startsWith("[") && host.endsWith("]")) {
            ip = IpLiteral.parse(host.substring(1, host.length() - 1));
            if (!(ip instanceof java.net.Inet6Address)) {
                return null;
            }
        } else {
            ip = IpLiteral.parse(host);
            if (!(ip instanceof java.net.Inet4Address)) {
                return null;
            }
        }
        return new InetSocketAddress(ip, Integer.parseInt(port));
    }

    /**
     * A file named in the configuration: relative to the configuration file's directory; null, and a
     * problem, when the text is no path (REL-5: a NUL character in it threw InvalidPathException).
     */
    public Path relative(Table t, String key, String name) {
        Path base = file.path().toAbsolutePath().getParent();
        try {
            return base == null ? Path.of(name) : base.resolve(name);
        } catch (InvalidPathException e) {
            problem(t, key, "not a file name (" + e.getReason() + ")");
            return null;
        }
    }

    /** "0a534e" or 0x0a534e: 24 bits. */
    public int oui(Table t, String key, int dflt) {
        Object v = t.get(key);
        if (v == null) {
            return dflt;
        }
        long value;
        if (v instanceof Long l) {
            value = l;
        } else if (v instanceof String s && s.replace(":", "").replace("-", "").matches("[0-9a-fA-F]{6}")) {
            value = Long.parseLong(s.replace(":", "").replace("-", ""), 16);
        } else {
            problem(t, key, "an OUI is 6 hex digits, e.g. \"0a534e\"; found " + show(v));
            return dflt;
        }
        if (value < 0 || value > 0xFFFFFF) {
            problem(t, key, "an OUI is 24 bits");
            return dflt;
        }
        return (int) value;
    }

    public static String show(Object v) {
        return switch (v) {
            case String s -> "\"" + s + "\"";
            case List<?> l -> "a list";
            case Table t -> "a table";
            case Double d -> d.isNaN() ? "nan" : d.isInfinite() ? (d > 0 ? "inf" : "-inf") : d + " (a float)";
            case java.time.temporal.Temporal d -> d + " (a date or time)";
            default -> String.valueOf(v);
        };
    }

    /** Reports a duplicate name among tables (e.g. two [[uplink]] named the same). */
    public void unique(Map<String, Table> seen, Table t, String key, String value, String what) {
        if (value == null) {
            return;
        }
        Table first = seen.putIfAbsent(value, t);
        if (first != null) {
            problem(t, key, "duplicate " + what + " '" + value + "' (first on line " + first.lineOf(key) + ")");
        }
    }
}
