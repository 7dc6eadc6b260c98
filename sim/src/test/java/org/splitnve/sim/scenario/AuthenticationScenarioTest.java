package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.ip;
import static org.splitnve.sim.scenario.SplitNveNet.mac;
import static org.splitnve.sim.scenario.SplitNveNet.psk;
import static org.splitnve.sim.scenario.SplitNveNet.ring;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.Peer;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.TsiBinding;
import org.splitnve.protocol.auth.AuthEvent;
import org.splitnve.protocol.auth.FrameAuthenticator;
import org.splitnve.protocol.auth.HmacFrameAuthenticator;
import org.splitnve.protocol.auth.Role;
import org.splitnve.protocol.ecp.EcpEvent;
import org.splitnve.sim.CapturedFrame;
import org.splitnve.sim.EthernetSwitch;
import org.splitnve.sim.Link;
import org.splitnve.sim.LinkProfile;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.vdp.AuthTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * Mutual frame authentication between the real engines (REQ-11, GAP-11; docs/protocol.md 5.9), on clean
 * links and with 20% loss: the handshake, refusal of a wrong key, of forged and replayed frames, key
 * rotation under a running VM, and unauthenticated standard peers beside authenticated ones on one port.
 */
@ExtendWith(PcapOnFailure.class)
class AuthenticationScenarioTest {
    private SplitNveNet net;
    private NnveNode n1;
    private EthernetSwitch sw;

    /** n1 (every end device must authenticate with key 1 = psk(1), except {@code standard}) behind switch sw. */
    private void setUp(double loss, Set<MacAddress> standard) {
        net = SplitNveNet.capturing(21, loss);
        net.vn(5000, "blue", 5000);
        n1 = net.nnve("n1", 1, ring(1, 1), standard, NnveConfig.Limits.DEFAULT);
        sw = net.switchBefore(n1, 6);
    }

    private TnveNode station(String name, int n, int pskSeed) {
        return net.tnveOn(sw, n, name, n1, pskSeed == 0 ? null : ring(1, pskSeed), FilterFormat.GROUP_MAC_VID);
    }


