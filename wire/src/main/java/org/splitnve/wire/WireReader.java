package org.splitnve.wire;

/**
 * A bounds-checked big-endian cursor over a slice of a byte array. Every read past {@link #limit()}
 * throws {@link DecodeException} ({@link DecodeError#TRUNCATED}); nothing reads out of bounds.
 * Not thread-safe; cheap enough to create one per frame.
 */
public final class WireReader {
    private final byte[] buf;
    private int pos;
    private int limit;

    public WireReader(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset > buf.length - length) {
            throw new IndexOutOfBoundsException("slice " + offset + "+" + length + " of " + buf.length);
        }
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
    }

    public WireReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public byte[] array() {
        return buf;
    }

    public int position() {
        return pos;
    }

    public int limit() {
        return limit;
    }

    public int remaining() {
        return limit - pos;
    }

    public boolean hasRemaining() {
        return pos < limit;
    }

    /** Ensures {@code n} more octets are present; names {@code what} in the error otherwise. */
    public void require(int n, String what) throws DecodeException {
        if (n < 0 || limit - pos < n) {
            throw new DecodeException(DecodeError.TRUNCATED, pos,
                    what + " needs " + n + " octets, " + (limit - pos) + " left");
        }
    }

    public int u8(String what) throws DecodeException {
        require(1, what);
        return buf[pos++] & 0xFF;
    }

    public int u16(String what) throws DecodeException {
        require(2, what);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    public int u24(String what) throws DecodeException {
        require(3, what);
        int v = ((buf[pos] & 0xFF) << 16) | ((buf[pos + 1] & 0xFF) << 8) | (buf[pos + 2] & 0xFF);
        pos += 3;
        return v;
    }

    public int u32(String what) throws DecodeException {
        require(4, what);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16)
                | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    public long u48(String what) throws DecodeException {
        require(6, what);
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (buf[pos + i] & 0xFFL);
        }
        pos += 6;
        return v;
    }

    public long u64(String what) throws DecodeException {
        require(8, what);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos + i] & 0xFFL);
        }
        pos += 8;
        return v;
    }

    public byte[] bytes(int n, String what) throws DecodeException {
        require(n, what);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    public void skip(int n, String what) throws DecodeException {
        require(n, what);
        pos += n;
    }

    /**
     * Narrows this reader to the next {@code n} octets and returns the old limit, to be handed back
     * to {@link #restoreLimit(int)} after the nested structure is decoded.
     */
    public int pushLimit(int n, String what) throws DecodeException {
        require(n, what);
        int old = limit;
        limit = pos + n;
        return old;
    }

    public void restoreLimit(int oldLimit) {
        this.limit = oldLimit;
    }

    /** True if every remaining octet is zero (Ethernet padding). Does not move. */
    public boolean restIsZero() {
        for (int i = pos; i < limit; i++) {
            if (buf[i] != 0) {
                return false;
            }
        }
        return true;
    }

    public DecodeException error(DecodeError error, String detail) {
        return new DecodeException(error, pos, detail);
    }

    public DecodeException errorAt(int at, DecodeError error, String detail) {
        return new DecodeException(error, at, detail);
    }
}
