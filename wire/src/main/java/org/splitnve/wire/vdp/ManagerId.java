package org.splitnve.wire.vdp;

import java.nio.charset.StandardCharsets;

/**
 * The VSI Manager ID: 16 octets naming the database that holds VSI types (802.1Q 41.2.2).
 * lldpad sends a zero-padded ASCII name; any 16 octets are valid.
 */
public record ManagerId(long hi, long lo) {
    public static final ManagerId NONE = new ManagerId(0, 0);

    /** A zero-padded ASCII or UTF-8 name of at most 16 octets. */
    public static ManagerId ofText(String name) {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length > 16) {
            throw new IllegalArgumentException("a Manager ID holds at most 16 octets: '" + name + "'");
        }
        byte[] sixteen = new byte[16];
        System.arraycopy(b, 0, sixteen, 0, b.length);
        return ofBytes(sixteen);
    }

    public static ManagerId ofBytes(byte[] sixteen) {
        if (sixteen.length != 16) {
            throw new IllegalArgumentException("a Manager ID has 16 octets");
        }
        return new ManagerId(VsiId.longAt(sixteen, 0), VsiId.longAt(sixteen, 8));
    }

    public byte[] toBytes() {
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (hi >>> (56 - 8 * i));
            out[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return out;
    }

    /** The name if the octets are printable ASCII followed by zero padding, else null. */
    public String text() {
        byte[] b = toBytes();
        int n = 0;
        while (n < 16 && b[n] != 0) {
            if (b[n] < 0x20 || b[n] > 0x7E) {
                return null;
            }
            n++;
        }
        for (int i = n; i < 16; i++) {
            if (b[i] != 0) {
                return null;
            }
        }
        return n == 0 ? null : new String(b, 0, n, StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        String t = text();
        return t != null ? '"' + t + '"' : java.util.HexFormat.of().formatHex(toBytes());
    }
}
