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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.daemon.netns.DaemonLab.Bridge;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.TsiBinding;
import org.splitnve.protocol.auth.HmacFrameAuthenticator;
import org.splitnve.protocol.auth.KeyRing;
import org.splitnve.protocol.auth.Role;
import org.splitnve.sim.scenario.Frames;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.transport.RawSocket;
import org.splitnve.transport.WireTap;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiTlv;
import tools.jackson.databind.JsonNode;

/**
 * Authentication end to end on real frames: an nNVE daemon that refuses unauthenticated end devices
 * ({@code allow_unauthenticated = false}) and a station daemon that shares its key ({@code [[auth.key]]}
 * on both), behind a Linux bridge; a second station without the key; a forger on a third bridge port
 * sending frames in the first station's name from a raw socket. Mutual means the station refuses too: a keyed
 * station facing an nNVE with another key or without authentication (a downgrade) sends nothing unsigned and no
 * request, and frames forged or replayed in the nNVE's name are dropped by the station. The simulation's counterpart:
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
        for (JsonNode e : n.events("ecp.auth_refused")) {
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

    // ------------------------------------------------------------------ the tNVE's side (REQ-11 is mutual)

    static final MacAddress OTHER_KEY = mac(3);
    static final MacAddress DOWNGRADED = mac(4);

    @ParameterizedTest(name = "loss {0}%")
    @ValueSource(ints = {0, 20})
    @DisplayName("REQ-11, GAP-11, SEC-3: two keyed station daemons that the nNVE daemon does not authenticate: one "
            + "holds another key than the nNVE has for it, the other faces an nNVE that takes it without "
            + "authentication (a downgrade). Neither sends an unsigned frame or any request item, neither's VM runs; "
            + "the downgraded station drops the nNVE's unsigned frames (MISSING), the other drops frames signed with "
            + "the nNVE's key (BAD_TAG), both logged")
    void stationsRefuseAnotherKeyAndDowngrade(int loss) throws Exception {
        // A shorter resource wait delay (RWD 16, 0.65 s): a request held for want of a session fails after about
        // 1.4 s instead of 16 s.
        lab.loss(loss).timers(DaemonLab.TIMERS.replace("rwd = 20", "rwd = 16"));
        String nsN = lab.namespace("n");
        String nsA = lab.namespace("a");
        String nsB = lab.namespace("b");
        String nsX = lab.namespace("x");
        Bridge br = lab.bridge("br0");
        lab.attach(br, nsN, "p0", NNVE);
        lab.attach(br, nsA, "up0", OTHER_KEY);
        lab.attach(br, nsB, "up0", DOWNGRADED);
        lab.learning(lab.attach(br, nsX, "x0", FORGER), false);
        byte[] stationKey = key(0xA5);
        byte[] nnveKey = key(0x3C);
        lab.keyFile("station.key", stationKey);
        lab.keyFile("nnve.key", nnveKey);
        WireTap atNnve = lab.closeAfter(new WireTap(nsN, "p0"));
        // The nNVE has another key for OTHER_KEY, none for DOWNGRADED (which it takes unauthenticated).
        Nnve n = lab.nnve("n1", port(nsN, "p0", "tags = \"100-199\"") + """
                [auth]
                allow_unauthenticated = true
                [[auth.key]]
                station = "%s"
                id = %d
                file = "nnve.key"
                """.formatted(OTHER_KEY, KEY_ID) + vns(5000));
        String stationAuth = """
                [[auth.key]]
                uplink = "tor"
                id = %d
                file = "station.key"
                """.formatted(KEY_ID);
        Tnve a = lab.tnve("ha", uplink("tor", nsA, "up0", NNVE.toString(), "nnve = \"" + NNVE + "\"") + stationAuth);
        Tnve b = lab.tnve("hb", uplink("tor", nsB, "up0", NNVE.toString(), "nnve = \"" + NNVE + "\"") + stationAuth);

        TsiSpec ta = tsi(11, 5000);
        TsiSpec tb = tsi(12, 5000);
        // the engine's futures as CompletionStages: not futures of futures (Error Prone FutureReturnValueIgnored)
        CompletableFuture<OpResult> ca = a.daemon.runner()
                .call(() -> (CompletionStage<OpResult>) a.d.engine().create("vmA", List.of(ta))).get(10, TimeUnit.SECONDS)
                .toCompletableFuture();
        CompletableFuture<OpResult> cb = b.daemon.runner()
                .call(() -> (CompletionStage<OpResult>) b.d.engine().create("vmB", List.of(tb))).get(10, TimeUnit.SECONDS)
                .toCompletableFuture();
        // What the nNVE with another key would send if it answered: its hello, signed with its key.
        HmacFrameAuthenticator theirs = new HmacFrameAuthenticator(Role.BRIDGE, NNVE, OTHER_KEY,
                KeyRing.of(KEY_ID, nnveKey), null);
        VdpPdu hello = new VdpPdu(ManagerId.ofText("n1"), List.of(CapabilityTlv.all(),
                new SessionTlv(0, 0x4E4E_0001, 0, 0, 0, theirs.localNonce())), List.of(), null);
        try (RawSocket forger = RawSocket.open("x0", RawSocket.Options.defaults().inNamespace(nsX))) {
            for (int i = 0; i < 10; i++) {
                forger.send(Frames.signed(theirs, OTHER_KEY, NNVE, 3000 + i, hello));
            }
        }
        OpResult ra = ca.get(60, TimeUnit.SECONDS);
        OpResult rb = cb.get(60, TimeUnit.SECONDS);

        for (Tnve t : List.of(a, b)) {
            // the create was refused: nothing is left to start (OPS-2), so the VM never runs
            assertThat(t.call(() -> t.d.engine().vmNamed(t == a ? "vmA" : "vmB"))).as("a refused create leaves nothing")
                    .isNull();
            assertThat(t.events("uplink.state")).noneSatisfy(e -> assertThat(text(e, "state")).isEqualTo("authenticated"));
            assertThat(t.events("auth.ok")).isEmpty();
        }
        assertThat(ra.ok()).as("%s", ra).isFalse();
        assertThat(ra.detail()).contains("no authenticated session");
        assertThat(rb.ok()).as("%s", rb).isFalse();
        assertThat(rb.detail()).contains("no authenticated session");
        assertThat(n.tsis()).isEmpty();
        assertThat(n.state(ta)).isEqualTo(TsiState.INIT);
        assertThat(n.state(tb)).isEqualTo(TsiState.INIT);

        // On the wire at the nNVE: every frame of both stations signed, none with an item.
        for (MacAddress station : List.of(OTHER_KEY, DOWNGRADED)) {
            List<WireTap.Captured> sent = atNnve.vdp().stream()
                    .filter(c -> c.vdp().ethernet().source().equals(station)).toList();
            assertThat(sent).as("frames of %s", station).isNotEmpty().allSatisfy(c -> {
                assertThat(c.vdp().vdp().auth()).isNotNull();
                assertThat(c.vdp().vdp().items()).isEmpty();
            });
        }
        // The nNVE refused the one with another key; it answered the other, unsigned, which that station refused.
        assertThat(n.events("auth.refused")).filteredOn(e -> OTHER_KEY.toString().equals(text(e, "peer")))
                .isNotEmpty();
        assertThat(b.events("ecp.auth_refused")).isNotEmpty().allSatisfy(e -> {
            assertThat(text(e, "peer")).isEqualTo(NNVE.toString());
            assertThat(text(e, "verdict")).isEqualTo("MISSING");
            assertThat(text(e, "level")).isEqualTo("WARN");
        });
        await("the station with another key refuses the frames signed with the nNVE's key", Duration.ofSeconds(10),
                () -> a.events("auth.refused").stream().anyMatch(e -> NNVE.toString().equals(text(e, "peer"))
                        && "BAD_TAG".equals(text(e, "verdict"))));
        assertThat(a.events("ecp.auth_refused")).isNotEmpty()
                .allSatisfy(e -> assertThat(text(e, "peer")).isEqualTo(NNVE.toString()));
        lab.reportLoss(n, a, b);
    }

    @ParameterizedTest(name = "loss {0}%")
    @ValueSource(ints = {0, 20})
    @DisplayName("REQ-11, GAP-11, SEC-4, SEC-3: frames in the nNVE's name toward an authenticated station daemon "
            + "(a De-Associate with a made-up tag, one signed with another key, one without authentication, and the "
            + "nNVE's own earlier frames replayed, its deactivate notice among them) are dropped and logged by the "
            + "station; its TSI and VM stay as they are, nothing is taken as the nNVE's")
    void stationRefusesForgedAndReplayed(int loss) throws Exception {
        lab.loss(loss);
        String nsN = lab.namespace("n");
        String nsA = lab.namespace("a");
        String nsX = lab.namespace("x");
        Bridge br = lab.bridge("br0");
        lab.attach(br, nsN, "p0", NNVE);
        lab.attach(br, nsA, "up0", KEYED);
        lab.learning(lab.attach(br, nsX, "x0", FORGER), false);
        lab.keyFile("a.key", key(0xA5));
        WireTap atStation = lab.closeAfter(new WireTap(nsA, "up0"));
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
        TsiSpec t1 = tsi(1, 5000);
        a.ok(e -> e.create("vm1", List.of(t1)));
        a.ok(e -> e.start("vm1"));
        // REQ-9: the nNVE deactivates the TSI on its own, the station takes it; then the VM is brought back.
        assertThat(n.call(() -> n.d.engine().deactivate(t1.id(), "policy"))).isEqualTo(1);
        await("the station learns the deactivate", Duration.ofSeconds(10),
                () -> a.state("tor", t1) == TnveEngine.TsiState.ASSOCIATED);
        a.ok(e -> e.suspend("vm1"));
        a.ok(e -> e.resume("vm1"));
        assertThat(n.state(t1)).isEqualTo(TsiState.ACTIVATED);
        assertThat(a.state("tor", t1)).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        int initiated = a.events("nnve.initiated").size();
        assertThat(initiated).isEqualTo(1);
        List<WireTap.Captured> fromNnve = atStation.vdp().stream().filter(c -> c.vdp().ethernet().source().equals(NNVE)
                && !c.vdp().vdp().items().isEmpty()).toList();
        // The deactivate notice is among them: a request of the nNVE's, not a response.
        assertThat(fromNnve).anySatisfy(c -> assertThat(c.vdp().vdp().items()).anySatisfy(i -> assertThat(i)
                .isInstanceOfSatisfying(VsiTlv.class, v -> {
                    assertThat(v.isResponse()).isFalse();
                    assertThat(v.mode()).isEqualTo(VsiMode.PRE_ASSOCIATE_RR);
                })));
        List<byte[]> earlier = fromNnve.stream().map(WireTap.Captured::bytes).toList();
        String before = n.describe(t1);
        int tag = a.tag("tor", t1);

        VdpPdu deassociate = new VdpPdu(ManagerId.ofText("n1"), List.of(),
                List.of(Frames.vsi(VsiMode.DE_ASSOCIATE, t1.id(), 5000, t1.mac(), List.of())), null);
        HmacFrameAuthenticator rogue = new HmacFrameAuthenticator(Role.BRIDGE, NNVE, KEYED, KeyRing.of(KEY_ID, key(0x3C)),
                null);
        try (RawSocket forger = RawSocket.open("x0", RawSocket.Options.defaults().inNamespace(nsX))) {
            for (int copy = 0; copy < 3; copy++) {
                for (byte[] f : earlier) {
                    forger.send(f);
                }
                for (int i = 0; i < 5; i++) {
                    int seq = 4000 + copy * 100 + i;
                    forger.send(Frames.forged(KEYED, NNVE, seq, deassociate, KEY_ID, 9_000_000L + seq, seq));
                    forger.send(Frames.signed(rogue, KEYED, NNVE, seq + 10, deassociate));
                    forger.send(Frames.vdp(KEYED, NNVE, EcpHeader.request(seq + 20), deassociate));
                }
            }
        }
        await("the station refuses the forged and replayed frames", Duration.ofSeconds(10), () -> {
            List<String> verdicts = a.events("ecp.auth_refused").stream()
                    .filter(e -> NNVE.toString().equals(text(e, "peer"))).map(e -> text(e, "verdict")).toList();
            return verdicts.containsAll(List.of("BAD_TAG", "MISSING", "REPLAY"));
        });
        assertThat(a.events("ecp.auth_refused")).allSatisfy(e -> assertThat(text(e, "level")).isEqualTo("WARN"));
        assertThat(a.events("auth.refused")).isNotEmpty()
                .allSatisfy(e -> assertThat(text(e, "peer")).isEqualTo(NNVE.toString()));
        // Nothing was taken: no notice in the nNVE's name beyond the real one, no repair needed.
        assertThat(a.events("nnve.initiated")).hasSize(initiated);
        assertThat(a.events("uplink.state")).noneSatisfy(e -> assertThat(text(e, "state")).isIn("repaired", "resync"));
        assertThat(a.state("tor", t1)).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(a.tag("tor", t1)).isEqualTo(tag);
        assertThat(a.call(() -> a.d.engine().vmNamed("vm1").state())).isEqualTo(VmState.RUNNING);
        assertThat(n.describe(t1)).isEqualTo(before);
        // Still authenticated and served.
        a.ok(e -> e.suspend("vm1"));
        a.ok(e -> e.resume("vm1"));
        assertThat(n.state(t1)).isEqualTo(TsiState.ACTIVATED);
        assertThat(a.events("nnve.initiated")).hasSize(initiated);
        lab.reportLoss(n, a);
    }

    private static byte[] key(int seed) {
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (seed ^ i * 37);
        }
        return k;
    }
}
