package org.splitnve.nva;

import org.splitnve.wire.vdp.VsiId;

/**
 * Permission for TSIs to join a VN (RFC 8394 section 6, SEC-1): one TSI by its VSI ID, or ({@code vsi} null)
 * any TSI.
 */
public record TsiRule(int vnId, VsiId vsi) {
    public static TsiRule on(int vnId, VsiId vsi) {
        if (vsi == null) {
            throw new IllegalArgumentException("use anyOn for every TSI");
        }
        return new TsiRule(vnId, vsi);
    }

    public static TsiRule anyOn(int vnId) {
        return new TsiRule(vnId, null);
    }

    @Override
    public String toString() {
        return (vsi == null ? "any TSI" : "TSI " + vsi) + " on VN " + Integer.toUnsignedLong(vnId);
    }
}
