package org.splitnve.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.protocol.auth.AuthFixture.BRIDGE;
import static org.splitnve.protocol.auth.AuthFixture.STATION;
import static org.splitnve.protocol.auth.AuthFixture.handshake;
import static org.splitnve.protocol.auth.AuthFixture.item;
import static org.splitnve.protocol.auth.AuthFixture.psk;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.splitnve.protocol.auth.AuthFixture.Side;
import org.splitnve.protocol.auth.AuthFixture.Signed;
import org.splitnve.protocol.auth.FrameAuthenticator.Verdict;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.EventFormat;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ethernet.VlanTag;
import org.splitnve.wire.vdp.AuthTlv;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.VdpPdu;

class HmacFrameAuthenticatorTest {
    private static final int KEY_1 = 1;
    private static final int KEY_2 = 0xCAFE_0002;

    private Side station;
    private Side bridge;

    @BeforeEach
    void setUp() {
        station = new Side(Role.STATION, KeyRing.of(KEY_1, psk(1)));
        bridge = new Side(Role.BRIDGE, KeyRing.of(KEY_1, psk(1)));
    }

    @Nested
    class Handshake {
        @Test
        @DisplayName("REQ-11, GAP-11: the nonces travel in the session TLVs; each side proves the PSK over the other's nonce (mutual)")
        void mutual() {
            assertThat(station.auth.established()).isFalse();
            assertThat(bridge.auth.established()).isFalse();
            assertThat(station.auth.localNonce()).isNotEqualTo(bridge.auth.localNonce());

            Signed hello = station.hello();
            assertThat(bridge.verify(hello)).isEqualTo(Verdict.OK);
            assertThat(bridge.auth.peerNonce()).isEqualTo(station.auth.localNonce());
            assertThat(bridge.auth.established()).isTrue();
            // A hello is not fresh for the bridge: no proof yet.
            assertThat(bridge.auth.authenticated()).isFalse();

            assertThat(station.verify(bridge.ack(hello))).isEqualTo(Verdict.OK);
            assertThat(station.auth.established()).isFalse();

            Signed reply = bridge.hello(); // signed with the session key: the bridge knows both nonces
            assertThat(station.verify(reply)).isEqualTo(Verdict.OK);
            assertThat(station.auth.peerNonce()).isEqualTo(bridge.auth.localNonce());
            assertThat(station.auth.authenticated()).isTrue();

            assertThat(bridge.verify(station.ack(reply))).isEqualTo(Verdict.OK);
            assertThat(bridge.auth.authenticated()).isTrue();

            assertThat(station.events.of(AuthEvent.Ok.class)).hasSize(1);
            assertThat(bridge.events.of(AuthEvent.Ok.class)).hasSize(1);
            assertThat(station.events.of(AuthEvent.PeerSession.class)).extracting(AuthEvent.PeerSession::via)
                    .containsExactly("frame");
            assertThat(bridge.events.of(AuthEvent.PeerSession.class)).extracting(AuthEvent.PeerSession::via)
                    .containsExactly("hello");
            assertThat(station.events.of(AuthEvent.Refused.class)).isEmpty();
            assertThat(bridge.events.of(AuthEvent.Refused.class)).isEmpty();
        }

        @Test
        @DisplayName("REQ-11: both sides may open at once; hellos cross and each is acknowledged with the hello key")
        void crossingHellos() {
            Signed fromStation = station.hello();
            Signed fromBridge = bridge.hello();
            assertThat(bridge.verify(fromStation)).isEqualTo(Verdict.OK);
            assertThat(station.verify(fromBridge)).isEqualTo(Verdict.OK);
            assertThat(station.verify(bridge.ack(fromStation))).isEqualTo(Verdict.OK);
            assertThat(bridge.verify(station.ack(fromBridge))).isEqualTo(Verdict.OK);
            assertThat(station.auth.established()).isTrue();
            assertThat(bridge.auth.established()).isTrue();
            // The first frames under the session key complete the mutual proof.
            assertThat(bridge.verify(station.items(item(10)))).isEqualTo(Verdict.OK);
            assertThat(station.verify(bridge.items(item(20)))).isEqualTo(Verdict.OK);
            assertThat(station.auth.authenticated()).isTrue();
            assertThat(bridge.auth.authenticated()).isTrue();
        }

