package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.await;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.text;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.daemon.netns.DaemonLab.vns;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.TsiBinding;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.Timers;
import org.splitnve.sim.scenario.Frames;
import org.splitnve.sim.scenario.ScriptStation;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.transport.AgentRunner;
import org.splitnve.transport.RawPort;
import org.splitnve.transport.RawSocket;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;
import tools.jackson.databind.JsonNode;

/**
 * REL-4 (issue 12, item 8) on real frames: an nNVE daemon with three ports, each its own cable and port scope;
 * a tNVE daemon (the victim) runs a VM behind port 0, a station on port 1 (raw sockets in its own namespace)
 * claims the VM's TSI, and a second tNVE daemon behind port 2 is where the VM really migrates to; clean, and
 * with 20% of the frames entering the cables dropped by nftables.
 * The simulation's counterpart: sim/.../scenario/TsiOwnershipScenarioTest.
 */
class TsiOwnershipNetnsTest {
    static final MacAddress P0 = mac(0x10);
    static final MacAddress P1 = mac(0x11);
    static final MacAddress P2 = mac(0x12);
    static final MacAddress VICTIM = mac(1);
    static final MacAddress CLAIMANT = mac(0x66);
    static final MacAddress DESTINATION = mac(2);
    static final UUID GUESSED = UUID.fromString("0b5e55ed-0000-4000-8000-000000000008");
    static final UUID MIGRATION = UUID.fromString("0e5b0a8e-2f4b-4c55-9a61-0c3f3b7e1a08");

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    private AgentRunner<ScriptStation> claimant;

    private <T> T atClaimant(Callable<T> c) throws Exception {
        return claimant.call(c).get(10, TimeUnit.SECONDS);
    }

    private static VsiTlv claim(VsiMode mode, TsiSpec t, boolean mBit, MigrationTlv m) {
        VsiTlv plain = Frames.vsi(mode, t.id(), 5000, t.mac(), m == null ? List.<OrgTlv>of() : List.of(m));
        return new VsiTlv(mode, new VsiStatus.Request(mBit, false, 0), plain.typeId(), plain.typeVersion(),
                plain.vsiId(), plain.filter(), plain.attached());
    }

    /** Submits a request from the claimant and waits for its answer. */
    private VsiTlv ask(VsiTlv request) throws Exception {
        int before = atClaimant(() -> claimant.agent().vsiResponses().size());
        claimant.submit(() -> claimant.agent().submit(request)).get(10, TimeUnit.SECONDS); // ran without an exception
        await("the nNVE's answer to " + request.mode(), Duration.ofSeconds(20),
                () -> atClaimant(() -> claimant.agent().vsiResponses().size()) > before);
        return atClaimant(() -> claimant.agent().vsiResponses().getLast());
    }

    private static int code(VsiTlv answer) {
        return ((VsiStatus.Response) answer.status()).code().value();
    }

