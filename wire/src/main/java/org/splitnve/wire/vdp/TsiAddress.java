package org.splitnve.wire.vdp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.splitnve.wire.Hashes;
import org.splitnve.wire.IpText;
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

    /** The record's fields, mixed ({@link Hashes}: addresses handed out in sequence must not share low bits). */
    @Override
    public int hashCode() {
        long h = Hashes.combine(0, ip == null ? 0 : ip.hashCode());
        h = Hashes.combine(h, prefixLength);
        h = Hashes.combine(h, mac == null ? -1 : mac.value());
        h = Hashes.combine(h, groupId == null ? -1 : groupId);
        return Hashes.mix(h);
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

    /**
     * OPS-3: the one parser of an IP address or prefix as operators write it, for the CLI, the HTTP API and
     * the libvirt hook alike: {@code 192.0.2.1}, {@code 2001:db8::1} (hosts), {@code 192.0.2.0/24},
     * {@code 2001:db8::/32} (prefixes, seed 004: load-balancer ranges; {@code /32} and {@code /128} are the
     * host). Literals as {@link IpText} reads them; the prefix length is decimal without leading zeros.
     *
     * @throws IllegalArgumentException "not an IP address: 'TEXT' (why)"
     */
    public static TsiAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("not an IP address: nothing given");
        }
        int slash = text.indexOf('/');
        String literal = slash < 0 ? text : text.substring(0, slash);
        InetAddress ip;
        try {
            ip = IpText.parse(literal);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not an IP address: '" + clip(text) + "' (" + e.getMessage()
                    + "; write e.g. 192.0.2.1, 2001:db8::1, 192.0.2.0/24 or 2001:db8::/32)");
        }
        if (slash < 0) {
            return host(ip);
        }
        int max = ip instanceof Inet4Address ? 32 : 128;
        String len = text.substring(slash + 1);
        boolean digits = !len.isEmpty() && len.length() <= 3 && len.chars().allMatch(c -> c >= '0' && c <= '9')
                && (len.length() == 1 || len.charAt(0) != '0');
        if (!digits || Integer.parseInt(len) > max) {
            throw new IllegalArgumentException("not an IP address: '" + clip(text) + "' (the prefix length after '/'"
                    + " is a number 0.." + max + ")");
        }
        return prefix(ip, Integer.parseInt(len));
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    /**
     * An IP entry as operators read it: {@code 192.0.2.1}, {@code 2001:db8::1} (RFC 5952), with
     * {@code /LEN} for a prefix; what {@link #parse} reads back to the same address. Null for a MAC entry.
     */
    public String ipText() {
        if (ip == null) {
            return null;
        }
        String host = IpText.format(ip);
        return prefixLength == (ip instanceof Inet4Address ? 32 : 128) ? host : host + "/" + prefixLength;
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
            sb.append(IpText.format(ip)).append('/').append(prefixLength);
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
