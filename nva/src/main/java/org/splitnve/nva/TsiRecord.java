package org.splitnve.nva;

import java.util.List;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * What the NVA holds about one TSI on one VN for validated provisioning (RFC 8394 section 6, SEC-2): its
 * addresses and parameters, authoritative over what the end device says. Holding a record also authorises
 * the TSI on the VN (SEC-1).
 *
 * <p>Addresses are kept without GroupID (the VN is {@code vnId}); an address naming another VN is refused.
 */
public record TsiRecord(VsiId vsi, int vnId, List<TsiAddress> addresses, List<Parameter> parameters) {
    public TsiRecord {
        if (vsi == null) {
            throw new IllegalArgumentException("a TSI record names the TSI");
        }
        List<TsiAddress> n = Addresses.normalise(addresses, vnId);
        if (n == null) {
            throw new IllegalArgumentException("an address names another VN than " + Integer.toUnsignedLong(vnId)
                    + ": " + Addresses.otherVn(addresses, vnId));
        }
        if (n.isEmpty()) {
            throw new IllegalArgumentException("a TSI record holds at least one address (ID-3: a MAC at least)");
        }
        addresses = n;
        parameters = List.copyOf(parameters);
    }

    public static TsiRecord of(VsiId vsi, int vnId, TsiAddress... addresses) {
        return new TsiRecord(vsi, vnId, List.of(addresses), List.of());
    }

    /**
     * Whether the record allows what the end device offers: a MAC the record holds (alone or bound to an IP);
     * an IP address or prefix inside one of the record's, with a bound MAC (if any) that the record holds for
     * it.
     */
    public boolean covers(TsiAddress offered) {
        if (offered.groupId() != null && offered.groupId() != vnId) {
            return false;
        }
        if (offered.ip() == null) {
            return hasMac(offered.mac());
        }
        for (TsiAddress r : addresses) {
            if (r.ip() != null && offered.prefixLength() >= r.prefixLength()
                    && Addresses.contains(r.ip(), r.prefixLength(), offered.ip())
                    && (offered.mac() == null || offered.mac().equals(r.mac()) || (r.mac() == null && hasMac(offered.mac())))) {
                return true;
            }
        }
        return false;
    }

    private boolean hasMac(MacAddress mac) {
        for (TsiAddress r : addresses) {
            if (mac.equals(r.mac())) {
                return true;
            }
        }
        return false;
    }
}
