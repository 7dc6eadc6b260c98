package org.splitnve.wire.vdp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.splitnve.wire.MacAddress;

/**
 * One address of a TSI (RFC 8394 REQ-10, GAP-10, ID-3, ID-4): a MAC address, or an IPv4 or IPv6
 * address or prefix, optionally bound to a MAC and to a VN (GroupID).
 *
 * <p>{@code ip} null means a MAC entry: {@code mac} is then the address itself and the prefix
 * length is 48. {@code groupId} null means "the TSI's VN".
 */
public record TsiAddress(InetAddress ip, int prefixLength, MacAddress mac, Integer groupId) {

    public TsiAddress {
        if (ip == null) {
            if (mac == null || !mac.isValidUnicast() || prefixLength != 48) {
                throw new IllegalArgumentException("a MAC entry needs a unicast MAC and prefix length 48");
            }
        } else {
            int max = ip instanceof Inet4Address ? 32 : 128;
            if (prefixLength < 0 || prefixLength > max) {
                throw new IllegalArgumentException("prefix length " + prefixLength + " out of 0.." + max);
            }
            if (mac != null && !mac.isValidUnicast()) {
                throw new IllegalArgumentException("a bound MAC must be unicast and not zero: " + mac);
            }
            if (ip instanceof Inet6Address v6 && v6.getScopeId() != 0) {
                throw new IllegalArgumentException("a TSI address carries no IPv6 scope");
            }
        }
    }

    public static TsiAddress mac(MacAddress mac) {
        return new TsiAddress(null, 48, mac, null);
    }

    public static TsiAddress host(InetAddress ip) {
        return new TsiAddress(ip, ip instanceof Inet4Address ? 32 : 128, null, null);
    }

    public static TsiAddress host(InetAddress ip, MacAddress mac) {
        return new TsiAddress(ip, ip instanceof Inet4Address ? 32 : 128, mac, null);
    }

    public static TsiAddress prefix(InetAddress ip, int prefixLength) {
        return new TsiAddress(ip, prefixLength, null, null);
    }

    public TsiAddress inVn(int groupId) {
        return new TsiAddress(ip, prefixLength, mac, groupId);
    }

    /** Family code on the wire: 1 MAC, 4 IPv4, 6 IPv6. */
    public int family() {
        return ip == null ? 1 : ip instanceof Inet4Address ? 4 : 6;
    }

    /** Octets on the wire. */
    public int encodedLength() {
        int len = 3 + switch (family()) {
            case 1 -> 6;
            case 4 -> 4;
            default -> 16;
        };
        if (ip != null && mac != null) {
            len += 6;
        }
        if (groupId != null) {
            len += 4;
        }
        return len;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (ip == null) {
            sb.append("MAC ").append(mac);
        } else {
            sb.append(ip.getHostAddress()).append('/').append(prefixLength);
            if (mac != null) {
                sb.append(" MAC ").append(mac);
            }
        }
        if (groupId != null) {
            sb.append(" VN ").append(Integer.toUnsignedLong(groupId));
        }
        return sb.toString();
    }
}
