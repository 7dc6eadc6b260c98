package org.splitnve.wire.vdp;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * Capability advertisement: the extensions the sender supports and, from version 2, the limits it enforces on
 * its peer. An extension is used on a link only when both peers advertise it; a peer that never sends this TLV
 * (lldpad) gets the standard subset. Sent in the ECPDU header and, as an LLDP organizationally specific TLV,
 * beside the EVB TLV.
 *
 * <p>Body (docs/protocol.md 5.1): version (1), feature bits (4); from version 2, a limit count (1) and that many
 * limits, kind (1) and value (4) each (OPS-3: an end device refuses at once what the nNVE would refuse); a later
 * version may append fields after the limits, which this version skips. A version-1 reader skips everything
 * after the feature bits of a version-2 body, so the limits reach only those who read them. Bits and limit kinds
 * this version does not know are kept.
 *
 * @param limits the sender's limits, at most one per kind; empty before version 2
 */
public record CapabilityTlv(int version, int featureBits, List<Limit> limits) implements OrgTlv, ExtensionTlv {
    /** The version this implementation sends. */
    public static final int VERSION = 2;
    /** The first version whose body carries limits. */
    public static final int LIMITS_VERSION = 2;
    /** Limits that fit one body: (507 octets - 6) / 5. */
    public static final int MAX_LIMITS = (ExtensionTlv.MAX_BODY - 6) / Limit.LENGTH;

    /** One bit each, bit 0 the least significant. */
    public enum Feature {
        TSI_ADDRESSES(0), VN_CONNECT(1), DEACTIVATE(2), MIGRATION(3), AUTHENTICATION(4), SESSION(5), PARAMETERS(6),
        REASON_DETAIL(7), BATCHING(8), UNICAST_DESTINATION(9);

        private final int position;

        Feature(int position) {
            this.position = position;
        }

        /** The feature's bit in the capability TLV's features field (docs/protocol.md). */
        public int bit() {
            return 1 << position;
        }
    }

    /**
     * A limit the sender enforces on what its peer makes it hold (SEC-5), advertised so the peer can refuse
     * at once, before sending, what would be refused anyway (OPS-3). Kinds 1..255; 0 is refused.
     *
     * @param value 0..2^32-1: the most the sender accepts
     */
    public record Limit(int kind, long value) {
        /** Octets on the wire: kind (1), value (4). */
        public static final int LENGTH = 5;
        /** Addresses of one TSI: its MACs and its IP addresses and prefixes (REQ-10). */
        public static final int ADDRESSES_PER_TSI = 1;
        /** TSIs one end device holds at the sender (SM-TSI-1 instances, all VNs). */
        public static final int TSIS_PER_PEER = 2;
        /** VNs one end device uses at the sender (REQ-5). */
        public static final int VNS_PER_PEER = 3;

        public Limit {
            if (kind < 1 || kind > 255) {
                throw new IllegalArgumentException("a limit kind is one octet, 1..255 (0 is not a kind): " + kind);
            }
            if (value < 0 || value > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("a limit is 32 bits unsigned: " + value);
            }
        }

        /** "addresses per TSI", "TSIs per peer", "VNs per peer", or "limit kind N". */
        public String describe() {
            return switch (kind) {
                case ADDRESSES_PER_TSI -> "addresses per TSI";
                case TSIS_PER_PEER -> "TSIs per end device";
                case VNS_PER_PEER -> "VNs per end device";
                default -> "limit kind " + kind;
            };
        }
    }

    public CapabilityTlv {
        if (version < 1 || version > 255) {
            throw new IllegalArgumentException("version is one octet, 1..255 (0 is not a version): " + version);
        }
        limits = List.copyOf(limits);
        if (version < LIMITS_VERSION && !limits.isEmpty()) {
            throw new IllegalArgumentException("limits need version " + LIMITS_VERSION + " or later, not " + version);
        }
        if (limits.size() > MAX_LIMITS) {
            throw new IllegalArgumentException(limits.size() + " limits, at most " + MAX_LIMITS);
        }
        Set<Integer> kinds = new HashSet<>();
        for (Limit l : limits) {
            if (!kinds.add(l.kind())) {
                throw new IllegalArgumentException("limit kind " + l.kind() + " twice");
            }
        }
    }

    /** Version and features, no limits. */
    public CapabilityTlv(int version, int featureBits) {
        this(version, featureBits, List.of());
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

    /** The same features with these limits (version at least {@link #LIMITS_VERSION}). */
    public CapabilityTlv withLimits(List<Limit> l) {
        return new CapabilityTlv(Math.max(version, LIMITS_VERSION), featureBits, l);
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

    /** The limit of one kind, if the sender advertised it. */
    public OptionalLong limit(int kind) {
        for (Limit l : limits) {
            if (l.kind() == kind) {
                return OptionalLong.of(l.value());
            }
        }
        return OptionalLong.empty();
    }

    /**
     * The features both sides can use. Limits are not shared: each side's apply to the other, so the
     * intersection carries none (read the peer's own TLV for them).
     */
    public CapabilityTlv intersect(CapabilityTlv other) {
        return new CapabilityTlv(Math.min(version, other.version), featureBits & other.featureBits);
    }

    @Override
    public ExtensionType type() {
        return ExtensionType.CAPABILITY;
    }

    @Override
    public int bodyLength() {
        return version < LIMITS_VERSION ? 5 : 6 + Limit.LENGTH * limits.size();
    }

    @Override
    public void encodeBody(WireWriter w) {
        w.u8(version).u32(featureBits);
        if (version >= LIMITS_VERSION) {
            w.u8(limits.size());
            for (Limit l : limits) {
                w.u8(l.kind()).u32((int) l.value());
            }
        }
    }

    /** Decodes a capability body (VDP or LLDP): the reader is limited to the body. */
    public static CapabilityTlv decodeBody(WireReader r) throws DecodeException {
        int version = r.u8("capability version");
        if (version == 0) {
            throw r.error(DecodeError.UNSUPPORTED_VERSION, "capability version 0");
        }
        int bits = r.u32("capability features");
        if (version < LIMITS_VERSION) {
            return new CapabilityTlv(version, bits);
        }
        int countAt = r.position();
        int count = r.u8("capability limit count");
        if ((long) count * Limit.LENGTH > r.remaining()) {
            throw r.errorAt(countAt, DecodeError.COUNT_MISMATCH, count + " limits announced (" + count * Limit.LENGTH
                    + " octets), " + r.remaining() + " octets left in the TLV");
        }
        List<Limit> limits = new ArrayList<>(count);
        Set<Integer> kinds = new HashSet<>();
        for (int i = 0; i < count; i++) {
            int at = r.position();
            int kind = r.u8("limit kind");
            long value = Integer.toUnsignedLong(r.u32("limit value"));
            if (kind == 0) {
                throw r.errorAt(at, DecodeError.INVALID_FIELD, "limit " + i + ": kind 0 is not a kind");
            }
            if (!kinds.add(kind)) {
                throw r.errorAt(at, DecodeError.INVALID_FIELD, "limit " + i + ": kind " + kind + " twice");
            }
            limits.add(new Limit(kind, value));
        }
        // Later versions may append fields after the limits; this version skips them.
        if (version > LIMITS_VERSION) {
            r.skip(r.remaining(), "capability extension");
        }
        return new CapabilityTlv(version, bits, limits);
    }
}
