package org.splitnve.daemon.http;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.splitnve.api.Bodies;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * The checks of request bodies' values, once Jackson has read a body into its record ({@link Bodies}): every
 * wrong member is a 400 naming it ({@code tsis[0].mac}). Members a record does not declare, and members of
 * another JSON type, were refused while reading ({@link Request#body}).
 */
final class Fields {
    private Fields() {
    }

    static String path(String where, String name) {
        return where.isEmpty() ? name : where + "." + name;
    }

    /** A string member: the value, null when absent and not required, a 400 when required and absent. */
    static String string(String value, String field, boolean required) throws ApiError {
        if (value == null && required) {
            throw ApiError.badRequest(field + ": required");
        }
        return value;
    }

    static boolean bool(Boolean value, boolean dflt) {
        return value == null ? dflt : value;
    }

    static long integer(Long value, String field, long min, long max) throws ApiError {
        if (value == null) {
            throw ApiError.badRequest(field + ": required");
        }
        if (value < min || value > max) {
            throw ApiError.badRequest(field + ": expected an integer " + min + ".." + max);
        }
        return value;
    }

    static UUID uuid(String value, String field, boolean required) throws ApiError {
        String s = string(value, field, required);
        return s == null ? null : uuid(s, field);
    }

    static UUID uuid(String s, String field) throws ApiError {
        if (!s.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")) {
            throw ApiError.badRequest(field + ": '" + clip(s) + "' is not a UUID (8-4-4-4-12 hex digits)");
        }
        UUID u = UUID.fromString(s);
        if (u.getMostSignificantBits() == 0 && u.getLeastSignificantBits() == 0) {
            throw ApiError.badRequest(field + ": the nil UUID is not an identifier");
        }
        return u;
    }

    static MacAddress mac(String value, String field) throws ApiError {
        String s = string(value, field, true);
        MacAddress m = mac(s);
        if (m == null || !m.isValidUnicast()) {
            throw ApiError.badRequest(field + ": '" + clip(s) + "' is not a unicast MAC address"
                    + " (aa:bb:cc:dd:ee:ff, first octet even, not all zeros)");
        }
        return m;
    }

    /** A MAC address, or null. */
    static MacAddress mac(String s) {
        try {
            return MacAddress.parse(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code ["192.0.2.1", "2001:db8::/64"]}: host addresses or prefixes; absent = empty. */
    static List<TsiAddress> ips(List<String> items, String field, boolean required) throws ApiError {
        if (items == null) {
            if (required) {
                throw ApiError.badRequest(field + ": required (a list of IP addresses)");
            }
            return List.of();
        }
        // an ordered set: a long list costs linear time (SEC-6), a repeated address counts once
        Set<TsiAddress> out = new LinkedHashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String s = items.get(i);
            String f = field + "[" + i + "]";
            if (s == null) {
                throw ApiError.badRequest(f + ": expected a string (an IP address)");
            }
            out.add(ip(s, f));
        }
        return List.copyOf(out);
    }

    /** An IP address or prefix ("ADDR/LEN"), read by the one parser of the CLI, the API and the hook (OPS-3). */
    static TsiAddress ip(String s, String field) throws ApiError {
        try {
            return TsiAddress.parse(s);
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest(field + ": " + e.getMessage());
        }
    }

    /** How the API writes an IP address: "192.0.2.1", "2001:db8::1" (RFC 5952), "192.0.2.0/24" for a prefix. */
    static String ipText(TsiAddress a) {
        return a.ipText();
    }

    static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
