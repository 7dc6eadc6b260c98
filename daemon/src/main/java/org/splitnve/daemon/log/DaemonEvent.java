package org.splitnve.daemon.log;

import java.util.List;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.event.Event;

/** A daemon's own lifecycle events, logged like the engines' (SEC-3). */
public sealed interface DaemonEvent extends Event {
    /** The daemon runs: its role, configuration file, ports and own timers. */
    record Started(String role, String config, List<String> ports, Timers timers, boolean lldp) implements DaemonEvent {
        @Override
        public String name() {
            return "daemon.started";
        }
    }

    /**
     * SEC-5: {@code count} lines of the event {@code suppressed} from {@code source} (port/MAC) were not logged in the last
     * {@code ms} milliseconds (they were counted: see the metrics); logged once per source and interval.
     */
    record LogSuppressed(String suppressed, String source, long count, long ms) implements DaemonEvent {
        @Override
        public String name() {
            return "log.suppressed";
        }

        @Override
        public Level level() {
            return Level.WARN;
        }
    }

    /** The daemon was asked to stop (SIGTERM, SIGINT, or a caller). */
    record Stopping(String cause) implements DaemonEvent {
        @Override
        public String name() {
            return "daemon.stopping";
        }
    }

    /**
     * The tNVE stops without a De-Associate: the nNVE keeps its TSIs across a short restart (the
     * session epoch tells it the station restarted; the TSIs are resynchronised, not released).
     */
    record TsisKept(int vms, int tsis, String detail) implements DaemonEvent {
        @Override
        public String name() {
            return "daemon.tsis_kept";
        }
    }

    /**
     * REL-1: the tNVE read its state directory at start: {@code vms} VMs taken over (their TSIs announced
     * again), {@code unreadable} files skipped (each logged as {@link StateUnreadable}).
     */
    record StateLoaded(String dir, int vms, int tsis, int unreadable) implements DaemonEvent {
        @Override
        public String name() {
            return "state.loaded";
        }
    }

    /**
     * REL-2: the nNVE read its TSI journal ([state] dir) before its first frame: {@code saved} TSIs in it,
     * {@code restored} of them back in the engine (each other one logged as a {@code request.refused} "restore"), how
     * many records and octets were read and how long reading and restoring took.
     */
    record TsisRestored(String dir, int saved, int restored, int records, long octets, long readMs, long restoreMs)
            implements DaemonEvent {
        @Override
        public String name() {
            return "state.tsis_restored";
        }
    }

    /** A file of the state directory that is not a usable VM record: the VM is not taken over. */
    record StateUnreadable(String file, String reason) implements DaemonEvent {
        @Override
        public String name() {
            return "state.unreadable";
        }

        @Override
        public Level level() {
            return Level.ERROR;
        }
    }

    /** A VM taken over from its record: how its nNVEs answered the TSIs announced again. */
    record VmAdopted(String vm, String state, String announce, int tsis, boolean ok, String detail)
            implements DaemonEvent {
        @Override
        public String name() {
            return "state.vm_adopted";
        }

        @Override
        public Level level() {
            return ok ? Level.INFO : Level.WARN;
        }
    }

    /** A VM's record could not be written: the operation was done, but the VM would not survive a restart. */
    record StateWriteFailed(String vm, String reason) implements DaemonEvent {
        @Override
        public String name() {
            return "state.write_failed";
        }

        @Override
        public Level level() {
            return Level.ERROR;
        }
    }

    /**
     * A task the daemon started without waiting for it (on the engine thread, or after an operation's answer came
     * too late) failed: what it was, and the exception. Nothing else would report it.
     */
    record TaskFailed(String task, String error) implements DaemonEvent {
        @Override
        public String name() {
            return "daemon.task_failed";
        }

        @Override
        public Level level() {
            return Level.ERROR;
        }
    }

    /**
     * The nNVE's data plane ([dataplane], docs/dataplane.md): {@code what} is {@code desired} (a new model handed to
     * the switch agent: TSIs, remote NVEs, flows) or {@code switch} (the agent: connected, applied, drift repaired,
     * connection lost).
     */
    record Dataplane(String what, String detail) implements DaemonEvent {
        @Override
        public String name() {
            return "dataplane." + what;
        }
    }

    /** The nNVE stops: its TSIs end with it (the NVA entries stay until the NVA ages them). */
    record NnveState(int peers, int tsis) implements DaemonEvent {
        @Override
        public String name() {
            return "daemon.state_at_stop";
        }
    }

    /** The daemon stopped: its ports are closed. */
    record Stopped(long framesIn, long framesOut, long engineErrors) implements DaemonEvent {
        @Override
        public String name() {
            return "daemon.stopped";
        }
    }

    /** SEC-7: a fatal error (out of memory, a dead engine thread): the process ends with status 70 right after. */
    record Fatal(String where, String error, int status) implements DaemonEvent {
        @Override
        public String name() {
            return "daemon.fatal";
        }

        @Override
        public Level level() {
            return Level.ERROR;
        }
    }

    /** OPS-5: a configuration reload begins (SIGHUP): the file is read again. */
    record Reloading(String cause, String config) implements DaemonEvent {
        @Override
        public String name() {
            return "daemon.reloading";
        }
    }

    /** OPS-5: the reload took effect: what changed (each item), or that nothing did. */
    record Reloaded(String config, int changes, String detail) implements DaemonEvent {
        @Override
        public String name() {
            return "daemon.reloaded";
        }
    }

    /** OPS-5: one problem of a configuration that was not reloaded ("FILE:LINE: [section] key: message"). */
    record ReloadProblem(String problem) implements DaemonEvent {
        @Override
        public String name() {
            return "daemon.reload_problem";
        }

        @Override
        public Level level() {
            return Level.ERROR;
        }
    }

    /** OPS-5: the reload changed nothing (its problems logged before); the daemon runs on as it was. */
    record ReloadFailed(String config, int problems, String detail) implements DaemonEvent {
        @Override
        public String name() {
            return "daemon.reload_failed";
        }

        @Override
        public Level level() {
            return Level.ERROR;
        }
    }
}
