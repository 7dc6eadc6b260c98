package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.JsonCodec;
import org.splitnve.api.TsiIds;
import org.splitnve.config.ConfFile;
import org.splitnve.daemon.TnveDaemon;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.config.TnveSettings;
import org.splitnve.transport.MemoryLinks;
import tools.jackson.databind.JsonNode;

/**
 * REL-1 through the tNVE's API, in-process: each VM's record is in the state directory when the API
 * answers, and a tNVE stopped and started again (on the same port of the nNVE) takes its VMs over; an
 * unreadable record is reported and skipped; a record that cannot be written is an error the API reports.
 * The real daemon process killed with SIGKILL is {@code netns/RestartNetnsTest}.
 */
class ApiStateTest {
    static final String VM = """
            {"name": "%s", "start": %s, "tsis": [{"vn": %d, "mac": "%s", "ips": ["10.0.0.%d"]}]}""";

    static String vm(String name, boolean start, long vn, int n) {
        return VM.formatted(name, start, vn, "52:54:00:00:00:%02x".formatted(n), n);
    }

    /** The record of a VM in the state directory, or null when there is none. */
    static JsonNode record(Fixture f, String name) throws Exception {
        Path p = f.stateDir(0).resolve("vms").resolve(name + ".json");
        return Files.exists(p) ? JsonCodec.tree(Files.readString(p)) : null;
    }

    static String stateOf(JsonNode record) {
        return record.get("state").asString() + "/" + record.get("announce").asString();
    }

    /** "VM STATE TSI-STATE TAG" for every VM, as the tNVE's API shows them. */
    static Map<String, String> vms(Http h) {
        Map<String, String> out = new LinkedHashMap<>();
        for (JsonNode vm : h.get("/v1/vms").json().values()) {
            List<String> l = new ArrayList<>();
            for (JsonNode t : vm.get("tsis").values()) {
                for (JsonNode u : t.get("uplinks").values()) {
                    l.add(u.get("state").asString() + " " + u.get("localTag").asLong());
                }
            }
            out.put(vm.get("name").asString(), vm.get("state").asString() + " " + String.join(", ", l));
        }
        return out;
    }

