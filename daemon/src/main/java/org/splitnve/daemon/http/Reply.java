package org.splitnve.daemon.http;

import java.io.IOException;

/** What a handler answers: JSON (a record, a list of them, or a tree, written by Jackson), text, metrics, or the event stream. */
public sealed interface Reply {
    record JsonReply(int status, Object body) implements Reply {}

    record Text(int status, String contentType, String body) implements Reply {}

    /** {@code GET /metrics}: the server writes them in the format the scraper's {@code Accept} header asks for. */
    record MetricsReply(io.prometheus.metrics.model.snapshots.MetricSnapshots metrics) implements Reply {}

    /** {@code GET /v1/events}: the server streams events from the log until the client goes. */
    record Stream() implements Reply {}

    /**
     * A stream of JSON lines ({@code application/x-ndjson}, chunked, each line flushed): the server runs the writer
     * on the request's virtual thread until it returns, the client goes, or the server stops (the thread is then
     * interrupted). The NVA's list and watch (docs/nva-protocol.md section 2).
     */
    record Lines(LineWriter writer) implements Reply {}

    /** Writes the lines of one stream. */
    @FunctionalInterface
    interface LineWriter {
        void write(LineSink sink) throws IOException, InterruptedException;
    }

    /** Where a {@link LineWriter} writes: one JSON object per call, sent at once. */
    @FunctionalInterface
    interface LineSink {
        void line(String json) throws IOException;
    }

    static Reply ok(Object body) {
        return new JsonReply(200, body);
    }
}
