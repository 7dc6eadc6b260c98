package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.Entry;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiBinding;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.Interest;
import org.splitnve.nva.service.MappingEntry;
import org.splitnve.nva.service.Options;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.client.ClientEvent;
import org.splitnve.nva.service.client.NvaClient;
import org.splitnve.nva.service.client.ReplicaNva;
import org.splitnve.nva.service.client.ReportQueue;
import org.splitnve.nva.service.link.InProcessLink;
import org.splitnve.nva.service.store.MemoryStore;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.vdp.VsiId;

/**
 * The nNVE's side of the NVA (issue 10; docs/nva-protocol.md sections 4-7, 10, 11): real nNVE and tNVE engines in
 * the deterministic simulation, each nNVE's {@link ReplicaNva} behind its engine, its {@link NvaClient} on its own
 * threads talking to one real {@link RevisionedNva} (MemoryStore) through {@link InProcessLink}s. What the clients
 * hand to an engine's thread is run by the test's thread, the engines' thread, between simulation steps. Waits are
 * for conditions, with a deadline of real time (the clients' threads) and of virtual time (the engines').
 */
class NvaReplicaScenarioTest {
    static final int VN = 5000;
    static final NveId A = NveId.of("nnve-a");
    static final NveId B = NveId.of("nnve-b");
    static final NvaClient.Options FAST = new NvaClient.Options(Duration.ofMillis(20), Duration.ofMillis(100),
            Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofMillis(100));

    private final LinkedBlockingQueue<Runnable> engineTasks = new LinkedBlockingQueue<>();
    private final List<NvaClient> clients = new ArrayList<>();
    private final List<Event> clientEvents = java.util.Collections.synchronizedList(new ArrayList<>());
    private SplitNveNet net;

    /** One nNVE with its replica, client and links. */
    record Member(NnveNode node, ReplicaNva replica, NvaClient client, List<InProcessLink> links) {
        InProcessLink link() {
            return links.getFirst();
        }
    }

    @AfterEach
    void stop() {
        clients.forEach(NvaClient::close);
    }

    static RevisionedNva nva(int maxLogEvents, NveId... nves) throws Exception {
        RevisionedNva nva = RevisionedNva.open(new MemoryStore(), Options.DEFAULT.withMaxLogEvents(maxLogEvents),
                InstantSource.system(), EventSink.NONE);
        VnRecord blue = VnRecord.of(UUID.nameUUIDFromBytes("vn-5000".getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                VN, "blue", VN, VnService.L2);
        nva.addVn(blue);
        nva.permitTsi(TsiRule.anyOn(VN));
        for (NveId n : nves) {
            nva.registerNve(n, InetAddress.getByName("192.0.2.1"));
            nva.permitEndDevice(EndDeviceRule.anyOn(n));
        }
        return nva;
    }

    Member member(NveId name, RevisionedNva... nvas) {
        ReplicaNva replica = new ReplicaNva(name, new ReportQueue(), clientEvents::add);
        NnveNode node = net.nnve(NnveConfig.simple(name.name(), 1).withTimers(SplitNveNet.TIMERS), replica);
        replica.endDevices(new ReplicaNva.EndDevices() {
            @Override
            public void deactivate(VsiId tsi, String reason) {
                node.engine().deactivate(tsi, reason);
            }

            @Override
            public void deassociate(VsiId tsi, String reason) {
                node.engine().deassociate(tsi, reason);
            }
        });
        List<InProcessLink> links = new ArrayList<>();
        for (RevisionedNva n : nvas) {
            links.add(new InProcessLink(n, name));
        }
        NvaClient client = new NvaClient(name, links, replica, engineTasks::add, Set.of(VN), clientEvents::add, FAST,
                new SplittableRandom(7), System::nanoTime).start();
        clients.add(client);
        return new Member(node, replica, client, links);
    }

    /**
     * Runs the engines (the simulation, and what the clients handed them) until {@code done} holds: at most 20 s of
     * real time for the clients, the simulation advancing 10 ms of virtual time per round.
     */
    void until(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Runnable r;
            while ((r = engineTasks.poll()) != null) {
                r.run();
            }
            if (done.getAsBoolean()) {
                return;
            }
            net.runFor(SECOND / 100);
            r = engineTasks.poll(5, TimeUnit.MILLISECONDS);
            if (r != null) {
                r.run();
            }
        }
        assertThat(done.getAsBoolean()).as(what).isTrue();
    }

