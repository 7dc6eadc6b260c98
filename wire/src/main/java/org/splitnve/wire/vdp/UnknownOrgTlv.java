package org.splitnve.wire.vdp;

import org.splitnve.wire.Bytes;

/**
 * A type-127 TLV this codec does not interpret (another OUI, or a subtype of ours it does not
 * know): kept byte for byte so it can be logged, skipped and re-encoded.
 */
public record UnknownOrgTlv(int oui, int subtype, Bytes info) implements OrgTlv {
    public UnknownOrgTlv {
        if ((oui & ~0xFFFFFF) != 0 || (subtype & ~0xFF) != 0) {
            throw new IllegalArgumentException("OUI is 24 bits, subtype 8 bits");
        }
        if (info.length() > ExtensionTlv.MAX_BODY) {
            throw new IllegalArgumentException("an organizationally specific TLV holds at most 507 octets");
        }
    }

    public int encodedLength() {
        return 6 + info.length();
    }
}
