package org.splitnve.nva;

import org.splitnve.wire.vdp.VsiId;

/**
 * One instance of a TSI at the NVA: the TSI's VSI ID, the nNVE and nNVE port it is attached through, and
 * its VN (RFC 8394 section 3.2, Figure 6; SM-TSI-7: two instances of one TSI on one nNVE differ by port).
 */
public record TsiInstance(VsiId vsi, NveId nve, int port, int vnId) {
    public TsiInstance {
        if (vsi == null || nve == null) {
            throw new IllegalArgumentException("a TSI instance has a VSI ID and an nNVE");
        }
        if (port < 0) {
            throw new IllegalArgumentException("port is not negative: " + port);
        }
    }

    /** The same TSI on another port of the same nNVE. */
    public TsiInstance onPort(int newPort) {
        return new TsiInstance(vsi, nve, newPort, vnId);
    }

    @Override
    public String toString() {
        return vsi + "@" + nve + ":" + port + "/VN " + Integer.toUnsignedLong(vnId);
    }
}
