package org.splitnve.app.daemon;

import java.io.PrintStream;
import java.time.Instant;
import org.splitnve.app.config.LogSettings;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.EventFormat;
import org.splitnve.protocol.event.EventSink;

/**
 * A daemon's log (SEC-3): one line per event, logfmt or one JSON object a line ({@link EventFormat}),
 * with the wall-clock time (Unix seconds) and the node's name; events below the configured level are
 * dropped. Safe to call from any thread (the engine's, the shutdown hook's).
 */
public final class EventLog implements EventSink {
    private final String node;
    private final LogSettings settings;
    private final PrintStream out;

    public EventLog(String node, LogSettings settings, PrintStream out) {
        this.node = node;
        this.settings = settings;
        this.out = out;
    }

    @Override
    public void accept(Event e) {
        if (e.level().ordinal() < settings.level().ordinal()) {
            return;
        }
        Instant now = Instant.now();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        String line = settings.json() ? EventFormat.json(nanos, node, e) : EventFormat.logfmt(nanos, node, e);
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