        @Test
        @DisplayName("REQ-11, SEC-4: before the session is established frames with items are refused NO_SESSION")
        void noSession() {
            // The station does not know the bridge's nonce: its items can only go under the hello key.
            assertThat(bridge.verify(station.items(item(10)))).isEqualTo(Verdict.NO_SESSION);
            // Nor is a bare acknowledgement signed that way accepted for something that was no hello.
            Signed bridgeRequest = bridge.hello();
            assertThat(station.verify(bridgeRequest)).isEqualTo(Verdict.OK);
            assertThat(bridge.auth.established()).isFalse();
            // The bridge now gets the station's hello and sends items the station cannot check yet ...
            Side lateStation = new Side(Role.STATION, KeyRing.of(KEY_1, psk(1)));
            assertThat(bridge.verify(lateStation.hello())).isEqualTo(Verdict.OK);
            assertThat(lateStation.verify(bridge.items(item(20)))).isEqualTo(Verdict.NO_SESSION);
            assertThat(lateStation.events.of(AuthEvent.Refused.class)).extracting(AuthEvent.Refused::verdict)
                    .containsExactly("NO_SESSION");
            assertThat(bridge.events.of(AuthEvent.Refused.class)).extracting(AuthEvent.Refused::verdict)
                    .containsExactly("NO_SESSION");
        }

        @Test
        @DisplayName("REQ-11, SEC-4: a hello-keyed acknowledgement is accepted only for this side's outstanding hello")
        void helloAckOnlyForOutstandingHello() {
            Signed hello = station.hello();
            assertThat(bridge.verify(hello)).isEqualTo(Verdict.OK);
            Signed helloAck = bridge.ack(hello);
            handshakeRest();
            // The station has moved on to requests signed with the session key: an old hello ack is refused.
            assertThat(bridge.verify(station.items(item(1)))).isEqualTo(Verdict.OK);
            assertThat(station.verify(helloAck)).isEqualTo(Verdict.NO_SESSION);
        }

        private void handshakeRest() {
            Signed reply = bridge.hello();
            assertThat(station.verify(reply)).isEqualTo(Verdict.OK);
            assertThat(bridge.verify(station.ack(reply))).isEqualTo(Verdict.OK);
        }

        @Test
        @DisplayName("REQ-11: a retransmitted hello is a REPLAY with a valid tag, and its repeated acknowledgement is hello-keyed")
        void helloRetransmission() {
            Signed hello = station.hello();
            assertThat(bridge.verify(hello)).isEqualTo(Verdict.OK);
            // The acknowledgement is lost; ECP sends the same octets again.
            assertThat(bridge.verify(hello.copy())).isEqualTo(Verdict.REPLAY);
            assertThat(bridge.events.of(AuthEvent.Retransmission.class)).hasSize(1);
            assertThat(bridge.events.of(AuthEvent.Refused.class)).isEmpty();
            assertThat(station.verify(bridge.ack(hello))).isEqualTo(Verdict.OK);
        }
    }

    @Nested
    class Frames {
        @BeforeEach
        void establish() {
            handshake(station, bridge);
        }

        @Test
        @DisplayName("REQ-11, GAP-11: a frame signed by one side verifies at the other, requests and acknowledgements, both directions")
        void ok() {
            Signed up = station.items(item(1), item(2));
            assertThat(bridge.verify(up)).isEqualTo(Verdict.OK);
            assertThat(station.verify(bridge.ack(up))).isEqualTo(Verdict.OK);
            Signed down = bridge.items(item(3));
            assertThat(station.verify(down)).isEqualTo(Verdict.OK);
            assertThat(bridge.verify(station.ack(down))).isEqualTo(Verdict.OK);
            assertThat(up.tlv().algorithm()).isEqualTo(AuthTlv.HMAC_SHA256);
            assertThat(up.tlv().keyId()).isEqualTo(KEY_1);
        }

