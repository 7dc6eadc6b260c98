package org.splitnve.daemon.config;

import org.splitnve.protocol.event.Event;

/** [log]: one line per event, logfmt ("text") or one JSON object a line; events below {@code level} are dropped. */
public record LogSettings(boolean json, Event.Level level) {
    public static final LogSettings DEFAULT = new LogSettings(false, Event.Level.INFO);
}
