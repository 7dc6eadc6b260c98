package org.splitnve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.api.JsonCodec;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.http.Fixture;
import org.splitnve.launcher.MainAccess;
import tools.jackson.databind.JsonNode;

/**
 * The operator's command line against real daemons: an nNVE and tNVEs in this process over in-memory
 * links, their APIs on loopback. Every step runs the CLI's entry point as a user types it, and the
 * nNVE's state is read back through {@code show tsis --json}.
 */
class CliEndToEndTest {
    private final CliRun cli = new CliRun();
    /** How long the nNVE took, as a line ends with it (issue 9). */
    private static final String NNVE = " \\(nNVE answered in \\d+\\.\\d ms\\)";

    private CliRun.Result ok(String... argv) {
        CliRun.Result r = cli.run(argv);
        assertThat(r.status()).as("splitnve %s%n%s", String.join(" ", argv), r).isZero();
        return r;
    }

    /** The nNVE's TSIs, through {@code splitnve show tsis --json}. */
    private List<JsonNode> tsis(String nnve) throws Exception {
        CliRun.Result r = ok("show", "tsis", "--json", "--api", nnve);
        assertThat(r.out().lines().count()).as("one JSON line: %s", r.out()).isEqualTo(1);
        return JsonCodec.items(JsonCodec.tree(r.out()));
    }

