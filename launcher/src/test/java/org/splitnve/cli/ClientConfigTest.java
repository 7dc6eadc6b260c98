package org.splitnve.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.api.JsonCodec;
import org.splitnve.config.ConfigException;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.http.Fixture;
import tools.jackson.databind.JsonNode;

/**
 * The operator's client configuration (issue 9): named endpoints, each with its own credentials, chosen with
 * {@code --endpoint} or by kind by default, against real daemons whose APIs each require their own bearer
 * token (SEC-1).
 */
class ClientConfigTest {
    private static final String H1_TOKEN = "h1-token-0123456789abcdef";
    private static final String H2_TOKEN = "h2-token-fedcba9876543210";

    /** client.conf naming the fixture's daemons: h1 and h2 (tNVEs, with their token files), tor (the nNVE). */
    private static Path clientConf(Path dir, Fixture f) throws Exception {
        Files.writeString(dir.resolve("h1.token"), H1_TOKEN + "\n");
        Files.writeString(dir.resolve("h2.token"), H2_TOKEN + "\n");
        return Files.writeString(dir.resolve("client.conf"), """
                # the operator's endpoints
                [defaults]
                tnve = "h1"
                nnve = "tor"

                [endpoint.h1]
                kind = "tnve"
                url = "%s"
                token_file = "h1.token"     # relative to this file

                [endpoint.h2]
                kind = "tnve"
                url = "%s"
                token_file = "%s"

                [endpoint.tor]
                kind = "nnve"
                url = "%s"
                """.formatted(Fixture.url(f.tnves.get(0)), Fixture.url(f.tnves.get(1)), dir.resolve("h2.token"),
                Fixture.url(f.nnve)));
    }

    @Test
    @DisplayName("SEC-1, LC-MIGRATE: `vm` and `show` find their daemon by kind (no SPLITNVE_API for both), --endpoint "
            + "picks another, and `vm migrate --to h2` gives each tNVE its own token; the source's is never sent to "
            + "the destination")
    void endpoints(@TempDir Path dir) throws Exception {
        try (Fixture f = new Fixture(2, ApiSettings.loopback(0), List.of(H1_TOKEN, H2_TOKEN), false)) {
            Path conf = clientConf(dir, f);
            CliRun cli = new CliRun(Map.of("SPLITNVE_CLIENT_CONFIG", conf.toString()));
            // the defaults: vm -> h1 (with h1's token), show -> tor
            CliRun.Result created = cli.run("vm", "create", "vm1", "--vn", "5000", "--mac", "52:54:00:00:00:01", "--start");
            assertThat(created.status()).as("%s", created).isZero();
            CliRun.Result tsis = cli.run("show", "tsis", "--json");
            assertThat(tsis.status()).as("%s", tsis).isZero();
            assertThat(JsonCodec.items(JsonCodec.tree(tsis.out()))).singleElement()
                    .satisfies(t -> assertThat(t.get("state").asString()).isEqualTo("ACTIVATED"));
            // --endpoint and SPLITNVE_ENDPOINT pick h2, with h2's token
            assertThat(cli.run("vm", "list", "--endpoint", "h2").out()).startsWith("no VMs on " + Fixture.url(f.tnves.get(1)));
            assertThat(new CliRun(Map.of("SPLITNVE_CLIENT_CONFIG", conf.toString(), "SPLITNVE_ENDPOINT", "h2"))
                    .run("vm", "list").out()).startsWith("no VMs on ");
            // the migration: source h1 (default) with h1's token, destination h2 with h2's token
            CliRun.Result m = cli.run("vm", "migrate", "vm1", "--to", "h2");
            assertThat(m.status()).as("%s", m).isZero();
            assertThat(m.out()).contains("vm1 runs on " + Fixture.url(f.tnves.get(1)));
            assertThat(cli.run("vm", "show", "vm1", "-e", "h2").out()).startsWith("VM vm1: RUNNING");
            assertThat(cli.run("vm", "list").out()).startsWith("no VMs on " + Fixture.url(f.tnves.get(0)));

            // back to h1 named by a URL that is no endpoint's (localhost for 127.0.0.1): h2's token (the source's
            // --from endpoint) is not sent there, so h1 refuses the destination's first step (401) and the
            // migration is aborted on the source
            String h1ByName = Fixture.url(f.tnves.get(0)).replace("127.0.0.1", "localhost");
            CliRun.Result refused = cli.run("vm", "migrate", "vm1", "--from", "h2", "--to", h1ByName);
            assertThat(refused.status()).as("%s", refused).isEqualTo(1);
            assertThat(refused.out()).contains("destination: prepare (associate 1 TSI with the arrival hint)... failed: 401 ")
                    .contains("source: abort... the VM runs here again");
            assertThat(cli.run("vm", "show", "vm1", "-e", "h2").out()).startsWith("VM vm1: RUNNING");
            // with the destination's own token file it goes
            CliRun.Result back = cli.run("vm", "migrate", "vm1", "--from", "h2", "--to", h1ByName,
                    "--to-token-file", dir.resolve("h1.token").toString());
            assertThat(back.status()).as("%s", back).isZero();
            assertThat(cli.run("vm", "show", "vm1").out()).startsWith("VM vm1: RUNNING");
            // and a URL that is an endpoint's takes that endpoint's token: to h2 and back by URL
            assertThat(cli.run("vm", "migrate", "vm1", "--to", Fixture.url(f.tnves.get(1))).status()).isZero();
            assertThat(cli.run("vm", "migrate", "vm1", "--from", Fixture.url(f.tnves.get(1)), "--to",
                    Fixture.url(f.tnves.get(0))).status()).isZero();
            assertThat(cli.run("vm", "show", "vm1").out()).startsWith("VM vm1: RUNNING");
        }
    }

