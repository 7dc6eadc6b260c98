package org.splitnve.demo;

import static org.splitnve.demo.Plan.H1;
import static org.splitnve.demo.Plan.H2;
import static org.splitnve.demo.Plan.H3;
import static org.splitnve.demo.Plan.NNVE_A;
import static org.splitnve.demo.Plan.NNVE_B;
import static org.splitnve.demo.Plan.VM_APP;
import static org.splitnve.demo.Plan.VM_BATCH;
import static org.splitnve.demo.Plan.VM_DB;
import static org.splitnve.demo.Plan.VM_MGMT;
import static org.splitnve.demo.Plan.VM_WEB;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.Vap;
import org.splitnve.nva.Churn;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.Nva;
import org.splitnve.nva.service.MobilitySeq;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;

/**
 * The story the demo plays: every step says what happens and which requirements and lifecycle steps
 * of REQUIREMENTS.md it shows, does it through the daemons' engines, and names what the network must
 * then hold. The demo checks that after each step and stops, naming the step, when it does not.
 */
final class Lifecycle {
    /** What a step does, through the daemons. */
    interface Action {
        void run(Ops ops) throws Exception;
    }

    /** What must hold after a step: null when it does, else what is wrong. */
    interface Check {
        String problem(World w);
    }

    /** The daemons, as a step drives them (each call on the engine's own thread). */
    interface Ops {
        /** Starts the nNVE daemons, then the tNVE daemons, each from the configuration text of its node. */
        void startDaemons() throws Exception;

        /** Runs a tNVE operation and waits for the nNVEs' answers; an operation refused fails the step. */
        void tnve(String host, String what, Function<TnveEngine, CompletableFuture<OpResult>> op) throws Exception;

        /** Runs something on an nNVE's engine; its result. */
        <T> T nnve(String nnve, Function<NnveEngine, T> op) throws Exception;

        /**
         * Waits, with a deadline, until {@code condition} holds of the nNVE's view of the NVA (its replica, read on
         * its engine thread): a step that needs what the NVA propagated (never a sleep); fails naming {@code what}.
         */
        void await(String what, String nnve, Predicate<Nva> condition) throws Exception;

        World world() throws Exception;

        /**
         * With tenant traffic, a ping every 10 ms from {@code from} to {@code to} until {@link #pingEnd}; without, nothing.
         */
        void pingStart(Plan.Vm from, Plan.Vm to) throws Exception;

        /**
         * With tenant traffic, the VM's pause in a live migration: its NIC's hypervisor end leaves {@code from}'s switch
         * and joins {@code to}'s (the VM has no link meanwhile); without, nothing.
         */
        void pause(Plan.Vm vm, String from, String to) throws Exception;

        /** Ends the ping {@link #pingStart} started once it has been answered after the last pause, and says what it saw. */
        void pingEnd() throws Exception;
    }

    /**
     * What must reach what on the data plane once a step's state holds, checked with pings where tenant frames flow
     * (as root, with Open vSwitch): {@code passes} false means that no ping may be answered.
     */
    record Probe(Plan.Vm from, Plan.Vm to, boolean passes, String why) {
    }

    /**
     * A step; {@code traffic}: the probes of the data plane after it (empty: none).
     */
    record Step(String name, String title, String requirements, String narration, Action action, List<Check> expect,
            List<Probe> traffic) {
        Step {
            expect = List.copyOf(expect);
            traffic = List.copyOf(traffic);
        }

        /** A step without probes of the data plane. */
        Step(String name, String title, String requirements, String narration, Action action, List<Check> expect) {
            this(name, title, requirements, narration, action, expect, List.of());
        }
    }

    private static Probe passes(Plan.Vm from, Plan.Vm to, String why) {
        return new Probe(from, to, true, why);
    }

    private static Probe blocked(Plan.Vm from, Plan.Vm to, String why) {
        return new Probe(from, to, false, why);
    }

    /** vm-web's churn at nnve-a before it moves within nnve-a (SM-TSI-7: it must not change). */
    private Churn webChurnBefore = Churn.NONE;
    /** vm-web's mobility sequence number at the NVA before it moves to another nNVE (NVA-6: it must move up). */
    private long webSeqBefore = -1;

