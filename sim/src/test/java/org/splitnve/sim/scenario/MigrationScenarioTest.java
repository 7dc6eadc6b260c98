package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EntryState;
import org.splitnve.sim.Node;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.MigrationTlv.Indication;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * Live migration on the wire (RFC 8394 REQ-13, GAP-13, LC-MIGRATE): the destination's Associate and
 * Activate say ARRIVAL, the source's deactivation says DEPARTURE, both with one migration ID; a plain
 * create says NOT_MIGRATION, which is not "no information".
 */
@ExtendWith(PcapOnFailure.class)
class MigrationScenarioTest {
    static final UUID MIGRATION = UUID.fromString("6d1f0c1e-3b7a-4e55-9a61-0d5e1a2b3c4d");

    /** Requests (not responses) about a TSI that {@code from} put on the wire, each ECPDU once. */
    private static List<VsiTlv> requests(SplitNveNet net, Node from, TsiSpec t) {
        return Frames.requestsOnceFrom(net.sim, from).stream().flatMap(v -> v.vsis().stream())
                .filter(v -> !v.isResponse() && v.vsiId().equals(t.id())).toList();
    }

    private static VsiStatus.Request status(VsiTlv v) {
        return (VsiStatus.Request) v.status();
    }

    /** Checks the indications on the wire after a migration h1 -> h2 of TSI t. */
    private static void checkWire(SplitNveNet net, TnveNode h1, TnveNode h2, TsiSpec t) {
        List<VsiTlv> src = requests(net, h1.host(), t);
        List<VsiTlv> dst = requests(net, h2.host(), t);
        // the source: created with NOT_MIGRATION (nil ID, M and S clear), left with DEPARTURE (S set)
        VsiTlv create = src.getFirst();
        MigrationTlv plain = create.attached(MigrationTlv.class);
        assertThat(plain).isNotNull();
        assertThat(plain.indication()).isEqualTo(Indication.NOT_MIGRATION).isNotEqualTo(Indication.NO_INFORMATION);
        assertThat(plain.migrationId()).isEqualTo(MigrationTlv.NIL);
        assertThat(status(create).migratingTo()).isFalse();
        assertThat(status(create).suspended()).isFalse();
        List<VsiTlv> departures = src.stream().filter(v -> v.attached(MigrationTlv.class) != null
                && v.attached(MigrationTlv.class).indication() == Indication.DEPARTURE).toList();
        assertThat(departures).isNotEmpty().allSatisfy(v -> {
            assertThat(v.attached(MigrationTlv.class).migrationId()).isEqualTo(MIGRATION);
            assertThat(status(v).suspended()).as("S bit, for standard peers").isTrue();
        });
        // the destination: every Associate and Activate says ARRIVAL with the same ID, M bit set
        assertThat(dst).isNotEmpty().allSatisfy(v -> {
            assertThat(v.attached(MigrationTlv.class)).isEqualTo(MigrationTlv.arrival(MIGRATION));
            assertThat(status(v).migratingTo()).as("M bit, for standard peers").isTrue();
        });
        // one migration ID on the wire, tying both ends together
        assertThat(Frames.decoded(net.sim).stream().flatMap(v -> v.vsis().stream())
                .map(v -> v.attached(MigrationTlv.class)).filter(m -> m != null && m.indication().isMigration())
                .map(MigrationTlv::migrationId).distinct()).containsExactly(MIGRATION);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-13, GAP-13, LC-MIGRATE, SM-TSI-7: a VM moves between two hypervisors behind one nNVE port: "
            + "ARRIVAL and DEPARTURE carry one migration ID, a plain create NOT_MIGRATION; make-before-break; the "
            + "two instances are told apart by station MAC and the NVA sees no remove-then-add")
    void migrationBehindOnePort(double loss) {
        SplitNveNet net = SplitNveNet.capturing(61, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        TnveNode h2 = net.tnve("h2", n1.mac(0));
        net.behindOneSwitch(h1, h2, n1, 0);
        net.runFor(SECOND / 10);

        TsiSpec t = tsi(1, 5000);
        net.createAndStart(h1, "vm1", t);
        assertThat(n1.events().of(NnveEvent.MigrationArrival.class)).isEmpty();

        net.ok(h2.engine().migratePrepare("vm1", List.of(t), MIGRATION));
        assertThat(h2.engine().vmNamed("vm1").state()).isEqualTo(VmState.MIGRATING_IN);
        assertThat(n1.engine().instances(t.id())).hasSize(2);
        assertThat(instance(n1, h1.mac(0), t).state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(instance(n1, h2.mac(0), t).state()).isEqualTo(TsiState.ASSOCIATED);
        long churn = net.nva.churn(5000).removed();

        net.ok(h2.engine().migrateActivate("vm1"));
        net.ok(h1.engine().migrateDepart("vm1", MIGRATION));
        assertThat(instance(n1, h2.mac(0), t).state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(instance(n1, h1.mac(0), t).state()).isEqualTo(TsiState.ASSOCIATED);
        net.ok(h1.engine().migrateFinish("vm1"));
        net.runFor(30 * SECOND);

        assertThat(n1.engine().instances(t.id())).singleElement().satisfies(x -> {
            assertThat(x.station()).isEqualTo(h2.mac(0));
            assertThat(x.state()).isEqualTo(TsiState.ACTIVATED);
            assertThat(x.ownsNvaEntries()).isTrue();
        });
        assertThat(h1.engine().vmNamed("vm1")).isNull();
        assertThat(h2.engine().vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> assertThat(b.state()).isEqualTo(EntryState.FORWARDING));
        assertThat(net.nva.churn(5000).removed()).as("no remove-then-add at the NVA").isEqualTo(churn);
        // make-before-break: the destination was activated before the source left Activated
        List<String> order = n1.events().of(NnveEvent.TsiState.class).stream()
                .map(e -> (e.station().equals(h1.mac(0)) ? "src " : "dst ") + e.from() + ">" + e.to()).toList();
        assertThat(order).containsSubsequence("dst ASSOCIATED>ACTIVATED", "src ACTIVATED>ASSOCIATED", "src ASSOCIATED>INIT");
        // the nNVE saw the arrival, with the ID, and re-learns the VM's dynamic state (LC-MCAST)
        assertThat(n1.events().of(NnveEvent.MigrationArrival.class)).singleElement()
                .satisfies(e -> assertThat(e.migrationId()).isEqualTo(MIGRATION.toString()));
        assertThat(n1.effects()).filteredOn(e -> e instanceof Effect.Relearn).hasSize(1);
        checkWire(net, h1, h2, t);
    }

    private static Tsi instance(NnveNode n, MacAddress station, TsiSpec t) {
        return n.engine().instances(t.id()).stream().filter(x -> x.station().equals(station)).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-13, GAP-13, LC-MIGRATE: a VM moves between hypervisors on two nNVEs: ARRIVAL at the "
            + "destination's nNVE and DEPARTURE at the source's carry the same migration ID")
    void migrationAcrossNnves(double loss) {
        SplitNveNet net = SplitNveNet.capturing(62, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        NnveNode n2 = net.nnve("n2", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        TnveNode h2 = net.tnveOn(n2, 0, "h2");
        net.runFor(SECOND / 10);

        TsiSpec t = tsi(1, 5000);
        net.createAndStart(h1, "vm1", t);
        net.ok(h2.engine().migratePrepare("vm1", List.of(t), MIGRATION));
        assertThat(n2.engine().instances(t.id())).singleElement().satisfies(x -> assertThat(x.state()).isEqualTo(TsiState.ASSOCIATED));
        net.ok(h2.engine().migrateActivate("vm1"));
        net.ok(h1.engine().migrateDepart("vm1", MIGRATION));
        net.ok(h1.engine().migrateFinish("vm1"));
        net.runFor(30 * SECOND);

        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(n2.engine().instances(t.id())).singleElement().satisfies(x -> assertThat(x.state()).isEqualTo(TsiState.ACTIVATED));
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.instance().nve().toString()).contains("n2");
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
        });
        assertThat(n2.events().of(NnveEvent.MigrationArrival.class)).singleElement()
                .satisfies(e -> assertThat(e.migrationId()).isEqualTo(MIGRATION.toString()));
        assertThat(n1.events().of(NnveEvent.MigrationArrival.class)).isEmpty();
        checkWire(net, h1, h2, t);
        // DEPARTURE went to n1, ARRIVAL to n2
        assertThat(Frames.decoded(net.sim).stream().filter(v -> v.captured().to() == n1.host()).flatMap(v -> v.vsis().stream())
                .map(v -> v.attached(MigrationTlv.class)).filter(m -> m != null && m.indication().isMigration())
                .map(MigrationTlv::indication).distinct()).containsExactly(Indication.DEPARTURE);
        assertThat(Frames.decoded(net.sim).stream().filter(v -> v.captured().to() == n2.host()).flatMap(v -> v.vsis().stream())
                .map(v -> v.attached(MigrationTlv.class)).filter(m -> m != null && m.indication().isMigration())
                .map(MigrationTlv::indication).distinct()).containsExactly(Indication.ARRIVAL);
    }
}
