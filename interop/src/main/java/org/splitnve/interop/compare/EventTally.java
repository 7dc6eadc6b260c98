package org.splitnve.interop.compare;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.EventSink;

/**
 * An event sink for a benchmark: counts events by name (no log line per event), counts the nNVE's TSI
 * state changes caused by its keep-alive timer, and keeps the first {@value #KEPT} warnings and errors
 * with the time they happened. Thread-safe; cheap, as it runs on the engine's thread.
 */
final class EventTally implements EventSink {
    static final int KEPT = 20;

    private final String who;
    private final Map<String, Long> counts = new TreeMap<>();
    private final List<String> warnings = new ArrayList<>();
    private long keepAliveTimeouts;

    EventTally(String who) {
        this.who = who;
    }

    @Override
    public synchronized void accept(Event e) {
        counts.merge(e.name(), 1L, Long::sum);
        if (e instanceof NnveEvent.TsiState s && "keep-alive timeout".equals(s.cause())) {
            keepAliveTimeouts++;
        }
        if (e.level().compareTo(Event.Level.WARN) >= 0 && warnings.size() < KEPT) {
            warnings.add(String.format("%.3f %s %s", System.nanoTime() / 1e9, who, e));
        }
    }

    synchronized Map<String, Long> counts() {
        return new TreeMap<>(counts);
    }

    synchronized long count(String name) {
        return counts.getOrDefault(name, 0L);
    }

    /** TSI state changes the nNVE's keep-alive timer made (Activated to Associated, Associated to Init). */
    synchronized long keepAliveTimeouts() {
        return keepAliveTimeouts;
    }

    synchronized List<String> warnings() {
        return List.copyOf(warnings);
    }
}