    @ParameterizedTest(name = "loss {0}%")
    @ValueSource(ints = {0, 20})
    @DisplayName("REL-4, SEC-4, SM-TSI-7, LC-MIGRATE (issue 12, item 8): a station on another port of an nNVE daemon claims "
            + "a running VM's TSI with the M bit, with an unannounced ARRIVAL and with no hint: each refused with reason "
            + "4 and detail code 8, the NVA entries stay with the VM; the VM's real migration to a tNVE daemon behind a "
            + "third port is refused until its source announces it, then moves the entries, and the arrival event says "
            + "from port 0, not a same-port move")
    void claimsAreRefusedAndAnnouncedMigrationsMove(int loss) throws Exception {
        lab.loss(loss);
        String nsN = lab.namespace("n");
        String nsV = lab.namespace("v");
        String nsX = lab.namespace("x");
        String nsD = lab.namespace("d");
        DaemonLab.Bridge w0 = lab.wire("w0");
        lab.attach(w0, nsN, "p0", P0);
        lab.attach(w0, nsV, "up0", VICTIM);
        DaemonLab.Bridge w1 = lab.wire("w1");
        lab.attach(w1, nsN, "p1", P1);
        lab.attach(w1, nsX, "x0", CLAIMANT);
        DaemonLab.Bridge w2 = lab.wire("w2");
        lab.attach(w2, nsN, "p2", P2);
        lab.attach(w2, nsD, "up0", DESTINATION);
        Nnve n = lab.nnve("n1", port(nsN, "p0", "") + port(nsN, "p1", "") + port(nsN, "p2", "") + vns(5000));
        Tnve v = lab.tnve("victim", uplink("tor", nsV, "up0", P0.toString(), "nnve = \"" + P0 + "\""));
        Tnve d = lab.tnve("dest", uplink("tor", nsD, "up0", P2.toString(), "nnve = \"" + P2 + "\""));
        TsiSpec t = tsi(1, 5000);
        v.ok(e -> e.create("vm", List.of(t)));
        v.ok(e -> e.start("vm"));
        List<TsiBinding> before = n.bindings(t);
        assertThat(before).singleElement().satisfies(b -> {
            assertThat(b.instance().port()).isZero();
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
        });

        RawPort raw = RawPort.open("x0", RawSocket.Options.defaults().inNamespace(nsX));
        claimant = lab.closeAfter(AgentRunner.builder("claimant").port(raw).build(io -> new ScriptStation(io,
                Clock.system(), P1, EnumSet.allOf(CapabilityTlv.Feature.class), new Timers(7, 12, 20, 20), e -> { })));
        claimant.start();
        claimant.submit(() -> claimant.agent().hello()).get(10, TimeUnit.SECONDS); // ran without an exception
        for (VsiTlv c : List.of(claim(VsiMode.ASSOCIATE, t, true, null),
                claim(VsiMode.ASSOCIATE, t, true, MigrationTlv.arrival(GUESSED)),
                claim(VsiMode.ASSOCIATE, t, false, null),
                claim(VsiMode.PRE_ASSOCIATE_RR, t, false, MigrationTlv.notMigration()))) {
            VsiTlv answer = ask(c);
            assertThat(code(answer)).as("%s", c).isEqualTo(4);
            ReasonDetailTlv why = answer.attached(ReasonDetailTlv.class);
            assertThat(why.detail()).isEqualTo(NnveEngine.DETAIL_OWNER);
            assertThat(why.text()).contains("belongs to end device " + VICTIM + " on port 0")
                    .containsPattern("only a migration it announces moves it|it did not announce"); // REL-4, in plain words
        }
        assertThat(n.describe(t)).as("only the victim's instance").startsWith(VICTIM + " port 0 ACTIVATED")
                .doesNotContain(CLAIMANT.toString());
        assertThat(n.bindings(t)).isEqualTo(before);
        assertThat(n.events("tsi.migration_arrival")).isEmpty();
        assertThat(n.events("request.refused")).filteredOn(e -> text(e, "detail") != null
                && text(e, "detail").matches("(?s).*(only a migration it announces moves it|it did not announce).*"))
                .hasSizeGreaterThanOrEqualTo(4);
        v.ok(e -> e.suspend("vm"));
        v.ok(e -> e.resume("vm"));
        assertThat(n.bindings(t)).singleElement().satisfies(b -> assertThat(b.instance().port()).isZero());

        // The real migration, to the tNVE daemon behind port 2 (another port scope).
        d.ok(e -> e.migratePrepare("vm", List.of(t), MIGRATION));
        OpResult early = d.op(e -> e.migrateActivate("vm"));
        assertThat(early.ok()).as("%s", early).isFalse();
        assertThat(early.code()).isEqualTo(4);
        assertThat(early.detail()).contains("did not announce migration " + MIGRATION);
        assertThat(n.bindings(t)).singleElement().satisfies(b -> assertThat(b.instance().port()).isZero());
        v.ok(e -> e.migrateStart("vm", MIGRATION));
        d.ok(e -> e.migrateActivate("vm"));
        await("the arrival is logged", Duration.ofSeconds(10), () -> !n.events("tsi.migration_arrival").isEmpty());
        JsonNode arrival = n.events("tsi.migration_arrival").getFirst();
        assertThat(text(arrival, "port")).isEqualTo("2");
        assertThat(text(arrival, "fromPort")).isEqualTo("0");
        assertThat(arrival.get("samePortMove")).isEqualTo(tools.jackson.databind.node.BooleanNode.valueOf(false));
        assertThat(text(arrival, "migrationId")).isEqualTo(MIGRATION.toString());
        v.ok(e -> e.migrateDepart("vm", MIGRATION));
        v.ok(e -> e.migrateFinish("vm"));
        assertThat(n.bindings(t)).singleElement().satisfies(b -> {
            assertThat(b.instance().port()).isEqualTo(2);
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
        });
        assertThat(n.describe(t)).startsWith(DESTINATION + " port 2 ACTIVATED").doesNotContain(VICTIM.toString());
        assertThat(d.state("tor", t).name()).isEqualTo(TsiState.ACTIVATED.name());
        lab.reportLoss(n, v, d);
    }
}
