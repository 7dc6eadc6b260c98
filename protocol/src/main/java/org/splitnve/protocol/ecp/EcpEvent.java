package org.splitnve.protocol.ecp;

import org.splitnve.protocol.event.Event;
import org.splitnve.wire.MacAddress;

/** ECP-level events (SEC-3, SEC-4). */
public sealed interface EcpEvent extends Event {
    MacAddress peer();

    /** An ECPDU was retransmitted after its acknowledgement timed out. */
    record Retransmit(MacAddress peer, int sequence, int attempt) implements EcpEvent {
        @Override
        public String name() {
            return "ecp.retransmit";
        }

        @Override
        public Level level() {
            return Level.DEBUG;
        }
    }

    /**
     * R retransmissions went unacknowledged: the items are reported undelivered. Per source (the peer): a flood
     * of requests from made-up stations has the nNVE answer each of them, and each answer goes unacknowledged.
     */
    record TransmitError(MacAddress peer, int sequence, int items) implements EcpEvent, Event.PerSource {
        @Override
        public String name() {
            return "ecp.transmit_error";
        }

        @Override
        public String sourceKey() {
            return peer.toString();
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** A request with the sequence number of the last one: acknowledged again, not delivered. */
    record Duplicate(MacAddress peer, int sequence) implements EcpEvent {
        @Override
        public String name() {
            return "ecp.duplicate";
        }

        @Override
        public Level level() {
            return Level.DEBUG;
        }
    }

    /** An acknowledgement for nothing outstanding (late, duplicated or forged). */
    record StrayAck(MacAddress peer, int sequence) implements EcpEvent {
        @Override
        public String name() {
            return "ecp.stray_ack";
        }

        @Override
        public Level level() {
            return Level.DEBUG;
        }
    }

    /** A frame refused by authentication (REQ-11, SEC-4): dropped, neither acknowledged nor delivered. */
    record AuthRefused(MacAddress peer, int sequence, String verdict) implements EcpEvent {
        @Override
        public String name() {
            return "ecp.auth_refused";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }
}
