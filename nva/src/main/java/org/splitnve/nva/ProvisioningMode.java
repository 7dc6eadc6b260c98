package org.splitnve.nva;

/**
 * How the addresses and parameters of a VN's TSIs are provisioned (RFC 8394 section 6, SEC-2).
 */
public enum ProvisioningMode {
    /** The end device supplies addresses and parameters; the nNVE uses them as they are. */
    TRUSTED(0),
    /**
     * The end device supplies only the VN and the TSI identity; the NVA holds the TSI's addresses and
     * parameters ({@link TsiRecord}), which the nNVE checks what the end device offers against and
     * returns as authoritative.
     */
    VALIDATED(1);

    private final int code;

    ProvisioningMode(int code) {
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
    public static ProvisioningMode ofCode(int code) {
        for (ProvisioningMode v : values()) {
            if (v.code == code) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown provisioning mode code " + code);
    }
}
