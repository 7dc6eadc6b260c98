package org.splitnve.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.protocol.auth.AuthFixture.BRIDGE;
import static org.splitnve.protocol.auth.AuthFixture.CODEC;
import static org.splitnve.protocol.auth.AuthFixture.MANAGER;
import static org.splitnve.protocol.auth.AuthFixture.STATION;
import static org.splitnve.protocol.auth.AuthFixture.item;
import static org.splitnve.protocol.auth.AuthFixture.psk;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.protocol.ManualClock;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.ecp.EcpEndpoint;
import org.splitnve.protocol.ecp.EcpEvent;
import org.splitnve.protocol.ecp.EcpListener;
import org.splitnve.protocol.ecp.EcpProfile;
import org.splitnve.protocol.event.RecordingSink;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.vdp.AuthTlv;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;

/**
 * Two {@link EcpEndpoint}s back to back, each with an {@link HmacFrameAuthenticator}: every frame
 * goes through {@link org.splitnve.wire.frame.FrameCodec} on a queue (delivered in order, after the
 * sending call returns, as a real link would), under a {@link ManualClock}.
 */
class EcpAuthenticationTest {
    private record Transit(boolean toBridge, Bytes bytes) {
        Frame.Vdp frame() {
            return AuthFixture.decode(bytes.toArray());
        }

        boolean request() {
            return frame().ecp().operation() == EcpOperation.REQUEST;
        }

        boolean ack() {
            return !request();
        }
    }

    private static final class Listener implements EcpListener {
        final List<VdpPdu> received = new ArrayList<>();
        final List<Object> delivered = new ArrayList<>();
        final List<Object> failed = new ArrayList<>();

        @Override
        public void onReceive(EthernetHeader ethernet, VdpPdu pdu) {
            received.add(pdu);
        }

        @Override
        public void onDelivered(List<Object> tokens) {
            delivered.addAll(tokens);
        }

        @Override
        public void onTransmitError(List<Object> tokens) {
            failed.addAll(tokens);
        }

        List<VdpItem> items() {
            List<VdpItem> all = new ArrayList<>();
            for (VdpPdu p : received) {
                all.addAll(p.items());
            }
            return all;
        }
    }

    private final ManualClock clock = new ManualClock(1_000_000_000L);
    private final ArrayDeque<Transit> wire = new ArrayDeque<>();
    private final List<Transit> captured = new ArrayList<>();
    private Predicate<Transit> drop = t -> false;

    private final RecordingSink stationEvents = new RecordingSink();
    private final RecordingSink bridgeEvents = new RecordingSink();
    private final Listener stationListener = new Listener();
    private final Listener bridgeListener = new Listener();
    private HmacFrameAuthenticator stationAuth;
    private HmacFrameAuthenticator bridgeAuth;
    private EcpEndpoint station;
    private EcpEndpoint bridge;

    @BeforeEach
    void setUp() {
        stationAuth = new HmacFrameAuthenticator(Role.STATION, STATION, BRIDGE, KeyRing.of(1, psk(1)), stationEvents);
        bridgeAuth = new HmacFrameAuthenticator(Role.BRIDGE, BRIDGE, STATION, KeyRing.of(1, psk(1)), bridgeEvents);
        station = endpoint(STATION, BRIDGE, stationAuth, stationEvents, true, stationListener, 0x1111);
        bridge = endpoint(BRIDGE, STATION, bridgeAuth, bridgeEvents, false, bridgeListener, 0x2222);
    }

    private EcpEndpoint endpoint(MacAddress local, MacAddress peer, HmacFrameAuthenticator auth, RecordingSink events,
            boolean toBridge, Listener listener, int epoch) {
        EcpEndpoint e = new EcpEndpoint(local, peer, MacAddress.NEAREST_CUSTOMER_BRIDGE, CODEC, MANAGER,
                EcpProfile.BATCHING, Timers.STANDARD, clock, events,
                (frame, length) -> wire.add(new Transit(toBridge, Bytes.wrap(Arrays.copyOf(frame, length)))), listener,
                () -> header(auth, epoch));
        e.setAuthenticator(auth);
        return e;
    }

    /** The session TLV carries this side's nonce until the peer has proved it knows it. */
    private static List<OrgTlv> header(HmacFrameAuthenticator auth, int epoch) {
        if (auth.authenticated()) {
            return List.of();
        }
        return List.of(CapabilityTlv.all(), new SessionTlv(0, epoch, 0, 0, 0, auth.localNonce()));
    }