    List<Step> steps() {
        List<Step> s = new ArrayList<>();
        s.add(new Step("network", "the network comes up", "REQ-1, REQ-2, REQ-3, REQ-12, GAP-1",
                "The NVA starts (splitnve nva, in this process): it defines the three VNs and knows both nNVEs, each"
                        + " with its own token. The daemons of two External NVEs start as its clients and wait until their"
                        + " replicas hold its state; then three hypervisors' tNVEs start. h1 and h2 sit behind one ordinary Ethernet switch and"
                        + " share nnve-a's port p0; h2 also has a cable to nnve-b. Each tNVE says hello with its"
                        + " extensions: h1 sends VDP to nnve-a's own MAC, h2 to a multicast group nnve-a's port joined,"
                        + " the others to the nearest-customer-bridge address.",
                Ops::startDaemons,
                List.of(peers(NNVE_A, H1, H2), peers(NNVE_B, H3, H2))));
        s.add(new Step("create", "create vm-web and vm-batch on h1, vm-db and vm-mgmt on h2, vm-app on h3",
                "LC-CREATE, REQ-5, REQ-7, SM-VAP-1, SM-VAP-2, SM-TSI-2, REQ-3, DP-2",
                "Five VMs are defined, one TSI each, on three VNs. The tNVEs associate the TSIs while the VMs are"
                        + " still shut down; the first TSI of a VN connects the VN at the port and the nNVE picks a"
                        + " local tag from the port scope's pool and tells the NVA. vm-mgmt's VN is placed on h2's"
                        + " uplink to nnve-b: h2 uses both nNVEs, one per VN. Associated: resources reserved, mapping"
                        + " entries at the NVA, no traffic yet.",
                each("create", (e, vm) -> e.create(vm.name(), List.of(vm.tsi())), on(H1, VM_WEB), on(H2, VM_DB),
                        on(H2, VM_MGMT), on(H3, VM_APP), on(H1, VM_BATCH)),
                List.of(tsi(NNVE_A, VM_WEB, H1, TsiState.ASSOCIATED), tsi(NNVE_A, VM_DB, H2, TsiState.ASSOCIATED),
                        tsi(NNVE_B, VM_MGMT, H2, TsiState.ASSOCIATED), tsi(NNVE_B, VM_APP, H3, TsiState.ASSOCIATED),
                        tsi(NNVE_A, VM_BATCH, H1, TsiState.ASSOCIATED), vm(H1, VM_WEB, VmState.SHUTDOWN),
                        vm(H2, VM_DB, VmState.SHUTDOWN), vm(H2, VM_MGMT, VmState.SHUTDOWN),
                        vm(H3, VM_APP, VmState.SHUTDOWN), vm(H1, VM_BATCH, VmState.SHUTDOWN),
                        vap(NNVE_A, Plan.WEB), vap(NNVE_A, Plan.DB), vap(NNVE_B, Plan.MGMT), vap(NNVE_B, Plan.WEB),
                        nva(NNVE_A, Plan.WEB, 2, 0), nva(NNVE_B, Plan.MGMT, 2, 0), nva(NNVE_B, Plan.WEB, 2, 0),
                        nva(NNVE_A, Plan.DB, 4, 0)),
                List.of(blocked(VM_WEB, VM_APP, "both Associated, not Activated: nothing passes (DP-2)"))));
        s.add(new Step("start", "start the five VMs", "LC-CREATE, SM-TSI-3, DP-1, DP-2, DP-3",
                "The VMs start: the tNVEs activate their TSIs and the VMs run only once the nNVEs have confirmed;"
                        + " the NVA turns the mapping entries into forwarding entries. Now traffic flows: vm-web (h1,"
                        + " nnve-a) and vm-app (h3, nnve-b) reach each other across the overlay (VXLAN between the nNVEs,"
                        + " VNI 10500); vm-batch (h1) and vm-db (h2) across the switch in front of nnve-a. vm-db, in"
                        + " another VN but in the same IPv4 subnet, reaches neither vm-web nor vm-app.",
                each("start", (e, vm) -> e.start(vm.name()), on(H1, VM_WEB), on(H2, VM_DB), on(H2, VM_MGMT),
                        on(H3, VM_APP), on(H1, VM_BATCH)),
                List.of(tsi(NNVE_A, VM_WEB, H1, TsiState.ACTIVATED), tsi(NNVE_A, VM_DB, H2, TsiState.ACTIVATED),
                        tsi(NNVE_B, VM_MGMT, H2, TsiState.ACTIVATED), tsi(NNVE_B, VM_APP, H3, TsiState.ACTIVATED),
                        tsi(NNVE_A, VM_BATCH, H1, TsiState.ACTIVATED), vm(H1, VM_WEB, VmState.RUNNING),
                        vm(H2, VM_DB, VmState.RUNNING), vm(H2, VM_MGMT, VmState.RUNNING),
                        vm(H3, VM_APP, VmState.RUNNING), vm(H1, VM_BATCH, VmState.RUNNING),
                        nva(NNVE_A, Plan.WEB, 0, 2), nva(NNVE_A, Plan.DB, 0, 4), nva(NNVE_B, Plan.MGMT, 0, 2),
                        nva(NNVE_B, Plan.WEB, 0, 2)),
                List.of(passes(VM_WEB, VM_APP, "h1 -> nnve-a -> VXLAN -> nnve-b -> h3 (DP-1)"),
                        passes(VM_APP, VM_WEB, "and back"),
                        passes(VM_BATCH, VM_DB, "h1 -> h2, both behind nnve-a's port p0"),
                        blocked(VM_DB, VM_WEB, "another VN: nothing crosses (DP-3)"),
                        blocked(VM_DB, VM_APP, "another VN, behind the other nNVE (DP-3)"))));
        s.add(new Step("pause", "pause vm-db on h2", "LC-PAUSE, DP-4",
                "vm-db is paused: nothing is said to the nNVE, its TSI stays Activated; h2's switch passes nothing"
                        + " for a VM that does not run.",
                ops -> ops.tnve(H2, "pause vm-db", e -> e.pause(VM_DB.name())),
                List.of(vm(H2, VM_DB, VmState.PAUSED), tsi(NNVE_A, VM_DB, H2, TsiState.ACTIVATED),
                        nva(NNVE_A, Plan.DB, 0, 4)),
                List.of(blocked(VM_BATCH, VM_DB, "paused: h2's switch passes nothing for it (DP-4)"))));
        s.add(new Step("suspend", "suspend vm-db on h2", "LC-SUSPEND, GAP-8, REQ-8, SM-TSI-4, DP-2",
                "vm-db is suspended: its TSI goes from Activated back to Associated without being released (the"
                        + " deactivate extension); the NVA keeps the addresses as mapping entries, the tag stays.",
                ops -> ops.tnve(H2, "suspend vm-db", e -> e.suspend(VM_DB.name())),
                List.of(vm(H2, VM_DB, VmState.SUSPENDED), tsi(NNVE_A, VM_DB, H2, TsiState.ASSOCIATED),
                        nva(NNVE_A, Plan.DB, 2, 2), vap(NNVE_A, Plan.DB)),
                List.of(blocked(VM_BATCH, VM_DB, "deactivated: nothing passes (DP-2)"))));
        s.add(new Step("resume", "resume vm-db on h2", "LC-SUSPEND, DP-2",
                "vm-db resumes: its TSI is activated again, the NVA forwards to it again.",
                ops -> ops.tnve(H2, "resume vm-db", e -> e.resume(VM_DB.name())),
                List.of(vm(H2, VM_DB, VmState.RUNNING), tsi(NNVE_A, VM_DB, H2, TsiState.ACTIVATED),
                        nva(NNVE_A, Plan.DB, 0, 4)),
                List.of(passes(VM_BATCH, VM_DB, "Activated again"))));
        s.add(new Step("move-prepare", "live migration of vm-web h1 -> h2 (same nNVE port): prepare",
                "LC-MIGRATE, REQ-13, SM-TSI-7, REQ-2",
                "vm-web moves from h1 to h2, two hypervisors behind the same nNVE port, while it pings vm-app every"
                        + " 10 ms (with traffic). h2 associates the TSI with"
                        + " the migration-arrival hint before the VM runs there: nnve-a now holds two instances of"
                        + " one TSI on port p0, told apart by station; the NVA still points at h1's.",
                ops -> {
                    webChurnBefore = ops.world().nnves().get(NNVE_A).nva(Plan.WEB.id()).churn();
                    ops.pingStart(VM_WEB, VM_APP);
                    ops.tnve(H2, "migrate prepare vm-web",
                            e -> e.migratePrepare(VM_WEB.name(), List.of(VM_WEB.tsi()), Plan.MIGRATION_1));
                },
                List.of(tsi(NNVE_A, VM_WEB, H1, TsiState.ACTIVATED), tsi(NNVE_A, VM_WEB, H2, TsiState.ASSOCIATED),
                        owns(NNVE_A, VM_WEB, H1), vm(H1, VM_WEB, VmState.RUNNING),
                        vm(H2, VM_WEB, VmState.MIGRATING_IN))));
        s.add(new Step("move-switch", "live migration of vm-web h1 -> h2: switch over", "LC-MIGRATE, REQ-13, LC-MCAST",
                "The VM stops running on h1 and runs on h2 (its NIC moves from h1's switch to h2's: the VM's"
                        + " pause): h2 activates with the arrival hint while h1's TSI is"
                        + " still Activated (make-before-break, the VM never runs on both); the NVA entries pass to"
                        + " h2's instance and nnve-a triggers re-learning toward the VM.",
                ops -> {
                    ops.tnve(H1, "migrate start vm-web", e -> e.migrateStart(VM_WEB.name(), Plan.MIGRATION_1));
                    ops.pause(VM_WEB, H1, H2);
                    ops.tnve(H2, "migrate activate vm-web", e -> e.migrateActivate(VM_WEB.name()));
                },
                List.of(tsi(NNVE_A, VM_WEB, H2, TsiState.ACTIVATED), tsi(NNVE_A, VM_WEB, H1, TsiState.ACTIVATED),
                        owns(NNVE_A, VM_WEB, H2), vm(H1, VM_WEB, VmState.MIGRATING_OUT),
                        vm(H2, VM_WEB, VmState.RUNNING))));
        s.add(new Step("move-finish", "live migration of vm-web h1 -> h2: finish", "LC-MIGRATE, LC-TERMINATE, SM-TSI-7",
                "h1 deactivates its TSI with the departure hint, then de-associates it. Same nNVE, same port: the"
                        + " NVA saw no address removed and none added (no churn), only the station changed.",
                ops -> {
                    ops.tnve(H1, "migrate depart vm-web", e -> e.migrateDepart(VM_WEB.name(), Plan.MIGRATION_1));
                    ops.tnve(H1, "migrate finish vm-web", e -> e.migrateFinish(VM_WEB.name()));
                    ops.pingEnd();
                },
                List.of(only(NNVE_A, VM_WEB, H2, TsiState.ACTIVATED), noVm(H1, VM_WEB), nva(NNVE_A, Plan.WEB, 0, 2),
                        noChurn(NNVE_A, Plan.WEB)),
                List.of(passes(VM_APP, VM_WEB, "vm-web at h2 now (DP-5)"))));
        s.add(new Step("cross-prepare", "live migration of vm-web h2 -> h3 (another nNVE): prepare",
                "LC-MIGRATE, REQ-13, REQ-5, REQ-7",
                "vm-web moves on to h3, behind the other nNVE, pinging vm-app every 10 ms again (with traffic). h3"
                        + " associates at nnve-b with the arrival hint; VN 5000 is connected in nnve-b's port scope"
                        + " already (vm-app), with a tag from nnve-b's own pool.",
                ops -> {
                    webSeqBefore = seqAt(ops.world(), VM_WEB, NNVE_A);
                    ops.pingStart(VM_WEB, VM_APP);
                    ops.tnve(H3, "migrate prepare vm-web",
                            e -> e.migratePrepare(VM_WEB.name(), List.of(VM_WEB.tsi()), Plan.MIGRATION_2));
                },
                List.of(tsi(NNVE_B, VM_WEB, H3, TsiState.ASSOCIATED), tsi(NNVE_A, VM_WEB, H2, TsiState.ACTIVATED),
                        vap(NNVE_B, Plan.WEB), vm(H3, VM_WEB, VmState.MIGRATING_IN),
                        placed(VM_WEB, NNVE_A, EntryState.FORWARDING))));
        s.add(new Step("cross-switch", "live migration of vm-web h2 -> h3: switch over", "LC-MIGRATE, LC-MCAST",
                "The VM stops on h2 and runs on h3 (its NIC moves to h3's switch): nnve-b activates it while h2's"
                        + " TSI is still Activated at nnve-a"
                        + " (make-before-break). nnve-b reports it to the NVA with a higher mobility sequence number: the"
                        + " NVA now forwards vm-web's addresses to nnve-b and withdraws them from nnve-a's entry (NVA-6).",
                ops -> {
                    ops.tnve(H2, "migrate start vm-web", e -> e.migrateStart(VM_WEB.name(), Plan.MIGRATION_2));
                    ops.pause(VM_WEB, H2, H3);
                    ops.tnve(H3, "migrate activate vm-web", e -> e.migrateActivate(VM_WEB.name()));
                },
                List.of(tsi(NNVE_B, VM_WEB, H3, TsiState.ACTIVATED), tsi(NNVE_A, VM_WEB, H2, TsiState.ACTIVATED),
                        vm(H2, VM_WEB, VmState.MIGRATING_OUT), vm(H3, VM_WEB, VmState.RUNNING),
                        placed(VM_WEB, NNVE_B, EntryState.FORWARDING), newerSeq(VM_WEB, NNVE_B),
                        withdrawn(VM_WEB, NNVE_A), nva(NNVE_B, Plan.WEB, 0, 4))));
        s.add(new Step("cross-finish", "live migration of vm-web h2 -> h3: finish",
                "LC-MIGRATE, LC-TERMINATE, SM-TSI-5, SM-VAP-3",
                "h2 departs once nnve-a knows, from its replica of the NVA, that vm-web is Activated at nnve-b"
                        + " (nnve-a answers the departure ARRIVED: make-before-break), then de-associates: vm-web's TSI"
                        + " is gone from nnve-a, the NVA forgets nnve-a's entry, and VN 5000 (no TSI left at nnve-a) is"
                        + " disconnected: its tag returns to the pool.",
                ops -> {
                    ops.await("nnve-a's replica of the NVA showing vm-web Activated at nnve-b", NNVE_A,
                            nva -> nva.bindings(VM_WEB.tsi().id()).stream().anyMatch(b -> b.instance().nve()
                                    .name().equals(NNVE_B) && b.state() == EntryState.FORWARDING));
                    ops.tnve(H2, "migrate depart vm-web", e -> e.migrateDepart(VM_WEB.name(), Plan.MIGRATION_2));
                    ops.tnve(H2, "migrate finish vm-web", e -> e.migrateFinish(VM_WEB.name()));
                    ops.pingEnd();
                },
                List.of(none(NNVE_A, VM_WEB), noVap(NNVE_A, Plan.WEB), nva(NNVE_A, Plan.WEB, 0, 0), noVm(H2, VM_WEB),
                        only(NNVE_B, VM_WEB, H3, TsiState.ACTIVATED), nva(NNVE_B, Plan.WEB, 0, 4),
                        placedOnly(VM_WEB, NNVE_B, EntryState.FORWARDING)),
                List.of(passes(VM_APP, VM_WEB, "both on h3 now, one local tag: h3's switch joins them (DP-4)"),
                        blocked(VM_BATCH, VM_WEB, "another VN (DP-3)"))));
        s.add(new Step("address", "vm-web gets an IPv6 address", "REQ-10, SM-TSI-6, GAP-10",
                "An IPv6 address is added to vm-web's TSI (the TSI addresses extension): the TSI stays Activated,"
                        + " the NVA learns the new address.",
                ops -> ops.tnve(H3, "add 2001:db8:50::11 to vm-web", e -> e.updateAddresses(VM_WEB.name(),
                        VM_WEB.tsi().id(), TsiAddressTlv.Operation.ADD, List.of(Plan.WEB_IPV6))),
                List.of(hasIp(NNVE_B, VM_WEB, Plan.WEB_IPV6), only(NNVE_B, VM_WEB, H3, TsiState.ACTIVATED),
                        nva(NNVE_B, Plan.WEB, 0, 5))));
        s.add(new Step("nnve-deactivate", "nnve-b deactivates vm-mgmt on its own", "REQ-9, GAP-8, SEC-3",
                "nnve-b, on its own initiative (an administrator, a policy), deactivates vm-mgmt's TSI: Activated"
                        + " to Associated, resources kept; h2 learns it and reports it to its orchestrator.",
                ops -> {
                    int n = ops.nnve(NNVE_B, e -> e.deactivate(VM_MGMT.tsi().id(), "demo: administrator's decision"));
                    if (n != 1) {
                        throw new IllegalStateException("nnve-b deactivated " + n + " instances of vm-mgmt's TSI, not 1");
                    }
                },
                List.of(tsi(NNVE_B, VM_MGMT, H2, TsiState.ASSOCIATED), link(H2, VM_MGMT, NNVE_B,
                        TnveEngine.TsiState.ASSOCIATED), nva(NNVE_B, Plan.MGMT, 2, 0))));
        s.add(new Step("reconnect", "h2 brings vm-mgmt back", "OPS-2, REQ-9",
                "The orchestrator, told of nnve-b's decision, brings vm-mgmt back with one command (vm reconnect):"
                        + " h2 activates its TSI again, the NVA forwards to it again.",
                ops -> ops.tnve(H2, "reconnect vm-mgmt", e -> e.reconnect(VM_MGMT.name())),
                List.of(tsi(NNVE_B, VM_MGMT, H2, TsiState.ACTIVATED), link(H2, VM_MGMT, NNVE_B,
                        TnveEngine.TsiState.ACTIVATED), nva(NNVE_B, Plan.MGMT, 0, 2))));
        s.add(new Step("shutdown", "shut every VM down", "LC-TERMINATE, SM-TSI-5, SM-VAP-3, OPS-2, DP-2",
                "Every VM powers off: each TSI is de-associated, every VN's tag returns to its pool and the NVA"
                        + " forgets every entry; the hypervisors keep the VMs, shut down (libvirt's meaning).",
                each("shutdown", (e, vm) -> e.shutdown(vm.name()), on(H3, VM_WEB), on(H2, VM_DB), on(H2, VM_MGMT),
                        on(H3, VM_APP), on(H1, VM_BATCH)),
                List.of(empty(NNVE_A), empty(NNVE_B), vm(H3, VM_WEB, VmState.SHUTDOWN), vm(H2, VM_DB, VmState.SHUTDOWN),
                        vm(H2, VM_MGMT, VmState.SHUTDOWN), vm(H3, VM_APP, VmState.SHUTDOWN),
                        vm(H1, VM_BATCH, VmState.SHUTDOWN)),
                List.of(blocked(VM_APP, VM_WEB, "de-associated: nothing passes (DP-2)"))));
        s.add(new Step("delete", "delete every VM", "OPS-2",
                "The shut-down VMs are deleted: the hypervisors forget them; nothing was left to de-associate.",
                each("delete", (e, vm) -> e.delete(vm.name()), on(H3, VM_WEB), on(H2, VM_DB), on(H2, VM_MGMT),
                        on(H3, VM_APP), on(H1, VM_BATCH)),
                List.of(empty(NNVE_A), empty(NNVE_B), noVm(H3, VM_WEB), noVm(H2, VM_DB), noVm(H2, VM_MGMT),
                        noVm(H3, VM_APP), noVm(H1, VM_BATCH))));
        return s;
    }

