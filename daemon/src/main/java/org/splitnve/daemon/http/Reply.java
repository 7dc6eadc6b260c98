package org.splitnve.daemon.http;

/** What a handler answers: JSON (a record, a list of them, or a tree, written by Jackson), text, metrics, or the event stream. */
public sealed interface Reply {
    record JsonReply(int status, Object body) implements Reply {}

    record Text(int status, String contentType, String body) implements Reply {}

    /** {@code GET /metrics}: the server writes them in the format the scraper's {@code Accept} header asks for. */
    record MetricsReply(io.prometheus.metrics.model.snapshots.MetricSnapshots metrics) implements Reply {}

    /** {@code GET /v1/events}: the server streams events from the log until the client goes. */
    record Stream() implements Reply {}

    static Reply ok(Object body) {
        return new JsonReply(200, body);
    }
}
