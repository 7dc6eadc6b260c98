package org.splitnve.nva;

/** The state of a TSI instance's addresses at the NVA (RFC 8394 section 3.2, Figure 6). */
public enum EntryState {
    /** TSI Associated (SM-TSI-2): the addresses are known (mapping table), traffic is not sent to them. */
    MAPPING(0),
    /** TSI Activated (SM-TSI-3): other NVEs may send traffic to the addresses (forwarding table). */
    FORWARDING(1);

    private final int code;

    EntryState(int code) {
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
    public static EntryState ofCode(int code) {
        for (EntryState v : values()) {
            if (v.code == code) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown entry state code " + code);
    }
}
