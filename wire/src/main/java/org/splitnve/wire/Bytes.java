package org.splitnve.wire;

import java.util.Arrays;
import java.util.HexFormat;

/** An immutable octet string with value equality, for opaque fields (unknown TLVs, tags, nonces). */
public final class Bytes {
    public static final Bytes EMPTY = new Bytes(new byte[0]);

    private final byte[] octets;

    private Bytes(byte[] octets) {
        this.octets = octets;
    }

    /** Copies {@code src}. */
    public static Bytes of(byte[] src) {
        return src.length == 0 ? EMPTY : new Bytes(src.clone());
    }

    /** Takes ownership of {@code src}; the caller must not change it afterwards. */
    public static Bytes wrap(byte[] src) {
        return src.length == 0 ? EMPTY : new Bytes(src);
    }

    public static Bytes ofHex(String hex) {
        return wrap(HexFormat.of().parseHex(hex));
    }

    public int length() {
        return octets.length;
    }

    public int get(int i) {
        return octets[i] & 0xFF;
    }

    public byte[] toArray() {
        return octets.clone();
    }

    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(octets, 0, dst, offset, octets.length);
    }

    public boolean isAllZero() {
        for (byte b : octets) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    public String hex() {
        return HexFormat.of().formatHex(octets);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bytes b && Arrays.equals(octets, b.octets);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(octets);
    }

    @Override
    public String toString() {
        return hex();
    }
}
