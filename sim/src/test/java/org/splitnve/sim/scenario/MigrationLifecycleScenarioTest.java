package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.NvaChange;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * RFC 8394 section 2.2 (seed 002: make-before-break): live migration of a VM between hypervisors on
 * two different nNVEs, with the migration indication and ID on the wire (REQ-13, GAP-13).
 */
@ExtendWith(PcapOnFailure.class)
class MigrationLifecycleScenarioTest {
    private static final NveId N1 = NveId.of("n1");
    private static final NveId N2 = NveId.of("n2");

    private record Net(SplitNveNet net, NnveNode n1, NnveNode n2, TnveNode h1, TnveNode h2) {
    }

    private static Net net(double loss) {
        SplitNveNet net = SplitNveNet.capturing(51, loss);
        net.logNva();
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        NnveNode n2 = net.nnve("n2", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        TnveNode h2 = net.tnveOn(n2, 0, "h2");
        net.runFor(SECOND / 10);
        return new Net(net, n1, n2, h1, h2);
    }

    private static TsiSpec vmTsi() throws Exception {
        return tsi(1, 5000, TsiAddress.host(InetAddress.getByName("10.0.0.1")));
    }


    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("LC-MIGRATE, LC-MCAST, LC-TERMINATE, GAP-13, REQ-13: live migration between nNVEs: the destination "
            + "associates (arrival) before the VM runs there, activates first, the source deactivates (departure, same "
            + "migration ID) after, then de-associates; never running twice; re-learning at the destination only"
            + " (ACLs, tag provisioning and re-learning as the effects the nNVE emits: no data plane applies them "
            + "yet, no packet is checked)")
    void liveMigrationAcrossNnves(double loss) throws Exception {
        Net x = net(loss);
        SplitNveNet net = x.net;
        TsiSpec t = vmTsi();
        UUID migration = UUID.fromString("5d0c4b1e-8a3f-4e7b-b6a2-11f0c3d4e5f6");
        TnveEngine src = x.h1.engine();
        TnveEngine dst = x.h2.engine();

        net.ok(src.create("vm", List.of(t)));
        net.ok(src.start("vm"));

        // prepare: associated at the destination's nNVE, with the arrival indication, while the VM runs at the source
        net.ok(dst.migratePrepare("vm", List.of(t), migration));
        assertThat(dst.vmNamed("vm").state()).isEqualTo(VmState.MIGRATING_IN);
        assertThat(x.n2.state(t)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(x.n1.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(net.nva.binding(new TsiInstance(t.id(), N2, 0, 5000))).hasValueSatisfying(
                b -> assertThat(b.state()).isEqualTo(EntryState.MAPPING));
        assertThat(x.n2.effects()).noneMatch(e -> e instanceof Effect.Relearn);  // not before it runs there

        // the source stops running, its TSI stays activated
        net.ok(src.migrateStart("vm", migration));
        assertThat(x.n1.state(t)).isEqualTo(TsiState.ACTIVATED);

        // the destination activates first
        net.ok(dst.migrateActivate("vm"));
        assertThat(dst.vmNamed("vm").state()).isEqualTo(VmState.RUNNING);
        assertThat(x.n2.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(x.n1.state(t)).isEqualTo(TsiState.ACTIVATED);
        // LC-MCAST: re-learning toward the arrived VM, on the destination nNVE only
        assertThat(x.n2.effects(Effect.Relearn.class)).singleElement().satisfies(r -> {
            assertThat(r.instance().tsi()).isEqualTo(t.id());
            assertThat(r.instance().station()).isEqualTo(x.h2.mac(0));
            assertThat(r.tag()).isEqualTo(x.n2.engine().instances(t.id()).getFirst().vap().tag());
        });
        assertThat(x.n1.effects()).noneMatch(e -> e instanceof Effect.Relearn);
        assertThat(x.n2.events().of(NnveEvent.MigrationArrival.class)).singleElement().satisfies(a -> {
            assertThat(a.migrationId()).isEqualTo(migration.toString());
            assertThat(a.samePortMove()).isFalse();
        });

        // then the source deactivates with the departure, and de-associates when done
        net.ok(src.migrateDepart("vm", migration));
        assertThat(x.n1.state(t)).isEqualTo(TsiState.ASSOCIATED);
        net.ok(src.migrateFinish("vm"));
        assertThat(x.n1.state(t)).isEqualTo(TsiState.INIT);
        assertThat(src.vmNamed("vm")).isNull();

        // end state: the VM runs at the destination only, the NVA forwards to n2 only
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.instance().nve()).isEqualTo(N2);
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
        });
        assertThat(net.nva.lookup(5000, t.mac())).singleElement().satisfies(e -> assertThat(e.nve()).isEqualTo(N2));
        assertThat(x.n1.engine().tsis()).isEmpty();
        assertThat(x.n1.engine().vaps()).isEmpty();

        // make-before-break: the destination's activation precedes the source's deactivation, at the nNVEs and the NVA
        int dstActivated = net.firstIndex(e -> e instanceof NnveEvent.TsiState s && s.tsi().equals(t.id())
                && s.to() == TsiState.ACTIVATED && s.from() == TsiState.ASSOCIATED && x.n2.events().events().contains(e));
        int srcDeactivated = net.firstIndex(e -> e instanceof NnveEvent.TsiState s && s.tsi().equals(t.id())
                && s.from() == TsiState.ACTIVATED && x.n1.events().events().contains(e));
        assertThat(dstActivated).isNotNegative().isLessThan(srcDeactivated);
        int nvaDstForwarding = net.firstIndex(e -> e instanceof NvaChange.EntryStateChanged c
                && c.instance().nve().equals(N2) && c.to() == EntryState.FORWARDING);
        int nvaSrcMapping = net.firstIndex(e -> e instanceof NvaChange.EntryStateChanged c
                && c.instance().nve().equals(N1) && c.to() == EntryState.MAPPING);
        assertThat(nvaDstForwarding).isNotNegative().isLessThan(nvaSrcMapping);
        assertThat(net.assertNeverRunningTwice("vm")).isEqualTo(2);
        assertThat(x.n1.path(t.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED",
                "ACTIVATED>ASSOCIATED", "ASSOCIATED>INIT");
        assertThat(x.n2.path(t.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED");

        // GAP-13, REQ-13 on the wire: creation says "not a migration"; the destination's Associate and Activate say
        // arrival (and set M); the source's deactivation says departure with the same ID (and sets S)
        List<VsiTlv> fromSrc = Frames.vsiSentBy(net.sim, x.h1.host(), t.id(), false);
        List<VsiTlv> fromDst = Frames.vsiSentBy(net.sim, x.h2.host(), t.id(), false);
        assertThat(fromSrc.getFirst().mode()).isEqualTo(VsiMode.PRE_ASSOCIATE_RR);
        assertThat(fromSrc.getFirst().attached(MigrationTlv.class)).isEqualTo(MigrationTlv.notMigration());
        // (a request ECP gave up on goes again in a new ECPDU: with loss, a mode may appear more than once)
        assertThat(fromDst).extracting(VsiTlv::mode).startsWith(VsiMode.PRE_ASSOCIATE_RR)
                .containsOnly(VsiMode.PRE_ASSOCIATE_RR, VsiMode.ASSOCIATE);
        assertThat(fromDst).filteredOn(v -> v.mode() != VsiMode.DE_ASSOCIATE).allSatisfy(v -> {
            assertThat(v.attached(MigrationTlv.class)).isEqualTo(MigrationTlv.arrival(migration));
            assertThat(((VsiStatus.Request) v.status()).migratingTo()).isTrue();
        });
        List<VsiTlv> departures = fromSrc.stream().filter(v -> v.attached(MigrationTlv.class) != null
                && v.attached(MigrationTlv.class).indication() == MigrationTlv.Indication.DEPARTURE).toList();
        // REL-4: migrate start announces the migration ID first, the TSI staying activated (Associate, S set)
        assertThat(departures).filteredOn(v -> v.attached(DeactivateTlv.class) == null).isNotEmpty().allSatisfy(v -> {
            assertThat(v.mode()).isEqualTo(VsiMode.ASSOCIATE);
            assertThat(v.attached(MigrationTlv.class).migrationId()).isEqualTo(migration);
            assertThat(((VsiStatus.Request) v.status()).suspended()).isTrue();
        });
        assertThat(departures).filteredOn(v -> v.attached(DeactivateTlv.class) != null).isNotEmpty().allSatisfy(v -> {
            assertThat(v.mode()).isEqualTo(VsiMode.PRE_ASSOCIATE_RR);
            assertThat(v.attached(MigrationTlv.class).migrationId()).isEqualTo(migration);
            assertThat(v.attached(DeactivateTlv.class).cause()).isEqualTo(DeactivateTlv.Cause.MIGRATION_DEPARTURE);
            assertThat(((VsiStatus.Request) v.status()).suspended()).isTrue();
            assertThat(((VsiStatus.Request) v.status()).migratingTo()).isFalse();
        });
        assertThat(fromSrc.getLast().mode()).isEqualTo(VsiMode.DE_ASSOCIATE);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("LC-MIGRATE: an aborted migration leaves the source running and activated, the destination released")
    void abortLeavesTheSourceRunning(double loss) throws Exception {
        Net x = net(loss);
        SplitNveNet net = x.net;
        TsiSpec t = vmTsi();
        UUID migration = UUID.fromString("5d0c4b1e-8a3f-4e7b-b6a2-11f0c3d4e5f7");
        TnveEngine src = x.h1.engine();
        TnveEngine dst = x.h2.engine();

        net.ok(src.create("vm", List.of(t)));
        net.ok(src.start("vm"));
        net.ok(dst.migratePrepare("vm", List.of(t), migration));
        net.ok(src.migrateStart("vm", migration));
        assertThat(src.vmNamed("vm").state()).isEqualTo(VmState.MIGRATING_OUT);

        // the transfer fails: both sides abort
        net.ok(dst.migrateAbort("vm"));
        net.ok(src.migrateAbort("vm"));

        assertThat(src.vmNamed("vm").state()).isEqualTo(VmState.RUNNING);
        assertThat(dst.vmNamed("vm")).isNull();
        assertThat(x.n1.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(x.n2.engine().tsis()).isEmpty();
        assertThat(x.n2.engine().vaps()).isEmpty();
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.instance().nve()).isEqualTo(N1);
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
        });
        // the source never left Activated; the destination never activated, nothing to re-learn
        assertThat(x.n1.path(t.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED");
        assertThat(x.n2.path(t.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>INIT");
        assertThat(x.n2.effects()).noneMatch(e -> e instanceof Effect.Relearn);
        assertThat(net.assertNeverRunningTwice("vm")).isEqualTo(1);
        assertThat(src.tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("GAP-13, REQ-13, LC-MCAST, LC-MIGRATE: a standard destination can only set the M bit: the nNVE takes "
            + "it as an arrival without ID and re-learns; creations (standard: no information; extension: not a "
            + "migration) re-learn nothing"
            + " (ACLs, tag provisioning and re-learning as the effects the nNVE emits: no data plane applies them "
            + "yet, no packet is checked)")
    void standardDestinationOnlyHints(double loss) throws Exception {
        SplitNveNet net = SplitNveNet.capturing(53, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        NnveNode n2 = net.nnve("n2", 1);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        TnveNode h2 = net.tnve(SplitNveNet.standardTnve("h2", n2.mac(0)), 1);
        net.link(h1.host(), 0, n1.host(), 0);
        net.link(h2.host(), 0, n2.host(), 0);
        net.runFor(SECOND / 10);
        TsiSpec t = vmTsi();
        TsiSpec local = tsi(2, 5000);
        UUID migration = UUID.fromString("5d0c4b1e-8a3f-4e7b-b6a2-11f0c3d4e5f8");

        net.ok(h2.engine().create("local", List.of(local)));       // standard creation: M = 0, S = 0, no TLV
        net.ok(h2.engine().start("local"));
        net.ok(h1.engine().create("vm", List.of(t)));             // extension creation: NOT_MIGRATION
        net.ok(h1.engine().start("vm"));
        assertThat(Frames.vsiSentBy(net.sim, h2.host(), local.id(), false)).isNotEmpty().allSatisfy(v -> {
            assertThat(v.attached()).isEmpty();
            assertThat(v.status()).isEqualTo(VsiStatus.Request.PLAIN);
        });
        assertThat(n1.effects()).noneMatch(e -> e instanceof Effect.Relearn);
        assertThat(n2.effects()).noneMatch(e -> e instanceof Effect.Relearn);

        net.ok(h2.engine().migratePrepare("vm", List.of(t), migration));
        net.ok(h1.engine().migrateStart("vm", migration));
        net.ok(h2.engine().migrateActivate("vm"));
        net.ok(h1.engine().migrateDepart("vm", migration));
        net.ok(h1.engine().migrateFinish("vm"));

        assertThat(Frames.vsiSentBy(net.sim, h2.host(), t.id(), false)).isNotEmpty().allSatisfy(v -> {
            assertThat(v.attached(MigrationTlv.class)).isNull();                 // not understood by the peer: not sent
            assertThat(((VsiStatus.Request) v.status()).migratingTo()).isTrue();
        });
        assertThat(n2.effects(Effect.Relearn.class)).singleElement()
                .satisfies(r -> assertThat(r.instance().tsi()).isEqualTo(t.id()));
        assertThat(n2.events().of(NnveEvent.MigrationArrival.class)).singleElement()
                .satisfies(a -> assertThat(a.migrationId()).isEmpty());
        assertThat(n2.state(t)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.state(t)).isEqualTo(TsiState.INIT);
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.instance().nve()).isEqualTo(N2);
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
        });
        assertThat(net.assertNeverRunningTwice("vm")).isEqualTo(2);
    }
}