    /** A VM on a hypervisor. */
    private record Placed(String host, Plan.Vm vm) {
    }

    private static Placed on(String host, Plan.Vm vm) {
        return new Placed(host, vm);
    }

    /** One operation on several VMs, one after the other. */
    private static Action each(String verb, java.util.function.BiFunction<TnveEngine, Plan.Vm,
            CompletableFuture<OpResult>> op, Placed... placed) {
        return ops -> {
            for (Placed p : placed) {
                ops.tnve(p.host(), verb + " " + p.vm().name(), e -> op.apply(e, p.vm()));
            }
        };
    }

    // ------------------------------------------------------------------ checks

    private static World.TsiRow instance(World w, String nnve, Plan.Vm vm, String host) {
        MacAddress station = Plan.stationMac(host, nnve);
        for (World.TsiRow r : w.nnves().get(nnve).instances(vm.tsi().id())) {
            if (r.station().equals(station)) {
                return r;
            }
        }
        return null;
    }

    /** REQ-2: the nNVE knows exactly these hypervisors as peers, each on the port its plan says. */
    static Check peers(String nnve, String... hosts) {
        return w -> {
            List<String> want = new ArrayList<>();
            for (String h : hosts) {
                want.add(h + "@" + portOf(nnve, h));
            }
            List<String> have = new ArrayList<>();
            for (World.PeerRow p : w.nnves().get(nnve).peers()) {
                have.add(Plan.station(p.station()) + "@" + Plan.portName(nnve, p.port()));
            }
            return have.containsAll(want) && want.containsAll(have) ? null
                    : nnve + " has peers " + have + ", expected " + want;
        };
    }

