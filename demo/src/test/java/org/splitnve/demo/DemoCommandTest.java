package org.splitnve.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.JsonCodec;
import org.splitnve.nnve.TsiState;
import org.splitnve.tnve.VmState;
import tools.jackson.databind.JsonNode;

/** {@code splitnve demo} in one process over in-memory links: no root needed. */
class DemoCommandTest {
    /** What a run printed and returned. */
    record Run(int status, String out, String err) {
    }

    static Run demo(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = DemoCommand.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run demo(List<Lifecycle.Step> steps, long checkTimeoutMs, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        DemoCommand.Options o = DemoCommand.parse(List.of(args), System.err);
        int status = new DemoCommand(o, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, steps, checkTimeoutMs).run();
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("REQ-1, REQ-2, REQ-3, LC-CREATE, LC-PAUSE, LC-SUSPEND, LC-MIGRATE, SM-TSI-7, REQ-10, REQ-9, LC-TERMINATE:"
            + " the in-memory demo plays the whole lifecycle to the end with exit 0, says on its first line that it runs"
            + " in memory, narrates every step with its requirements, checks each and shows the tables and events")
    void inMemoryToTheEnd() {
        Run r = demo("--memory", "--step-delay", "0");
        assertThat(r.status()).as("stderr: %s%nstdout: %s", r.err(), r.out()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.getFirst()).startsWith("splitnve demo: in-memory links").contains("--memory")
                .contains("no network namespaces");
        List<Lifecycle.Step> steps = new Lifecycle().steps();
        assertThat(steps).extracting(Lifecycle.Step::name).containsExactly("network", "create", "start", "pause",
                "suspend", "resume", "move-prepare", "move-switch", "move-finish", "cross-prepare", "cross-switch",
                "cross-finish", "address", "nnve-deactivate", "reconnect",
                "shutdown", "delete");
        int at = 0;
        for (int i = 0; i < steps.size(); i++) {
            Lifecycle.Step s = steps.get(i);
            String head = "== step " + (i + 1) + "/" + steps.size() + " [" + s.name() + "] " + s.title() + "   ("
                    + s.requirements() + ")";
            int found = lines.subList(at, lines.size()).indexOf(head);
            assertThat(found).as("narration of step %s, in order", s.name()).isNotNegative();
            at += found + 1;
            assertThat(lines.get(at)).as("the narration follows the step line")
                    .isEqualTo(LiveView.wrap(s.narration(), 110, "   ").getFirst());
        }
        assertThat(r.out()).contains("demo complete: 17 steps, every one reached its expected state");
        assertThat(lines.stream().filter(l -> l.startsWith("   -- as expected")).count()).isEqualTo(steps.size());
        // the table and the events show what the narration says: two instances of vm-web on nnve-a's p0 (SM-TSI-7),
        // the nNVE's own deactivate reported by h2 (REQ-9), the IPv6 address (REQ-10)
        assertThat(r.out()).contains("vm-web   5000  ASSOCIATED 52:54:00:50:00:01 10.50.0.11")
                .contains("tsi.migration_arrival port=0 tsi=vm-web")
                .contains("samePortMove=true").contains("nnve.initiated vm=vm-mgmt")
                .contains("2001:db8:50::11").contains("peers: h1@p0 h2@p0").contains("peers: h3@p0 h2@p1")
                .contains("splitnve demo: cleaned up: daemons stopped");
        assertThat(r.err()).isEmpty();
    }

    @Test
    @DisplayName("NVA-1, NVA-3, NVA-6, LC-MIGRATE: both nNVEs are clients of one NVA daemon; after the cross-nNVE switch"
            + " the NVA's table shows vm-web at nnve-b with a newer mobility sequence number and nnve-a's addresses"
            + " withdrawn; after the finish (the source's departure, answered ARRIVED by nnve-a from its replica:"
            + " make-before-break) vm-web lives at nnve-b only")
    void sharedNva() {
        Run r = demo("--memory", "--step-delay", "0");
        assertThat(r.status()).as("stderr: %s%nstdout: %s", r.err(), r.out()).isZero();
        String out = r.out();
        assertThat(out).contains("NVA (splitnve nva, shared by both nNVEs) http://127.0.0.1:")
                .contains("nnve-a nva_client.in_sync").contains("nnve-b nva_client.in_sync");
        String cross = out.substring(out.indexOf("[cross-switch]"), out.indexOf("[cross-finish]"));
        String table = cross.substring(cross.indexOf("NVA (shared by nnve-a and nnve-b"));
        List<String> web = table.lines().filter(l -> l.strip().startsWith("vm-web")).toList();
        assertThat(web).hasSize(2);
        assertThat(web.get(0)).contains("nnve-a").contains("(withdrawn)");
        assertThat(web.get(1)).contains("nnve-b").contains("FORWARDING").doesNotContain("withdrawn");
        long seqA = Long.parseLong(web.get(0).strip().split(" +", -1)[5]);
        long seqB = Long.parseLong(web.get(1).strip().split(" +", -1)[5]);
        assertThat(seqB).as("the mobility sequence number moved up").isGreaterThan(seqA);
        String finish = out.substring(out.indexOf("[cross-finish]"), out.indexOf("[address]"));
        String after = finish.substring(finish.indexOf("NVA (shared by nnve-a and nnve-b"));
        assertThat(after.lines().filter(l -> l.strip().startsWith("vm-web")).toList()).singleElement()
                .satisfies(l -> assertThat(l).contains("nnve-b").contains("FORWARDING"));
        assertThat(out).doesNotContain("migration.departure_refused");
    }

    @Test
    @DisplayName("SEC-3: --json prints the daemons' events as one JSON object a line (the narration stays text); each "
            + "carries its time as RFC 3339 in UTC with microseconds, within the demo's run; a record field (the "
            + "daemon's EVB timers) is a nested object, never Java's text of the record")
    void jsonEvents() throws Exception {
        java.time.Instant before = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        Run r = demo("--memory", "--json", "--step-delay", "0");
        assertThat(r.status()).as(r.err()).isZero();
        List<String> events = r.out().lines().filter(l -> l.startsWith("{")).toList();
        assertThat(events).hasSizeGreaterThan(50);
        java.time.Instant after = java.time.Instant.now();
        List<String> names = new ArrayList<>();
        for (String e : events) {
            JsonNode o = JsonCodec.tree(e);
            names.add(o.get("event").stringValue());
            assertThat(o.has("node")).isTrue();
            String t = o.get("t").stringValue();
            assertThat(t).as(e).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z");
            java.time.Instant at = java.time.OffsetDateTime.parse(t).toInstant();
            assertThat(at).as(e).isBetween(before, after);
            assertThat(e).doesNotContain("Timers[");
            if (names.getLast().equals("daemon.started")) {
                assertThat(o.get("timers").isObject()).as(e).isTrue();
                assertThat(o.get("timers").get("retries").isInt()).as(e).isTrue();
                assertThat(o.get("ports").isArray()).as(e).isTrue();
            }
        }
        assertThat(names).contains("daemon.started", "tsi.state", "vap.state", "vm.state", "tsi.migration_arrival",
                "tsi.addresses", "nnve.initiated", "daemon.stopped");
    }

    @Test
    @DisplayName("a step whose expectation does not hold fails the demo loudly: exit 1, the step named on stderr and"
            + " in the output, everything stopped")
    void failingExpectation() {
        Lifecycle.Step network = new Lifecycle().steps().getFirst();
        Lifecycle.Step wrong = new Lifecycle.Step("bogus", "a step that claims too much", "LC-CREATE",
                "Nothing is done, yet the step claims vm-web is running on h1 and Activated at nnve-a.",
                ops -> { },
                List.of(Lifecycle.vm(Plan.H1, Plan.VM_WEB, VmState.RUNNING),
                        Lifecycle.tsi(Plan.NNVE_A, Plan.VM_WEB, Plan.H1, TsiState.ACTIVATED)));
        Run r = demo(List.of(network, wrong), 300, "--memory", "--step-delay", "0");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("step 2 [bogus]").contains("h1 has no VM vm-web, expected it RUNNING")
                .contains("nnve-a has no TSI of vm-web from h1, expected one ACTIVATED");
        assertThat(r.out()).contains("-- FAILED at step 2 [bogus]").doesNotContain("demo complete")
                .contains("splitnve demo: cleaned up");
    }

    @Test
    @DisplayName("an operation the nNVE or tNVE refuses fails its step with the reason")
    void refusedOperation() {
        Lifecycle.Step network = new Lifecycle().steps().getFirst();
        Lifecycle.Step start = new Lifecycle.Step("start-unknown", "start a VM that was never created", "LC-CREATE",
                "h1 is asked to start vm-web, which it does not have.",
                ops -> ops.tnve(Plan.H1, "start vm-web", e -> e.start("vm-web")), List.of());
        Run r = demo(List.of(network, start), 300, "--memory", "--step-delay", "0");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("step 2 [start-unknown]").contains("no VM named 'vm-web'");
    }

    @Test
    @DisplayName("usage errors: unknown option, --step-delay without or with a bad value: exit 2 with a message")
    void usage() {
        assertThat(demo("--fast").status()).isEqualTo(2);
        Run r = demo("--step-delay");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--step-delay needs a value");
        assertThat(demo("--step-delay", "soon").err()).contains("milliseconds from 0 to 600000, not 'soon'");
        assertThat(demo("--step-delay", "-5").status()).isEqualTo(2);
    }

    @Test
    @DisplayName("the view's helpers: IPv6 in its short form (RFC 5952), names for the plan's MACs and TSI IDs")
    void viewHelpers() {
        assertThat(LiveView.text(Plan.ip("2001:db8:50::11"))).isEqualTo("2001:db8:50::11");
        assertThat(LiveView.text(Plan.ip("2001:db8:0:1:0:0:0:1"))).isEqualTo("2001:db8:0:1::1");
        assertThat(LiveView.text(Plan.ip("::1"))).isEqualTo("::1");
        assertThat(LiveView.text(Plan.ip("fe80::"))).isEqualTo("fe80::");
        assertThat(LiveView.text(Plan.ip("2001:db8:1:2:3:4:5:6"))).isEqualTo("2001:db8:1:2:3:4:5:6");
        assertThat(LiveView.text(Plan.ip("10.50.0.11"))).isEqualTo("10.50.0.11");
        assertThat(LiveView.names("station=02:00:00:02:00:01 tsi=" + Plan.VM_DB.tsi().id()))
                .isEqualTo("station=h2/up1 tsi=vm-db");
    }
}
