package org.splitnve.protocol;

import java.util.random.RandomGenerator;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.VsiId;

/**
 * What one side puts in its session TLV (docs/protocol.md 5.2): a random non-zero epoch chosen at start,
 * a random nonce, and the digest both sides compute over the TSIs they hold, so that a mismatch shows.
 */
public record SessionIdentity(int epoch, Bytes nonce) {

    public static SessionIdentity random(RandomGenerator random) {
        int e;
        do {
            e = random.nextInt();
        } while (e == 0);
        byte[] n = new byte[SessionTlv.NONCE_LENGTH];
        random.nextBytes(n);
        return new SessionIdentity(e, Bytes.wrap(n));
    }

    /** The state codes of {@link #tsiDigest}: the same on both halves, whatever their enums. */
    public static final int ASSOCIATED = 1;
    public static final int ACTIVATED = 2;

    /**
     * One TSI's share of a session digest; the digest is the XOR of the shares (order-independent,
     * updated in O(1)). {@code state}: 1 Associated, 2 Activated. Both halves must use this one function.
     */
    public static long tsiDigest(VsiId id, int state) {
        if (state != ASSOCIATED && state != ACTIVATED) {
            throw new IllegalArgumentException("a TSI's digest state is 1 (Associated) or 2 (Activated), not " + state);
        }
        long z = id.hi() * 31 + id.lo() + state;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
