package org.splitnve.protocol.event;

/** Receives events. Engines call it on their own thread; it must not block for long. */
@FunctionalInterface
public interface EventSink {
    EventSink NONE = e -> { };

    void accept(Event event);
}
