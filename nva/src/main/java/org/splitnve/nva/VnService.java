package org.splitnve.nva;

import java.util.Collection;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * The service a VN gives (RFC 8394 ID-4; seed 004 sections 3.1.1 and 3.1.2): an L2 VN forwards on MAC
 * addresses, so a TSI needs a MAC (an IP is optional, recommended); an L3 VN forwards on IP addresses,
 * so a TSI needs an IP and still a MAC (the NVE must address frames to the VNIC).
 */
public enum VnService {
    L2(0),
    L3(1);

    private final int code;

    VnService(int code) {
        this.code = code;
    }

    /**
     * This value's code in the NVA's store (nva-service's {@code store.Codec}): fixed, never derived from the
     * declaration order, so a store written before a value was added or the values reordered still reads.
     */
    public int code() {
        return code;
    }

    /** The value of a store {@link #code()}; an unknown code is an {@link IllegalArgumentException}. */
    public static VnService ofCode(int code) {
        for (VnService v : values()) {
            if (v.code == code) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown VN service code " + code);
    }

    /** Whether {@code addresses} give what this service needs. */
    public boolean satisfiedBy(Collection<TsiAddress> addresses) {
        boolean mac = false;
        boolean ip = false;
        for (TsiAddress a : addresses) {
            mac |= a.mac() != null;
            ip |= a.ip() != null;
        }
        return this == L2 ? mac : mac && ip;
    }

    /** What is missing, for a refusal text. */
    public String need() {
        return this == L2 ? "an L2 VN needs a MAC address" : "an L3 VN needs an IP address and a MAC address";
    }
}
