package org.splitnve.wire.vdp;

import org.splitnve.wire.MacAddress;

/**
 * One filter entry: optional GroupID (VN ID), optional MAC, and the PS/PCP/VID word. VID 0 is the
 * null VID: "the bridge assigns the VLAN" (RFC 8394 REQ-7); 4095 is reserved and never valid.
 * {@code groupId} is an unsigned 32-bit value (0 when the format has no GroupID); {@code mac} is
 * null when the format has no MAC.
 */
public record FilterEntry(int groupId, MacAddress mac, boolean ps, int pcp, int vid) {
    public static final int NULL_VID = 0;
    public static final int MAX_VID = 4094;

    public FilterEntry {
        if (vid < 0 || vid > MAX_VID) {
            throw new IllegalArgumentException("VID must be 0 (null) to 4094: " + vid);
        }
        if (pcp < 0 || pcp > 7) {
            throw new IllegalArgumentException("PCP is 3 bits: " + pcp);
        }
        if (mac != null && !mac.isValidUnicast()) {
            throw new IllegalArgumentException("a filter MAC must be unicast and not zero: " + mac);
        }
    }

    public static FilterEntry vid(int vid) {
        return new FilterEntry(0, null, false, 0, vid);
    }

    public static FilterEntry macVid(MacAddress mac, int vid) {
        return new FilterEntry(0, mac, false, 0, vid);
    }

    public static FilterEntry groupVid(int groupId, int vid) {
        return new FilterEntry(groupId, null, false, 0, vid);
    }

    public static FilterEntry groupMacVid(int groupId, MacAddress mac, int vid) {
        return new FilterEntry(groupId, mac, false, 0, vid);
    }

    public FilterEntry withVid(int newVid) {
        return new FilterEntry(groupId, mac, ps, pcp, newVid);
    }

    public boolean isNullVid() {
        return vid == NULL_VID;
    }

    /** The PS/PCP/VID word as on the wire: PS 0x8000, PCP 0x7000, VID 0x0FFF. */
    public int vlanWord() {
        return (ps ? 0x8000 : 0) | (pcp << 12) | vid;
    }

    public long groupIdUnsigned() {
        return Integer.toUnsignedLong(groupId);
    }

    boolean fits(FilterFormat format) {
        return (mac != null) == format.hasMac() && (format.hasGroup() || groupId == 0);
    }
}