    private static String portOf(String nnve, String host) {
        for (Plan.Uplink u : Plan.uplinks(host)) {
            if (u.nnve().equals(nnve)) {
                return u.nnvePort().name();
            }
        }
        return "?";
    }

    static Check tsi(String nnve, Plan.Vm vm, String host, TsiState state) {
        return w -> {
            World.TsiRow r = instance(w, nnve, vm, host);
            if (r == null) {
                return nnve + " has no TSI of " + vm.name() + " from " + host + ", expected one " + state;
            }
            return r.state() == state ? null : nnve + ": " + vm.name() + " from " + host + " is " + r.state()
                    + ", expected " + state;
        };
    }

    /** The TSI has exactly one instance at the nNVE, from {@code host}, in {@code state}. */
    static Check only(String nnve, Plan.Vm vm, String host, TsiState state) {
        Check one = tsi(nnve, vm, host, state);
        return w -> {
            int n = w.nnves().get(nnve).instances(vm.tsi().id()).size();
            return n != 1 ? nnve + " has " + n + " instances of " + vm.name() + "'s TSI, expected 1" : one.problem(w);
        };
    }

    static Check none(String nnve, Plan.Vm vm) {
        return w -> {
            int n = w.nnves().get(nnve).instances(vm.tsi().id()).size();
            return n == 0 ? null : nnve + " still has " + n + " instance(s) of " + vm.name() + "'s TSI";
        };
    }

