package org.splitnve.daemon.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.splitnve.api.Bodies;
import org.splitnve.api.JsonCodec;
import tools.jackson.databind.JsonNode;

/** A small HTTP client for the tests: one daemon's API, optionally with a bearer token. */
final class Http {
    static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Answer(int status, String contentType, String text, HttpResponse<String> response) {
        JsonNode json() {
            try {
                return JsonCodec.tree(text);
            } catch (JsonCodec.Invalid e) {
                throw new AssertionError("not JSON (" + e.getMessage() + "): " + text, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }

    private final String base;
    private final String token;

    Http(InetSocketAddress a, String token) {
        String host = a.getAddress().getHostAddress();
        this.base = "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
        this.token = token;
    }

    Http(InetSocketAddress a) {
        this(a, null);
    }

    String base() {
        return base;
    }

    Http withToken(String t) {
        return new Http(address(), t);
    }

    private InetSocketAddress address() {
        URI u = URI.create(base);
        return new InetSocketAddress(u.getHost().replace("[", "").replace("]", ""), u.getPort());
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    Answer get(String path) {
        return send(request(path).GET().build());
    }

    Answer post(String path, String body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** POST of a record (one of {@link Bodies}) or a tree, written by Jackson. */
    Answer post(String path, Object body) {
        return post(path, JsonCodec.write(body));
    }

    Answer send(String method, String path, String body) {
        HttpRequest.Builder b = request(path);
        if (body != null && !body.isEmpty()) {
            b.header("Content-Type", "application/json"); // SEC-8: a body is JSON
        }
        return send(b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build());
    }

    Answer send(HttpRequest r) {
        try {
            HttpResponse<String> resp = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
            return new Answer(resp.statusCode(), resp.headers().firstValue("Content-Type").orElse(""), resp.body(), resp);
        } catch (IOException e) {
            throw new AssertionError(r.method() + " " + r.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
