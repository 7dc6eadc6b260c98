package org.splitnve.nva.service.client;

import java.util.List;
import org.splitnve.nva.TsiInstance;
import org.splitnve.protocol.event.Event;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * The nNVE's NVA client's structured events (SEC-3; docs/nva-protocol.md section 6): every state change of the
 * session state machine, and what the replica did about the NVA's verdicts.
 */
public sealed interface ClientEvent extends Event {

    /** A session is open: where the NVA stands for this nNVE. */
    record Connected(String address, String history, long revision, long compactedThrough, long lastReportSeq)
            implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.connected";
        }
    }

    /** A full list (first sync, a new history, "too old", a change of the VNs served). */
    record Listing(String address, String reason) implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.listing";
        }
    }

    /** The replica holds the NVA's state at {@code revision} and the watch runs ({@code resumed}: no list needed). */
    record InSync(String address, String history, long revision, boolean resumed) implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.in_sync";
        }
    }

    /** The NVA went away: the nNVE serves from its replica and queues its reports (NVA-5). */
    record CutOff(String address, String reason, long retryMillis) implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.cut_off";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** The next address of the list is tried. */
    record Failover(String from, String to) implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.failover";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** The NVA refused this nNVE (token, registration): retried slowly; an operator must act. */
    record Refused(String address, String reason, long retryMillis) implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.refused";
        }

        @Override
        public Level level() {
            return Level.ERROR;
        }
    }

    /** The replica was replaced by a list; {@code newHistory}: another NVA store, the nNVE's own state sent again. */
    record Resync(String fromHistory, String toHistory, long revision, int resources, boolean newHistory,
            int ownOpsQueued) implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.resync";
        }
    }

    /** A report's receipt. */
    record ReportSent(long seq, int ops, String status, long revision, int refused) implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.report";
        }

        @Override
        public Level level() {
            return Level.DEBUG;
        }
    }

    /**
     * The NVA refused an operation of a report (docs/nva-protocol.md 5.2); {@code undo}: what the nNVE did towards
     * its end device ("deactivate", "de-associate", or "none" when a later change superseded the operation).
     */
    record ReportRefused(long seq, String op, String reason, int code, String detail, String undo)
            implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.report_refused";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** NVA-6: another nNVE claimed these addresses with a newer sequence number; this one stops forwarding them. */
    record Withdrawn(TsiInstance instance, List<TsiAddress> addresses, TsiInstance winner, long winnerSeq)
            implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.withdrawn";
        }
    }

    /** The NVA's state for another nNVE conflicts with this nNVE's own entries: the replica waits for it to settle. */
    record ViewConflict(String key, String reason) implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.view_conflict";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /**
     * The NVA found the replica's digest at {@code revision} is not its digest of this nNVE's interest
     * (docs/nva-protocol.md section 12; NVA-4): the client lists again. {@code divergences}: how many so far.
     */
    record ReplicaDiverged(String address, long revision, long count, long divergences) implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.replica_diverged";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** The list after a divergence replaced the replica; {@code differing}: the first keys that differed. */
    record Repaired(long revision, List<String> differing) implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.replica_repaired";
        }
    }

    /**
     * The own-entries audit (section 12): the NVA's digest of this nNVE's entries at {@code revision} is not the one
     * of what the engine holds; the whole own state was queued again ({@code ops} operations).
     */
    record OwnStateResent(long revision, long nvaCount, long engineCount, int ops, long resent)
            implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.own_state_resent";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /**
     * The own-entries audit (section 12) compared the NVA's digest of this nNVE's entries at {@code revision} with
     * the one of what the engine holds: the same ({@code entries} entries and tags), nothing to repair.
     */
    record OwnAuditMatched(long revision, long entries) implements ClientEvent {
        @Override
        public String name() {
            return "nva_client.own_audit_matched";
        }

        @Override
        public Level level() {
            return Level.DEBUG;
        }
    }
}
