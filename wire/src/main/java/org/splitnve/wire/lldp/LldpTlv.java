package org.splitnve.wire.lldp;

/** An optional TLV of an LLDPDU (after chassis ID, port ID and TTL). */
public sealed interface LldpTlv permits EvbTlv, ExtensionCapabilityTlv, OtherLldpTlv {
    /** Octets on the wire, header included. */
    int encodedLength();
}
