package org.splitnve.daemon.http;

import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Wrong or missing tokens counted per source address (docs/nva-protocol.md section 9, SEC-1): once a source has
 * failed {@code maxFailures} times in a window of {@code window}, which starts at its first failure, every request
 * from it is refused (429, whatever token it carries, so that a guess that happens to be right is not told apart)
 * until the window ends. Other sources are not affected. At most {@link #MAX_SOURCES} sources are tracked at once:
 * the expired ones are forgotten first; beyond that, failures of new sources are not counted (the table never
 * grows without bound). Thread-safe; time comes from {@code nanos} (tests move it by hand).
 */
public final class AuthFailures {
    /** Failures a source may have in one window. */
    public static final int MAX_FAILURES = 20;
    /** The window, from a source's first failure. */
    public static final Duration WINDOW = Duration.ofMinutes(1);
    /** Sources tracked at once. */
    public static final int MAX_SOURCES = 10_000;

    private final int maxFailures;
    private final long windowNanos;
    private final LongSupplier nanos;
    private final Map<InetAddress, Window> windows = new HashMap<>();

    private static final class Window {
        final long start;
        int failures;

        Window(long start) {
            this.start = start;
        }
    }

    public AuthFailures(int maxFailures, Duration window, LongSupplier nanos) {
        if (maxFailures < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a failure limit is 1 or more failures in a positive window, not "
                    + maxFailures + " in " + window);
        }
        this.maxFailures = maxFailures;
        this.windowNanos = window.toNanos();
        this.nanos = nanos;
    }

    /** {@link #MAX_FAILURES} in {@link #WINDOW}, on the system's monotonic clock. */
    public static AuthFailures standard() {
        return new AuthFailures(MAX_FAILURES, WINDOW, System::nanoTime);
    }

    /** Whole seconds (at least 1) until {@code source} may call again, or 0 when it may call now. */
    public synchronized long blockedFor(InetAddress source) {
        if (source == null) {
            return 0;
        }
        Window w = windows.get(source);
        if (w == null) {
            return 0;
        }
        long left = w.start + windowNanos - nanos.getAsLong();
        if (left <= 0) {
            windows.remove(source);
            return 0;
        }
        return w.failures >= maxFailures ? Math.max(1, (left + 999_999_999L) / 1_000_000_000L) : 0;
    }

    /** Counts one wrong or missing token from {@code source}. */
    public synchronized void failed(InetAddress source) {
        if (source == null) {
            return;
        }
        long now = nanos.getAsLong();
        Window w = windows.get(source);
        if (w != null && now - w.start >= windowNanos) {
            windows.remove(source);
            w = null;
        }
        if (w == null) {
            if (windows.size() >= MAX_SOURCES) {
                forgetExpired(now);
                if (windows.size() >= MAX_SOURCES) {
                    return;
                }
            }
            w = new Window(now);
            windows.put(source, w);
        }
        w.failures++;
    }

    /** Sources tracked now (a metric, tests). */
    public synchronized int sources() {
        return windows.size();
    }

    private void forgetExpired(long now) {
        for (Iterator<Window> i = windows.values().iterator(); i.hasNext();) {
            if (now - i.next().start >= windowNanos) {
                i.remove();
            }
        }
    }
}