        @Test
        @DisplayName("REQ-11, SEC-4: a flipped bit anywhere before the tag (Ethernet MACs, EtherType, ECP header, TLVs, key ID, counter) or in the tag is BAD_TAG")
        void everyBitCovered() {
            Signed s = station.items(item(1), item(2));
            checkEveryBit(s);
            // The untouched frame still verifies: refusals changed no state.
            assertThat(bridge.verify(s)).isEqualTo(Verdict.OK);
        }

        @Test
        @DisplayName("REQ-11, SEC-4: the 802.1Q tag is covered too")
        void vlanTagCovered() {
            Signed s = AuthFixture.sign(station, EcpHeader.request(station.nextSequence++),
                    new VdpPdu(AuthFixture.MANAGER, List.of(), List.of(item(7)), null), VlanTag.ctag(100));
            assertThat(s.frame().ethernet().vlan()).isNotNull();
            checkEveryBit(s);
            assertThat(bridge.verify(s)).isEqualTo(Verdict.OK);
        }

        private void checkEveryBit(Signed s) {
            List<Integer> notRefused = new ArrayList<>();
            for (int bit = 0; bit < (s.tagOffset() + AuthTlv.HMAC_SHA256_TAG) * 8; bit++) {
                byte[] b = s.bytes();
                b[bit / 8] ^= (byte) (0x80 >>> (bit % 8));
                // As received, with the TLV the receiver decoded from the original octets.
                Verdict v = bridge.auth.verify(b, 0, s.tagOffset(), s.tlv());
                if (v != Verdict.BAD_TAG) {
                    notRefused.add(bit);
                }
            }
            assertThat(notRefused).as("bits whose flip was not refused as BAD_TAG").isEmpty();
            assertThat(bridge.events.of(AuthEvent.Refused.class)).hasSize((s.tagOffset() + 32) * 8)
                    .allSatisfy(r -> assertThat(r.verdict()).isEqualTo("BAD_TAG"))
                    .allSatisfy(r -> assertThat(r.level()).isEqualTo(Event.Level.WARN))
                    .allSatisfy(r -> assertThat(r.peer()).isEqualTo(STATION));
            bridge.events.clear();
        }

        @Test
        @DisplayName("REQ-11, SEC-4: a flipped key ID that decodes to a key the receiver lacks is UNKNOWN_KEY")
        void flippedKeyIdDecoded() {
            Signed s = station.items(item(1));
            byte[] b = s.bytes();
            b[s.tagOffset() - 12 + 3] ^= 0x04; // key ID 1 -> 5
            assertThat(AuthFixture.verifyAt(bridge.auth, b)).isEqualTo(Verdict.UNKNOWN_KEY);
        }

        @Test
        @DisplayName("SEC-4, REQ-11: the same frame twice is a REPLAY (with a valid tag); an older frame after a newer one too")
        void replay() {
            Signed first = station.items(item(1));
            Signed second = station.items(item(2));
            assertThat(bridge.verify(first)).isEqualTo(Verdict.OK);
            assertThat(bridge.verify(first.copy())).isEqualTo(Verdict.REPLAY);
            // REPLAY only for a valid tag: the same replay with one bit changed is BAD_TAG.
            Signed tampered = first.flipped(20, 1);
            assertThat(bridge.auth.verify(tampered.bytes(), 0, first.tagOffset(), first.tlv())).isEqualTo(Verdict.BAD_TAG);
            // The retransmission of the last request is logged at DEBUG, other replays are refusals.
            assertThat(bridge.events.of(AuthEvent.Retransmission.class)).hasSize(1);
            assertThat(bridge.verify(second)).isEqualTo(Verdict.OK);
            assertThat(bridge.verify(first.copy())).isEqualTo(Verdict.REPLAY);
            assertThat(bridge.events.of(AuthEvent.Refused.class)).extracting(AuthEvent.Refused::verdict)
                    .containsExactly("BAD_TAG", "REPLAY");
            // Acknowledgements are replay-checked as well.
            Signed ack = bridge.ack(second);
            assertThat(station.verify(ack)).isEqualTo(Verdict.OK);
            assertThat(station.verify(ack.copy())).isEqualTo(Verdict.REPLAY);
        }

