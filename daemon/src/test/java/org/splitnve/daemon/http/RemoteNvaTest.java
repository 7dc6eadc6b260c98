package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.config.ConfFile;
import org.splitnve.config.ConfigException;
import org.splitnve.daemon.NvaDaemon;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.config.NnveSettings;
import org.splitnve.daemon.config.NvaSettings;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.MappingEntry;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.client.NvaClient;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * [nva] servers (issue 10): the nNVE daemon's engine behind a replica of a real {@code splitnve nva} daemon reached
 * over HTTP (HttpNvaLink, found through the NvaLinkFactory service), with this nNVE's own token; the VNs are the
 * NVA's (NVA-1), the nNVE's activations reach it (NVA-3), and cut off it keeps serving (NVA-5).
 */
class RemoteNvaTest {
    private static final String TOKEN = "nnve-api-token-0123456789";
    private static final MacAddress VM1 = MacAddress.parse("52:54:00:00:00:01");
    private static final MacAddress VM2 = MacAddress.parse("52:54:00:00:00:02");

    private static NvaDaemon nva(Path dir, int port) throws Exception {
        Path conf = dir.resolve("nva.toml");
        Files.writeString(conf, """
                [nva]
                name = "nva"
                store = "sqlite:%s"
                [api]
                listen = "127.0.0.1:%d"
                [log]
                format = "json"
                level = "info"
                """.formatted(dir.resolve("nva.db"), port));
        return NvaDaemon.start(NvaSettings.load(conf), "nva.toml", new PrintStream(java.io.OutputStream.nullOutputStream()));
    }

    private static Optional<MappingEntry> awaitEntry(RevisionedNva nva, MacAddress mac, long deadline) throws Exception {
        Optional<MappingEntry> e = nva.whereIs(5000, TsiAddress.mac(mac));
        while ((e.isEmpty() || e.get().state() != EntryState.FORWARDING) && System.nanoTime() < deadline) {
            nva.awaitRevision(nva.revision() + 1, Duration.ofMillis(200));
            e = nva.whereIs(5000, TsiAddress.mac(mac));
        }
        return e;
    }

    @Test
    @DisplayName("NVA-1, NVA-3, NVA-5, NVA-7: an nNVE daemon with [nva] servers serves the VN the NVA defines, reports "
            + "a started VM to the real NVA daemon over HTTP with its own token, keeps serving while the NVA is down "
            + "(a VM started meanwhile is accepted) and reports it once the NVA is back")
    void remote() throws Exception {
        Path dir = Files.createTempDirectory("splitnve-remote-nva");
        NvaDaemon n = nva(dir, 0);
        int port = n.api().address().getPort();
        try {
            RevisionedNva service = n.nva();
            NveId self = NveId.of("nnve-api");
            service.addVn(VnRecord.of(UUID.randomUUID(), 5000, "blue", 500, VnService.L2)).decision().orElseThrow();
            service.permitTsi(TsiRule.anyOn(5000));
            service.registerNve(self, java.net.InetAddress.getLoopbackAddress());
            service.permitEndDevice(EndDeviceRule.anyOn(self));
            service.setCredential(self, TOKEN);
            String remote = "[nva]\nservers = [\"http://127.0.0.1:" + port + "\"]\ntoken = \"" + TOKEN + "\"\nserves = [5000]\n";
            try (Fixture f = new Fixture(1, ApiSettings.loopback(0), List.of(), false, d -> remote)) {
                NvaClient client = f.nnve.nvaClient().orElseThrow();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (client.state() != NvaClient.State.IN_SYNC && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(client.state()).isEqualTo(NvaClient.State.IN_SYNC);
                // the client is IN_SYNC once the list is read; the engine thread applies it to the replica just after
                while (f.nnve.nva().vnById(5000).isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(5); // waiting for a condition (the list applied) with a deadline
                }
                assertThat(f.nnve.embeddedNva()).as("no NVA in the nNVE's process").isEmpty();
                assertThat(f.nnve.nva().vnById(5000)).as("the NVA's VN, in the replica").isPresent();
                Http h = f.t.getFirst();
                Http.Answer a = h.post("/v1/vms", """
                        {"name": "vm1", "tsis": [{"vn": 5000, "mac": "52:54:00:00:00:01"}], "start": true}""");
                assertThat(a.status()).as("%s", a).isBetween(200, 201);
                Optional<MappingEntry> e = awaitEntry(service, VM1, deadline);
                assertThat(e).as("vm1 at the NVA").get().satisfies(m -> {
                    assertThat(m.instance().nve()).isEqualTo(self);
                    assertThat(m.state()).isEqualTo(EntryState.FORWARDING);
                });

                // NVA-5: the NVA goes away; the nNVE keeps vm1 and accepts vm2 in the VN its replica knows
                n.close();
                Http.Answer b = h.post("/v1/vms", """
                        {"name": "vm2", "tsis": [{"vn": 5000, "mac": "52:54:00:00:00:02"}], "start": true}""");
                assertThat(b.status()).as("%s", b).isBetween(200, 201);
                assertThat(f.n.get("/v1/tsis").json().values()).hasSize(2)
                        .allSatisfy(t -> assertThat(t.get("state").asString()).isEqualTo("ACTIVATED"));

                // back on the same state file: the client resumes and sends what changed
                n = nva(dir, port);
                Optional<MappingEntry> e2 = awaitEntry(n.nva(), VM2, System.nanoTime() + TimeUnit.SECONDS.toNanos(60));
                assertThat(e2).as("vm2 reported once the NVA is back").get()
                        .satisfies(m -> assertThat(m.state()).isEqualTo(EntryState.FORWARDING));
                assertThat(n.nva().whereIs(5000, TsiAddress.mac(VM1))).isPresent();
            }
        } finally {
            n.close();
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @DisplayName("OPS-4: [nva] servers needs serves (the VN IDs this nNVE serves) and a token")
    void remoteNeedsServes() throws Exception {
        String base = "[nnve]\nname = \"n\"\n[[port]]\ninterface = \"eth0\"\n";
        assertThatThrownBy(() -> NnveSettings.from(ConfFile.parse(Path.of("n.conf"), base
                + "[nva]\nservers = [\"https://nva.example:7443\"]\ntoken = \"0123456789abcdef0123\"\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("[nva] serves");
        assertThat(assertThatNoProblem(base + "[nva]\nservers = [\"https://nva.example:7443\"]\n"
                + "token = \"0123456789abcdef0123\"\nserves = [5000, 5001]\n")).containsExactlyInAnyOrder(5000, 5001);
    }

    private static java.util.Set<Integer> assertThatNoProblem(String conf) throws Exception {
        return NnveSettings.from(ConfFile.parse(Path.of("n.conf"), conf)).nvaService().serves();
    }
}
