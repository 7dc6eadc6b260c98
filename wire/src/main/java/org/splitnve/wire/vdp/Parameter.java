package org.splitnve.wire.vdp;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.splitnve.wire.Bytes;

/**
 * One per-VN or per-TSI parameter (RFC 8394 SM-EXT): a type and a value of at most 255 octets.
 * New parameters need a new type code, never a new message. Known types are checked on decode;
 * unknown ones are carried as they are.
 */
public record Parameter(int type, Bytes value) {
    /** UTF-8 name of a VN profile (policy set) the nNVE applies. */
    public static final int VN_PROFILE = 1;
    /** QoS: committed rate kbit/s (4), peak rate kbit/s (4), priority 0-7 (1). */
    public static final int QOS = 2;
    /** UTF-8 VN Alias, the human name (RFC 8394 ID-1). */
    public static final int VN_ALIAS = 3;
    /** VN Context: the overlay VNI, 24 bits in 4 octets (SM-VAP-2). */
    public static final int VN_CONTEXT = 4;
    /** VN Name (UUID, 16 octets). */
    public static final int VN_NAME = 5;
    /** MTU of the VN in octets (2). */
    public static final int MTU = 6;

    public Parameter {
        if (type < 1 || type > 255) {
            throw new IllegalArgumentException("parameter type is 1..255");
        }
        if (value.length() > 255) {
            throw new IllegalArgumentException("a parameter value holds at most 255 octets");
        }
        String problem = problem(type, value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if ((type == VN_PROFILE || type == VN_ALIAS) && !Text.isUtf8(value.toArray())) {
            throw new IllegalArgumentException("a VN profile or VN alias is UTF-8 text");
        }
    }

    /** Why a value is invalid for a known type, or null. */
    static String problem(int type, Bytes v) {
        return switch (type) {
            case QOS -> v.length() != 9 ? "QoS is 9 octets" : v.get(8) > 7 ? "QoS priority is 0..7" : null;
            case VN_CONTEXT -> v.length() != 4 ? "VN Context is 4 octets" : v.get(0) != 0 ? "a VNI is 24 bits" : null;
            case VN_NAME -> v.length() != 16 ? "VN Name is 16 octets" : null;
            case MTU -> v.length() != 2 ? "MTU is 2 octets" : null;
            default -> null;
        };
    }

    public static Parameter vnProfile(String name) {
        return new Parameter(VN_PROFILE, Bytes.wrap(name.getBytes(StandardCharsets.UTF_8)));
    }

    public static Parameter vnAlias(String alias) {
        return new Parameter(VN_ALIAS, Bytes.wrap(alias.getBytes(StandardCharsets.UTF_8)));
    }

    public static Parameter qos(long committedKbps, long peakKbps, int priority) {
        byte[] b = new byte[9];
        putInt(b, 0, committedKbps);
        putInt(b, 4, peakKbps);
        b[8] = (byte) priority;
        return new Parameter(QOS, Bytes.wrap(b));
    }

    public static Parameter vnContext(int vni) {
        if (vni < 0 || vni > 0xFFFFFF) {
            throw new IllegalArgumentException("a VNI is 24 bits: " + vni);
        }
        byte[] b = new byte[4];
        putInt(b, 0, vni);
        return new Parameter(VN_CONTEXT, Bytes.wrap(b));
    }

    public static Parameter vnName(UUID uuid) {
        byte[] b = new byte[16];
        putLong(b, 0, uuid.getMostSignificantBits());
        putLong(b, 8, uuid.getLeastSignificantBits());
        return new Parameter(VN_NAME, Bytes.wrap(b));
    }

    public static Parameter mtu(int mtu) {
        return new Parameter(MTU, Bytes.wrap(new byte[] {(byte) (mtu >>> 8), (byte) mtu}));
    }

    public long uint(int offset, int length) {
        long v = 0;
        for (int i = 0; i < length; i++) {
            v = (v << 8) | value.get(offset + i);
        }
        return v;
    }

    /** A readable form: the value decoded for known types, hex for others. */
    public String describe() {
        return switch (type) {
            case VN_PROFILE -> "VN profile \"" + new String(value.toArray(), StandardCharsets.UTF_8) + '"';
            case VN_ALIAS -> "VN alias \"" + new String(value.toArray(), StandardCharsets.UTF_8) + '"';
            case QOS -> "QoS committed " + uint(0, 4) + " kbit/s, peak " + uint(4, 4) + " kbit/s, priority " + value.get(8);
            case VN_CONTEXT -> "VN context VNI " + uint(0, 4);
            case VN_NAME -> "VN name " + new UUID(uint(0, 8), uint(8, 8));
            case MTU -> "MTU " + uint(0, 2);
            default -> "type " + type + " value " + value.hex();
        };
    }

    private static void putInt(byte[] b, int off, long v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (24 - 8 * i));
        }
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (56 - 8 * i));
        }
    }
}
