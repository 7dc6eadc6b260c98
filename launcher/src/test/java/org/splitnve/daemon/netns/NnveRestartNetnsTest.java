package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.await;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.text;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.DaemonLab.vns;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.splitnve.daemon.netns.DaemonLab.Bridge;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EntryState;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;

/**
 * REL-7 between the real daemons on real frames: the nNVE daemon stops and a new one starts on the same
 * interface from the same configuration (a restart: none of its state is kept) while a tNVE daemon holds
 * running, suspended and defined VMs on it; with and without keys, with 0% and 20% loss. The simulation's
 * counterpart: sim/.../scenario/NnveRestartScenarioTest.
 */
class NnveRestartNetnsTest {
    static final MacAddress NNVE = mac(0x10);
    static final MacAddress STATION = mac(1);

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    @ParameterizedTest(name = "loss {0}%, keys {1}")
    @CsvSource({"0, false", "20, false", "0, true", "20, true"})
    @DisplayName("REL-7, OPS-1: an nNVE daemon restarts; the tNVE daemon notices, shows its uplink as not in sync, "
            + "negotiates the session and extensions again and re-associates and re-activates every TSI with all its "
            + "addresses; the NVA has the forwarding entries again; the extensions work afterwards")
    void nnveRestart(int loss, boolean keys) throws Exception {
        lab.loss(loss);
        String nsN = lab.namespace("n");
        String nsA = lab.namespace("a");
        Bridge wire = lab.wire("w0");
        lab.attach(wire, nsN, "p0", NNVE);
        lab.attach(wire, nsA, "up0", STATION);
        String nnveAuth = "";
        String tnveAuth = "";
        if (keys) {
            byte[] key = new byte[32];
            for (int i = 0; i < key.length; i++) {
                key[i] = (byte) (0x5A ^ i * 11);
            }
            lab.keyFile("a.key", key);
            nnveAuth = """
                    [auth]
                    allow_unauthenticated = false
                    [[auth.key]]
                    station = "%s"
                    id = 3
                    file = "a.key"
                    """.formatted(STATION);
            tnveAuth = """
                    [[auth.key]]
                    uplink = "tor"
                    id = 3
                    file = "a.key"
                    """;
        }
        Nnve n = lab.nnve("n1", port(nsN, "p0", "tags = \"100-199\"") + nnveAuth + vns(5000, 6000));
        Tnve a = lab.tnve("ha", uplink("tor", nsA, "up0", NNVE.toString(), "nnve = \"" + NNVE + "\"") + tnveAuth);

        TsiSpec running = tsi(1, 5000);
        TsiSpec suspended = tsi(2, 6000);
        TsiSpec defined = tsi(3, 5000);
        a.ok(e -> e.create("vm1", List.of(running)));
        a.ok(e -> e.start("vm1"));
        a.ok(e -> e.create("vm2", List.of(suspended)));
        a.ok(e -> e.start("vm2"));
        a.ok(e -> e.suspend("vm2"));
        a.ok(e -> e.create("vm3", List.of(defined)));
        assertThat(a.call(() -> a.d.engine().uplinkInSync("tor"))).isTrue();

        long t0 = System.nanoTime();
        Nnve again = lab.restart(n);
        await("every TSI back on the restarted nNVE, in its state, with its addresses", Duration.ofSeconds(60), () -> {
            List<Tsi> tsis = again.tsis();
            return tsis.size() == 3 && again.state(running) == TsiState.ACTIVATED
                    && again.state(suspended) == TsiState.ASSOCIATED && again.state(defined) == TsiState.ASSOCIATED
                    && again.call(() -> again.d.engine().instances(running.id()).getFirst().addresses()
                            .containsAll(running.ips()))
                    && a.call(() -> a.d.engine().uplinkInSync("tor"));
        });
        long took = System.nanoTime() - t0;
        System.out.printf("[REL-7 loss %d%% keys %s] restarted nNVE back in sync with 3 TSIs in %d ms%n", loss, keys,
                took / 1_000_000);

        assertThat(again.events("tsi.state")).as("the new nNVE started with nothing: each TSI built anew from Init")
                .filteredOn(e -> "INIT".equals(text(e, "from"))).extracting(e -> text(e, "tsi"))
                .contains(running.id().toString().replace("uuid:", ""), suspended.id().toString().replace("uuid:", ""),
                        defined.id().toString().replace("uuid:", ""));
        assertThat(a.events("uplink.state")).as("the tNVE said it was resynchronising, then in sync")
                .anySatisfy(e -> assertThat(text(e, "state")).isEqualTo("resync"))
                .anySatisfy(e -> assertThat(text(e, "state")).isEqualTo("in-sync"));
        assertThat(again.call(() -> again.d.engine().instances(suspended.id()).getFirst().addresses()))
                .containsAll(suspended.ips());
        assertThat(again.bindings(running)).singleElement()
                .satisfies(b -> assertThat(b.state()).isEqualTo(EntryState.FORWARDING));
        assertThat(a.call(() -> a.d.engine().acknowledgedIps("tor", running.id()))).containsExactlyElementsOf(
                running.ips());

        // The extensions are in force again: suspend is a deactivate, resume an activate.
        a.ok(e -> e.suspend("vm1"));
        assertThat(again.state(running)).isEqualTo(TsiState.ASSOCIATED);
        a.ok(e -> e.resume("vm1"));
        assertThat(again.state(running)).isEqualTo(TsiState.ACTIVATED);
        // A VM created now reaches the nNVE with its addresses.
        TsiSpec later = tsi(4, 5000);
        a.ok(e -> e.create("vm4", List.of(later)));
        assertThat(again.call(() -> again.d.engine().instances(later.id()).getFirst().addresses()))
                .containsAll(later.ips());
        // the retransmissions of the nNVE before its restart count too: with only those after it, a run whose dropped
        // frames all fell before the restart (or on LLDP) found none (a fresh-clone run: 0 of 2 nodes)
        lab.reportLoss(n, again, a);
    }
}
