package org.splitnve.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.JsonCodec;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.http.Fixture;
import tools.jackson.databind.JsonNode;

/**
 * The nNVE's own initiative from the command line ({@code splitnve tsi deactivate|deassociate}) and the nNVE's
 * TSIs by VN and one by one ({@code show tsis --vn}, {@code show tsi}), against a real nNVE and tNVE in this
 * process over in-memory links; the peers with their LLDP names.
 */
class TsiCommandTest {
    private final CliRun cli = new CliRun();

    private CliRun.Result ok(String... argv) {
        CliRun.Result r = cli.run(argv);
        assertThat(r.status()).as("splitnve %s%n%s", String.join(" ", argv), r).isZero();
        return r;
    }

    /** The nNVE's instances of one TSI, through {@code splitnve show tsi KEY --json}. */
    private JsonNode tsi(String nnve, String key) throws Exception {
        List<JsonNode> l = JsonCodec.items(JsonCodec.tree(ok("show", "tsi", key, "--json", "--api", nnve).out()));
        assertThat(l).hasSize(1);
        return l.getFirst();
    }

    private static void until(String what, Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 10 s for: " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    @DisplayName("REQ-9, OPS-2: `tsi deactivate MAC --address IP` deactivates one address, `tsi deactivate ID` the TSI, "
            + "`tsi deassociate MAC` de-associates it; each time the tNVE learns it (`vm show`) and `vm reconnect` "
            + "brings the VM back")
    void nnveInitiative() throws Exception {
        try (Fixture f = new Fixture(1)) {
            String n = Fixture.url(f.nnve);
            String t = Fixture.url(f.tnves.getFirst());
            ok("vm", "create", "vm1", "--vn", "5000", "--mac", "52:54:00:00:00:01", "--ip", "10.0.0.1", "--ip", "10.0.0.2",
                    "--start", "--api", t);
            ok("vm", "create", "vm2", "--vn", "5001", "--mac", "52:54:00:00:00:02", "--start", "--api", t);
            String id = tsi(n, "52:54:00:00:00:01").get("id").asString();

            // one address (REQ-9: some addresses of a TSI); the TSI named by its MAC
            CliRun.Result one = ok("tsi", "deactivate", "52:54:00:00:00:01", "--address", "10.0.0.2", "--reason",
                    "maintenance window", "--api", n);
            assertThat(one.out()).matches("(?s)TSI " + id + ": deactivating 10\\.0\\.0\\.2 of\\.\\.\\. deactivated 1 instance"
                    + " in \\d+ ms \\(nNVE answered in \\d+\\.\\d ms\\)\nTSI .*ACTIVATED.*10\\.0\\.0\\.1,10\\.0\\.0\\.2  10\\.0\\.0\\.2 .*");
            JsonNode held = tsi(n, id);
            assertThat(held.get("state").asString()).isEqualTo("ACTIVATED");
            assertThat(JsonCodec.items(held.get("ips"))).extracting(JsonNode::asString).containsExactly("10.0.0.1", "10.0.0.2");
            assertThat(JsonCodec.items(held.get("inactiveIps"))).extracting(JsonNode::asString).containsExactly("10.0.0.2");

            // the whole TSI, named by its ID: associated, not activated, and the tNVE reports it
            ok("tsi", "deactivate", id, "--api", n);
            assertThat(tsi(n, id).get("state").asString()).isEqualTo("ASSOCIATED");
            until("the tNVE learns of the Deactivate", () -> ok("vm", "show", "vm1", "--api", t).out().contains(" ASSOCIATED "));
            ok("vm", "reconnect", "vm1", "--api", t);
            assertThat(tsi(n, id).get("state").asString()).isEqualTo("ACTIVATED");

            // de-associate: gone at the nNVE, INIT at the tNVE, and back with vm reconnect
            CliRun.Result gone = ok("tsi", "deassociate", "52:54:00:00:00:01", "--reason", "policy", "--api", n);
            assertThat(gone.out()).matches("TSI " + id + ": de-associating\\.\\.\\. de-associated 1 instance in \\d+ ms"
                    + " \\(nNVE answered in \\d+\\.\\d ms\\)\n");
            CliRun.Result none = cli.run("show", "tsi", id, "--api", n);
            assertThat(none.status()).isEqualTo(1);
            assertThat(none.err()).isEqualTo("splitnve: no TSI " + id + " at " + n + "\n");
            until("the tNVE learns of the De-Associate", () -> ok("vm", "show", "vm1", "--api", t).out().contains(" INIT "));
            CliRun.Result again = cli.run("tsi", "deassociate", id, "--api", n);
            assertThat(again.status()).isEqualTo(1);
            assertThat(again.err()).startsWith("splitnve: 404 no TSI " + id);
            ok("vm", "reconnect", "vm1", "--api", t);
            assertThat(tsi(n, "52:54:00:00:00:01").get("state").asString()).isEqualTo("ACTIVATED");

            // the other VM was left alone throughout; show tsis --vn picks a VN's TSIs
            assertThat(tsi(n, "52:54:00:00:00:02").get("state").asString()).isEqualTo("ACTIVATED");
            assertThat(JsonCodec.items(JsonCodec.tree(ok("show", "tsis", "--vn", "5001", "--json", "--api", n).out()))).singleElement()
                    .satisfies(x -> assertThat(x.get("mac").asString()).isEqualTo("52:54:00:00:00:02"));
            assertThat(ok("show", "tsis", "--vn", "5001", "--api", n).out()).contains("52:54:00:00:00:02")
                    .doesNotContain("52:54:00:00:00:01");
            assertThat(ok("show", "tsis", "--vn", "7", "--api", n).out()).isEqualTo("no tsis at " + n + "\n");
            assertThat(ok("show", "tsi", "52:54:00:00:00:02", "--api", n).out()).startsWith("TSI           ")
                    .contains("VN            5001\n", "STATE         ACTIVATED\n", "MACS          52:54:00:00:00:02\n");
        }
    }

    @Test
    @DisplayName("`show peers` names each end device as its LLDP announces it (the tNVE's name and uplink interface) and says "
            + "how long ago the nNVE last heard from it")
    void peersWithLldpNames() throws Exception {
        try (Fixture f = new Fixture(1, ApiSettings.loopback(0), List.of(), true)) {
            String n = Fixture.url(f.nnve);
            ok("vm", "create", "vm1", "--vn", "5000", "--mac", "52:54:00:00:00:01", "--start", "--api", Fixture.url(f.tnves.getFirst()));
            until("the nNVE has the tNVE's LLDPDU", () -> JsonCodec.items(JsonCodec.tree(ok("show", "peers", "--json", "--api", n).out()))
                    .stream().anyMatch(p -> p.path("systemName").isString()));
            JsonNode peer = JsonCodec.items(JsonCodec.tree(ok("show", "peers", "--json", "--api", n).out())).getFirst();
            assertThat(peer.get("systemName").asString()).isEqualTo("h1");
            assertThat(peer.get("peerInterface").asString()).isNotBlank();
            assertThat(peer.get("lastHeardMs").isIntegralNumber() && peer.get("lastHeardMs").longValue() >= 0
                    && peer.get("lastHeardMs").longValue() <= 60_000).isTrue();
            assertThat(ok("show", "peers", "--api", n).out()).containsPattern(
                    "\n0     mem0       02:00:00:00:01:0b  h1           " + peer.get("peerInterface").asString()
                            + " +yes\\s+no\\s+1\\s+\\d+\\.\\d s ago\n");
        }
    }
}
