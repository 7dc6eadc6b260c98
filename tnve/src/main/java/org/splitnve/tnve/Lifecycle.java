package org.splitnve.tnve;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.splitnve.tnve.TnveEngine.TsiState;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VnId;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;

/**
 * The VM lifecycle (RFC 7666 states, RFC 8394 section 2.2) mapped to VDP requests: create, adopt, start, pause,
 * suspend, resume, reconnect, shutdown and delete a VM; (de)activate or change addresses of its TSIs (REQ-8,
 * REQ-10); connect VNs explicitly (REQ-5, REQ-7). Each operation completes when every nNVE concerned answered.
 */
final class Lifecycle {
    private final Station station;
    private final Placement placement;
    private final Requests requests;
    private final Limits limits;

    Lifecycle(Station station, Placement placement, Requests requests, Limits limits) {
        this.station = station;
        this.placement = placement;
        this.requests = requests;
        this.limits = limits;
    }

    /** Runs one step on every (TSI, uplink) of a VM; completes when all answered. */
    CompletableFuture<OpResult> step(Vm vm, TsiState target, VsiMode mode, java.util.function.Function<Link, List<OrgTlv>> extras) {
        return steps(placement.links(vm), target, mode, extras);
    }

    /** Runs one step on some (TSI, uplink)s; completes when all answered (at once for none). */
    CompletableFuture<OpResult> steps(List<Link> links, TsiState target, VsiMode mode,
            java.util.function.Function<Link, List<OrgTlv>> extras) {
        Combine all = new Combine(links.size());
        for (Link l : links) {
            l.desired = target;
            requests.drive(l, target, mode, extras.apply(l), all);
        }
        return all.future;
    }

    void vmState(Vm vm, VmState to, String cause) {
        if (vm.state != to) {
            station.emit(new TnveEvent.VmStateChanged(vm.name, vm.state.name(), to.name(), cause));
            vm.state = to;
        }
    }

    Vm vm(String name) {
        Vm vm = station.vms.get(name);
        if (vm == null) {
            throw new IllegalArgumentException("no VM named '" + name + "'");
        }
        return vm;
    }

    static CompletableFuture<OpResult> refused(String why) {
        return CompletableFuture.completedFuture(OpResult.failed(Station.CODE_REFUSED, why));
    }

    /**
     * LC-CREATE, OPS-2: defines a VM and associates its TSIs while it is shut down. If any association
     * fails (a refusal or no answer), the others are undone and the VM is forgotten: a refused create
     * leaves nothing behind, and the same VM can be created again.
     */
    CompletableFuture<OpResult> create(String name, List<TsiSpec> tsis) {
        if (station.vms.containsKey(name)) {
            return refused("VM '" + name + "' exists");
        }
        CompletableFuture<OpResult> over = limits.checkLimits(name, "create", tsis);
        if (over != null) {
            return over; // OPS-3: nothing registered, nothing sent
        }
        Vm vm = new Vm(name, tsis, VmState.PREPARING);
        station.vms.put(name, vm);
        station.emit(new TnveEvent.VmStateChanged(name, "-", VmState.PREPARING.name(), "create"));
        return step(vm, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, l -> List.of(MigrationTlv.notMigration()))
                .thenCompose(r -> r.ok() ? done(vm, VmState.SHUTDOWN, "associated", r)
                        : rollback(vm, r, "association failed: " + r.detail()));
    }

    CompletableFuture<OpResult> done(Vm vm, VmState to, String cause, OpResult r) {
        vmState(vm, to, cause);
        return CompletableFuture.completedFuture(r);
    }

    /**
     * Undoes a refused create or migration prepare: every TSI is de-associated (also one whose answer
     * never came: the nNVE may hold it all the same) and the VM is forgotten. Answers {@code cause}.
     */
    CompletableFuture<OpResult> rollback(Vm vm, OpResult cause, String why) {
        return step(vm, TsiState.INIT, VsiMode.DE_ASSOCIATE, l -> List.of()).thenApply(x -> {
            vmState(vm, VmState.DESTROYED, why);
            forget(vm);
            return cause;
        });
    }