    private Peer peer(MacAddress station) {
        return n1.engine().peers().stream().filter(p -> p.station().equals(station)).findFirst().orElse(null);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-11, GAP-11, SEC-3: two authenticating peers: the tNVE holds its requests until the session is "
            + "established, each side's session TLV carries its authenticator's nonce, every frame is signed, both "
            + "sides log auth.ok, and the VM associates and runs")
    void authenticatedPeersAssociate(double loss) throws Exception {
        setUp(loss, Set.of());
        TnveNode h1 = station("h1", 1, 1);
        TsiSpec t = tsi(1, 5000, ip("10.0.0.1"));

        // Asked at once: the request waits for the handshake.
        net.createAndStart(h1, "vm1", t);

        assertThat(h1.engine().vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(net.nva.bindings(t.id())).singleElement()
                .satisfies(b -> assertThat(b.state()).isEqualTo(EntryState.FORWARDING));

        HmacFrameAuthenticator stationAuth = net.stationAuth.get("h1");
        HmacFrameAuthenticator bridgeAuth = net.bridgeAuth.get(mac(1));
        assertThat(stationAuth.authenticated()).isTrue();
        assertThat(bridgeAuth.authenticated()).isTrue();
        assertThat(peer(mac(1)).authenticated()).isTrue();

        // The session TLVs carry the authenticators' nonces, not the engines' own.
        List<Frame.Vdp> fromH1 = Frames.vdpFrom(net.sim, mac(1), c -> c.from() == h1.host());
        List<Frame.Vdp> fromN1 = Frames.vdpFrom(net.sim, n1.mac(0), c -> c.from() == n1.host());
        assertThat(sessionNonces(fromH1)).isNotEmpty().containsOnly(stationAuth.localNonce().hex());
        assertThat(sessionNonces(fromN1)).isNotEmpty().containsOnly(bridgeAuth.localNonce().hex());
        // Every frame between them, acknowledgements included, is signed.
        assertThat(fromH1).allSatisfy(f -> assertThat(f.vdp().auth()).isNotNull());
        assertThat(fromN1).allSatisfy(f -> assertThat(f.vdp().auth()).isNotNull());

        // Held until established: h1's first item left after the nNVE's first request (its nonce) reached h1.
        long firstNonceAtH1 = net.sim.captured().stream()
                .filter(c -> c.to() == h1.host() && n1.mac(0).equals(c.source()) && c.delivered()
                        && c.decode() instanceof Frame.Vdp v && v.ecp().operation() == EcpOperation.REQUEST
                        && v.vdp().header(SessionTlv.class) != null)
                .mapToLong(c -> c.arrivals().getFirst()).min().orElseThrow();
        CapturedFrame firstItem = Frames.sentBy(net.sim, h1.host()).stream()
                .filter(c -> c.decode() instanceof Frame.Vdp v && !v.vdp().items().isEmpty()).findFirst().orElseThrow();
        assertThat(firstItem.nanos()).isGreaterThanOrEqualTo(firstNonceAtH1);
        // Before it, h1 sent hellos only: capability and session TLVs, no item.
        assertThat(Frames.sentBy(net.sim, h1.host()).stream().filter(c -> c.nanos() < firstItem.nanos())
                .map(CapturedFrame::decode).filter(f -> f instanceof Frame.Vdp v && v.ecp().operation() == EcpOperation.REQUEST)
                .toList()).isNotEmpty().allSatisfy(f -> {
                    VdpPdu p = ((Frame.Vdp) f).vdp();
                    assertThat(p.items()).isEmpty();
                    assertThat(p.header(SessionTlv.class)).isNotNull();
                });

        // SEC-3: authentication results on both sides.
        assertThat(n1.events().of(AuthEvent.Ok.class)).anySatisfy(e -> assertThat(e.peer()).isEqualTo(mac(1)));
        assertThat(h1.events().of(AuthEvent.Ok.class)).anySatisfy(e -> assertThat(e.peer()).isEqualTo(n1.mac(0)));
        assertThat(n1.events().of(NnveEvent.PeerAuthenticated.class)).singleElement()
                .satisfies(e -> assertThat(e.station()).isEqualTo(mac(1)));
        assertThat(h1.events().of(TnveEvent.UplinkState.class)).anySatisfy(e -> assertThat(e.state()).isEqualTo("authenticated"));
        assertThat(n1.events().of(AuthEvent.Refused.class)).isEmpty();
        assertThat(h1.events().of(AuthEvent.Refused.class)).isEmpty();
    }

    private static List<String> sessionNonces(List<Frame.Vdp> frames) {
        List<String> out = new ArrayList<>();
        for (Frame.Vdp f : frames) {
            SessionTlv st = f.vdp().header(SessionTlv.class);
            if (st != null) {
                out.add(st.nonce().hex());
            }
        }
        return out;
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-11, GAP-11, SEC-1, SEC-3: a station with the wrong PSK is refused (auth.refused BAD_TAG), keeps "
            + "sending only hellos, sends no request, gets nothing accepted; its VM cannot be created; the station "
            + "with the right PSK on the same port is not disturbed")
    void wrongKeyRefused(double loss) throws Exception {
        setUp(loss, Set.of());
        TnveNode good = station("h1", 1, 1);
        TnveNode bad = station("h2", 2, 99);
        TsiSpec tGood = tsi(1, 5000, ip("10.0.0.1"));
        TsiSpec tBad = tsi(2, 5000, ip("10.0.0.2"));

        var badCreate = bad.engine().create("vm2", List.of(tBad));
        net.ok(good.engine().create("vm1", List.of(tGood)));
        OpResult r = net.await(badCreate);
        net.ok(good.engine().start("vm1"));

        assertThat(r.ok()).isFalse();
        assertThat(r.detail()).contains("no authenticated session");
        assertThat(bad.engine().vmNamed("vm2")).as("a refused create leaves nothing (OPS-2)").isNull();
        assertThat(n1.state(tBad)).isEqualTo(TsiState.INIT);
        assertThat(net.nva.bindings(tBad.id())).isEmpty();
        assertThat(n1.engine().tsis()).extracting(x -> x.id()).containsExactly(tGood.id());

        // Refused, logged, the peer never authenticated; the good one is.
        assertThat(n1.events().of(AuthEvent.Refused.class)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.peer()).isEqualTo(mac(2)))
                .allSatisfy(e -> assertThat(e.verdict()).isEqualTo("BAD_TAG"));
        assertThat(n1.events().of(EcpEvent.AuthRefused.class)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.peer()).isEqualTo(mac(2)));
        assertThat(n1.events().of(NnveEvent.PeerAuthenticated.class)).extracting(NnveEvent.PeerAuthenticated::station)
                .containsExactly(mac(1));
        Peer badPeer = peer(mac(2));
        assertThat(badPeer == null || !badPeer.authenticated()).isTrue();
        // The bad station kept trying hellos and never sent a request with an item.
        List<Frame.Vdp> badRequests = Frames.vdpFrom(net.sim, mac(2), c -> c.from() == bad.host()).stream()
                .filter(f -> f.ecp().operation() == EcpOperation.REQUEST).toList();
        assertThat(badRequests.size()).isGreaterThan(2);
        assertThat(badRequests).allSatisfy(f -> assertThat(f.vdp().items()).isEmpty());
        assertThat(net.stationAuth.get("h2").established()).isFalse();

