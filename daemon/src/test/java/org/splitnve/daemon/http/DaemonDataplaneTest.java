package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
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
 * proven on real OVS by DataplaneNetnsTest (launcher) and OverlayOvsTest (dataplane).
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
            nva.registerNve(B, InetAddress.getByName("192.0.2.2"));
            assertThat(nva.report(B, Report.of(1, new ReportOp.Serve(Set.of(5000)))).status())
                    .isEqualTo(Receipt.Status.APPLIED);
            TsiInstance remote = new TsiInstance(VsiId.uuid(UUID.fromString("0b000000-0000-4000-8000-000000000009")), B, 0,
                    5000);
            assertThat(nva.report(B, Report.of(2, ReportOp.Bind.activated(remote, List.of(TsiAddress.mac(REMOTE_MAC),
                    TsiAddress.host(InetAddress.getByName("10.0.0.9"), REMOTE_MAC)), 0))).status())
                    .isEqualTo(Receipt.Status.APPLIED);

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
}