    /**
     * After a restart of this agent (REL-1): takes over a VM that exists on this hypervisor in the state it
     * is in, and re-announces its TSIs to the nNVEs (running, paused or leaving: activated; shut down,
     * suspended or arriving: associated). The nNVE kept them across the restart (session epoch,
     * docs/protocol.md 5.2): a TSI re-announced in time keeps its state and its traffic; what is not
     * re-announced is released.
     */
    CompletableFuture<OpResult> adopt(String name, List<TsiSpec> tsis, VmState state) {
        boolean active = state == VmState.RUNNING || state == VmState.PAUSED || state == VmState.MIGRATING_OUT;
        return adopt(name, tsis, state, active ? TsiState.ACTIVATED : TsiState.ASSOCIATED, null);
    }

    /**
     * REL-1: {@link #adopt(String, List, VmState)} with the state its TSIs were announced in
     * ({@link TnveEngine#wanted} when it was recorded): ACTIVATED, ASSOCIATED, or INIT for a VM shut down with its TSIs de-associated,
     * which sends nothing. {@code migration}: the live migration the VM was in, or null.
     */
    CompletableFuture<OpResult> adopt(String name, List<TsiSpec> tsis, VmState state, TsiState announce,
            UUID migration) {
        if (station.vms.containsKey(name)) {
            return refused("VM '" + name + "' exists");
        }
        if (state == VmState.PREPARING || state == VmState.DESTROYED) {
            return refused("a VM is adopted running, paused, suspended, shut down or migrating, not " + state);
        }
        if (announce == TsiState.INIT && state != VmState.SHUTDOWN) {
            return refused("only a shut-down VM is adopted with its TSIs de-associated, not a VM " + state);
        }
        CompletableFuture<OpResult> over = limits.checkLimits(name, "adopt", tsis);
        if (over != null) {
            return over;
        }
        Vm vm = new Vm(name, tsis, state);
        vm.migration = migration;
        station.vms.put(name, vm);
        station.emit(new TnveEvent.VmStateChanged(name, "-", state.name(), "adopted after a restart"));
        if (announce == TsiState.INIT) {
            return CompletableFuture.completedFuture(OpResult.OK);
        }
        boolean quiet = state == VmState.SUSPENDED || (state == VmState.MIGRATING_OUT && announce == TsiState.ASSOCIATED);
        return step(vm, announce, announce == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR, l -> {
            l.suspended = quiet;
            return List.of();
        });
    }

    /** True when every TSI of the VM is associated (or better) at every nNVE serving it. */
    boolean associated(String name) {
        Vm vm = vm(name);
        for (TsiSpec spec : vm.tsis) {
            for (Uplink up : placement.uplinksFor(spec.vnId())) {
                Link l = up.links.get(spec.id());
                if (l == null || l.confirmed == TsiState.INIT) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * LC-CREATE, OPS-2: start activates the TSIs; the VM runs only when they are activated. TSIs that are
     * not associated (the VM was shut down, or the nNVE de-associated them) are associated first, as create
     * does, each asking for a new local tag; if that fails the VM stays shut down.
     */
    CompletableFuture<OpResult> start(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.SHUTDOWN) {
            return refused("VM '" + name + "' is " + vm.state + ", not SHUTDOWN");
        }
        List<Link> unassociated = new ArrayList<>();
        for (Link l : placement.links(vm)) {
            l.suspended = false;
            if (l.confirmed == TsiState.INIT) {
                l.tag = 0; // the nNVE released it: another VN may use it now (REQ-7)
                unassociated.add(l);
            }
        }
        return steps(unassociated, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, l -> List.of(MigrationTlv.notMigration()))
                .thenCompose(a -> {
                    if (!a.ok()) {
                        return CompletableFuture.completedFuture(a);
                    }
                    if (vm.state != VmState.SHUTDOWN) {
                        return refused("VM '" + name + "' is " + vm.state + " now, not SHUTDOWN");
                    }
                    return step(vm, TsiState.ACTIVATED, VsiMode.ASSOCIATE, l -> List.of())
                            .thenCompose(r -> r.ok() ? done(vm, VmState.RUNNING, "activated", r)
                                    : CompletableFuture.completedFuture(r));
                });
    }

    /** LC-PAUSE: nothing changes at the nNVE. */
    CompletableFuture<OpResult> pause(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.RUNNING) {
            return refused("VM '" + name + "' is " + vm.state + ", not RUNNING");
        }
        vmState(vm, VmState.PAUSED, "pause");
        return CompletableFuture.completedFuture(OpResult.OK);
    }

    CompletableFuture<OpResult> unpause(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.PAUSED) {
            return refused("VM '" + name + "' is " + vm.state + ", not PAUSED");
        }
        vmState(vm, VmState.RUNNING, "unpause");
        return CompletableFuture.completedFuture(OpResult.OK);
    }

