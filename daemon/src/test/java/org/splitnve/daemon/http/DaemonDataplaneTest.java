package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.Bodies;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.dataplane.DataplaneState;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.client.NvaClient;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * Issue 11: the nNVE daemon's data plane model from the engine and the embedded NVA's replica, with no switch at all
 * (the bridge's socket does not exist: the switch agent keeps retrying on its own thread). The flows themselves are
 * proven on real OVS by DataplaneNetnsTest (launcher) and OverlayOvsTest (dataplane). The model is kept up to date by
 * what changed (the TSIs the engine's effects and events name, the resources the NVA replica's listener names), never
 * made whole again for a change: after every step of a lifecycle it equals one made from scratch.
 */
class DaemonDataplaneTest {
    private static final NveId B = NveId.of("nve-b");
    private static final MacAddress REMOTE_MAC = MacAddress.parse("52:54:00:00:00:09");

    private static final String DATAPLANE = """
            [dataplane]
            socket = "/nonexistent/splitnve-test/br-nve.mgmt"
            vtep = "192.0.2.1"
            tunnel_ofport = 9
            [[dataplane.port]]
            port = "mem0"
            ofport = 7
            """;

    private static <T> T await(String what, Callable<Optional<T>> probe) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Optional<T> v = probe.call();
            if (v.isPresent()) {
                return v.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 20 s for " + what);
            }
            Thread.sleep(10);
        }
    }

    /**
     * Another NVE, B, at 192.0.2.2: registered, serving VN 5000, with one Activated address there (its reports 1 and
     * 2); answers its instance.
     */
    private static TsiInstance remoteNve(RevisionedNva nva) throws Exception {
        nva.registerNve(B, InetAddress.getByName("192.0.2.2"));
        assertThat(nva.report(B, Report.of(1, new ReportOp.Serve(Set.of(5000)))).status())
                .isEqualTo(Receipt.Status.APPLIED);
        TsiInstance remote = new TsiInstance(VsiId.uuid(UUID.fromString("0b000000-0000-4000-8000-000000000009")), B, 0,
                5000);
        assertThat(nva.report(B, Report.of(2, ReportOp.Bind.activated(remote, List.of(TsiAddress.mac(REMOTE_MAC),
                TsiAddress.host(InetAddress.getByName("10.0.0.9"), REMOTE_MAC)), 0))).status())
                .isEqualTo(Receipt.Status.APPLIED);
        return remote;
    }

    @Test
    @DisplayName("DP-1, DP-2, DP-3 (issue 11): with [dataplane] and an embedded NVA, a VM started through the API is in the"
            + " data plane's model on its bridge port (ofport 7) with the nNVE's local tag, Activated, with its MAC and IP;"
            + " another NVE's registration (VTEP) and forwarding entry in the VN come from the replica, and leave when it"
            + " unbinds them; the engine never waits for the switch, which is not even there")
    void modelFromEngineAndReplica() throws Exception {
        try (Fixture f = new Fixture(1, ApiSettings.loopback(0), List.of(), false,
                dir -> "[nva]\nembedded = true\n" + DATAPLANE)) {
            NvaClient client = f.nnve.nvaClient().orElseThrow();
            RevisionedNva nva = f.nnve.embeddedNva().orElseThrow();
            await("the NVA client in sync", () -> Optional.of(client.state()).filter(s -> s == NvaClient.State.IN_SYNC));
            assertThat(nva.resource(org.splitnve.nva.service.ResourceKey.nve(NveId.of("nnve-api")))).get()
                    .asString().as("the nNVE registered with its [dataplane] vtep").contains("192.0.2.1");

            // another NVE serving VN 5000 with one Activated address
            TsiInstance remote = remoteNve(nva);

            Http.Answer a = f.t.getFirst().post("/v1/vms", ApiLifecycleTest.VM1.replace("}]}", "}], \"start\": true}"));
            assertThat(a.status()).as("%s", a).isBetween(200, 201);

            DataplaneState s = await("the started VM and the remote NVE in the model", () -> f.nnve.dataplaneModel()
                    .get(10, TimeUnit.SECONDS).filter(m -> m.tsis().stream()
                            .anyMatch(t -> t.state() == DataplaneState.TsiState.ACTIVATED) && !m.remotes().isEmpty()
                            && !m.remotes().getFirst().addresses().isEmpty()));
            assertThat(s.tunnelPort()).isEqualTo(9);
            assertThat(s.vns()).containsExactly(new DataplaneState.Vn("vn-5000", 500));
            DataplaneState.Tsi t = s.tsis().getFirst();
            assertThat(t.port()).as("the bridge's OpenFlow port of [[port]] mem0").isEqualTo(7);
            assertThat(t.vn()).isEqualTo("vn-5000");
            assertThat(t.addresses()).containsExactly(new DataplaneState.Address(
                    MacAddress.parse("52:54:00:00:00:01").value(), List.of(InetAddress.getByName("10.0.0.1"))));
            assertThat(s.remotes()).containsExactly(new DataplaneState.RemoteNve("nve-b",
                    (java.net.Inet4Address) InetAddress.getByName("192.0.2.2"), List.of("vn-5000"),
                    List.of(new DataplaneState.RemoteAddress("vn-5000", REMOTE_MAC.value(),
                            List.of(InetAddress.getByName("10.0.0.9"))))));
            assertThat(f.nnve.switchAgent().orElseThrow().connects()).as("no switch ever answered").isZero();

            assertThat(nva.report(B, Report.of(3, new ReportOp.Unbind(remote))).status()).isEqualTo(Receipt.Status.APPLIED);
            DataplaneState after = await("the remote address gone from the model", () -> f.nnve.dataplaneModel()
                    .get(10, TimeUnit.SECONDS).filter(m -> m.remotes().stream().allMatch(r -> r.addresses().isEmpty())));
            assertThat(after.remotes()).extracting(DataplaneState.RemoteNve::id).containsExactly("nve-b");
            assertThat(f.logText()).contains("\"event\":\"dataplane.desired\"");
        }
    }

    /** Two hypervisors' ports, and the model's audit every second. */
    private static final String TWO_PORTS = """
            [dataplane]
            socket = "/nonexistent/splitnve-test/br-nve.mgmt"
            vtep = "192.0.2.1"
            tunnel_ofport = 9
            audit = 1
            [[dataplane.port]]
            port = "mem0"
            ofport = 7
            [[dataplane.port]]
            port = "mem1"
            ofport = 8
            """;

    private static final Pattern WHOLE = Pattern.compile("model made whole \\(([^)]*)\\)");

    /** The reasons of the refreshes that made the model whole, in the log so far. */
    private static List<String> wholeRebuilds(Fixture f) {
        Matcher m = WHOLE.matcher(f.logText());
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The model as it is once every change named so far is in, checked against one made from scratch. */
    private static DataplaneState exact(Fixture f, String step) throws Exception {
        assertThat(f.nnve.dataplaneModelDifferences().get(10, TimeUnit.SECONDS))
                .as("%s: VNs where the incremental model differs from one made from scratch", step).isEmpty();
        return f.nnve.dataplaneModel().get(10, TimeUnit.SECONDS).orElseThrow();
    }

    private static Optional<DataplaneState.Tsi> tsi(DataplaneState s, String mac, int ofport) {
        long m = MacAddress.parse(mac).value();
        return s.tsis().stream().filter(t -> t.port() == ofport && t.addresses().stream().anyMatch(a -> a.mac() == m))
                .findFirst();
    }

    private static DataplaneState.TsiState stateOf(DataplaneState s, String mac, int ofport) {
        return tsi(s, mac, ofport).map(DataplaneState.Tsi::state).orElse(null);
    }

    @Test
    @DisplayName("DP-2, DP-5 (issue 11): the data plane's model follows each VM operation, migration and NVA change by"
            + " what changed only, and equals a model made from scratch after every step")
    void incrementalEqualsFromScratch() throws Exception {
        try (Fixture f = new Fixture(2, ApiSettings.loopback(0), List.of(), false,
                dir -> "[nva]\nembedded = true\n" + TWO_PORTS)) {
            NvaClient client = f.nnve.nvaClient().orElseThrow();
            RevisionedNva nva = f.nnve.embeddedNva().orElseThrow();
            await("the NVA client in sync", () -> Optional.of(client.state()).filter(s -> s == NvaClient.State.IN_SYNC));
            Http h1 = f.t.get(0);
            Http h2 = f.t.get(1);

            ApiLifecycleTest.vmOf(h1.post("/v1/vms", """
                    {"name": "vm1", "tsis": [{"vn": 5000, "mac": "52:54:00:00:00:01", "ips": ["10.0.0.1"]}],
                     "start": true}"""));
            ApiLifecycleTest.vmOf(h1.post("/v1/vms", """
                    {"name": "vm2", "tsis": [{"vn": 5001, "mac": "52:54:00:00:00:02", "ips": ["10.0.1.2"]}],
                     "start": true}"""));
            ApiLifecycleTest.vmOf(h2.post("/v1/vms", """
                    {"name": "vm3", "tsis": [{"vn": 5000, "mac": "52:54:00:00:00:03", "ips": ["10.0.0.3"]}]}"""));
            DataplaneState s = exact(f, "three VMs");
            assertThat(stateOf(s, "52:54:00:00:00:01", 7)).isEqualTo(DataplaneState.TsiState.ACTIVATED);
            assertThat(stateOf(s, "52:54:00:00:00:02", 7)).isEqualTo(DataplaneState.TsiState.ACTIVATED);
            assertThat(stateOf(s, "52:54:00:00:00:03", 8)).isEqualTo(DataplaneState.TsiState.ASSOCIATED);
            assertThat(s.vns()).extracting(DataplaneState.Vn::name).containsExactlyInAnyOrder("vn-5000", "vn-5001");
            List<String> setUp = wholeRebuilds(f);
            assertThat(setUp).as("the first model is made whole").isNotEmpty();

            // another NVE: registered, serving VN 5000, an Activated address, then its VTEP moves, then it unbinds
            TsiInstance remote = remoteNve(nva);
            await("the remote address in the model", () -> f.nnve.dataplaneModel().get(10, TimeUnit.SECONDS)
                    .filter(m -> m.remotes().stream().anyMatch(r -> !r.addresses().isEmpty())));
            s = exact(f, "a remote NVE's address");
            assertThat(s.remotes()).singleElement().satisfies(r -> {
                assertThat(r.vns()).containsExactly("vn-5000");
                assertThat(r.vtep().getHostAddress()).isEqualTo("192.0.2.2");
            });
            nva.registerNve(B, InetAddress.getByName("192.0.2.3"));
            await("the remote NVE's new VTEP in the model", () -> f.nnve.dataplaneModel().get(10, TimeUnit.SECONDS)
                    .filter(m -> m.remotes().stream().anyMatch(r -> r.vtep().getHostAddress().equals("192.0.2.3"))));
            exact(f, "the remote NVE's VTEP moved");

            // suspend and resume vm1: Associated, then Activated again
            ApiLifecycleTest.vmOf(h1.post("/v1/vms/vm1/suspend", ""));
            assertThat(stateOf(exact(f, "vm1 suspended"), "52:54:00:00:00:01", 7))
                    .isEqualTo(DataplaneState.TsiState.ASSOCIATED);
            ApiLifecycleTest.vmOf(h1.post("/v1/vms/vm1/resume", ""));
            assertThat(stateOf(exact(f, "vm1 resumed"), "52:54:00:00:00:01", 7))
                    .isEqualTo(DataplaneState.TsiState.ACTIVATED);

            // vm2 migrates from h1 (OpenFlow port 7) to h2 (port 8): the destination blocked while it arrives (DP-5),
            // both ends Activated during the commit, the source gone after the finish
            String m = "1b2c3d4e-0000-4000-8000-0000000000a2";
            ApiLifecycleTest.vmOf(h2.post("/v1/vms/vm2/migrate/prepare", """
                    {"migration": "%s", "tsis": [{"vn": 5001, "mac": "52:54:00:00:00:02", "ips": ["10.0.1.2"]}]}"""
                    .formatted(m)));
            s = exact(f, "vm2's destination prepared");
            assertThat(stateOf(s, "52:54:00:00:00:02", 8)).isEqualTo(DataplaneState.TsiState.ARRIVING);
            assertThat(stateOf(s, "52:54:00:00:00:02", 7)).isEqualTo(DataplaneState.TsiState.ACTIVATED);
            ApiLifecycleTest.vmOf(h1.post("/v1/vms/vm2/migrate/start", new Bodies.Migration(m)));
            ApiLifecycleTest.vmOf(h2.post("/v1/vms/vm2/migrate/commit", ""));
            s = exact(f, "vm2 committed at the destination");
            assertThat(stateOf(s, "52:54:00:00:00:02", 8)).isIn(DataplaneState.TsiState.ARRIVED,
                    DataplaneState.TsiState.ACTIVATED);
            ApiLifecycleTest.vmOf(h1.post("/v1/vms/vm2/migrate/depart", new Bodies.Migration(m)));
            ApiLifecycleTest.vmOf(h1.post("/v1/vms/vm2/migrate/finish", ""));
            s = exact(f, "vm2's migration finished");
            assertThat(tsi(s, "52:54:00:00:00:02", 7)).as("the source's instance").isEmpty();
            assertThat(stateOf(s, "52:54:00:00:00:02", 8)).isEqualTo(DataplaneState.TsiState.ACTIVATED);

            // the remote NVE unbinds; vm3 is deleted, vm1 shut down: VN 5000 has no TSI here any more
            assertThat(nva.report(B, Report.of(3, new ReportOp.Unbind(remote))).status())
                    .isEqualTo(Receipt.Status.APPLIED);
            await("the remote address gone from the model", () -> f.nnve.dataplaneModel().get(10, TimeUnit.SECONDS)
                    .filter(x -> x.remotes().stream().allMatch(r -> r.addresses().isEmpty())));
            exact(f, "the remote NVE's address unbound");
            assertThat(h2.send("DELETE", "/v1/vms/vm3", null).status()).isBetween(200, 204);
            ApiLifecycleTest.vmOf(h1.post("/v1/vms/vm1/shutdown", ""));
            s = exact(f, "vm3 deleted, vm1 shut down");
            assertThat(s.vns()).extracting(DataplaneState.Vn::name).containsExactly("vn-5001");
            assertThat(s.tsis()).extracting(DataplaneState.Tsi::vn).containsOnly("vn-5001");

            assertThat(wholeRebuilds(f)).as("every change after the set-up followed incrementally").isEqualTo(setUp);
            // the periodic audit (every second here) made the TSIs again from scratch and found none differing
            await("a turn of the model's audit", () -> Optional.of(f.nnve.dataplaneModelAudits()).filter(a -> a[0] > 0));
            assertThat(f.nnve.dataplaneModelAudits()[1]).as("TSIs the audit found differing").isZero();
            assertThat(f.logText()).contains("TSIs and").contains("NVA resources read again");
        }
    }
}
