package org.splitnve.wire.vdp;

/**
 * This project's VDP extension TLVs: type 127, the project OUI, and this subtype. Where each may
 * stand in an ECPDU is its {@link Placement}; docs/protocol.md gives every layout octet by octet.
 */
public enum ExtensionType {
    CAPABILITY(1, Placement.HEADER, false),
    SESSION(2, Placement.HEADER, false),
    VN_CONNECT(3, Placement.ITEM, true),
    TSI_ADDRESSES(4, Placement.ATTACHED_TO_VSI, true),
    DEACTIVATE(5, Placement.ATTACHED_TO_VSI, false),
    MIGRATION(6, Placement.ATTACHED_TO_VSI, false),
    PARAMETERS(7, Placement.ATTACHED, true),
    REASON_DETAIL(8, Placement.ATTACHED, false),
    AUTH(9, Placement.TRAILER, false);

    /** Where a TLV may stand in the ECPDU grammar (see {@link VdpPdu}). */
    public enum Placement {
        /** After the Manager ID, before the first item. */
        HEADER,
        /** Opens an item of its own, like a VSI TLV. */
        ITEM,
        /** After a VSI TLV, applying to it. */
        ATTACHED_TO_VSI,
        /** After a VSI TLV or a VN connect TLV, applying to it. */
        ATTACHED,
        /** Last TLV of the PDU. */
        TRAILER
    }

    private final int subtype;
    private final Placement placement;
    private final boolean repeatable;

    ExtensionType(int subtype, Placement placement, boolean repeatable) {
        this.subtype = subtype;
        this.placement = placement;
        this.repeatable = repeatable;
    }

    public int subtype() {
        return subtype;
    }

    public Placement placement() {
        return placement;
    }

    /** Whether one header or item may carry more than one TLV of this type. */
    public boolean repeatable() {
        return repeatable;
    }

    public static ExtensionType ofSubtype(int subtype) {
        for (ExtensionType t : values()) {
            if (t.subtype == subtype) {
                return t;
            }
        }
        return null;
    }
}