    static TsiInstance instance(NveId nve, TsiSpec t) {
        return new TsiInstance(t.id(), nve, 0, VN);
    }

    private <T extends Event> List<T> logged(Class<T> kind) {
        synchronized (clientEvents) {
            return clientEvents.stream().filter(kind::isInstance).map(kind::cast).toList();
        }
    }

    @Test
    @DisplayName("NVA-3, NVA-1, SM-TSI-3: an Activate on nnve-a reaches the NVA as a report and appears in nnve-b's "
            + "replica (its engine reads it without asking the NVA); both replicas converge to the NVA's list")
    void activationReachesTheOtherReplica() throws Exception {
        net = new SplitNveNet(101, 0.0);
        RevisionedNva nva = nva(100_000, A, B);
        Member a = member(A, nva);
        Member b = member(B, nva);
        until("both in sync", () -> a.replica().connected() && b.replica().connected());
        TnveNode h1 = net.tnveOn(a.node(), 0, "h1");
        net.runFor(SECOND / 10);
        TsiSpec t = tsi(1, VN);
        net.createAndStart(h1, "vm", t);
        assertThat(a.node().state(t)).isEqualTo(TsiState.ACTIVATED);

        until("nnve-b's replica has nnve-a's forwarding entry", () -> b.replica().bindings(t.id()).stream()
                .anyMatch(x -> x.instance().equals(instance(A, t)) && x.state() == EntryState.FORWARDING));
        assertThat(nva.mapping(instance(A, t))).get().extracting(MappingEntry::state).isEqualTo(EntryState.FORWARDING);
        List<Entry> seen = b.replica().lookup(VN, t.mac());
        assertThat(seen).singleElement().satisfies(e -> {
            assertThat(e.nve()).isEqualTo(A);
            assertThat(e.forwarding()).isTrue();
        });
        // the reports were numbered from 1, in order, and the replicas equal the NVA's lists (NVA-4's convergence)
        assertThat(nva.session(A).lastReportSeq()).isPositive();
        until("replicas converge", () -> b.replica().replica().sorted().equals(nva.list(Interest.of(B, Set.of(VN)))
                .resources()) && a.replica().replica().sorted().equals(nva.list(Interest.of(A, Set.of(VN))).resources()));
        until("acknowledged", () -> nva.inForceEverywhere() >= nva.mapping(instance(A, t)).orElseThrow().mobilitySeq()
                && nva.session(B).acknowledged() == nva.revision());
    }

