package org.splitnve.tnve;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.splitnve.tnve.TnveEngine.TsiState;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.VsiMode;

/**
 * Live migration (LC-MIGRATE, RFC 8394 section 2.2, REL-4), make-before-break: the destination prepares
 * (associate with ARRIVAL) and activates; the source announces the migration (start), deactivates with
 * DEPARTURE (depart) and de-associates (finish); abort undoes either side.
 */
final class Migration {
    private final Station station;
    private final Placement placement;
    private final Limits limits;
    private final Lifecycle lifecycle;

    Migration(Station station, Placement placement, Limits limits, Lifecycle lifecycle) {
        this.station = station;
        this.placement = placement;
        this.limits = limits;
        this.lifecycle = lifecycle;
    }

    /** LC-MIGRATE, destination: associate with the arrival indication before the VM runs here. */
    CompletableFuture<OpResult> migratePrepare(String name, List<TsiSpec> tsis, UUID migration) {
        if (station.vms.containsKey(name)) {
            return Lifecycle.refused("VM '" + name + "' exists here");
        }
        CompletableFuture<OpResult> over = limits.checkLimits(name, "migrate_prepare", tsis);
        if (over != null) {
            return over;
        }
        Vm vm = new Vm(name, tsis, VmState.MIGRATING_IN);
        vm.migration = migration;
        station.vms.put(name, vm);
        station.emit(new TnveEvent.VmStateChanged(name, "-", VmState.MIGRATING_IN.name(), "migration " + migration));
        return lifecycle.step(vm, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, l -> List.of(MigrationTlv.arrival(migration)))
                .thenCompose(r -> r.ok() ? CompletableFuture.completedFuture(r)
                        : lifecycle.rollback(vm, r, "migration prepare failed: " + r.detail()));
    }

    /** LC-MIGRATE, destination: activate (arrival); the VM runs here from now on. */
    CompletableFuture<OpResult> migrateActivate(String name) {
        Vm vm = lifecycle.vm(name);
        if (vm.state != VmState.MIGRATING_IN) {
            return Lifecycle.refused("VM '" + name + "' is " + vm.state + ", not MIGRATING_IN");
        }
        return lifecycle.step(vm, TsiState.ACTIVATED, VsiMode.ASSOCIATE, l -> List.of(MigrationTlv.arrival(vm.migration)))
                .thenCompose(r -> r.ok() ? lifecycle.done(vm, VmState.RUNNING, "migration arrived", r)
                        : CompletableFuture.completedFuture(r));
    }

    /**
     * LC-MIGRATE, source: the transfer of execution begins. The VM leaves RUNNING here (RFC 8394
     * section 2.2: it must not run on both hypervisors at once) while its TSIs stay activated until the
     * destination's are (make-before-break); {@link #migrateDepart} deactivates them after that. The nNVEs
     * that understand the migration extension are told the migration ID (REL-4: DEPARTURE, the TSIs still
     * activated); if one refuses or does not answer, the VM is as before and the result says why.
     */
    CompletableFuture<OpResult> migrateStart(String name, UUID migration) {
        Vm vm = lifecycle.vm(name);
        if (vm.state != VmState.RUNNING && vm.state != VmState.PAUSED) {
            return Lifecycle.refused("VM '" + name + "' is " + vm.state + ", not RUNNING or PAUSED");
        }
        VmState was = vm.state;
        vm.migration = migration;
        lifecycle.vmState(vm, VmState.MIGRATING_OUT, "migration " + migration);
        // REL-4: every nNVE that understands the migration extension learns the migration ID now, the TSIs staying
        // activated (an Associate with DEPARTURE): an nNVE lets an instance in another port scope take a TSI's NVA
        // entries only by a migration the end device holding them announced.
        List<Link> announce = new ArrayList<>();
        for (Link l : placement.links(vm)) {
            if (l.up.has(Feature.MIGRATION) && l.confirmed == TsiState.ACTIVATED) {
                announce.add(l);
            }
        }
        return lifecycle.steps(announce, TsiState.ACTIVATED, VsiMode.ASSOCIATE, l -> List.of(MigrationTlv.departure(migration)))
                .thenApply(r -> {
                    if (!r.ok() && vm.state == VmState.MIGRATING_OUT) {
                        vm.migration = null;
                        lifecycle.vmState(vm, was, "migration " + migration + " not announced: " + r.detail());
                    }
                    return r;
                });
    }

