package org.splitnve.wire.vdp;

import org.splitnve.wire.Bytes;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * Session state of a peer (ECPDU header). Makes keep-alive cost independent of the number of TSIs:
 * one session TLV with the KEEPALIVE flag refreshes every TSI the sender holds with the receiver.
 *
 * <p>Body (37 octets): flags (1), epoch (4), peer epoch (4), TSI count (4), state digest (8),
 * nonce (16).
 * <ul>
 * <li>epoch: chosen at random when the sender (re)starts, never 0; a new epoch tells the receiver
 * the sender restarted and a full resynchronisation is due.
 * <li>peer epoch: the last epoch the sender saw from the receiver (0: none yet).
 * <li>TSI count and state digest: how many TSIs the sender holds with the receiver and an
 * order-independent digest of them; a mismatch asks for resynchronisation.
 * <li>nonce: 16 fresh random octets for the authentication handshake (all zero without it).
 * </ul>
 */
public record SessionTlv(int flags, int epoch, int peerEpoch, int tsiCount, long stateDigest, Bytes nonce)
        implements OrgTlv, ExtensionTlv {
    /** This PDU is a keep-alive for all the sender's TSIs with the receiver. */
    public static final int KEEPALIVE = 0x01;
    /** The sender asks the receiver to re-send the state of all its TSIs. */
    public static final int RESYNC_REQUEST = 0x02;
    /** The sender is about to stop for a short restart and keeps its TSIs. */
    public static final int RESTARTING = 0x04;
    public static final int NONCE_LENGTH = 16;
    private static final int KNOWN_FLAGS = KEEPALIVE | RESYNC_REQUEST | RESTARTING;

    public SessionTlv {
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new IllegalArgumentException("unknown session flags 0x" + Integer.toHexString(flags));
        }
        if (epoch == 0) {
            throw new IllegalArgumentException("epoch 0 is reserved");
        }
        if (nonce.length() != NONCE_LENGTH) {
            throw new IllegalArgumentException("nonce is 16 octets");
        }
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    @Override
    public ExtensionType type() {
        return ExtensionType.SESSION;
    }

    @Override
    public int bodyLength() {
        return 37;
    }

    @Override
    public void encodeBody(WireWriter w) {
        w.u8(flags).u32(epoch).u32(peerEpoch).u32(tsiCount).u64(stateDigest).bytes(nonce);
    }

    static SessionTlv decodeBody(WireReader r) throws DecodeException {
        int flags = r.u8("session flags");
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw r.error(DecodeError.INVALID_FIELD, "unknown session flags 0x" + Integer.toHexString(flags));
        }
        int epoch = r.u32("session epoch");
        if (epoch == 0) {
            throw r.error(DecodeError.INVALID_FIELD, "session epoch 0 is reserved");
        }
        return new SessionTlv(flags, epoch, r.u32("peer epoch"), r.u32("TSI count"), r.u64("state digest"),
                Bytes.wrap(r.bytes(NONCE_LENGTH, "session nonce")));
    }
}