        assertThat(good.engine().vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);
        assertThat(n1.state(tGood)).isEqualTo(TsiState.ACTIVATED);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-11, GAP-11, SEC-4: captured frames of an authenticated station, replayed into its port while "
            + "it runs and after it shut down, are refused as REPLAY and change nothing")
    void replayRefused(double loss) throws Exception {
        setUp(loss, Set.of());
        TnveNode h1 = station("h1", 1, 1);
        ScriptStation x = injector(3);
        TsiSpec t = tsi(1, 5000, ip("10.0.0.1"));
        net.createAndStart(h1, "vm1", t);
        List<byte[]> captured = Frames.sentBy(net.sim, h1.host()).stream()
                .filter(c -> c.decode() instanceof Frame.Vdp v && !v.vdp().items().isEmpty())
                .map(CapturedFrame::frame).toList();
        assertThat(captured).isNotEmpty();
        List<TsiBinding> before = net.nva.bindings(t.id());

        // While the VM runs: its own requests again.
        replay(x, captured);
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(net.nva.bindings(t.id())).isEqualTo(before);

        // After shutdown: the Associate and Activate of the past must not bring the TSI back.
        net.ok(h1.engine().shutdown("vm1"));
        assertThat(n1.state(t)).isEqualTo(TsiState.INIT);
        int refusedBefore = n1.events().of(AuthEvent.Refused.class).size();
        replay(x, captured);
        assertThat(n1.state(t)).isEqualTo(TsiState.INIT);
        assertThat(net.nva.bindings(t.id())).isEmpty();
        assertThat(n1.events().of(AuthEvent.Refused.class).subList(refusedBefore, n1.events().of(AuthEvent.Refused.class).size()))
                .isNotEmpty().allSatisfy(e -> {
                    assertThat(e.verdict()).isEqualTo("REPLAY");
                    assertThat(e.peer()).isEqualTo(mac(1));
                });
        assertThat(n1.events().of(NnveEvent.TsiState.class)).extracting(NnveEvent.TsiState::to)
                .containsExactly(TsiState.ASSOCIATED, TsiState.ACTIVATED, TsiState.INIT);

        // The station itself goes on as before: the VM shut down (kept, OPS-2) starts again.
        net.ok(h1.engine().start("vm1"));
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
    }

    /** An injector on the switch (a clean cable: what matters is the nNVE's answer, not the delivery). */
    private ScriptStation injector(int n) {
        ScriptStation x = net.station("x", mac(0x66), n1.mac(0), Set.of());
        net.sim.connect(net.sim.node("x"), 0, sw, n, LinkProfile.CLEAN);
        return x;
    }

    /** Each frame three times, 30 ms apart (the switch-to-nNVE cable may lose some). */
    private void replay(ScriptStation x, List<byte[]> frames) {
        for (int copy = 0; copy < 3; copy++) {
            for (byte[] f : frames) {
                x.sendRaw(f.clone());
                net.runFor(SECOND / 100);
            }
            net.runFor(SECOND / 30);
        }
        net.runFor(SECOND / 10);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-11, GAP-11, SEC-4: frames forged with an authenticated station's MAC (made-up tag, another PSK, "
            + "no authentication TLV) are refused and logged; its TSI and the NVA are untouched")
    void forgedRefused(double loss) throws Exception {
        setUp(loss, Set.of());
        TnveNode h1 = station("h1", 1, 1);
        ScriptStation x = injector(3);
        TsiSpec t = tsi(1, 5000, ip("10.0.0.1"));
        net.createAndStart(h1, "vm1", t);
        List<TsiBinding> before = net.nva.bindings(t.id());
        int tag = h1.engine().localTag("nnve", t.id());

        VsiTlv deassociate = new VsiTlv(VsiMode.DE_ASSOCIATE, VsiStatus.Request.PLAIN, 1, 1, t.id(),
                Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid(5000, t.mac(), tag)), List.of());
        VdpPdu pdu = new VdpPdu(ManagerId.ofText("h1"), List.of(), List.of(deassociate), null);
        HmacFrameAuthenticator rogue = new HmacFrameAuthenticator(Role.STATION, mac(1), n1.mac(0), ring(1, 7), null,
                net.random());
        List<byte[]> attack = new ArrayList<>();
        for (int seq = 100; seq < 104; seq++) {
            attack.add(Frames.forged(n1.mac(0), mac(1), seq, pdu, 1, 1_000_000L + seq, seq));
            attack.add(Frames.signed(rogue, n1.mac(0), mac(1), seq + 10, pdu));
            attack.add(Frames.vdp(n1.mac(0), mac(1), org.splitnve.wire.ecp.EcpHeader.request(seq + 20), pdu));
        }
        replay(x, attack);

        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(net.nva.bindings(t.id())).isEqualTo(before);
        assertThat(n1.events().of(EcpEvent.AuthRefused.class)).extracting(EcpEvent.AuthRefused::verdict)
                .contains("BAD_TAG", "MISSING").doesNotContain("OK");
        assertThat(n1.events().of(AuthEvent.Refused.class)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.peer()).isEqualTo(mac(1)));
        // Still authenticated, still working.
        assertThat(peer(mac(1)).authenticated()).isTrue();
        net.ok(h1.engine().suspend("vm1"));
        net.ok(h1.engine().resume("vm1"));
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-11, GAP-11, SEC-3: a key rotated (new key on both sides, each switches, the old one retired) "
            + "while the VM runs keeps the TSI and its NVA entries; later frames use the new key only; a frame of the "
            + "retired key is refused as UNKNOWN_KEY")
    void rotationKeepsAssociations(double loss) throws Exception {
        setUp(loss, Set.of());
        TnveNode h1 = station("h1", 1, 1);
        TsiSpec t = tsi(1, 5000, ip("10.0.0.1"));
        net.createAndStart(h1, "vm1", t);
        List<TsiBinding> before = net.nva.bindings(t.id());
        int transitions = n1.events().of(NnveEvent.TsiState.class).size();
        HmacFrameAuthenticator station = net.stationAuth.get("h1");
        HmacFrameAuthenticator bridge = net.bridgeAuth.get(mac(1));
        CapturedFrame oldKeyFrame = Frames.sentBy(net.sim, h1.host()).stream()
                .filter(c -> c.decode() instanceof Frame.Vdp v && !v.vdp().items().isEmpty()).findFirst().orElseThrow();

        // 1: both accept key 2; 2: the station signs with it; 3: the bridge does; 4: key 1 retired.
        bridge.addKey(2, psk(2));
        station.addKey(2, psk(2));
        net.runFor(SECOND);
        station.useKey(2);
        net.ok(h1.engine().suspend("vm1"));   // requests and keep-alives flow during the rotation
        bridge.useKey(2);
        net.ok(h1.engine().resume("vm1"));
        net.runFor(SECOND);
        station.retireKey(1);
        bridge.retireKey(1);
        long retired = net.sim.now();
        net.runFor(30 * SECOND);             // keep-alives under the new key only
        net.ok(h1.engine().suspend("vm1"));
        net.ok(h1.engine().resume("vm1"));

        assertThat(h1.engine().vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(net.nva.bindings(t.id())).isEqualTo(before);
        // Only the four transitions of the two suspend/resume pairs: nothing dropped, nothing re-associated.
        assertThat(n1.events().of(NnveEvent.TsiState.class).subList(transitions, n1.events().of(NnveEvent.TsiState.class).size()))
                .extracting(NnveEvent.TsiState::to)
                .containsExactly(TsiState.ASSOCIATED, TsiState.ACTIVATED, TsiState.ASSOCIATED, TsiState.ACTIVATED);
        List<Integer> keysAfter = net.sim.captured().stream()
                .filter(c -> c.nanos() > retired && (c.from() == h1.host() || c.from() == n1.host()))
                .map(CapturedFrame::decode).filter(f -> f instanceof Frame.Vdp).map(f -> ((Frame.Vdp) f).vdp().auth().keyId())
                .toList();
        assertThat(keysAfter).isNotEmpty().containsOnly(2);
        assertThat(n1.events().of(AuthEvent.KeyRotated.class)).isNotEmpty();
        assertThat(n1.events().of(AuthEvent.KeyRetired.class)).isNotEmpty();
        assertThat(h1.events().of(AuthEvent.KeyRetired.class)).isNotEmpty();
        assertThat(n1.events().of(NnveEvent.PeerLost.class)).isEmpty();
        assertThat(n1.events().of(NnveEvent.PeerRestarted.class)).isEmpty();

        // A frame signed with the retired key, replayed: UNKNOWN_KEY.
        ScriptStation x = injector(3);
        int refused = n1.events().of(AuthEvent.Refused.class).size();
        replay(x, List.of(oldKeyFrame.frame()));
        List<AuthEvent.Refused> all = n1.events().of(AuthEvent.Refused.class);
        assertThat(all.subList(refused, all.size())).isNotEmpty()
                .allSatisfy(e -> assertThat(e.verdict()).isEqualTo("UNKNOWN_KEY"));
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-11, GAP-11, SEC-4: a tNVE that restarts (new nonce, new epoch) authenticates again; what it "
            + "does not re-announce is released, what it asks for now is served; the frames of its previous run, "
            + "replayed, are refused")
    void restartedStationAuthenticatesAgain(double loss) throws Exception {
        setUp(loss, Set.of());
        TnveNode h1 = station("h1", 1, 1);
        TsiSpec t = tsi(1, 5000, ip("10.0.0.1"));
        TsiSpec t2 = tsi(2, 5000, ip("10.0.0.2"));
        net.createAndStart(h1, "vm1", t);
        List<byte[]> previousRun = Frames.sentBy(net.sim, h1.host()).stream()
                .filter(c -> c.decode() instanceof Frame.Vdp v && !v.vdp().items().isEmpty()).map(CapturedFrame::frame)
                .toList();

        // h1 restarts: same MAC and key, a new engine and authenticator (new nonce); vm1 is gone with it.
        net.sim.disconnect(net.sim.links().stream().filter(l -> l.name().startsWith("h1.")).findFirst().orElseThrow());
        TnveNode again = net.tnve("h1-restarted", mac(1), n1.mac(0), ring(1, 1), FilterFormat.GROUP_MAC_VID);
        net.link(again.host(), 0, sw, 1);
        net.createAndStart(again, "vm2", t2);
        net.runFor(40 * SECOND);   // past the resynchronisation and several keep-alives

        assertThat(net.stationAuth.get("h1-restarted").authenticated()).isTrue();
        assertThat(net.bridgeAuth.get(mac(1)).authenticated()).isTrue();
        assertThat(n1.events().of(NnveEvent.PeerRestarted.class)).isNotEmpty();
        assertThat(n1.state(t)).isEqualTo(TsiState.INIT);
        assertThat(net.nva.bindings(t.id())).isEmpty();
        assertThat(n1.state(t2)).isEqualTo(TsiState.ACTIVATED);

        ScriptStation x = injector(3);
        int refused = n1.events().of(AuthEvent.Refused.class).size();
        replay(x, previousRun);
        List<AuthEvent.Refused> all = n1.events().of(AuthEvent.Refused.class);
        assertThat(all.subList(refused, all.size())).isNotEmpty()
                .allSatisfy(e -> assertThat(e.verdict()).isIn("BAD_TAG", "REPLAY"));
        assertThat(n1.state(t)).isEqualTo(TsiState.INIT);
        assertThat(net.nva.bindings(t.id())).isEmpty();
        net.ok(again.engine().suspend("vm2"));
        assertThat(n1.state(t2)).isEqualTo(TsiState.ASSOCIATED);
    }

    /**
     * The nNVE restarts (same MAC and key, a new engine: a new nonce). The tNVE's frames, signed for the old
     * session, fail at the new nNVE until the tNVE finds its nNVE lost; then it starts its session over with
     * a hello and authenticates with the new nNVE. (Whether its TSIs are then re-announced to the restarted
     * nNVE is the resynchronisation's business, not authentication's: not asserted here.)
     */
    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-11, GAP-11, SEC-3: after the nNVE restarts (new nonce), the tNVE finds its session dead, says "
            + "hello again and authenticates with the new nNVE; nothing is refused after that")
    void nnveRestart(double loss) throws Exception {
        net = SplitNveNet.capturing(23, loss);
        net.vn(5000, "blue", 5000);
        MacAddress nnveMac = mac(0xB0);
        NnveNode first = net.nnveAt("n1", "n1", nnveMac, ring(1, 1));
        sw = net.bridge("sw", 4);
        Link cable = net.link(sw, 0, first.host(), 0);
        TnveNode h1 = net.tnve("h1", mac(1), nnveMac, ring(1, 1), FilterFormat.GROUP_MAC_VID);
        net.link(h1.host(), 0, sw, 1);
        net.createAndStart(h1, "vm1", tsi(1, 5000));
        HmacFrameAuthenticator before = net.bridgeAuth.get(mac(1));

        net.sim.disconnect(cable);
        NnveNode second = net.nnveAt("n1-restarted", "n1", nnveMac, ring(1, 1));
        net.link(sw, 0, second.host(), 0);
        net.runFor(60 * SECOND);

        HmacFrameAuthenticator after = net.bridgeAuth.get(mac(1));
        assertThat(after).isNotSameAs(before);
        assertThat(after.authenticated()).isTrue();
        assertThat(net.stationAuth.get("h1").authenticated()).isTrue();
        List<TnveEvent.UplinkState> states = h1.events().of(TnveEvent.UplinkState.class);
        assertThat(states).extracting(TnveEvent.UplinkState::state).containsSubsequence("authenticated", "down",
                "authenticated");
        assertThat(h1.events().of(AuthEvent.Rekeyed.class)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("session restarted"));
        assertThat(n1RestartedRefusals(net, 30 * SECOND)).isEmpty();
        assertThat(second.events().of(NnveEvent.PeerAuthenticated.class))
                .containsExactly(new NnveEvent.PeerAuthenticated(0, mac(1)));
    }

    /** Authentication refusals anywhere in the last {@code window} of the run. */
    private static List<Object> n1RestartedRefusals(SplitNveNet net, long window) {
        long from = net.sim.now() - window;
        return net.sim.eventLog().stream().filter(e -> e.nanos() > from && e.event() instanceof AuthEvent.Refused)
                .map(e -> (Object) e).toList();
    }

    // ------------------------------------------------------------------ the tNVE's side: mutual means both refuse

    /**
     * What an nNVE holding another key sends when it does not check the end device either (an impostor, or a
     * misconfigured nNVE that would take anything): it signs every frame with its own key, takes every frame
     * it receives as valid, answers the tNVE's hello with its own and would answer every request. Only the tNVE
     * can refuse it.
     */
    private static final class OtherKey implements FrameAuthenticator {
        private final HmacFrameAuthenticator signer;

        OtherKey(HmacFrameAuthenticator signer) {
            this.signer = signer;
        }

        @Override
        public AuthTlv next() {
            return signer.next();
        }

        @Override
        public void sign(byte[] frame, int start, int tagOffset) {
            signer.sign(frame, start, tagOffset);
        }

        @Override
        public Verdict verify(byte[] frame, int start, int tagOffset, AuthTlv tlv) {
            return Verdict.OK;
        }

        @Override
        public Bytes localNonce() {
            return signer.localNonce();
        }
    }

    /** n1 behind sw as in {@link #setUp}, with the authenticators {@code make} gives. */
    private void setUpNnve(double loss, SplitNveNet.PeerAuthenticators make) {
        net = SplitNveNet.capturing(27, loss);
        net.vn(5000, "blue", 5000);
        n1 = net.nnve("n1", 1, NnveConfig.Limits.DEFAULT, make);
        sw = net.switchBefore(n1, 6);
    }

    /**
     * The tNVE keyed with psk(1) asks for a VM and gets nowhere: its create fails for want of a session and leaves
     * no VM to run, it never counts the uplink authenticated, and every frame it sent was signed and carried no
     * item. Returns the VM's TSI.
     */
    private TsiSpec assertTnveHeldBack(TnveNode h1) throws Exception {
        TsiSpec t = tsi(1, 5000, ip("10.0.0.1"));
        OpResult created = net.await(h1.engine().create("vm1", List.of(t)));
        net.runFor(3 * SplitNveNet.TIMERS.keepAliveNanos());

        assertThat(created.ok()).isFalse();
        assertThat(created.detail()).contains("no authenticated session");
        // the create was refused: nothing is left of the VM (OPS-2), so there is nothing to start or run
        assertThat(h1.engine().vmNamed("vm1")).isNull();
        assertThat(h1.engine().tsiState("nnve", t.id())).isEqualTo(org.splitnve.tnve.TnveEngine.TsiState.INIT);
        assertThat(n1.state(t)).isEqualTo(TsiState.INIT);
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(net.nva.bindings(t.id())).isEmpty();
        assertThat(net.stationAuth.get("h1").established()).isFalse();
        assertThat(net.stationAuth.get("h1").authenticated()).isFalse();
        assertThat(h1.events().of(AuthEvent.Ok.class)).isEmpty();
        assertThat(h1.events().of(TnveEvent.UplinkState.class)).noneSatisfy(
                e -> assertThat(e.state()).isEqualTo("authenticated"));
        // No frame of the tNVE went out unauthenticated, and none carried an item (hellos and acknowledgements).
        List<Frame.Vdp> fromH1 = Frames.vdpFrom(net.sim, mac(1), c -> c.from() == h1.host());
        assertThat(fromH1).isNotEmpty().allSatisfy(f -> {
            assertThat(f.vdp().auth()).isNotNull();
            assertThat(f.vdp().items()).isEmpty();
        });
        assertThat(fromH1).anySatisfy(f -> assertThat(f.vdp().header(SessionTlv.class)).isNotNull());
        return t;
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-11, GAP-11, SEC-3: a tNVE facing an nNVE that signs with another key (and would take anything "
            + "the tNVE sends) refuses every frame of it (auth.refused, BAD_TAG or NO_SESSION), never establishes a "
            + "session, sends no item and no unsigned frame, and its VM does not run")
    void tnveRefusesNnveWithAnotherKey(double loss) throws Exception {
        setUpNnve(loss, (n, port, station) -> new OtherKey(new HmacFrameAuthenticator(Role.BRIDGE, n.mac(port), station,
                ring(1, 2), n.events(), net.random())));
        TnveNode h1 = station("h1", 1, 1);

        assertTnveHeldBack(h1);

        // The nNVE did answer (its hello with its session TLV, acknowledgements): the refusal is the tNVE's.
        List<Frame.Vdp> fromN1 = Frames.vdpFrom(net.sim, n1.mac(0), c -> c.from() == n1.host());
        assertThat(fromN1).anySatisfy(f -> assertThat(f.vdp().header(SessionTlv.class)).isNotNull());
        assertThat(fromN1).anySatisfy(f -> assertThat(f.ecp().operation()).isEqualTo(EcpOperation.ACK));
        assertThat(h1.events().of(AuthEvent.Refused.class)).isNotEmpty().allSatisfy(e -> {
            assertThat(e.peer()).isEqualTo(n1.mac(0));
            assertThat(e.verdict()).isIn("BAD_TAG", "NO_SESSION");
        });
        assertThat(h1.events().of(EcpEvent.AuthRefused.class)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.peer()).isEqualTo(n1.mac(0)));
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-11, GAP-11, SEC-3: a downgrade: a tNVE configured with a key facing an nNVE without "
            + "authentication refuses its unsigned frames (MISSING), sends no request unauthenticated and no item at "
            + "all, and its VM does not run")
    void tnveRefusesDowngrade(double loss) throws Exception {
        setUpNnve(loss, (n, port, station) -> null);
        TnveNode h1 = station("h1", 1, 1);

        assertTnveHeldBack(h1);

        // The nNVE took the tNVE as a peer and answered, unsigned; the tNVE refused each of those frames.
        List<Frame.Vdp> fromN1 = Frames.vdpFrom(net.sim, n1.mac(0), c -> c.from() == n1.host());
        assertThat(fromN1).isNotEmpty().allSatisfy(f -> assertThat(f.vdp().auth()).isNull());
        assertThat(peer(mac(1))).isNotNull();
        assertThat(peer(mac(1)).authenticationRequired()).isFalse();
        assertThat(h1.events().of(EcpEvent.AuthRefused.class)).isNotEmpty().allSatisfy(e -> {
            assertThat(e.peer()).isEqualTo(n1.mac(0));
            assertThat(e.verdict()).isEqualTo("MISSING");
        });
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-11, GAP-11, SEC-4: frames in the nNVE's name toward an authenticated tNVE (a De-Associate with "
            + "a made-up tag, signed with another key, without authentication; the nNVE's own earlier frames replayed, "
            + "its deactivate notice among them) are dropped and logged by the tNVE; its TSI, its VM and the nNVE "
            + "are unchanged at once, with no repair needed")
    void tnveRefusesForgedAndReplayed(double loss) throws Exception {
        setUp(loss, Set.of());
        TnveNode h1 = station("h1", 1, 1);
        TsiSpec t = tsi(1, 5000, ip("10.0.0.1"));
        net.createAndStart(h1, "vm1", t);
        // An nNVE-initiated deactivate the tNVE takes (REQ-9), then the VM brought back to Activated.
        assertThat(n1.engine().deactivate(t.id(), "policy")).isEqualTo(1);
        net.runFor(SECOND);
        assertThat(h1.engine().tsiState("nnve", t.id())).isEqualTo(org.splitnve.tnve.TnveEngine.TsiState.ASSOCIATED);
        net.ok(h1.engine().suspend("vm1"));
        net.ok(h1.engine().resume("vm1"));
        assertThat(h1.engine().tsiState("nnve", t.id())).isEqualTo(org.splitnve.tnve.TnveEngine.TsiState.ACTIVATED);
        List<CapturedFrame> withItems = Frames.sentBy(net.sim, n1.host()).stream()
                .filter(c -> c.decode() instanceof Frame.Vdp v && !v.vdp().items().isEmpty()).toList();
        // The deactivate notice is among them (a request of the nNVE's, not a response).
        assertThat(withItems).anySatisfy(c -> assertThat(((Frame.Vdp) c.decode()).vdp().items())
                .anySatisfy(i -> assertThat(i).isInstanceOfSatisfying(VsiTlv.class, v -> {
                    assertThat(v.isResponse()).isFalse();
                    assertThat(v.mode()).isEqualTo(VsiMode.PRE_ASSOCIATE_RR);
                })));
        List<byte[]> earlier = withItems.stream().map(CapturedFrame::frame).toList();
        List<TsiBinding> before = net.nva.bindings(t.id());
        int tag = h1.engine().localTag("nnve", t.id());
        int reported = h1.reported().size();
        int refused = h1.events().of(EcpEvent.AuthRefused.class).size();

        VsiTlv deassociate = new VsiTlv(VsiMode.DE_ASSOCIATE, VsiStatus.Request.PLAIN, 1, 1, t.id(),
                Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid(5000, t.mac(), tag)), List.of());
        VdpPdu pdu = new VdpPdu(ManagerId.ofText("n1"), List.of(), List.of(deassociate), null);
        HmacFrameAuthenticator rogue = new HmacFrameAuthenticator(Role.BRIDGE, n1.mac(0), mac(1), ring(1, 7),
                null, net.random());
        List<byte[]> attack = new ArrayList<>(earlier);
        for (int seq = 200; seq < 204; seq++) {
            attack.add(Frames.forged(mac(1), n1.mac(0), seq, pdu, 1, 1_000_000L + seq, seq));
            attack.add(Frames.signed(rogue, mac(1), n1.mac(0), seq + 10, pdu));
            attack.add(Frames.vdp(mac(1), n1.mac(0), org.splitnve.wire.ecp.EcpHeader.request(seq + 20), pdu));
        }
        ScriptStation x = injector(3);
        long at = net.sim.now();
        inNnveName(x, attack);

        // Unchanged at once: nothing was taken and then repaired.
        assertThat(h1.engine().tsiState("nnve", t.id())).isEqualTo(org.splitnve.tnve.TnveEngine.TsiState.ACTIVATED);
        assertThat(h1.engine().vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);
        assertThat(h1.reported().subList(reported, h1.reported().size())).noneMatch(
                e -> e instanceof TnveEvent.NnveInitiated || (e instanceof TnveEvent.UplinkState u
                        && (u.state().equals("repaired") || u.state().equals("resync"))));
        List<EcpEvent.AuthRefused> dropped = h1.events().of(EcpEvent.AuthRefused.class);
        assertThat(dropped.subList(refused, dropped.size())).isNotEmpty()
                .allSatisfy(e -> assertThat(e.peer()).isEqualTo(n1.mac(0)))
                .extracting(EcpEvent.AuthRefused::verdict).contains("BAD_TAG", "MISSING", "REPLAY");
        assertThat(net.sim.eventLog().stream().filter(e -> e.nanos() >= at && "h1".equals(e.node())
                && e.event() instanceof AuthEvent.Refused)).isNotEmpty();
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(net.nva.bindings(t.id())).isEqualTo(before);

        // And later: still authenticated, nothing changed, the VM still served.
        net.runFor(2 * SplitNveNet.TIMERS.keepAliveNanos());
        assertThat(net.stationAuth.get("h1").authenticated()).isTrue();
        assertThat(h1.reported().subList(reported, h1.reported().size())).noneMatch(
                e -> e instanceof TnveEvent.NnveInitiated);
        net.ok(h1.engine().suspend("vm1"));
        net.ok(h1.engine().resume("vm1"));
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(h1.engine().tsiState("nnve", t.id())).isEqualTo(org.splitnve.tnve.TnveEngine.TsiState.ACTIVATED);
    }

    /**
     * Each frame three times (the switch-to-tNVE cable may lose some), in the nNVE's name. After each, the switch
     * forgets where it learned the nNVE's MAC (the injector's port): the tNVE's frames to its nNVE are flooded
     * and reach it, as if the forger had not moved the MAC (switch learning is not what this test is about).
     */
    private void inNnveName(ScriptStation x, List<byte[]> frames) {
        for (int copy = 0; copy < 3; copy++) {
            for (byte[] f : frames) {
                x.sendRaw(f.clone());
                net.runFor(SECOND / 1_000);
                sw.flushFdb();
                net.runFor(SECOND / 100);
            }
        }
        net.runFor(SECOND / 10);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-11, GAP-11, SEC-1: one port, three end devices: an authenticated station, a standard station "
            + "the port accepts unauthenticated (implicit authentication), and a station without a key that the port "
            + "requires one of, which is refused")
    void mixedPort(double loss) throws Exception {
        setUp(loss, Set.of(mac(3)));
        TnveNode authed = station("h1", 1, 1);
        TnveNode standard = station("h3", 3, 0);
        TnveNode keyless = station("h4", 4, 0);
        TsiSpec t1 = tsi(1, 5000);
        TsiSpec t3 = tsi(3, 5000);
        TsiSpec t4 = tsi(4, 5000);

        var c4 = keyless.engine().create("vm4", List.of(t4));
        net.ok(authed.engine().create("vm1", List.of(t1)));
        net.ok(standard.engine().create("vm3", List.of(t3)));
        net.ok(authed.engine().start("vm1"));
        net.ok(standard.engine().start("vm3"));
        OpResult r4 = net.await(c4);

        assertThat(n1.state(t1)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.state(t3)).isEqualTo(TsiState.ACTIVATED);
        assertThat(r4.ok()).isFalse();
        assertThat(n1.state(t4)).isEqualTo(TsiState.INIT);
        assertThat(net.nva.bindings(t4.id())).isEmpty();
        assertThat(peer(mac(1)).authenticationRequired()).isTrue();
        assertThat(peer(mac(1)).authenticated()).isTrue();
        assertThat(peer(mac(3)).authenticationRequired()).isFalse();
        // The keyless station's frames carry no authentication TLV: MISSING.
        assertThat(n1.events().of(EcpEvent.AuthRefused.class)).isNotEmpty().allSatisfy(e -> {
            assertThat(e.peer()).isEqualTo(mac(4));
            assertThat(e.verdict()).isEqualTo("MISSING");
        });
        // One VAP, one tag, shared by both accepted stations.
        assertThat(n1.engine().vaps()).hasSize(1);
        assertThat(authed.engine().localTag("nnve", t1.id())).isEqualTo(standard.engine().localTag("nnve", t3.id()));
    }
}
