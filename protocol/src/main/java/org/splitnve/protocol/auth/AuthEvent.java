package org.splitnve.protocol.auth;

import org.splitnve.protocol.event.Event;
import org.splitnve.wire.MacAddress;

/**
 * Authentication results (RFC 8394 SEC-3: "authentication results, refusals with their reason"),
 * from {@link HmacFrameAuthenticator}. Key IDs are shown unsigned. Nonces, keys and tags are never
 * logged. A successful check is reported once per peer session and key ({@link Ok}), not per frame;
 * every refusal is reported.
 */
public sealed interface AuthEvent extends Event {
    MacAddress peer();

    /**
     * The peer proved possession of the key over this side's fresh nonce: the first valid frame of a
     * session under this key (mutual once both sides report it).
     */
    record Ok(MacAddress peer, long keyId, long counter) implements AuthEvent {
        @Override
        public String name() {
            return "auth.ok";
        }
    }

    /** A frame was refused: {@code verdict} is a {@link FrameAuthenticator.Verdict} name (SEC-4). */
    record Refused(MacAddress peer, String verdict, long keyId, long counter, int sequence, boolean ack)
            implements AuthEvent {
        @Override
        public String name() {
            return "auth.refused";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /**
     * The last request accepted, received again with its valid tag (a REPLAY verdict): the peer
     * retransmitted it because the acknowledgement was lost; ECP acknowledges it again and delivers
     * nothing.
     */
    record Retransmission(MacAddress peer, long keyId, long counter, int sequence) implements AuthEvent {
        @Override
        public String name() {
            return "auth.retransmission";
        }

        @Override
        public Level level() {
            return Level.DEBUG;
        }
    }

    /**
     * The peer's session nonce was learned: a new peer session. {@code via} is {@code hello} (a hello
     * PDU, signed with the hello key: the peer started or restarted) or {@code frame} (a session TLV
     * in a frame signed with the session key).
     */
    record PeerSession(MacAddress peer, String via) implements AuthEvent {
        @Override
        public String name() {
            return "auth.peer_session";
        }
    }

    /** This side chose a new nonce of its own: every earlier session key is gone. */
    record Rekeyed(MacAddress peer, String reason) implements AuthEvent {
        @Override
        public String name() {
            return "auth.rekeyed";
        }
    }

    /** A key is now accepted (first step of a rotation). */
    record KeyAdded(MacAddress peer, long keyId) implements AuthEvent {
        @Override
        public String name() {
            return "auth.key_added";
        }
    }

    /** This side now signs with {@code keyId} instead of {@code previousKeyId}. */
    record KeyRotated(MacAddress peer, long previousKeyId, long keyId) implements AuthEvent {
        @Override
        public String name() {
            return "auth.key_rotated";
        }
    }

    /** A key is no longer accepted: frames signed with it are refused as UNKNOWN_KEY. */
    record KeyRetired(MacAddress peer, long keyId) implements AuthEvent {
        @Override
        public String name() {
            return "auth.key_retired";
        }
    }
}
