package org.splitnve.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.cli.CliRun;
import org.splitnve.cli.Io;
import picocli.CommandLine;

/**
 * The command line's manners (issue 9): help on standard output with status 0 for every command of the model
 * (read from the model, so that a new command cannot lack it), the version, suggestions for mistyped commands
 * and options, usage errors as one line and a pointer to the help, and the completion script the build makes.
 */
class CommandLineTest {
    private final CliRun cli = new CliRun();

    /** Every command and operation of the model, as the words that name it (the root: none), hidden ones left out. */
    static List<List<String>> everyCommand() {
        Io io = new Io(new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()),
                InputStream.nullInputStream(), Map.of());
        List<List<String>> out = new ArrayList<>();
        walk(Splitnve.commandLine(io), new ArrayList<>(), out);
        return out;
    }

    private static void walk(CommandLine c, List<String> words, List<List<String>> out) {
        if (c.getCommandSpec().usageMessage().hidden()) {
            return;
        }
        out.add(List.copyOf(words));
        c.getSubcommands().forEach((name, sub) -> {
            if (name.equals(sub.getCommandName())) {
                List<String> w = new ArrayList<>(words);
                w.add(name);
                walk(sub, w, out);
            }
        });
    }

    @Test
    @DisplayName("--help and -h: every command and operation of the model prints its usage on stdout, nothing on stderr, exit 0")
    void helpEverywhere() {
        List<List<String>> all = everyCommand();
        assertThat(all).as("the model holds the daemons, the operating commands and their operations")
                .contains(List.of("nnve"), List.of("tnve"), List.of("vm", "create"), List.of("vm", "migrate"),
                        List.of("show", "tsi"), List.of("tsi", "deactivate"), List.of("tsi", "deassociate"),
                        List.of("watch"), List.of("libvirt-hook"), List.of("decode"), List.of("demo"));
        for (List<String> words : all) {
            for (String flag : List.of("--help", "-h")) {
                List<String> argv = new ArrayList<>(words);
                argv.add(flag);
                CliRun.Result r = cli.run(argv.toArray(String[]::new));
                String name = String.join(" ", words);
                assertThat(r.status()).as("splitnve %s %s: %s", name, flag, r).isZero();
                assertThat(r.err()).as("splitnve %s %s", name, flag).isEmpty();
                assertThat(r.out()).as("splitnve %s %s", name, flag)
                        .startsWith("usage: splitnve" + (words.isEmpty() ? "" : " " + name))
                        .contains("-h, --help");
            }
        }
        assertThat(cli.run("help", "vm").out()).startsWith("usage: splitnve vm ").contains("migrate");
    }

    @Test
    @DisplayName("--version prints the version the build filled in and the Java runtime, exit 0")
    void version() {
        CliRun.Result r = cli.run("--version");
        assertThat(r.status()).isZero();
        assertThat(r.out()).matches("splitnve \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\nJava 25[^\\n]*\\n");
        assertThat(cli.run("-V").out()).isEqualTo(r.out());
    }

    @Test
    @DisplayName("a mistyped command, operation or option: exit 2, 'did you mean' the close ones, and the help to read")
    void didYouMean() {
        CliRun.Result r = cli.run("vm", "strat", "web1");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("splitnve: unknown vm operation 'strat'; did you mean start?\nsee `splitnve vm --help`\n");
        assertThat(cli.run("wtach").err()).isEqualTo("""
                splitnve: unknown command 'wtach'; did you mean watch?
                see `splitnve --help`
                """);
        assertThat(cli.run("vm", "list", "--jsno").err()).isEqualTo("""
                splitnve: unknown option '--jsno'; did you mean --json?
                see `splitnve vm list --help`
                """);
        assertThat(cli.run("show", "tsis", "--vnn=5000").err()).startsWith("splitnve: unknown option '--vnn'; did you mean --vn?\n");
        assertThat(cli.run("show", "tsi").err()).isEqualTo("""
                splitnve: missing required parameter: 'ID|MAC'
                see `splitnve show tsi --help`
                """);
        // nothing close: the choices instead
        assertThat(cli.run("show", "everything").err()).startsWith("splitnve: unknown show operation 'everything' (flows, peers,");
        assertThat(Splitnve.suggestions("--endpiont", List.of("--endpoint", "--api", "--json"))).containsExactly("--endpoint");
        assertThat(Splitnve.suggestions("mig", List.of("migrate", "list"))).containsExactly("migrate");
        assertThat(Splitnve.suggestions("frobnicate", List.of("migrate", "list"))).isEmpty();
    }

    @Test
    @DisplayName("usage mistakes, from the parser or from a command's checks: one line saying what, one naming the help; exit 2")
    void oneLineUsageErrors() {
        for (String[] argv : List.of(new String[] {"nnve"}, new String[] {"nnve", "--config"}, new String[] {"vm"},
                new String[] {"vm", "start"}, new String[] {"vm", "create", "w", "--vn", "5000"},
                new String[] {"vm", "create", "w", "--vn", "x", "--mac", "52:54:00:00:00:01"},
                new String[] {"tsi", "deactivate", "nonsense"}, new String[] {"watch", "--count", "0"},
                new String[] {"demo", "--step-delay", "soon"}, new String[] {"decode", "--oui", "zz"}, new String[0])) {
            CliRun.Result r = cli.run(argv);
            assertThat(r.status()).as("%s: %s", List.of(argv), r).isEqualTo(2);
            assertThat(r.out()).as("%s", List.of(argv)).isEmpty();
            List<String> lines = r.err().lines().toList();
            assertThat(lines).as("%s", List.of(argv)).hasSize(2);
            assertThat(lines.get(0)).startsWith("splitnve: ");
            assertThat(lines.get(1)).matches("see `splitnve[a-z -]*--help`");
        }
        assertThat(cli.run("vm", "create", "w", "--vn", "x", "--mac", "52:54:00:00:00:01").err())
                .isEqualTo("splitnve: --vn takes a VN ID (a number from 0 to 4294967295), not 'x'\nsee `splitnve vm create --help`\n");
    }

    @Test
    @DisplayName("the bash completion script the build generated from the model: shipped in the jar, printed by "
            + "`splitnve completion`, and bash completes operations and options with it")
    void completion(@TempDir Path dir) throws Exception {
        String script;
        try (InputStream in = Splitnve.class.getResourceAsStream(Splitnve.COMPLETION_RESOURCE)) {
            assertThat(in).as("the build writes %s into the classes", Splitnve.COMPLETION_RESOURCE).isNotNull();
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (List<String> words : everyCommand()) {
            assertThat(script).as("a completion function for %s", words)
                    .contains("function _picocli_splitnve" + String.join("", words.stream().map(w -> "_" + w.replace("-", ""))
                            .toList()) + "() {");
        }
        assertThat(cli.run("completion").out()).isEqualTo(script);
        Path file = Files.writeString(dir.resolve("splitnve.bash"), script);
        assertThat(complete(file, "splitnve vm mi")).isEqualTo("migrate");
        assertThat(complete(file, "splitnve tsi dea")).isEqualTo("deactivate deassociate");
        assertThat(complete(file, "splitnve show tsis --v")).isEqualTo("--vn");
    }

    /** What bash's completion offers for a command line (the last word being completed). */
    private static String complete(Path script, String line) throws Exception {
        String[] words = line.split(" ", -1); // a trailing space would start a new (empty) word, as in bash
        String bash = "source '" + script + "' 2>/dev/null; COMP_LINE='" + line + "'; COMP_WORDS=(" + line + "); COMP_CWORD="
                + (words.length - 1) + "; _complete_splitnve 2>/dev/null; echo \"${COMPREPLY[*]}\"";
        Process p = new ProcessBuilder("bash", "-c", bash).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    // from ConfigValidationTest (daemon/src/test), which cannot run the command line: the launcher is above it
    @Test
    @DisplayName("usage: nnve without --config is a usage error (status 2)")
    void usage() {
        assertThat(org.splitnve.launcher.MainAccess.run("nnve")).isEqualTo(2);
        assertThat(org.splitnve.launcher.MainAccess.run("tnve", "--config")).isEqualTo(2);
    }
}
