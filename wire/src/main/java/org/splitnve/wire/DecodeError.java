package org.splitnve.wire;

/**
 * Why a decoder refused its input. Every decoder in this module reports failures through
 * {@link DecodeException} with one of these reasons, never through any other exception.
 *
 * <p>{@link #vdpReason()} is the 4-bit VDP response code a receiver puts on the wire when the
 * refused input was a VDP request it can still answer (RFC 8394 SM-REASON, SEC-4).
 */
public enum DecodeError {
    /** The input ends before a field or TLV it announces. */
    TRUNCATED(1),
    /** A length field disagrees with the structure it describes (too short, too long, not a multiple). */
    BAD_LENGTH(1),
    /** A frame longer than an Ethernet frame may be, or a TLV sequence past its protocol's limit. */
    OVERSIZED(1),
    /** A protocol version this codec does not speak. */
    UNSUPPORTED_VERSION(1),
    /** An enumerated field holds a value that is not defined (operation, format, mode, family...). */
    UNKNOWN_VALUE(1),
    /** A TLV type that is not allowed where it stands. */
    UNEXPECTED_TLV(1),
    /** The VDP Manager ID TLV is missing, not first, or repeated. */
    MANAGER_ID_PLACEMENT(1),
    /** A count field disagrees with the entries that follow it. */
    COUNT_MISMATCH(1),
    /** A VSIID that is not valid for its VSIID format. */
    INVALID_VSIID(1),
    /** An invalid VLAN ID (4095), MAC address or GroupID in a filter or address entry. */
    INVALID_VID_GROUP_OR_MAC(5),
    /** A field that must be zero, or must take one of a few values, holds something else. */
    INVALID_FIELD(1),
    /** Text that is not valid UTF-8. */
    INVALID_TEXT(1),
    /** The frame does not carry the protocol that was asked for (wrong EtherType, not a pcap file...). */
    WRONG_PROTOCOL(4);

    private final int vdpReason;

    DecodeError(int vdpReason) {
        this.vdpReason = vdpReason;
    }

    /** The VDP response code (0-15) that reports this error to the sender. */
    public int vdpReason() {
        return vdpReason;
    }
}