    /** Waits up to 20 s until the daemon {@code node} logged {@code n} events named so. */
    static void awaitLogged(Fixture f, String node, String event, long n) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (logged(f, node, event) < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 20 s for " + n + " " + event + " events of " + node + ":\n" + f.logText());
            }
            Thread.sleep(10);
        }
    }

    /** How many events named so the daemon {@code node} logged. */
    static long logged(Fixture f, String node, String event) {
        return f.logText().lines().filter(l -> l.contains("\"node\":\"" + node + "\"")
                && l.contains("\"event\":\"" + event + "\"")).count();
    }

    @Test
    @DisplayName("REL-1, OPS-2: when the API answers, the VM's record is on disk as the answer says: created "
            + "(SHUTDOWN, TSIs associated), started, its addresses changed, shut down (TSIs de-associated), deleted "
            + "(no record); a refused create writes none")
    void recordBeforeTheAnswer() throws Exception {
        try (Fixture f = new Fixture(1)) {
            Http h = f.t.getFirst();
            ApiLifecycleTest.vmOf(h.post("/v1/vms", vm("vm1", false, 5000, 1)));
            JsonNode r = record(f, "vm1");
            assertThat(stateOf(r)).isEqualTo("SHUTDOWN/ASSOCIATED");
            assertThat(r.get("name").asString()).isEqualTo("vm1");
            JsonNode tsi = r.get("tsis").get(0);
            assertThat(tsi.get("mac").asString()).isEqualTo("52:54:00:00:00:01");
            assertThat(tsi.get("vn").asLong()).isEqualTo(5000);
            assertThat(tsi.get("ips").values()).containsExactly(tools.jackson.databind.node.StringNode.valueOf("10.0.0.1"));
            assertThat(tsi.get("id").asString()).isEqualTo(TsiIds.derivedId("vm1",
                    org.splitnve.wire.MacAddress.parse("52:54:00:00:00:01")).toString());

            ApiLifecycleTest.vmOf(h.post("/v1/vms/vm1/start", ""));
            assertThat(stateOf(record(f, "vm1"))).isEqualTo("RUNNING/ACTIVATED");
            ApiLifecycleTest.vmOf(h.post("/v1/vms/vm1/addresses", """
                    {"tsi": "52:54:00:00:00:01", "op": "add", "ips": ["2001:db8::1"]}"""));
            assertThat(record(f, "vm1").get("tsis").get(0).get("ips").values()).extracting(JsonNode::asString)
                    .containsExactly("10.0.0.1", "2001:db8:0:0:0:0:0:1");
            ApiLifecycleTest.vmOf(h.post("/v1/vms/vm1/suspend", ""));
            assertThat(stateOf(record(f, "vm1"))).isEqualTo("SUSPENDED/ASSOCIATED");
            ApiLifecycleTest.vmOf(h.post("/v1/vms/vm1/shutdown", ""));
            assertThat(stateOf(record(f, "vm1"))).isEqualTo("SHUTDOWN/INIT");
            ApiLifecycleTest.vmOf(h.send("DELETE", "/v1/vms/vm1", ""));
            assertThat(record(f, "vm1")).isNull();

            assertThat(h.post("/v1/vms", vm("vm2", true, 9999, 2)).status()).isEqualTo(422);
            assertThat(record(f, "vm2")).isNull();
            try (var files = Files.list(f.stateDir(0).resolve("vms"))) {
                assertThat(files.toList()).as("no record, no temporary file left").isEmpty();
            }
        }
    }

    @Test
    @DisplayName("REL-1: a tNVE stopped and started again takes its VMs over from its state directory, each in its "
            + "state (running, created, suspended, shut down), its TSIs as they were with the same tags; the nNVE "
            + "sees the new epoch and no TSI changes state there; the VMs then go on (shut down starts, delete forgets)")
    void restartTakesVmsOver() throws Exception {
        try (Fixture f = new Fixture(1)) {
            Http h = f.t.getFirst();
            ApiLifecycleTest.vmOf(h.post("/v1/vms", vm("run", true, 5000, 1)));
            ApiLifecycleTest.vmOf(h.post("/v1/vms", vm("created", false, 5001, 2)));
            ApiLifecycleTest.vmOf(h.post("/v1/vms", vm("susp", true, 5000, 3)));
            ApiLifecycleTest.vmOf(h.post("/v1/vms/susp/suspend", ""));
            ApiLifecycleTest.vmOf(h.post("/v1/vms", vm("off", true, 5001, 4)));
            ApiLifecycleTest.vmOf(h.post("/v1/vms/off/shutdown", ""));
            Map<String, String> before = vms(h);
            assertThat(before).containsOnlyKeys("run", "created", "susp", "off").containsEntry("off", "SHUTDOWN INIT 0");
            JsonNode nnveBefore = f.n.get("/v1/tsis").json();
            long transitions = logged(f, "nnve-api", "tsi.state");

            f.restartTnve(0);
            Http again = f.t.getFirst();
            assertThat(f.logText()).contains("\"event\":\"state.loaded\"");
            awaitLogged(f, "h1", "state.vm_adopted", 4);   // the nNVE answered the TSIs announced again
            assertThat(logged(f, "h1", "state.vm_adopted")).isEqualTo(4);
            assertThat(vms(again)).isEqualTo(before);
            assertThat(logged(f, "nnve-api", "peer.restarted")).isEqualTo(1);
            assertThat(f.n.get("/v1/tsis").json()).isEqualTo(nnveBefore);
            assertThat(logged(f, "nnve-api", "tsi.state")).as("no TSI changed state at the nNVE").isEqualTo(transitions);

            assertThat(ApiLifecycleTest.vmOf(again.post("/v1/vms/off/start", "")).get("state").asString())
                    .isEqualTo("RUNNING");
            assertThat(ApiLifecycleTest.vmOf(again.post("/v1/vms/susp/resume", "")).get("state").asString())
                    .isEqualTo("RUNNING");
            ApiLifecycleTest.vmOf(again.post("/v1/vms/created/shutdown", ""));
            ApiLifecycleTest.vmOf(again.send("DELETE", "/v1/vms/created", ""));
            assertThat(vms(again)).containsOnlyKeys("run", "susp", "off");
            assertThat(f.n.get("/v1/tsis").json().values()).extracting(t -> t.get("state").asString())
                    .containsExactly("ACTIVATED", "ACTIVATED", "ACTIVATED");
        }
    }

    @Test
    @DisplayName("REL-1, SEC-4: records that cannot be used (not JSON, a wrong version, a bad MAC, a TSI another record "
            + "holds) are each logged as state.unreadable with the file and the reason and skipped; the other VMs are "
            + "taken over and the daemon serves; temporary files a crash left are removed")
    void unreadableRecordsSkipped() throws Exception {
        try (Fixture f = new Fixture(1)) {
            Http h = f.t.getFirst();
            ApiLifecycleTest.vmOf(h.post("/v1/vms", vm("good", true, 5000, 1)));
            ApiLifecycleTest.vmOf(h.post("/v1/vms", vm("twin", false, 5000, 2)));
            f.tnves.getFirst().close();
            Path vms = f.stateDir(0).resolve("vms");
            String good = Files.readString(vms.resolve("good.json"));
            Files.writeString(vms.resolve("garbage.json"), "{\"version\": 1, \"name\": ");
            Files.writeString(vms.resolve("future.json"), good.replace("\"version\":1", "\"version\":7")
                    .replace("\"name\":\"good\"", "\"name\":\"future\""));
            Files.writeString(vms.resolve("badmac.json"), good.replace("52:54:00:00:00:01", "01:00:5e:00:00:01")
                    .replace("\"name\":\"good\"", "\"name\":\"badmac\""));
            // a second VM with good's TSI: one of the two is refused (files are read in name order: "good" first)
            Files.writeString(vms.resolve("twin.json"), good.replace("\"name\":\"good\"", "\"name\":\"twin\""));
            Files.writeString(vms.resolve("good.json.tmp"), "half a record");

            f.restartTnve(0);
            Http again = f.t.getFirst();
            awaitLogged(f, "h1", "state.vm_adopted", 1);
            assertThat(vms(again)).containsOnlyKeys("good");
            assertThat(vms(again).get("good")).startsWith("RUNNING ACTIVATED");
            List<String> unreadable = f.logText().lines().filter(l -> l.contains("\"event\":\"state.unreadable\"")).toList();
            assertThat(unreadable).hasSize(4);
            assertThat(unreadable).anySatisfy(l -> assertThat(l).contains("garbage.json", "not JSON"))
                    .anySatisfy(l -> assertThat(l).contains("future.json", "version 7"))
                    .anySatisfy(l -> assertThat(l).contains("badmac.json", "not a unicast MAC"))
                    .anySatisfy(l -> assertThat(l).contains("twin.json", "belongs to another recorded VM"))
                    .allSatisfy(l -> assertThat(l).contains("\"level\":\"ERROR\""));
            assertThat(f.logText()).containsPattern("\"event\":\"state.loaded\".*\"vms\":1,\"tsis\":1,\"unreadable\":4");
            assertThat(vms.resolve("good.json.tmp")).doesNotExist();
            assertThat(again.get("/v1/status").status()).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("REL-1, OPS-4: a VM record that cannot be written is a 500 naming the state directory and a "
            + "state.write_failed event (the daemon goes on); a second tNVE on the same state directory refuses to start")
    void stateDirectoryProblems() throws Exception {
        try (Fixture f = new Fixture(1)) {
            Http h = f.t.getFirst();
            // a directory where vm9's record goes: the rename over it fails
            Files.createDirectories(f.stateDir(0).resolve("vms").resolve("vm9.json").resolve("x"));
            Http.Answer a = h.post("/v1/vms", vm("vm9", false, 5000, 9));
            assertThat(a.status()).as("%s", a).isEqualTo(500);
            assertThat(a.json().get("error").asString()).contains("could not be written", f.stateDir(0).toString());
            assertThat(f.logText()).contains("\"event\":\"state.write_failed\"").contains("\"vm\":\"vm9\"");
            ApiLifecycleTest.vmOf(h.post("/v1/vms", vm("vm1", false, 5000, 1)));

            TnveDaemon first = f.tnves.getFirst();
            TnveSettings same = TnveSettings.from(ConfFile.parse(Path.of("h1-copy.conf"), """
                    [tnve]
                    name = "h1-copy"
                    [[uplink]]
                    name = "tor"
                    interface = "up0"
                    [lldp]
                    enabled = false
                    """)).withApi(ApiSettings.loopback(0)).withStateDir(first.settings().stateDir());
            MemoryLinks.Link l = new MemoryLinks(7).connect();
            assertThatThrownBy(() -> TnveDaemon.start(same, "h1-copy.conf", System.out, List.of(l.b())))
                    .isInstanceOf(UncheckedIOException.class).hasMessageContaining("is in use by another tNVE");
            assertThat(h.get("/v1/vms/vm1").status()).isEqualTo(200);
        }
    }
}
