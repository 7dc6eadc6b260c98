package org.splitnve.app.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address literals, parsed without a name lookup: dotted-quad IPv4 ({@code 192.0.2.1}, no leading
 * zeros) and IPv6 text ({@code 2001:db8::1}, no zone). Total: an address or null.
 */
public final class IpLiteral {
    private IpLiteral() {
    }

    public static InetAddress parse(String s) {
        if (s == null || s.isEmpty() || s.length() > 45) {
            return null;
        }
        if (s.indexOf(':') < 0) {
            return v4(s);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
                return null;
            }
        }
        try {
            // In brackets the JDK parses a literal and never looks the name up.
            InetAddress a = InetAddress.getByName("[" + s + "]");
            return a instanceof java.net.Inet6Address ? a : null;
        } catch (UnknownHostException | RuntimeException e) {
            return null;
        }
    }

    private static InetAddress v4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            b[i] = (byte) v;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
