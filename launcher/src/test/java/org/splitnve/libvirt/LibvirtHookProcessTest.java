package org.splitnve.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.libvirt.DomainSamples.bridgeInterface;
import static org.splitnve.libvirt.DomainSamples.domain;
import static org.splitnve.libvirt.DomainSamples.metadata;
import static org.splitnve.libvirt.DomainSamples.networkInterface;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.api.JsonCodec;
import org.splitnve.cli.Launcher;
import org.splitnve.daemon.Daemon;
import org.splitnve.daemon.http.Fixture;
import tools.jackson.databind.JsonNode;

/**
 * contrib/libvirt/qemu run exactly as libvirt runs /etc/libvirt/hooks/qemu: a process with a cleared
 * environment, arguments GUEST OPERATION SUB_OPERATION EXTRA, the domain XML on standard input; its
 * settings from the hook's environment file. The tNVEs and the nNVE run in this process; the nNVE's
 * TSIs are read through its API after each call.
 */
class LibvirtHookProcessTest {
    static final Path QEMU = Path.of("..", "contrib", "libvirt", "qemu").toAbsolutePath().normalize();

    /** Two NICs on VNs (port group vn-5000; metadata VN 5001 with an IP) and one on a plain bridge. */
    static final String WEB = domain("web-1", metadata("", """
                  <splitnve:interface mac="52:54:00:6b:3c:02" vn="5001">
                    <splitnve:ip>10.1.0.5</splitnve:ip>
                  </splitnve:interface>
            """), networkInterface("52:54:00:6b:3c:01", "vn-5000", "vnet0", 1)
            + networkInterface("52:54:00:6b:3c:02", "default", "vnet1", 2) + bridgeInterface("52:54:00:6b:3c:03", "vnet2"));

    record Run(int status, String out, String err) {}

