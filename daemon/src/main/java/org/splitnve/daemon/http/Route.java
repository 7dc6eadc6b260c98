package org.splitnve.daemon.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One operation of the API: a method, a path pattern ({@code /v1/vms/{name}/start}: a {@code {param}}
 * matches one path segment), its handler and the largest request body it takes (413 beyond; {@link
 * ApiServer#MAX_BODY} unless the route says otherwise).
 */
public record Route(String method, String pattern, Handler handler, int maxBody) {
    public Route {
        if (maxBody < 0) {
            throw new IllegalArgumentException("a route's body limit is 0 or more octets, not " + maxBody);
        }
    }

    public Route(String method, String pattern, Handler handler) {
        this(method, pattern, handler, ApiServer.MAX_BODY);
    }

    /** The same route with another body limit (the NVA's reports: docs/nva-protocol.md section 13). */
    public Route withMaxBody(int octets) {
        return new Route(method, pattern, handler, octets);
    }

    /** Answers one request; refusals are {@link ApiError}s. Runs on an HTTP thread, never the engine's. */
    @FunctionalInterface
    public interface Handler {
        Reply handle(Request r) throws ApiError;
    }

    public static Route get(String pattern, Handler h) {
        return new Route("GET", pattern, h);
    }

    public static Route post(String pattern, Handler h) {
        return new Route("POST", pattern, h);
    }

    public static Route delete(String pattern, Handler h) {
        return new Route("DELETE", pattern, h);
    }

    /** The path parameters when {@code path} (already split in segments) fits the pattern, else null. */
    Map<String, String> match(List<String> segments) {
        List<String> parts = segments(pattern);
        if (parts.size() != segments.size()) {
            return null;
        }
        Map<String, String> params = new java.util.LinkedHashMap<>();
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            if (p.startsWith("{") && p.endsWith("}")) {
                if (segments.get(i).isEmpty()) {
                    return null;
                }
                params.put(p.substring(1, p.length() - 1), segments.get(i));
            } else if (!p.equals(segments.get(i))) {
                return null;
            }
        }
        return params;
    }

    /** "/v1/vms/x" -> [v1, vms, x]; a trailing slash is not a segment. */
    static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/", -1)) {
            out.add(s);
        }
        if (!out.isEmpty() && out.getFirst().isEmpty()) {
            out.removeFirst();
        }
        if (out.size() > 1 && out.getLast().isEmpty()) {
            out.removeLast();
        }
        return out;
    }
}
