package org.splitnve.dataplane.openflow;

/** Why a received OpenFlow message was refused. Decoding never throws: it answers one of these. */
public enum OfDecodeError {
    /** Fewer octets than a field or the header's length needs. */
    TRUNCATED,
    /** A length field smaller than its structure's fixed part, or one that overruns its container. */
    BAD_LENGTH,
    /** A version other than OpenFlow 1.3 (0x04) or 1.4 (0x05) on anything but HELLO. */
    BAD_VERSION,
    /** A match whose type is not OXM (OFPMT_OXM = 1). */
    BAD_MATCH_TYPE,
    /** An OXM whose length does not fit its field (e.g. a 6-octet in_port). */
    BAD_OXM,
    /** A message larger than {@link OfCodec#MAX_MESSAGE} or nested deeper than one bundle. */
    OVERSIZED,
    /** A value outside its defined range (an unknown flow-mod command, bundle control type). */
    BAD_VALUE
}
