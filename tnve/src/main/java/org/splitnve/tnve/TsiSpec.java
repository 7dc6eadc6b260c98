package org.splitnve.tnve;

import java.util.List;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * One virtual NIC of a VM (ID-3: TSI -> VN -> MAC -> IP): its identity, its VN (VN ID, the VDP
 * GroupID), its MAC and its IP addresses, and the VSI type the VSI Manager knows it by.
 */
public record TsiSpec(VsiId id, long vnId, MacAddress mac, List<TsiAddress> ips, int typeId, int typeVersion) {
    public TsiSpec {
        if (vnId < 0 || vnId > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("VN ID is 32 bits");
        }
        if (!mac.isValidUnicast()) {
            throw new IllegalArgumentException("a TSI's MAC is unicast: " + mac);
        }
        ips = List.copyOf(ips);
    }

    public static TsiSpec of(VsiId id, long vnId, MacAddress mac, List<TsiAddress> ips) {
        return new TsiSpec(id, vnId, mac, ips, 1, 1);
    }

    public TsiSpec withIps(List<TsiAddress> newIps) {
        return new TsiSpec(id, vnId, mac, newIps, typeId, typeVersion);
    }
}
