package org.splitnve.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address text, both ways, without a name lookup: the one parser and printer of the addresses an
 * operator types (CLI), sends (HTTP API) or writes in a domain's metadata (libvirt hook), OPS-3.
 *
 * <ul>
 *   <li>IPv4: dotted quad, four decimal octets 0..255 without leading zeros ({@code 192.0.2.1}; {@code 010.0.0.1}
 *       is refused: some tools read it as octal).</li>
 *   <li>IPv6: RFC 4291 section 2.2 text: up to eight groups of 1..4 hex digits (any case), at most one
 *       {@code ::}, optionally ending in a dotted quad ({@code ::ffff:192.0.2.1}); no zone ({@code %eth0}),
 *       no brackets. It stays an IPv6 address, IPv4-mapped or not (the JDK would turn {@code ::ffff:a.b.c.d}
 *       into an IPv4 address).</li>
 * </ul>
 *
 * <p>Printing is canonical: IPv4 as a dotted quad; IPv6 in RFC 5952 form (lower case, no leading zeros in a
 * group, the longest run of two or more zero groups, the first of equal runs, as {@code ::}, and IPv4-mapped
 * addresses as {@code ::ffff:a.b.c.d}, RFC 5952 section 5). Parsing then printing gives the same text for
 * every way of writing one address.
 */
public final class IpText {
    /** The longest literal accepted: a full IPv6 address with a trailing dotted quad has 45 characters. */
    public static final int MAX_LITERAL = 45;

    private IpText() {
    }

    /** Parses an IPv4 or IPv6 literal; throws {@link IllegalArgumentException} saying what is wrong. */
    public static InetAddress parse(String s) {
        if (s == null || s.isEmpty()) {
            throw new IllegalArgumentException("empty");
        }
        if (s.length() > MAX_LITERAL) {
            throw new IllegalArgumentException("longer than any IP address (" + s.length() + " characters, at most "
                    + MAX_LITERAL + ")");
        }
        byte[] b = s.indexOf(':') < 0 ? v4(s) : v6(s);
        try {
            return b.length == 4 ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
    }

    /** Parses an IPv4 or IPv6 literal, or returns null. */
    public static InetAddress parseOrNull(String s) {
        try {
            return parse(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] v4(String s) {
        byte[] b = new byte[4];
        if (!quad(s, b, 0)) {
            throw new IllegalArgumentException("an IPv4 address is four decimal octets 0..255 without leading zeros,"
                    + " e.g. 192.0.2.1");
        }
        return b;
    }

    /** Reads a dotted quad into {@code out[at..at+3]}; false when {@code s} is not one. */
    private static boolean quad(String s, byte[] out, int at) {
        int octet = 0;
        int digits = 0;
        int n = 0;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '.';
            if (c == '.') {
                if (digits == 0 || n == 4) {
                    return false;
                }
                out[at + n++] = (byte) octet;
                octet = 0;
                digits = 0;
            } else if (c >= '0' && c <= '9') {
                if (digits == 1 && octet == 0) {
                    return false; // a leading zero
                }
                octet = octet * 10 + (c - '0');
                if (++digits > 3 || octet > 255) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return n == 4;
    }

    private static byte[] v6(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                throw new IllegalArgumentException("a zone (%" + s.substring(i + 1) + ") has no meaning here");
            }
            if (c != ':' && c != '.' && hex(c) < 0) {
                throw new IllegalArgumentException("'" + c + "' is neither a hex digit nor ':' nor '.'");
            }
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            throw new IllegalArgumentException("'::' may stand once");
        }
        byte[] b = new byte[16];
        if (gap < 0) {
            int n = groups(s, b, true);
            if (n != 16) {
                throw new IllegalArgumentException("an IPv6 address has eight groups (or '::' for a run of zeros),"
                        + " found " + n / 2);
            }
            return b;
        }
        int front = groups(s.substring(0, gap), b, false);
        byte[] t = new byte[16];
        int back = groups(s.substring(gap + 2), t, true);
        if (front + back > 14) {
            throw new IllegalArgumentException("'::' stands for at least one zero group, but there are "
                    + (front + back) / 2 + " groups besides");
        }
        System.arraycopy(t, 0, b, 16 - back, back);
        return b;
    }

    /**
     * Reads {@code part} (groups separated by ':', the last one possibly a dotted quad when {@code quadLast})
     * into {@code out} from octet 0; returns the number of octets written.
     */
    private static int groups(String part, byte[] out, boolean quadLast) {
        if (part.isEmpty()) {
            return 0;
        }
        String[] g = part.split(":", -1);
        int n = 0;
        for (int i = 0; i < g.length; i++) {
            String x = g[i];
            if (x.indexOf('.') >= 0) {
                if (i != g.length - 1 || !quadLast || n + 4 > 16 || !quad(x, out, n)) {
                    throw new IllegalArgumentException("'" + x + "' is not a dotted quad ending an IPv6 address");
                }
                n += 4;
                continue;
            }
            if (x.isEmpty() || x.length() > 4) {
                throw new IllegalArgumentException(x.isEmpty() ? "an empty group (a lone ':')"
                        : "'" + x + "' is not a group of 1 to 4 hex digits");
            }
            if (n + 2 > 16) {
                throw new IllegalArgumentException("more than eight groups");
            }
            int v = 0;
            for (int k = 0; k < x.length(); k++) {
                v = v << 4 | hex(x.charAt(k));
            }
            out[n++] = (byte) (v >>> 8);
            out[n++] = (byte) v;
        }
        return n;
    }

    /** An ASCII hex digit's value, else -1 (Character.digit also takes other scripts' digits). */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** The canonical text: a dotted quad, or IPv6 in RFC 5952 form. */
    public static String format(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xFFFF) {
            // RFC 5952 section 5: an IPv4-mapped address ends in its dotted quad
            return "::ffff:" + (b[12] & 0xFF) + "." + (b[13] & 0xFF) + "." + (b[14] & 0xFF) + "." + (b[15] & 0xFF);
        }
        int best = -1;
        int bestLen = 1; // a single zero group is not shortened (RFC 5952 section 4.2.2)
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                best = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == best) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
