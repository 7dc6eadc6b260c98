package org.splitnve.wire.lldp;

/** The EVB mode field of the EVB TLV (2 bits). */
public enum EvbMode {
    NOT_SUPPORTED(0), BRIDGE(1), STATION(2), RESERVED(3);

    private final int code;

    EvbMode(int code) {
        this.code = code;
    }

    /** The two-bit value on the wire (802.1Q D.2.13). */
    public int code() {
        return code;
    }

    /** The mode of a two-bit value; every value 0..3 has one. */
    public static EvbMode ofCode(int code) {
        for (EvbMode m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        throw new IllegalArgumentException("EVB mode " + code + " is not two bits");
    }
}
