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

    /**
     * An event a single source can repeat at will by sending frames (a refused request, a frame that does not
     * decode). A daemon's log shows a few of them per source and interval and counts the rest into one summary
     * line per source and interval (SEC-5: log lines are a resource a peer must not exhaust); every one of them
     * still reaches the metrics and the event stream.
     */
    interface PerSource extends Event {
        /**
         * Who sent what caused it, e.g. {@code "2/52:54:00:00:00:01"} (port and MAC); {@code null} when this
         * occurrence is one no source can repeat at will (it is then logged as any other event).
         */
        String sourceKey();
    }
}
