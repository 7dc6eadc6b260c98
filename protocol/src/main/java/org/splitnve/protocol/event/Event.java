package org.splitnve.protocol.event;

/**
 * A state change or protocol event (RFC 8394 section 6, SEC-3). Events are records; their
 * components are the structured fields a log line shows ({@link EventFormat}).
 */
public interface Event {
    enum Level { DEBUG, INFO, WARN, ERROR }

    /** Dotted name, e.g. {@code ecp.transmit_error}, {@code tsi.state}. */
    String name();

    default Level level() {
        return Level.INFO;
    }
}
