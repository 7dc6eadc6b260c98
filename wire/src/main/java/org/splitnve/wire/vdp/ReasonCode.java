package org.splitnve.wire.vdp;

/**
 * The 4-bit reason in a VDP response status (IEEE 802.1Q Table 41-?): 0-5 are defined, 6-15 are
 * reserved and kept as they arrive. RFC 8394 SM-REASON: every refusal carries one.
 */
public record ReasonCode(int value) {
    public static final ReasonCode SUCCESS = new ReasonCode(0);
    public static final ReasonCode INVALID_FORMAT = new ReasonCode(1);
    public static final ReasonCode INSUFFICIENT_RESOURCES = new ReasonCode(2);
    public static final ReasonCode UNABLE_TO_CONTACT_VSI_MANAGER = new ReasonCode(3);
    public static final ReasonCode OTHER_FAILURE = new ReasonCode(4);
    public static final ReasonCode INVALID_VID_GROUP_OR_MAC = new ReasonCode(5);

    private static final String[] NAMES = {
        "success", "invalid format", "insufficient resources", "unable to contact VSI manager",
        "other failure", "invalid VID, GroupID or MAC address"
    };

    public ReasonCode {
        if (value < 0 || value > 15) {
            throw new IllegalArgumentException("reason code is 4 bits: " + value);
        }
    }

    public static ReasonCode of(int value) {
        return switch (value) {
            case 0 -> SUCCESS;
            case 1 -> INVALID_FORMAT;
            case 2 -> INSUFFICIENT_RESOURCES;
            case 3 -> UNABLE_TO_CONTACT_VSI_MANAGER;
            case 4 -> OTHER_FAILURE;
            case 5 -> INVALID_VID_GROUP_OR_MAC;
            default -> new ReasonCode(value);
        };
    }

    public boolean isSuccess() {
        return value == 0;
    }

    public String description() {
        return value < NAMES.length ? NAMES[value] : "reserved (" + value + ")";
    }

    @Override
    public String toString() {
        return value + " (" + description() + ")";
    }
}