        @Test
        @DisplayName("REQ-11, SEC-4: a request and an acknowledgement sent moments apart and reordered on the way are both "
                + "accepted; each is a REPLAY when it comes again")
        void requestAndAckReordered() {
            Signed up = station.items(item(1));
            Signed down = bridge.items(item(2));   // the bridge's own request (lower counter)...
            Signed ack = bridge.ack(up);           // ...then its acknowledgement of the station's (higher counter)
            assertThat(ack.tlv().counter()).isGreaterThan(down.tlv().counter());
            assertThat(bridge.verify(up)).isEqualTo(Verdict.OK);
            assertThat(station.verify(ack)).isEqualTo(Verdict.OK);
            assertThat(station.verify(down)).isEqualTo(Verdict.OK);
            assertThat(station.verify(down.copy())).isEqualTo(Verdict.REPLAY);
            assertThat(station.verify(ack.copy())).isEqualTo(Verdict.REPLAY);
            // And the other way round: an acknowledgement overtaken by a later request.
            Signed up2 = station.items(item(3));
            Signed ack2 = station.ack(down);
            Signed up3 = station.items(item(4));
            assertThat(bridge.verify(up2)).isEqualTo(Verdict.OK);
            assertThat(bridge.verify(up3)).isEqualTo(Verdict.OK);
            assertThat(bridge.verify(ack2)).isEqualTo(Verdict.OK);
            assertThat(bridge.verify(up2.copy())).isEqualTo(Verdict.REPLAY);
            assertThat(bridge.events.of(AuthEvent.Refused.class)).extracting(AuthEvent.Refused::verdict)
                    .containsExactly("REPLAY");
        }

        @Test
        @DisplayName("SEC-4: frames delivered in order with counters that skip values are accepted (strictly increasing, not consecutive)")
        void gapsAllowed() {
            station.items(item(1)); // lost on the way
            Signed s = station.items(item(2));
            assertThat(bridge.verify(s)).isEqualTo(Verdict.OK);
            assertThat(s.tlv().counter()).isGreaterThan(2);
        }

        @Test
        @DisplayName("REQ-11, GAP-11: a frame signed with a different PSK is BAD_TAG")
        void otherPsk() {
            Side rogueStation = new Side(Role.STATION, KeyRing.of(KEY_1, psk(99)));
            Side rogueBridge = new Side(Role.BRIDGE, KeyRing.of(KEY_1, psk(99)));
            handshake(rogueStation, rogueBridge);
            assertThat(bridge.verify(rogueStation.items(item(1)))).isEqualTo(Verdict.BAD_TAG);
            // Its hello is refused as well: a man in the middle cannot inject a nonce.
            assertThat(bridge.verify(new Side(Role.STATION, KeyRing.of(KEY_1, psk(99))).hello()))
                    .isEqualTo(Verdict.BAD_TAG);
            assertThat(bridge.auth.peerNonce()).isEqualTo(station.auth.localNonce());
        }

        @Test
        @DisplayName("REQ-11, SEC-4: a key ID the receiver does not hold is UNKNOWN_KEY")
        void unknownKey() {
            station.auth.addKey(7, psk(7));
            station.auth.useKey(7);
            assertThat(bridge.verify(station.items(item(1)))).isEqualTo(Verdict.UNKNOWN_KEY);
            assertThat(bridge.events.of(AuthEvent.Refused.class)).singleElement()
                    .satisfies(r -> assertThat(r.verdict()).isEqualTo("UNKNOWN_KEY"))
                    .satisfies(r -> assertThat(r.keyId()).isEqualTo(7L));
        }

        @Test
        @DisplayName("REQ-11: a frame of one direction reflected back to its sender is BAD_TAG (keys are per direction)")
        void reflection() {
            Signed s = station.items(item(1));
            assertThat(station.verify(s)).isEqualTo(Verdict.BAD_TAG);
        }

        @Test
        @DisplayName("REQ-11, SEC-4: a valid frame of another station (another MAC pair) is BAD_TAG")
        void otherStation() {
            Side other = new Side(Role.STATION, KeyRing.of(KEY_1, psk(1)));
            HmacFrameAuthenticator bridgeForOther = new HmacFrameAuthenticator(Role.BRIDGE, BRIDGE,
                    MacAddress.parse("02:00:00:00:5e:02"), KeyRing.of(KEY_1, psk(1)), null);
            // Same PSK, but the frames of STATION are keyed to STATION's MAC.
            Signed hello = other.hello();
            assertThat(AuthFixture.verifyAt(bridgeForOther, hello.bytes())).isEqualTo(Verdict.BAD_TAG);
            assertThat(bridgeForOther.established()).isFalse();
        }

