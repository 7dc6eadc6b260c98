package org.splitnve.daemon.nva;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.http.HttpNvaLink;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.SessionInfo;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/** NVA-2 over HTTP: a receipt a real {@code splitnve nva} process sent survives its kill -9 and a restart. */
class NvaCrashHttpTest {
    static final String TOKEN = "token-of-nnve-a-0123456789";

    static Process start(Path config, Path out) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), NvaChild.class.getName(),
                config.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .start();
    }

    static HttpResponse<String> call(URI base, String method, String path, String body) throws Exception {
        return NvaProcesses.call(base, null, method, path, body);
    }

    static void awaitServing(URI base, Process p, Path out) throws Exception {
        NvaProcesses.awaitServing(base, null, p, out);
    }

    @Test
    @DisplayName("NVA-2: a report acknowledged over HTTP survives kill -9 of the splitnve nva process; restarted on the same state file, the NVA has it, the same history, and answers the report again as repeated")
    void acknowledgedReportSurvivesKill9(@TempDir Path dir) throws Exception {
        int port = NvaProcesses.freePort();
        Path config = dir.resolve("nva.toml");
        Files.writeString(config, """
                [nva]
                store = "state/nva.db"
                [api]
                listen = "127.0.0.1:%d"
                [[vn]]
                id = 5000
                alias = "blue"
                permit_any = true
                """.formatted(port));
        Path out = dir.resolve("nva.log");
        URI base = URI.create("http://127.0.0.1:" + port);
        Process p = start(config, out);
        TsiInstance in = new TsiInstance(VsiId.uuid(UUID.nameUUIDFromBytes(new byte[] {1})), NveId.of("nnve-a"), 3, 5000);
        Report report = Report.of(1, new ReportOp.Serve(Set.of(5000)),
                ReportOp.Bind.activated(in, List.of(TsiAddress.mac(MacAddress.parse("52:54:00:6b:3c:01"))), 7));
        Receipt first;
        String history;
        try {
            awaitServing(base, p, out);
            assertThat(call(base, "POST", "/v1/nva/nves", "{\"name\": \"nnve-a\", \"vtep\": \"192.0.2.1\", \"token\": \""
                    + TOKEN + "\"}").statusCode()).isEqualTo(201);
            try (HttpNvaLink link = new HttpNvaLink(base, TOKEN, null)) {
                history = link.session().historyId();
                first = link.report(report);
            }
            assertThat(first.status()).isEqualTo(Receipt.Status.APPLIED);
            assertThat(first.results()).allMatch(Receipt.Result::applied);
        } finally {
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no close of the store
            p.waitFor();
        }
        assertThat(p.exitValue()).isEqualTo(137);
        Process again = start(config, out);
        try {
            awaitServing(base, again, out);
            try (HttpNvaLink link = new HttpNvaLink(base, TOKEN, null)) {
                SessionInfo s = link.session();
                assertThat(s.historyId()).isEqualTo(history);
                assertThat(s.lastReportSeq()).isEqualTo(1);
                assertThat(s.revision()).isGreaterThanOrEqualTo(first.revision());
                Receipt repeated = link.report(report);
                assertThat(repeated.status()).isEqualTo(Receipt.Status.REPEATED);
                assertThat(repeated.revision()).isEqualTo(first.revision());
                assertThat(repeated.results()).isEqualTo(first.results());
            }
            String where = call(base, "GET", "/v1/nva/where?mac=52:54:00:6b:3c:01", null).body();
            assertThat(where).contains("\"nve\":\"nnve-a\"", "\"state\":\"forwarding\"", "\"mobility_seq\":7");
            // the [[vn]] import happened once: the restart found VN 5000 and did not add it again
            assertThat(Files.readString(out)).contains("nva.vn_imported", "nva.vn_not_imported");
        } finally {
            again.destroy(); // SIGTERM: a clean stop
            again.waitFor();
        }
        assertThat(again.exitValue()).isEqualTo(0);
        assertThat(new File(dir.toFile(), "state/nva.db")).exists();
    }
}
