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
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EntryState;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.MigrationTlv.Indication;

/**
 * LC-MIGRATE make-before-break, enforced by the source's tNVE itself (issue 14): its departure asks each nNVE
 * whether the migration's destination is Activated (an Associate with DEPARTURE); the nNVE answers ARRIVED only
 * once it is, on itself or, as the NVA says, on another nNVE. Before that the tNVE refuses the departure and the
 * source's TSIs stay Activated; an abort runs the VM at the source again.
 */
@ExtendWith(PcapOnFailure.class)
class MakeBeforeBreakScenarioTest {
    static final UUID MIGRATION = UUID.fromString("7a1e0c1e-3b7a-4e55-9a61-0d5e1a2b3c4d");

    /** The migration indications nNVE {@code n} answered (only the source sends DEPARTUREs). */
    private static List<Indication> answered(SplitNveNet net, NnveNode n) {
        return Frames.decoded(net.sim).stream()
                .filter(v -> v.captured().from() == n.host())
                .flatMap(v -> v.vsis().stream()).filter(v -> v.isResponse())
                .map(v -> v.attached(MigrationTlv.class)).filter(m -> m != null && m.indication().isMigration())
                .map(MigrationTlv::indication).toList();
    }

    private static void refusedUntilArrival(SplitNveNet net, NnveNode src, TnveNode h1, TnveNode h2, TsiSpec t) {
        net.ok(h2.engine().migratePrepare("vm1", List.of(t), MIGRATION));
        net.ok(h1.engine().migrateStart("vm1", MIGRATION));

        // the destination is prepared, not activated: the source may not let go
        OpResult early = net.await(h1.engine().migrateDepart("vm1", MIGRATION));
        assertThat(early.ok()).as("departure before the destination is Activated: %s", early).isFalse();
        assertThat(early.detail()).contains("make-before-break").contains("not Activated yet");
        assertThat(src.state(t)).as("the source's TSI stays Activated").isEqualTo(TsiState.ACTIVATED);
        assertThat(h1.reported()).filteredOn(e -> e instanceof TnveEvent.DepartureRefused).hasSize(1);
        assertThat(answered(net, src)).as("the nNVE said not yet").contains(Indication.DEPARTURE)
                .doesNotContain(Indication.ARRIVED);
        net.runFor(5 * SECOND);
        assertThat(src.state(t)).as("and stays so (keep-alives)").isEqualTo(TsiState.ACTIVATED);

        // a finish departs first: refused too
        OpResult finish = net.await(h1.engine().migrateFinish("vm1"));
        assertThat(finish.ok()).as("finish before the destination is Activated: %s", finish).isFalse();
        assertThat(finish.detail()).contains("make-before-break");
        assertThat(src.state(t)).isEqualTo(TsiState.ACTIVATED);

        // activated at the destination: now the source departs
        net.ok(h2.engine().migrateActivate("vm1"));
        net.ok(h1.engine().migrateDepart("vm1", MIGRATION));
        assertThat(src.state(t)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(answered(net, src)).as("the nNVE said ARRIVED").contains(Indication.ARRIVED);
        net.ok(h1.engine().migrateFinish("vm1"));
        net.runFor(30 * SECOND);
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> assertThat(b.state()).isEqualTo(EntryState.FORWARDING));
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("LC-MIGRATE, REQ-13: across two nNVEs, the source's tNVE refuses to depart until the NVA shows the "
            + "destination Activated at the other nNVE; then it departs")
    void acrossNnves(double loss) {
        SplitNveNet net = SplitNveNet.capturing(71, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        NnveNode n2 = net.nnve("n2", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        TnveNode h2 = net.tnveOn(n2, 0, "h2");
        net.runFor(SECOND / 10);
        TsiSpec t = tsi(1, 5000);
        net.createAndStart(h1, "vm1", t);
        refusedUntilArrival(net, n1, h1, h2, t);
        assertThat(n2.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.engine().tsis()).isEmpty();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("LC-MIGRATE, SM-TSI-7: between two hypervisors behind one nNVE port, the source departs only once "
            + "the destination's instance is Activated and holds the entries")
    void behindOnePort(double loss) {
        SplitNveNet net = SplitNveNet.capturing(72, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        TnveNode h2 = net.tnve("h2", n1.mac(0));
        net.behindOneSwitch(h1, h2, n1, 0);
        net.runFor(SECOND / 10);
        TsiSpec t = tsi(1, 5000);
        net.createAndStart(h1, "vm1", t);
        refusedUntilArrival(net, n1, h1, h2, t);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("LC-MIGRATE: a refused departure leaves an abort: the VM runs at the source again, its TSI "
            + "Activated, and the destination forgets it")
    void abortAfterRefusal(double loss) {
        SplitNveNet net = SplitNveNet.capturing(73, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        NnveNode n2 = net.nnve("n2", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        TnveNode h2 = net.tnveOn(n2, 0, "h2");
        net.runFor(SECOND / 10);
        TsiSpec t = tsi(1, 5000);
        net.createAndStart(h1, "vm1", t);
        net.ok(h2.engine().migratePrepare("vm1", List.of(t), MIGRATION));
        net.ok(h1.engine().migrateStart("vm1", MIGRATION));
        assertThat(net.await(h1.engine().migrateDepart("vm1", MIGRATION)).ok()).isFalse();

        net.ok(h1.engine().migrateAbort("vm1"));
        net.ok(h2.engine().migrateAbort("vm1"));
        net.runFor(30 * SECOND);
        assertThat(h1.engine().vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n2.engine().tsis()).isEmpty();
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.instance().nve().toString()).contains("n1");
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
        });
    }
}
