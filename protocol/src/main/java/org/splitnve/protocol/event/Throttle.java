package org.splitnve.protocol.event;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Log lines in aggregate (SEC-5: log lines are a resource a peer must not exhaust): per key (a peer, a
 * source MAC) at most one line per interval. The first refusal or drop of a key is logged as it comes;
 * those that follow within the interval are only counted, and one summary line per key reports the count
 * when the interval has passed ({@link #due}). A flood costs a line per source per interval, not one per
 * frame. At most {@code maxKeys} keys are tracked; beyond, further keys share one overflow key (-1).
 * Single-threaded, like the engine that owns it; time comes from the caller.
 */
public final class Throttle {
    /** The count of what was not logged for one key during one interval. */
    public record Summary(long key, long suppressed, long sinceNanos) {
    }

    private static final class Entry {
        long windowStart;
        long suppressed;
    }

    public static final long OVERFLOW_KEY = -1;

    private final long interval;
    private final int maxKeys;
    private final Map<Long, Entry> entries = new LinkedHashMap<>();
    private long total;

    public Throttle(long intervalNanos, int maxKeys) {
        if (intervalNanos <= 0 || maxKeys < 1) {
            throw new IllegalArgumentException("interval > 0 and at least one key");
        }
        this.interval = intervalNanos;
        this.maxKeys = maxKeys;
    }

    /** True: log this occurrence now. False: it is counted into the key's next summary. */
    public boolean admit(long key, long now) {
        total++;
        Entry e = entries.get(key);
        if (e == null) {
            if (entries.size() >= maxKeys) {
                key = OVERFLOW_KEY;
                e = entries.get(key);
            }
            if (e == null) {
                e = new Entry();
                e.windowStart = now;
                entries.put(key, e);
                return true;
            }
        }
        e.suppressed++;
        return false;
    }

    /** Occurrences counted since this throttle was made, logged or not. */
    public long total() {
        return total;
    }

    /** When {@link #due} has something to report (or entries to forget), or {@link Long#MAX_VALUE}. */
    public long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (Entry e : entries.values()) {
            next = Math.min(next, e.windowStart + interval);
        }
        return next;
    }

    /**
     * The summaries of the keys whose interval has passed. A key with nothing suppressed in it is forgotten
     * (its next occurrence is logged as it comes); one still flooding goes on being counted.
     */
    public List<Summary> due(long now) {
        List<Summary> out = new ArrayList<>(0);
        var it = entries.entrySet().iterator();
        while (it.hasNext()) {
            var en = it.next();
            Entry e = en.getValue();
            if (e.windowStart + interval <= now) {
                if (e.suppressed > 0) {
                    // Still flooding: the next interval is counted too (one summary line per interval).
                    out.add(new Summary(en.getKey(), e.suppressed, now - e.windowStart));
                    e.suppressed = 0;
                    e.windowStart = now;
                } else {
                    it.remove(); // quiet for a whole interval: its next occurrence is logged as it comes
                }
            }
        }
        return out;
    }
}
