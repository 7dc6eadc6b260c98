package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.await;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.text;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.DaemonLab.vns;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.api.JsonCodec;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.transport.NetLab;
import org.splitnve.wire.MacAddress;
import tools.jackson.databind.JsonNode;

/**
 * OPS-5: SIGHUP reloads a daemon's configuration: what changed takes effect, what did not is untouched, a
 * configuration with errors changes nothing and says why. The daemon under test is a process of its own
 * ({@code splitnve nnve|tnve --config FILE}) that gets a real {@code kill -HUP}; its peer runs in-process, on real
 * frames between network namespaces.
 */
class ReloadNetnsTest {
    static final MacAddress NNVE = mac(0x10);
    static final MacAddress STATION = mac(1);
    static final String TOKEN = "reload-test-token-0123456789";

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static void signal(String name, Process p) throws IOException {
        NetLab.run("kill", "-" + name, Long.toString(p.pid()));
    }

    private static List<JsonNode> events(Path log, String name) throws IOException {
        return DaemonLab.events(Files.readString(log), name);
    }

    /** Sends SIGHUP and waits for the reload's outcome: the next daemon.reloaded or daemon.reload_failed event. */
    private static JsonNode hup(Process p, Path log) throws Exception {
        int done = events(log, "daemon.reloaded").size() + events(log, "daemon.reload_failed").size();
        signal("HUP", p);
        JsonNode[] outcome = new JsonNode[1];
        await("the reload's outcome is logged", Duration.ofSeconds(30), () -> {
            if (!p.isAlive()) {
                throw new AssertionError("the daemon ended with " + p.exitValue() + " after SIGHUP: "
                        + Files.readString(log));
            }
            List<JsonNode> all = DaemonLab.events(Files.readString(log), "daemon.reloaded");
            List<JsonNode> failed = DaemonLab.events(Files.readString(log), "daemon.reload_failed");
            if (all.size() + failed.size() > done) {
                // the most recent of either kind
                String text = Files.readString(log);
                int a = all.isEmpty() ? -1 : text.lastIndexOf("\"event\":\"daemon.reloaded\"");
                int f = failed.isEmpty() ? -1 : text.lastIndexOf("\"event\":\"daemon.reload_failed\"");
                outcome[0] = a > f ? all.getLast() : failed.getLast();
                return true;
            }
            return false;
        });
        return outcome[0];
    }