    /** Delivers every frame on the link, in order, including those sent while delivering. */
    private void deliver() {
        Transit t;
        while ((t = wire.poll()) != null) {
            captured.add(t);
            if (drop.test(t)) {
                continue;
            }
            inject(t.toBridge, t.bytes.toArray());
        }
    }

    private void inject(boolean toBridge, byte[] bytes) {
        Frame.Vdp f = AuthFixture.decode(bytes);
        (toBridge ? bridge : station).onFrame(bytes, 0, bytes.length, f);
    }

    /** Runs both endpoints' timers until nothing is due or left on the link. */
    private void runTimers() {
        for (int i = 0; i < 100; i++) {
            long next = Math.min(station.nextDeadline(), bridge.nextDeadline());
            if (next == Long.MAX_VALUE) {
                return;
            }
            clock.set(Math.max(clock.nanos(), next));
            station.onTimer(clock.nanos());
            bridge.onTimer(clock.nanos());
            deliver();
        }
        throw new AssertionError("timers never settle");
    }

    /** The handshake as engines run it: each side sends its session TLV (with its nonce). */
    private void open() {
        station.sendHeaderOnly();
        deliver();
        bridge.sendHeaderOnly();
        deliver();
        assertThat(stationAuth.authenticated()).isTrue();
        assertThat(bridgeAuth.authenticated()).isTrue();
        assertThat(station.busy()).isFalse();
        assertThat(bridge.busy()).isFalse();
    }

    private List<Transit> requestsToBridgeWithItems() {
        return captured.stream().filter(t -> t.toBridge && t.request() && !t.frame().vdp().items().isEmpty()).toList();
    }

    @Test
    @DisplayName("REQ-11, GAP-11: with authenticators on both endpoints, items submitted on one side are delivered on the other")
    void itemsDelivered() {
        open();
        for (int i = 1; i <= 5; i++) {
            station.submit(item(i), "s" + i);
        }
        deliver();
        bridge.submit(item(100), "b1");
        deliver();

        assertThat(bridgeListener.items()).containsExactly(item(1), item(2), item(3), item(4), item(5));
        assertThat(stationListener.delivered).containsExactly("s1", "s2", "s3", "s4", "s5");
        assertThat(stationListener.items()).containsExactly(item(100));
        assertThat(bridgeListener.delivered).containsExactly("b1");
        assertThat(stationEvents.of(EcpEvent.AuthRefused.class)).isEmpty();
        assertThat(bridgeEvents.of(EcpEvent.AuthRefused.class)).isEmpty();
        // Every frame on the link carried a signed authentication TLV, acknowledgements included.
        assertThat(captured).isNotEmpty().allSatisfy(t -> {
            AuthTlv a = t.frame().vdp().auth();
            assertThat(a).isNotNull();
            assertThat(a.tag().isAllZero()).isFalse();
        });
        assertThat(captured).anySatisfy(t -> assertThat(t.ack()).isTrue());
        // Once authenticated, the session TLV is no longer repeated.
        assertThat(requestsToBridgeWithItems()).allSatisfy(t -> assertThat(t.frame().vdp().header()).isEmpty());
    }

