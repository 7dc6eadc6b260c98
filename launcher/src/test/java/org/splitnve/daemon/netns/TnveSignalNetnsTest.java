package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.await;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.DaemonLab.vns;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.nnve.Tsi;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import tools.jackson.databind.JsonNode;

/**
 * Issue 13's signals, the tNVE's row: SIGKILL, SIGTERM and SIGHUP to a tNVE daemon process while a client (an
 * orchestrator, the libvirt hook) creates and starts VMs through its HTTP API, one after another; the nNVE daemon runs
 * in this JVM. What a client was told succeeded (200) must survive: the tNVE's VM records are written before it
 * answers (REL-1), and after a restart it announces them again (REL-7). A request cut by the signal is not
 * acknowledged; whatever it left at the nNVE is either announced again (its record was written) or released at the
 * end of the resynchronisation: the two sides agree again, nothing is left behind.
 */
class TnveSignalNetnsTest {
    static final MacAddress NNVE = mac(0x10);
    static final MacAddress STATION = mac(1);

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    /** TSI ID to its state at uplink {@code tor}, for every TSI the tNVE holds there (not INIT), from its API. */
    static Map<String, String> atTnve(TnveProcess p) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode vm : p.get("/v1/vms").values()) {
            for (JsonNode t : vm.get("tsis").values()) {
                for (JsonNode u : t.get("uplinks").values()) {
                    String state = u.get("state").asString();
                    if (!state.equals("INIT")) {
                        out.put(t.get("id").asString(), state);
                    }
                }
            }
        }
        return out;
    }

    /** The VMs' states at the tNVE, by name. */
    static Map<String, String> vmStates(TnveProcess p) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode vm : p.get("/v1/vms").values()) {
            out.put(vm.get("name").asString(), vm.get("state").asString());
        }
        return out;
    }

    /** TSI ID to its state at the nNVE, for every TSI instance it holds. */
    static Map<String, String> atNnve(Nnve n) throws Exception {
        return n.call(() -> {
            Map<String, String> out = new TreeMap<>();
            for (Tsi t : n.d.engine().tsis()) {
                out.put(t.id().toString(), t.state().name());
            }
            return out;
        });
    }

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"KILL", "TERM", "HUP"})
    @DisplayName("REL-1, REL-7, OPS-5: SIGKILL, SIGTERM or SIGHUP to a tNVE daemon process while its API creates and starts"
            + " VMs one after another: every VM whose create-and-start was answered 200 is, after the restart (KILL, TERM)"
            + " or the reload (HUP, a log level changed), RUNNING at the tNVE and its TSI Activated at the nNVE with its"
            + " addresses; the tNVE and the nNVE then hold exactly the same TSIs in the same states: nothing acknowledged"
            + " is lost, nothing is left behind")
    void signalWithRequestsInFlight(String signal) throws Exception {
        lab.timers(NnveKillNetnsTest.COLD_NNVE_TIMERS); // the tNVE is a cold JVM of its own, started twice
        String nsN = lab.namespace("n");
        String nsT = lab.namespace("t");
        DaemonLab.Bridge w = lab.wire("w0");
        lab.attach(w, nsN, "p0", NNVE);
        lab.attach(w, nsT, "up0", STATION);
        Nnve n = lab.nnve("n1", port(nsN, "p0", "tags = \"100-199\"") + vns(5000, 5001));
        String text = lab.tnveConfig("h1", uplink("tor", nsT, "up0", NNVE.toString(), ""));
        Path config = lab.write("h1.conf", text);
        TnveProcess first = TnveProcess.start(lab, config, lab.dir().resolve("h1-run1.log"));

        // the client: VMs created and started one after another, through whichever process runs now
        AtomicReference<TnveProcess> target = new AtomicReference<>(first);
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, TsiSpec> acknowledged = new ConcurrentHashMap<>();
        List<String> refused = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread client = Thread.ofPlatform().name("client").start(() -> {
            for (int i = 1; !stop.get() && i < 400; i++) {
                TsiSpec t = tsi(i, i % 2 == 0 ? 5000 : 5001);
                String name = "vm" + i;
                try {
                    HttpResponse<String> r = target.get().tryPost("/v1/vms", TnveProcess.vmBody(name, t, true));
                    if (r.statusCode() == 200) {
                        acknowledged.put(name, t);
                    } else {
                        refused.add(name + " " + r.statusCode());
                    }
                } catch (Exception e) {
                    refused.add(name + " " + e); // the daemon is away (killed, stopping, starting)
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException x) {
                        return;
                    }
                }
            }
        });
        await("VMs acknowledged before the signal", Duration.ofSeconds(60), () -> acknowledged.size() >= 5);

        if (signal.equals("HUP")) {
            Files.writeString(config, text.replace("level = \"debug\"", "level = \"info\""));
            int reloads = first.events("daemon.reloaded").size();
            first.signal("HUP");
            await("the reload logged", Duration.ofSeconds(30), () -> first.events("daemon.reloaded").size() > reloads
                    || !first.events("daemon.reload_failed").isEmpty() || !first.process.isAlive());
            assertThat(first.process.isAlive()).as("the tNVE after SIGHUP").isTrue();
            assertThat(first.events("daemon.reload_failed")).as("reloads refused").isEmpty();
        } else {
            first.signal(signal);
            assertThat(first.awaitExit()).as("the tNVE's exit status after SIG%s", signal)
                    .isEqualTo(signal.equals("KILL") ? 128 + 9 : 0);
            target.set(TnveProcess.start(lab, config, lab.dir().resolve("h1-run2.log")));
        }
        int atSignal = acknowledged.size();
        await("VMs acknowledged after the signal", Duration.ofMinutes(2),
                () -> acknowledged.size() >= atSignal + 5 || !client.isAlive());
        stop.set(true);
        client.join(TimeUnit.SECONDS.toMillis(120));
        TnveProcess now = target.get();

        // the two sides agree again: the same TSIs, in the same states (a TSI a cut request left at the nNVE and the
        // tNVE has no record of is released at the end of the resynchronisation)
        await("the tNVE and the nNVE hold the same TSIs in the same states", Duration.ofSeconds(90),
                () -> atTnve(now).equals(atNnve(n)));
        Map<String, String> vms = vmStates(now);
        Map<String, String> tsis = atNnve(n);
        for (Map.Entry<String, TsiSpec> e : acknowledged.entrySet()) {
            assertThat(vms.get(e.getKey())).as("VM %s, acknowledged, at the tNVE", e.getKey()).isEqualTo("RUNNING");
            String id = e.getValue().id().toString();
            assertThat(tsis.get(id)).as("its TSI at the nNVE").isEqualTo("ACTIVATED");
            List<String> ips = n.call(() -> n.d.engine().instances(e.getValue().id()).getFirst().addresses().stream()
                    .filter(a -> a.ip() != null).map(TsiAddress::ipText).toList());
            assertThat(ips).as("its addresses at the nNVE").containsExactlyInAnyOrderElementsOf(
                    e.getValue().ips().stream().map(TsiAddress::ipText).toList());
        }
        System.out.printf("[REL-1 tNVE SIG%s] %d VMs created and started with 200 around the signal (%d before it), %d"
                + " requests not acknowledged (%s); the tNVE and the nNVE agree on %d TSIs%n", signal,
                acknowledged.size(), atSignal, refused.size(), refused.stream().limit(3).toList(), tsis.size());
    }
}
