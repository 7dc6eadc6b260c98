package org.splitnve.protocol.event;

import java.util.ArrayList;
import java.util.List;

/** Keeps every event: for tests, the simulation, and the daemons' recent-event ring. */
public final class RecordingSink implements EventSink {
    private final List<Event> events = new ArrayList<>();
    private final EventSink next;

    public RecordingSink() {
        this(EventSink.NONE);
    }

    public RecordingSink(EventSink next) {
        this.next = next;
    }

    @Override
    public void accept(Event event) {
        events.add(event);
        next.accept(event);
    }

    public List<Event> events() {
        return events;
    }

    public <T extends Event> List<T> of(Class<T> kind) {
        List<T> out = new ArrayList<>();
        for (Event e : events) {
            if (kind.isInstance(e)) {
                out.add(kind.cast(e));
            }
        }
        return out;
    }

    public void clear() {
        events.clear();
    }
}
