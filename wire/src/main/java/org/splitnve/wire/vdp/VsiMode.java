package org.splitnve.wire.vdp;

/** The four VDP VSI TLV types (IEEE 802.1Q clause 41), named by the request they carry. */
public enum VsiMode {
    /** Type 1: validate the VSI type; reserve nothing. */
    PRE_ASSOCIATE(1),
    /** Type 2: validate and reserve resources (the RFC 8394 "Associate", TSI state Associated). */
    PRE_ASSOCIATE_RR(2),
    /** Type 3: create and activate the association (the RFC 8394 "Activate", TSI state Activated). */
    ASSOCIATE(3),
    /** Type 4: release everything (either side may send it). */
    DE_ASSOCIATE(4);

    private final int type;

    VsiMode(int type) {
        this.type = type;
    }

    public int tlvType() {
        return type;
    }

    /** The mode for a TLV type, or null if the type is not a VSI TLV. */
    public static VsiMode ofTlvType(int type) {
        return switch (type) {
            case 1 -> PRE_ASSOCIATE;
            case 2 -> PRE_ASSOCIATE_RR;
            case 3 -> ASSOCIATE;
            case 4 -> DE_ASSOCIATE;
            default -> null;
        };
    }
}
