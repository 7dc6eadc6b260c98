package org.splitnve.app.api;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.splitnve.app.json.Json;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * Typed reading of request bodies: every wrong member is a 400 naming it ({@code tsis[0].mac}).
 * Unknown members are refused too, so a misspelt one does not pass unnoticed.
 */
final class Fields {
    private Fields() {
    }

    static void known(Json.Obj o, String where, String... names) throws ApiError {
        Set<String> ok = Set.of(names);
        for (String k : o.members().keySet()) {
            if (!ok.contains(k)) {
                throw ApiError.badRequest(path(where, k) + ": unknown member (known: " + String.join(", ", names) + ")");
            }
        }
    }

    static String path(String where, String name) {
        return where.isEmpty() ? name : where + "." + name;
    }

    static Json.Obj object(Json v, String field) throws ApiError {
        if (v instanceof Json.Obj o) {
            return o;
        }
        throw ApiError.badRequest(field + ": expected an object {...}");
    }

    static String string(Json.Obj o, String where, String name, boolean required) throws ApiError {
        Json v = o.get(name);
        if (v == Json.Null.NULL) {
            if (required) {
                throw ApiError.badRequest(path(where, name) + ": required");
            }
            return null;
        }
        if (v.asString() == null) {
            throw ApiError.badRequest(path(where, name) + ": expected a string");
        }
        return v.asString();
    }

    static boolean bool(Json.Obj o, String where, String name, boolean dflt) throws ApiError {
        Json v = o.get(name);
        if (v == Json.Null.NULL) {
            return dflt;
        }
        if (v.asBoolean() == null) {
            throw ApiError.badRequest(path(where, name) + ": expected true or false");
        }
        return v.asBoolean();
    }

    static long integer(Json.Obj o, String where, String name, long min, long max) throws ApiError {
        Json v = o.get(name);
        if (v == Json.Null.NULL) {
            throw ApiError.badRequest(path(where, name) + ": required");
        }
        Long l = v.asLong(min, max);
        if (l == null) {
            throw ApiError.badRequest(path(where, name) + ": expected an integer " + min + ".." + max);
        }
        return l;
    }

    static UUID uuid(Json.Obj o, String where, String name, boolean required) throws ApiError {
        String s = string(o, where, name, required);
        return s == null ? null : uuid(s, path(where, name));
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

    static MacAddress mac(Json.Obj o, String where, String name) throws ApiError {
        String s = string(o, where, name, true);
        MacAddress m = mac(s);
        if (m == null || !m.isValidUnicast()) {
            throw ApiError.badRequest(path(where, name) + ": '" + clip(s) + "' is not a unicast MAC address"
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
    static List<TsiAddress> ips(Json.Obj o, String where, String name, boolean required) throws ApiError {
        Json v = o.get(name);
        String field = path(where, name);
        if (v == Json.Null.NULL) {
            if (required) {
                throw ApiError.badRequest(field + ": required (a list of IP addresses)");
            }
            return List.of();
        }
        List<Json> items = v.asList();
        if (items == null) {
            throw ApiError.badRequest(field + ": expected a list of IP addresses");
        }
        // an ordered set: a long list costs linear time (SEC-6), a repeated address counts once
        Set<TsiAddress> out = new LinkedHashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String s = items.get(i).asString();
            String f = field + "[" + i + "]";
            if (s == null) {
                throw ApiError.badRequest(f + ": expected a string (an IP address)");
            }
            TsiAddress a = ip(s, f);
            out.add(a);
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
