package org.splitnve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.daemon.NnveDaemon;
import org.splitnve.daemon.TnveDaemon;
import org.splitnve.daemon.config.NnveSettings;
import org.splitnve.daemon.config.TnveSettings;
import org.splitnve.daemon.http.Fixture;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.pcap.PcapReader;
import org.splitnve.wire.pcap.PcapRecord;

/**
 * The operator's tools on real links: nNVE and tNVE daemons from configuration files on a veth pair
 * between two network namespaces, a VM created through {@code splitnve vm}, and {@code splitnve capture}
 * on the nNVE's interface recording both directions of the exchange.
 */
class CaptureDaemonsNetnsTest {
    private static final MacAddress N_MAC = MacAddress.parse("02:c1:00:00:01:01");
    private static final MacAddress T_MAC = MacAddress.parse("02:c1:00:00:01:02");

    @Test
    @DisplayName("REQ-12, LC-CREATE, SEC-3: `vm create --start` through the tNVE's API while `capture` runs on the nNVE's port: "
            + "the pcap holds the nNVE's own frames and the station's, which decode reads as Associate requests and responses")
    void captureRealExchange(@TempDir Path dir) throws Exception {
        Netns.assumeRoot();
        Path file = dir.resolve("exchange.pcap");
        try (Netns lab = new Netns()) {
            String nsN = lab.namespace("n");
            String nsT = lab.namespace("t");
            lab.veth(nsN, "eth0", N_MAC, nsT, "eth0", T_MAC);
            Path nConf = Files.writeString(dir.resolve("nnve.conf"), """
                    [nnve]
                    name = "nnve-cap"
                    [[port]]
                    interface = "eth0"
                    namespace = "%s"
                    [timers]
                    rte = 12
                    [api]
                    listen = "127.0.0.1:0"
                    [[nva.vn]]
                    id = 5000
                    alias = "web"
                    vni = 10500
                    """.formatted(nsN));
            Path tConf = Files.writeString(dir.resolve("tnve.conf"), """
                    [tnve]
                    name = "host-cap"
                    [[uplink]]
                    name = "tor"
                    interface = "eth0"
                    namespace = "%s"
                    [timers]
                    rte = 12
                    [api]
                    listen = "127.0.0.1:0"
                    [state]
                    dir = "state"
                    """.formatted(nsT));
            PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            try (NnveDaemon _ = NnveDaemon.start(NnveSettings.load(nConf), nConf.toString(), log);
                    TnveDaemon t = TnveDaemon.start(TnveSettings.load(tConf), tConf.toString(), log)) {
                CaptureNetnsTest.Running cap = CaptureNetnsTest.start("capture", "eth0", "--netns", nsN, "--out", file.toString(),
                        "--duration", "3");
                CliRun.Result created = new CliRun().run("vm", "create", "vm1", "--vn", "5000", "--mac", "52:54:00:00:00:01",
                        "--start", "--api", Fixture.url(t));
                assertThat(created.status()).as("%s", created).isZero();
                assertThat(created.out()).startsWith("vm1: associating and activating 1 TSI... activated (tag ");
                assertThat(cap.status().get(20, TimeUnit.SECONDS)).as("%s", cap.err()).isZero();
                assertThat(cap.out()).contains(" on " + nsN + "/eth0 into " + file + ": ECP (0x8940) ");
            }
        }
        List<PcapRecord> frames = PcapReader.readAll(Files.readAllBytes(file));
        Set<MacAddress> sources = new HashSet<>();
        for (PcapRecord r : frames) {
            byte[] f = r.data().toArray();
            if ((f[12] & 0xFF) == 0x89 && (f[13] & 0xFF) == 0x40) {
                sources.add(MacAddress.of(java.util.Arrays.copyOfRange(f, 6, 12)));
            }
        }
        assertThat(sources).as("ECP from the station (received) and from the nNVE (sent on the captured port)")
                .containsExactlyInAnyOrder(N_MAC, T_MAC);
        CliRun.Result decoded = new CliRun().run("decode", file.toString());
        assertThat(decoded.status()).as("%s", decoded.err()).isZero();
        assertThat(decoded.out()).contains("Associate request", "Associate response", " 0 malformed");
    }
}
