package org.splitnve.nva.service;

/**
 * Mobility sequence numbers (NVA-6; RFC 7432 section 7.7 and 15): unsigned 32-bit numbers, compared in serial
 * number arithmetic (RFC 1982) so that the order survives the wrap from 4294967295 to 0, which RFC 7432 section 15
 * says an implementation MUST handle. {@code a} is newer than {@code b} when it is ahead by 1 to 2^31 - 1; two
 * numbers exactly 2^31 apart are neither (RFC 1982 leaves them undefined): neither claim is newer.
 */
public final class MobilitySeq {
    /** The largest sequence number; the next one is 0. */
    public static final long MAX = 0xFFFF_FFFFL;

    private MobilitySeq() {
    }

    /** Whether {@code a} is newer than {@code b}. */
    public static boolean newer(long a, long b) {
        int d = (int) (a - b);
        return d > 0 && d != Integer.MIN_VALUE;
    }

    /** The number after {@code a}, wrapping. */
    public static long next(long a) {
        return (a + 1) & MAX;
    }

    static long check(long seq) {
        if (seq < 0 || seq > MAX) {
            throw new IllegalArgumentException("a mobility sequence number is 0.." + MAX + ": " + seq);
        }
        return seq;
    }
}
