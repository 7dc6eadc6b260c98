package org.splitnve.wire;

/**
 * Hash codes for keys made of several numbers (a MAC in a VN, an address with its MAC): a record's own {@code hashCode}
 * is {@code 31 * h(a) + h(b)}, so keys whose parts rise together (orchestrators hand out MACs and IPs in sequence)
 * differ by multiples of 31 or 992 and share their low bits: a {@code HashMap} then fills a 32nd of its buckets and
 * turns them into trees. At 100,000 TSIs that was the largest part of an nNVE's restore (issue 13).
 */
public final class Hashes {
    private Hashes() {
    }

    /** Step of {@link #combine}: the golden ratio's 64-bit fraction, odd. */
    private static final long STEP = 0x9E37_79B9_7F4A_7C15L;

    /** Appends {@code part} to the running value {@code h} (start with 0); finish with {@link #mix}. */
    public static long combine(long h, long part) {
        return (h + part) * STEP;
    }

    /** Every bit of {@code h} spread over every bit of the result (MurmurHash3's 64-bit finaliser). */
    public static int mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return (int) h;
    }
}
