package org.splitnve.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.protocol.auth.AuthFixture.BRIDGE;
import static org.splitnve.protocol.auth.AuthFixture.STATION;
import static org.splitnve.protocol.auth.AuthFixture.psk;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.protocol.auth.SessionKeys.Purpose;

class SessionKeysTest {
    private static final byte[] NS = HexFormat.of().parseHex("000102030405060708090a0b0c0d0e0f");
    private static final byte[] NB = HexFormat.of().parseHex("f0e0d0c0b0a090807060504030201000");

    @Test
    @DisplayName("K = HMAC-SHA-256(PSK, \"splitnve-auth-v1\" | purpose | stationNonce | bridgeNonce | stationMac | bridgeMac), as documented")
    void layout() throws Exception {
        byte[] psk = psk(1);
        for (Purpose p : Purpose.values()) {
            ByteArrayOutputStream in = new ByteArrayOutputStream();
            in.write("splitnve-auth-v1".getBytes(StandardCharsets.US_ASCII));
            in.write(p.octet());
            in.write(p.hello() ? new byte[16] : NS);
            in.write(p.hello() ? new byte[16] : NB);
            in.write(STATION.toBytes());
            in.write(BRIDGE.toBytes());
            assertThat(in.size()).isEqualTo(61);
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(psk, "HmacSHA256"));
            byte[] expected = mac.doFinal(in.toByteArray());
            byte[] actual = p.hello() ? SessionKeys.derive(psk, p, null, null, STATION, BRIDGE)
                    : SessionKeys.derive(psk, p, NS, NB, STATION, BRIDGE);
            assertThat(actual).as("%s", p).hasSize(32).isEqualTo(expected);
        }
        assertThat(Purpose.values()).extracting(Purpose::octet).containsExactly(1, 2, 3, 4);
    }

    @Test
    @DisplayName("keys differ per direction, per nonce, per MAC and per PSK")
    void distinct() {
        byte[] psk = psk(1);
        byte[] up = SessionKeys.derive(psk, Purpose.STATION_TO_BRIDGE, NS, NB, STATION, BRIDGE);
        assertThat(SessionKeys.derive(psk, Purpose.BRIDGE_TO_STATION, NS, NB, STATION, BRIDGE)).isNotEqualTo(up);
        assertThat(SessionKeys.derive(psk, Purpose.STATION_TO_BRIDGE, NB, NS, STATION, BRIDGE)).isNotEqualTo(up);
        assertThat(SessionKeys.derive(psk, Purpose.STATION_TO_BRIDGE, NS, NB, BRIDGE, STATION)).isNotEqualTo(up);
        assertThat(SessionKeys.derive(psk(2), Purpose.STATION_TO_BRIDGE, NS, NB, STATION, BRIDGE)).isNotEqualTo(up);
        assertThat(SessionKeys.derive(psk, Purpose.HELLO_STATION_TO_BRIDGE, null, null, STATION, BRIDGE))
                .isNotEqualTo(SessionKeys.derive(psk, Purpose.HELLO_BRIDGE_TO_STATION, null, null, STATION, BRIDGE));
    }

    @Test
    @DisplayName("a hello key takes no nonce; a session key needs two 16-octet, non-zero nonces")
    void nonces() {
        byte[] psk = psk(1);
        assertThatThrownBy(() -> SessionKeys.derive(psk, Purpose.HELLO_STATION_TO_BRIDGE, NS, NB, STATION, BRIDGE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SessionKeys.derive(psk, Purpose.STATION_TO_BRIDGE, null, NB, STATION, BRIDGE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SessionKeys.derive(psk, Purpose.STATION_TO_BRIDGE, new byte[16], NB, STATION, BRIDGE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SessionKeys.derive(psk, Purpose.STATION_TO_BRIDGE, new byte[15], NB, STATION, BRIDGE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Purpose.of(Role.STATION, true)).isEqualTo(Purpose.HELLO_STATION_TO_BRIDGE);
        assertThat(Purpose.of(Role.BRIDGE, false)).isEqualTo(Purpose.BRIDGE_TO_STATION);
    }
}
