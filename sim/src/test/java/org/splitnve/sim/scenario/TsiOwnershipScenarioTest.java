package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.Frames.vsi;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.TsiBinding;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * REL-4 (issue 12, item 8): a TSI ID belongs to the end device holding its NVA entries. On an nNVE whose ports
 * are each their own port scope, a station on another port claims a running VM's TSI (its ID is predictable:
 * derived from the VM's name and MAC) with the M bit, with an ARRIVAL of a migration nobody announced, or with
 * no hint at all; and a real migration between those ports goes through once the source announced it.
 */
@ExtendWith(PcapOnFailure.class)
class TsiOwnershipScenarioTest {
    private static final MacAddress HOSTILE = MacAddress.parse("02:66:00:00:00:08");
    private static final UUID GUESSED = UUID.fromString("0b5e55ed-0000-4000-8000-000000000008");

    private static TsiSpec vmTsi() throws Exception {
        return tsi(1, 5000, TsiAddress.host(InetAddress.getByName("10.0.0.1")));
    }

    private static VsiTlv request(VsiMode mode, TsiSpec t, boolean mBit, MigrationTlv m) {
        VsiTlv plain = vsi(mode, t.id(), 5000, t.mac(), m == null ? List.<OrgTlv>of() : List.of(m));
        return new VsiTlv(mode, new VsiStatus.Request(mBit, false, 0), plain.typeId(), plain.typeVersion(), plain.vsiId(),
                plain.filter(), plain.attached());
    }

    /** Runs the simulation until {@code done} holds, at most 10 virtual seconds. */
    private static void until(SplitNveNet net, java.util.function.BooleanSupplier done) {
        long limit = net.sim.now() + 10 * SECOND;
        while (!done.getAsBoolean() && net.sim.now() < limit) {
            net.sim.step(limit);
        }
        assertThat(done.getAsBoolean()).as("an answer within 10 s of virtual time").isTrue();
    }