    @Test
    @DisplayName("SEC-1: --api and --token-file still work beside a client configuration; mistakes in choosing are "
            + "usage errors (exit 2): an unknown endpoint, an nNVE for `vm`, --api with --endpoint")
    void choosing(@TempDir Path dir) throws Exception {
        try (Fixture f = new Fixture(2, ApiSettings.loopback(0), List.of(H1_TOKEN, H2_TOKEN), false)) {
            Path conf = clientConf(dir, f);
            CliRun cli = new CliRun(Map.of("SPLITNVE_CLIENT_CONFIG", conf.toString()));
            String t2 = Fixture.url(f.tnves.get(1));
            String t2ByName = t2.replace("127.0.0.1", "localhost");
            assertThat(cli.run("vm", "list", "--api", t2ByName).status()).as("h2 without its token").isEqualTo(1);
            assertThat(cli.run("vm", "list", "--api", t2ByName, "--token-file", dir.resolve("h2.token").toString())
                    .status()).isZero();
            assertThat(cli.run("vm", "list", "--api", t2).status()).as("h2's URL: h2's token").isZero();
            assertThat(new CliRun(Map.of("SPLITNVE_CLIENT_CONFIG", conf.toString(), "SPLITNVE_API", t2, "SPLITNVE_TOKEN",
                    H2_TOKEN)).run("vm", "list").out()).as("SPLITNVE_API over the default endpoint").startsWith("no VMs on " + t2);

            CliRun.Result unknown = cli.run("vm", "list", "--endpoint", "h9");
            assertThat(unknown.status()).isEqualTo(2);
            assertThat(unknown.err()).startsWith("splitnve: no endpoint 'h9' in " + conf + " (it has: h1, h2, tor)\n");
            CliRun.Result kind = cli.run("vm", "list", "--endpoint", "tor");
            assertThat(kind.status()).isEqualTo(2);
            assertThat(kind.err()).startsWith("splitnve: endpoint 'tor' is an nNVE; this command talks to a tNVE");
            assertThat(cli.run("vm", "list", "--endpoint", "h1", "--api", t2).err()).contains("give one");
            assertThat(cli.run("show", "status", "--endpoint", "h2").out()).as("status reads either kind")
                    .startsWith("tnve h2, session epoch ");
            assertThat(cli.run("show", "status").out()).as("by default the nNVE endpoint").startsWith("nnve nnve-api, ");
            CliRun.Result missing = new CliRun(Map.of("SPLITNVE_CLIENT_CONFIG", dir.resolve("none.conf").toString()))
                    .run("vm", "list", "--endpoint", "h1");
            assertThat(missing.status()).isEqualTo(2);
            assertThat(missing.err()).contains("none.conf: no such client configuration file");
        }
    }

    @Test
    @DisplayName("the client configuration is checked like a daemon's: each mistake with its file, line, section and key")
    void mistakes(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("bad.conf"), """
                [defaults]
                tnve = "tor"
                nnve = "gone"
                colour = "blue"
                [endpoint.tor]
                kind = "nnve"
                url = "http://tor.example:7480"
                [endpoint.h1]
                url = "ftp://h1"
                [routes]
                """);
        assertThatThrownBy(() -> ClientSettings.load(f, true, dir)).isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactlyInAnyOrder(
                        f + ":9: [endpoint.h1] url: an http:// or https:// URL with a host, not \"ftp://h1\"",
                        f + ":8: [endpoint.h1] missing required key 'kind'",
                        f + ":10: [routes] unknown section [routes] (known: [defaults], [endpoint.NAME])",
                        f + ":2: [defaults] tnve: [endpoint.tor] is an nNVE, not a tNVE",
                        f + ":3: [defaults] nnve: no [endpoint.gone] in this file",
                        f + ":4: [defaults] colour: unknown key (known in [defaults]: tnve, nnve)"));
        assertThat(ClientSettings.load(dir.resolve("absent.conf"), true, dir).endpoints()).isEmpty();
        Path ok = Files.writeString(dir.resolve("ok.conf"), """
                [endpoint.h1]
                kind = "tnve"
                url = "https://h1.example:7481"
                token_file = "~/tokens/h1"
                """);
        ClientSettings.Endpoint h1 = ClientSettings.load(ok, true, dir).endpoints().get("h1");
        assertThat(h1).isEqualTo(new ClientSettings.Endpoint("h1", ClientSettings.Kind.TNVE, "https://h1.example:7481",
                dir.resolve("tokens/h1")));
    }
}