    /** SM-TSI-7: this instance holds the TSI's NVA entries. */
    static Check owns(String nnve, Plan.Vm vm, String host) {
        return w -> {
            World.TsiRow r = instance(w, nnve, vm, host);
            return r != null && r.ownsNva() ? null : nnve + ": " + vm.name() + " from " + host
                    + " does not hold the NVA entries";
        };
    }

    static Check vm(String host, Plan.Vm vm, VmState state) {
        return w -> {
            World.VmRow r = w.tnves().get(host).vm(vm.name());
            if (r == null) {
                return host + " has no VM " + vm.name() + ", expected it " + state;
            }
            return r.state() == state ? null : host + ": " + vm.name() + " is " + r.state() + ", expected " + state;
        };
    }

    static Check noVm(String host, Plan.Vm vm) {
        return w -> w.tnves().get(host).vm(vm.name()) == null ? null : host + " still has " + vm.name();
    }

    /** The TSI's state at an uplink as the tNVE knows it (REQ-9: it learns what the nNVE did). */
    static Check link(String host, Plan.Vm vm, String uplink, TnveEngine.TsiState state) {
        return w -> {
            World.VmRow r = w.tnves().get(host).vm(vm.name());
            if (r == null) {
                return host + " has no VM " + vm.name();
            }
            for (World.LinkRow l : r.links()) {
                if (l.uplink().equals(uplink)) {
                    return l.state() == state ? null : host + " sees " + vm.name() + " " + l.state() + " at " + uplink
                            + ", expected " + state;
                }
            }
            return host + " sees " + vm.name() + " INIT at " + uplink + ", expected " + state;
        };
    }

