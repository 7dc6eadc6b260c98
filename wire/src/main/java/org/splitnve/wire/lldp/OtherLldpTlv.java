package org.splitnve.wire.lldp;

import org.splitnve.wire.Bytes;

/** Any LLDP TLV this codec does not interpret, kept byte for byte. */
public record OtherLldpTlv(int type, Bytes value) implements LldpTlv {
    public OtherLldpTlv {
        if (type < 4 || type > 127) {
            throw new IllegalArgumentException("optional LLDP TLV types are 4..127: " + type);
        }
        if (value.length() > 511) {
            throw new IllegalArgumentException("an LLDP TLV holds at most 511 octets");
        }
        if (type == 127 && value.length() < 4) {
            throw new IllegalArgumentException("an organizationally specific TLV starts with an OUI and a subtype (4 octets)");
        }
    }

    @Override
    public int encodedLength() {
        return 2 + value.length();
    }
}
