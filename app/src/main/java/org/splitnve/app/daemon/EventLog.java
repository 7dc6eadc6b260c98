package org.splitnve.app.daemon;

import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.splitnve.app.config.LogSettings;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.EventFormat;
import org.splitnve.protocol.event.EventSink;

/**
 * A daemon's log (SEC-3): one line per event, logfmt or one JSON object a line ({@link EventFormat}),
 * with the wall-clock time (RFC 3339, UTC, microseconds) and the node's name; events below the configured level are
 * dropped. Every event, of any level, also goes to the {@link Tap}s (the API's metrics and event
 * stream) first. Safe to call from any thread (the engine's, the API's, the shutdown hook's).
 */
public final class EventLog implements EventSink {
    /** Sees every event with its wall-clock time (Unix nanoseconds); must not block. */
    @FunctionalInterface
    public interface Tap {
        void event(long atNanos, Event e);
    }

    private final String node;
    /** Replaced by a configuration reload (OPS-5); read by every thread that logs. */
    private volatile LogSettings settings;
    private final PrintStream out;
    private final List<Tap> taps = new CopyOnWriteArrayList<>();

    public EventLog(String node, LogSettings settings, PrintStream out) {
        this.node = node;
        this.settings = settings;
        this.out = out;
    }

    public String node() {
        return node;
    }

    public LogSettings settings() {
        return settings;
    }

    /** OPS-5: the level and format from now on (a configuration reload). */
    public void setSettings(LogSettings s) {
        this.settings = java.util.Objects.requireNonNull(s, "settings");
    }

    /** Whether an event of this level is logged (and so streamed). */
    public boolean logs(Event.Level level) {
        return level.ordinal() >= settings.level().ordinal();
    }

    public void addTap(Tap t) {
        taps.add(t);
    }

    public void removeTap(Tap t) {
        taps.remove(t);
    }

    @Override
    public void accept(Event e) {
        boolean logged = logs(e.level());
        if (!logged && taps.isEmpty()) {
            return;
        }
        Instant now = Instant.now();
        long nanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        for (Tap t : taps) {
            try {
                t.event(nanos, e);
            } catch (RuntimeException ex) {
                // a tap never stops the log (nor the engine thread that called it)
            }
        }
        if (!logged) {
            return;
        }
        LogSettings current = settings;
        String line = current.json() ? EventFormat.json(nanos, node, e) : EventFormat.logfmt(nanos, node, e);
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
