package org.splitnve.wire.vdp;

import org.splitnve.wire.WireWriter;

/**
 * A TLV of this project's extension set. The TLV header (type 127, length), the OUI and the
 * subtype are written by {@link VdpCodec}; each record writes and reads only its body.
 */
public sealed interface ExtensionTlv permits CapabilityTlv, SessionTlv, VnConnectTlv, TsiAddressTlv,
        DeactivateTlv, MigrationTlv, ParameterTlv, ReasonDetailTlv, AuthTlv {
    /** A type-127 TLV's length field is 9 bits; OUI and subtype take 4 of those 511 octets. */
    int MAX_BODY = 507;

    ExtensionType type();

    int bodyLength();

    void encodeBody(WireWriter w);

    /** Octets on the wire, TLV header, OUI and subtype included. */
    default int encodedLength() {
        return 6 + bodyLength();
    }
}
