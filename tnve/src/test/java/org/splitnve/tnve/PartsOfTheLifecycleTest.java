package org.splitnve.tnve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.tnve.TnveEngine.TsiState;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.CapabilityTlv.Feature;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;

/** Placement and fail-over, the nNVE's limits and the VM lifecycle, each on its own with time moved by hand. */
class PartsOfTheLifecycleTest {

    private static Parts twoUplinks(TnveConfig.Mode mode) {
        TnveConfig c = TnveConfig.simple("t", Parts.NNVE).withUplinks(
                List.of(TnveConfig.Uplink.to("a", 0, new MacAddress(0x0200_0000_00A1L)),
                        TnveConfig.Uplink.to("b", 0, new MacAddress(0x0200_0000_00B1L))),
                Map.of(Parts.VN, new TnveConfig.Placement(mode, List.of("a", "b"))));
        return new Parts(c);
    }

    @Test
    @DisplayName("REQ-3, REQ-4: an active-standby VN is carried by its first uplink alive, an active-active VN by "
            + "all, a VN not placed by the first uplink")
    void placement() {
        Parts s = twoUplinks(TnveConfig.Mode.ACTIVE_STANDBY);
        assertThat(s.placement.uplinksFor(Parts.VN)).extracting(u -> u.cfg.name()).containsExactly("a");
        assertThat(s.placement.uplinksFor(Parts.VN + 1)).extracting(u -> u.cfg.name()).containsExactly("a");
        Parts a = twoUplinks(TnveConfig.Mode.ACTIVE_ACTIVE);
        assertThat(a.placement.uplinksFor(Parts.VN)).extracting(u -> u.cfg.name()).containsExactly("a", "b");
    }

    @Test
    @DisplayName("REQ-3: when the active uplink is lost its VN fails over to the standby, where its TSIs go in the "
            + "state wanted; the lost nNVE is to let them go")
    void failOver() {
        Parts t = twoUplinks(TnveConfig.Mode.ACTIVE_STANDBY);
        Uplink a = t.station.uplinkByName.get("a");
        Uplink b = t.station.uplinkByName.get("b");
        TsiSpec spec = Parts.tsi(1, List.of());
        Link atA = t.placement.link(t.vm, spec, t.placement.uplinksFor(Parts.VN).getFirst());
        t.confirm(atA, TsiState.ACTIVATED, VsiMode.ASSOCIATE);

        a.lost("test");

        assertThat(t.events).contains(new TnveEvent.Failover(Long.toString(Parts.VN), "a", "b"));
        assertThat(t.placement.uplinksFor(Parts.VN)).containsExactly(b);
        assertThat(atA.desired).isEqualTo(TsiState.INIT);
        Link atB = b.links.get(spec.id());
        assertThat(atB.desired).isEqualTo(TsiState.ACTIVATED);
        assertThat(atB.pending.target).isEqualTo(TsiState.ACTIVATED);
        assertThat(atB.pending.mode).isEqualTo(VsiMode.ASSOCIATE);
    }

    @Test
    @DisplayName("OPS-3: a TSI over the built-in bound of addresses (its nNVE advertised none), or over an advertised "
            + "limit, is refused before anything is sent; one within them is not")
    void limits() {
        Parts t = new Parts(EnumSet.allOf(Feature.class));
        int builtIn = TnveEngine.BUILT_IN_ADDRESSES_PER_TSI;
        assertThat(t.limits.checkLimits("vm", "create", List.of(Parts.tsi(1, Parts.ips(builtIn - 1))))).isNull();
        CompletableFuture<OpResult> over = t.limits.checkLimits("vm", "create", List.of(Parts.tsi(1, Parts.ips(builtIn))));
        assertThat(over).isCompletedWithValueMatching(r -> !r.ok() && r.refusedHere());
        assertThat(t.events).anyMatch(e -> e instanceof TnveEvent.OverLimit o && o.max() == builtIn && !o.advertised());

        t.limits.noteLimits(t.up, CapabilityTlv.of(EnumSet.allOf(Feature.class)).withLimits(
                List.of(new CapabilityTlv.Limit(CapabilityTlv.Limit.ADDRESSES_PER_TSI, 3))));
        assertThat(t.limits.checkLimits("vm", "create", List.of(Parts.tsi(1, Parts.ips(2))))).isNull();
        assertThat(t.limits.checkLimits("vm", "create", List.of(Parts.tsi(1, Parts.ips(3))))).isNotNull();
        assertThat(t.up.links).isEmpty(); // nothing registered, nothing sent
    }

    @Test
    @DisplayName("LC-CREATE, OPS-2: a create whose association is refused de-associates and forgets the VM, "
            + "answering the refusal")
    void refusedCreateLeavesNothing() {
        Parts t = new Parts(EnumSet.noneOf(Feature.class));
        TsiSpec spec = Parts.tsi(7, List.of());
        CompletableFuture<OpResult> f = t.lifecycle.create("web", List.of(spec));
        Link l = t.up.links.get(spec.id());
        assertThat(t.station.vms.get("web").state()).isEqualTo(VmState.PREPARING);

        t.answer(l, VsiStatus.Response.refused(ReasonCode.INSUFFICIENT_RESOURCES));
        assertThat(f).isNotDone();
        assertThat(l.pending.mode).isEqualTo(VsiMode.DE_ASSOCIATE); // also what never answered may be held
        t.answer(l, VsiStatus.Response.SUCCESS);

        assertThat(f).isCompletedWithValueMatching(r -> r.code() == ReasonCode.INSUFFICIENT_RESOURCES.value());
        assertThat(t.station.vms).doesNotContainKey("web");
        assertThat(t.up.links).doesNotContainKey(spec.id());
        assertThat(t.events).contains(new TnveEvent.VmStateChanged("web", "PREPARING", "DESTROYED",
                "association failed: " + ReasonCode.INSUFFICIENT_RESOURCES.description()));
    }

    @Test
    @DisplayName("LC-CREATE, OPS-2: create associates, the VM is SHUTDOWN; start activates, the VM runs; a start "
            + "of a running VM is refused here and sends nothing")
    void createThenStart() {
        Parts t = new Parts(EnumSet.noneOf(Feature.class));
        TsiSpec spec = Parts.tsi(7, List.of());
        CompletableFuture<OpResult> created = t.lifecycle.create("web", List.of(spec));
        Link l = t.up.links.get(spec.id());
        t.answer(l, VsiStatus.Response.SUCCESS);
        assertThat(created).isCompletedWithValue(OpResult.OK);
        assertThat(t.station.vms.get("web").state()).isEqualTo(VmState.SHUTDOWN);
        assertThat(l.confirmed).isEqualTo(TsiState.ASSOCIATED);

        CompletableFuture<OpResult> started = t.lifecycle.start("web");
        assertThat(l.pending.mode).isEqualTo(VsiMode.ASSOCIATE);
        t.answer(l, VsiStatus.Response.SUCCESS);
        assertThat(started).isCompletedWithValue(OpResult.OK);
        assertThat(t.station.vms.get("web").state()).isEqualTo(VmState.RUNNING);

        CompletableFuture<OpResult> again = t.lifecycle.start("web");
        assertThat(again).isCompletedWithValueMatching(r -> !r.ok() && r.code() == Station.CODE_REFUSED);
        assertThat(l.pending).isNull();
    }
}
