package org.splitnve.daemon.nva;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.daemon.metrics.DaemonMetrics;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.http.HttpNvaLink;
import org.splitnve.nva.service.Digest;
import org.splitnve.nva.service.Interest;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.ResourceKey;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.ServiceEvent;
import org.splitnve.nva.service.Snapshot;
import org.splitnve.nva.service.client.ClientEvent;
import org.splitnve.nva.service.client.NvaClient;
import org.splitnve.nva.service.client.ReplicaNva;
import org.splitnve.nva.service.client.ReportQueue;
import org.splitnve.protocol.event.Event;

/**
 * NVA-4, the anti-entropy audit end to end (docs/nva-protocol.md section 12): an nNVE's {@link NvaClient} over
 * {@link HttpNvaLink} against a real {@link RevisionedNva} served by the NVA's HTTP API ({@link NvaApi}), the engine's
 * thread a single-thread executor. A replica changed behind the client's back is found through the acknowledgement's
 * digest and listed again; an own entry removed at the NVA behind the nNVE's back is restored by the own-entries
 * audit.
 */
class NvaAuditHttpTest {
    static final NveId A = NvaHttpTest.A;
    static final NveId B = NvaHttpTest.B;

    final NvaHttpTest http = new NvaHttpTest();
    final ExecutorService engine = Executors.newSingleThreadExecutor(r -> new Thread(r, "engine-a"));
    final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    NvaClient client;

    @AfterEach
    void close() throws Exception {
        if (client != null) {
            client.close();
        }
        engine.shutdownNow();
        http.close();
    }

    static NvaClient.Options options(Duration ownAudit) {
        return new NvaClient.Options(Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofMillis(100),
                Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMillis(50), ownAudit);
    }

    /** nnve-a's replica and client over HTTP, in sync with {@code nva}. */
    ReplicaNva start(RevisionedNva nva, Duration ownAudit) throws Exception {
        ReplicaNva replica = new ReplicaNva(A, new ReportQueue(), events::add);
        HttpNvaLink link = new HttpNvaLink(http.serve(nva, Duration.ofMillis(200), NvaHttpTest.OPERATOR),
                NvaHttpTest.TOKEN_A, null);
        http.open.add(link);
        client = new NvaClient(A, List.of(link), replica, engine, Set.of(5000), events::add, options(ownAudit),
                new SplittableRandom(7), System::nanoTime).start();
        until("in sync", () -> client.state() == NvaClient.State.IN_SYNC
                && onEngine(replica::appliedRevision) >= nva.revision());
        return replica;
    }