    /** Runs the hook like libvirt: an environment of LC_ALL, PATH, HOME, USER, LOGNAME and nothing else. */
    static Run hook(Path envFile, String xml, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(QEMU.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.clear();
        env.putAll(Map.of("LC_ALL", "C", "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME", "/root", "USER", "root", "LOGNAME", "root", "SPLITNVE_HOOK_ENV", envFile.toString()));
        Process p = pb.start();
        try {
            p.getOutputStream().write(xml.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
        } catch (IOException e) {
            // the hook may not read: libvirt copes, so do we
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, err);
    }

    /** The hook's settings file for one tNVE: the splitnve command and the tNVE's API. */
    static Path envFile(Path dir, String name, Daemon tnve) throws IOException {
        Path launcher = Files.exists(dir.resolve("splitnve")) ? dir.resolve("splitnve") : Launcher.write(dir);
        return Files.writeString(dir.resolve(name + ".env"), "# as /etc/splitnve/libvirt-hook.env\nSPLITNVE=" + launcher
                + "\nSPLITNVE_API=" + Fixture.url(tnve) + "\n");
    }

    static Run ok(Path envFile, String xml, String... args) throws Exception {
        Run r = hook(envFile, xml, args);
        assertThat(r.status()).as("qemu %s: %s", String.join(" ", args), r).isZero();
        assertThat(r.out()).as("nothing on standard output (libvirt reads it as XML)").isEmpty();
        return r;
    }

    /** "PORT MAC STATE" for every TSI at the nNVE. */
    static List<String> nnve(Fixture f) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(Fixture.url(f.nnve) + "/v1/tsis")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        List<String> out = new ArrayList<>();
        for (JsonNode t : JsonCodec.tree(r.body()).values()) {
            out.add(t.get("port").asLong() + " " + t.get("mac").asString() + " " + t.get("state").asString());
        }
        return out;
    }

    /** The VM's state at the tNVE ("-" when it does not know it), and "UPLINK STATE" of its TSIs. */
    static String tnve(Daemon tnve, String vm) throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        var r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(Fixture.url(tnve) + "/v1/vms/" + vm))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
            return "-";
        }
        JsonNode v = JsonCodec.tree(r.body());
        List<String> out = new ArrayList<>(List.of(v.get("state").asString()));
        for (JsonNode t : v.get("tsis").values()) {
            for (JsonNode u : t.get("uplinks").values()) {
                out.add(t.get("mac").asString() + " " + u.get("state").asString());
            }
        }
        return String.join(", ", out);
    }

    /** How many events named {@code event} the daemon {@code node} logged. */
    static long logged(Fixture f, String node, String event) {
        return f.logText().lines().filter(l -> l.contains("\"node\":\"" + node + "\"") && l.contains("\"event\":\""
                + event + "\"")).count();
    }

    @Test
    @DisplayName("LC-CREATE, LC-TERMINATE, ID-3, OPS-2: prepare associates the VM's TSIs (port group and metadata VNs), started "
            + "activates them, stopped de-associates (the tNVE keeps the VM shut down), release deletes it; a stopped VM "
            + "prepared again is created afresh; other events are ignored; stdout stays empty")
    void lifecycle(@TempDir Path dir) throws Exception {
        try (Fixture f = new Fixture(1)) {
            Path env = envFile(dir, "h1", f.tnves.getFirst());
            Run prepared = ok(env, WEB, "web-1", "prepare", "begin", "-");
            assertThat(prepared.err()).contains("interface 52:54:00:6b:3c:03 (no VN: no metadata, no port group) left alone",
                    "associated 2 TSIs in ");
            assertThat(nnve(f)).containsExactlyInAnyOrder("0 52:54:00:6b:3c:01 ASSOCIATED", "0 52:54:00:6b:3c:02 ASSOCIATED");
            assertThat(ok(env, WEB, "web-1", "start", "begin", "-").err()).contains("nothing to do");
            assertThat(nnve(f)).containsExactlyInAnyOrder("0 52:54:00:6b:3c:01 ASSOCIATED", "0 52:54:00:6b:3c:02 ASSOCIATED");
            ok(env, WEB, "web-1", "started", "begin", "-");
            assertThat(nnve(f)).containsExactlyInAnyOrder("0 52:54:00:6b:3c:01 ACTIVATED", "0 52:54:00:6b:3c:02 ACTIVATED");
            // libvirtd restarted: nothing changes
            ok(env, WEB, "web-1", "reconnect", "begin", "-");
            assertThat(nnve(f)).containsExactlyInAnyOrder("0 52:54:00:6b:3c:01 ACTIVATED", "0 52:54:00:6b:3c:02 ACTIVATED");
            ok(env, WEB, "web-1", "stopped", "end", "-");
            assertThat(nnve(f)).isEmpty();
            assertThat(tnve(f.tnves.getFirst(), "web-1")).isEqualTo("SHUTDOWN, 52:54:00:6b:3c:01 INIT, 52:54:00:6b:3c:02 INIT");
            assertThat(ok(env, WEB, "web-1", "release", "end", "-").err()).contains("deleted (forgotten)");
            assertThat(tnve(f.tnves.getFirst(), "web-1")).isEqualTo("-");
            assertThat(ok(env, WEB, "web-1", "release", "end", "-").err()).contains("nothing left");
            // started again: a new life; stopped without a release, then prepared again: created afresh
            assertThat(ok(env, WEB, "web-1", "prepare", "begin", "-").err()).contains("associated 2 TSIs in ");
            ok(env, WEB, "web-1", "started", "begin", "-");
            ok(env, WEB, "web-1", "stopped", "end", "-");
            assertThat(ok(env, WEB, "web-1", "prepare", "begin", "-").err())
                    .contains("the tNVE knows the VM (SHUTDOWN): deleting it and creating it afresh", "associated 2 TSIs in ");
            assertThat(nnve(f)).containsExactlyInAnyOrder("0 52:54:00:6b:3c:01 ASSOCIATED", "0 52:54:00:6b:3c:02 ASSOCIATED");
            // created and not started: prepared again, nothing to do
            assertThat(ok(env, WEB, "web-1", "prepare", "begin", "-").err()).contains("associated already");
            ok(env, WEB, "web-1", "stopped", "end", "-");
            ok(env, WEB, "web-1", "release", "end", "-");
            assertThat(nnve(f)).isEmpty();
            assertThat(tnve(f.tnves.getFirst(), "web-1")).isEqualTo("-");
            // a VM without interfaces on a VN is left alone
            String plain = domain("plain", "", bridgeInterface("52:54:00:00:00:99", "vnet5"));
            assertThat(ok(env, plain, "plain", "prepare", "begin", "-").err()).contains("no interface on a Split-NVE VN");
            ok(env, plain, "plain", "started", "begin", "-");
            assertThat(nnve(f)).isEmpty();
        }
    }

    @Test
    @DisplayName("REL-1, OPS-2: libvirtd restarts (reconnect begin for each running domain): a VM the tNVE knows is left "
            + "alone; one it does not know (a tNVE restarted without its state) is adopted from the domain XML, running, "
            + "its TSIs announced activated: the nNVE keeps them, no TSI changes state there")
    void reconnect(@TempDir Path dir) throws Exception {
        try (Fixture f = new Fixture(1)) {
            Path env = envFile(dir, "h1", f.tnves.getFirst());
            ok(env, WEB, "web-1", "prepare", "begin", "-");
            ok(env, WEB, "web-1", "started", "begin", "-");
            long transitions = logged(f, "nnve-api", "tsi.state");
            assertThat(ok(env, WEB, "web-1", "reconnect", "begin", "-").err())
                    .contains("the tNVE has the VM (RUNNING): nothing to do");

            // the tNVE restarts without its records (a new state directory): it does not know the VM
            f.restartTnve(0, false);
            assertThat(tnve(f.tnves.getFirst(), "web-1")).isEqualTo("-");
            env = envFile(dir, "h1-again", f.tnves.getFirst());
            assertThat(ok(env, WEB, "web-1", "reconnect", "begin", "-").err())
                    .contains("the tNVE did not know the running VM: adopted, 2 TSIs announced activated in ");
            assertThat(tnve(f.tnves.getFirst(), "web-1"))
                    .isEqualTo("RUNNING, 52:54:00:6b:3c:01 ACTIVATED, 52:54:00:6b:3c:02 ACTIVATED");
            assertThat(nnve(f)).containsExactlyInAnyOrder("0 52:54:00:6b:3c:01 ACTIVATED", "0 52:54:00:6b:3c:02 ACTIVATED");
            assertThat(logged(f, "nnve-api", "peer.restarted")).isEqualTo(1);
            assertThat(logged(f, "nnve-api", "tsi.state")).as("no TSI changed state at the nNVE").isEqualTo(transitions);
            // known now, and recorded: a later reconnect leaves it alone; stopped de-associates as ever
            assertThat(ok(env, WEB, "web-1", "reconnect", "begin", "-").err()).contains("nothing to do");
            ok(env, WEB, "web-1", "stopped", "end", "-");
            assertThat(nnve(f)).isEmpty();
        }
    }

    @Test
    @DisplayName("LC-CREATE, SM-REASON: a prepare the nNVE refuses exits non-zero with the reason on stderr (libvirt does not start "
            + "the VM); malformed XML too; the stopped and release that follow succeed")
    void refused(@TempDir Path dir) throws Exception {
        try (Fixture f = new Fixture(1)) {
            Path env = envFile(dir, "h1", f.tnves.getFirst());
            String bad = domain("db-9", "", networkInterface("52:54:00:00:00:09", "vn-9999", "vnet0", 1));
            Run r = hook(env, bad, "db-9", "prepare", "begin", "-");
            assertThat(r.status()).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err()).contains("splitnve libvirt-hook: db-9 prepare begin: failed: 422 ", "VDP reason code", "9999");
            assertThat(nnve(f)).isEmpty();
            assertThat(tnve(f.tnves.getFirst(), "db-9")).as("a refused create leaves nothing (OPS-2)").isEqualTo("-");
            ok(env, bad, "db-9", "stopped", "end", "-");
            ok(env, bad, "db-9", "release", "end", "failed");
            Run malformed = hook(env, "<domain><name>x</name><devices>", "x", "prepare", "begin", "-");
            assertThat(malformed.status()).isEqualTo(1);
            assertThat(malformed.err()).contains("refused: the domain XML is not well-formed: line 1");
            // the tNVE not running: the VM must not start without its network
            Path nowhere = Files.writeString(dir.resolve("none.env"), "SPLITNVE=" + dir.resolve("splitnve")
                    + "\nSPLITNVE_API=http://127.0.0.1:1\n");
            Run down = hook(nowhere, WEB, "web-1", "prepare", "begin", "-");
            assertThat(down.status()).isEqualTo(1);
            assertThat(down.err()).contains("no daemon answers at http://127.0.0.1:1");
            // ... but a running VM is never killed for it: libvirt kills a domain whose reconnect hook fails (REL-1)
            Run reconnect = ok(nowhere, WEB, "web-1", "reconnect", "begin", "-");
            assertThat(reconnect.err()).contains("no daemon answers at http://127.0.0.1:1", "the VM keeps running");
            // ... while a VM without interfaces on a VN never depends on the tNVE
            String plain = domain("plain", "", bridgeInterface("52:54:00:00:00:99", "vnet5"));
            for (String[] e : List.of(new String[] {"prepare", "begin", "-"}, new String[] {"started", "begin", "-"},
                    new String[] {"stopped", "end", "-"}, new String[] {"release", "end", "shutdown"})) {
                assertThat(ok(nowhere, plain, "plain", e[0], e[1], e[2]).err()).contains("no interface on a Split-NVE VN");
            }
        }
    }

    @Test
    @DisplayName("LC-MIGRATE, SM-TSI-7: libvirt's migration events on two hosts: migrate begin on the destination associates with the "
            + "arrival hint, its started activates (make-before-break: the source's TSIs are still Activated), the source's stopped "
            + "de-associates; the TSIs end Activated at the destination's port only")
    void migration(@TempDir Path dir) throws Exception {
        try (Fixture f = new Fixture(2)) {
            Path src = envFile(dir, "h1", f.tnves.get(0));
            Path dst = envFile(dir, "h2", f.tnves.get(1));
            ok(src, WEB, "web-1", "prepare", "begin", "-");
            ok(src, WEB, "web-1", "started", "begin", "-");
            // the destination, in libvirt's order: migrate, prepare, start, (the memory moves), started
            assertThat(ok(dst, WEB, "web-1", "migrate", "begin", "-").err()).contains("incoming migration", "prepared");
            assertThat(nnve(f)).containsExactlyInAnyOrder("0 52:54:00:6b:3c:01 ACTIVATED", "0 52:54:00:6b:3c:02 ACTIVATED",
                    "1 52:54:00:6b:3c:01 ASSOCIATED", "1 52:54:00:6b:3c:02 ASSOCIATED");
            assertThat(ok(dst, WEB, "web-1", "prepare", "begin", "-").err()).contains("prepared already");
            ok(dst, WEB, "web-1", "start", "begin", "-");
            assertThat(ok(dst, WEB, "web-1", "started", "begin", "-").err()).contains("committed");
            List<String> both = nnve(f);
            // make-before-break: the destination's TSIs are Activated while the source's still are
            assertThat(both).containsExactlyInAnyOrder("0 52:54:00:6b:3c:01 ACTIVATED", "0 52:54:00:6b:3c:02 ACTIVATED",
                    "1 52:54:00:6b:3c:01 ACTIVATED", "1 52:54:00:6b:3c:02 ACTIVATED");
            // the source, told after the move
            ok(src, WEB, "web-1", "stopped", "end", "-");
            ok(src, WEB, "web-1", "release", "end", "-");
            assertThat(nnve(f)).containsExactlyInAnyOrder("1 52:54:00:6b:3c:01 ACTIVATED", "1 52:54:00:6b:3c:02 ACTIVATED");
            assertThat(tnve(f.tnves.get(0), "web-1")).as("the source forgot the VM").isEqualTo("-");
        }
    }

    @Test
    @DisplayName("LC-MIGRATE: an incoming migration that fails (the destination's QEMU stops before started) is aborted: nothing left there")
    void failedIncomingMigration(@TempDir Path dir) throws Exception {
        try (Fixture f = new Fixture(2)) {
            Path src = envFile(dir, "h1", f.tnves.get(0));
            Path dst = envFile(dir, "h2", f.tnves.get(1));
            ok(src, WEB, "web-1", "prepare", "begin", "-");
            ok(src, WEB, "web-1", "started", "begin", "-");
            ok(dst, WEB, "web-1", "migrate", "begin", "-");
            assertThat(ok(dst, WEB, "web-1", "stopped", "end", "-").err()).contains("aborted");
            ok(dst, WEB, "web-1", "release", "end", "failed");
            assertThat(nnve(f)).containsExactlyInAnyOrder("0 52:54:00:6b:3c:01 ACTIVATED", "0 52:54:00:6b:3c:02 ACTIVATED");
        }
    }
}
