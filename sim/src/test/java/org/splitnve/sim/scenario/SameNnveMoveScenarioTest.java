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
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.Churn;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.LocalTag;
import org.splitnve.nva.NvaChange;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiBinding;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * Seed 004 section 4.3 and RFC 8394 section 3.3: a VM moving between two hypervisors behind the same
 * nNVE. The nNVE keeps two instances of the TSI apart by port (or, behind one port, by station), moves
 * the NVA entries from one to the other, and the NVA never sees them removed and added again.
 */
@ExtendWith(PcapOnFailure.class)
class SameNnveMoveScenarioTest {
    private static final VnKey BLUE = new VnKey.Id(5000);
    private static final NveId N1 = NveId.of("n1");

    /** The NVA's entry changes (not its local tags) since {@code mark}. */
    private static List<NvaChange> entryChanges(SplitNveNet net, int mark) {
        List<NvaChange> all = net.logged(NvaChange.class);
        return all.subList(mark, all.size()).stream().filter(c -> !(c instanceof NvaChange.LocalTagRecorded)
                && !(c instanceof NvaChange.LocalTagReleased)).toList();
    }

    private static TsiSpec vmTsi() throws Exception {
        return tsi(1, 5000, TsiAddress.host(InetAddress.getByName("10.0.0.1")),
                TsiAddress.host(InetAddress.getByName("2001:db8::1")));
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-TSI-7, SM-TSI-6, LC-MIGRATE, LC-MCAST: a VM moves between hypervisors on two ports of one nNVE: "
            + "two instances told apart by port, make-before-break, NVA entries moved to the new port (no remove-then-add), "
            + "tag provisioning moves from the old port to the new one, re-learning on arrival"
            + " (ACLs, tag provisioning and re-learning as the effects the nNVE emits: no data plane applies them "
            + "yet, no packet is checked)")
    void moveBetweenPorts(double loss) throws Exception {
        SplitNveNet net = SplitNveNet.capturing(41, loss);
        net.logNva();
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 2);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        TnveNode h2 = net.tnveOn(n1, 1, "h2");
        net.runFor(SECOND / 10);
        TsiSpec t = vmTsi();
        UUID migration = UUID.fromString("0e5b0a8e-2f4b-4c55-9a61-0c3f3b7e1a01");

        net.createAndStart(h1, "vm", t);
        Churn before = net.nva.churn(5000);
        assertThat(before.added()).isEqualTo(3);    // MAC, IPv4, IPv6 at n1
        int nvaMark = net.logged(NvaChange.class).size();
        int effectMark = n1.effects().size();

