package org.splitnve.protocol.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.SessionTlv;

/**
 * Key derivation for frame authentication (RFC 8394 REQ-11, GAP-11; docs/protocol.md section 5.9).
 * Every key that signs a frame is derived from a pre-shared key ({@link KeyRing}); the PSK itself
 * never signs anything:
 *
 * <pre>
 *   K = HMAC-SHA-256(PSK, "splitnve-auth-v1" | purpose | stationNonce | bridgeNonce | stationMac | bridgeMac)
 * </pre>
 *
 * <p>a 61-octet input: the 16 ASCII octets of the label, one purpose octet, the station's and the
 * bridge's 16-octet session nonces ({@link SessionTlv#nonce()}, all zero in a hello key), the station's
 * and the bridge's 6-octet port MACs (the source addresses of their frames). The 32-octet output is
 * the HMAC-SHA-256 key for the frames of one direction. Purposes:
 *
 * <table>
 * <caption>purpose octets</caption>
 * <tr><th>octet</th><th>key</th><th>nonces</th></tr>
 * <tr><td>0x01</td><td>hello, station to bridge</td><td>zero</td></tr>
 * <tr><td>0x02</td><td>hello, bridge to station</td><td>zero</td></tr>
 * <tr><td>0x03</td><td>session, station to bridge</td><td>both</td></tr>
 * <tr><td>0x04</td><td>session, bridge to station</td><td>both</td></tr>
 * </table>
 *
 * <p>A session key depends on both nonces, so a frame verifies only in the session both sides'
 * nonces define: the receiver's own fresh nonce makes every frame it accepts fresh (a frame from an
 * earlier session fails), the sender's nonce binds the counters to the sender's run (a peer that
 * restarts starts its counter again under a new key). Separate keys per direction stop reflection;
 * the MACs bind the keys to the two ports. A hello key depends on the PSK and the MACs only: it signs
 * the handshake PDUs that carry the nonces, before the sender knows the receiver's nonce
 * ({@link HmacFrameAuthenticator} describes the handshake).
 */
public final class SessionKeys {
    /** "splitnve-auth-v1": the version of this derivation. */
    public static final String LABEL = "splitnve-auth-v1";
    /** Octets of every derived key (and of every tag). */
    public static final int KEY_LENGTH = 32;
    static final String HMAC = "HmacSHA256";
    private static final byte[] LABEL_OCTETS = LABEL.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ZERO_NONCE = new byte[SessionTlv.NONCE_LENGTH];

    /** What a derived key signs; the octet is the purpose octet of the derivation input. */
    public enum Purpose {
        HELLO_STATION_TO_BRIDGE(0x01),
        HELLO_BRIDGE_TO_STATION(0x02),
        STATION_TO_BRIDGE(0x03),
        BRIDGE_TO_STATION(0x04);

        private final int octet;

        Purpose(int octet) {
            this.octet = octet;
        }

        public int octet() {
            return octet;
        }

        public boolean hello() {
            return this == HELLO_STATION_TO_BRIDGE || this == HELLO_BRIDGE_TO_STATION;
        }

        /** The purpose of the frames {@code sender} sends: a hello or a session key. */
        public static Purpose of(Role sender, boolean hello) {
            if (sender == Role.STATION) {
                return hello ? HELLO_STATION_TO_BRIDGE : STATION_TO_BRIDGE;
            }
            return hello ? HELLO_BRIDGE_TO_STATION : BRIDGE_TO_STATION;
        }
    }

    private SessionKeys() {
    }

    /**
     * The 32-octet key of one purpose. Nonces are 16 octets; a hello key takes {@code null} for both
     * (they enter the input as zeros), a session key takes both, not all zero.
     */
    public static byte[] derive(byte[] psk, Purpose purpose, byte[] stationNonce, byte[] bridgeNonce,
            MacAddress station, MacAddress bridge) {
        if (purpose.hello()) {
            if (stationNonce != null || bridgeNonce != null) {
                throw new IllegalArgumentException("a hello key depends on no nonce");
            }
            stationNonce = ZERO_NONCE;
            bridgeNonce = ZERO_NONCE;
        } else {
            checkNonce(stationNonce);
            checkNonce(bridgeNonce);
        }
        Mac mac = newMac(psk);
        mac.update(LABEL_OCTETS);
        mac.update((byte) purpose.octet());
        mac.update(stationNonce, 0, SessionTlv.NONCE_LENGTH);
        mac.update(bridgeNonce, 0, SessionTlv.NONCE_LENGTH);
        mac.update(station.toBytes());
        mac.update(bridge.toBytes());
        return mac.doFinal();
    }

    private static void checkNonce(byte[] nonce) {
        if (nonce == null || nonce.length != SessionTlv.NONCE_LENGTH) {
            throw new IllegalArgumentException("a session nonce has " + SessionTlv.NONCE_LENGTH + " octets");
        }
        for (byte b : nonce) {
            if (b != 0) {
                return;
            }
        }
        throw new IllegalArgumentException("an all-zero session nonce means no nonce");
    }

    /** An HMAC-SHA-256 instance keyed with {@code key}. */
    static Mac newMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(key, HMAC));
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA-256 is required of every Java platform", e);
        }
    }

    /** Re-keys an existing instance (no new Mac object). */
    static void rekey(Mac mac, byte[] key) {
        try {
            mac.init(new SecretKeySpec(key, HMAC));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA-256 refused a 32-octet key", e);
        }
    }
}
