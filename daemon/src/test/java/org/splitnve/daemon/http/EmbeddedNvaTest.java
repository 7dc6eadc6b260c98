package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.config.ConfFile;
import org.splitnve.config.ConfigException;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.config.NnveSettings;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.MappingEntry;
import org.splitnve.nva.service.Options;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.client.NvaClient;
import org.splitnve.nva.service.store.SqliteStore;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * [nva] embedded = true (issue 10): the nNVE daemon runs the NVA service in process on a SQLite file, its engine
 * behind the replica and the NVA client; [[nva.vn]] is imported once. A remote NVA without the HTTP binding is a
 * configuration error.
 */
class EmbeddedNvaTest {
    private static final MacAddress VM_MAC = MacAddress.parse("52:54:00:00:00:01");

    @Test
    @DisplayName("NVA-1, NVA-2, NVA-3: with [nva] embedded = true and a state file, a VM started through the API is "
            + "activated from the replica and reported to the embedded NVA, which keeps it across the daemon's stop")
    void embedded() throws Exception {
        Path keep = java.nio.file.Files.createTempDirectory("splitnve-nva");
        Path state = keep.resolve("nva.db");
        MappingEntry reported;
        try (Fixture f = new Fixture(1, ApiSettings.loopback(0), List.of(), false,
                dir -> "[nva]\nembedded = true\nstate = \"" + state + "\"\n")) {
            NvaClient client = f.nnve.nvaClient().orElseThrow();
            RevisionedNva nva = f.nnve.embeddedNva().orElseThrow();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (client.state() != NvaClient.State.IN_SYNC && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(client.state()).isEqualTo(NvaClient.State.IN_SYNC);
            assertThat(f.nnve.nva().vnById(5000)).as("imported from [[nva.vn]]").isPresent();
            Http h = f.t.getFirst();
            Http.Answer a = h.post("/v1/vms", ApiLifecycleTest.VM1.replace("}]}", "}], \"start\": true}"));
            assertThat(a.status()).as("%s", a).isBetween(200, 201);
            Optional<MappingEntry> e = Optional.empty();
            while (e.isEmpty() && System.nanoTime() < deadline) {
                e = nva.whereIs(5000, TsiAddress.mac(VM_MAC));
                if (e.isEmpty()) {
                    nva.awaitRevision(nva.revision() + 1, java.time.Duration.ofMillis(200));
                }
            }
            reported = e.orElseThrow();
            assertThat(e).get().satisfies(m -> {
                assertThat(m.instance().nve()).isEqualTo(NveId.of("nnve-api"));
                assertThat(m.state()).isEqualTo(EntryState.FORWARDING);
            });
            assertThat(f.logText()).contains("\"event\":\"nva_client.in_sync\"");
        }
        try (RevisionedNva reopened = RevisionedNva.open(SqliteStore.open(state), Options.DEFAULT,
                InstantSource.system(), EventSink.NONE)) {
            assertThat(reopened.mapping(reported.instance())).as("kept in the state file").isPresent();
            assertThat(reopened.session(NveId.of("nnve-api")).lastReportSeq()).isPositive();
        } finally {
            try (var files = java.nio.file.Files.walk(keep)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    @DisplayName("OPS-4, SEC-4: [nva] servers not http(s), both embedded and servers, a state "
            + "file without embedded, a short token: configuration errors naming the key")
    void remoteWithoutBinding() {
        String base = "[nnve]\nname = \"n\"\n[[port]]\ninterface = \"eth0\"\n";
        assertThatThrownBy(() -> NnveSettings.from(ConfFile.parse(Path.of("n.conf"), base
                + "[nva]\nservers = [\"ftp://nva.example:7443\"]\ntoken = \"0123456789abcdef0123\"\nserves = [5000]\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("[nva] servers")
                .hasMessageContaining("not an http:// or https:// URL");
        assertThatThrownBy(() -> NnveSettings.from(ConfFile.parse(Path.of("n.conf"), base
                + "[nva]\nembedded = true\nservers = [\"https://nva.example:7443\"]\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> NnveSettings.from(ConfFile.parse(Path.of("n.conf"), base
                + "[nva]\nstate = \"/var/lib/splitnve/nva.db\"\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("embedded = true");
        assertThatThrownBy(() -> NnveSettings.from(ConfFile.parse(Path.of("n.conf"), base
                + "[nva]\nservers = [\"https://nva.example:7443\"]\ntoken = \"short\"\n")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("at least 16 characters");
    }
}
