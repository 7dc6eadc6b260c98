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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.nnve.TsiState;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.transport.WireTap;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiTlv;
import tools.jackson.databind.JsonNode;

/**
 * REL-1 on real frames: a tNVE daemon process (its own JVM, {@link TnveProcess}) with VMs in every state is
 * killed, with SIGKILL (nothing of it runs afterwards) or SIGTERM, and started again on the same
 * configuration. It takes its VMs over from its state directory and announces their TSIs again; the nNVE
 * (in-process, on the other end of a cable) keeps every TSI with no state change, and no De-Associate
 * crosses the wire. One VM's record is removed while the tNVE is down: the one TSI not announced again,
 * which the nNVE releases when its resynchronisation ends; that release is what the test waits for, so
 * everything else is checked after the nNVE has decided.
 */
class RestartNetnsTest {
    static final MacAddress NNVE = mac(0x10);
    static final MacAddress STATION = mac(1);
    /**
     * RKA 20: a 10.5 s keep-alive, so the nNVE holds a silent station for about 16 s (the tNVE's JVM restarts
     * well within that, also on a loaded machine), and the resynchronisation after the restart lasts as long.
     */
    static final String TIMERS = """
            [timers]
            retries = 3
            rte = 12
            rwd = 20
            rka = 20
            """;

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    @ParameterizedTest(name = "kill -{0}, keys {1}")
    @CsvSource({"KILL, false", "TERM, false", "KILL, true", "TERM, true"})
    @DisplayName("REL-1, REL-7, OPS-2, SEC-3: a tNVE process killed (SIGKILL, SIGTERM) and restarted, with and without "
            + "keys (REQ-11: the restarted tNVE authenticates again), keeps its VMs (running, "
            + "created, suspended, shut down) and their TSIs with their tags and addresses, announces them again, sends "
            + "no De-Associate, and the nNVE keeps every TSI with no state change; only the VM whose record was "
            + "removed while the tNVE was down is released, at the end of the resynchronisation; the VMs then go on")
    void restartKeepsVms(String signal, boolean keys) throws Exception {
        lab.timers(TIMERS);
        String nsN = lab.namespace("n");
        String nsT = lab.namespace("t");
        DaemonLab.Bridge w = lab.wire("w0");
        lab.attach(w, nsN, "p0", NNVE);
        lab.attach(w, nsT, "up0", STATION);
        String nnveAuth = "";
        String tnveAuth = "";
        if (keys) {
            byte[] key = new byte[32];
            for (int i = 0; i < key.length; i++) {
                key[i] = (byte) (0x3C ^ i * 7);
            }
            lab.keyFile("h1.key", key);
            nnveAuth = "[auth]\nallow_unauthenticated = false\n[[auth.key]]\nstation = \"" + STATION
                    + "\"\nid = 9\nfile = \"h1.key\"\n";
            tnveAuth = "[[auth.key]]\nuplink = \"tor\"\nid = 9\nfile = \"" + lab.dir().resolve("h1.key") + "\"\n";
        }
        Nnve n = lab.nnve("n1", port(nsN, "p0", "tags = \"100-199\"") + nnveAuth + vns(5000, 5001));
        Path config = lab.write("h1.conf", lab.tnveConfig("h1", uplink("tor", nsT, "up0", NNVE.toString(),
                keys ? "nnve = \"" + NNVE + "\"" : "") + tnveAuth));
        WireTap atNnve = lab.closeAfter(new WireTap(nsN, "p0"));

        TsiSpec running = tsi(1, 5000);
        TsiSpec running2 = tsi(2, 5001);
        TsiSpec created = tsi(3, 5000);
        TsiSpec suspended = tsi(4, 5001);
        TsiSpec off = tsi(5, 5000);
        TsiSpec canary = tsi(6, 5000);
        TnveProcess p = TnveProcess.start(lab, config, lab.dir().resolve("h1-run1.log"));
        p.post("/v1/vms", "{\"name\":\"run\",\"start\":true,\"tsis\":[" + spec(running) + "," + spec(running2) + "]}");
        p.post("/v1/vms", TnveProcess.vmBody("created", created, false));
        p.post("/v1/vms", TnveProcess.vmBody("susp", suspended, true));
        p.post("/v1/vms/susp/suspend", "");
        p.post("/v1/vms", TnveProcess.vmBody("off", off, true));
        p.post("/v1/vms/off/shutdown", "");
        p.post("/v1/vms", TnveProcess.vmBody("canary", canary, true));   // the last frames before the signal
        Map<String, String> tnveBefore = vms(p);
        Map<String, Long> tagsBefore = tags(p);
        assertThat(tnveBefore).containsEntry("run", "RUNNING tor ACTIVATED, tor ACTIVATED")
                .containsEntry("created", "SHUTDOWN tor ASSOCIATED").containsEntry("susp", "SUSPENDED tor ASSOCIATED")
                .containsEntry("off", "SHUTDOWN tor INIT").containsEntry("canary", "RUNNING tor ACTIVATED");
        List<TsiSpec> kept = List.of(running, running2, created, suspended);
        Map<TsiSpec, String> nnveBefore = new LinkedHashMap<>();
        for (TsiSpec t : kept) {
            nnveBefore.put(t, n.describe(t));
        }
        assertThat(n.state(running)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n.state(created)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(n.state(suspended)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(n.state(off)).isEqualTo(TsiState.INIT);
        int transitionsBefore = n.events("tsi.state").size();
        int framesBefore = atNnve.frames().size();

        p.signal(signal);
        int status = p.awaitExit();
        if (signal.equals("KILL")) {
            assertThat(status).as("killed by SIGKILL").isEqualTo(128 + 9);
            assertThat(p.events("daemon.stopping")).as("nothing runs after SIGKILL").isEmpty();
        } else {
            assertThat(status).isZero();
            assertThat(p.events("daemon.tsis_kept")).singleElement().satisfies(e -> {
                assertThat(text(e, "vms")).isEqualTo("5");
                assertThat(text(e, "tsis")).isEqualTo("6");
            });
        }
        // the canary's record goes while the tNVE is down: its TSI is the one not announced again
        Path records = lab.stateDir("h1").resolve("vms");
        assertThat(records.resolve("canary.json")).exists();
        Files.delete(records.resolve("canary.json"));

        TnveProcess again = TnveProcess.start(lab, config, lab.dir().resolve("h1-run2.log"));
        assertThat(again.events("state.loaded")).singleElement().satisfies(e -> {
            assertThat(text(e, "vms")).isEqualTo("4");
            assertThat(text(e, "tsis")).isEqualTo("5");
            assertThat(text(e, "unreadable")).isEqualTo("0");
        });
        await("the nNVE releases the TSI not announced again (the resynchronisation is over)", Duration.ofSeconds(60),
                () -> n.state(canary) == TsiState.INIT);

        // the tNVE: every VM back, in its state, its TSIs as the nNVE confirmed them, with the same tags
        Map<String, String> tnveAfter = vms(again);
        Map<String, String> expected = new LinkedHashMap<>(tnveBefore);
        expected.remove("canary");
        assertThat(tnveAfter).isEqualTo(expected);
        tagsBefore.remove(canary.id().toString());
        assertThat(tags(again)).as("local tags (0 for a TSI at INIT)").isEqualTo(tagsBefore);
        assertThat(again.events("state.vm_adopted")).hasSize(4)
                .allSatisfy(e -> assertThat(e.get("ok")).as("%s", e).isEqualTo(tools.jackson.databind.node.BooleanNode.valueOf(true)));
        assertThat(again.events("request.failed")).isEmpty();
        // the nNVE: the restart seen, every kept TSI as it was (state, addresses, filter, tag), one release only
        assertThat(n.events("peer.restarted")).singleElement()
                .satisfies(e -> assertThat(text(e, "station")).isEqualTo(STATION.toString()));
        for (TsiSpec t : kept) {
            assertThat(n.describe(t)).as("%s at the nNVE", t.id()).isEqualTo(nnveBefore.get(t));
        }
        List<JsonNode> since = n.events("tsi.state").subList(transitionsBefore, n.events("tsi.state").size());
        assertThat(since).as("TSI transitions at the nNVE after the restart").singleElement().satisfies(e -> {
            assertThat(text(e, "tsi")).isEqualTo(canary.id().toString());
            assertThat(text(e, "to")).isEqualTo("INIT");
        });
        // the wire: no De-Associate from the station; the kept TSIs announced again after the restart
        List<VsiTlv> fromStation = new ArrayList<>();
        for (WireTap.Captured c : atNnve.frames().subList(framesBefore, atNnve.frames().size())) {
            if (c.vdp() != null && c.vdp().ethernet().source().equals(STATION) && c.vdp().vdp() != null) {
                for (VdpItem i : c.vdp().vdp().items()) {
                    if (i instanceof VsiTlv v) {
                        fromStation.add(v);
                    }
                }
            }
        }
        assertThat(fromStation).as("requests of the station after the signal")
                .noneSatisfy(v -> assertThat(v.mode()).isEqualTo(VsiMode.DE_ASSOCIATE));
        assertThat(fromStation).anySatisfy(v -> {
            assertThat(v.vsiId()).isEqualTo(running.id());
            assertThat(v.mode()).isEqualTo(VsiMode.ASSOCIATE);
        });
        assertThat(fromStation).anySatisfy(v -> {
            assertThat(v.vsiId()).isEqualTo(created.id());
            assertThat(v.mode()).isEqualTo(VsiMode.PRE_ASSOCIATE_RR);
        });
        assertThat(fromStation).as("nothing for the VM shut down, nor the one forgotten")
                .noneSatisfy(v -> assertThat(v.vsiId()).isIn(off.id(), canary.id()));

        // and the VMs go on: the shut-down one starts (associated again, then activated), the created one runs
        again.post("/v1/vms/off/start", "");
        again.post("/v1/vms/created/start", "");
        again.post("/v1/vms/susp/resume", "");
        assertThat(n.state(off)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n.state(created)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n.state(suspended)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n.state(running)).isEqualTo(TsiState.ACTIVATED);
    }

    private static String spec(TsiSpec t) {
        String body = TnveProcess.vmBody("x", t, false);
        return body.substring(body.indexOf("[{") + 1, body.indexOf("}]") + 1);
    }

    /** "STATE UPLINK TSI-STATE, ..." per VM, as the tNVE's API shows them. */
    private static Map<String, String> vms(TnveProcess p) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode vm : p.get("/v1/vms").values()) {
            List<String> links = new ArrayList<>();
            for (JsonNode t : vm.get("tsis").values()) {
                for (JsonNode u : t.get("uplinks").values()) {
                    links.add(u.get("uplink").asString() + " " + u.get("state").asString());
                }
            }
            out.put(vm.get("name").asString(), vm.get("state").asString() + " " + String.join(", ", links));
        }
        return out;
    }

    /** The local tag of every TSI of every VM, by TSI ID. */
    private static Map<String, Long> tags(TnveProcess p) throws Exception {
        Map<String, Long> out = new LinkedHashMap<>();
        for (JsonNode vm : p.get("/v1/vms").values()) {
            for (JsonNode t : vm.get("tsis").values()) {
                for (JsonNode u : t.get("uplinks").values()) {
                    out.put(t.get("id").asString(), u.get("localTag").asLong());
                }
            }
        }
        return out;
    }
}
