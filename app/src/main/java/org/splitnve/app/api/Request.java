package org.splitnve.app.api;

import java.util.Map;
import org.splitnve.app.json.Json;

/** One request as a handler sees it: method, path, path parameters and the body's text. */
public record Request(String method, String path, Map<String, String> params, String body, String remote) {
    public String param(String name) {
        return params.get(name);
    }

    /** The body as a JSON object; an empty body is {@code {}}. Anything else is a 400. */
    public Json.Obj json() throws ApiError {
        if (body == null || body.isBlank()) {
            return new Json.Obj(Map.of());
        }
        Json v;
        try {
            v = Json.parse(body);
        } catch (Json.JsonException e) {
            throw ApiError.badRequest("the body is not JSON: " + e.getMessage());
        }
        if (!(v instanceof Json.Obj o)) {
            throw ApiError.badRequest("the body is a JSON object {...}");
        }
        return o;
    }
}
