package org.splitnve.nva.service;

import org.splitnve.protocol.event.Event;

/** The NVA service's structured events (SEC-3: every state change and protocol event is logged). */
public sealed interface ServiceEvent extends Event {

    /** A change is durable and in force. */
    record Committed(long revision, String source, int events) implements ServiceEvent {
        @Override
        public String name() {
            return "nva.committed";
        }

        @Override
        public Level level() {
            return Level.DEBUG;
        }
    }

    /** An operation of a report, or an operator's action, was refused. */
    record Refused(String source, long reportSeq, String op, String reason, String detail) implements ServiceEvent {
        @Override
        public String name() {
            return "nva.op_refused";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** NVA-6: a newer claim took an address from an nNVE. */
    record Withdrawn(long vnId, String address, String from, String to, long seq) implements ServiceEvent {
        @Override
        public String name() {
            return "nva.withdrawn";
        }
    }

    /** NVA-6: an address is claimed outside a migration, or moves too often. */
    record Duplicate(long vnId, String address, String reason, long activations, boolean frozen, String claimant)
            implements ServiceEvent {
        @Override
        public String name() {
            return "nva.duplicate_address";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** NVA-4: a watch asked for changes the NVA no longer has. */
    record WatchTooOld(String watcher, long from, long compactedThrough, long revision) implements ServiceEvent {
        @Override
        public String name() {
            return "nva.watch_too_old";
        }
    }

    /** The store failed; the change was undone and refused. */
    record StoreFailed(String source, String detail) implements ServiceEvent {
        @Override
        public String name() {
            return "nva.store_failed";
        }

        @Override
        public Level level() {
            return Level.ERROR;
        }
    }

    /** NVA-2 (shared store): a change another NVA instance committed is in force here too. */
    record Followed(long revision, String source, int events) implements ServiceEvent {
        @Override
        public String name() {
            return "nva.followed";
        }

        @Override
        public Level level() {
            return Level.DEBUG;
        }
    }

    /** NVA-2 (shared store): another instance committed first; the change is made again on the new state. */
    record CommitConflict(String source, long revision, String detail) implements ServiceEvent {
        @Override
        public String name() {
            return "nva.commit_conflict";
        }
    }

    /** NVA-2 (shared store): the store no longer kept the changes this instance missed; it loaded everything. */
    record Reloaded(long from, long revision, long compactedThrough, String why) implements ServiceEvent {
        @Override
        public String name() {
            return "nva.reloaded";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** Group commit: several changes made durable in one store commit (revisions {@code from} to {@code to}). */
    record GroupCommitted(int changes, long from, long to) implements ServiceEvent {
        @Override
        public String name() {
            return "nva.group_committed";
        }

        @Override
        public Level level() {
            return Level.DEBUG;
        }
    }

    /**
     * NVA-4, anti-entropy (docs/nva-protocol.md section 12): an nNVE acknowledged a revision with a digest of its
     * replica that differs from the NVA's for its interest; it must list again. {@code divergences} counts them
     * since the NVA started (a metric).
     */
    record ReplicaDiverged(String nve, long revision, long expectedCount, long replicaCount, long divergences)
            implements ServiceEvent {
        @Override
        public String name() {
            return "nva.replica_diverged";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }
}
