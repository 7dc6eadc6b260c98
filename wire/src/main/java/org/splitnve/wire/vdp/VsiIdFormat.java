package org.splitnve.wire.vdp;

/** VSIID formats (802.1Q Table 41-?): how the 16-octet VSIID field is to be read. */
public enum VsiIdFormat {
    /** IPv4 address as an IPv4-mapped IPv6 address {@code ::ffff:a.b.c.d}, address not zero. */
    IPV4(1),
    /** IPv6 address, not all zeros. */
    IPV6(2),
    /** MAC address right-aligned after ten zero octets; unicast, not zero. */
    MAC(3),
    /** Locally defined: any 16 octets. */
    LOCAL(4),
    /** RFC 4122 UUID, not the nil UUID. */
    UUID(5);

    private final int code;

    VsiIdFormat(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static VsiIdFormat ofCode(int code) {
        return switch (code) {
            case 1 -> IPV4;
            case 2 -> IPV6;
            case 3 -> MAC;
            case 4 -> LOCAL;
            case 5 -> UUID;
            default -> null;
        };
    }
}
