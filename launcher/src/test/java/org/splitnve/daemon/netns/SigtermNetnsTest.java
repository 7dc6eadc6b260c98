package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.await;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.text;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.DaemonLab.vns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.api.JsonCodec;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.TsiBinding;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import tools.jackson.databind.JsonNode;

/**
 * The tNVE daemon as an operator runs it ({@link TnveProcess}): its own JVM, VMs created through its HTTP
 * API, stopped with a real SIGTERM ({@code kill -TERM}); the nNVE daemon in-process on the other end of a
 * cable.
 */
class SigtermNetnsTest {
    static final MacAddress NNVE = mac(0x10);
    static final MacAddress STATION = mac(1);
    /** RKA 19: a 5.2 s keep-alive, so the nNVE holds a silent station's TSIs for about 8 s (a JVM restarts in that). */
    static final String SLOW_KEEPALIVE = """
            [timers]
            retries = 3
            rte = 12
            rwd = 20
            rka = 19
            """;

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    @Test
    @DisplayName("SEC-3, REQ-12, REL-1: SIGTERM to a tNVE daemon process with associated and activated VMs: it logs "
            + "daemon.stopping, daemon.tsis_kept (2 VMs, 2 TSIs, no De-Associate) and daemon.stopped with its frame "
            + "counts and exits with 0; the nNVE keeps the TSIs; restarted, the tNVE is recognised by its new session "
            + "epoch, the TSI it announces again (its VM's record kept) is kept as it was, the one it does not (its "
            + "record removed while it was down) is released at the deadline")
    void sigtermKeepsTsis() throws Exception {
        lab.timers(SLOW_KEEPALIVE);
        String nsN = lab.namespace("n");
        String nsT = lab.namespace("t");
        DaemonLab.Bridge w = lab.wire("w0");
        lab.attach(w, nsN, "p0", NNVE);
        lab.attach(w, nsT, "up0", STATION);
        Nnve n = lab.nnve("n1", port(nsN, "p0", "tags = \"100-199\"") + vns(5000));
        Path config = lab.write("h1.conf", lab.tnveConfig("h1", uplink("tor", nsT, "up0", NNVE.toString(), "")));

        TsiSpec running = tsi(1, 5000);
        TsiSpec associated = tsi(2, 5000);
        TnveProcess p = TnveProcess.start(lab, config, lab.dir().resolve("h1-run1.log"));
        assertThat(p.post("/v1/vms", TnveProcess.vmBody("vm1", running, true))).contains("\"ok\":true");
        assertThat(p.post("/v1/vms", TnveProcess.vmBody("vm2", associated, false))).contains("\"ok\":true");
        assertThat(n.state(running)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n.state(associated)).isEqualTo(TsiState.ASSOCIATED);
        List<TsiBinding> kept = n.bindings(associated);

        p.signal("TERM");
        assertThat(p.awaitExit()).isZero();
        String text = p.logText();
        for (String line : text.lines().toList()) {
            assertThat(JsonCodec.tree(line)).as("a JSON log line: %s", line).isInstanceOf(JsonNode.class);
        }
        assertThat(DaemonLab.events(text, "daemon.stopping")).singleElement()
                .satisfies(e -> assertThat(text(e, "cause")).contains("SIGTERM"));
        assertThat(DaemonLab.events(text, "daemon.tsis_kept")).singleElement().satisfies(e -> {
            assertThat(text(e, "vms")).isEqualTo("2");
            assertThat(text(e, "tsis")).isEqualTo("2");
            assertThat(text(e, "detail")).contains("no De-Associate sent");
        });
        assertThat(DaemonLab.events(text, "daemon.stopped")).singleElement().satisfies(e -> {
            assertThat(Long.parseLong(text(e, "framesIn"))).isPositive();
            assertThat(Long.parseLong(text(e, "framesOut"))).isPositive();
            assertThat(text(e, "engineErrors")).isEqualTo("0");
        });
        assertThat(text.indexOf("\"daemon.stopping\"")).isLessThan(text.indexOf("\"daemon.tsis_kept\""));
        assertThat(text.indexOf("\"daemon.tsis_kept\"")).isLessThan(text.indexOf("\"daemon.stopped\""));
        // no De-Associate: the nNVE still holds both TSIs as they were
        assertThat(n.state(running)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n.state(associated)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(n.events("tsi.state")).noneSatisfy(e -> assertThat(text(e, "to")).isEqualTo("INIT"));

        // a short restart: a new session epoch; vm2 is taken over from its record and announced again, kept as it
        // was; vm1's record is gone (removed while the tNVE was down), so it is not, and the nNVE releases it
        Files.delete(lab.stateDir("h1").resolve("vms").resolve("vm1.json"));
        TnveProcess again = TnveProcess.start(lab, config, lab.dir().resolve("h1-run2.log"));
        assertThat(again.events("state.loaded")).singleElement().satisfies(e -> assertThat(text(e, "vms")).isEqualTo("1"));
        assertThat(again.get("/v1/vms").values()).extracting(v -> v.get("name").asString() + " " + v.get("state")
                .asString()).containsExactly("vm2 SHUTDOWN");
        await("the nNVE sees the restart", Duration.ofSeconds(30), () -> !n.events("peer.restarted").isEmpty());
        assertThat(n.events("peer.restarted")).singleElement().satisfies(e -> {
            assertThat(text(e, "station")).isEqualTo(STATION.toString());
            assertThat(text(e, "tsisHeld")).isEqualTo("2");
        });
        await("the TSI not announced again is released", Duration.ofSeconds(30),
                () -> n.state(running) == TsiState.INIT);
        assertThat(n.events("tsi.state")).filteredOn(e -> text(e, "to").equals("INIT")).singleElement()
                .satisfies(e -> assertThat(text(e, "tsi")).isEqualTo(running.id().toString()));
        assertThat(n.state(associated)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(n.bindings(associated)).isEqualTo(kept);
        again.signal("TERM");
        assertThat(again.awaitExit()).isZero();
        assertThat(DaemonLab.events(again.logText(), "daemon.tsis_kept")).singleElement()
                .satisfies(e -> assertThat(text(e, "tsis")).isEqualTo("1"));
    }
}
