package org.splitnve.wire.ethernet;

import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * An Ethernet II header: destination, source, an optional 802.1Q/802.1ad tag, EtherType.
 * Frames are handled without FCS, as AF_PACKET and pcap give them.
 */
public record EthernetHeader(MacAddress destination, MacAddress source, VlanTag vlan, int etherType) {
    /** Shortest frame on the wire without FCS; shorter frames are padded on encode, accepted on decode. */
    public static final int MIN_FRAME = 60;
    /** Longest standard frame without FCS, with one tag. */
    public static final int MAX_FRAME = 1518;
    public static final int MAX_PAYLOAD = 1500;

    public EthernetHeader {
        if (destination == null || source == null) {
            throw new IllegalArgumentException("destination and source are required");
        }
        if (etherType < 0x0600 || etherType > 0xFFFF || etherType == VlanTag.CTAG || etherType == VlanTag.STAG) {
            throw new IllegalArgumentException("not a payload EtherType: 0x" + Integer.toHexString(etherType));
        }
    }

    public EthernetHeader(MacAddress destination, MacAddress source, int etherType) {
        this(destination, source, null, etherType);
    }

    public int length() {
        return vlan == null ? 14 : 18;
    }

    public static EthernetHeader decode(WireReader r) throws DecodeException {
        int start = r.position();
        if (r.remaining() > MAX_FRAME) {
            throw r.error(DecodeError.OVERSIZED, "frame of " + r.remaining() + " octets, at most " + MAX_FRAME);
        }
        MacAddress dst = new MacAddress(r.u48("destination MAC"));
        MacAddress src = new MacAddress(r.u48("source MAC"));
        int type = r.u16("EtherType");
        VlanTag tag = null;
        if (type == VlanTag.CTAG || type == VlanTag.STAG) {
            tag = VlanTag.ofTci(type, r.u16("802.1Q tag"));
            type = r.u16("EtherType");
        }
        if (type < 0x0600) {
            throw r.errorAt(r.position() - 2, DecodeError.WRONG_PROTOCOL, "802.3 length field " + type + ", not an EtherType");
        }
        if (type == VlanTag.CTAG || type == VlanTag.STAG) {
            throw r.errorAt(start + 16, DecodeError.WRONG_PROTOCOL, "more than one VLAN tag");
        }
        if (r.remaining() > MAX_PAYLOAD) {
            throw r.error(DecodeError.OVERSIZED, "payload of " + r.remaining() + " octets, at most " + MAX_PAYLOAD);
        }
        return new EthernetHeader(dst, src, tag, type);
    }

    public void encode(WireWriter w) {
        w.u48(destination.value()).u48(source.value());
        if (vlan != null) {
            w.u16(vlan.tpid()).u16(vlan.tci());
        }
        w.u16(etherType);
    }
}
