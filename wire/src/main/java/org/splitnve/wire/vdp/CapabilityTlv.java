package org.splitnve.wire.vdp;

import java.util.EnumSet;
import java.util.Set;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * Capability advertisement: the extensions the sender supports. An extension is used on a link
 * only when both peers advertise it; a peer that never sends this TLV (lldpad) gets the standard
 * subset. Sent in the ECPDU header and, as an LLDP organizationally specific TLV, beside the EVB TLV.
 *
 * <p>Body: version (1) = 1, feature bits (4). Bits this version does not know are kept.
 */
public record CapabilityTlv(int version, int featureBits) implements OrgTlv, ExtensionTlv {
    public static final int VERSION = 1;

    /** One bit each, bit 0 the least significant. */
    public enum Feature {
        TSI_ADDRESSES, VN_CONNECT, DEACTIVATE, MIGRATION, AUTHENTICATION, SESSION, PARAMETERS,
        REASON_DETAIL, BATCHING, UNICAST_DESTINATION;

        public int bit() {
            return 1 << ordinal();
        }
    }

    public CapabilityTlv {
        if (version < 1 || version > 255) {
            throw new IllegalArgumentException("version is one octet, 1..255 (0 is not a version): " + version);
        }
    }

    public static CapabilityTlv of(Set<Feature> features) {
        int bits = 0;
        for (Feature f : features) {
            bits |= f.bit();
        }
        return new CapabilityTlv(VERSION, bits);
    }

    public static CapabilityTlv all() {
        return of(EnumSet.allOf(Feature.class));
    }

    public boolean has(Feature f) {
        return (featureBits & f.bit()) != 0;
    }

    public Set<Feature> features() {
        EnumSet<Feature> s = EnumSet.noneOf(Feature.class);
        for (Feature f : Feature.values()) {
            if (has(f)) {
                s.add(f);
            }
        }
        return s;
    }

    /** The features both sides can use. */
    public CapabilityTlv intersect(CapabilityTlv other) {
        return new CapabilityTlv(Math.min(version, other.version), featureBits & other.featureBits);
    }

    @Override
    public ExtensionType type() {
        return ExtensionType.CAPABILITY;
    }

    @Override
    public int bodyLength() {
        return 5;
    }

    @Override
    public void encodeBody(WireWriter w) {
        w.u8(version).u32(featureBits);
    }

    /** Decodes a capability body (VDP or LLDP): the reader is limited to the body. */
    public static CapabilityTlv decodeBody(WireReader r) throws DecodeException {
        int version = r.u8("capability version");
        if (version == 0) {
            throw r.error(DecodeError.UNSUPPORTED_VERSION, "capability version 0");
        }
        int bits = r.u32("capability features");
        // Later versions may append fields; version 1 readers skip them.
        if (version > VERSION) {
            r.skip(r.remaining(), "capability extension");
        }
        return new CapabilityTlv(version, bits);
    }
}
