package org.splitnve.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The daemon module's packages depend on each other one way only (issue 9: the architecture the folders show).
 * {@code org.splitnve.daemon} (the daemons) uses its subpackages ({@code .config}, {@code .log}, {@code .http},
 * {@code .metrics}, {@code .state}); no subpackage uses the package above it (the HTTP API reaches a daemon through
 * {@code NnveApi.Backend} / {@code TnveApi.Backend}, which the daemons implement), and the subpackages form no
 * cycle among themselves. Read from the sources (src/main/java): what a class imports, and the fully qualified
 * names in its code (comments and string literals left out).
 */
@DisplayName("the daemon module's packages: dependencies point down only, no cycle")
class PackageDependencyTest {
    private static final String TOP = "org.splitnve.daemon";
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    /** A reference to a class of this module: its package is what comes before the first capitalised name. */
    private static final Pattern REFERENCE = Pattern.compile("\\b(org\\.splitnve\\.daemon(?:\\.[a-z]\\w*)*)\\.[A-Z]");

    /** Package to the packages of this module it refers to (itself left out), and one file saying why. */
    private static final Map<String, Map<String, String>> USES = new TreeMap<>();

    @BeforeAll
    static void read() throws IOException {
        Path root = Path.of("src/main/java");
        assertThat(root.resolve("org/splitnve/daemon")).as("run from the daemon module's directory").isDirectory();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                read(f);
            }
        }
    }

    private static void read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher p = PACKAGE.matcher(text);
        assertThat(p.find()).as("%s has a package declaration", file).isTrue();
        String from = p.group(1);
        Map<String, String> uses = USES.computeIfAbsent(from, k -> new TreeMap<>());
        Matcher r = REFERENCE.matcher(code(text.substring(p.end())));
        while (r.find()) {
            String to = r.group(1);
            if (!to.equals(from)) {
                uses.putIfAbsent(to, file.getFileName().toString());
            }
        }
    }

    /** The text without comments, string literals, text blocks and character literals. */
    static String code(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("\"\"\"", i)) {
                i = s.indexOf("\"\"\"", i + 3) + 3;
                out.append(' ');
            } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
                char q = s.charAt(i++);
                while (s.charAt(i) != q) {
                    i += s.charAt(i) == '\\' ? 2 : 1;
                }
                i++;
                out.append(' ');
            } else if (s.startsWith("//", i)) {
                int end = s.indexOf('\n', i);
                i = end < 0 ? s.length() : end;
            } else if (s.startsWith("/*", i)) {
                i = s.indexOf("*/", i + 2) + 2;
                out.append(' ');
            } else {
                out.append(s.charAt(i++));
            }
        }
        return out.toString();
    }

    @Test
    @DisplayName("the sources were read: the daemons use every subpackage (a reader that finds nothing proves nothing)")
    void daemonsUseTheirSubpackages() {
        assertThat(USES.get(TOP)).containsKeys(TOP + ".config", TOP + ".log", TOP + ".http", TOP + ".metrics",
                TOP + ".state");
    }

    @Test
    @DisplayName("no subpackage (.http, .config, .log, .metrics, .state) uses org.splitnve.daemon: the daemons are"
            + " handed to the API as NnveApi.Backend / TnveApi.Backend, never named by it")
    void subpackagesDoNotUseTheDaemons() {
        List<String> upward = new ArrayList<>();
        USES.forEach((from, uses) -> uses.forEach((to, file) -> {
            if (from.startsWith(to + ".")) {
                upward.add(from + " -> " + to + " (" + file + ")");
            }
        }));
        assertThat(upward).as("references from a package to one above it").isEmpty();
    }

    @Test
    @DisplayName("the packages form no cycle")
    void noCycle() {
        List<String> cycles = new ArrayList<>();
        for (String start : USES.keySet()) {
            Deque<List<String>> paths = new ArrayDeque<>();
            paths.push(List.of(start));
            Set<String> seen = new TreeSet<>();
            while (!paths.isEmpty()) {
                List<String> path = paths.pop();
                String last = path.getLast();
                for (String next : USES.getOrDefault(last, Map.of()).keySet()) {
                    if (next.equals(start)) {
                        List<String> c = new ArrayList<>(path);
                        c.add(start);
                        cycles.add(String.join(" -> ", c));
                    } else if (seen.add(next)) {
                        List<String> longer = new ArrayList<>(path);
                        longer.add(next);
                        paths.push(longer);
                    }
                }
            }
        }
        assertThat(cycles).as("package cycles (each with the packages on it)").isEmpty();
    }
}
