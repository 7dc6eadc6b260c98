package org.splitnve.transport;

import org.splitnve.protocol.event.Event;

/** What the transport reports about its links through the runner's event sink (on the engine's thread). */
public sealed interface TransportEvent extends Event {
    /** Sending on a port failed (reported once until a send on that port succeeds again). */
    record SendFailed(String port, String error) implements TransportEvent {
        @Override
        public String name() {
            return "transport.send_failed";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** Receiving on a port failed; the port keeps trying. */
    record ReceiveFailed(String port, String error) implements TransportEvent {
        @Override
        public String name() {
            return "transport.receive_failed";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** The engine's queue was full: frames were dropped (total so far). */
    record QueueOverflow(long dropped) implements TransportEvent {
        @Override
        public String name() {
            return "transport.queue_overflow";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** The engine threw from onFrame, onTimer or nextDeadline; the runner goes on. */
    record EngineFailed(String call, String error) implements TransportEvent {
        @Override
        public String name() {
            return "transport.engine_failed";
        }

        @Override
        public Level level() {
            return Level.ERROR;
        }
    }

    /**
     * REL-3: frames from one source dropped in front of the engine since the last report, because that source
     * (or all sources the engine does not know together) had as many frames waiting as it may; reported per
     * source at most every 10 s, the largest first.
     */
    record SourceDropped(String port, String station, long dropped) implements TransportEvent {
        @Override
        public String name() {
            return "transport.source_dropped";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /**
     * REL-3: the stations a port's priority socket now takes (those the engine holds state for): their frames no
     * longer share the kernel's receive buffer with other sources.
     */
    record PrioritySources(String port, int stations) implements TransportEvent {
        @Override
        public String name() {
            return "transport.priority_sources";
        }

        @Override
        public Level level() {
            return Level.INFO;
        }
    }

    /** The port's priority socket could not be opened or filtered: the port is read through one socket, unfiltered. */
    record PriorityFailed(String port, String error) implements TransportEvent {
        @Override
        public String name() {
            return "transport.priority_failed";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }
}
