package org.splitnve.tnve;

/** VM operational states (RFC 7666 vmOperState), as RFC 8394 section 2 uses them. */
public enum VmState {
    /** Defined, its TSIs being associated (LC-CREATE). */
    PREPARING,
    /** Not running; its TSIs are associated (or not yet, or no longer). */
    SHUTDOWN,
    RUNNING,
    /** Paused: the TSIs stay as they are (LC-PAUSE). */
    PAUSED,
    /** Suspended: the TSIs are deactivated, resources kept (LC-SUSPEND). */
    SUSPENDED,
    /** Incoming live migration prepared here: associated with the arrival indication, not running (LC-MIGRATE). */
    MIGRATING_IN,
    /** Outgoing live migration: still running here until the destination is activated. */
    MIGRATING_OUT,
    /** Gone from this hypervisor (shut down and de-associated, or migrated away). */
    DESTROYED
}
