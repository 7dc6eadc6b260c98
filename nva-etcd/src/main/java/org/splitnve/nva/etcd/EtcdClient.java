package org.splitnve.nva.etcd;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import org.splitnve.nva.service.store.StoreException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A small client of etcd's v3 API through its JSON gateway ({@code POST /v3/kv/range}, {@code /v3/kv/txn},
 * {@code /v3/watch}...; etcd 3.4 serves it on every client URL). Keys and values are bytes, base64 in the JSON;
 * 64-bit numbers are strings.
 *
 * <p>A call goes to the current endpoint; on a connection failure, a timeout or an "unavailable" answer (no
 * leader, the member is stopping) it moves to the next endpoint and tries again until {@link #deadline}. A
 * transaction whose answer was lost may have been committed: callers guard every transaction with a compare, so
 * that trying it again is refused rather than applied twice. Thread-safe.
 */
final class EtcdClient implements AutoCloseable {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final List<URI> endpoints;
    private final HttpClient http;
    private final Duration callTimeout;
    private final Duration deadline;
    private volatile int current;

    EtcdClient(List<URI> endpoints, Duration callTimeout, Duration deadline) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("etcd needs at least one endpoint");
        }
        this.endpoints = List.copyOf(endpoints);
        this.callTimeout = Objects.requireNonNull(callTimeout);
        this.deadline = Objects.requireNonNull(deadline);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(callTimeout).build();
    }

    List<URI> endpoints() {
        return endpoints;
    }

    // ------------------------------------------------------------------ bytes in JSON

    static String b64(byte[] b) {
        return B64.encodeToString(b);
    }

    static String b64(String s) {
        return b64(s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] bytes(JsonNode n) {
        return n == null || n.isNull() ? new byte[0] : B64D.decode(n.asString());
    }

    static String text(JsonNode n) {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    static long num(JsonNode n) {
        return n == null || n.isNull() ? 0 : Long.parseLong(n.asString());
    }

    /** The end of the range of keys starting with {@code prefix} (etcd's range_end for a prefix). */
    static byte[] prefixEnd(byte[] prefix) {
        byte[] end = prefix.clone();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return java.util.Arrays.copyOf(end, i + 1);
            }
        }
        return new byte[] {0};
    }

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static ArrayNode array() {
        return JSON.createArrayNode();
    }

    // ------------------------------------------------------------------ calls

    /** One unary call ({@code path} like {@code /v3/kv/range}), failing over between endpoints until the deadline. */
    JsonNode call(String path, JsonNode body) {
        long end = System.nanoTime() + deadline.toNanos();
        String text = JSON.writeValueAsString(body);
        List<String> failures = new ArrayList<>();
        int tries = 0;
        while (true) {
            int at = current;
            URI uri = endpoints.get(at).resolve(path);
            try {
                HttpRequest req = HttpRequest.newBuilder(uri).timeout(callTimeout)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(text)).build();
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                JsonNode answer = JSON.readTree(r.body());
                if (r.statusCode() == 200 && !answer.has("error")) {
                    return answer;
                }
                String error = answer.path("error").asString(answer.path("message").asString("HTTP " + r.statusCode()));
                if (!retryable(r.statusCode(), answer.path("code").asInt(-1), error)) {
                    throw new StoreException("etcd " + uri + ": " + error);
                }
                failures.add(uri.getAuthority() + ": " + error);
            } catch (IOException | JacksonException e) {
                failures.add(uri.getAuthority() + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while calling etcd " + uri, e);
            }
            if (current == at) {
                current = (at + 1) % endpoints.size();
            }
            tries++;
            if (System.nanoTime() - end > 0) {
                throw new StoreException("etcd did not answer " + path + " within " + deadline.toMillis() + " ms ("
                        + tries + " tries): " + failures.subList(Math.max(0, failures.size() - 3), failures.size()));
            }
            if (tries % endpoints.size() == 0) {
                try {
                    Thread.sleep(Math.min(200, 25L * tries)); // every member refused: an election may be under way
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("interrupted while calling etcd", e);
                }
            }
        }
    }

    /** gRPC codes through the gateway: 14 unavailable (no leader, stopping), 4 deadline exceeded (timed out). */
    private static boolean retryable(int status, int code, String error) {
        return status >= 500 || code == 14 || code == 4 || error.contains("no leader")
                || error.contains("timed out") || error.contains("leader changed") || error.contains("stopped");
    }

    /** A range read: the key, or every key from {@code key} to {@code rangeEnd}; linearizable. */
    JsonNode range(byte[] key, byte[] rangeEnd, long limit, long revision) {
        ObjectNode b = object().put("key", b64(key));
        if (rangeEnd != null) {
            b.put("range_end", b64(rangeEnd));
        }
        if (limit > 0) {
            b.put("limit", Long.toString(limit));
        }
        if (revision > 0) {
            b.put("revision", Long.toString(revision));
        }
        return call("/v3/kv/range", b);
    }

    JsonNode txn(ObjectNode txn) {
        return call("/v3/kv/txn", txn);
    }

    /** Compacts etcd's own history (not the NVA's log) up to {@code revision}. */
    void compact(long revision) {
        call("/v3/kv/compaction", object().put("revision", Long.toString(revision)).put("physical", true));
    }

    // ------------------------------------------------------------------ the watch stream

    /**
     * Opens a watch stream on the current endpoint (no failover here: the caller re-creates it). Each line of the
     * returned stream is one JSON watch response. {@code hasleader} asks etcd to cancel the watch when its member
     * loses the leader, instead of keeping it open and silent.
     */
    InputStream watch(ObjectNode createRequest) throws IOException, InterruptedException {
        int at = current;
        URI uri = endpoints.get(at).resolve("/v3/watch");
        HttpRequest req = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header("Grpc-Metadata-hasleader", "true")
                .POST(HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(object().set("create_request", createRequest)))).build();
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) {
                r.body().close();
                throw new IOException(uri + " answered the watch with HTTP " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            if (current == at) {
                current = (at + 1) % endpoints.size();
            }
            throw e;
        }
    }

    /** Moves to the next endpoint (the watch's member went silent or away). */
    void skipEndpoint() {
        current = (current + 1) % endpoints.size();
    }

    @Override
    public void close() {
        http.shutdownNow(); // a watch stream never completes by itself: close() would wait for it
    }
}
