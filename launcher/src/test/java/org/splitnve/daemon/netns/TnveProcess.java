package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.splitnve.api.JsonCodec;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.transport.NetLab;
import org.splitnve.wire.vdp.TsiAddress;
import tools.jackson.databind.JsonNode;

/**
 * The tNVE daemon as an operator runs it: its own JVM ({@code splitnve tnve --config FILE}, the same main
 * class and classes as the jar), its log in a file, reached through its HTTP API and stopped with a real
 * signal ({@code kill -TERM} or {@code kill -KILL}). The lab kills it after the test if it still runs.
 */
final class TnveProcess {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final Process process;
    final Path log;
    final URI api;

    private TnveProcess(Process process, Path log, URI api) {
        this.process = process;
        this.log = log;
        this.api = api;
    }

    /**
     * {@code java --enable-native-access=ALL-UNNAMED -cp CLASSPATH org.splitnve.launcher.Main tnve --config FILE},
     * standard output to {@code log} (standard error beside it); returns once its API listens.
     */
    static TnveProcess start(DaemonLab lab, Path config, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", classpath(),
                "org.splitnve.launcher.Main", "tnve", "--config", config.toString());
        pb.redirectOutput(log.toFile());
        pb.redirectError(ProcessBuilder.Redirect.appendTo(err(log).toFile()));
        Process p = lab.process(pb.start());
        return new TnveProcess(p, log, apiAddress(p, log));
    }

    private static Path err(Path log) {
        return log.resolveSibling(log.getFileName() + ".err");
    }

    /** The test JVM's class path, entries that exist (the launcher's classes and every dependency). */
    private static String classpath() {
        return List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
                .filter(e -> Files.exists(Path.of(e))).collect(Collectors.joining(File.pathSeparator));
    }

    /** Where the process's API listens: from its api.listening log line. */
    private static URI apiAddress(Process p, Path log) throws Exception {
        String[] found = new String[1];
        DaemonLab.await("the tNVE process's API listens", Duration.ofSeconds(60), () -> {
            if (!p.isAlive()) {
                throw new AssertionError("the tNVE process ended with " + p.exitValue() + ": " + Files.readString(log)
                        + Files.readString(err(log)));
            }
            List<JsonNode> l = DaemonLab.events(Files.readString(log), "api.listening");
            if (!l.isEmpty()) {
                found[0] = DaemonLab.text(l.getFirst(), "address");
            }
            return found[0] != null;
        });
        return URI.create("http://" + found[0]);
    }

    String logText() throws IOException {
        return Files.readString(log);
    }

    /** The events named so in the process's log. */
    List<JsonNode> events(String name) throws IOException {
        return DaemonLab.events(logText(), name);
    }

    /** POST that must answer 200; the answer's body. */
    String post(String path, String body) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(api.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    /** POST whatever it answers (a client under load: a refusal or an error is counted, not asserted). */
    HttpResponse<String> tryPost(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(api.resolve(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** GET that must answer 200; the answer as JSON. */
    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(api.resolve(path)).GET());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return JsonCodec.tree(r.body());
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code kill -SIGNAL PID} (TERM: what systemd or an operator sends; KILL: nothing runs after it). */
    void signal(String signal) throws IOException {
        NetLab.run("kill", "-" + signal, Long.toString(process.pid()));
    }

    /** Waits for the process to end; its exit status. */
    int awaitExit() throws InterruptedException {
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the tNVE process ends").isTrue();
        return process.exitValue();
    }

    /** A {@code POST /v1/vms} body: one TSI with its ID, VN, MAC and IPs. */
    static String vmBody(String name, TsiSpec t, boolean start) {
        String ips = t.ips().stream().map(TsiAddress::ip).map(a -> "\"" + a.getHostAddress() + "\"")
                .collect(Collectors.joining(","));
        return "{\"name\":\"" + name + "\",\"tsis\":[{\"id\":\"" + t.id() + "\",\"vn\":" + t.vnId() + ",\"mac\":\""
                + t.mac() + "\",\"ips\":[" + ips + "]}],\"start\":" + start + "}";
    }
}
