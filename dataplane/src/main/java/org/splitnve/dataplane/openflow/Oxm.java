package org.splitnve.dataplane.openflow;

import java.util.Objects;

/**
 * One OXM TLV (OpenFlow 1.3 section 7.2.3.2): class, field, value and optional mask. OpenFlow basic fields are class
 * {@code 0x8000}; the Nicira extension fields OVS accepts in OXM form (registers, tunnel endpoints) class
 * {@code 0x0001}. Any other class/field is kept as data.
 */
public record Oxm(int oxmClass, int field, Octets value, Octets mask) implements Comparable<Oxm> {
    public static final int BASIC = 0x8000;
    public static final int NXM1 = 0x0001;
    /** OVS's Ericsson class ({@code ERICOXM_OF_*}): the ND fields OpenFlow has no OXM for (OVS 2.11+). */
    public static final int ERICSSON = 0x1000;

    // OpenFlow basic field numbers (OFPXMT_OFB_*).
    public static final int IN_PORT = 0;
    public static final int METADATA = 2;
    public static final int ETH_DST = 3;
    public static final int ETH_SRC = 4;
    public static final int ETH_TYPE = 5;
    public static final int VLAN_VID = 6;
    public static final int IP_PROTO = 10;
    public static final int IPV4_SRC = 11;
    public static final int IPV4_DST = 12;
    public static final int ARP_OP = 21;
    public static final int ARP_SPA = 22;
    public static final int ARP_TPA = 23;
    public static final int ARP_SHA = 24;
    public static final int ARP_THA = 25;
    public static final int IPV6_SRC = 26;
    public static final int IPV6_DST = 27;
    public static final int ICMPV6_TYPE = 29;
    public static final int ICMPV6_CODE = 30;
    public static final int IPV6_ND_TARGET = 31;
    public static final int IPV6_ND_SLL = 32;
    public static final int IPV6_ND_TLL = 33;
    public static final int TUNNEL_ID = 38;
    // Nicira extension fields (class NXM1).
    public static final int NX_TUN_IPV4_SRC = 31;
    public static final int NX_TUN_IPV4_DST = 32;
    // Ericsson extension fields (class ERICSSON).
    public static final int ERIC_ND_RESERVED = 1;
    public static final int ERIC_ND_OPTIONS_TYPE = 2;

    /** OFPVID_PRESENT: a vlan_vid value with this bit matches (and sets) a tagged frame's VID. */
    public static final int VID_PRESENT = 0x1000;

    public Oxm {
        Objects.requireNonNull(value, "value");
        if (oxmClass < 0 || oxmClass > 0xffff || field < 0 || field > 0x7f) {
            throw new IllegalArgumentException("OXM class " + oxmClass + " field " + field + " out of range");
        }
        if (mask != null && mask.length() != value.length()) {
            throw new IllegalArgumentException("OXM mask length " + mask.length() + " != value length " + value.length());
        }
        if (value.length() * (mask == null ? 1 : 2) > 255) {
            throw new IllegalArgumentException("OXM payload of " + value.length() * (mask == null ? 1 : 2)
                    + " octets exceeds its 8-bit length (255)");
        }
    }

    public static Oxm basic(int field, Octets value) {
        return new Oxm(BASIC, field, value, null);
    }

    public static Oxm inPort(int port) {
        return basic(IN_PORT, Octets.ofLong(port, 4));
    }

    public static Oxm ethSrc(long mac) {
        return basic(ETH_SRC, Octets.ofLong(mac, 6));
    }

    public static Oxm ethDst(long mac) {
        return basic(ETH_DST, Octets.ofLong(mac, 6));
    }

    /** Group (multicast) destinations: the I/G bit of the first octet. */
    public static Oxm ethDstMulticast() {
        return new Oxm(BASIC, ETH_DST, Octets.ofHex("010000000000"), Octets.ofHex("010000000000"));
    }

    public static Oxm ethType(int type) {
        return basic(ETH_TYPE, Octets.ofLong(type, 2));
    }

    /** A frame tagged with VID {@code vid} (the OFPVID_PRESENT bit is added). */
    public static Oxm vlanVid(int vid) {
        return basic(VLAN_VID, Octets.ofLong(VID_PRESENT | vid, 2));
    }

    /** An untagged frame (OFPVID_NONE: vlan_vid 0 without the OFPVID_PRESENT bit). */
    public static Oxm vlanNone() {
        return basic(VLAN_VID, Octets.ofLong(0, 2));
    }