    /** REQ-7, SM-VAP-1: the VN is connected in the scope with a local tag from the scope's pool. */
    static Check vap(String nnve, Plan.Vn vn) {
        return w -> {
            for (World.VapRow v : w.nnves().get(nnve).vaps()) {
                if (v.vn() == vn.id() && v.state() == Vap.State.VN_CONNECTED) {
                    BitSet pool = pool(nnve, v.scope());
                    boolean inPool = !v.tags().isEmpty() && v.tags().stream().allMatch(pool::get);
                    return inPool && v.vni() == vn.vni() ? null : nnve + ": VN " + vn.id() + " has tags " + v.tags()
                            + " and VNI " + v.vni() + ", expected a tag from the pool of " + v.scope() + " and VNI "
                            + vn.vni();
                }
            }
            return nnve + ": VN " + vn.id() + " is not connected";
        };
    }

    private static BitSet pool(String nnve, String scope) {
        BitSet b = new BitSet();
        for (Plan.NnvePort p : Plan.nnvePorts(nnve)) {
            if (p.scope().equals(scope)) {
                String[] r = p.tags().split("-", -1); // FIRST-LAST
                b.set(Integer.parseInt(r[0]), Integer.parseInt(r[1]) + 1);
            }
        }
        return b;
    }

    /** SM-VAP-3: the VN holds no tag at the nNVE any more. */
    static Check noVap(String nnve, Plan.Vn vn) {
        return w -> w.nnves().get(nnve).vaps().stream()
                .noneMatch(v -> v.vn() == vn.id() && v.state() == Vap.State.VN_CONNECTED) ? null
                : nnve + ": VN " + vn.id() + " is still connected";
    }

