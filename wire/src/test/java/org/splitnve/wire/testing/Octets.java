package org.splitnve.wire.testing;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/**
 * A builder for hand-crafted (usually malformed) wire input: big-endian fields, TLV headers with
 * any length, the project's extension TLV framing.
 */
public final class Octets {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static Octets of() {
        return new Octets();
    }

    public static Octets hex(String hex) {
        return new Octets().bytes(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    public Octets u8(int v) {
        out.write(v);
        return this;
    }

    public Octets u16(int v) {
        return u8(v >>> 8).u8(v);
    }

    public Octets u24(int v) {
        return u8(v >>> 16).u16(v);
    }

    public Octets u32(int v) {
        return u16(v >>> 16).u16(v);
    }

    public Octets u48(long v) {
        return u16((int) (v >>> 32)).u32((int) v);
    }

    public Octets u64(long v) {
        return u32((int) (v >>> 32)).u32((int) v);
    }

    public Octets le32(int v) {
        return u8(v).u8(v >>> 8).u8(v >>> 16).u8(v >>> 24);
    }

    public Octets bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public Octets bytes(Octets o) {
        return bytes(o.toArray());
    }

    public Octets zeros(int n) {
        return bytes(new byte[n]);
    }

    public Octets fill(int n, int value) {
        for (int i = 0; i < n; i++) {
            u8(value);
        }
        return this;
    }

    /** A 7-bit type / 9-bit length TLV header announcing {@code length}, whatever follows. */
    public Octets tlvHeader(int type, int length) {
        return u16((type << 9) | length);
    }

    /** A TLV whose header announces the body's true length. */
    public Octets tlv(int type, Octets body) {
        byte[] b = body.toArray();
        return tlvHeader(type, b.length).bytes(b);
    }

    /** A type-127 TLV: OUI, subtype, body, with the true length. */
    public Octets org(int oui, int subtype, Octets body) {
        return tlv(127, of().u24(oui).u8(subtype).bytes(body));
    }

    public int length() {
        return out.size();
    }

    public byte[] toArray() {
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(toArray());
    }
}
