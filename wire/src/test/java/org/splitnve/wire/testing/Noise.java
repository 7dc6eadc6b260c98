package org.splitnve.wire.testing;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ethernet.VlanTag;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.pcap.PcapReader;

/**
 * Random inputs for totality properties (SEC-4): uniformly random octets, and structure-aware
 * noise that gets past the first checks of a decoder (plausible EtherTypes, ECP headers, TLV
 * headers, OUIs, subtypes, formats, small counts) so that the deeper decoding paths meet garbage
 * too. Some of it is valid by chance; most is not.
 *
 * <p>The generators draw from jqwik's source of randomness (so a failing seed replays) but do not
 * shrink: a totality failure reports the input in hex instead. They cost microseconds per value,
 * which is what lets the totality properties run tens of thousands of tries.
 */
public final class Noise {
    private Noise() {
    }

    /** Uniformly random octets, lengths uniform in {@code 0..max}. */
    public static Arbitrary<byte[]> anyOctets(int max) {
        return Arbitraries.randomValue(r -> {
            byte[] b = new byte[r.nextInt(max + 1)];
            r.nextBytes(b);
            return b;
        });
    }

    /** A sequence of VDP TLVs: Manager ID, VSI TLVs, project extension TLVs, others' TLVs, End TLVs, garbage. */
    public static Arbitrary<byte[]> vdpTlvs() {
        return Arbitraries.randomValue(r -> {
            Out o = new Out(r);
            vdpTlvs(o);
            return o.toArray();
        });
    }

    /** An LLDPDU-like TLV sequence: the mandatory TLVs mostly present and in order, optional TLVs, an End TLV mostly. */
    public static Arbitrary<byte[]> lldpTlvs() {
        return Arbitraries.randomValue(r -> {
            Out o = new Out(r);
            lldpTlvs(o);
            return o.toArray();
        });
    }

    /** Ethernet frames: random addresses, maybe a tag (or two), ECP/LLDP/other EtherTypes, noisy payloads. */
    public static Arbitrary<byte[]> frames() {
        return Arbitraries.randomValue(r -> {
            Out o = new Out(r);
            frame(o);
            return o.toArray();
        });
    }

    /** pcap files: plausible or wrong magics, versions, snaplens and link types; records with right or wrong lengths. */
    public static Arbitrary<byte[]> pcapFiles() {
        return Arbitraries.randomValue(r -> {
            Out o = new Out(r);
            pcap(o);
            return o.toArray();
        });
    }

    // ---------------------------------------------------------------- builders

