package org.splitnve.wire.lldp;

import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * The EVB TLV (IEEE 802.1Q clause D.2.12; OUI 00-80-C2, subtype 0x0D) that negotiates ECP and VDP
 * timers. Five octets after OUI and subtype:
 *
 * <pre>
 *  bridge status  : reserved(5) BGID RRCAP RRCTR
 *  station status : reserved(4) SGID RRREQ RRSTAT(2)
 *  R(3) RTE(5)                       ECP retries; retransmission exponent
 *  mode(2) ROL RWD(5)                EVB mode (1 bridge, 2 station); resource wait delay
 *  reserved(2) ROL RKA(5)            reinit keep-alive
 * </pre>
 *
 * Times are 10 us x 2^exponent. Each side uses max(own, peer) for R, RTE, RWD and RKA. Reserved
 * bits are sent as zero and ignored on receipt.
 */
public record EvbTlv(boolean bgid, boolean rrcap, boolean rrctr, boolean sgid, boolean rrreq, int rrstat,
        int retries, int rte, EvbMode mode, boolean rolRwd, int rwd, boolean rolRka, int rka) implements LldpTlv {
    public static final int OUI_8021 = 0x0080C2;
    public static final int SUBTYPE = 0x0D;

    public EvbTlv {
        if (mode == null) {
            throw new IllegalArgumentException("EVB mode is required");
        }
        if (rrstat < 0 || rrstat > 3 || retries < 0 || retries > 7 || rte < 0 || rte > 31 || rwd < 0 || rwd > 31
                || rka < 0 || rka > 31) {
            throw new IllegalArgumentException("RRSTAT 2 bits, R 3 bits, RTE/RWD/RKA 5 bits");
        }
    }

    /** A station's TLV with the given timers and group ID support. */
    public static EvbTlv station(int retries, int rte, int rwd, int rka, boolean groupIds) {
        return new EvbTlv(false, false, false, groupIds, true, 0, retries, rte, EvbMode.STATION, false, rwd, false, rka);
    }

    /** A bridge's TLV with the given timers and group ID support. */
    public static EvbTlv bridge(int retries, int rte, int rwd, int rka, boolean groupIds) {
        return new EvbTlv(groupIds, true, false, false, false, 0, retries, rte, EvbMode.BRIDGE, false, rwd, false, rka);
    }

    /** 10 us x 2^exponent, in nanoseconds. */
    public static long nanos(int exponent) {
        return 10_000L << exponent;
    }

    @Override
    public int encodedLength() {
        return 11;
    }

    public void encode(WireWriter w) {
        w.tlvHeader(127, 9).u24(OUI_8021).u8(SUBTYPE)
                .u8((bgid ? 4 : 0) | (rrcap ? 2 : 0) | (rrctr ? 1 : 0))
                .u8((sgid ? 8 : 0) | (rrreq ? 4 : 0) | rrstat)
                .u8((retries << 5) | rte)
                .u8((mode.code() << 6) | (rolRwd ? 0x20 : 0) | rwd)
                .u8((rolRka ? 0x20 : 0) | rka);
    }

    /** Decodes the five octets after OUI and subtype. */
    static EvbTlv decodeBody(WireReader r) throws DecodeException {
        if (r.remaining() != 5) {
            throw r.error(DecodeError.BAD_LENGTH, "EVB TLV body of " + r.remaining() + " octets, not 5");
        }
        int b = r.u8("bridge status");
        int s = r.u8("station status");
        int rr = r.u8("R/RTE");
        int m = r.u8("mode/RWD");
        int k = r.u8("RKA");
        return new EvbTlv((b & 4) != 0, (b & 2) != 0, (b & 1) != 0, (s & 8) != 0, (s & 4) != 0, s & 3,
                rr >>> 5, rr & 0x1F, EvbMode.ofCode(m >>> 6), (m & 0x20) != 0, m & 0x1F, (k & 0x20) != 0, k & 0x1F);
    }
}
