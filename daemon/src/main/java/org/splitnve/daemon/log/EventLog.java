package org.splitnve.daemon.log;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.splitnve.daemon.config.LogSettings;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.EventFormat;
import org.splitnve.protocol.event.EventSink;

/**
 * A daemon's log (SEC-3): one line per event, logfmt or one JSON object a line ({@link EventFormat}),
 * with the wall-clock time (RFC 3339, UTC, microseconds) and the node's name; events below the configured level are
 * dropped. Every event, of any level, also goes to the {@link Tap}s (the API's metrics and event
 * stream) first. Safe to call from any thread (the engine's, the API's, the shutdown hook's).
 *
 * <p>SEC-5: events one source can repeat at will ({@link Event.PerSource}: refused requests, undecodable
 * frames, the lifecycle of peers that made-up stations create) are logged in aggregate: at most {@link #BURST}
 * lines per event name and source in an interval of {@link #INTERVAL_NANOS}, and at most {@link #NAME_BURST} lines
 * per event name from all sources together; the rest are counted, and one {@code log.suppressed} line per name and
 * source reports the count when the interval has passed (checked every second, and at {@link #close}). Sources
 * first seen once the name's lines of the interval are spent share one count ({@code source=others}), so a flood
 * from made-up source addresses (a new MAC per frame) costs {@link #NAME_BURST} lines and a handful of summaries
 * per name and interval, not a line per frame. The taps see every event.
 */
public final class EventLog implements EventSink, AutoCloseable {
    /** Lines of one event name from one source logged as they come within an interval. */
    public static final int BURST = 5;
    /** The aggregation interval: one summary line per name and source at most this often. */
    public static final long INTERVAL_NANOS = 10_000_000_000L;
    /** Lines of one event name, from all sources together, logged as they come within an interval. */
    public static final int NAME_BURST = 50;
    /** Sources tracked at once; beyond, further ones share one summary ("others"). */
    static final int MAX_SOURCES = 4096;
    /** The key of the count shared by sources not tracked. */
    static final String OTHERS = "others";

    private record Source(String event, String key) {
    }

    private static final class Window {
        long start;
        int logged;
        long suppressed;
    }

    /** Lines of one event name logged in the current interval, from all sources. */
    private static final class NameWindow {
        long start;
        int logged;
    }

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
    private final LongSupplier clock;
    /** Guarded by itself. */
    private final Map<Source, Window> windows = new HashMap<>();
    /** Guarded by {@link #windows}. */
    private final Map<String, NameWindow> names = new HashMap<>();
    /** Started with the first suppressed line; guarded by {@link #windows}. */
    private ScheduledExecutorService summaries;
    private boolean closed;

    public EventLog(String node, LogSettings settings, PrintStream out) {
        this(node, settings, out, EventLog::wallNanos);
    }

    /** With a clock (Unix nanoseconds) of the caller's, for tests. */
    EventLog(String node, LogSettings settings, PrintStream out, LongSupplier clock) {
        this.node = node;
        this.settings = settings;
        this.out = out;
        this.clock = clock;
    }

    private static long wallNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
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

    /**
     * Logs a {@code daemon.task_failed} event if {@code task} fails: for a task nothing waits for, whose failure
     * would otherwise go unseen.
     */
    public void logFailure(String what, CompletableFuture<?> task) {
        // the future whenComplete returns fails as the task does: the failure is logged here, nothing is left to see it
        CompletableFuture<?> _ = task.whenComplete((v, e) -> {
            if (e != null) {
                accept(new DaemonEvent.TaskFailed(what, e.toString()));
            }
        });
    }

    /** Whether an event of this level is logged (and so streamed). */
    public boolean logs(Event.Level level) {
        return severity(level) >= severity(settings.level());
    }

    /** The levels' order, explicit (not the enum's declaration order). */
    private static int severity(Event.Level level) {
        return switch (level) {
            case DEBUG -> 0;
            case INFO -> 1;
            case WARN -> 2;
            case ERROR -> 3;
        };
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
        long nanos = clock.getAsLong();
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
        if (e instanceof Event.PerSource ps && ps.sourceKey() != null
                && !admit(new Source(e.name(), ps.sourceKey()), nanos)) {
            return;
        }
        print(nanos, e);
    }

    private void print(long nanos, Event e) {
        LogSettings current = settings;
        String line = current.json() ? EventFormat.json(nanos, node, e) : EventFormat.logfmt(nanos, node, e);
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /** Whether this occurrence is logged now; if not, it is counted into its source's next summary. */
    private boolean admit(Source source, long now) {
        synchronized (windows) {
            NameWindow name = names.computeIfAbsent(source.event(), k -> new NameWindow());
            if (now - name.start >= INTERVAL_NANOS) {
                name.start = now;
                name.logged = 0;
            }
            boolean nameSpent = name.logged >= NAME_BURST;
            Window w = windows.get(source);
            if (w == null) {
                if (nameSpent || windows.size() >= MAX_SOURCES) {
                    source = new Source(source.event(), OTHERS);
                    w = windows.get(source);
                }
                if (w == null) {
                    w = new Window();
                    w.start = now;
                    windows.put(source, w);
                }
            }
            if (w.logged < BURST && !nameSpent) {
                w.logged++;
                name.logged++;
                return true;
            }
            w.suppressed++;
            if (summaries == null && !closed) {
                summaries = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "splitnve log summaries");
                    t.setDaemon(true);
                    return t;
                });
                // the task never throws (see summariseEachSecond), so its future only ends when close() stops the timer
                ScheduledFuture<?> _ = summaries.scheduleWithFixedDelay(this::summariseEachSecond, 1, 1, TimeUnit.SECONDS);
            }
            return false;
        }
    }

    /**
     * Logs a {@code log.suppressed} line for each source whose interval has passed with lines suppressed (all
     * of them if {@code all}); a source quiet for a whole interval is forgotten, one still sending goes on
     * being counted (one summary per interval, no burst of lines again).
     */
    void summarise(boolean all) {
        long now = clock.getAsLong();
        List<DaemonEvent.LogSuppressed> due = new ArrayList<>(0);
        synchronized (windows) {
            for (Iterator<Map.Entry<Source, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Source, Window> en = it.next();
                Window w = en.getValue();
                if (!all && w.start + INTERVAL_NANOS > now) {
                    continue;
                }
                if (w.suppressed > 0) {
                    due.add(new DaemonEvent.LogSuppressed(en.getKey().event(), en.getKey().key(), w.suppressed,
                            (now - w.start) / 1_000_000));
                    w.suppressed = 0;
                    w.start = now;
                } else {
                    it.remove();
                }
            }
        }
        for (DaemonEvent.LogSuppressed e : due) {
            print(now, e);
        }
    }

    /**
     * The timer's task: an exception would end the timer silently (no more summaries), so it is written to the
     * log's stream instead and the next second summarises again.
     */
    private void summariseEachSecond() {
        try {
            summarise(false);
        } catch (RuntimeException e) {
            out.println("splitnve: log summaries failed: " + e);
        }
    }

    /** Logs the counts not yet reported and stops the summaries' timer. The log stays usable. */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (windows) {
            closed = true;
            s = summaries;
            summaries = null;
        }
        if (s != null) {
            s.shutdownNow();
        }
        summarise(true);
    }
}