    /**
     * SM-TSI-2, SM-TSI-3: the NVA's entries for the VN of the TSIs attached through this nNVE (MAC and IPs), counted
     * by the NVA's truth (the nNVE's replica holds the other nNVE's entries of the VN too).
     */
    static Check nva(String nnve, Plan.Vn vn, int mapping, int forwarding) {
        return w -> {
            World.NvaRow r = w.nnves().get(nnve).nva(vn.id());
            return r.mapping() == mapping && r.forwarding() == forwarding ? null
                    : "the NVA holds " + r.mapping() + " mapping and " + r.forwarding() + " forwarding entries at "
                            + nnve + " for VN " + vn.id() + ", expected " + mapping + " and " + forwarding;
        };
    }

    /** The NVA's entry of the VM's TSI at the nNVE, or null. */
    private static World.PlaceRow placeAt(World w, Plan.Vm vm, String nnve) {
        for (World.PlaceRow p : w.nva().of(vm.tsi().id())) {
            if (p.nve().equals(nnve)) {
                return p;
            }
        }
        return null;
    }

    /** The mobility sequence number of the VM's entry at the nNVE, -1 when the NVA has none. */
    static long seqAt(World w, Plan.Vm vm, String nnve) {
        World.PlaceRow p = placeAt(w, vm, nnve);
        return p == null ? -1 : p.seq();
    }