    /** Waits up to 10 s for {@code condition}; fails naming {@code what} if it does not come. */
    private static void until(String what, java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 10 s for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private List<String> states(String nnve) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode t : tsis(nnve)) {
            out.add(t.get("mac").asString() + " " + t.get("state").asString());
        }
        return out;
    }

    @Test
    @DisplayName("LC-CREATE, LC-PAUSE, LC-SUSPEND, REQ-10, LC-TERMINATE, REQ-7: a VM's whole life through `splitnve vm`; "
            + "the nNVE's TSI states through `splitnve show tsis --json` after each step")
    void lifecycle() throws Exception {
        try (Fixture f = new Fixture(1)) {
            String n = Fixture.url(f.nnve);
            String t = Fixture.url(f.tnves.getFirst());
            CliRun.Result created = ok("vm", "create", "vm1", "--vn", "5000", "--mac", "52:54:00:00:00:01", "--ip", "10.0.0.1",
                    "--vn", "5001", "--mac", "52:54:00:00:00:02", "--api", t);
            // LC-CREATE: associated while shut down; the progress line names the tags the nNVE gave (REQ-7)
            List<JsonNode> tsis = tsis(n);
            long tag0 = tsis.get(0).get("tag").asLong();
            long tag1 = tsis.get(1).get("tag").asLong();
            assertThat(created.out()).startsWith("vm1: associating 2 TSIs... associated (tags " + tag0 + ", " + tag1 + ") in ")
                    .containsPattern("52:54:00:00:00:01  10\\.0\\.0\\.1  tor     ASSOCIATED  " + tag0);
            assertThat(states(n)).containsExactly("52:54:00:00:00:01 ASSOCIATED", "52:54:00:00:00:02 ASSOCIATED");
            assertThat(tsis.get(0).get("ips").values()).containsExactly(tools.jackson.databind.node.StringNode.valueOf("10.0.0.1"));

            // issue 9: the line ends with how long the nNVE took, as the tNVE measured it
            assertThat(ok("vm", "start", "vm1", "--api", t).out()).matches(
                    "vm1: activating\\.\\.\\. activated \\(tags " + tag0 + ", " + tag1 + "\\) in \\d+ ms"
                    + " \\(nNVE answered in \\d+\\.\\d ms\\)\n");
            assertThat(states(n)).containsExactly("52:54:00:00:00:01 ACTIVATED", "52:54:00:00:00:02 ACTIVATED");
            // LC-PAUSE: nothing changes at the nNVE
            assertThat(ok("vm", "pause", "vm1", "--api", t).out()).startsWith("vm1: pausing... paused (TSIs unchanged) in ");
            assertThat(states(n)).containsExactly("52:54:00:00:00:01 ACTIVATED", "52:54:00:00:00:02 ACTIVATED");
            ok("vm", "unpause", "vm1", "--api", t);
            // LC-SUSPEND: Activated -> Associated -> Activated
            ok("vm", "suspend", "vm1", "--api", t);
            assertThat(states(n)).containsExactly("52:54:00:00:00:01 ASSOCIATED", "52:54:00:00:00:02 ASSOCIATED");
            assertThat(ok("vm", "list", "--api", t).out()).isEqualTo("""
                    NAME  STATE      TSIS  AT THE nNVE   TAGS  MIGRATION
                    vm1   SUSPENDED  2     2 ASSOCIATED  %d,%d   -
                    """.formatted(tag0, tag1).replace(tag0 + "," + tag1 + "   ", padRight(tag0 + "," + tag1, 6)));
            ok("vm", "resume", "vm1", "--api", t);
            assertThat(states(n)).containsExactly("52:54:00:00:00:01 ACTIVATED", "52:54:00:00:00:02 ACTIVATED");
            // REQ-10: addresses change, the state does not
            ok("vm", "addr", "vm1", "--tsi", "52:54:00:00:00:02", "add", "10.0.1.2", "2001:db8::2", "--api", t);
            ok("vm", "addr", "vm1", "--tsi", tsis.get(0).get("id").asString(), "replace", "10.0.0.9", "--api", t);
            tsis = tsis(n);
            assertThat(tsis.get(0).get("ips").values()).extracting(JsonNode::asString).containsExactly("10.0.0.9");
            assertThat(tsis.get(1).get("ips").values()).extracting(JsonNode::asString)
                    .containsExactlyInAnyOrder("10.0.1.2", "2001:db8::2");
            assertThat(states(n)).containsExactly("52:54:00:00:00:01 ACTIVATED", "52:54:00:00:00:02 ACTIVATED");
            // the nNVE's other tables, for people
            assertThat(ok("show", "tsis", "--api", n).out()).startsWith("TSI  ".replace("  ", " ".repeat(35)) + "VN    STATE")
                    .contains("ACTIVATED  " + tag0 + "    52:54:00:00:00:01  10.0.0.9");
            assertThat(ok("show", "tags", "--api", n).out()).isEqualTo(
                    "SCOPE  TAG  VN\n" + "rack   %-3d  5000\n".formatted(tag0) + "rack   %-3d  5001\n".formatted(tag1));
            assertThat(ok("show", "vns", "--api", n).out()).contains("5000  blue", "5001  red", "VN_CONNECTED");
            // issue 9: also the interface, the LLDP names (none over in-memory links) and when it was last heard
            assertThat(ok("show", "peers", "--api", n).out()).containsPattern(
                    "0     mem0       02:00:00:00:01:0b  -\\s+-\\s+yes\\s+no\\s+2\\s+\\d+\\.\\d s ago\n");
            assertThat(ok("show", "status", "--api", n).out()).startsWith("nnve nnve-api, session epoch ");
            assertThat(ok("show", "status", "--api", t).out()).startsWith("tnve h1, session epoch ").contains("tor     yes");
            assertThat(ok("vm", "show", "vm1", "--api", t).out()).startsWith("VM vm1: RUNNING\n");
            CliRun.Result tnveShow = cli.run("show", "tsis", "--api", t);
            assertThat(tnveShow.status()).isEqualTo(1);
            assertThat(tnveShow.err()).contains("404 (is it an nNVE?");
            // a step that does not fit the state: exit 1, the daemon's reason
            CliRun.Result wrong = cli.run("vm", "resume", "vm1", "--api", t);
            assertThat(wrong.status()).isEqualTo(1);
            assertThat(wrong.err()).isEqualTo("splitnve: 409 VM 'vm1' is RUNNING; resume needs SUSPENDED\n");
            CliRun.Result none = cli.run("vm", "start", "vm9", "--api", t);
            assertThat(none.status()).isEqualTo(1);
            assertThat(none.err()).startsWith("splitnve: 404 ");
            // LC-TERMINATE, OPS-2: shutdown de-associates and keeps the VM; delete forgets it
            assertThat(ok("vm", "shutdown", "vm1", "--api", t).out())
                    .startsWith("vm1: de-associating... de-associated, shut down (vm start runs it again, vm delete"
                            + " forgets it) in ");
            assertThat(tsis(n)).isEmpty();
            assertThat(ok("vm", "list", "--api", t).out()).isEqualTo("""
                    NAME  STATE     TSIS  AT THE nNVE  TAGS  MIGRATION
                    vm1   SHUTDOWN  2     2 INIT       -     -
                    """);
            assertThat(ok("show", "tsis", "--api", n).out()).isEqualTo("no tsis at " + n + "\n");
            CliRun.Result running = cli.run("vm", "delete", "vm1", "--api", t);
            assertThat(running.status()).isZero();
            assertThat(running.out()).startsWith("vm1: forgetting... deleted, gone from this hypervisor in ");
            assertThat(ok("vm", "list", "--api", t).out()).isEqualTo("no VMs on " + t + "\n");
            CliRun.Result gone = cli.run("vm", "start", "vm1", "--api", t);
            assertThat(gone.status()).isEqualTo(1);
            assertThat(gone.err()).startsWith("splitnve: 404 ");
        }
    }

    private static String padRight(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }

    @Test
    @DisplayName("LC-CREATE, SM-REASON, OPS-2: a VN the nNVE does not know is refused: exit 1 with the reason code and "
            + "detail; nothing is left of the VM, and the same command with a known VN creates it")
    void refusedCreate() throws Exception {
        try (Fixture f = new Fixture(1)) {
            String n = Fixture.url(f.nnve);
            String t = Fixture.url(f.tnves.getFirst());
            CliRun.Result r = cli.run("vm", "create", "vm2", "--vn", "9999", "--mac", "52:54:00:00:00:09", "--start", "--api", t);
            assertThat(r.status()).as("%s", r).isEqualTo(1);
            assertThat(r.out()).isEqualTo("vm2: associating and activating 1 TSI... failed\n");
            assertThat(r.err()).startsWith("splitnve: 422 ").contains("VDP reason code", "9999");
            CliRun.Result start = cli.run("vm", "start", "vm2", "--api", t);
            assertThat(start.status()).isEqualTo(1);
            assertThat(start.err()).isEqualTo("splitnve: 404 no VM named 'vm2'\n");
            assertThat(tsis(n)).isEmpty();
            CliRun.Result json = cli.run("vm", "start", "vm2", "--json", "--api", t);
            assertThat(json.out()).as("--json prints nothing but answers").isEmpty();
            assertThat(ok("vm", "list", "--api", t).out()).isEqualTo("no VMs on " + t + "\n");
            assertThat(ok("vm", "create", "vm2", "--vn", "5000", "--mac", "52:54:00:00:00:09", "--start", "--api", t)
                    .out()).startsWith("vm2: associating and activating 1 TSI... activated (tag ");
            assertThat(states(n)).containsExactly("52:54:00:00:00:09 ACTIVATED");
        }
    }

    @Test
    @DisplayName("OPS-2, REQ-9, REQ-7: after the nNVE de-associates a running VM's TSI, `vm show` shows it at INIT with no "
            + "tag (the VM still RUNNING); `vm reconnect` associates and activates it again, with the tag the nNVE gives")
    void reconnect() throws Exception {
        try (Fixture f = new Fixture(1)) {
            String n = Fixture.url(f.nnve);
            String t = Fixture.url(f.tnves.getFirst());
            ok("vm", "create", "vm1", "--vn", "5000", "--mac", "52:54:00:00:00:01", "--start", "--api", t);
            String id = tsis(n).getFirst().get("id").asString();
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(n + "/v1/tsis/" + id + "/deassociate"))
                            .header("Content-Type", "application/json")
                            .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"reason\": \"test\"}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            until("the tNVE learns of the De-Associate", () -> ok("vm", "show", "vm1", "--api", t).out()
                    .contains(" INIT "));
            assertThat(ok("vm", "show", "vm1", "--api", t).out()).isEqualTo("""
                    VM vm1: RUNNING
                    TSI                                   VN    MAC                IPS  UPLINK  STATE  TAG
                    %s  5000  52:54:00:00:00:01  -    tor     INIT   -
                    """.formatted(id));
            CliRun.Result back = ok("vm", "reconnect", "vm1", "--api", t);
            long tag = tsis(n).getFirst().get("tag").asLong();
            assertThat(back.out()).startsWith("vm1: associating and activating again... reconnected in ")
                    .contains("tor     ACTIVATED  " + tag);
            assertThat(states(n)).containsExactly("52:54:00:00:00:01 ACTIVATED");
        }
    }

    @Test
    @DisplayName("LC-MIGRATE, SM-TSI-7: `vm migrate` moves a running VM between two tNVEs behind one nNVE, step by step; "
            + "afterwards its TSIs are Activated at the destination's port only, with the same tags")
    void migrate() throws Exception {
        try (Fixture f = new Fixture(2)) {
            String n = Fixture.url(f.nnve);
            String t1 = Fixture.url(f.tnves.get(0));
            String t2 = Fixture.url(f.tnves.get(1));
            ok("vm", "create", "vm1", "--vn", "5000", "--mac", "52:54:00:00:00:01", "--ip", "10.0.0.1", "--start", "--api", t1);
            JsonNode before = tsis(n).getFirst();
            assertThat(before.get("port").asLong()).isZero();
            CliRun.Result m = ok("vm", "migrate", "vm1", "--from", t1, "--to", t2);
            long tag = before.get("tag").asLong();
            assertThat(m.out()).containsPattern("migrating vm1 from " + t1 + " to " + t2 + " \\(migration [0-9a-f-]{36}\\)\n"
                    + "  source: reading the VM's TSIs\\.\\.\\. read in \\d+ ms\n"
                    // issue 9: each step that asked the nNVE ends with how long the nNVE took
                    + "  source: start \\(the VM stops running here\\)\\.\\.\\. migrating out in \\d+ ms" + NNVE + "\n"
                    + "  destination: prepare \\(associate 1 TSI with the arrival hint\\)\\.\\.\\. associated \\(tag " + tag
                    + "\\) in \\d+ ms" + NNVE + "\n"
                    + "  destination: commit \\(activate\\)\\.\\.\\. activated \\(tag " + tag + "\\) in \\d+ ms" + NNVE + "\n"
                    + "  source: depart \\(deactivate with the departure hint\\)\\.\\.\\. deactivated in \\d+ ms" + NNVE + "\n"
                    + "  source: finish \\(de-associate\\)\\.\\.\\. de-associated in \\d+ ms" + NNVE + "\n"
                    + "vm1 runs on " + t2 + " \\(\\d+ ms\\)\n");
            JsonNode after = tsis(n).getFirst();
            assertThat(tsis(n)).hasSize(1);
            assertThat(after.get("state").asString()).isEqualTo("ACTIVATED");
            assertThat(after.get("port").asLong()).isEqualTo(1);
            assertThat(after.get("id")).isEqualTo(before.get("id"));
            assertThat(after.get("tag").asLong()).isEqualTo(tag);
            assertThat(after.get("ips").values()).containsExactly(tools.jackson.databind.node.StringNode.valueOf("10.0.0.1"));
            assertThat(ok("vm", "list", "--api", t1).out()).startsWith("no VMs");
            assertThat(ok("vm", "show", "vm1", "--api", t2).out()).startsWith("VM vm1: RUNNING");
            // and back, with --json: one JSON object per step
            List<String> steps = ok("vm", "migrate", "vm1", "--from", t2, "--to", t1, "--json").out().lines().toList();
            assertThat(steps).hasSize(6);
            for (String l : steps) {
                JsonNode step = JsonCodec.tree(l);
                assertThat(step.get("answer")).as(l).isInstanceOf(JsonNode.class);
                assertThat(step.get("side").asString()).isIn("source", "destination");
            }
            assertThat(JsonCodec.tree(steps.get(3)).get("step").asString()).isEqualTo("commit (activate)");
            assertThat(tsis(n).getFirst().get("port").asLong()).isZero();
            assertThat(tsis(n).getFirst().get("state").asString()).isEqualTo("ACTIVATED");
        }
    }

    @Test
    @DisplayName("LC-MIGRATE: a migration the destination refuses is aborted on both sides; the VM runs on the source, its TSI Activated there")
    void migrateAborted() throws Exception {
        try (Fixture f = new Fixture(2)) {
            String n = Fixture.url(f.nnve);
            String t1 = Fixture.url(f.tnves.get(0));
            String t2 = Fixture.url(f.tnves.get(1));
            ok("vm", "create", "vm1", "--vn", "5000", "--mac", "52:54:00:00:00:01", "--start", "--api", t1);
            // the destination has a VM of that name already: its prepare refuses
            ok("vm", "create", "vm1", "--vn", "5001", "--mac", "52:54:00:00:00:07", "--api", t2);
            CliRun.Result m = cli.run("vm", "migrate", "vm1", "--api", t1, "--to", t2);
            assertThat(m.status()).as("%s", m).isEqualTo(1);
            assertThat(m.out()).contains("  destination: prepare (associate 1 TSI with the arrival hint)... failed: 409 ")
                    .contains("  source: abort... the VM runs here again in ")
                    .doesNotContain("destination: abort", "commit");
            assertThat(m.err()).startsWith("splitnve: 409 ");
            assertThat(ok("vm", "show", "vm1", "--api", t1).out()).startsWith("VM vm1: RUNNING");
            assertThat(states(n)).containsExactlyInAnyOrder("52:54:00:00:00:01 ACTIVATED", "52:54:00:00:00:07 ASSOCIATED");
        }
    }

    @Test
    @DisplayName("SEC-3: `watch` follows the event stream: one readable line per event, or the JSON objects with --json; --count stops it")
    void watch() throws Exception {
        try (Fixture f = new Fixture(1)) {
            String n = Fixture.url(f.nnve);
            String t = Fixture.url(f.tnves.getFirst());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Io io = new Io(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                    new ByteArrayInputStream(new byte[0]), Map.of("SPLITNVE_API", n));
            CompletableFuture<Integer> json = CompletableFuture.supplyAsync(() -> MainAccess.run(io, "watch", "--count", "3", "--json"));
            CliRun people = new CliRun(Map.of("SPLITNVE_API", n));
            CompletableFuture<CliRun.Result> readable = CompletableFuture.supplyAsync(() -> people.run("watch", "--count", "3"));
            // events from now on: make some until both watchers have had their three (they connect at their own pace)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; !(json.isDone() && readable.isDone()) && System.nanoTime() < deadline; i++) {
                ok("vm", "create", "vm" + i, "--vn", "5000", "--mac", "52:54:00:00:01:%02x".formatted(i % 256), "--start",
                        "--api", t);
                ok("vm", "shutdown", "vm" + i, "--api", t);
            }
            assertThat(json.get(20, TimeUnit.SECONDS)).as("%s", err).isZero();
            List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
            assertThat(lines).hasSize(3);
            for (String l : lines) {
                JsonNode e = JsonCodec.tree(l);
                assertThat(e.get("event").asString()).isNotBlank();
                assertThat(e.get("node").asString()).isEqualTo("nnve-api");
            }
            CliRun.Result r = readable.get(20, TimeUnit.SECONDS);
            assertThat(r.status()).isZero();
            assertThat(r.err()).isEqualTo("watching " + n + " (Ctrl-C to stop)\n");
            assertThat(r.out().lines().toList()).hasSize(3)
                    .allMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} nnve-api [a-z_.]+( .*)?"), "time node event fields");
        }
    }

    @Test
    @DisplayName("an API with a bearer token refuses the CLI without it (401, exit 1) and answers with --token-file or SPLITNVE_TOKEN")
    void token(@TempDir Path dir) throws Exception {
        String token = "s3cret-token-0123456789";
        try (Fixture f = new Fixture(1, new ApiSettings(ApiSettings.loopback(0).listen(), token))) {
            String n = Fixture.url(f.nnve);
            CliRun.Result refused = cli.run("show", "tsis", "--api", n);
            assertThat(refused.status()).isEqualTo(1);
            assertThat(refused.err()).startsWith("splitnve: 401 ");
            Path file = Files.writeString(dir.resolve("api.token"), token + "\n");
            assertThat(ok("show", "peers", "--api", n, "--token-file", file.toString()).out()).startsWith("PORT");
            CliRun withEnv = new CliRun(Map.of("SPLITNVE_API", n, "SPLITNVE_TOKEN", token));
            assertThat(withEnv.run("show", "tags").status()).isZero();
            CliRun wrong = new CliRun(Map.of("SPLITNVE_API", n, "SPLITNVE_TOKEN", "nope-nope-nope-nope"));
            assertThat(wrong.run("show", "tags").status()).isEqualTo(1);
        }
    }
}
