package org.splitnve.wire;

/**
 * A big-endian writer into a caller-supplied byte array. Encoders size their output first (every
 * message type knows its encoded length), so a write past the end is a programming error and
 * throws {@link IndexOutOfBoundsException}.
 */
public final class WireWriter {
    private final byte[] buf;
    private int pos;

    public WireWriter(byte[] buf, int offset) {
        this.buf = buf;
        this.pos = offset;
    }

    public WireWriter(int capacity) {
        this(new byte[capacity], 0);
    }

    public byte[] array() {
        return buf;
    }

    public int position() {
        return pos;
    }

    public WireWriter u8(int v) {
        buf[pos++] = (byte) v;
        return this;
    }

    public WireWriter u16(int v) {
        buf[pos] = (byte) (v >>> 8);
        buf[pos + 1] = (byte) v;
        pos += 2;
        return this;
    }

    public WireWriter u24(int v) {
        buf[pos] = (byte) (v >>> 16);
        buf[pos + 1] = (byte) (v >>> 8);
        buf[pos + 2] = (byte) v;
        pos += 3;
        return this;
    }

    public WireWriter u32(int v) {
        buf[pos] = (byte) (v >>> 24);
        buf[pos + 1] = (byte) (v >>> 16);
        buf[pos + 2] = (byte) (v >>> 8);
        buf[pos + 3] = (byte) v;
        pos += 4;
        return this;
    }

    public WireWriter u48(long v) {
        for (int i = 5; i >= 0; i--) {
            buf[pos++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    public WireWriter u64(long v) {
        for (int i = 7; i >= 0; i--) {
            buf[pos++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    public WireWriter bytes(byte[] src) {
        System.arraycopy(src, 0, buf, pos, src.length);
        pos += src.length;
        return this;
    }

    public WireWriter bytes(Bytes src) {
        src.copyTo(buf, pos);
        pos += src.length();
        return this;
    }

    public WireWriter zeros(int n) {
        java.util.Arrays.fill(buf, pos, pos + n, (byte) 0);
        pos += n;
        return this;
    }

    /** Writes a 7-bit type / 9-bit length TLV header (LLDP, VDP). */
    public WireWriter tlvHeader(int type, int length) {
        return u16((type << 9) | length);
    }
}