    /** LC-SUSPEND: Activated to Associated, resources kept (deactivate extension). */
    CompletableFuture<OpResult> suspend(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.RUNNING && vm.state != VmState.PAUSED) {
            return refused("VM '" + name + "' is " + vm.state);
        }
        return step(vm, TsiState.ASSOCIATED, VsiMode.PRE_ASSOCIATE_RR, l -> {
            l.suspended = true;
            return List.of(new DeactivateTlv(false, DeactivateTlv.Cause.SUSPEND));
        }).thenCompose(r -> {
            if (r.ok()) {
                return done(vm, VmState.SUSPENDED, "deactivated", r);
            }
            // refused (a standard bridge refuses Associate -> Pre-Associate): still running, not "suspended"
            for (Uplink up : station.uplinks) {
                for (Link l : up.links.values()) {
                    if (l.vm == vm && l.confirmed == TsiState.ACTIVATED) {
                        l.suspended = false;
                    }
                }
            }
            return CompletableFuture.completedFuture(r);
        });
    }

    /** LC-SUSPEND: resume activates again. */
    CompletableFuture<OpResult> resume(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.SUSPENDED) {
            return refused("VM '" + name + "' is " + vm.state + ", not SUSPENDED");
        }
        return step(vm, TsiState.ACTIVATED, VsiMode.ASSOCIATE, l -> {
            l.suspended = false;
            return List.of();
        }).thenCompose(r -> r.ok() ? done(vm, VmState.RUNNING, "activated", r) : CompletableFuture.completedFuture(r));
    }

    /**
     * OPS-2, REQ-9: brings back a VM whose TSIs the nNVE deactivated or de-associated on its own initiative
     * (the end device reports that and never undoes it behind the orchestrator's back). Every TSI not in the
     * state the VM's state asks for (running or paused: activated; suspended: associated) is associated and
     * activated again, a de-associated one asking for a new local tag; addresses the nNVE deactivated are
     * activated again. A VM whose TSIs are all as they should be sends nothing.
     */
    CompletableFuture<OpResult> reconnect(String name) {
        Vm vm = vm(name);
        TsiState target = switch (vm.state) {
            case RUNNING, PAUSED -> TsiState.ACTIVATED;
            case SUSPENDED -> TsiState.ASSOCIATED;
            case PREPARING, SHUTDOWN, MIGRATING_IN, MIGRATING_OUT, DESTROYED -> null;
        };
        if (target == null) {
            return refused("VM '" + name + "' is " + vm.state + "; reconnect needs RUNNING, PAUSED or SUSPENDED"
                    + (vm.state == VmState.SHUTDOWN ? " (start associates and activates a shut-down VM)" : ""));
        }
        List<Link> behind = new ArrayList<>();
        List<Link> partly = new ArrayList<>();
        for (Link l : placement.links(vm)) {
            if (l.confirmed != target) {
                if (l.confirmed == TsiState.INIT) {
                    l.tag = 0; // the nNVE released it: another VN may use it now (REQ-7)
                }
                l.suspended = vm.state == VmState.SUSPENDED;
                behind.add(l);
            } else if (target == TsiState.ACTIVATED && !l.inactive.isEmpty()) {
                partly.add(l);
            }
        }
        Combine all = new Combine(behind.size() + partly.size());
        for (Link l : behind) {
            l.desired = target;
            requests.drive(l, target, target == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR, List.of(), all);
        }
        for (Link l : partly) {
            // REQ-8: the addresses the nNVE deactivated, activated again (as activateAddresses does)
            List<TsiAddress> again = List.copyOf(l.inactive);
            List<OrgTlv> extras = new ArrayList<>(TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, station.transaction(),
                    again, Requests.FRAGMENT_BUDGET));
            extras.add(new DeactivateTlv(true, DeactivateTlv.Cause.ADMINISTRATIVE));
            requests.drive(l, TsiState.ACTIVATED, VsiMode.ASSOCIATE, extras, r -> {
                if (r.ok()) {
                    l.inactive = new ArrayList<>();
                }
                all.accept(r);
            });
        }
        return all.future;
    }

    /**
     * LC-TERMINATE, OPS-2: power-off de-associates every TSI that is associated; the VM stays defined here,
     * SHUTDOWN ({@link #start} runs it again, {@link #delete} forgets it). A VM shut down already sends
     * nothing.
     */
    CompletableFuture<OpResult> shutdown(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.RUNNING && vm.state != VmState.PAUSED && vm.state != VmState.SUSPENDED
                && vm.state != VmState.SHUTDOWN) {
            return refused("VM '" + name + "' is " + vm.state + "; shutdown needs RUNNING, PAUSED, SUSPENDED or SHUTDOWN"
                    + (vm.state == VmState.MIGRATING_IN || vm.state == VmState.MIGRATING_OUT ? " (migrate abort or"
                            + " finish ends a migration)" : ""));
        }
        return deassociate(vm).thenApply(r -> {
            vmState(vm, VmState.SHUTDOWN, r.ok() ? "de-associated" : "powered off; de-associate: " + r.detail());
            return r;
        });
    }

    /**
     * OPS-2: forgets a shut-down VM: it is no longer defined on this hypervisor (a TSI still associated,
     * e.g. a VM created and never started, is de-associated first). The VM is gone even when an nNVE does
     * not confirm that De-Associate (the answer says so).
     */
    CompletableFuture<OpResult> delete(String name) {
        Vm vm = vm(name);
        if (vm.state != VmState.SHUTDOWN) {
            return refused("VM '" + name + "' is " + vm.state + "; delete needs SHUTDOWN (shut it down first)");
        }
        vmState(vm, VmState.DESTROYED, "delete");
        return deassociate(vm).thenApply(r -> {
            forget(vm);
            return r;
        });
    }

    /** De-associates the (TSI, uplink)s of a VM that are associated or on their way; the others send nothing. */
    CompletableFuture<OpResult> deassociate(Vm vm) {
        List<Link> held = new ArrayList<>();
        for (Link l : placement.links(vm)) {
            l.suspended = false;
            if (l.confirmed != TsiState.INIT || l.pending != null || !l.next.isEmpty()) {
                held.add(l);
            } else {
                l.desired = TsiState.INIT;
            }
        }
        return steps(held, TsiState.INIT, VsiMode.DE_ASSOCIATE, l -> List.of());
    }

    /** LC-TERMINATE of a VM that leaves this hypervisor: de-associate every TSI, forget the VM. */
    CompletableFuture<OpResult> terminate(Vm vm, String cause) {
        return step(vm, TsiState.INIT, VsiMode.DE_ASSOCIATE, l -> List.of()).thenApply(r -> {
            vmState(vm, VmState.DESTROYED, cause);
            forget(vm);
            return r;
        });
    }

    void forget(Vm vm) {
        station.vms.remove(vm.name);
        for (Uplink up : station.uplinks) {
            for (TsiSpec s : vm.tsis) {
                Link l = up.links.get(s.id());
                if (l != null && l.vm == vm && l.pending == null) {
                    up.links.remove(s.id());
                    up.noticed.remove(l);
                }
            }
        }
    }

    /**
     * REQ-8: deactivates some addresses of an activated TSI (they stop forwarding, resources stay), at
     * every nNVE serving it; deactivating every address is a plain deactivate (the TSI is Associated).
     * Needs the deactivate and TSI addresses extensions.
     */
    CompletableFuture<OpResult> deactivateAddresses(String name, VsiId tsi, List<TsiAddress> addresses) {
        return partial(name, tsi, addresses, true);
    }

    /** REQ-8: activates again some addresses of an activated TSI that were deactivated. */
    CompletableFuture<OpResult> activateAddresses(String name, VsiId tsi, List<TsiAddress> addresses) {
        return partial(name, tsi, addresses, false);
    }

    /** The addresses a TSI has at an nNVE: its MAC and its IP addresses. */
    private static List<TsiAddress> all(TsiSpec spec) {
        List<TsiAddress> out = new ArrayList<>(1 + spec.ips().size());
        out.add(TsiAddress.mac(spec.mac()));
        out.addAll(spec.ips());
        return out;
    }

    CompletableFuture<OpResult> partial(String name, VsiId tsi, List<TsiAddress> addresses, boolean deactivate) {
        Vm vm = vm(name);
        TsiSpec spec = null;
        for (TsiSpec s : vm.tsis) {
            if (s.id().equals(tsi)) {
                spec = s;
            }
        }
        if (spec == null) {
            return refused("VM '" + name + "' has no TSI " + tsi);
        }
        if (addresses.isEmpty() || !all(spec).containsAll(addresses)) {
            return refused("not addresses of TSI " + tsi + ": " + addresses);
        }
        List<Uplink> ups = placement.uplinksFor(spec.vnId());
        Combine each = new Combine(ups.size());
        for (Uplink up : ups) {
            Link l = placement.link(vm, spec, up);
            if (!up.has(Feature.DEACTIVATE) || !up.has(Feature.TSI_ADDRESSES)) {
                each.accept(OpResult.failed(Station.CODE_REFUSED, up.cfg.name() + " does not support deactivating some addresses"));
                continue;
            }
            if (l.confirmed != TsiState.ACTIVATED) {
                each.accept(OpResult.failed(Station.CODE_REFUSED, "TSI " + tsi + " is " + l.confirmed + " at " + up.cfg.name() + ", not ACTIVATED"));
                continue;
            }
            List<TsiAddress> next = new ArrayList<>(l.inactive);
            if (deactivate) {
                for (TsiAddress a : addresses) {
                    if (!next.contains(a)) {
                        next.add(a);
                    }
                }
            } else {
                next.removeAll(addresses);
            }
            boolean whole = next.containsAll(all(spec));
            List<OrgTlv> extras = new ArrayList<>(TsiAddressTlv.split(TsiAddressTlv.Operation.REPLACE, station.transaction(),
                    addresses, Requests.FRAGMENT_BUDGET));
            extras.add(new DeactivateTlv(true, DeactivateTlv.Cause.ADMINISTRATIVE));
            requests.drive(l, whole ? TsiState.ASSOCIATED : TsiState.ACTIVATED,
                    deactivate ? VsiMode.PRE_ASSOCIATE_RR : VsiMode.ASSOCIATE, extras, r -> {
                        if (r.ok()) {
                            l.inactive = whole ? new ArrayList<>() : next;
                        }
                        each.accept(r);
                    });
        }
        return each.future;
    }

    /** Addresses of a TSI deactivated at one nNVE while the TSI is Activated. */
    List<TsiAddress> inactiveAddresses(String uplink, VsiId tsi) {
        Uplink up = station.uplinkByName.get(uplink);
        Link l = up == null ? null : up.links.get(tsi);
        return l == null ? List.of() : List.copyOf(l.inactive);
    }

    /**
     * REQ-10: adds, removes or replaces IP addresses of a TSI; the TSI's state does not change
     * (SM-TSI-6). Needs the TSI addresses extension on the nNVE.
     */
    CompletableFuture<OpResult> updateAddresses(String name, VsiId tsi, TsiAddressTlv.Operation op,
            List<TsiAddress> addresses) {
        Vm vm = vm(name);
        TsiSpec spec = null;
        for (TsiSpec s : vm.tsis) {
            if (s.id().equals(tsi)) {
                spec = s;
            }
        }
        if (spec == null) {
            return refused("VM '" + name + "' has no TSI " + tsi);
        }
        // an ordered set: linear in the addresses however many there are (SEC-6)
        java.util.LinkedHashSet<TsiAddress> next = new java.util.LinkedHashSet<>(spec.ips());
        switch (op) {
            case ADD -> next.addAll(addresses);
            case REMOVE -> addresses.forEach(next::remove);
            case REPLACE -> {
                next.clear();
                next.addAll(addresses);
            }
        }
        long count = 1L + next.size();
        long named = 1L + addresses.size(); // what the change itself carries: never more than a TSI may hold
        for (Uplink up : placement.uplinksFor(spec.vnId())) {
            long max = Limits.limit(up, CapabilityTlv.Limit.ADDRESSES_PER_TSI);
            if (count > max || named > max) {
                // OPS-3: refused before anything is sent; the TSI keeps its addresses
                return limits.overLimit(name, tsi.toString(), up, "addresses", CapabilityTlv.Limit.ADDRESSES_PER_TSI,
                        Math.max(count, named), count > max ? "TSI " + tsi + " would have " + count
                                + " addresses (its MAC and " + next.size() + " IP addresses)"
                                : "the change names " + addresses.size() + " addresses, more than TSI " + tsi + " may have");
            }
        }
        List<TsiAddress> ips = new ArrayList<>(next);
        TsiSpec updated = spec.withIps(ips);
        List<TsiSpec> list = new ArrayList<>(vm.tsis);
        list.replaceAll(s -> s.id().equals(tsi) ? updated : s);
        vm.tsis = List.copyOf(list);
        CompletableFuture<OpResult> f = new CompletableFuture<>();
        List<Uplink> ups = placement.uplinksFor(updated.vnId());
        int[] left = {ups.size()};
        int[] applied = {0};
        OpResult[] first = {null};
        TsiSpec before = spec;
        Runnable finish = () -> {
            if (first[0] != null && applied[0] == 0) {
                // No nNVE took the change: the TSI keeps the addresses it had (what the nNVEs hold).
                unupdate(vm, before, updated);
            }
            f.complete(first[0] == null ? OpResult.OK : first[0]);
        };
        for (Uplink up : ups) {
            Link l = placement.link(vm, updated, up);
            if (!up.has(Feature.TSI_ADDRESSES)) {
                if (first[0] == null) {
                    first[0] = OpResult.failed(Station.CODE_REFUSED, up.cfg.name() + " does not support the TSI addresses extension");
                }
                if (--left[0] == 0) {
                    finish.run();
                }
                continue;
            }
            TsiState s = l.confirmed;
            List<OrgTlv> frags = new ArrayList<>(TsiAddressTlv.split(op, station.transaction(), addresses, Requests.FRAGMENT_BUDGET));
            requests.drive(l, s, s == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR, frags, r -> {
                if (r.ok()) {
                    applied[0]++;
                } else if (first[0] == null) {
                    first[0] = r;
                }
                if (--left[0] == 0) {
                    finish.run();
                }
            });
        }
        return f;
    }

    /**
     * Puts a TSI's spec back where a refused address change replaced it. By identity, not equality: only
     * where the very spec this change put in is still in place. A later change's spec stays, also one equal
     * to it (the same change asked again while the first was under way), hence an identity map.
     */
    void unupdate(Vm vm, TsiSpec before, TsiSpec updated) {
        IdentityHashMap<TsiSpec, TsiSpec> undo = new IdentityHashMap<>(2);
        undo.put(updated, before);
        List<TsiSpec> list = new ArrayList<>(vm.tsis);
        list.replaceAll(s -> undo.getOrDefault(s, s));
        vm.tsis = List.copyOf(list);
        for (Uplink up : station.uplinks) {
            Link l = up.links.get(before.id());
            if (l != null && undo.containsKey(l.spec)) {
                l.spec = before;
            }
        }
    }

    /**
     * REQ-5, REQ-7: connects a VN explicitly, before any TSI of it, on every nNVE that serves it, and
     * asks for local tags (0: "assign one"). Needs the VN connect extension.
     */
    CompletableFuture<OpResult> connectVn(long vn, List<Integer> tags) {
        return vnOp(vn, VnConnectTlv.Operation.CONNECT, tags);
    }

    /** REQ-5: disconnects a VN explicitly (its TSIs must be gone for the nNVE to release it). */
    CompletableFuture<OpResult> disconnectVn(long vn) {
        return vnOp(vn, VnConnectTlv.Operation.DISCONNECT, List.of());
    }

    CompletableFuture<OpResult> vnOp(long vn, VnConnectTlv.Operation op, List<Integer> tags) {
        List<Uplink> ups = placement.uplinksFor(vn);
        Combine each = new Combine(ups.size());
        for (Uplink up : ups) {
            Runnable go = () -> {
                if (!up.has(Feature.VN_CONNECT)) {
                    each.accept(OpResult.failed(Station.CODE_REFUSED, up.cfg.name() + " does not support explicit VN connect"));
                    return;
                }
                if (up.vnPending.containsKey(vn)) {
                    each.accept(OpResult.failed(Station.CODE_REFUSED, "a VN connect for " + vn + " is already in flight"));
                    return;
                }
                up.vnPending.put(vn, each);
                VnConnectTlv item = VnConnectTlv.request(op, VnId.group(vn), tags);
                up.ecp.submit(item, new VnSent(up, vn, item));
            };
            if (up.ready) {
                go.run();
            } else {
                up.hold(go, each);
            }
        }
        return each.future;
    }
}
