package org.splitnve.daemon.http;

import org.splitnve.protocol.event.Event;

/** The HTTP API's events, logged like the engines' (SEC-3): where it listens, requests, refusals. */
public sealed interface ApiEvent extends Event {
    /** The API listens (SEC-1: whether a bearer token is required). */
    record Listening(String address, boolean tokenRequired) implements ApiEvent {
        @Override
        public String name() {
            return "api.listening";
        }
    }

    /** A request answered with success (2xx). */
    record Request(String remote, String method, String path, int status, long micros) implements ApiEvent {
        @Override
        public String name() {
            return "api.request";
        }

        @Override
        public Level level() {
            return Level.DEBUG;
        }
    }

    /**
     * A request refused (4xx, 5xx): no or a wrong token (SEC-1), a bad body, an unknown VM, a state
     * that does not fit, the nNVE's refusal (its reason code) or no answer.
     */
    record Refused(String remote, String method, String path, int status, int code, String error) implements ApiEvent {
        @Override
        public String name() {
            return "api.refused";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /**
     * A request refused with 429 because its source address is limited (the NVA: too many wrong tokens, section 9
     * of docs/nva-protocol.md). One source can repeat it at will: logged in aggregate per source address (SEC-5).
     */
    record Limited(String source, String remote, String method, String path, String error)
            implements ApiEvent, Event.PerSource {
        @Override
        public String name() {
            return "api.limited";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }

        @Override
        public String sourceKey() {
            return source;
        }
    }

    /** An event stream client ended: it closed, the daemon stopped, or it was too slow and was dropped. */
    record StreamEnded(String remote, long events, String why) implements ApiEvent {
        @Override
        public String name() {
            return "api.stream_ended";
        }
    }

    /** The API stopped listening. */
    record Stopped(String address) implements ApiEvent {
        @Override
        public String name() {
            return "api.stopped";
        }
    }
}