    @Test
    @DisplayName("NVA-4: a link cut and restored resumes the watch from the replica's revision (no list); once the "
            + "NVA has compacted that revision away, the nNVE lists again in full; either way the replica converges")
    void resumeElseList() throws Exception {
        net = new SplitNveNet(102, 0.0);
        // the log keeps 6 events: one VM (its tag, association and activation: 3 events at most) fits, ten do not
        RevisionedNva nva = nva(6, A, B);
        Member a = member(A, nva);
        Member b = member(B, nva);
        until("both in sync", () -> a.replica().connected() && b.replica().connected());
        TnveNode h1 = net.tnveOn(a.node(), 0, "h1");
        net.runFor(SECOND / 10);

        // a short cut: one VM's changes (within the log's 6 events) while nnve-b is away
        b.link().setReachable(false);
        until("nnve-b cut off", () -> !b.replica().connected());
        TsiSpec t1 = tsi(1, VN);
        net.createAndStart(h1, "vm1", t1);
        until("the NVA has vm1", () -> nva.mapping(instance(A, t1)).isPresent());
        b.link().setReachable(true);
        until("nnve-b resumed and has vm1", () -> b.replica().connected()
                && b.replica().binding(instance(A, t1)).isPresent());
        assertThat(b.client().resyncs()).as("resumed, not listed").isZero();
        assertThat(logged(ClientEvent.InSync.class)).anyMatch(InSyncResumed());

        // a long cut: more changes than the log keeps
        b.link().setReachable(false);
        until("nnve-b cut off again", () -> !b.replica().connected());
        for (int n = 2; n <= 11; n++) {
            TsiSpec t = tsi(n, VN);
            net.createAndStart(h1, "vm" + n, t);
            // one revision (one event at least) per VM: ten events, more than the log keeps
            until("the NVA has vm" + n, () -> nva.mapping(instance(A, t)).isPresent());
        }
        until("the NVA compacted past nnve-b", () -> nva.compactedThrough() > b.replica().appliedRevision());
        b.link().setReachable(true);
        until("nnve-b listed and converged", () -> b.replica().connected() && b.replica().replica().sorted()
                .equals(nva.list(Interest.of(B, Set.of(VN))).resources()));
        assertThat(b.client().resyncs()).as("one full list").isEqualTo(1);
        assertThat(logged(ClientEvent.Listing.class)).anyMatch(l -> l.reason().contains("compacted"));
        assertThat(b.replica().bindings(tsi(11, VN).id())).singleElement()
                .extracting(TsiBinding::state).isEqualTo(EntryState.FORWARDING);
    }

    private static java.util.function.Predicate<ClientEvent.InSync> InSyncResumed() {
        return ClientEvent.InSync::resumed;
    }

    @Test
    @DisplayName("NVA-5, SM-TIMER, SM-TSI-2: cut off, nnve-a keeps its activated TSI (keep-alives answered for a "
            + "minute), accepts a new TSI in a VN its replica knows, refuses an unknown VN at once with "
            + "\"the NVA is unreachable\", and on reconnection sends only what changed, coalesced")
    void cutOff() throws Exception {
        net = new SplitNveNet(103, 0.0);
        RevisionedNva nva = nva(100_000, A);
        Member a = member(A, nva);
        until("in sync", () -> a.replica().connected());
        TnveNode h1 = net.tnveOn(a.node(), 0, "h1");
        net.runFor(SECOND / 10);
        TsiSpec t1 = tsi(1, VN);
        net.createAndStart(h1, "vm1", t1);
        until("vm1 reported", () -> a.replica().queue().size() == 0 && a.client().inFlight() == 0
                && nva.mapping(instance(A, t1)).isPresent());

        a.link().setReachable(false);
        until("cut off", () -> !a.replica().connected());
        long opsBefore = a.client().opsSent();
        net.runFor(60 * SECOND); // keep-alives come and are answered from the replica
        assertThat(a.node().state(t1)).isEqualTo(TsiState.ACTIVATED);

        TsiSpec t2 = tsi(2, VN);
        net.createAndStart(h1, "vm2", t2);   // associate and activate: accepted from the replica
        net.ok(h1.engine().pause("vm2"));
        net.ok(h1.engine().unpause("vm2"));
        assertThat(a.node().state(t2)).isEqualTo(TsiState.ACTIVATED);
        long queuedWhileCut = a.replica().queue().queued();
        assertThat(a.replica().queue().coalesced()).as("several changes of vm2 coalesced").isPositive();

        OpResult unknown = net.await(h1.engine().create("other", List.of(tsi(3, 6000))));
        assertThat(unknown.ok()).isFalse();
        assertThat(unknown.detail()).contains(ReplicaNva.UNREACHABLE);
        assertThat(nva.mapping(instance(A, t2))).as("nothing reached the NVA while cut off").isEmpty();

        int waiting = a.replica().queue().size();
        a.link().setReachable(true);
        until("vm2 reported", () -> nva.mapping(instance(A, t2)).map(e -> e.state() == EntryState.FORWARDING)
                .orElse(false) && a.client().inFlight() == 0);
        assertThat(a.client().opsSent() - opsBefore).as("only what changed, once per instance")
                .isEqualTo(waiting).isLessThan(queuedWhileCut);
        assertThat(a.node().state(t1)).isEqualTo(TsiState.ACTIVATED);
        assertThat(nva.mapping(instance(A, t1))).get().extracting(MappingEntry::state).isEqualTo(EntryState.FORWARDING);
    }