        // prepare: the destination associates with the arrival indication while the VM runs at the source
        net.ok(h2.engine().migratePrepare("vm", List.of(t), migration));
        List<Tsi> both = n1.engine().instances(t.id());
        assertThat(both).hasSize(2);
        Tsi src = n1.instance(t.id(), 0, h1.mac(0));
        Tsi dst = n1.instance(t.id(), 1, h2.mac(0));
        assertThat(src.state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(dst.state()).isEqualTo(TsiState.ASSOCIATED);
        assertThat(src.ownsNvaEntries()).isTrue();
        assertThat(dst.ownsNvaEntries()).isFalse();
        // the NVA still points at the source: the arriving instance waits; the NVA only learns the VN's tag on the
        // new port's scope (SM-VAP-2)
        assertThat(entryChanges(net, nvaMark)).isEmpty();
        assertThat(net.nva.localTags(5000)).extracting(LocalTag::portScope).containsExactlyInAnyOrder(0, 1);
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.instance().port()).isZero();
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
        });
        // the VN's tag is provisioned on the new port too
        assertThat(n1.effects(Effect.TagProvision.class)).extracting(p -> p.port() + ":" + p.provisioned())
                .containsExactly("0:true", "1:true");

        // the source VM stops running; its TSI stays activated (make-before-break)
        net.ok(h1.engine().migrateStart("vm", migration));
        assertThat(src.state()).isEqualTo(TsiState.ACTIVATED);

        // activate at the destination: the NVA entries move to port 1, state kept; re-learning on arrival
        net.ok(h2.engine().migrateActivate("vm"));
        assertThat(dst.state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(src.state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(dst.ownsNvaEntries()).isTrue();
        assertThat(src.ownsNvaEntries()).isFalse();
        Effect.Instance srcInst = new Effect.Instance(t.id(), 0, h1.mac(0), BLUE);
        Effect.Instance dstInst = new Effect.Instance(t.id(), 1, h2.mac(0), BLUE);
        assertThat(n1.effects(Effect.NvaMove.class)).containsExactly(new Effect.NvaMove(srcInst, dstInst));
        assertThat(n1.effects(Effect.Relearn.class)).extracting(Effect.Relearn::instance)
                .containsExactly(dstInst);                                                   // LC-MCAST
        assertThat(n1.events().of(NnveEvent.MigrationArrival.class)).singleElement().satisfies(a -> {
            assertThat(a.port()).isEqualTo(1);
            assertThat(a.migrationId()).isEqualTo(migration.toString());
            assertThat(a.fromPort()).isZero();
            assertThat(a.samePortMove()).as("port 0 to port 1: not a same-port move (REL-4, issue 12 item 8)").isFalse();
        });
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.instance().port()).isEqualTo(1);
            assertThat(b.instance().nve()).isEqualTo(N1);
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
            assertThat(b.addresses()).hasSize(3);
        });

        // depart and finish at the source
        net.ok(h1.engine().migrateDepart("vm", migration));
        assertThat(src.state()).isEqualTo(TsiState.ASSOCIATED);
        net.ok(h1.engine().migrateFinish("vm"));
        assertThat(n1.engine().instances(t.id())).containsExactly(dst);

        // SM-TSI-6: the tag provisioning left the old port when its last TSI of the VN went
        assertThat(n1.effects(Effect.TagProvision.class)).extracting(p -> p.port() + ":" + p.provisioned())
                .containsExactly("0:true", "1:true", "0:false");
        assertThat(n1.engine().vap(0, BLUE)).isNull();
        assertThat(n1.engine().vap(1, BLUE).tsiAssociated()).isEqualTo(1);
        // the old instance never touched the NVA after the move: no removal, no state change
        assertThat(n1.effectsSince(effectMark)).noneMatch(e -> e instanceof Effect.NvaRemove)
                .noneMatch(e -> e instanceof Effect.NvaEntries ne && ne.instance().equals(srcInst));

        // seed 004 section 4.3: the NVA saw a port move and nothing else (no remove-then-add churn)
        assertThat(entryChanges(net, nvaMark)).extracting(c -> c.getClass().getSimpleName())
                .containsOnly("EntryMoved").hasSize(3);
        assertThat(net.nva.localTags(5000)).extracting(LocalTag::portScope).containsExactly(1);
        assertThat(net.nva.churn(5000)).isEqualTo(before);
        assertThat(net.nva.churn(5000).removed()).isZero();

        // the make-before-break order, and the VM never ran on both hypervisors
        assertThat(net.firstIndex(ev -> ev instanceof NnveEvent.TsiState s && s.port() == 1
                && s.to() == TsiState.ACTIVATED))
                .isLessThan(net.firstIndex(ev -> ev instanceof NnveEvent.TsiState s && s.port() == 0
                        && s.from() == TsiState.ACTIVATED));
        assertThat(net.assertNeverRunningTwice("vm")).isEqualTo(2);
        assertThat(h1.engine().vmNamed("vm")).isNull();
        assertThat(h2.engine().vmNamed("vm").state()).isEqualTo(VmState.RUNNING);
        assertThat(n1.path(t.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED",
                "INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED", "ACTIVATED>ASSOCIATED", "ASSOCIATED>INIT");
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-TSI-7, REQ-2, LC-MIGRATE, LC-MCAST: two hypervisors behind one switch on one nNVE port: the two "
            + "instances of the moving TSI are told apart by station; the NVA sees no change at all, the tag stays"
            + " (ACLs, tag provisioning and re-learning as the effects the nNVE emits: no data plane applies them "
            + "yet, no packet is checked)")
    void moveBehindOnePort(double loss) throws Exception {
        SplitNveNet net = SplitNveNet.capturing(43, loss);
        net.logNva();
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnve("h1", n1.mac(0));
        TnveNode h2 = net.tnve("h2", n1.mac(0));
        net.behindOneSwitch(h1, h2, n1, 0);
        net.runFor(SECOND / 10);
        TsiSpec t = vmTsi();
        UUID migration = UUID.fromString("0e5b0a8e-2f4b-4c55-9a61-0c3f3b7e1a02");

        net.createAndStart(h1, "vm", t);
        List<TsiBinding> bindingsBefore = net.nva.bindings(t.id());
        int nvaMark = net.logged(NvaChange.class).size();

        net.ok(h2.engine().migratePrepare("vm", List.of(t), migration));
        Tsi src = n1.instance(t.id(), 0, h1.mac(0));
        Tsi dst = n1.instance(t.id(), 0, h2.mac(0));
        assertThat(src).isNotNull().isNotSameAs(dst);
        assertThat(dst).isNotNull();
        assertThat(src.state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(dst.state()).isEqualTo(TsiState.ASSOCIATED);
        assertThat(src.vap()).isSameAs(dst.vap());                  // one VAP per port scope, shared tag
        assertThat(src.vap().tsiAssociated()).isEqualTo(2);
        assertThat(h2.engine().localTag("nnve", t.id())).isEqualTo(h1.engine().localTag("nnve", t.id()));

        net.ok(h1.engine().migrateStart("vm", migration));
        net.ok(h2.engine().migrateActivate("vm"));
        assertThat(dst.state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(dst.ownsNvaEntries()).isTrue();
        assertThat(n1.effects(Effect.Relearn.class)).extracting(r -> r.instance().station())
                .containsExactly(h2.mac(0));
        assertThat(n1.events().of(NnveEvent.MigrationArrival.class)).singleElement().satisfies(a -> {
            assertThat(a.fromPort()).isZero();
            assertThat(a.samePortMove()).isTrue();
        });
        net.ok(h1.engine().migrateDepart("vm", migration));
        net.ok(h1.engine().migrateFinish("vm"));

        assertThat(n1.engine().instances(t.id())).containsExactly(dst);
        assertThat(dst.vap().tsiAssociated()).isEqualTo(1);
        // the tag never left the port
        assertThat(n1.effects(Effect.TagProvision.class)).extracting(Effect.TagProvision::provisioned)
                .containsExactly(true);
        // the NVA view (nNVE, port) did not change: no change reported at all
        assertThat(net.logged(NvaChange.class)).hasSize(nvaMark);
        assertThat(net.nva.bindings(t.id())).isEqualTo(bindingsBefore);
        assertThat(net.nva.churn(5000).removed()).isZero();
        assertThat(n1.effects(Effect.NvaRemove.class)).isEmpty();

        assertThat(net.firstIndex(ev -> ev instanceof NnveEvent.TsiState s && s.station().equals(h2.mac(0))
                && s.to() == TsiState.ACTIVATED))
                .isLessThan(net.firstIndex(ev -> ev instanceof NnveEvent.TsiState s
                        && s.station().equals(h1.mac(0)) && s.from() == TsiState.ACTIVATED));
        assertThat(net.assertNeverRunningTwice("vm")).isEqualTo(2);
        assertThat(h2.engine().vmNamed("vm").state()).isEqualTo(VmState.RUNNING);
    }
}