    /** NVA-6: the NVA has the TSI's instance at this nNVE, in this state, none of its addresses withdrawn. */
    static Check placed(Plan.Vm vm, String nnve, EntryState state) {
        return w -> {
            World.PlaceRow p = placeAt(w, vm, nnve);
            if (p == null) {
                return "the NVA has no entry of " + vm.name() + " at " + nnve + ", expected one " + state;
            }
            return p.state() == state && p.withdrawn().isEmpty() ? null : "the NVA has " + vm.name() + " at " + nnve
                    + " " + p.state() + " (withdrawn " + p.withdrawn().size() + "), expected " + state;
        };
    }

    /** NVA-6: the TSI lives at this nNVE only, as far as the NVA knows. */
    static Check placedOnly(Plan.Vm vm, String nnve, EntryState state) {
        Check at = placed(vm, nnve, state);
        return w -> {
            List<String> where = w.nva().of(vm.tsi().id()).stream().map(World.PlaceRow::nve).toList();
            return where.size() != 1 ? "the NVA has " + vm.name() + " at " + where + ", expected at " + nnve + " only"
                    : at.problem(w);
        };
    }

    /** NVA-6: the NVA withdrew every address of the TSI's entry at this nNVE (another nNVE claimed them, newer). */
    static Check withdrawn(Plan.Vm vm, String nnve) {
        return w -> {
            World.PlaceRow p = placeAt(w, vm, nnve);
            if (p == null) {
                return "the NVA has no entry of " + vm.name() + " at " + nnve + ", expected one withdrawn";
            }
            return p.withdrawn().containsAll(p.addresses()) ? null : "the NVA withdrew " + p.withdrawn().size() + " of "
                    + p.addresses().size() + " addresses of " + vm.name() + " at " + nnve + ", expected all";
        };
    }

    /** NVA-6: the TSI's entry at this nNVE carries a mobility sequence number above the one it had before the move. */
    Check newerSeq(Plan.Vm vm, String nnve) {
        return w -> {
            long now = seqAt(w, vm, nnve);
            return webSeqBefore >= 0 && now >= 0 && MobilitySeq.newer(now, webSeqBefore) ? null
                    : "the NVA has " + vm.name() + " at " + nnve + " with mobility sequence number " + now
                            + ", expected one newer than " + webSeqBefore;
        };
    }

    /** SM-TSI-7: no address of the VN was added or removed at the NVA since the move began. */
    Check noChurn(String nnve, Plan.Vn vn) {
        return w -> {
            Churn now = w.nnves().get(nnve).nva(vn.id()).churn();
            return now.equals(webChurnBefore) ? null : nnve + "'s NVA churned for VN " + vn.id() + ": " + webChurnBefore
                    + " before the move, " + now + " after";
        };
    }

    static Check hasIp(String nnve, Plan.Vm vm, TsiAddress ip) {
        return w -> {
            for (World.TsiRow r : w.nnves().get(nnve).instances(vm.tsi().id())) {
                if (r.ips().contains(ip)) {
                    return null;
                }
            }
            return nnve + ": " + vm.name() + "'s TSI has no address " + ip.ip().getHostAddress();
        };
    }

    /** LC-TERMINATE, SM-VAP-3: no TSI, no connected VN, no NVA entry left. */
    static Check empty(String nnve) {
        return w -> {
            World.NnveView v = w.nnves().get(nnve);
            long vaps = v.vaps().stream().filter(x -> x.state() == Vap.State.VN_CONNECTED).count();
            int entries = v.nva().stream().mapToInt(r -> r.mapping() + r.forwarding()).sum();
            return v.tsis().isEmpty() && vaps == 0 && entries == 0 ? null
                    : nnve + " still has " + v.tsis().size() + " TSIs, " + vaps + " connected VNs, " + entries
                            + " NVA entries";
        };
    }
}
