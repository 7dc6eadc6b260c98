package org.splitnve.wire.testing;

import java.util.ArrayList;
import java.util.List;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ethernet.VlanTag;
import org.splitnve.wire.lldp.LldpPdu;

/**
 * A length or count field inside an encoded message, found by walking the structure the way a
 * decoder would (without validating anything): where {@link Mutation.CorruptLength} and the TLV
 * mutations strike.
 *
 * @param offset where the field starts
 * @param kind its width and layout
 */
public record LengthField(int offset, Kind kind) {

    public enum Kind {
        /** A 7-bit type / 9-bit length TLV header (VDP, LLDP): only the 9 length bits change. */
        TLV_HEADER(2, 0x1FF),
        /** A big-endian 16-bit count (the VSI TLV's filter entry count). */
        U16(2, 0xFFFF),
        /** A little-endian 32-bit length (a pcap record's captured or original length). */
        U32_LE(4, 0xFFFF_FFFFL);

        private final int width;
        private final long max;

        Kind(int width, long max) {
            this.width = width;
            this.max = max;
        }

        public int width() {
            return width;
        }

        public long max() {
            return max;
        }
    }

    long read(byte[] b) {
        return switch (kind) {
            case TLV_HEADER -> (((b[offset] & 0xFF) << 8) | (b[offset + 1] & 0xFF)) & 0x1FF;
            case U16 -> ((b[offset] & 0xFF) << 8) | (b[offset + 1] & 0xFF);
            case U32_LE -> (b[offset] & 0xFFL) | ((b[offset + 1] & 0xFFL) << 8) | ((b[offset + 2] & 0xFFL) << 16)
                    | ((b[offset + 3] & 0xFFL) << 24);
        };
    }

    void write(byte[] b, long value) {
        long v = value & kind.max;
        switch (kind) {
            case TLV_HEADER -> {
                b[offset] = (byte) ((b[offset] & 0xFE) | (v >>> 8));
                b[offset + 1] = (byte) v;
            }
            case U16 -> {
                b[offset] = (byte) (v >>> 8);
                b[offset + 1] = (byte) v;
            }
            case U32_LE -> {
                for (int i = 0; i < 4; i++) {
                    b[offset + i] = (byte) (v >>> (8 * i));
                }
            }
        }
    }

    /** The TLV headers (and VSI entry counts) of a VDP TLV sequence starting at {@code start}. */
    public static List<LengthField> ofVdp(byte[] b, int start) {
        List<LengthField> out = new ArrayList<>();
        tlvs(b, start, out, true);
        return out;
    }

    /** The length fields of an Ethernet frame carrying ECP/VDP or LLDP; none for other frames. */
    public static List<LengthField> ofFrame(byte[] b) {
        List<LengthField> out = new ArrayList<>();
        frame(b, 0, b.length, out);
        return out;
    }

    /** The TLV headers of an LLDPDU. */
    public static List<LengthField> ofLldp(byte[] b) {
        List<LengthField> out = new ArrayList<>();
        tlvs(b, 0, out, false);
        return out;
    }

    /** The record lengths of a pcap file (as {@link org.splitnve.wire.pcap.PcapWriter} writes it) and the fields of the frames inside. */
    public static List<LengthField> ofPcap(byte[] b) {
        List<LengthField> out = new ArrayList<>();
        int p = 24;
        while (p + 16 <= b.length) {
            LengthField incl = new LengthField(p + 8, Kind.U32_LE);
            out.add(incl);
            out.add(new LengthField(p + 12, Kind.U32_LE));
            long n = incl.read(b);
            int end = (int) Math.min(b.length, p + 16 + n);
            frame(b, p + 16, end, out);
            p = end;
        }
        return out;
    }

    private static void frame(byte[] b, int start, int end, List<LengthField> out) {
        if (end - start < 14) {
            return;
        }
        int off = start + 12;
        int type = u16(b, off);
        if ((type == VlanTag.CTAG || type == VlanTag.STAG) && end - start >= 18) {
            off += 4;
            type = u16(b, off);
        }
        off += 2;
        byte[] slice = java.util.Arrays.copyOf(b, end);
        if (type == EcpHeader.ETHERTYPE) {
            tlvs(slice, off + EcpHeader.LENGTH, out, true);
        } else if (type == LldpPdu.ETHERTYPE) {
            tlvs(slice, off, out, false);
        }
    }

    private static void tlvs(byte[] b, int start, List<LengthField> out, boolean vdp) {
        int p = start;
        while (p + 2 <= b.length) {
            int h = u16(b, p);
            int type = h >>> 9;
            int len = h & 0x1FF;
            out.add(new LengthField(p, Kind.TLV_HEADER));
            if (vdp && type >= 1 && type <= 4 && p + 2 + 25 <= b.length) {
                out.add(new LengthField(p + 2 + 23, Kind.U16));
            }
            if (type == 0) {
                return;
            }
            p += 2 + len;
        }
    }

    private static int u16(byte[] b, int off) {
        return ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF);
    }
}
