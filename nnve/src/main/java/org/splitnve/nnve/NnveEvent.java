package org.splitnve.nnve;

import org.splitnve.protocol.event.Event;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.VsiId;

/** Every state change and protocol event of the nNVE (RFC 8394 section 6, SEC-3). */
public sealed interface NnveEvent extends Event {

    /**
     * A new end device on a port (control-plane connectivity established). {@code authenticated}: it
     * has proved it holds the key already; an end device that must authenticate and has not yet is
     * reported by {@link PeerAuthenticated} once it does (REQ-11). Per source: a frame from a made-up station
     * makes a peer (SEC-5: logged in aggregate).
     */
    record PeerUp(int port, MacAddress station, boolean extensions, boolean authenticated)
            implements NnveEvent, Event.PerSource {
        @Override
        public String name() {
            return "peer.up";
        }

        @Override
        public String sourceKey() {
            return port + "/" + station;
        }
    }

    /** REQ-11, SEC-3: the end device proved it holds the key; its requests are processed from now on. */
    record PeerAuthenticated(int port, MacAddress station) implements NnveEvent {
        @Override
        public String name() {
            return "peer.authenticated";
        }
    }

    /**
     * An end device is gone: its session timed out, or it was removed. One that held no TSI is per source (the
     * made-up stations of a flood, SEC-5); one that released TSIs is always logged.
     */
    record PeerLost(int port, MacAddress station, String reason, int tsisReleased)
            implements NnveEvent, Event.PerSource {
        @Override
        public String name() {
            return "peer.lost";
        }

        @Override
        public String sourceKey() {
            return tsisReleased > 0 ? null : port + "/" + station;
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** The peer restarted (new session epoch): its TSIs are resynchronised. */
    record PeerRestarted(int port, MacAddress station, String epoch, int tsisHeld) implements NnveEvent {
        @Override
        public String name() {
            return "peer.restarted";
        }
    }

    /**
     * REL-7, SEC-9: the nNVE asked an end device to announce every TSI again (RESYNC_REQUEST): it speaks of
     * a session this nNVE does not know (this nNVE restarted), names an earlier epoch of this nNVE, or
     * came with a new epoch of its own.
     */
    record ResyncRequested(int port, MacAddress station, String reason, int itemsSkipped) implements NnveEvent {
        @Override
        public String name() {
            return "peer.resync_requested";
        }
    }

    /**
     * VDP PDUs held while the authority was not ready (an NVA's replica before its client's first list), now taken in
     * the order they came.
     */
    record Held(int pdus, String why) implements NnveEvent {
        @Override
        public String name() {
            return "requests.held";
        }
    }

    /** SM-TSI-1: one TSI instance changed state. */
    record TsiState(int port, MacAddress station, VsiId tsi, VnKey vn, org.splitnve.nnve.TsiState from,
            org.splitnve.nnve.TsiState to, String cause)
            implements NnveEvent {
        @Override
        public String name() {
            return "tsi.state";
        }

        /** REL-2: a TSI restored from a durable copy at start is debug (one summary line says how many). */
        @Override
        public Level level() {
            return "restored".equals(cause) ? Level.DEBUG : Level.INFO;
        }
    }

    /** REQ-10, SM-TSI-6: a TSI's addresses changed; its state did not. */
    record TsiAddresses(int port, VsiId tsi, String operation, int count, int total) implements NnveEvent {
        @Override
        public String name() {
            return "tsi.addresses";
        }
    }

    /** SM-VAP-1: a VAP changed state. */
    record VapState(String scope, VnKey vn, Vap.State from, Vap.State to, int tag, int vni) implements NnveEvent {
        @Override
        public String name() {
            return "vap.state";
        }
    }

    /** SM-REASON: a request refused, with the reason code sent and the detail. */
    record Refused(int port, MacAddress station, String request, String tsi, int code, String detail)
            implements NnveEvent, Event.PerSource {
        @Override
        public String name() {
            return "request.refused";
        }

        @Override
        public String sourceKey() {
            return port + "/" + station;
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** SEC-4: a frame that did not decode, or that broke the rules; dropped or refused. */
    record BadInput(int port, MacAddress source, String error, String detail) implements NnveEvent, Event.PerSource {
        @Override
        public String name() {
            return "input.bad";
        }

        @Override
        public String sourceKey() {
            return port + "/" + source;
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /**
     * A migration arrival on this nNVE (REQ-13): LC-MCAST re-learning triggered. {@code fromPort}: the port of
     * the instance the TSI's NVA entries moved from (SM-TSI-7), -1 when no instance here held them (it arrived
     * from another nNVE); {@code samePortMove}: whether that port is this one (two stations behind one port).
     */
    record MigrationArrival(int port, String tsi, String migrationId, int fromPort, boolean samePortMove)
            implements NnveEvent {
        @Override
        public String name() {
            return "tsi.migration_arrival";
        }
    }

    /**
     * SM-TIMER: answers sent again to a standard station ({@code count}) whose next request about their TSIs did not
     * come a keep-alive period after their delivery: its VDP may have lost them (lldpad). Debug.
     */
    record AnswersAgain(int port, MacAddress station, int count) implements NnveEvent {
        @Override
        public String name() {
            return "tsi.answers_again";
        }

        @Override
        public Level level() {
            return Level.DEBUG;
        }
    }

    /**
     * LC-MIGRATE, DP-5: an instance associated before is announced as a live migration's destination (its end device
     * associated it again with the ARRIVAL indication, {@code migrationId}, or the M bit: empty); its state stays
     * Associated.
     */
    record MigrationAnnounced(int port, VsiId tsi, String migrationId) implements NnveEvent {
        @Override
        public String name() {
            return "tsi.migration_announced";
        }
    }

    /**
     * DP-5: the data plane saw the first frame of a live migration's destination (associated, not activated yet): the
     * VM runs behind {@code port} now; {@code nva} says what became of the TSI's NVA entries.
     */
    record FirstFrame(int port, MacAddress station, String tsi, VnKey vn, String nva) implements NnveEvent {
        @Override
        public String name() {
            return "tsi.first_frame";
        }
    }
}