    private static int code(VsiTlv answer) {
        return ((VsiStatus.Response) answer.status()).code().value();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REL-4, SEC-4, SM-REASON (issue 12, item 8): a station on another port (another port scope) claiming "
            + "a running VM's TSI with the M bit, with an unannounced ARRIVAL, or with no hint is refused with reason 4 "
            + "and detail code 8 naming the holder; a prepared arrival holds nothing and cannot activate; the NVA "
            + "entries never move, no arrival is reported, the holder is served as before, and the claimant does not "
            + "inherit the entries when the holder de-associates")
    void claimsFromAnotherPortAreRefused(double loss) throws Exception {
        SplitNveNet net = SplitNveNet.capturing(71, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 2);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        ScriptStation hostile = net.station("x", HOSTILE, n1.mac(1), EnumSet.allOf(CapabilityTlv.Feature.class));
        net.sim.connect(net.sim.node("x"), 0, n1.host(), 1, net.profile());
        net.runFor(SECOND / 10);
        TsiSpec t = vmTsi();
        net.createAndStart(h1, "vm", t);
        List<TsiBinding> before = net.nva.bindings(t.id());
        assertThat(before).singleElement().satisfies(b -> {
            assertThat(b.instance().port()).isZero();
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
        });

        // The claim (the M bit), an ARRIVAL nobody announced, and claims without a hint.
        hostile.hello();
        List<VsiTlv> claims = List.of(request(VsiMode.ASSOCIATE, t, true, null),
                request(VsiMode.ASSOCIATE, t, true, MigrationTlv.arrival(GUESSED)),
                request(VsiMode.ASSOCIATE, t, false, null),
                request(VsiMode.PRE_ASSOCIATE_RR, t, false, MigrationTlv.notMigration()));
        for (VsiTlv claim : claims) {
            int answered = hostile.vsiResponses().size();
            hostile.submit(claim);
            until(net, () -> hostile.vsiResponses().size() > answered);
            VsiTlv answer = hostile.vsiResponses().getLast();
            assertThat(code(answer)).as("%s", claim).isEqualTo(4);
            ReasonDetailTlv why = answer.attached(ReasonDetailTlv.class);
            assertThat(why.detail()).isEqualTo(NnveEngine.DETAIL_OWNER);
            assertThat(why.text()).contains("belongs to end device " + h1.mac(0) + " on port 0")
                    .containsPattern("only a migration it announces moves it|it did not announce"); // REL-4, in plain words
            assertThat(n1.engine().instances(t.id())).as("nothing kept of %s", claim).hasSize(1);
        }
        // A migration prepared from port 1 (ARRIVAL on Pre-Associate-RR) is associated, holding nothing ...
        int answered = hostile.vsiResponses().size();
        hostile.submit(request(VsiMode.PRE_ASSOCIATE_RR, t, true, MigrationTlv.arrival(GUESSED)));
        until(net, () -> hostile.vsiResponses().size() > answered);
        assertThat(code(hostile.vsiResponses().getLast())).isZero();
        Tsi claimant = n1.instance(t.id(), 1, HOSTILE);
        assertThat(claimant.state()).isEqualTo(TsiState.ASSOCIATED);
        assertThat(claimant.ownsNvaEntries()).isFalse();
        // ... and its activation is refused: the holder announced no such migration
        int prepared = hostile.vsiResponses().size();
        hostile.submit(request(VsiMode.ASSOCIATE, t, true, MigrationTlv.arrival(GUESSED)));
        until(net, () -> hostile.vsiResponses().size() > prepared);
        VsiTlv refused = hostile.vsiResponses().getLast();
        assertThat(code(refused)).isEqualTo(4);
        assertThat(refused.attached(ReasonDetailTlv.class).text()).contains("did not announce migration " + GUESSED);
        assertThat(claimant.state()).isEqualTo(TsiState.ASSOCIATED);

        Tsi holder = n1.instance(t.id(), 0, h1.mac(0));
        assertThat(holder.ownsNvaEntries()).isTrue();
        assertThat(holder.state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(net.nva.bindings(t.id())).isEqualTo(before);
        assertThat(n1.effects(Effect.NvaMove.class)).isEmpty();
        assertThat(n1.effects(Effect.Relearn.class)).isEmpty();
        assertThat(n1.events().of(NnveEvent.MigrationArrival.class)).isEmpty();

        // the holder is served as before
        net.ok(h1.engine().suspend("vm"));
        net.ok(h1.engine().resume("vm"));
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.instance().port()).isZero();
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
        });
        // when it lets go, the claimant in another scope inherits nothing: the entries go, the TSI ID is free
        net.ok(h1.engine().shutdown("vm"));
        assertThat(n1.effects(Effect.NvaMove.class)).isEmpty();
        assertThat(net.nva.bindings(t.id())).isEmpty();
        assertThat(claimant.ownsNvaEntries()).isFalse();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REL-4, LC-MIGRATE, SM-TSI-7 (issue 12, item 8): a live migration between two ports in two port scopes "
            + "of one nNVE: the destination's activation is refused (reason 4) until the source announced the "
            + "migration (migrate start: DEPARTURE with its ID, still activated), the VM running at the source "
            + "meanwhile; then the same activation moves the NVA entries (no remove-then-add) and the arrival says "
            + "from port 0, not a same-port move")
    void migrationAcrossScopesNeedsTheSourcesAnnouncement(double loss) throws Exception {
        SplitNveNet net = SplitNveNet.capturing(73, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 2);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        TnveNode h2 = net.tnveOn(n1, 1, "h2");
        net.runFor(SECOND / 10);
        TsiSpec t = vmTsi();
        UUID migration = UUID.fromString("0e5b0a8e-2f4b-4c55-9a61-0c3f3b7e1a08");
        net.createAndStart(h1, "vm", t);
        long removedBefore = net.nva.churn(5000).removed();

        net.ok(h2.engine().migratePrepare("vm", List.of(t), migration));
        OpResult early = net.await(h2.engine().migrateActivate("vm"));
        assertThat(early.ok()).isFalse();
        assertThat(early.code()).isEqualTo(4);
        assertThat(early.detail()).contains("it did not announce migration " + migration); // REL-4, in plain words
        Tsi src = n1.instance(t.id(), 0, h1.mac(0));
        Tsi dst = n1.instance(t.id(), 1, h2.mac(0));
        assertThat(src.ownsNvaEntries()).isTrue();
        assertThat(dst.state()).isEqualTo(TsiState.ASSOCIATED);
        assertThat(h1.engine().vmNamed("vm").state()).isEqualTo(VmState.RUNNING);
        assertThat(h2.engine().vmNamed("vm").state()).isEqualTo(VmState.MIGRATING_IN);

        net.ok(h1.engine().migrateStart("vm", migration));
        assertThat(src.state()).isEqualTo(TsiState.ACTIVATED);
        assertThat(src.ownsNvaEntries()).isTrue();
        net.ok(h2.engine().migrateActivate("vm"));
        assertThat(dst.ownsNvaEntries()).isTrue();
        assertThat(n1.events().of(NnveEvent.MigrationArrival.class)).singleElement().satisfies(a -> {
            assertThat(a.port()).isEqualTo(1);
            assertThat(a.fromPort()).isZero();
            assertThat(a.samePortMove()).isFalse();
            assertThat(a.migrationId()).isEqualTo(migration.toString());
        });
        net.ok(h1.engine().migrateDepart("vm", migration));
        net.ok(h1.engine().migrateFinish("vm"));
        assertThat(n1.engine().instances(t.id())).containsExactly(dst);
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.instance().port()).isEqualTo(1);
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
        });
        assertThat(net.nva.churn(5000).removed()).as("no remove-then-add").isEqualTo(removedBefore);
        assertThat(net.assertNeverRunningTwice("vm")).isEqualTo(2);
    }
}