    @Test
    @DisplayName("NVA-6, REQ-13, LC-MIGRATE: a live migration from nnve-a to nnve-b: nnve-b claims the TSI's "
            + "addresses with a higher mobility sequence number and the migration hint, nnve-a receives the "
            + "withdrawal and stops forwarding them (mapping entries in its replica), the NVA forwards them at nnve-b")
    void migration() throws Exception {
        net = new SplitNveNet(104, 0.0);
        RevisionedNva nva = nva(100_000, A, B);
        Member a = member(A, nva);
        Member b = member(B, nva);
        until("both in sync", () -> a.replica().connected() && b.replica().connected());
        TnveNode h1 = net.tnveOn(a.node(), 0, "h1");
        TnveNode h2 = net.tnveOn(b.node(), 0, "h2");
        net.runFor(SECOND / 10);
        TsiSpec t = tsi(1, VN);
        net.createAndStart(h1, "vm", t);
        until("nnve-b sees vm at nnve-a", () -> b.replica().binding(instance(A, t)).map(x -> x.state()
                == EntryState.FORWARDING).orElse(false));
        long seqA = nva.mapping(instance(A, t)).orElseThrow().mobilitySeq();

        UUID migration = UUID.fromString("6d1f0c1e-3b7a-4e55-9a61-0d5e1a2b3c4d");
        net.ok(h2.engine().migratePrepare("vm", List.of(t), migration));
        net.ok(h1.engine().migrateStart("vm", migration));
        net.ok(h2.engine().migrateActivate("vm"));
        assertThat(b.node().state(t)).isEqualTo(TsiState.ACTIVATED);

        until("nnve-a withdrew the address", () -> a.replica().withdrawals() > 0);
        MappingEntry atB = nva.mapping(instance(B, t)).orElseThrow();
        assertThat(atB.mobilitySeq()).as("the claim's number rises").isEqualTo(seqA + 1);
        assertThat(nva.whereIs(VN, org.splitnve.wire.vdp.TsiAddress.mac(t.mac()))).get()
                .extracting(e -> e.instance().nve()).isEqualTo(B);
        assertThat(a.replica().withdrawn(instance(A, t))).containsExactly(org.splitnve.wire.vdp.TsiAddress.mac(t.mac()));
        Optional<Entry> here = a.replica().lookup(VN, t.mac()).stream()
                .filter(e -> e.instance().equals(instance(A, t))).findFirst();
        assertThat(here).get().extracting(Entry::state).as("nnve-a no longer forwards it").isEqualTo(EntryState.MAPPING);
        assertThat(logged(ClientEvent.Withdrawn.class)).anySatisfy(w -> {
            assertThat(w.instance()).isEqualTo(instance(A, t));
            assertThat(w.winner()).isEqualTo(instance(B, t));
        });

        net.ok(h1.engine().migrateDepart("vm", migration));
        net.ok(h1.engine().migrateFinish("vm"));
        until("nnve-a's entry gone at the NVA", () -> nva.mapping(instance(A, t)).isEmpty());
        assertThat(nva.mapping(instance(B, t))).get().extracting(MappingEntry::state).isEqualTo(EntryState.FORWARDING);
    }