    private static void vdpTlvs(Out o) {
        Random r = o.r;
        if (r.nextInt(10) < 7) {
            o.tlv(5, o.random(r.nextInt(10) < 9 ? 16 : r.nextInt(20)));
        }
        int n = r.nextInt(11);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(12)) {
                case 0, 1, 2 -> o.tlv(1 + r.nextInt(4), vsiBody(o));
                case 3, 4, 5, 6, 7 -> o.tlv(127, orgBody(o, WireArbitraries.PROJECT_OUI, 12));
                case 8 -> o.tlv(5, o.random(16));
                case 9 -> o.bytes(switch (r.nextInt(3)) {
                    case 0 -> new byte[] {0, 0};
                    case 1 -> new byte[] {0, (byte) r.nextInt(256)};
                    default -> new byte[] {(byte) r.nextInt(256)};
                });
                default -> o.tlv(r.nextInt(128), o.smallish(r.nextInt(41)));
            }
        }
    }

    /** A VSI TLV body: plausible VSIID and filter formats, a valid-looking VSIID often, a small entry count. */
    private static byte[] vsiBody(Out parent) {
        Random r = parent.r;
        Out o = new Out(r);
        o.u8(r.nextInt(256)).u24(r.nextInt(1 << 24)).u8(r.nextInt(256));
        int fmt = r.nextInt(7);
        o.u8(fmt);
        switch (r.nextInt(4)) {
            case 0 -> o.bytes(new byte[16]);
            case 1 -> o.bytes(o.random(16));
            default -> {
                // shaped like a valid VSIID of some format
                byte[] id = o.random(16);
                if (fmt == 1 || fmt == 3) {
                    java.util.Arrays.fill(id, 0, 10, (byte) 0);
                    if (fmt == 1) {
                        id[10] = (byte) 0xFF;
                        id[11] = (byte) 0xFF;
                    } else {
                        id[10] &= (byte) 0xFE;
                    }
                }
                o.bytes(id);
            }
        }
        int ff = r.nextInt(6);
        int count = r.nextInt(10) < 8 ? r.nextInt(5) : r.nextInt(0x10000);
        o.u8(ff).u16(count);
        int entrySize = switch (ff) {
            case 1 -> 2;
            case 2 -> 8;
            case 3 -> 6;
            case 4 -> 12;
            default -> 1 + r.nextInt(12);
        };
        int entries = r.nextInt(10) < 7 ? Math.min(count, 40) : r.nextInt(6);
        for (int i = 0; i < entries; i++) {
            byte[] e = o.random(entrySize);
            if (r.nextBoolean() && entrySize >= 8) {
                e[entrySize == 12 ? 4 : 0] &= (byte) 0xFE; // a unicast MAC, mostly
            }
            o.bytes(e);
        }
        return o.toArray();
    }

    /** The body of a type-127 TLV: an OUI (the project's mostly), a subtype, a smallish body. */
    private static byte[] orgBody(Out parent, int projectOui, int maxSubtype) {
        Random r = parent.r;
        Out o = new Out(r);
        int pick = r.nextInt(8);
        o.u24(pick < 6 ? projectOui : pick == 6 ? EvbTlv.OUI_8021 : r.nextInt(1 << 24));
        o.u8(r.nextInt(8) < 7 ? r.nextInt(maxSubtype + 1) : r.nextInt(256));
        o.bytes(o.smallish(r.nextInt(10) < 8 ? r.nextInt(48) : r.nextInt(300)));
        return o.toArray();
    }

    private static void lldpTlvs(Out o) {
        Random r = o.r;
        o.tlv(r.nextInt(10) < 9 ? 1 : r.nextInt(128), lldpId(o));
        o.tlv(r.nextInt(10) < 9 ? 2 : r.nextInt(128), lldpId(o));
        o.tlv(r.nextInt(10) < 9 ? 3 : r.nextInt(128), o.smallish(r.nextInt(10) < 8 ? 2 : r.nextInt(4)));
        int n = r.nextInt(7);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(9)) {
                case 0, 1, 2, 3 -> o.tlv(127, orgBody(o, EvbTlv.OUI_8021, 15));
                case 4, 5, 6 -> o.tlv(127, orgBody(o, WireArbitraries.PROJECT_OUI, 3));
                default -> o.tlv(r.nextInt(128), o.smallish(r.nextInt(31)));
            }
        }
        switch (r.nextInt(10)) {
            case 0 -> {
            }
            case 1 -> o.bytes(o.smallish(1 + r.nextInt(3)));
            default -> o.u16(0);
        }
        o.bytes(o.smallish(r.nextInt(9)));
    }

    /** A chassis or port ID TLV body: a subtype (1..7 mostly) and 1..12 octets (mostly). */
    private static byte[] lldpId(Out parent) {
        Random r = parent.r;
        Out o = new Out(r);
        o.u8(r.nextInt(10) < 9 ? 1 + r.nextInt(7) : r.nextInt(256));
        return o.bytes(o.smallish(r.nextInt(10) < 9 ? 1 + r.nextInt(12) : r.nextInt(300))).toArray();
    }

    private static void frame(Out o) {
        Random r = o.r;
        o.bytes(o.random(12));
        int tags = r.nextInt(10) < 7 ? 0 : r.nextInt(10) < 9 ? 1 : 2;
        for (int i = 0; i < tags; i++) {
            o.u16(r.nextBoolean() ? VlanTag.CTAG : VlanTag.STAG).u16(r.nextInt(0x10000));
        }
        switch (r.nextInt(10)) {
            case 0, 1, 2, 3, 4 -> {
                int version = r.nextInt(10) < 9 ? 1 : r.nextInt(16);
                int subtype = r.nextInt(10) < 9 ? 1 : r.nextInt(0x400);
                int op = r.nextInt(10) < 9 ? r.nextInt(2) : 2 + r.nextInt(2);
                o.u16(EcpHeader.ETHERTYPE).u16((version << 12) | (op << 10) | subtype).u16(r.nextInt(0x10000));
                vdpTlvs(o);
            }
            case 5, 6, 7 -> {
                o.u16(LldpPdu.ETHERTYPE);
                lldpTlvs(o);
            }
            case 8 -> o.u16(r.nextInt(0x10000)).bytes(o.random(r.nextInt(1600)));
            default -> o.u16(r.nextInt(0x800)).bytes(o.smallish(r.nextInt(30)));
        }
        if (r.nextInt(10) == 0) {
            o.bytes(new byte[r.nextInt(60)]);
        }
    }

    private static void pcap(Out o) {
        Random r = o.r;
        boolean le = r.nextBoolean();
        int m = switch (r.nextInt(10)) {
            case 0 -> 0x0A0D0D0A;
            case 1 -> r.nextInt();
            case 2, 3, 4, 5 -> PcapReader.MAGIC_MICROS;
            default -> PcapReader.MAGIC_NANOS;
        };
        o.i32(m, le).i16(r.nextInt(10) < 9 ? 2 : r.nextInt(0x10000), le).i16(4, le).i32(0, le).i32(0, le);
        o.i32(switch (r.nextInt(6)) {
            case 0 -> 0;
            case 1 -> 65535;
            case 2 -> r.nextInt();
            case 3 -> r.nextInt(100);
            default -> PcapReader.MAX_RECORD;
        }, le);
        o.i32(r.nextInt(10) < 9 ? 1 : r.nextInt(), le);
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            Out d = new Out(r);
            if (r.nextBoolean()) {
                frame(d);
            } else {
                d.bytes(d.smallish(r.nextInt(40)));
            }
            byte[] data = d.toArray();
            int skew = r.nextInt(10) < 8 ? 0 : r.nextInt(10) < 8 ? r.nextInt(7) - 3 : r.nextInt();
            o.i32(r.nextInt(), le).i32(r.nextInt(10) < 8 ? r.nextInt(1_000_000) : r.nextInt(), le);
            o.i32(data.length + skew, le).i32(data.length + (r.nextInt(10) < 8 ? 0 : r.nextInt(7) - 3), le);
            o.bytes(data);
        }
        if (r.nextInt(4) == 0) {
            o.bytes(o.smallish(r.nextInt(20)));
        }
    }

    /** Big-endian (and, for pcap, either-endian) output with random helpers. */
    private static final class Out {
        final Random r;
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Out(Random r) {
            this.r = r;
        }

        Out u8(int v) {
            b.write(v);
            return this;
        }

        Out u16(int v) {
            return u8(v >>> 8).u8(v);
        }

        Out u24(int v) {
            return u8(v >>> 16).u16(v);
        }

        Out i32(int v, boolean littleEndian) {
            return littleEndian ? u8(v).u8(v >>> 8).u8(v >>> 16).u8(v >>> 24) : u16(v >>> 16).u16(v);
        }

        Out i16(int v, boolean littleEndian) {
            return littleEndian ? u8(v).u8(v >>> 8) : u16(v);
        }

        Out bytes(byte[] v) {
            b.writeBytes(v);
            return this;
        }

        /** A TLV with the body's length (9 bits), or one time in eight a random length. */
        Out tlv(int type, byte[] body) {
            int len = r.nextInt(8) == 0 ? r.nextInt(512) : Math.min(body.length, 511);
            return u16((type << 9) | len).bytes(body);
        }

        byte[] random(int n) {
            byte[] v = new byte[n];
            r.nextBytes(v);
            return v;
        }

        /** Octets biased towards small values: enumerations, flags, counts and lengths near their valid range. */
        byte[] smallish(int n) {
            byte[] v = new byte[n];
            for (int i = 0; i < n; i++) {
                int k = r.nextInt(8);
                v[i] = (byte) (k < 3 ? r.nextInt(7) : k == 3 ? new int[] {0x7F, 0x80, 0xFF, 0x10, 0x40}[r.nextInt(5)] : r.nextInt(256));
            }
            return v;
        }

        byte[] toArray() {
            return b.toByteArray();
        }
    }
}
