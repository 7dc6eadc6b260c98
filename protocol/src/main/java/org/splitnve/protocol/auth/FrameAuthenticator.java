package org.splitnve.protocol.auth;

import org.splitnve.wire.Bytes;
import org.splitnve.wire.vdp.AuthTlv;

/**
 * Authenticates the frames of one peer session (RFC 8394 REQ-11, GAP-11): attaches an
 * {@link AuthTlv} to every ECPDU sent, requests and acknowledgements alike, and verifies the one
 * on every ECPDU received. The tag covers every octet of the frame before the tag
 * (docs/protocol.md section 5.9).
 */
public interface FrameAuthenticator {
    enum Verdict {
        OK,
        /** No authentication TLV where one is required. */
        MISSING,
        /** A key ID this side does not hold (or no longer holds). */
        UNKNOWN_KEY,
        /** The tag does not match: forged or corrupted. */
        BAD_TAG,
        /**
         * A valid tag, but a counter at or below one already accepted: a replay (or the sender's
         * retransmission of a frame whose acknowledgement was lost, which ECP then acknowledges again).
         */
        REPLAY,
        /** The session keys are not established yet (no nonce from the peer). */
        NO_SESSION
    }

    /** The TLV to attach to the next frame, with a zero tag and a fresh counter. */
    AuthTlv next();

    /** Computes the tag over {@code frame[start, tagOffset)} and writes it at {@code tagOffset}. */
    void sign(byte[] frame, int start, int tagOffset);

    /** Checks a received frame's tag over {@code frame[start, tagOffset)}, its key and counter. */
    Verdict verify(byte[] frame, int start, int tagOffset, AuthTlv tlv);

    /**
     * The nonce this side's session TLV must carry (docs/protocol.md 5.2, 5.9), or null when the
     * authenticator needs none (the engine then uses its own).
     */
    default Bytes localNonce() {
        return null;
    }

    /**
     * Whether items may be sent: the session keys are known on both sides. Until then an engine sends
     * only hellos (its capability and session TLVs) and holds its requests.
     */
    default boolean established() {
        return true;
    }

    /** Whether the peer has proved, in the current session, that it holds the key (mutual authentication). */
    default boolean authenticated() {
        return true;
    }

    /**
     * Forgets the session: the peer went silent and may have restarted with a new nonce, which only a
     * new handshake (a hello) can learn. Until {@link #established()} again, the engine holds its requests.
     */
    default void restartSession() {
    }
}