        @Test
        @DisplayName("SEC-3: results are structured events: auth.ok once per session and key, auth.refused at WARN with verdict and peer")
        void events() {
            assertThat(bridge.verify(station.items(item(1)))).isEqualTo(Verdict.OK);
            Signed good = station.items(item(2));
            Signed bad = good.flipped(good.tagOffset(), 1);
            assertThat(bridge.verify(bad)).isEqualTo(Verdict.BAD_TAG);
            List<AuthEvent> events = bridge.events.of(AuthEvent.class);
            assertThat(events).extracting(Event::name).containsExactly("auth.peer_session", "auth.ok", "auth.refused");
            AuthEvent.Refused r = bridge.events.of(AuthEvent.Refused.class).getFirst();
            assertThat(r.level()).isEqualTo(Event.Level.WARN);
            assertThat(EventFormat.logfmt(0, "nnve", r)).contains("event=auth.refused", "peer=" + STATION,
                    "verdict=BAD_TAG", "keyId=1");
        }
    }

    @Nested
    class Rotation {
        @BeforeEach
        void establish() {
            handshake(station, bridge);
        }

        @Test
        @DisplayName("REQ-11, SEC-3: rotation: the old key verifies while both are accepted, the new one after the switch, none lost, the old one refused once retired")
        void rotate() {
            List<Signed> toBridge = new ArrayList<>();
            List<Signed> toStation = new ArrayList<>();
            toBridge.add(station.items(item(1)));
            // Step 1: both sides accept the new key.
            bridge.auth.addKey(KEY_2, psk(2));
            station.auth.addKey(KEY_2, psk(2));
            toBridge.add(station.items(item(2)));
            toStation.add(bridge.items(item(3)));
            // Step 2: each side switches; frames signed with the old key are still in flight.
            station.auth.useKey(KEY_2);
            toBridge.add(station.items(item(4)));
            toStation.add(bridge.items(item(5)));
            bridge.auth.useKey(KEY_2);
            toStation.add(bridge.items(item(6)));
            toBridge.add(station.items(item(7)));

            for (Signed s : toBridge) {
                assertThat(bridge.verify(s)).as("frame with key %s", s.tlv().keyId()).isEqualTo(Verdict.OK);
            }
            for (Signed s : toStation) {
                assertThat(station.verify(s)).as("frame with key %s", s.tlv().keyId()).isEqualTo(Verdict.OK);
            }
            assertThat(toBridge).extracting(s -> s.tlv().keyId()).containsExactly(KEY_1, KEY_1, KEY_2, KEY_2);
            assertThat(toStation).extracting(s -> s.tlv().keyId()).containsExactly(KEY_1, KEY_1, KEY_2);

            // A frame signed with the old key before it was retired, delivered after.
            station.auth.useKey(KEY_1);
            Signed late = station.items(item(8));
            station.auth.useKey(KEY_2);
            // Step 3: retire the old key.
            bridge.auth.retireKey(KEY_1);
            station.auth.retireKey(KEY_1);
            assertThat(bridge.verify(late)).isEqualTo(Verdict.UNKNOWN_KEY);
            assertThat(bridge.verify(station.items(item(9)))).isEqualTo(Verdict.OK);
            assertThat(station.verify(bridge.items(item(10)))).isEqualTo(Verdict.OK);

            assertThat(bridge.events.events()).extracting(Event::name).contains("auth.key_added", "auth.key_rotated",
                    "auth.key_retired");
            AuthEvent.KeyRotated rotated = bridge.events.of(AuthEvent.KeyRotated.class).getFirst();
            assertThat(rotated.previousKeyId()).isEqualTo(1L);
            assertThat(rotated.keyId()).isEqualTo(Integer.toUnsignedLong(KEY_2));
            // auth.ok for each key of the session.
            assertThat(bridge.events.of(AuthEvent.Ok.class)).extracting(AuthEvent.Ok::keyId)
                    .containsExactly(1L, Integer.toUnsignedLong(KEY_2));
        }

