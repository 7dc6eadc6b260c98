package org.splitnve.nva.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.nva.service.NvaFixture.A;
import static org.splitnve.nva.service.NvaFixture.active;
import static org.splitnve.nva.service.NvaFixture.associated;
import static org.splitnve.nva.service.NvaFixture.at;
import static org.splitnve.nva.service.NvaFixture.mac;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.nva.service.client.ClientEvent;
import org.splitnve.nva.service.client.NvaClient;
import org.splitnve.nva.service.client.ReplicaNva;
import org.splitnve.nva.service.client.ReportQueue;
import org.splitnve.nva.service.link.InProcessLink;
import org.splitnve.protocol.event.Event;

/**
 * The nNVE's NVA client against the real NVA, without an engine: the test's thread is the engine's thread (it runs
 * what the client hands over, and calls the replica's writes).
 */
class NvaClientTest {
    private final LinkedBlockingQueue<Runnable> engine = new LinkedBlockingQueue<>();
    private final List<Event> events = Collections.synchronizedList(new ArrayList<>());

    private void until(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Runnable r;
            while ((r = engine.poll()) != null) {
                r.run();
            }
            if (done.getAsBoolean()) {
                return;
            }
            r = engine.poll(10, TimeUnit.MILLISECONDS);
            if (r != null) {
                r.run();
            }
        }
        assertThat(done.getAsBoolean()).as(what).isTrue();
    }

    /** A's client of the NVA over {@code link}, with short back-offs, started. */
    private NvaClient client(ReplicaNva replica, InProcessLink link) {
        NvaClient.Options fast = new NvaClient.Options(Duration.ofMillis(20), Duration.ofMillis(100),
                Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofMillis(100));
        return new NvaClient(A, List.of(link), replica, engine::add, Set.of(NvaFixture.VN), events::add, fast,
                new SplittableRandom(1), System::nanoTime).start();
    }

    @Test
    @DisplayName("NVA-3, NVA-5: a restarted nNVE numbers its reports after the last one the NVA applied and unbinds "
            + "the entries of its previous run; 5,000 changes made while cut off leave as two reports of 4,096 and "
            + "904 operations, in order, once the link is back")
    void numberingAndBatches() throws Exception {
        NvaFixture fix = new NvaFixture();
        fix.report(A, active(A, 99, 0)); // the previous run's entry
        long last = fix.nva.session(A).lastReportSeq();
        ReplicaNva replica = new ReplicaNva(A, new ReportQueue(), events::add);
        InProcessLink link = new InProcessLink(fix.nva, A);
        try (NvaClient client = client(replica, link)) {
            until("in sync, the old entry unbound", () -> replica.connected()
                    && fix.nva.mapping(at(A, 99)).isEmpty());
            assertThat(fix.nva.session(A).lastReportSeq()).isEqualTo(last + 1);

            link.setReachable(false);
            until("cut off", () -> !replica.connected());
            for (int i = 1; i <= 5000; i++) {
                assertThat(replica.associate(at(A, i), List.of(mac(i))).isAllowed()).isTrue();
            }
            assertThat(replica.activate(at(A, 1)).isAllowed()).isTrue(); // coalesced with its association
            assertThat(replica.queue().size()).isEqualTo(5000);
            link.setReachable(true);
            until("all reported", () -> fix.nva.mapping(at(A, 5000)).isPresent() && client.inFlight() == 0
                    && replica.queue().size() == 0);
            List<ClientEvent.ReportSent> sent;
            synchronized (events) {
                sent = events.stream().filter(ClientEvent.ReportSent.class::isInstance)
                        .map(ClientEvent.ReportSent.class::cast).filter(r -> r.seq() > last + 1).toList();
            }
            assertThat(sent).extracting(ClientEvent.ReportSent::ops).containsExactly(4096, 904);
            assertThat(sent).extracting(ClientEvent.ReportSent::seq).containsExactly(last + 2, last + 3);
            assertThat(fix.nva.mapping(at(A, 1))).get().extracting(MappingEntry::state)
                    .isEqualTo(org.splitnve.nva.EntryState.FORWARDING);
            assertThat(fix.nva.session(A).lastReportSeq()).isEqualTo(last + 3);
        }
    }

    @Test
    @DisplayName("REL-2, NVA-4: an nNVE restarted with its TSIs restored before its NVA client's first list (the replica"
            + " empty): the restored writes are accepted, queue nothing, and are compared with the NVA's entries at the"
            + " first list: the entries the NVA kept (an activated one with its mobility sequence number, an associated"
            + " one, the local tag) are neither sent again nor unbound, the one it lost is bound again, nothing is"
            + " refused, and the own-entries audit finds nothing to repair")
    void restoredBeforeFirstList() throws Exception {
        NvaFixture fix = new NvaFixture();
        // the previous run's entries at the NVA: TSI 1 activated (sequence 7), TSI 2 associated, and the VN's tag
        fix.report(A, active(A, 1, 7), associated(A, 2, 0), new ReportOp.RecordTag(new org.splitnve.nva.LocalTag(A, 0,
                100, NvaFixture.VN)));
        long revision = fix.nva.revision();
        ReplicaNva replica = new ReplicaNva(A, new ReportQueue(), events::add);
        List<String> undone = Collections.synchronizedList(new ArrayList<>());
        replica.endDevices(new ReplicaNva.EndDevices() {
            @Override
            public void deactivate(org.splitnve.wire.vdp.VsiId tsi, String reason) {
                undone.add("deactivate " + tsi);
            }

            @Override
            public void deassociate(org.splitnve.wire.vdp.VsiId tsi, String reason) {
                undone.add("de-associate " + tsi);
            }
        });
        // restored from the durable state before the first frame: TSI 3 is one the NVA lost (its last change)
        assertThat(replica.activate(at(A, 1), List.of(mac(1))).isAllowed()).isTrue();
        assertThat(replica.associate(at(A, 2), List.of(mac(2))).isAllowed()).isTrue();
        assertThat(replica.activate(at(A, 3), List.of(mac(3))).isAllowed()).isTrue();
        assertThat(replica.recordLocalTag(new org.splitnve.nva.LocalTag(A, 0, 100, NvaFixture.VN)).isAllowed()).isTrue();
        assertThat(replica.binding(at(A, 1))).get().extracting(org.splitnve.nva.TsiBinding::state)
                .isEqualTo(org.splitnve.nva.EntryState.FORWARDING);
        assertThat(replica.queue().size()).as("nothing queued before the first list").isZero();
        InProcessLink link = new InProcessLink(fix.nva, A);
        try (NvaClient client = client(replica, link)) {
            until("in sync, the lost entry bound again, the own-entries audit done", () -> replica.connected()
                    && fix.nva.mapping(at(A, 3)).isPresent() && client.inFlight() == 0
                    && replica.queue().size() == 0 && client.ownAudits() >= 1);
            assertThat(fix.nva.mapping(at(A, 1))).get().satisfies(e -> {
                assertThat(e.state()).isEqualTo(org.splitnve.nva.EntryState.FORWARDING);
                assertThat(e.mobilitySeq()).as("the same claim: its sequence number unchanged").isEqualTo(7);
            });
            assertThat(fix.nva.mapping(at(A, 2))).get().extracting(MappingEntry::state)
                    .isEqualTo(org.splitnve.nva.EntryState.MAPPING);
            assertThat(fix.nva.mapping(at(A, 3))).get().extracting(MappingEntry::state)
                    .isEqualTo(org.splitnve.nva.EntryState.FORWARDING);
            List<Event> seen;
            synchronized (events) {
                seen = List.copyOf(events);
            }
            assertThat(seen).filteredOn(ClientEvent.Resync.class::isInstance).singleElement()
                    .satisfies(e -> assertThat(((ClientEvent.Resync) e).ownOpsQueued()).as("only the lost entry sent")
                            .isEqualTo(1));
            assertThat(seen).noneMatch(ClientEvent.ReportRefused.class::isInstance)
                    .noneMatch(ClientEvent.OwnStateResent.class::isInstance);
            assertThat(seen).anyMatch(ClientEvent.OwnAuditMatched.class::isInstance);
            assertThat(undone).isEmpty();
            assertThat(client.ownStateResent()).isZero();
            assertThat(replica.ownDigest()).isEqualTo(fix.nva.ownDigest(A).digest());
            assertThat(fix.nva.revision()).as("one change at the NVA: the lost entry").isEqualTo(revision + 1);
        }
    }
}