    public static Oxm ipProto(int proto) {
        return basic(IP_PROTO, Octets.ofLong(proto, 1));
    }

    public static Oxm ipv4Src(Octets addr) {
        return basic(IPV4_SRC, addr);
    }

    public static Oxm ipv4Dst(Octets addr) {
        return basic(IPV4_DST, addr);
    }

    public static Oxm arpOp(int op) {
        return basic(ARP_OP, Octets.ofLong(op, 2));
    }

    public static Oxm arpSpa(Octets addr) {
        return basic(ARP_SPA, addr);
    }

    public static Oxm arpTpa(Octets addr) {
        return basic(ARP_TPA, addr);
    }

    public static Oxm arpSha(long mac) {
        return basic(ARP_SHA, Octets.ofLong(mac, 6));
    }

    public static Oxm ipv6Src(Octets addr) {
        return basic(IPV6_SRC, addr);
    }

    public static Oxm ipv6SrcMasked(Octets addr, Octets mask) {
        return new Oxm(BASIC, IPV6_SRC, addr, mask);
    }

    public static Oxm icmpv6Type(int type) {
        return basic(ICMPV6_TYPE, Octets.ofLong(type, 1));
    }

    public static Oxm icmpv6Code(int code) {
        return basic(ICMPV6_CODE, Octets.ofLong(code, 1));
    }

    public static Oxm ndTarget(Octets addr) {
        return basic(IPV6_ND_TARGET, addr);
    }

    /** The target link-layer address option's MAC of a neighbour advertisement. */
    public static Oxm ndTll(long mac) {
        return basic(IPV6_ND_TLL, Octets.ofLong(mac, 6));
    }

    /**
     * The 32 bits after an ND message's checksum: a neighbour advertisement's R, S and O flags and reserved bits
     * (RFC 4861 section 4.4), OVS's {@code nd_reserved}.
     */
    public static Oxm ndReserved(int value) {
        return new Oxm(ERICSSON, ERIC_ND_RESERVED, Octets.ofLong(value & 0xffffffffL, 4), null);
    }

    /** The type of an ND message's first option (1 source, 2 target link-layer address), OVS's {@code nd_options_type}. */
    public static Oxm ndOptionsType(int type) {
        return new Oxm(ERICSSON, ERIC_ND_OPTIONS_TYPE, Octets.ofLong(type, 1), null);
    }

    public static Oxm tunnelId(long id) {
        return basic(TUNNEL_ID, Octets.ofLong(id, 8));
    }

    public static Oxm metadata(long value, long mask) {
        return new Oxm(BASIC, METADATA, Octets.ofLong(value, 8), mask == -1L ? null : Octets.ofLong(mask, 8));
    }

    /** OVS register {@code n} (0-7, NXM_NX_REG{n}). */
    public static Oxm reg(int n, int value) {
        return new Oxm(NXM1, n, Octets.ofLong(value, 4), null);
    }

    /** The outer IPv4 destination of a flow-based tunnel port (NXM_NX_TUN_IPV4_DST). */
    public static Oxm tunIpv4Dst(Octets addr) {
        return new Oxm(NXM1, NX_TUN_IPV4_DST, addr, null);
    }

    public static Oxm tunIpv4Src(Octets addr) {
        return new Oxm(NXM1, NX_TUN_IPV4_SRC, addr, null);
    }

    public boolean hasMask() {
        return mask != null;
    }

    /** The TLV's payload length: value plus mask. */
    public int payloadLength() {
        return value.length() * (hasMask() ? 2 : 1);
    }

    /** Header, value and mask. */
    public int wireLength() {
        return 4 + payloadLength();
    }

    @Override
    public int compareTo(Oxm o) {
        int c = Integer.compare(oxmClass, o.oxmClass);
        if (c == 0) {
            c = Integer.compare(field, o.field);
        }
        if (c == 0) {
            c = value.compareTo(o.value);
        }
        if (c == 0) {
            c = Boolean.compare(hasMask(), o.hasMask());
        }
        if (c == 0 && hasMask()) {
            c = mask.compareTo(o.mask);
        }
        return c;
    }

    @Override
    public String toString() {
        String name = oxmClass == BASIC ? "f" + field : String.format("%04x:%d", oxmClass, field);
        return name + "=" + value + (hasMask() ? "/" + mask : "");
    }
}
