package org.splitnve.dataplane.openflow;

import java.util.Arrays;
import java.util.HexFormat;

/** An immutable run of octets with value equality: OXM values and masks, opaque message bodies. */
public final class Octets implements Comparable<Octets> {
    public static final Octets EMPTY = new Octets(new byte[0]);

    private final byte[] bytes;
    /** Cached: the driver hashes every match of the desired table on each apply. */
    private final int hash;

    private Octets(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public static Octets of(byte... bytes) {
        return new Octets(bytes.clone());
    }

    /** {@code n} octets of {@code value}, big-endian (network order), lowest {@code n} octets kept. */
    public static Octets ofLong(long value, int n) {
        byte[] b = new byte[n];
        for (int i = n - 1; i >= 0; i--) {
            b[i] = (byte) value;
            value >>>= 8;
        }
        return new Octets(b);
    }

    public static Octets ofHex(String hex) {
        return new Octets(HexFormat.of().parseHex(hex));
    }

    public int length() {
        return bytes.length;
    }

    public byte get(int i) {
        return bytes[i];
    }

    public byte[] toArray() {
        return bytes.clone();
    }

    /** The octets as an unsigned big-endian number (at most 8 octets are meaningful). */
    public long toLong() {
        long v = 0;
        for (byte b : bytes) {
            v = (v << 8) | (b & 0xff);
        }
        return v;
    }

    void copyTo(byte[] dst, int at) {
        System.arraycopy(bytes, 0, dst, at, bytes.length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Octets other && other.hash == hash && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public int compareTo(Octets o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
