package org.splitnve.nva;

import java.util.List;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * The shortest IP prefix a TSI may claim in a VN's trusted mode (SEC-1, SEC-2), per family. In trusted mode the
 * end device's addresses are used as they are, and a prefix is a claim on every address it covers: without a
 * floor, one TSI could claim {@code 0.0.0.0/0} and attract everything the VN sends to addresses no other TSI
 * holds (in an L3 VN, everything leaving it). A VN grants shorter prefixes where a TSI routes a range
 * (a load balancer, a router VM); a validated VN's records are authoritative and are not held to it.
 *
 * @param shortestIpv4 the shortest IPv4 prefix length a TSI may claim, 0..32 (32: host addresses only)
 * @param shortestIpv6 the shortest IPv6 prefix length a TSI may claim, 0..128 (128: host addresses only)
 */
public record PrefixPolicy(int shortestIpv4, int shortestIpv6) {
    /**
     * What a VN allows unless it says otherwise: a /24 or a /64 (a subnet behind a router VM or a load
     * balancer, a /64 delegated to a VM), nothing shorter.
     */
    public static final PrefixPolicy DEFAULT = new PrefixPolicy(24, 64);
    /** Host addresses only. */
    public static final PrefixPolicy HOSTS_ONLY = new PrefixPolicy(32, 128);
    /** Any prefix, {@code /0} included: the behaviour before the policy existed. */
    public static final PrefixPolicy ANY = new PrefixPolicy(0, 0);

    public PrefixPolicy {
        if (shortestIpv4 < 0 || shortestIpv4 > 32) {
            throw new IllegalArgumentException("the shortest IPv4 prefix is 0..32, not " + shortestIpv4);
        }
        if (shortestIpv6 < 0 || shortestIpv6 > 128) {
            throw new IllegalArgumentException("the shortest IPv6 prefix is 0..128, not " + shortestIpv6);
        }
    }

    /** Whether a TSI may claim this address (a MAC always). */
    public boolean allows(TsiAddress a) {
        return a.ip() == null || a.prefixLength() >= (a.family() == 4 ? shortestIpv4 : shortestIpv6);
    }

    /** The first address of {@code addresses} this policy does not allow, or null. */
    public TsiAddress firstRefused(List<TsiAddress> addresses) {
        for (TsiAddress a : addresses) {
            if (!allows(a)) {
                return a;
            }
        }
        return null;
    }

    /** Why {@code a} is refused, for the reason detail: the address and what the VN allows. */
    public String refusal(TsiAddress a, String vn) {
        return a + ": " + vn + " lets a TSI claim IPv" + a.family() + " prefixes of /"
                + (a.family() == 4 ? shortestIpv4 : shortestIpv6) + " or longer in trusted mode";
    }

    @Override
    public String toString() {
        return "IPv4 /" + shortestIpv4 + ", IPv6 /" + shortestIpv6;
    }
}
