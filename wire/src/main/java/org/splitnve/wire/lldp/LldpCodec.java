package org.splitnve.wire.lldp;

import java.util.ArrayList;
import java.util.List;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.ExtensionType;
import org.splitnve.wire.vdp.VdpCodec;

/**
 * Encodes and decodes LLDPDUs. Strict on the structure 802.1AB mandates (chassis ID, port ID, TTL
 * first and in that order, an End TLV, lengths that fit), total on any input. The OUI setting is
 * the one under which this project's capability TLV travels.
 */
public final class LldpCodec {
    public static final LldpCodec DEFAULT = new LldpCodec(VdpCodec.DEFAULT_OUI);

    private final int oui;

    public LldpCodec(int oui) {
        if ((oui & ~0xFFFFFF) != 0) {
            throw new IllegalArgumentException("an OUI is 24 bits");
        }
        this.oui = oui;
    }

    public LldpPdu decode(WireReader r) throws DecodeException {
        int[] chassis = new int[1];
        Bytes chassisId = idTlv(r, 1, "chassis ID", chassis);
        int[] port = new int[1];
        Bytes portId = idTlv(r, 2, "port ID", port);
        int at = r.position();
        int h = r.u16("TTL TLV header");
        if (h >>> 9 != 3 || (h & 0x1FF) != 2) {
            throw r.errorAt(at, DecodeError.UNEXPECTED_TLV, "third TLV must be TTL with length 2");
        }
        int ttl = r.u16("TTL");
        List<LldpTlv> tlvs = new ArrayList<>(4);
        while (true) {
            at = r.position();
            h = r.u16("TLV header (no End TLV)");
            int type = h >>> 9;
            int len = h & 0x1FF;
            if (type == 0) {
                if (len != 0) {
                    throw r.errorAt(at, DecodeError.BAD_LENGTH, "End TLV with length " + len);
                }
                break;
            }
            if (type <= 3) {
                throw r.errorAt(at, DecodeError.UNEXPECTED_TLV, "second mandatory TLV of type " + type);
            }
            int outer = r.pushLimit(len, "TLV type " + type + " body");
            tlvs.add(optional(r, type, len, at));
            if (r.hasRemaining()) {
                throw r.error(DecodeError.BAD_LENGTH, r.remaining() + " octets left over in TLV type " + type);
            }
            r.restoreLimit(outer);
        }
        r.skip(r.remaining(), "padding");
        return new LldpPdu(chassis[0], chassisId, port[0], portId, ttl, tlvs);
    }

    private LldpTlv optional(WireReader r, int type, int len, int at) throws DecodeException {
        if (type == 127) {
            if (len < 4) {
                throw r.errorAt(at, DecodeError.BAD_LENGTH, "organizationally specific TLV of length " + len);
            }
            int start = r.position();
            int tlvOui = r.u24("OUI");
            int subtype = r.u8("subtype");
            if (tlvOui == EvbTlv.OUI_8021 && subtype == EvbTlv.SUBTYPE) {
                return EvbTlv.decodeBody(r);
            }
            if (tlvOui == oui && subtype == ExtensionType.CAPABILITY.subtype()) {
                return new ExtensionCapabilityTlv(CapabilityTlv.decodeBody(r));
            }
            r.skip(r.remaining(), "TLV body");
            byte[] info = new byte[len];
            System.arraycopy(r.array(), start, info, 0, len);
            return new OtherLldpTlv(type, Bytes.wrap(info));
        }
        return new OtherLldpTlv(type, Bytes.wrap(r.bytes(len, "TLV body")));
    }

    private static Bytes idTlv(WireReader r, int type, String what, int[] subtypeOut) throws DecodeException {
        int at = r.position();
        int h = r.u16(what + " TLV header");
        int len = h & 0x1FF;
        if (h >>> 9 != type) {
            throw r.errorAt(at, DecodeError.UNEXPECTED_TLV, what + " TLV (type " + type + ") expected, got type " + (h >>> 9));
        }
        if (len < 2 || len > 256) {
            throw r.errorAt(at, DecodeError.BAD_LENGTH, what + " TLV of length " + len + ", 2..256");
        }
        int subtype = r.u8(what + " subtype");
        if (subtype < 1 || subtype > 7) {
            throw r.errorAt(at + 2, DecodeError.UNKNOWN_VALUE, what + " subtype " + subtype);
        }
        subtypeOut[0] = subtype;
        return Bytes.wrap(r.bytes(len - 1, what));
    }

    public byte[] encode(LldpPdu pdu) {
        byte[] out = new byte[pdu.encodedLength()];
        encode(pdu, new WireWriter(out, 0));
        return out;
    }

    public void encode(LldpPdu pdu, WireWriter w) {
        w.tlvHeader(1, 1 + pdu.chassisId().length()).u8(pdu.chassisIdSubtype()).bytes(pdu.chassisId());
        w.tlvHeader(2, 1 + pdu.portId().length()).u8(pdu.portIdSubtype()).bytes(pdu.portId());
        w.tlvHeader(3, 2).u16(pdu.ttl());
        for (LldpTlv t : pdu.tlvs()) {
            switch (t) {
                case EvbTlv e -> e.encode(w);
                case ExtensionCapabilityTlv c -> {
                    CapabilityTlv cap = c.capability();
                    w.tlvHeader(127, 4 + cap.bodyLength()).u24(oui).u8(cap.type().subtype());
                    cap.encodeBody(w);
                }
                case OtherLldpTlv o -> w.tlvHeader(o.type(), o.value().length()).bytes(o.value());
            }
        }
        w.tlvHeader(0, 0);
    }
}
