package org.splitnve.app.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.app.netns.DaemonLab.await;
import static org.splitnve.app.netns.DaemonLab.mac;
import static org.splitnve.app.netns.DaemonLab.port;
import static org.splitnve.app.netns.DaemonLab.text;
import static org.splitnve.app.netns.DaemonLab.tsi;
import static org.splitnve.app.netns.DaemonLab.uplink;
import static org.splitnve.app.netns.DaemonLab.vns;

import java.io.File;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.app.json.Json;
import org.splitnve.app.netns.DaemonLab.Nnve;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.TsiBinding;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.transport.NetLab;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * The tNVE daemon as an operator runs it: its own JVM ({@code splitnve tnve --config FILE}, the same
 * main class and classes as the jar), VMs created through its HTTP API, stopped with a real SIGTERM
 * ({@code kill -TERM}); the nNVE daemon in-process on the other end of a cable.
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
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    @DisplayName("SEC-3, REQ-12: SIGTERM to a tNVE daemon process with associated and activated VMs: it logs "
            + "daemon.stopping, daemon.tsis_kept (2 VMs, 2 TSIs, no De-Associate) and daemon.stopped with its frame "
            + "counts and exits with 0; the nNVE keeps the TSIs; restarted, the tNVE is recognised by its new session "
            + "epoch, the TSI it announces again is kept as it was, the one it does not is released at the deadline")
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
        Path log1 = lab.dir().resolve("h1-run1.log");
        Process p = startTnve(config, log1);
        URI api = apiAddress(p, log1);
        assertThat(post(api, "/v1/vms", vmBody("vm1", running, true))).contains("\"ok\":true");
        assertThat(post(api, "/v1/vms", vmBody("vm2", associated, false))).contains("\"ok\":true");
        assertThat(n.state(running)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n.state(associated)).isEqualTo(TsiState.ASSOCIATED);
        List<TsiBinding> kept = n.bindings(associated);

        sigterm(p);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the tNVE process ends after SIGTERM").isTrue();
        assertThat(p.exitValue()).isZero();
        String text = Files.readString(log1);
        for (String line : text.split("\n")) {
            assertThat(Json.parse(line)).as("a JSON log line: %s", line).isInstanceOf(Json.Obj.class);
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

        // a short restart: a new session epoch; vm2 is announced again and kept as it was, vm1 is not and goes
        Path log2 = lab.dir().resolve("h1-run2.log");
        Process again = startTnve(config, log2);
        URI api2 = apiAddress(again, log2);
        assertThat(post(api2, "/v1/vms", vmBody("vm2", associated, false))).contains("\"ok\":true");
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
        sigterm(again);
        assertThat(again.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(again.exitValue()).isZero();
        assertThat(DaemonLab.events(Files.readString(log2), "daemon.tsis_kept")).singleElement()
                .satisfies(e -> assertThat(text(e, "tsis")).isEqualTo("1"));
    }

    /** {@code java --enable-native-access=ALL-UNNAMED -cp CLASSPATH org.splitnve.app.Main tnve --config FILE}. */
    private Process startTnve(Path config, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", classpath(),
                "org.splitnve.app.Main", "tnve", "--config", config.toString());
        pb.redirectOutput(log.toFile());
        pb.redirectError(ProcessBuilder.Redirect.appendTo(log.resolveSibling(log.getFileName() + ".err").toFile()));
        return lab.process(pb.start());
    }

    /** The test JVM's class path, entries that exist (the app's classes and every dependency). */
    private static String classpath() {
        return List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(e -> Files.exists(Path.of(e))).collect(Collectors.joining(File.pathSeparator));
    }

    /** Where the process's API listens: from its api.listening log line. */
    private static URI apiAddress(Process p, Path log) throws Exception {
        String[] found = new String[1];
        await("the tNVE process's API listens", Duration.ofSeconds(60), () -> {
            if (!p.isAlive()) {
                throw new AssertionError("the tNVE process ended with " + p.exitValue() + ": " + Files.readString(log)
                        + Files.readString(log.resolveSibling(log.getFileName() + ".err")));
            }
            List<Json.Obj> l = DaemonLab.events(Files.readString(log), "api.listening");
            if (!l.isEmpty()) {
                found[0] = text(l.getFirst(), "address");
            }
            return found[0] != null;
        });
        return URI.create("http://" + found[0]);
    }

    private String post(URI api, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    private static String vmBody(String name, TsiSpec t, boolean start) {
        String ips = t.ips().stream().map(TsiAddress::ip).map(a -> "\"" + a.getHostAddress() + "\"")
                .collect(Collectors.joining(","));
        return "{\"name\":\"" + name + "\",\"tsis\":[{\"id\":\"" + t.id() + "\",\"vn\":" + t.vnId() + ",\"mac\":\""
                + t.mac() + "\",\"ips\":[" + ips + "]}],\"start\":" + start + "}";
    }

    /** {@code kill -TERM PID}: what systemd or an operator sends. */
    private static void sigterm(Process p) throws IOException {
        NetLab.run("kill", "-TERM", Long.toString(p.pid()));
    }
}
