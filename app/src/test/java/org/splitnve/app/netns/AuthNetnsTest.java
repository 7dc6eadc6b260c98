package org.splitnve.app.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.app.netns.DaemonLab.await;
import static org.splitnve.app.netns.DaemonLab.mac;
import static org.splitnve.app.netns.DaemonLab.port;
import static org.splitnve.app.netns.DaemonLab.text;
import static org.splitnve.app.netns.DaemonLab.tsi;
import static org.splitnve.app.netns.DaemonLab.uplink;
import static org.splitnve.app.netns.DaemonLab.vns;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.app.json.Json;
import org.splitnve.app.netns.DaemonLab.Bridge;
import org.splitnve.app.netns.DaemonLab.Nnve;
import org.splitnve.app.netns.DaemonLab.Tnve;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.TsiBinding;
import org.splitnve.sim.scenario.Frames;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.transport.RawSocket;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiMode;

/**
 * Authentication end to end on real frames: an nNVE daemon that refuses unauthenticated end devices
 * ({@code allow_unauthenticated = false}) and a station daemon that shares its key ({@code [[auth.key]]}
 * on both), behind a Linux bridge; a second station without the key; a forger on a third bridge port
 * sending frames in the first station's name from a raw socket. The simulation's counterpart:
 * sim/.../scenario/AuthenticationScenarioTest and HostileInputScenarioTest (whose frame makers this uses).
 */
class AuthNetnsTest {
    static final MacAddress NNVE = mac(0x10);
    static final MacAddress KEYED = mac(1);
    static final MacAddress KEYLESS = mac(2);
    static final MacAddress FORGER = mac(0x66);
    static final int KEY_ID = 7;

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    @ParameterizedTest(name = "loss {0}%")
    @ValueSource(ints = {0, 20})
    @DisplayName("REQ-11, SEC-1, GAP-11, SEC-3, SEC-4: with keys configured on both daemons the station authenticates "
            + "and its VMs are associated and activated; a station without the key is refused (logged, nothing "
            + "associated, its VM does not run); frames in the keyed station's name with a forged or missing "
            + "authentication TLV are dropped and logged, and change nothing")
    void authenticatedPair(int loss) throws Exception {
        lab.loss(loss);
        String nsN = lab.namespace("n");
        String nsA = lab.namespace("a");
        String nsB = lab.namespace("b");
        String nsX = lab.namespace("x");
        Bridge br = lab.bridge("br0");
        lab.attach(br, nsN, "p0", NNVE);
        lab.attach(br, nsA, "up0", KEYED);
        lab.attach(br, nsB, "up0", KEYLESS);
        lab.attach(br, nsX, "x0", FORGER);
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (0xA5 ^ i * 37);
        }
        lab.keyFile("a.key", key);
        Nnve n = lab.nnve("n1", port(nsN, "p0", "tags = \"100-199\"") + """
                [auth]
                allow_unauthenticated = false
                [[auth.key]]
                station = "%s"
                id = %d
                file = "a.key"
                """.formatted(KEYED, KEY_ID) + vns(5000));
        Tnve a = lab.tnve("ha", uplink("tor", nsA, "up0", NNVE.toString(), "nnve = \"" + NNVE + "\"") + """
                [[auth.key]]
                uplink = "tor"
                id = %d
                file = "a.key"
                """.formatted(KEY_ID));

        // REQ-11: the keyed station authenticates, its VMs run
        TsiSpec t1 = tsi(1, 5000);
        TsiSpec t2 = tsi(2, 5000);
        a.ok(e -> e.create("vm1", List.of(t1)));
        a.ok(e -> e.start("vm1"));
        a.ok(e -> e.create("vm2", List.of(t2)));
        assertThat(n.state(t1)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n.state(t2)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(n.call(() -> n.d.engine().peers().stream().filter(p -> p.station().equals(KEYED))
                .map(p -> p.authenticated()).toList())).containsExactly(true);
        assertThat(n.events("peer.authenticated")).extracting(e -> text(e, "station")).containsOnly(KEYED.toString());
        assertThat(a.events("uplink.state")).anySatisfy(e -> assertThat(text(e, "state")).isEqualTo("authenticated"));

        // SEC-1: the station without the key is refused, and the refusal is logged (SEC-3)
        Tnve b = lab.tnve("hb", uplink("tor", nsB, "up0", NNVE.toString(), ""));
        TsiSpec u = tsi(3, 5000);
        OpResult refused = b.op(e -> e.create("vmB", List.of(u)));
        assertThat(refused.ok()).as("%s", refused).isFalse();
        assertThat(b.call(() -> b.d.engine().vmNamed("vmB"))).as("a refused create leaves nothing (OPS-2)").isNull();
        assertThat(n.state(u)).isEqualTo(TsiState.INIT);
        assertThat(n.peers()).doesNotContain(KEYLESS);
        assertThat(n.events("request.refused")).filteredOn(e -> KEYLESS.toString().equals(text(e, "station")))
                .isNotEmpty().allSatisfy(e -> assertThat(text(e, "detail")).contains("no key is configured"));

        // SEC-4: forged and unauthenticated frames in the keyed station's name, through its bridge
        String before = n.describe(t1) + " | " + n.describe(t2);
        List<TsiBinding> bindings1 = n.bindings(t1);
        VdpPdu deassociate = new VdpPdu(ManagerId.ofText("ha"), List.of(),
                List.of(Frames.vsi(VsiMode.DE_ASSOCIATE, t1.id(), 5000, t1.mac(), List.of())), null);
        try (RawSocket forger = RawSocket.open("x0", RawSocket.Options.defaults().inNamespace(nsX))) {
            for (int i = 0; i < 20; i++) {
                forger.send(Frames.forged(NNVE, KEYED, 1000 + i, deassociate, KEY_ID, 5_000_000L + i, i));
                forger.send(Frames.vdp(NNVE, KEYED, EcpHeader.request(2000 + i), deassociate));
            }
        }
        await("the forged frames are refused and logged", Duration.ofSeconds(10), () -> {
            List<String> verdicts = n.events("ecp.auth_refused").stream()
                    .filter(e -> KEYED.toString().equals(text(e, "peer"))).map(e -> text(e, "verdict")).toList();
            return verdicts.contains("BAD_TAG") && verdicts.contains("MISSING");
        });
        for (Json.Obj e : n.events("ecp.auth_refused")) {
            assertThat(text(e, "level")).isEqualTo("WARN");
        }
        assertThat(n.describe(t1) + " | " + n.describe(t2)).isEqualTo(before);
        assertThat(n.bindings(t1)).isEqualTo(bindings1);
        // the keyed station is served as before (its next frames also teach the bridge its port again)
        a.ok(e -> e.suspend("vm1"));
        a.ok(e -> e.resume("vm1"));
        a.ok(e -> e.start("vm2"));
        assertThat(n.state(t1)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n.state(t2)).isEqualTo(TsiState.ACTIVATED);
        lab.reportLoss(n, a);
    }
}
