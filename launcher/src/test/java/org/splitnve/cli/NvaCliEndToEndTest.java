package org.splitnve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.daemon.nva.NvaProcesses;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.http.HttpNvaLink;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * The NVA's operator command line end to end (NVA-1, NVA-8): a real {@code splitnve nva --config FILE} process (the
 * {@code splitnve} command, {@link Launcher}) on a temporary state file, and the operator's commands as a user types
 * them; an nNVE reports through {@link HttpNvaLink} with the token {@code nva nve add} printed.
 */
class NvaCliEndToEndTest {
    private final CliRun cli = new CliRun();

    private CliRun.Result run(int status, String... argv) {
        CliRun.Result r = cli.run(argv);
        assertThat(r.status()).as("splitnve %s%n%s", String.join(" ", argv), r).isEqualTo(status);
        return r;
    }

    @Test
    @DisplayName("NVA-1, NVA-8: splitnve nva as a process; nva vn create/list/show, nva nve add (its token printed), an nNVE's report with that token, splitnve where finds the address (nNVE, port, VN, state, mobility sequence), vn delete takes it away")
    void operatorCommandsAgainstTheDaemon(@TempDir Path dir) throws Exception {
        int port = NvaProcesses.freePort();
        Path config = dir.resolve("nva.toml");
        Files.writeString(config, """
                [nva]
                store = "state/nva.db"
                [api]
                listen = "127.0.0.1:%d"
                """.formatted(port));
        String nva = "http://127.0.0.1:" + port;
        URI base = URI.create(nva);
        Path out = dir.resolve("nva.out");
        Process p = new ProcessBuilder(Launcher.write(dir).toString(), "nva", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            NvaProcesses.awaitServing(base, null, p, out);
            assertThat(run(0, "nva", "vn", "create", "5000", "--alias", "blue", "--context", "5000", "--permit-any",
                    "--name", "6f1c2d3e-0000-4000-8000-000000005000", "--nva", nva).out())
                    .matches("VN 5000 \\(blue\\) created at revision \\d+\n");
            assertThat(run(0, "nva", "vn", "list", "--nva", nva).out()).isEqualTo("""
                    ID    ALIAS  CONTEXT  SERVICE  MODE     NAME
                    5000  blue   5000     l2       trusted  6f1c2d3e-0000-4000-8000-000000005000
                    """);
            assertThat(run(0, "nva", "vn", "show", "5000", "--nva", nva).out())
                    .contains("5000  blue   5000     l2       trusted  6f1c2d3e-0000-4000-8000-000000005000")
                    .endsWith("permits: 1, records: 0, mapping entries: 0\n");
            assertThat(run(1, "nva", "vn", "show", "5001", "--nva", nva).err()).contains("no VN 5001");

            String added = run(0, "nva", "nve", "add", "nnve-a", "--vtep", "192.0.2.1", "--nva", nva).out();
            Matcher m = Pattern.compile("nNVE nnve-a registered at revision \\d+\ntoken: ([A-Za-z0-9_-]{43})\n").matcher(added);
            assertThat(m.matches()).as(added).isTrue();
            String token = m.group(1);

            // the nNVE reports an activation with the token it was given
            TsiInstance in = new TsiInstance(VsiId.uuid(UUID.fromString("1b2c3d4e-0000-4000-8000-0000000000a1")),
                    NveId.of("nnve-a"), 3, 5000);
            try (HttpNvaLink link = new HttpNvaLink(base, token, null)) {
                Receipt r = link.report(Report.of(1, new ReportOp.Serve(Set.of(5000)), ReportOp.Bind.activated(in,
                        List.of(TsiAddress.mac(MacAddress.parse("52:54:00:6b:3c:01")), TsiAddress.parse("10.1.0.5")), 7)));
                assertThat(r.status()).isEqualTo(Receipt.Status.APPLIED);
                assertThat(r.results()).allMatch(Receipt.Result::applied);
            }
            String where = run(0, "where", "52:54:00:6b:3c:01", "--nva", nva).out();
            assertThat(where.lines().toList()).hasSize(2);
            // columns as wide as their widest cell: the TSI's UUID does not run into its state
            assertThat(where.lines().toList().get(0).split(" +")).containsExactly("NVE", "PORT", "VN", "TSI", "STATE",
                    "MOBILITY_SEQ", "SINCE");
            assertThat(where.lines().toList().get(1).split(" +")).startsWith("nnve-a", "3", "5000",
                    "1b2c3d4e-0000-4000-8000-0000000000a1", "forwarding", "7");
            assertThat(run(0, "where", "10.1.0.5", "--vn", "5000", "--nva", nva).out()).contains("nnve-a", "forwarding");
            assertThat(run(0, "nva", "vn", "show", "5000", "--nva", nva).out())
                    .endsWith("permits: 1, records: 0, mapping entries: 1\n");
            assertThat(run(0, "nva", "nve", "list", "--nva", nva).out()).contains("nnve-a", "192.0.2.1", "[5000]");

            assertThat(run(0, "nva", "vn", "delete", "5000", "--nva", nva).out())
                    .matches("VN 5000 removed at revision \\d+\n");
            assertThat(run(1, "where", "52:54:00:6b:3c:01", "--nva", nva).out())
                    .matches("52:54:00:6b:3c:01: nowhere \\(revision \\d+\\)\n");
            assertThat(run(0, "nva", "vn", "list", "--nva", nva).out())
                    .isEqualTo("ID  ALIAS  CONTEXT  SERVICE  MODE  NAME\n");
        } finally {
            p.destroyForcibly(); // by its pid (the script execs java)
            p.waitFor();
        }
        assertThat(dir.resolve("state/nva.db")).exists();
    }
}