    @Test
    @DisplayName("NVA-5, REQ-9, SEC-1: an activation accepted from the replica while cut off, which the NVA refuses "
            + "on reconnection (the TSI's permit was revoked meanwhile), is undone towards the end device with the "
            + "NVA's reason, logged and counted")
    void refusedOperationIsUndone() throws Exception {
        net = new SplitNveNet(105, 0.0);
        RevisionedNva nva = nva(100_000, A);
        Member a = member(A, nva);
        until("in sync", () -> a.replica().connected());
        TnveNode h1 = net.tnveOn(a.node(), 0, "h1");
        net.runFor(SECOND / 10);
        a.link().setReachable(false);
        until("cut off", () -> !a.replica().connected());
        nva.revokeTsi(TsiRule.anyOn(VN));
        TsiSpec t = tsi(1, VN);
        net.createAndStart(h1, "vm", t);
        assertThat(a.node().state(t)).isEqualTo(TsiState.ACTIVATED);

        a.link().setReachable(true);
        until("undone", () -> a.replica().undone() > 0 && a.node().state(t) != TsiState.ACTIVATED);
        assertThat(logged(ClientEvent.ReportRefused.class)).anySatisfy(r -> {
            assertThat(r.reason()).isEqualTo("TSI_NOT_AUTHORISED_ON_VN");
            assertThat(r.undo()).isEqualTo("deactivate");
        });
        assertThat(a.node().transitions(t.id())).anySatisfy(s -> assertThat(s.toString())
                .contains("TSI_NOT_AUTHORISED_ON_VN"));
        assertThat(nva.mapping(instance(A, t))).as("the NVA never had it").isEmpty();
    }

    @Test
    @DisplayName("NVA-2 (the nNVE's half), NVA-3: with two NVA addresses, cutting the first makes the client fail "
            + "over to the second, resume there (same history) and report through it")
    void failover() throws Exception {
        net = new SplitNveNet(106, 0.0);
        RevisionedNva nva = nva(100_000, A);
        Member a = member(A, nva, nva);
        until("in sync", () -> a.replica().connected());
        TnveNode h1 = net.tnveOn(a.node(), 0, "h1");
        net.runFor(SECOND / 10);
        a.links().get(0).setReachable(false);
        until("failed over", () -> a.client().failovers() > 0 && a.client().state() == NvaClient.State.IN_SYNC);
        TsiSpec t = tsi(1, VN);
        net.createAndStart(h1, "vm", t);
        until("reported through the second address", () -> nva.mapping(instance(A, t)).isPresent());
        assertThat(a.client().resyncs()).as("resumed on the same history").isZero();
        assertThat(logged(ClientEvent.Failover.class)).isNotEmpty();
        assertThat(logged(ClientEvent.CutOff.class)).isNotEmpty();
    }

    @Test
    @DisplayName("NVA-4, NVA-3: a failover to an NVA with another history (a new store) lists in full and sends the "
            + "nNVE's own state again, so the new NVA has its entries")
    void newHistoryResendsOwnState() throws Exception {
        net = new SplitNveNet(107, 0.0);
        RevisionedNva first = nva(100_000, A);
        RevisionedNva second = nva(100_000, A);
        Member a = member(A, first, second);
        until("in sync", () -> a.replica().connected());
        TnveNode h1 = net.tnveOn(a.node(), 0, "h1");
        net.runFor(SECOND / 10);
        TsiSpec t = tsi(1, VN);
        net.createAndStart(h1, "vm", t);
        until("at the first NVA", () -> first.mapping(instance(A, t)).isPresent());
        a.links().get(0).setReachable(false);
        until("own state at the second NVA", () -> second.mapping(instance(A, t)).map(e -> e.state()
                == EntryState.FORWARDING).orElse(false));
        assertThat(logged(ClientEvent.Resync.class)).anyMatch(ClientEvent.Resync::newHistory);
        assertThat(a.node().state(t)).isEqualTo(TsiState.ACTIVATED);
    }
}
