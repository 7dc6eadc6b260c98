package org.splitnve.sim;

/**
 * How a simulated link treats the frames on it, the same in each direction (each direction draws
 * its own random numbers): a frame is lost with probability {@code loss}; a frame that survives is
 * duplicated with probability {@code duplication}; every copy takes a delay drawn uniformly from
 * {@code [minDelayNanos, maxDelayNanos]}, so copies sent close together can arrive in another order.
 * Bandwidth is not modelled.
 */
public record LinkProfile(double loss, double duplication, long minDelayNanos, long maxDelayNanos) {
    /** No loss, no duplication, 1 us of delay: a cable. */
    public static final LinkProfile CLEAN = new LinkProfile(0, 0, 1_000, 1_000);

    public LinkProfile {
        if (!(loss >= 0 && loss <= 1) || !(duplication >= 0 && duplication <= 1)) {
            throw new IllegalArgumentException("probabilities lie in [0, 1]: loss " + loss + ", duplication "
                    + duplication);
        }
        if (minDelayNanos < 0 || maxDelayNanos < minDelayNanos) {
            throw new IllegalArgumentException("delay range [" + minDelayNanos + ", " + maxDelayNanos + "] ns");
        }
    }

    /** A clean link with this delay range. */
    public static LinkProfile delay(long minNanos, long maxNanos) {
        return new LinkProfile(0, 0, minNanos, maxNanos);
    }

    public LinkProfile withLoss(double p) {
        return new LinkProfile(p, duplication, minDelayNanos, maxDelayNanos);
    }

    public LinkProfile withDuplication(double p) {
        return new LinkProfile(loss, p, minDelayNanos, maxDelayNanos);
    }

    public LinkProfile withDelay(long minNanos, long maxNanos) {
        return new LinkProfile(loss, duplication, minNanos, maxNanos);
    }
}