    @Test
    @DisplayName("REQ-11, SEC-3, SEC-4: a forged frame injected into the link is refused (ecp.auth_refused, auth.refused), neither acknowledged nor delivered")
    void forgedFrameRefused() {
        open();
        int received = bridgeListener.received.size();
        long sent = bridge.framesSent();

        // A forger without the PSK: the station's MAC, the next sequence number, a made-up tag.
        VdpPdu pdu = new VdpPdu(MANAGER, List.of(), List.of(item(66)),
                new AuthTlv(AuthTlv.HMAC_SHA256, 1, 1_000_000, randomTag()));
        inject(true, encode(STATION, EcpHeader.request(2), pdu));
        // A forger with another PSK, signing properly with it.
        HmacFrameAuthenticator rogue = new HmacFrameAuthenticator(Role.STATION, STATION, BRIDGE,
                KeyRing.of(1, psk(2)), null);
        byte[] rogueFrame = signed(rogue, STATION, EcpHeader.request(2), new VdpPdu(MANAGER, List.of(),
                List.of(item(67)), null));
        inject(true, rogueFrame);
        // And a forged acknowledgement toward the station.
        station.submit(item(1), "t1");
        Transit outstanding = wire.poll();
        inject(false, encode(BRIDGE, outstanding.frame().ecp().ack(), VdpPdu.EMPTY.withAuth(
                new AuthTlv(AuthTlv.HMAC_SHA256, 1, 1_000_000, randomTag()))));
        assertThat(stationListener.delivered).isEmpty();
        assertThat(station.busy()).isTrue();
        wire.addFirst(outstanding);
        deliver();

        assertThat(bridgeListener.received).hasSize(received + 1);
        assertThat(bridgeListener.items()).doesNotContain(item(66), item(67)).contains(item(1));
        assertThat(bridge.framesSent()).isEqualTo(sent + 1); // only the acknowledgement of t1
        assertThat(stationListener.delivered).containsExactly("t1");
        assertThat(bridgeEvents.of(EcpEvent.AuthRefused.class)).extracting(EcpEvent.AuthRefused::verdict)
                .containsExactly("BAD_TAG", "BAD_TAG");
        assertThat(bridgeEvents.of(AuthEvent.Refused.class)).hasSize(2)
                .allSatisfy(r -> assertThat(r.peer()).isEqualTo(STATION));
        assertThat(stationEvents.of(EcpEvent.AuthRefused.class)).extracting(EcpEvent.AuthRefused::verdict)
                .containsExactly("BAD_TAG");
    }

    @Test
    @DisplayName("SEC-4, REQ-11: a replayed captured frame is not delivered twice")
    void replayNotDeliveredTwice() {
        open();
        station.submit(item(1), "t1");
        deliver();
        Transit capturedRequest = requestsToBridgeWithItems().getLast();
        assertThat(bridgeListener.items()).containsExactly(item(1));

        // Replayed right away: valid tag, counter already seen, same sequence: acknowledged again, not delivered.
        inject(true, capturedRequest.bytes.toArray());
        assertThat(bridgeListener.items()).containsExactly(item(1));
        assertThat(bridgeEvents.of(EcpEvent.Duplicate.class)).hasSize(1);
        deliver(); // the repeated acknowledgement finds nothing outstanding at the station
        assertThat(stationEvents.of(EcpEvent.StrayAck.class)).hasSize(1);

        station.submit(item(2), "t2");
        deliver();
        // Replayed later: a refused REPLAY.
        inject(true, capturedRequest.bytes.toArray());
        assertThat(bridgeListener.items()).containsExactly(item(1), item(2));
        assertThat(bridgeEvents.of(EcpEvent.AuthRefused.class)).extracting(EcpEvent.AuthRefused::verdict)
                .containsExactly("REPLAY");
        // A replayed acknowledgement does not confirm anything either.
        Transit oldAck = captured.stream().filter(t -> !t.toBridge && t.ack()).toList().getLast();
        station.submit(item(3), "t3");
        Transit t3 = wire.poll();
        inject(false, oldAck.bytes.toArray());
        assertThat(stationListener.delivered).containsExactly("t1", "t2");
        wire.addFirst(t3);
        deliver();
        assertThat(stationListener.delivered).containsExactly("t1", "t2", "t3");
        assertThat(bridgeListener.items()).containsExactly(item(1), item(2), item(3));
    }

    @Test
    @DisplayName("REQ-11: a lost acknowledgement: the retransmission is a REPLAY with a valid tag, acknowledged again, delivered once")
    void lostAck() {
        open();
        boolean[] dropped = {false};
        drop = t -> !t.toBridge && t.ack() && !dropped[0] && (dropped[0] = true);
        station.submit(item(1), "t1");
        deliver();
        assertThat(stationListener.delivered).isEmpty();
        runTimers();
        assertThat(station.retransmissions()).isEqualTo(1);
        assertThat(stationListener.delivered).containsExactly("t1");
        assertThat(bridgeListener.items()).containsExactly(item(1));
        assertThat(bridgeEvents.of(AuthEvent.Retransmission.class)).hasSize(1);
        assertThat(bridgeEvents.of(EcpEvent.AuthRefused.class)).isEmpty();
    }

