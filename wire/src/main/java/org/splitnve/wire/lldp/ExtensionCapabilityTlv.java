package org.splitnve.wire.lldp;

import org.splitnve.wire.vdp.CapabilityTlv;

/**
 * This project's capability advertisement carried in LLDP (type 127, project OUI, subtype 1), beside
 * the EVB TLV, with the same body as the VDP capability TLV.
 */
public record ExtensionCapabilityTlv(CapabilityTlv capability) implements LldpTlv {
    public ExtensionCapabilityTlv {
        if (capability == null) {
            throw new IllegalArgumentException("capability is required");
        }
    }

    @Override
    public int encodedLength() {
        return capability.encodedLength();
    }
}
