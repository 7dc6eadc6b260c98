package org.splitnve.wire.vdp;

/**
 * Filter information formats (RFC 8394 Appendix A, Figures 8-11). GroupID is the VN ID (RFC 8394
 * section 5, REQ-5, REQ-7).
 */
public enum FilterFormat {
    VID(1, false, false),
    MAC_VID(2, true, false),
    GROUP_VID(3, false, true),
    GROUP_MAC_VID(4, true, true);

    private final int code;
    private final boolean hasMac;
    private final boolean hasGroup;

    FilterFormat(int code, boolean hasMac, boolean hasGroup) {
        this.code = code;
        this.hasMac = hasMac;
        this.hasGroup = hasGroup;
    }

    public int code() {
        return code;
    }

    public boolean hasMac() {
        return hasMac;
    }

    public boolean hasGroup() {
        return hasGroup;
    }

    /** Octets per entry: optional GroupID (4), optional MAC (6), PS/PCP/VID (2). */
    public int entrySize() {
        return (hasGroup ? 4 : 0) + (hasMac ? 6 : 0) + 2;
    }

    public static FilterFormat ofCode(int code) {
        return switch (code) {
            case 1 -> VID;
            case 2 -> MAC_VID;
            case 3 -> GROUP_VID;
            case 4 -> GROUP_MAC_VID;
            default -> null;
        };
    }
}
