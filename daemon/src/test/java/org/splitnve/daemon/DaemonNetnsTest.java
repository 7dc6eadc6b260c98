package org.splitnve.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.api.JsonCodec;
import org.splitnve.daemon.config.NnveSettings;
import org.splitnve.daemon.config.TnveSettings;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.protocol.Timers;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.VsiId;

/** The two daemons in-process, each in its own network namespace, joined by a veth pair. */
class DaemonNetnsTest {
    private final List<String> namespaces = new ArrayList<>();
    private final String prefix = "snvd-" + ProcessHandle.current().pid() + "-";

    static boolean privileged() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    String namespace(String suffix) throws Exception {
        String ns = prefix + suffix;
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        return ns;
    }

    @AfterEach
    void removeNamespaces() {
        for (String ns : namespaces) {
            try {
                run("ip", "netns", "delete", ns);
            } catch (Exception e) {
                System.err.println("could not delete " + ns + ": " + e.getMessage());
            }
        }
        namespaces.clear();
    }

    @Test
    @DisplayName("REQ-12, SEC-3: nnve and tnve daemons from config files on a veth pair: a VM's TSI reaches "
            + "Activated at the nNVE, EVB timers are max(own, peer), every log line is JSON, SIGTERM-style stop keeps the TSIs")
    void endToEnd(@TempDir Path dir) throws Exception {
        assumeTrue(privileged() || System.getenv("CI") != null, "network namespaces need root (always run when CI is set)");
        org.splitnve.transport.NetLab.removeStaleAll();
        String nsN = namespace("n");
        String nsT = namespace("t");
        MacAddress nMac = MacAddress.parse("02:00:5e:10:00:01");
        MacAddress tMac = MacAddress.parse("02:00:5e:10:00:02");
        run("ip", "link", "add", "eth0", "netns", nsN, "address", nMac.toString(), "type", "veth", "peer", "name",
                "eth0", "netns", nsT, "address", tMac.toString());
        run("ip", "-n", nsN, "link", "set", "eth0", "up");
        run("ip", "-n", nsT, "link", "set", "eth0", "up");
        Path nConf = dir.resolve("nnve.conf");
        Files.writeString(nConf, """
                [nnve]
                name = "nnve-e2e"
                [[port]]
                interface = "eth0"
                namespace = "%s"
                tags = "100-200"
                [timers]
                rte = 12                     # 41 ms: a loaded CI machine must not exhaust the retries
                rka = 18
                [nva]
                [[nva.vn]]
                id = 5000
                alias = "web"
                vni = 10500
                [api]
                listen = "127.0.0.1:0"       # any free port: tests run side by side
                [log]
                format = "json"
                level = "debug"
                """.formatted(nsN));
        Path tConf = dir.resolve("tnve.conf");
        Files.writeString(tConf, """
                [tnve]
                name = "host-e2e"
                [[uplink]]
                name = "tor"
                interface = "eth0"
                namespace = "%s"
                destination = "ncb"
                [timers]
                rte = 12
                rka = 17
                [api]
                listen = "127.0.0.1:0"       # any free port: tests run side by side
                [log]
                format = "json"
                level = "debug"
                [state]
                dir = "state"                # relative: beside this file, in the test's directory
                """.formatted(nsT));
        ByteArrayOutputStream nLog = new ByteArrayOutputStream();
        ByteArrayOutputStream tLog = new ByteArrayOutputStream();
        NnveSettings ns = NnveSettings.load(nConf);
        TnveSettings ts = TnveSettings.load(tConf);
        Timers expected = new Timers(3, 12, 20, 18);
        try (NnveDaemon n = NnveDaemon.start(ns, nConf.toString(), new PrintStream(nLog, true, StandardCharsets.UTF_8));
                TnveDaemon t = TnveDaemon.start(ts, tConf.toString(), new PrintStream(tLog, true, StandardCharsets.UTF_8))) {
            TsiSpec tsi = TsiSpec.of(VsiId.uuid(UUID.fromString("7510a000-0000-4000-8000-000000000001")), 5000,
                    MacAddress.parse("52:54:00:00:00:01"), List.of());
            // the engine's future as a CompletionStage: not a future of a future (Error Prone FutureReturnValueIgnored)
            OpResult created = t.runner().call(() -> (CompletionStage<OpResult>) t.engine().create("vm1", List.of(tsi)))
                    .get(10, TimeUnit.SECONDS).toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertThat(created.ok()).as("create: %s", created).isTrue();
            OpResult started = t.runner().call(() -> (CompletionStage<OpResult>) t.engine().start("vm1"))
                    .get(10, TimeUnit.SECONDS).toCompletableFuture().get(20, TimeUnit.SECONDS);
            assertThat(started.ok()).as("start: %s", started).isTrue();
            List<Tsi> tsis = n.runner().call(() -> n.engine().tsis()).get(5, TimeUnit.SECONDS);
            assertThat(tsis).singleElement().satisfies(x -> {
                assertThat(x.state()).isEqualTo(TsiState.ACTIVATED);
                assertThat(x.station()).isEqualTo(tMac);
            });
            // LLDP went both ways: both ECPs use max(own, peer) of each timer.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Timers tt = null;
            Timers nt = null;
            while (System.nanoTime() < deadline) {
                tt = t.runner().call(() -> t.engine().ecp("tor").timers()).get(5, TimeUnit.SECONDS);
                nt = n.runner().call(() -> n.engine().peers().iterator().next().ecp().timers()).get(5, TimeUnit.SECONDS);
                if (tt.equals(expected) && nt.equals(expected)) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(tt).isEqualTo(expected);
            assertThat(nt).isEqualTo(expected);
            assertThat(n.nva().vnById(5000)).isPresent();
            t.stop("test");
            n.stop("test");
        }
        String tText = tLog.toString(StandardCharsets.UTF_8);
        String nText = nLog.toString(StandardCharsets.UTF_8);
        assertThat(tText).contains("\"event\":\"daemon.tsis_kept\"", "\"vms\":1", "\"tsis\":1", "no De-Associate sent",
                "\"event\":\"lldp.peer\"", "\"event\":\"daemon.stopped\"");
        assertThat(nText).contains("\"event\":\"daemon.started\"", "\"event\":\"lldp.peer\"", "\"event\":\"lldp.sent\"");
        for (String line : (tText + nText).lines().toList()) {
            assertThat(JsonCodec.tree(line).isObject()).as("JSON: %s", line).isTrue();
        }
        assertThat(tText.lines().count() + nText.lines().count()).isGreaterThan(8);
    }
}