        @Test
        @DisplayName("REQ-11, SEC-4: counters are tracked per key: a replay under the new key is still a REPLAY")
        void replayAcrossKeys() {
            bridge.auth.addKey(KEY_2, psk(2));
            station.auth.addKey(KEY_2, psk(2));
            Signed old = station.items(item(1));
            station.auth.useKey(KEY_2);
            Signed fresh = station.items(item(2));
            assertThat(bridge.verify(old)).isEqualTo(Verdict.OK);
            assertThat(bridge.verify(fresh)).isEqualTo(Verdict.OK);
            assertThat(bridge.verify(old.copy())).isEqualTo(Verdict.REPLAY);
            assertThat(bridge.verify(fresh.copy())).isEqualTo(Verdict.REPLAY);
        }

        @Test
        @DisplayName("SEC-4, REQ-11: a key retired and added again does not reopen its counters: its old frames stay replays")
        void retiredAndReadded() {
            bridge.auth.addKey(KEY_2, psk(2));
            station.auth.addKey(KEY_2, psk(2));
            station.auth.useKey(KEY_2);
            Signed underKey2 = station.items(item(1));
            assertThat(bridge.verify(underKey2)).isEqualTo(Verdict.OK);
            station.auth.useKey(KEY_1);
            bridge.auth.retireKey(KEY_2);
            assertThat(bridge.verify(underKey2.copy())).isEqualTo(Verdict.UNKNOWN_KEY);
            bridge.auth.addKey(KEY_2, psk(2));
            assertThat(bridge.verify(underKey2.copy())).isEqualTo(Verdict.REPLAY);
            station.auth.useKey(KEY_2);
            assertThat(bridge.verify(station.items(item(2)))).isEqualTo(Verdict.OK);
        }

