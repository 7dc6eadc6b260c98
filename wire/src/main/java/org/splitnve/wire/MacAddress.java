package org.splitnve.wire;

import java.util.HexFormat;

/** A 48-bit IEEE 802 MAC address, held in the low 48 bits of a long. */
public record MacAddress(long value) implements Comparable<MacAddress> {
    public static final MacAddress ZERO = new MacAddress(0);

    /**
     * The value mixed ({@link Hashes}): MACs handed out with a stride (every 64th of a range in one VN) would share their
     * low bits as {@code Long.hashCode}, and a HashMap keyed by them would chain them (issue 13).
     */
    @Override
    public int hashCode() {
        return Hashes.mix(value);
    }
    /** Nearest Customer Bridge group address: where ECP/VDP and EVB LLDP go by default. */
    public static final MacAddress NEAREST_CUSTOMER_BRIDGE = new MacAddress(0x0180C2000000L);
    /** Nearest Bridge group address (LLDP default). */
    public static final MacAddress NEAREST_BRIDGE = new MacAddress(0x0180C200000EL);

    public MacAddress {
        if ((value & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits: " + Long.toHexString(value));
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} or {@code aa-bb-cc-dd-ee-ff}. */
    public static MacAddress parse(String text) {
        String s = text.strip();
        if (s.length() != 17) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "'");
        }
        long v = 0;
        for (int i = 0; i < 6; i++) {
            if (i > 0) {
                char sep = s.charAt(3 * i - 1);
                if (sep != ':' && sep != '-') {
                    throw new IllegalArgumentException("not a MAC address: '" + text + "'");
                }
            }
            int hi = Character.digit(s.charAt(3 * i), 16);
            int lo = Character.digit(s.charAt(3 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new IllegalArgumentException("not a MAC address: '" + text + "'");
            }
            v = (v << 8) | (hi << 4) | lo;
        }
        return new MacAddress(v);
    }

    public static MacAddress of(byte[] six) {
        if (six.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 octets, not " + six.length);
        }
        long v = 0;
        for (byte b : six) {
            v = (v << 8) | (b & 0xFF);
        }
        return new MacAddress(v);
    }

    public byte[] toBytes() {
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) (value >>> (8 * (5 - i)));
        }
        return out;
    }

    /** Group (multicast or broadcast) address: the I/G bit is set. */
    public boolean isMulticast() {
        return (value & 0x0100_0000_0000L) != 0;
    }

    /** Locally administered: the U/L bit is set. */
    public boolean isLocal() {
        return (value & 0x0200_0000_0000L) != 0;
    }

    /** A unicast, non-zero address: what a station or a TSI may own. */
    public boolean isValidUnicast() {
        return value != 0 && !isMulticast();
    }

    /** One of the 01-80-C2-00-00-0X addresses that 802.1Q bridges never forward. */
    public boolean isReservedGroup() {
        return (value & ~0xFL) == 0x0180C2000000L;
    }

    @Override
    public String toString() {
        String h = HexFormat.of().formatHex(toBytes());
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(h, i, i + 2);
        }
        return sb.toString();
    }

    @Override
    public int compareTo(MacAddress o) {
        return Long.compare(value, o.value);
    }
}
