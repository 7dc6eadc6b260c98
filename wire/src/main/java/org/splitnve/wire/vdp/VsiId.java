package org.splitnve.wire.vdp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;
import org.splitnve.wire.IpText;
import org.splitnve.wire.MacAddress;

/**
 * A VSI identifier (RFC 8394 ID-2: the TSI's globally unique name): a format and 16 octets,
 * held as two longs (big-endian halves). Every instance is valid for its format.
 */
public record VsiId(VsiIdFormat format, long hi, long lo) {

    public VsiId {
        if (format == null) {
            throw new IllegalArgumentException("VSIID format is required");
        }
        String problem = problem(format, hi, lo);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Why {@code (hi, lo)} is not a valid VSIID of {@code format}, or null if it is. */
    public static String problem(VsiIdFormat format, long hi, long lo) {
        return switch (format) {
            case IPV4 -> hi != 0 || (lo >>> 32) != 0xFFFFL || (lo & 0xFFFF_FFFFL) == 0
                    ? "an IPv4 VSIID is ::ffff:a.b.c.d with a non-zero address" : null;
            case IPV6 -> hi == 0 && lo == 0 ? "an IPv6 VSIID must not be all zeros" : null;
            case MAC -> hi != 0 || (lo >>> 48) != 0 || !new MacAddress(lo & 0xFFFF_FFFF_FFFFL).isValidUnicast()
                    ? "a MAC VSIID is ten zero octets and a unicast, non-zero MAC address" : null;
            case LOCAL -> null;
            case UUID -> hi == 0 && lo == 0 ? "a UUID VSIID must not be the nil UUID" : null;
        };
    }

    public static VsiId uuid(UUID uuid) {
        return new VsiId(VsiIdFormat.UUID, uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }

    public static VsiId uuid(String uuid) {
        return uuid(UUID.fromString(uuid));
    }

    public static VsiId mac(MacAddress mac) {
        return new VsiId(VsiIdFormat.MAC, 0, mac.value());
    }

    public static VsiId ipv4(Inet4Address address) {
        byte[] a = address.getAddress();
        long v = ((a[0] & 0xFFL) << 24) | ((a[1] & 0xFFL) << 16) | ((a[2] & 0xFFL) << 8) | (a[3] & 0xFFL);
        return new VsiId(VsiIdFormat.IPV4, 0, 0xFFFF_0000_0000L | v);
    }

    public static VsiId ipv6(Inet6Address address) {
        byte[] a = address.getAddress();
        return new VsiId(VsiIdFormat.IPV6, longAt(a, 0), longAt(a, 8));
    }

    public static VsiId local(byte[] sixteen) {
        if (sixteen.length != 16) {
            throw new IllegalArgumentException("a VSIID has 16 octets");
        }
        return new VsiId(VsiIdFormat.LOCAL, longAt(sixteen, 0), longAt(sixteen, 8));
    }

    public byte[] toBytes() {
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (hi >>> (56 - 8 * i));
            out[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return out;
    }

    public MacAddress asMac() {
        return format == VsiIdFormat.MAC ? new MacAddress(lo) : null;
    }

    public UUID asUuid() {
        return new UUID(hi, lo);
    }

    public InetAddress asInetAddress() {
        try {
            return switch (format) {
                case IPV4 -> InetAddress.getByAddress(new byte[] {
                    (byte) (lo >>> 24), (byte) (lo >>> 16), (byte) (lo >>> 8), (byte) lo});
                case IPV6 -> Inet6Address.getByAddress(null, toBytes(), -1);
                default -> null;
            };
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return switch (format) {
            case UUID -> asUuid().toString();
            case MAC -> asMac().toString();
            case IPV4, IPV6 -> IpText.format(asInetAddress());
            case LOCAL -> java.util.HexFormat.of().formatHex(toBytes());
        };
    }

    static long longAt(byte[] a, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (a[off + i] & 0xFFL);
        }
        return v;
    }
}