        @Test
        @DisplayName("REQ-11: a key ID cannot be reused with other key material, and the current key cannot be retired")
        void misuse() {
            assertThatThrownBy(() -> station.auth.setKeyRing(KeyRing.of(KEY_1, psk(5))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other key material");
            assertThatThrownBy(() -> station.auth.retireKey(KEY_1)).isInstanceOf(IllegalArgumentException.class);
            assertThat(station.auth.keyRing().currentId()).isEqualTo(KEY_1);
        }
    }

    @Nested
    class Sessions {
        @Test
        @DisplayName("REQ-11, SEC-4: a new session (new nonces on both sides) makes every frame of the old one BAD_TAG")
        void newSessionInvalidatesOldFrames() {
            handshake(station, bridge);
            Signed oldItems = station.items(item(1));
            Signed oldHeader = station.hello(); // session-keyed, carries the old station nonce
            Signed oldDown = bridge.items(item(2));
            assertThat(bridge.verify(oldItems)).isEqualTo(Verdict.OK);

            Side station2 = new Side(Role.STATION, KeyRing.of(KEY_1, psk(1)));
            Side bridge2 = new Side(Role.BRIDGE, KeyRing.of(KEY_1, psk(1)));
            handshake(station2, bridge2);
            assertThat(bridge2.verify(oldItems.copy())).isEqualTo(Verdict.BAD_TAG);
            assertThat(bridge2.verify(oldHeader)).isEqualTo(Verdict.BAD_TAG);
            assertThat(station2.verify(oldDown)).isEqualTo(Verdict.BAD_TAG);
        }

        @Test
        @DisplayName("REQ-11, SEC-4: the station restarts: its new hello opens a new session, old frames stay refused, none is accepted twice")
        void peerRestart() {
            handshake(station, bridge);
            Signed oldItems = station.items(item(1));
            assertThat(bridge.verify(oldItems)).isEqualTo(Verdict.OK);
            Signed undelivered = station.items(item(2)); // never reached the bridge

            Side restarted = new Side(Role.STATION, KeyRing.of(KEY_1, psk(1)));
            Signed hello = restarted.hello();
            assertThat(bridge.verify(hello)).isEqualTo(Verdict.OK);
            assertThat(bridge.auth.peerNonce()).isEqualTo(restarted.auth.localNonce());
            assertThat(restarted.verify(bridge.ack(hello))).isEqualTo(Verdict.OK);
            Signed reply = bridge.hello();
            assertThat(restarted.verify(reply)).isEqualTo(Verdict.OK);
            assertThat(bridge.verify(restarted.ack(reply))).isEqualTo(Verdict.OK);
            assertThat(bridge.auth.authenticated()).isTrue();
            // The restarted station's counter starts again at 1: accepted under the new session key.
            assertThat(restarted.auth.counter()).isLessThan(oldItems.tlv().counter());
            assertThat(bridge.verify(restarted.items(item(3)))).isEqualTo(Verdict.OK);

            // Frames of the old run: replayed or withheld, none is accepted now.
            assertThat(bridge.verify(oldItems.copy())).isNotEqualTo(Verdict.OK);
            assertThat(bridge.verify(undelivered)).isNotEqualTo(Verdict.OK);
            // Nor does the old hello bring the old session back.
            assertThat(bridge.verify(station.hello())).isNotEqualTo(Verdict.OK);
        }

        @Test
        @DisplayName("SEC-4: a replayed hello of the live session is a REPLAY; one of an older session cannot reset counters")
        void replayedHello() {
            Signed hello1 = station.hello();
            handshakeFrom(hello1);
            Signed items = station.items(item(1));
            assertThat(bridge.verify(items)).isEqualTo(Verdict.OK);
            assertThat(bridge.verify(hello1.copy())).isEqualTo(Verdict.REPLAY);

            // An old hello from an earlier run of the station, captured by an attacker.
            Side earlier = new Side(Role.STATION, KeyRing.of(KEY_1, psk(1)));
            Signed oldHello = earlier.hello();
            assertThat(bridge.verify(oldHello)).isEqualTo(Verdict.OK); // indistinguishable from a restart
            // The live station's frames still verify (fallback session) and prove which session is live ...
            Signed next = station.items(item(2));
            assertThat(bridge.verify(next)).isEqualTo(Verdict.OK);
            assertThat(bridge.auth.peerNonce()).isEqualTo(station.auth.localNonce());
            // ... captured frames stay replays, and the old hello is now refused for good.
            assertThat(bridge.verify(items.copy())).isEqualTo(Verdict.REPLAY);
            assertThat(bridge.verify(oldHello.copy())).isEqualTo(Verdict.REPLAY);
            assertThat(bridge.auth.peerNonce()).isEqualTo(station.auth.localNonce());
        }

        private void handshakeFrom(Signed hello) {
            assertThat(bridge.verify(hello)).isEqualTo(Verdict.OK);
            assertThat(station.verify(bridge.ack(hello))).isEqualTo(Verdict.OK);
            Signed reply = bridge.hello();
            assertThat(station.verify(reply)).isEqualTo(Verdict.OK);
            assertThat(bridge.verify(station.ack(reply))).isEqualTo(Verdict.OK);
        }

        @Test
        @DisplayName("REQ-11: rekey: a new nonce of this side invalidates the old session keys; the peer learns it from the next session TLV")
        void rekey() {
            handshake(station, bridge);
            Signed before = station.items(item(1));
            Bytes old = bridge.auth.localNonce();
            bridge.auth.rekey();
            assertThat(bridge.auth.localNonce()).isNotEqualTo(old);
            assertThat(bridge.auth.established()).isTrue();
            assertThat(bridge.auth.authenticated()).isFalse();
            assertThat(bridge.verify(before)).isEqualTo(Verdict.BAD_TAG);
            Signed header = bridge.hello(); // carries the new nonce, under the new session key
            assertThat(station.verify(header)).isEqualTo(Verdict.OK);
            assertThat(station.auth.peerNonce()).isEqualTo(bridge.auth.localNonce());
            assertThat(bridge.verify(station.ack(header))).isEqualTo(Verdict.OK);
            assertThat(bridge.auth.authenticated()).isTrue();
            assertThat(bridge.events.of(AuthEvent.Rekeyed.class)).hasSize(1);
        }

        @Test
        @DisplayName("REQ-11: restartSession: the station forgets the bridge's session (the bridge restarted); its next "
                + "request is a hello, a new bridge authenticates with it, and nothing of the old session verifies")
        void restartSession() {
            handshake(station, bridge);
            Signed old = station.items(item(1));
            assertThat(bridge.verify(old)).isEqualTo(Verdict.OK);
            Bytes oldNonce = station.auth.localNonce();
            station.auth.restartSession();
            assertThat(station.auth.established()).isFalse();
            assertThat(station.auth.authenticated()).isFalse();
            assertThat(station.auth.localNonce()).isNotEqualTo(oldNonce);
            // The bridge restarted: a new one, which knows nothing.
            Side restarted = new Side(Role.BRIDGE, KeyRing.of(KEY_1, psk(1)));
            Signed hello = station.hello();
            assertThat(hello.frame().vdp().items()).isEmpty();
            assertThat(restarted.verify(hello)).isEqualTo(Verdict.OK);
            assertThat(station.verify(restarted.ack(hello))).isEqualTo(Verdict.OK);
            Signed reply = restarted.hello();
            assertThat(station.verify(reply)).isEqualTo(Verdict.OK);
            assertThat(restarted.verify(station.ack(reply))).isEqualTo(Verdict.OK);
            assertThat(station.auth.authenticated()).isTrue();
            assertThat(restarted.auth.authenticated()).isTrue();
            assertThat(restarted.verify(station.items(item(2)))).isEqualTo(Verdict.OK);
            // Frames of the old session go nowhere: the old bridge cannot verify the new ones, nor the new the old.
            assertThat(bridge.verify(station.items(item(3)))).isEqualTo(Verdict.BAD_TAG);
            assertThat(restarted.verify(old.copy())).isEqualTo(Verdict.BAD_TAG);
            assertThat(station.events.of(AuthEvent.Rekeyed.class)).extracting(AuthEvent.Rekeyed::reason)
                    .containsExactly("session restarted");
        }

        @Test
        @DisplayName("SEC-4: verify never throws on malformed input: wrong offsets, truncated frames, a TLV that is not the one in the octets")
        void malformed() {
            handshake(station, bridge);
            Signed s = station.items(item(1));
            assertThat(bridge.auth.verify(s.bytes(), 0, s.tagOffset() - 1, s.tlv())).isEqualTo(Verdict.BAD_TAG);
            assertThat(bridge.auth.verify(s.bytes(), 0, s.bytes().length, s.tlv())).isEqualTo(Verdict.BAD_TAG);
            assertThat(bridge.auth.verify(new byte[10], 0, 4, s.tlv())).isEqualTo(Verdict.BAD_TAG);
            assertThat(bridge.auth.verify(s.bytes(), 0, s.tagOffset(), AuthTlv.unsigned(KEY_1, 999))).isEqualTo(Verdict.BAD_TAG);
            assertThat(bridge.auth.verify(s.bytes(), 0, s.tagOffset(), null)).isEqualTo(Verdict.BAD_TAG);
            assertThat(bridge.verify(s)).isEqualTo(Verdict.OK);
        }

        @Test
        @DisplayName("REQ-11: the counter starts at 1 and increases with every frame, whatever its key")
        void counter() {
            assertThat(station.auth.next().counter()).isEqualTo(1);
            assertThat(station.auth.next().counter()).isEqualTo(2);
            station.auth.addKey(KEY_2, psk(2));
            station.auth.useKey(KEY_2);
            AuthTlv t = station.auth.next();
            assertThat(t.counter()).isEqualTo(3);
            assertThat(t.keyId()).isEqualTo(KEY_2);
            assertThat(t.tag().isAllZero()).isTrue();
        }

        @Test
        @DisplayName("REQ-11: the session TLV nonce is 16 random octets, never zero; a hello without one is not a hello")
        void nonce() {
            assertThat(station.auth.localNonce().length()).isEqualTo(SessionTlv.NONCE_LENGTH);
            assertThat(station.auth.localNonce().isAllZero()).isFalse();
            Signed noNonce = station.request(new VdpPdu(null,
                    List.of(new SessionTlv(0, 1, 0, 0, 0, Bytes.wrap(new byte[16]))), List.of(), null));
            assertThat(bridge.verify(noNonce)).isEqualTo(Verdict.NO_SESSION);
        }
    }
}