    private int status(String api, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + api + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /** An nNVE configuration: the lab's, with {@code extra} sections ([nva] and VNs, [api] with its token). */
    private String nnveConfig(String nsN, String nva, boolean token) {
        return lab.nnveConfig("n1", port(nsN, "p0", "") + nva)
                .replace("listen = \"127.0.0.1:0\"", "listen = \"127.0.0.1:0\"" + (token ? "\ntoken_file = \"api.token\"" : ""));
    }

    @Test
    @DisplayName("OPS-5, REQ-6, SEC-1, SEC-3: kill -HUP to an nNVE process: a VN added to the file becomes usable and a "
            + "new API token is required, the VM already running is untouched (no peer reset) and the process does not "
            + "stop; a broken file changes nothing and its problems are logged as FILE:LINE; a VN removed from the file "
            + "is disconnected and its TSI de-associated (the end device told); SIGTERM still stops it cleanly")
    void nnveReload() throws Exception {
        String nsN = lab.namespace("n");
        String nsT = lab.namespace("t");
        DaemonLab.Bridge w = lab.wire("w0");
        lab.attach(w, nsN, "p0", NNVE);
        lab.attach(w, nsT, "up0", STATION);
        Files.writeString(lab.dir().resolve("api.token"), TOKEN + "\n");
        Path config = lab.write("n1.conf", nnveConfig(nsN, vns(5000), false));
        Path log = lab.dir().resolve("n1.log");
        Process n = lab.daemonProcess("nnve", config, log);
        String api = DaemonLab.apiAddress(n, log);
        Tnve t = lab.tnve("h1", uplink("tor", nsT, "up0", NNVE.toString(), ""));
        TsiSpec blue = tsi(1, 5000);
        TsiSpec red = tsi(2, 5001);
        t.ok(e -> e.create("blue", List.of(blue)));
        t.ok(e -> e.start("blue"));
        OpResult refused = t.op(e -> e.create("red", List.of(red)));
        assertThat(refused.ok()).isFalse();
        assertThat(refused.detail()).contains("unknown VN ID 5001");
        assertThat(t.call(() -> t.d.engine().vmNamed("red"))).as("a refused create leaves nothing (OPS-2)").isNull();
        assertThat(status(api, "/v1/status", null)).isEqualTo(200);
        int peerEvents = events(log, "peer.up").size();

        // a VN and an API token added: both take effect; nothing else moves
        Files.writeString(config, nnveConfig(nsN, vns(5000, 5001), true));
        JsonNode ok = hup(n, log);
        assertThat(text(ok, "event")).isEqualTo("daemon.reloaded");
        assertThat(text(ok, "detail")).contains("VN 5001 (vn-5001, VNI 15001) added").contains("API token set");
        assertThat(events(log, "daemon.reloading")).singleElement().satisfies(e -> assertThat(text(e, "cause"))
                .isEqualTo("SIGHUP"));
        assertThat(n.isAlive()).isTrue();
        assertThat(events(log, "daemon.stopping")).as("SIGHUP does not stop the daemon").isEmpty();
        t.ok(e -> e.create("red", List.of(red)));
        assertThat(status(api, "/v1/status", null)).as("without the token").isEqualTo(401);
        assertThat(status(api, "/v1/status", TOKEN)).as("with the token").isEqualTo(200);
        assertThat(t.state("tor", blue)).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(events(log, "peer.up")).as("no peer reset").hasSize(peerEvents);
        assertThat(events(log, "peer.restarted")).isEmpty();
        assertThat(events(log, "tsi.state")).noneSatisfy(e -> assertThat(text(e, "to")).isEqualTo("INIT"));

        // a broken file (and a VN removed in it): nothing changes, every problem logged with its line
        Files.writeString(config, nnveConfig(nsN, vns(5000) + "[[nva.vn]]\nid = 5002\nalias = \"green\"\n", true));
        JsonNode failed = hup(n, log);
        assertThat(text(failed, "event")).isEqualTo("daemon.reload_failed");
        assertThat(text(failed, "detail")).contains("nothing changed");
        assertThat(events(log, "daemon.reload_problem")).isNotEmpty().allSatisfy(e -> assertThat(text(e, "problem"))
                .matches(java.util.regex.Pattern.quote(config.toString()) + ":\\d+: .*")).anySatisfy(e -> assertThat(text(e, "problem"))
                .contains("missing required key 'vni'"));
        TsiSpec red2 = tsi(3, 5001);
        t.ok(e -> e.create("red2", List.of(red2)));
        assertThat(status(api, "/v1/status", null)).as("the token still required").isEqualTo(401);
        assertThat(n.isAlive()).isTrue();

        // VN 5001 removed: disconnected everywhere, its TSIs de-associated and the end device told (REQ-6)
        Files.writeString(config, nnveConfig(nsN, vns(5000), true));
        JsonNode removed = hup(n, log);
        assertThat(text(removed, "event")).isEqualTo("daemon.reloaded");
        assertThat(text(removed, "detail")).contains("VN 5001 (vn-5001) removed");
        await("the tNVE learns its TSIs on VN 5001 are gone", Duration.ofSeconds(30),
                () -> t.state("tor", red) == TnveEngine.TsiState.INIT && t.state("tor", red2) == TnveEngine.TsiState.INIT);
        assertThat(t.state("tor", blue)).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        OpResult gone = t.op(e -> e.create("red3", List.of(tsi(4, 5001))));
        assertThat(gone.detail()).contains("unknown VN ID 5001");

        signal("TERM", n);
        assertThat(n.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(n.exitValue()).isZero();
        assertThat(events(log, "daemon.stopping")).singleElement()
                .satisfies(e -> assertThat(text(e, "cause")).contains("SIGTERM"));
    }

    @Test
    @DisplayName("OPS-5, SEC-3: kill -HUP to a tNVE process: the log level from the file takes effect (debug events "
            + "appear), its VMs stay as they are; a change only a restart can make ([timers]) is refused with the "
            + "reason and changes nothing, not even the rest of that file")
    void tnveReload() throws Exception {
        String nsN = lab.namespace("n");
        String nsT = lab.namespace("t");
        DaemonLab.Bridge w = lab.wire("w0");
        lab.attach(w, nsN, "p0", NNVE);
        lab.attach(w, nsT, "up0", STATION);
        lab.nnve("n1", port(nsN, "p0", "") + vns(5000));
        String body = uplink("tor", nsT, "up0", NNVE.toString(), "");
        Path config = lab.write("h1.conf", lab.tnveConfig("h1", body).replace("level = \"debug\"", "level = \"info\""));
        Path log = lab.dir().resolve("h1.log");
        Process p = lab.daemonProcess("tnve", config, log);
        String api = DaemonLab.apiAddress(p, log);
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create("http://" + api + "/v1/vms"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"name\":\"vm1\",\"start\":true,\"tsis\":[{\"vn\":5000,\"mac\":\"52:54:00:0a:00:01\"}]}"))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        assertThat(status(api, "/v1/vms", null)).isEqualTo(200);
        assertThat(events(log, "api.request")).as("debug events at level info").isEmpty();

        // [timers] changed along with the level: refused as a whole, the level stays info
        Files.writeString(config, lab.tnveConfig("h1", body).replace("rte = 12", "rte = 13"));
        JsonNode refused = hup(p, log);
        assertThat(text(refused, "event")).isEqualTo("daemon.reload_failed");
        assertThat(events(log, "daemon.reload_problem")).anySatisfy(e -> assertThat(text(e, "problem"))
                .contains(config + ": [timers]: changed").contains("negotiated").contains("restart"));
        assertThat(status(api, "/v1/vms", null)).isEqualTo(200);
        assertThat(events(log, "api.request")).as("the level did not change").isEmpty();

        // the level alone: it takes effect
        Files.writeString(config, lab.tnveConfig("h1", body));
        JsonNode ok = hup(p, log);
        assertThat(text(ok, "event")).isEqualTo("daemon.reloaded");
        assertThat(text(ok, "detail")).contains("log: level info, format json -> level debug, format json");
        assertThat(status(api, "/v1/vms", null)).isEqualTo(200);
        await("a debug event is logged", Duration.ofSeconds(10), () -> !events(log, "api.request").isEmpty());
        HttpResponse<String> vm = http.send(HttpRequest.newBuilder(URI.create("http://" + api + "/v1/vms/vm1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(JsonCodec.tree(vm.body()).get("state").asString()).isEqualTo("RUNNING");
        assertThat(events(log, "daemon.stopping")).isEmpty();
        assertThat(p.isAlive()).isTrue();
    }

    /** An nNVE configuration that requires a key of the station: {@code keys} is its [[auth.key]] sections. */
    private static String keyedNnve(String nsN, String keys) {
        return port(nsN, "p0", "") + "[auth]\nallow_unauthenticated = false\n" + keys + vns(5000);
    }

    private static String nnveKey(int id, String file) {
        return "[[auth.key]]\nstation = \"" + STATION + "\"\nid = " + id + "\nfile = \"" + file + "\"\n";
    }

    private static String tnveKey(int id, String file) {
        return "[[auth.key]]\nuplink = \"tor\"\nid = " + id + "\nfile = \"" + file + "\"\n";
    }

    /** The key IDs in the authentication TLVs of the VDP frames {@code from} sent, as a sniffer got them. */
    private static java.util.Set<Long> keyIds(org.splitnve.transport.RawSocket sniffer, MacAddress from) throws Exception {
        java.util.Set<Long> ids = new java.util.TreeSet<>();
        byte[] b;
        while ((b = sniffer.receive(200)) != null) {
            if (org.splitnve.wire.frame.FrameCodec.DEFAULT.decode(b) instanceof org.splitnve.wire.frame.Frame.Vdp v
                    && v.ethernet().source().equals(from) && v.vdp().auth() != null) {
                ids.add(Integer.toUnsignedLong(v.vdp().auth().keyId()));
            }
        }
        return ids;
    }

    @Test
    @DisplayName("OPS-5, REQ-11, GAP-11: key rotation by reload under running sessions (docs/protocol.md 5.9): the nNVE "
            + "accepts a new key, the tNVE signs with it, both retire the old one; the session and the TSIs stay, "
            + "frames carry the new key ID; a key whose material changed under the same ID is refused, nothing "
            + "changes")
    void keyRotationByReload() throws Exception {
        String nsN = lab.namespace("n");
        String nsT = lab.namespace("t");
        DaemonLab.Bridge w = lab.wire("w0");
        lab.attach(w, nsN, "p0", NNVE);
        lab.attach(w, nsT, "up0", STATION);
        byte[] k7 = new byte[32];
        byte[] k8 = new byte[32];
        byte[] other = new byte[32];
        for (int i = 0; i < 32; i++) {
            k7[i] = (byte) (0xA5 ^ i * 37);
            k8[i] = (byte) (0x3C ^ i * 11);
            other[i] = (byte) (0x5A ^ i * 7);
        }
        lab.keyFile("k7.key", k7);
        lab.keyFile("k8.key", k8);
        lab.keyFile("other.key", other);
        DaemonLab.Nnve n = lab.nnve("n1", keyedNnve(nsN, nnveKey(7, "k7.key")));
        String uplinkText = uplink("tor", nsT, "up0", NNVE.toString(), "nnve = \"" + NNVE + "\"");
        Tnve t = lab.tnve("h1", uplinkText + tnveKey(7, "k7.key"));
        Path nConf = lab.dir().resolve("n1.conf");
        Path tConf = lab.dir().resolve("h1.conf");
        n.daemon.reloadFrom(nConf);
        t.daemon.reloadFrom(tConf);
        TsiSpec vm = tsi(1, 5000);
        t.ok(e -> e.create("vm1", List.of(vm)));
        t.ok(e -> e.start("vm1"));
        org.splitnve.transport.RawSocket sniffer = lab.closeAfter(org.splitnve.transport.RawSocket.open("p0",
                org.splitnve.transport.RawSocket.Options.defaults().inNamespace(nsN)));

        // the nNVE accepts key 8 beside 7
        Files.writeString(nConf, lab.nnveConfig("n1", keyedNnve(nsN, nnveKey(7, "k7.key") + nnveKey(8, "k8.key"))));
        assertThat(n.daemon.reload("test")).isTrue();
        assertThat(n.events("auth.key_added")).singleElement().satisfies(e -> assertThat(text(e, "keyId")).isEqualTo("8"));
        // the tNVE signs with 8 (listed first: current), still accepts 7
        Files.writeString(tConf, lab.tnveConfig("h1", uplinkText + tnveKey(8, "k8.key") + tnveKey(7, "k7.key")));
        assertThat(t.daemon.reload("test")).isTrue();
        assertThat(t.events("auth.key_rotated")).singleElement().satisfies(e -> assertThat(text(e, "keyId")).isEqualTo("8"));
        keyIds(sniffer, STATION);
        TsiSpec vm2 = tsi(2, 5000);
        t.ok(e -> e.create("vm2", List.of(vm2)));
        assertThat(keyIds(sniffer, STATION)).as("key IDs the station signs with after the switch").containsExactly(8L);

        // a new key under an ID in use: refused, nothing changes
        Files.writeString(nConf, lab.nnveConfig("n1", keyedNnve(nsN, nnveKey(7, "k7.key") + nnveKey(8, "other.key"))));
        assertThat(n.daemon.reload("test")).isFalse();
        assertThat(n.events("daemon.reload_problem")).anySatisfy(e -> assertThat(text(e, "problem"))
                .contains("id = 8").contains("its key material changed"));

        // both retire 7
        Files.writeString(nConf, lab.nnveConfig("n1", keyedNnve(nsN, nnveKey(8, "k8.key"))));
        assertThat(n.daemon.reload("test")).isTrue();
        Files.writeString(tConf, lab.tnveConfig("h1", uplinkText + tnveKey(8, "k8.key")));
        assertThat(t.daemon.reload("test")).isTrue();
        assertThat(n.events("auth.key_retired")).singleElement().satisfies(e -> assertThat(text(e, "keyId")).isEqualTo("7"));
        assertThat(t.events("auth.key_retired")).singleElement().satisfies(e -> assertThat(text(e, "keyId")).isEqualTo("7"));
        t.ok(e -> e.start("vm2"));
        assertThat(n.state(vm)).isEqualTo(org.splitnve.nnve.TsiState.ACTIVATED);
        assertThat(n.state(vm2)).isEqualTo(org.splitnve.nnve.TsiState.ACTIVATED);
        assertThat(n.events("ecp.auth_refused")).as("no frame refused across the rotation").isEmpty();
        assertThat(n.events("peer.restarted")).isEmpty();
        assertThat(n.events("peer.authenticated")).as("one session throughout").hasSize(1);
    }
}
