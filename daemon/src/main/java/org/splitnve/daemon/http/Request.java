package org.splitnve.daemon.http;

import java.util.Map;
import org.splitnve.api.Bodies;
import org.splitnve.api.JsonCodec;
import tools.jackson.databind.JsonNode;

/**
 * One request as a handler sees it: method, path, path parameters, the body's text, the caller's address, the
 * query string (raw, null when none) and the principal its {@link ApiServer.Access} admitted (null when the
 * server checks one token for every route).
 */
public record Request(String method, String path, Map<String, String> params, String body, String remote,
        String query, String principal) {
    public Request(String method, String path, Map<String, String> params, String body, String remote) {
        this(method, path, params, body, remote, null, null);
    }

    /** A query parameter's decoded value (the first one), or null. */
    public String queryParam(String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (java.net.URLDecoder.decode(k, java.nio.charset.StandardCharsets.UTF_8).equals(name)) {
                return eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    public String param(String name) {
        return params.get(name);
    }

    /**
     * The body read as {@code type} (one of {@link Bodies}); an empty body is {@code {}}. A body that is not
     * JSON, not an object, or has a member the record does not declare or of another type is a 400 naming it.
     */
    public <T> T body(Class<T> type) throws ApiError {
        JsonNode v = tree();
        try {
            return JsonCodec.bind(v, type);
        } catch (JsonCodec.Invalid e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    /** Whether the body has this member, {@code null} or not (where a record cannot tell null from absent). */
    public boolean has(String member) throws ApiError {
        return tree().has(member);
    }

    private JsonNode tree() throws ApiError {
        JsonNode v;
        if (body == null || body.isBlank()) {
            v = JsonCodec.mapper().createObjectNode();
        } else {
            try {
                v = JsonCodec.tree(body);
            } catch (JsonCodec.Invalid e) {
                throw ApiError.badRequest("the body is not JSON: " + e.getMessage());
            }
        }
        if (!v.isObject()) {
            throw ApiError.badRequest("the body is a JSON object {...}");
        }
        return v;
    }
}
