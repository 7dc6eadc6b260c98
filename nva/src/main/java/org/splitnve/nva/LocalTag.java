package org.splitnve.nva;

/**
 * A local tag an nNVE uses for a VN (RFC 8394 SM-VAP-2, REQ-7): the 802.1Q VLAN ID on the links of one port
 * scope (a port, or the ports sharing one bridged access network) that carries the VN's frames.
 */
public record LocalTag(NveId nve, int portScope, int tag, int vnId) {
    public LocalTag {
        if (nve == null) {
            throw new IllegalArgumentException("a local tag belongs to an nNVE");
        }
        if (portScope < 0) {
            throw new IllegalArgumentException("port scope is not negative: " + portScope);
        }
        if (tag < 1 || tag > 4094) {
            throw new IllegalArgumentException("a local tag is a VLAN ID 1..4094: " + tag);
        }
    }

    @Override
    public String toString() {
        return "tag " + tag + "@" + nve + ":" + portScope + " -> VN " + Integer.toUnsignedLong(vnId);
    }
}
