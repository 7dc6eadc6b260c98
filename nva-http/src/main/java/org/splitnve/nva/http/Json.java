package org.splitnve.nva.http;

import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Strict reading of one JSON object of the protocol: each member is taken by name and type, and {@link #done()}
 * refuses the members nobody took. Every mistake is an {@link NvaJson.Bad} naming the member
 * ({@code events[2].resource.value.port}).
 */
final class Json {
    private final JsonNode node;
    private final String path;
    private final Set<String> taken = new HashSet<>();

    private Json(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    static Json object(JsonNode node, String path) throws NvaJson.Bad {
        if (node == null || !node.isObject()) {
            throw new NvaJson.Bad(path, "expected an object {...}" + found(node));
        }
        return new Json(node, path);
    }

    String at(String name) {
        return path.isEmpty() ? name : name.isEmpty() ? path : path + "." + name;
    }

    boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    JsonNode raw(String name) throws NvaJson.Bad {
        taken.add(name);
        JsonNode v = node.get(name);
        if (v == null) {
            throw new NvaJson.Bad(at(name), "required");
        }
        return v;
    }

    /** The member, or null when absent or null. */
    JsonNode optional(String name) {
        taken.add(name);
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    Json obj(String name) throws NvaJson.Bad {
        return object(raw(name), at(name));
    }

    String string(String name) throws NvaJson.Bad {
        JsonNode v = raw(name);
        if (!v.isString()) {
            throw new NvaJson.Bad(at(name), "expected a string" + found(v));
        }
        return v.asString();
    }

    String optionalString(String name) throws NvaJson.Bad {
        JsonNode v = optional(name);
        if (v == null) {
            return null;
        }
        if (!v.isString()) {
            throw new NvaJson.Bad(at(name), "expected a string" + found(v));
        }
        return v.asString();
    }

    boolean bool(String name) throws NvaJson.Bad {
        JsonNode v = raw(name);
        if (!v.isBoolean()) {
            throw new NvaJson.Bad(at(name), "expected true or false" + found(v));
        }
        return v.asBoolean();
    }

    long integer(String name, long min, long max) throws NvaJson.Bad {
        return integer(raw(name), at(name), min, max);
    }

    static long integer(JsonNode v, String where, long min, long max) throws NvaJson.Bad {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new NvaJson.Bad(where, "expected an integer " + min + ".." + max + found(v));
        }
        long n = v.asLong();
        if (n < min || n > max) {
            throw new NvaJson.Bad(where, "expected an integer " + min + ".." + max + ", found " + n);
        }
        return n;
    }

    List<JsonNode> list(String name) throws NvaJson.Bad {
        JsonNode v = raw(name);
        if (!v.isArray()) {
            throw new NvaJson.Bad(at(name), "expected a list" + found(v));
        }
        return List.copyOf(v.values());
    }

    /** Refuses the members no one took. */
    void done() throws NvaJson.Bad {
        Iterator<String> names = node.propertyNames().iterator();
        while (names.hasNext()) {
            String n = names.next();
            if (!taken.contains(n)) {
                throw new NvaJson.Bad(at(n), "unknown member (known: " + String.join(", ", new java.util.TreeSet<>(taken))
                        + ")");
            }
        }
    }

    static String found(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "";
        }
        if (v.isString()) {
            return ", found a string";
        }
        if (v.isNumber()) {
            return ", found a number";
        }
        if (v.isBoolean()) {
            return ", found true or false";
        }
        if (v.isNull()) {
            return ", found null";
        }
        if (v.isArray()) {
            return ", found a list";
        }
        return v.isObject() ? ", found an object" : "";
    }
}