    <T> T onEngine(Callable<T> c) {
        try {
            return engine.submit(c).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void until(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(20); // polling a condition with a deadline
        }
    }

    /** The NVA's digest of nnve-a's interest at its revision, and the replica's at the same revision. */
    boolean converged(RevisionedNva nva, ReplicaNva replica) {
        Snapshot s = nva.list(Interest.of(A, Set.of(5000)));
        return onEngine(() -> replica.replica().revision() == s.revision()
                && replica.replica().digest().equals(Digest.of(s.resources())));
    }

    @Test
    @DisplayName("NVA-4: a replica changed behind the client's back (another nNVE's entry lost) is found DIVERGED "
            + "through the acknowledgement's digest over HTTP, counted at both ends, listed again with the differing "
            + "key logged, and converges to the NVA's state")
    void divergedReplicaListsAgain() throws Exception {
        RevisionedNva nva = NvaHttpTest.nva(100_000);
        TsiInstance y = NvaHttpTest.at(B, 1, 4);
        nva.report(B, Report.of(2, ReportOp.Bind.activated(y, List.of(NvaHttpTest.mac(1)), 0)));
        ReplicaNva replica = start(nva, Duration.ofMinutes(10));
        ResourceKey key = ResourceKey.mapping(5000, y.vsi(), B, 4);
        assertThat(onEngine(() -> replica.replica().get(key))).isPresent();
        until("acknowledged with a matching digest", () -> nva.session(A).acknowledged() >= nva.revision());
        assertThat(nva.divergences()).isZero();

        // behind the client's back: the replica loses nnve-b's entry (same history and revision)
        onEngine(() -> {
            Snapshot had = new Snapshot(replica.replica().historyId(), replica.replica().revision(),
                    replica.replica().sorted().stream().filter(r -> !r.key().equals(key)).toList());
            replica.replica().reset(had);
            return null;
        });
        // the next change makes the client acknowledge the damaged replica
        nva.report(B, Report.of(3, ReportOp.Bind.activated(NvaHttpTest.at(B, 2, 4), List.of(NvaHttpTest.mac(2)), 0)));

        until("diverged, listed again and converged", () -> client.divergences() >= 1 && converged(nva, replica));
        assertThat(nva.divergences()).as("the NVA counted it").isEqualTo(1);
        assertThat(client.divergences()).isEqualTo(1);
        assertThat(onEngine(() -> replica.replica().get(key))).as("nnve-b's entry is back").isPresent();
        synchronized (events) {
            assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(ClientEvent.ReplicaDiverged.class,
                    d -> assertThat(d.divergences()).isEqualTo(1)));
            assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(ClientEvent.Repaired.class,
                    r -> assertThat(r.differing()).contains(key.path())));
        }
        until("acknowledged again, matching", () -> nva.session(A).acknowledged() >= nva.revision());
        assertThat(nva.divergences()).as("no divergence after the resync").isEqualTo(1);
    }

    @Test
    @DisplayName("NVA-4: an own entry removed at the NVA behind the nNVE's back (a report on its behalf while its token "
            + "was rotated; the nNVE resumes the watch, no list) is restored by the own-entries audit: the whole own "
            + "state sent again, counted")
    void ownEntryRestoredByTheAudit() throws Exception {
        RevisionedNva nva = NvaHttpTest.nva(100_000);
        nva.permitEndDevice(EndDeviceRule.anyOn(A));
        ReplicaNva replica = start(nva, Duration.ofMillis(300));
        TsiInstance x = NvaHttpTest.at(A, 1, 3);
        onEngine(() -> replica.activate(x, List.of(NvaHttpTest.mac(1))).refusal());
        until("the NVA has nnve-a's entry", () -> nva.mapping(x).map(e -> e.state() == EntryState.FORWARDING)
                .orElse(false));
        long audits = client.ownAudits();
        until("an own audit since the NVA has it", () -> client.ownAudits() > audits + 1);
        assertThat(client.ownStateResent()).as("nothing to resend while the NVA has it").isZero();

        // the operator rotates nnve-a's token: its client is refused and retries
        nva.setCredential(A, "another-token-of-nnve-a-0123");
        until("refused", () -> client.state() == NvaClient.State.REFUSED);
        // meanwhile, behind its back, the entry goes at the NVA (a call on nnve-a's behalf)
        long seq = nva.session(A).lastReportSeq() + 1;
        assertThat(nva.report(A, Report.of(seq, new ReportOp.Unbind(x))).status().name()).isEqualTo("APPLIED");
        assertThat(nva.mapping(x)).isEmpty();
        nva.setCredential(A, NvaHttpTest.TOKEN_A);

        until("restored by the own-entries audit", () -> nva.mapping(x).map(e -> e.state() == EntryState.FORWARDING)
                .orElse(false));
        assertThat(client.ownStateResent()).isGreaterThanOrEqualTo(1);
        until("the NVA's own digest is the engine's", () -> {
            Digest.At at = nva.ownDigest(A);
            return onEngine(() -> replica.appliedRevision() >= at.revision() && replica.ownDigest().equals(at.digest()));
        });
        synchronized (events) {
            assertThat(events).noneMatch(e -> e instanceof ClientEvent.Listing l && l.reason().contains("diverged"));
            assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(ClientEvent.OwnStateResent.class,
                    o -> assertThat(o.nvaCount()).isZero()));
        }
        assertThat(nva.resource(ResourceKey.mapping(5000, x.vsi(), A, 3)).map(Resource.class::cast)).isPresent();
    }

    /** A counter's value in what a daemon's metrics export (the sample with these label values). */
    static double counter(DaemonMetrics m, String family, String... labelValues) {
        for (MetricSnapshot ms : m.metrics().render(m.metrics().scrape())) {
            if (ms.getMetadata().getPrometheusName().equals(family.replaceFirst("_total$", ""))
                    && ms instanceof CounterSnapshot c) {
                for (CounterSnapshot.CounterDataPointSnapshot d : c.getDataPoints()) {
                    List<String> values = new ArrayList<>();
                    d.getLabels().forEach(l -> values.add(l.getValue()));
                    if (values.containsAll(List.of(labelValues))) {
                        return d.getValue();
                    }
                }
            }
        }
        throw new AssertionError(family + " is not exported");
    }

    @Test
    @DisplayName("NVA-4: the audit's events become the daemons' metrics: the NVA counts replica divergences, the "
            + "nNVE its client's divergences and own-state resends")
    void auditMetrics() {
        DaemonMetrics nvaMetrics = new DaemonMetrics("nva", "nva");
        DaemonMetrics nnveMetrics = new DaemonMetrics("nnve-a", "nnve");
        assertThat(counter(nvaMetrics, "splitnve_nva_replica_divergences_total")).isZero();
        nvaMetrics.event(0, new ServiceEvent.ReplicaDiverged("nnve-a", 7, 3, 2, 1));
        assertThat(counter(nvaMetrics, "splitnve_nva_replica_divergences_total")).isEqualTo(1);
        assertThat(counter(nnveMetrics, "splitnve_nva_client_audit_total", "replica_diverged")).isZero();
        nnveMetrics.event(0, new ClientEvent.ReplicaDiverged("http://127.0.0.1:1", 7, 2, 1));
        nnveMetrics.event(0, new ClientEvent.OwnStateResent(9, 0, 1, 1, 1));
        nnveMetrics.event(0, new ClientEvent.OwnStateResent(12, 0, 1, 1, 2));
        assertThat(counter(nnveMetrics, "splitnve_nva_client_audit_total", "replica_diverged")).isEqualTo(1);
        assertThat(counter(nnveMetrics, "splitnve_nva_client_audit_total", "own_state_resent")).isEqualTo(2);
    }
}