    /**
     * LC-MIGRATE, source: the VM stops here: deactivate with the departure indication, make-before-break. Each
     * nNVE that understands the migration extension is asked first (an Associate with DEPARTURE, the TSIs staying
     * activated) whether the migration's destination is Activated; it answers ARRIVED when it is, on itself or,
     * as the NVA says, on another nNVE. While one answers not yet, the departure is refused and the TSIs stay
     * Activated here: the caller retries once the destination is activated, or aborts the migration
     * ({@link #migrateAbort}). An nNVE without the extension cannot tell: its TSIs are deactivated unconfirmed.
     */
    CompletableFuture<OpResult> migrateDepart(String name, UUID migration) {
        Vm vm = lifecycle.vm(name);
        if (vm.state == VmState.MIGRATING_OUT ? !migration.equals(vm.migration)
                : vm.state != VmState.RUNNING && vm.state != VmState.PAUSED) {
            return Lifecycle.refused("VM '" + name + "' is " + vm.state + (vm.migration == null ? ""
                    : " in migration " + vm.migration) + ": it cannot depart by migration " + migration);
        }
        List<Link> ask = new ArrayList<>();
        for (Link l : placement.links(vm)) {
            if (l.up.has(Feature.MIGRATION) && l.confirmed == TsiState.ACTIVATED) {
                ask.add(l);
            }
        }
        return lifecycle.steps(ask, TsiState.ACTIVATED, VsiMode.ASSOCIATE, l -> List.of(MigrationTlv.departure(migration)))
                .thenCompose(r -> {
                    if (!r.ok()) {
                        return CompletableFuture.completedFuture(r);
                    }
                    List<String> notYet = new ArrayList<>();
                    for (Link l : ask) {
                        if (!migration.equals(l.arrived)) {
                            notYet.add(l.spec.id() + " at " + l.up.cfg.name());
                        }
                    }
                    vm.migration = migration;
                    lifecycle.vmState(vm, VmState.MIGRATING_OUT, "migration " + migration);
                    if (!notYet.isEmpty()) {
                        String why = "make-before-break: the destination of migration " + migration
                                + " is not Activated yet (" + String.join(", ", notYet)
                                + "); the TSIs stay Activated here: depart once it is, or abort the migration";
                        station.emit(new TnveEvent.DepartureRefused(name, migration.toString(), why));
                        return Lifecycle.refused(why);
                    }
                    return lifecycle.step(vm, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR,
                            l -> List.of(MigrationTlv.departure(migration),
                                    new DeactivateTlv(false, DeactivateTlv.Cause.MIGRATION_DEPARTURE)));
                });
    }

    /**
     * LC-MIGRATE, source: the migration is over: de-associate (LC-TERMINATE of the source side); the VM
     * left this hypervisor and is forgotten here. TSIs still Activated at an nNVE with the migration extension
     * depart first, make-before-break ({@link #migrateDepart}: refused while the destination is not Activated).
     */
    CompletableFuture<OpResult> migrateFinish(String name) {
        Vm vm = lifecycle.vm(name);
        if (vm.state == VmState.MIGRATING_OUT && vm.migration != null) {
            for (Link l : placement.links(vm)) {
                if (l.up.has(Feature.MIGRATION) && l.confirmed == TsiState.ACTIVATED) {
                    // not departed yet: make-before-break holds for a finish too (the departure asks first)
                    UUID migration = vm.migration;
                    return migrateDepart(name, migration).thenCompose(r -> r.ok()
                            ? lifecycle.terminate(vm, "migrated away") : CompletableFuture.completedFuture(r));
                }
            }
        }
        return lifecycle.terminate(vm, "migrated away");
    }

    /** LC-MIGRATE abort: the source runs the VM again; the destination de-associates and forgets it. */
    CompletableFuture<OpResult> migrateAbort(String name) {
        Vm vm = lifecycle.vm(name);
        if (vm.state == VmState.MIGRATING_OUT) {
            // source side: the VM keeps running here
            return lifecycle.step(vm, TsiState.ACTIVATED, VsiMode.ASSOCIATE, l -> List.of(MigrationTlv.notMigration()))
                    .thenCompose(r -> lifecycle.done(vm, VmState.RUNNING, "migration aborted", r));
        }
        return lifecycle.terminate(vm, "migration aborted");
    }
}