    @Test
    @DisplayName("REQ-11: a lost acknowledgement of the hello: the hello is sent again and acknowledged with the hello key")
    void lostHelloAck() {
        boolean[] dropped = {false};
        drop = t -> !t.toBridge && t.ack() && !dropped[0] && (dropped[0] = true);
        station.sendHeaderOnly();
        deliver();
        assertThat(station.busy()).isTrue();
        runTimers();
        assertThat(station.busy()).isFalse();
        bridge.sendHeaderOnly();
        deliver();
        assertThat(stationAuth.authenticated()).isTrue();
        assertThat(bridgeAuth.authenticated()).isTrue();
        assertThat(stationEvents.of(EcpEvent.AuthRefused.class)).isEmpty();
        assertThat(bridgeEvents.of(EcpEvent.AuthRefused.class)).isEmpty();
    }

    @Test
    @DisplayName("REQ-11, SEC-3: a key rotated while items flow: every item delivered, nothing refused, the old key refused once retired")
    void rotationUnderTraffic() {
        open();
        List<String> tokens = new ArrayList<>();
        int n = 0;
        for (int step = 0; step < 6; step++) {
            switch (step) {
                case 1 -> {
                    bridgeAuth.addKey(2, psk(2));
                    stationAuth.addKey(2, psk(2));
                }
                case 2 -> stationAuth.useKey(2);
                case 3 -> bridgeAuth.useKey(2);
                case 4 -> {
                    stationAuth.retireKey(1);
                    bridgeAuth.retireKey(1);
                }
                default -> {
                }
            }
            // One item on the link (outstanding) and more queued while the keys change.
            for (int i = 0; i < 3; i++) {
                n++;
                tokens.add("s" + n);
                station.submit(item(n), "s" + n);
                bridge.submit(item(1000 + n), "b" + n);
            }
            if (step % 2 == 0) {
                deliver();
            }
        }
        deliver();
        assertThat(stationListener.delivered).containsExactlyElementsOf(tokens);
        assertThat(bridgeListener.items()).hasSize(n);
        assertThat(stationListener.items()).hasSize(n);
        assertThat(stationEvents.of(EcpEvent.AuthRefused.class)).isEmpty();
        assertThat(bridgeEvents.of(EcpEvent.AuthRefused.class)).isEmpty();
        assertThat(captured).extracting(t -> t.frame().vdp().auth().keyId()).contains(1, 2);

        // A frame captured under key 1, replayed after its retirement.
        Transit old = requestsToBridgeWithItems().getFirst();
        inject(true, old.bytes.toArray());
        assertThat(bridgeEvents.of(EcpEvent.AuthRefused.class)).extracting(EcpEvent.AuthRefused::verdict)
                .containsExactly("UNKNOWN_KEY");
    }

    @Test
    @DisplayName("REQ-11, SEC-4: items sent before the session is established are refused (NO_SESSION) and reported undelivered")
    void itemsBeforeSession() {
        station.submit(item(1), "early");
        deliver();
        runTimers();
        assertThat(bridgeListener.received).isEmpty();
        assertThat(stationListener.failed).containsExactly("early");
        assertThat(bridgeEvents.of(EcpEvent.AuthRefused.class)).isNotEmpty()
                .allSatisfy(r -> assertThat(r.verdict()).isEqualTo("NO_SESSION"));
        // The engines' way: open the session first, then send.
        open();
        station.submit(item(1), "again");
        deliver();
        assertThat(stationListener.delivered).containsExactly("again");
    }

    private static Bytes randomTag() {
        byte[] tag = new byte[AuthTlv.HMAC_SHA256_TAG];
        new java.util.Random(7).nextBytes(tag);
        return Bytes.wrap(tag);
    }

    private static byte[] encode(MacAddress src, EcpHeader ecp, VdpPdu pdu) {
        Frame.Vdp f = new Frame.Vdp(new EthernetHeader(MacAddress.NEAREST_CUSTOMER_BRIDGE, src, EcpHeader.ETHERTYPE), ecp, pdu);
        return CODEC.encode(f, true);
    }

    private static byte[] signed(HmacFrameAuthenticator auth, MacAddress src, EcpHeader ecp, VdpPdu pdu) {
        VdpPdu withAuth = pdu.withAuth(auth.next());
        byte[] bytes = encode(src, ecp, withAuth);
        auth.sign(bytes, 0, 14 + EcpHeader.LENGTH + VdpCodec.authTagOffset(withAuth));
        return bytes;
    }
}
