package org.splitnve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13 (pauses): the JVM options both launchers give each command: the repository's {@code ./splitnve} and the
 * Debian package's {@code /usr/bin/splitnve} (which the systemd units run). The daemons and the demo run with
 * generational ZGC (BENCHMARKS.md, "Pauses: which collector": G1's pauses of 100-600 ms on a loaded 2-CPU machine
 * exceeded a peer's acknowledgement timer; ZGC's stayed under about 5 ms); CLI calls with the serial GC and the
 * quick compiler. Both scripts print their command line with {@code SPLITNVE_DRY_RUN=1}.
 */
class LauncherScriptTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();

    private static String dryRun(String shell, Path script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(shell, script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("SPLITNVE_DRY_RUN", "1");
        pb.environment().remove("SPLITNVE_JAVA_OPTS");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finished", script).isTrue();
        assertThat(p.exitValue()).as("%s: %s", script, out).isZero();
        return out.strip();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nnve", "tnve", "nva", "demo"})
    @DisplayName("issue 13 (pauses): the daemons and the demo run with ZGC, from the repository's launcher and from the "
            + "Debian package's (the systemd units')")
    void daemonsRunWithZgc(String command) throws Exception {
        for (String out : List.of(dryRun("bash", ROOT.resolve("splitnve"), command, "--config", "x.conf"),
                dryRun("sh", ROOT.resolve("packaging/deb/splitnve"), command, "--config", "x.conf"))) {
            assertThat(out).contains(" -XX:+UseZGC ").doesNotContain("UseSerialGC").doesNotContain("TieredStopAtLevel")
                    .endsWith(" " + command + " --config x.conf");
        }
        if (command.equals("nnve") || command.equals("tnve")) {
            assertThat(Files.readString(ROOT.resolve("contrib/systemd/splitnve-" + command + "@.service")))
                    .as("the unit runs the packaged launcher").contains("ExecStart=/usr/bin/splitnve " + command + " ");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vm", "show", "nnve-status-of-nothing"})
    @DisplayName("issue 13 (pauses): a CLI call runs with the serial GC and the quick compiler (it is short)")
    void cliCallsRunWithSerialGc(String command) throws Exception {
        for (String out : List.of(dryRun("bash", ROOT.resolve("splitnve"), command, "list"),
                dryRun("sh", ROOT.resolve("packaging/deb/splitnve"), command, "list"))) {
            assertThat(out).contains(" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 ").doesNotContain("UseZGC");
        }
    }
}
