package org.splitnve.tnve;

import org.splitnve.protocol.event.Event;

/** Every state change and protocol event of the tNVE (RFC 8394 section 6, SEC-3). */
public sealed interface TnveEvent extends Event {

    record VmStateChanged(String vm, String from, String to, String cause) implements TnveEvent {
        @Override
        public String name() {
            return "vm.state";
        }
    }

    /** A TSI's state as confirmed by one nNVE (uplink). */
    record TsiState(String vm, org.splitnve.wire.vdp.VsiId tsi, String uplink, TnveEngine.TsiState from,
            TnveEngine.TsiState to, int localTag) implements TnveEvent {
        @Override
        public String name() {
            return "tsi.state";
        }
    }

    /**
     * The nNVE answered a TSI that stays associated or activated with another local tag than before (REQ-7): the
     * hypervisor's switch follows it (DP-4).
     */
    record TagChanged(String vm, org.splitnve.wire.vdp.VsiId tsi, String uplink, int from, int to) implements TnveEvent {
        @Override
        public String name() {
            return "tsi.tag";
        }
    }

    /**
     * LC-MIGRATE make-before-break: a migration's departure refused here because an nNVE said the destination is
     * not Activated yet; the TSIs stay Activated.
     */
    record DepartureRefused(String vm, String migration, String detail) implements TnveEvent {
        @Override
        public String name() {
            return "migration.departure_refused";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** A request the nNVE refused or never answered. */
    record RequestFailed(String vm, String tsi, String uplink, String request, int code, String detail) implements TnveEvent {
        @Override
        public String name() {
            return "request.failed";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /**
     * SEC-5: frames dropped or refused in aggregate: {@code count} more from {@code source} on {@code port} in
     * the last {@code seconds}, after the first was logged as it came (one line per source per interval).
     */
    record InputDropped(int port, String source, String what, long count, long seconds) implements TnveEvent {
        @Override
        public String name() {
            return "input.dropped";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /**
     * OPS-3: an operation refused here, before anything was sent, because it is beyond a limit of an uplink's
     * nNVE ({@code advertised}: the nNVE's own; else the built-in bound).
     */
    record OverLimit(String vm, String tsi, String uplink, String operation, String limit, long requested, long max,
            boolean advertised) implements TnveEvent {
        @Override
        public String name() {
            return "request.over_limit";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** OPS-3: the limits an uplink's nNVE advertised (docs/protocol.md 5.1.1), as they arrived. */
    record UplinkLimits(String uplink, String limits) implements TnveEvent {
        @Override
        public String name() {
            return "uplink.limits";
        }
    }

    /** The nNVE de-associated, deactivated or disconnected on its own (REQ-6, REQ-9): reported, not undone. */
    record NnveInitiated(String vm, String tsi, String uplink, String what, String detail) implements TnveEvent {
        @Override
        public String name() {
            return "nnve.initiated";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /**
     * An uplink's control plane changed: authenticated, up, resync, in-sync, repaired, or down (its nNVE lost: logged
     * at WARN, SEC-3, as the nNVE logs a lost peer).
     */
    record UplinkState(String uplink, String state, String detail) implements TnveEvent {
        @Override
        public String name() {
            return "uplink.state";
        }

        @Override
        public Level level() {
            return state.equals("down") ? Level.WARN : Level.INFO;
        }
    }

    /** REQ-3: a VN moved from a lost nNVE to its standby. */
    record Failover(String vn, String from, String to) implements TnveEvent {
        @Override
        public String name() {
            return "vn.failover";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }
}
