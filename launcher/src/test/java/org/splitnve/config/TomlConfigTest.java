package org.splitnve.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.splitnve.cli.CliRun;
import org.splitnve.daemon.config.NnveSettings;
import org.splitnve.daemon.config.TnveSettings;

/**
 * The daemons' configuration files are TOML 1.0 (docs/configuration.md): every form of TOML 1.0 the
 * configuration can use reads as the plain {@code key = "value"} lines it stands for; what is not TOML
 * is refused with FILE:LINE; the schema's strictness (unknown sections and keys, wrong types, each
 * with its line, every mistake listed) holds whatever the form; and {@code splitnve nnve --config}
 * exits with status 2, nothing started (SEC-4, OPS-4).
 */
@DisplayName("the configuration files are TOML 1.0")
class TomlConfigTest {
    @TempDir
    Path dir;

    /** The smallest nNVE file: the name and one port. */
    static final String NNVE = "[nnve]\nname = \"n1\"\n[[port]]\ninterface = \"p0\"\n";

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /**
     * Each TOML 1.0 form: a file written with it, and the same file as the hand-written parser's subset
     * wrote it (plain tables, one key a line, basic strings, decimal integers, one-line arrays). Each
     * plain file sets a value that is not the default, so the two can only be equal if the form was read.
     */
    static Stream<Arguments> nnveForms() {
        return Stream.of(
            arguments("a literal string ('...', backslashes are plain)",
                "[nnve]\nname = 'rack\\n1'\n[[port]]\ninterface = 'p0'\n",
                "[nnve]\nname = \"rack\\\\n1\"\n[[port]]\ninterface = \"p0\"\n"),
            arguments("a multi-line basic string, its first newline dropped and a line-ending backslash joining lines",
                "[nnve]\nname = \"\"\"\nrack-\\\n     1\"\"\"\n[[port]]\ninterface = \"p0\"\n",
                "[nnve]\nname = \"rack-1\"\n[[port]]\ninterface = \"p0\"\n"),
            arguments("a multi-line literal string",
                NNVE + "tags = '''\n2-1000, 2000-2100'''\n",
                NNVE + "tags = \"2-1000, 2000-2100\"\n"),
            arguments("a multi-line array with comments and a trailing comma",
                NNVE + "tags = [\n  \"2-1000\",     # the first range\n  \"2000-2100\",  # and the second\n]\n",
                NNVE + "tags = [\"2-1000\", \"2000-2100\"]\n"),
            arguments("escapes: \\u, \\U, \\t, \\\"",
                NNVE + "[[nva.vn]]\nid = 7\nalias = \"caf\\u00e9 \\U0001F600\\t\\\"a\\\"\"\nvni = 1\n",
                NNVE + "[[nva.vn]]\nid = 7\nalias = \"café 😀\\t\\\"a\\\"\"\nvni = 1\n"),
            arguments("an inline table",
                NNVE.replace("[nnve]", "timers = { retries = 2, rte = 15 }\n[nnve]"),
                NNVE + "[timers]\nretries = 2\nrte = 15\n"),
            arguments("dotted keys",
                "nnve.name = \"n1\"\nlldp.interval = 10\nlldp.ttl = 60\n[[port]]\ninterface = \"p0\"\n",
                NNVE + "[lldp]\ninterval = 10\nttl = 60\n"),
            arguments("an inline array of tables, also in a section",
                """
                port = [ { interface = "p0", scope = "r" },
                         { interface = "p1", scope = "r" } ]
                [nnve]
                name = "n1"
                [nva]
                vn = [{ id = 7, alias = "a", vni = 1 }]
                """,
                """
                [nnve]
                name = "n1"
                [[port]]
                interface = "p0"
                scope = "r"
                [[port]]
                interface = "p1"
                scope = "r"
                [[nva.vn]]
                id = 7
                alias = "a"
                vni = 1
                """),
            arguments("quoted keys, and whitespace around the dots of a header",
                "[\"nnve\"]\n\"name\" = \"n1\"\n[[ port ]]\n'interface' = \"p0\"\n[[ nva . vn ]]\nid = 7\nalias = \"a\"\nvni = 1\n",
                NNVE + "[[nva.vn]]\nid = 7\nalias = \"a\"\nvni = 1\n"),
            arguments("integers: hexadecimal, octal, binary, underscores between digits, a plus sign",
                NNVE + "[[nva.vn]]\nid = 0xBEEF\nalias = \"a\"\nvni = 0o17\n[timers]\nretries = +5\n"
                    + "[limits]\ntsis_per_peer = 50_000\naddresses_per_tsi = 0b1000\n",
                NNVE + "[[nva.vn]]\nid = 48879\nalias = \"a\"\nvni = 15\n[timers]\nretries = 5\n"
                    + "[limits]\ntsis_per_peer = 50000\naddresses_per_tsi = 8\n"),
            arguments("a byte order mark and CRLF line ends",
                "\uFEFF" + NNVE.replace("\n", "\r\n") + "[lldp]\r\nttl = 7\r\n",
                NNVE + "[lldp]\nttl = 7\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nnveForms")
    @DisplayName("every TOML 1.0 form reads as the plain lines it stands for (nNVE)")
    void nnveForm(String form, String toml, String plain) throws Exception {
        NnveSettings read = NnveSettings.load(write("form.conf", toml));
        assertThat(read).isEqualTo(NnveSettings.load(write("plain.conf", plain)));
    }

    @Test
    @DisplayName("every TOML 1.0 form reads as the plain lines it stands for (tNVE: inline arrays of tables, "
            + "a multi-line array of literal strings, dotted keys)")
    void tnveForms() throws Exception {
        TnveSettings read = TnveSettings.load(write("t-form.conf", """
                tnve = { name = 'h1' }
                uplink = [
                    { name = 'a', interface = 'e0', nnve = '02:00:00:00:00:01' },
                    { name = 'b', interface = 'e1', filter = 'vid' },
                ]
                state.dir = 'st'
                [[placement]]
                vn = 5000
                mode = "active-active"
                uplinks = [
                    'b',
                    'a',
                ]
                """));
        TnveSettings plain = TnveSettings.load(write("t-plain.conf", """
                [tnve]
                name = "h1"
                [[uplink]]
                name = "a"
                interface = "e0"
                nnve = "02:00:00:00:00:01"
                [[uplink]]
                name = "b"
                interface = "e1"
                filter = "vid"
                [[placement]]
                vn = 5000
                mode = "active-active"
                uplinks = ["b", "a"]
                [state]
                dir = "st"
                """));
        assertThat(read).isEqualTo(plain);
        assertThat(read.placements().get(5000L).uplinks()).containsExactly("b", "a");
    }

    @Test
    @DisplayName("the TOML example of docs/configuration.md is a whole nNVE configuration, read as it says")
    void documentedExample() throws Exception {
        String doc = Files.readString(Path.of("../docs/configuration.md"));
        int start = doc.indexOf("```toml\n") + "```toml\n".length();
        NnveSettings s = NnveSettings.load(write("doc.conf", doc.substring(start, doc.indexOf("```", start))));
        assertThat(s.name()).isEqualTo("rack-1");
        assertThat(s.lldp().intervalSeconds()).isEqualTo(10);
        assertThat(s.ports()).extracting(NnveSettings.PortSettings::iface).containsExactly("p0", "p1");
        assertThat(s.ports().get(1).tags().cardinality()).isEqualTo(99);
        assertThat(s.vns()).singleElement().satisfies(v -> {
            assertThat(v.id()).isEqualTo(5000);
            assertThat(v.alias()).isEqualTo("tenant-a");
            assertThat(v.context()).isEqualTo(10_500);
        });
    }

    @Test
    @DisplayName("SEC-4: a tNVE's [[auth.key]] makes a table auth that is no section of its own: a key in it (an "
            + "nNVE's [auth] allow_unauthenticated) is an unknown key on its line")
    void tableHoldingSections() throws Exception {
        Files.writeString(dir.resolve("k.key"), "ab".repeat(32) + "\n");
        String t = "[tnve]\nname = \"h1\"\n[[uplink]]\nname = \"a\"\ninterface = \"e0\"\nnnve = \"02:00:00:00:00:01\"\n";
        String key = "[[auth.key]]\nuplink = \"a\"\nid = 1\nfile = \"k.key\"\n";
        assertThat(TnveSettings.load(write("t.conf", t + key)).keys()).singleElement()
                .satisfies(k -> assertThat(k.id()).isEqualTo(1));
        assertThat(TnveSettings.load(write("t2.conf", t + "auth.key = [{ uplink = 'a', id = 2, file = 'k.key' }]\n"
                .replace("auth.key", "[auth]\nkey"))).keys()).singleElement().satisfies(k -> assertThat(k.id()).isEqualTo(2));
        assertThatThrownBy(() -> TnveSettings.load(write("t3.conf", t + "[auth]\nallow_unauthenticated = false\n" + key)))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactly(
                        dir.resolve("t3.conf") + ":8: [auth] allow_unauthenticated: unknown key ([auth] holds sections only)"));
    }

    @Test
    @DisplayName("SEC-4: an empty array where a list of sections goes is an empty list: vn = [] is no [[nva.vn]], "
            + "port = [] is no [[port]] (an error of the nNVE: it needs one)")
    void emptyListOfSections() throws Exception {
        assertThat(NnveSettings.load(write("e.conf", NNVE + "[nva]\nvn = []\n")))
                .isEqualTo(NnveSettings.load(write("p.conf", NNVE)));
        assertThatThrownBy(() -> NnveSettings.load(write("e2.conf", "port = []\n[nnve]\nname = \"n1\"\n")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly(dir.resolve("e2.conf") + ": no [[port]]: the nNVE needs at least one port"));
    }

    /** Runs {@code splitnve nnve --config FILE} as typed: its status and stderr. */
    private static CliRun.Result nnve(Path config) {
        return new CliRun().run("nnve", "--config", config.toString());
    }

    @Test
    @DisplayName("SEC-4, OPS-4: unknown keys and sections, and wrong types, are errors on their lines in every TOML "
            + "form (dotted keys, inline tables, an inline array of tables over several lines, each element on its "
            + "line); every one is listed; "
            + "`splitnve nnve --config` exits with status 2, nothing started")
    void schemaMistakesInEveryForm() throws Exception {
        Path p = write("mistakes.conf", """
                nnve.name = "n1"
                nnve.bogus = 1
                port = [
                  { interface = "p0" },
                  { interface = "p1", colour = "red" },
                  { scope = "s" },
                ]
                timers = { retries = 3, rte = 1.5 }
                [lldp]
                interval = 1979-05-27
                ttl = { seconds = 1 }
                [nva.vns]
                id = 1
                [[foo]]
                [api]
                listen = 'off'
                host_names = [["a"]]
                [nva]
                vn = 5
                """);
        CliRun.Result r = nnve(p);
        assertThat(r.status()).as("%s", r).isEqualTo(2);
        String f = p.toString();
        assertThat(r.err()).contains(
                f + ":2: [nnve] bogus: unknown key (known in [nnve]: name, extension_oui)",
                f + ":5: [[port]] colour: unknown key",
                f + ":6: [[port]] missing required key 'interface'",
                f + ":8: [timers] rte: expected an integer, found 1.5 (a float)",
                f + ":10: [lldp] interval: expected an integer, found 1979-05-27 (a date or time)",
                f + ":11: [lldp] ttl: expected an integer, found a table",
                f + ":12: [nva.vns] unknown section [nva.vns] (known: [api], [auth]",
                f + ":14: [[foo]] unknown section [[foo]]",
                f + ":17: [api] host_names: expected a list of quoted strings, found a list",
                f + ":19: [nva] vn: a section, not a value: write [[nva.vn]] and its keys below it",
                "10 configuration errors; nothing started");
    }

    /** Files that are not TOML 1.0, each with the line of its mistake; those marked (*) the old reader took. */
    static Stream<Arguments> notToml() {
        String base = NNVE + "[limits]\n"; // lines 1-5; the mistake is on line 6
        return Stream.of(
            arguments("(*) underscores not between digits", base + "tsis_per_peer = 1__000\n", 6),
            arguments("(*) a leading underscore", base + "tsis_per_peer = _1000\n", 6),
            arguments("(*) a 0X prefix", base + "tsis_per_peer = 0X1F\n", 6),
            arguments("(*) leading zeros", base + "tsis_per_peer = 007\n", 6),
            arguments("(*) a sign after 0x", base + "tsis_per_peer = 0x-5\n", 6),
            arguments("(*) a raw NUL in a string", NNVE + "[api]\ntoken_file = \"a\u0000b\"\n", 6),
            arguments("(*) a raw DEL in a string", NNVE + "[api]\ntoken_file = \"a\u007Fb\"\n", 6),
            arguments("(*) a control character in a comment", NNVE + "[lldp] # \u0001\n", 5),
            arguments("(*) a carriage return without a line feed", NNVE + "[lldp]\rinterval = 5\n", 5),
            arguments("(*) a Unicode space that is not a space or a tab", NNVE + "[lldp]\n\u2003interval = 5\n", 6),
            arguments("a key twice", NNVE + "interface = \"p1\"\n", 5),
            arguments("a table twice", NNVE + "[lldp]\nttl = 1\n[lldp]\nttl = 2\n", 7),
            arguments("a header extending an inline table", "lldp = { ttl = 1 }\n" + NNVE + "[lldp]\ninterval = 5\n", 6),
            arguments("[[port]] after a static array port = [...]", """
                    port = [{ interface = "p0" }]
                    [nnve]
                    name = "n1"
                    [[port]]
                    interface = "p1"
                    """, 4),
            arguments("a key without a value", NNVE + "[lldp]\ninterval =\n", 6),
            arguments("an unquoted string", NNVE + "[log]\nlevel = debug\n", 6),
            arguments("an unterminated string", NNVE + "[log]\nlevel = \"debug\n", 6),
            arguments("an unknown escape", NNVE + "[log]\nlevel = \"\\q\"\n", 6),
            arguments("\\u without four hex digits (tomlj asserted, with -ea: ConfigFuzzTest's finding)",
                    NNVE + "[api]\ntoken_file = \"a\\u:34:56\"\n", 6),
            arguments("a bad escape in a quoted key of a [table] header (tomlj threw it: ConfigFuzzTest's finding)",
                    NNVE + "[\"lldp\\q\"]\n", 5),
            arguments("a bad escape in a quoted key of a [[table]] header", NNVE + "[[\"port\\q\"]]\n", 5),
            arguments("a float without digits after the point", base + "tsis_per_peer = 1.\n", 6),
            arguments("arrays nested deeper than " + ConfFile.MAX_NESTING, NNVE + "[api]\nhost_names = "
                    + "[".repeat(10_000) + "\n", 6));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notToml")
    @DisplayName("SEC-4, OPS-4: what is not TOML 1.0 is refused with FILE:LINE: column N:, exit status 2, nothing started")
    void notTomlIsRefused(String what, String text, int line) throws Exception {
        Path p = write("bad.conf", text);
        CliRun.Result r = nnve(p);
        assertThat(r.status()).as("%s", r).isEqualTo(2);
        assertThat(r.err()).as("%s", r).contains(p + ":" + line + ": column ").contains("nothing started");
    }

    @Test
    @DisplayName("SEC-4: several syntax errors are all listed, each with its line and column")
    void severalSyntaxErrors() throws Exception {
        Path p = write("two.conf", "[nnve]\nname = \"n1\" extra\n[[port]]\ninterface = 'p0\n[timers]\nrte = 1.\n");
        CliRun.Result r = nnve(p);
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains(
                p + ":2: column 13: Unexpected 'extra', expected a newline or end-of-input",
                p + ":4: column 16: Unexpected end of line, expected '",
                p + ":6: column 8: Unexpected '.', expected a newline or end-of-input",
                "3 configuration errors; nothing started");
    }

    @Test
    @DisplayName("REL-5, SEC-4: arrays and inline tables nested " + ConfFile.MAX_NESTING + " deep parse, deeper ones "
            + "are a syntax error on their line (the recursive parser would run out of stack), brackets in strings "
            + "and comments do not count")
    void nesting() throws Exception {
        int max = ConfFile.MAX_NESTING;
        Path conf = Path.of("n.conf");
        assertThat(ConfFile.parse(conf, "x = " + "[".repeat(max) + "1" + "]".repeat(max) + "\n").tables()).hasSize(1);
        assertThat(ConfFile.parse(conf, "x = " + "[{a = ".repeat(max / 2) + "1" + "}]".repeat(max / 2) + "\n")
                .tables()).hasSize(1 + max / 2);
        String text = "# " + "[".repeat(1000) + "\nx = ['" + "[{".repeat(1000) + "', \"\"\"\n" + "[".repeat(1000) + "\"\"\"]\n";
        assertThat(ConfFile.parse(conf, text).tables().getFirst().get("x")).isInstanceOf(List.class);
        for (String deep : List.of("[".repeat(max + 1), "{a = ".repeat(max + 1), "[{a=".repeat(100_000))) {
            assertThatThrownBy(() -> ConfFile.parse(conf, "\n\ny = " + deep + "\n"))
                    .isInstanceOfSatisfying(ConfFile.SyntaxError.class, e -> {
                        assertThat(e.line).isEqualTo(3);
                        assertThat(e.getMessage()).contains("nested more than " + max + " deep");
                    });
        }
    }

    @Test
    @DisplayName("SEC-4: more than " + ConfFile.SyntaxError.LISTED + " syntax errors: the first are listed, then how many more")
    void manySyntaxErrors() {
        List<ConfFile.SyntaxError.Mistake> all = new ArrayList<>();
        for (int i = 1; i <= 25; i++) {
            all.add(new ConfFile.SyntaxError.Mistake(i, 1, "bad"));
        }
        List<String> problems = new ConfFile.SyntaxError(all).problems(Path.of("f.conf"));
        assertThat(problems).hasSize(ConfFile.SyntaxError.LISTED + 1)
                .startsWith("f.conf:1: column 1: bad")
                .endsWith("f.conf:21: and 5 more syntax errors from here on");
    }
}
