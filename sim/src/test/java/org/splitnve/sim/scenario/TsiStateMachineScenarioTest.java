package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.Effect.AclState;
import org.splitnve.nnve.Effect.EntryState;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.NvaChange;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.lldpad.LldpadStation;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * RFC 8394 Figure 6: the TSI state machine on the nNVE, transition by transition, with what each
 * transition does to the NVA (mapping and forwarding entries), the ACLs and the local tag on the port.
 */
@ExtendWith(PcapOnFailure.class)
class TsiStateMachineScenarioTest {
    private static final VnKey BLUE = new VnKey.Id(5000);

    private record Net(SplitNveNet net, NnveNode n1, TnveNode h1) {
    }

    /** n1 with {@code ports} ports, the tNVE h1 on port 0. */
    private static Net net(double loss, int ports) {
        SplitNveNet net = SplitNveNet.capturing(31, loss);
        net.logNva();
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", ports);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        net.runFor(SECOND / 10);
        return new Net(net, n1, h1);
    }

    private static List<Class<?>> kinds(List<Effect> effects) {
        return effects.stream().<Class<?>>map(Object::getClass).toList();
    }

    /** The ACL state the data plane holds for an instance: the last ACL effect's. */
    private static AclState acl(NnveNode n, VsiId tsi) {
        List<Effect.Acl> l = n.effects(Effect.Acl.class).stream().filter(a -> a.instance().tsi().equals(tsi))
                .toList();
        return l.isEmpty() ? null : l.getLast().state();
    }

    private static Effect.Instance inst(TnveNode h, TsiSpec t) {
        return new Effect.Instance(t.id(), 0, h.mac(0), BLUE);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-TSI-1, SM-TSI-2, SM-TSI-3, SM-TSI-4, SM-TSI-5, GAP-8: Associate, Activate, Deactivate (resources "
            + "kept), Activate, De-Associate, each with its NVA entries, ACL state and tag provisioning; the tag is cleared "
            + "only with the last TSI of the VN on the port; one De-Associate removes every address"
            + " (ACLs, tag provisioning and re-learning as the effects the nNVE emits: no data plane applies them "
            + "yet, no packet is checked)")
    void transitionsAndTheirEffects(double loss) throws Exception {
        Net x = net(loss, 1);
        SplitNveNet net = x.net;
        NnveNode n1 = x.n1;
        TnveNode h1 = x.h1;
        TsiSpec t1 = tsi(1, 5000, TsiAddress.host(InetAddress.getByName("10.0.0.1")),
                TsiAddress.host(InetAddress.getByName("2001:db8::1")), TsiAddress.host(InetAddress.getByName("10.0.0.11")));
        TsiSpec t2 = tsi(2, 5000);
        Effect.Instance i1 = inst(h1, t1);
        Effect.Instance i2 = inst(h1, t2);

        // Associate (Init -> Associated), SM-TSI-2
        int mark = n1.effects().size();
        net.ok(h1.engine().create("vm1", List.of(t1)));
        int tag = n1.engine().vap(0, BLUE).tag();
        List<TsiAddress> addresses1 = n1.engine().instances(t1.id()).getFirst().addresses();
        List<Effect> e = n1.effectsSince(mark);
        assertThat(kinds(e)).containsExactly(Effect.NvaVnTag.class, Effect.TagProvision.class, Effect.Acl.class,
                Effect.NvaEntries.class);
        assertThat(e.get(1)).isEqualTo(new Effect.TagProvision(0, BLUE, tag, true));     // tag provisioned on the port
        assertThat(((Effect.Acl) e.get(2)).state()).isEqualTo(AclState.CREATED_DISABLED); // created, not allowing
        assertThat(((Effect.NvaEntries) e.get(3)).state()).isEqualTo(EntryState.MAPPING); // mapping, not forwarding
        assertThat(((Effect.NvaEntries) e.get(3)).addresses()).hasSize(4).contains(TsiAddress.mac(t1.mac()));
        assertThat(net.nva.bindings(t1.id())).singleElement().satisfies(b -> {
            assertThat(b.state()).isEqualTo(org.splitnve.nva.EntryState.MAPPING);
            assertThat(b.addresses()).hasSize(4);
        });
        assertThat(net.nva.lookup(5000, t1.mac())).singleElement().satisfies(en -> assertThat(en.forwarding()).isFalse());
        assertThat(n1.state(t1.id(), 0, h1.mac(0))).isEqualTo(TsiState.ASSOCIATED);
        assertThat(n1.engine().vap(0, BLUE).tsiAssociated()).isEqualTo(1);                // resources reserved

        // Activate (Associated -> Activated), SM-TSI-3
        mark = n1.effects().size();
        net.ok(h1.engine().start("vm1"));
        assertThat(n1.effectsSince(mark)).containsExactly(
                new Effect.NvaEntries(i1, addresses1, EntryState.FORWARDING),
                new Effect.Acl(i1, addresses1, tag, AclState.ENABLED));
        assertThat(net.nva.bindings(t1.id()).getFirst().state()).isEqualTo(org.splitnve.nva.EntryState.FORWARDING);
        assertThat(net.nva.lookup(5000, t1.mac())).singleElement().satisfies(en -> assertThat(en.forwarding()).isTrue());

        // Deactivate (Activated -> Associated), SM-TSI-4, GAP-8: forwarding entries go, ACL disabled, all kept
        mark = n1.effects().size();
        int nvaMark = net.logged(NvaChange.class).size();
        net.ok(h1.engine().suspend("vm1"));
        assertThat(kinds(n1.effectsSince(mark))).containsExactly(Effect.NvaEntries.class, Effect.Acl.class);
        assertThat(n1.effectsSince(mark)).allSatisfy(ef -> {
            if (ef instanceof Effect.NvaEntries ne) {
                assertThat(ne.state()).isEqualTo(EntryState.MAPPING);
            } else {
                assertThat(((Effect.Acl) ef).state()).isEqualTo(AclState.DISABLED);
            }
        });
        assertThat(n1.state(t1.id(), 0, h1.mac(0))).isEqualTo(TsiState.ASSOCIATED);
        assertThat(net.nva.bindings(t1.id())).singleElement().satisfies(b -> {
            assertThat(b.state()).isEqualTo(org.splitnve.nva.EntryState.MAPPING);
            assertThat(b.addresses()).hasSize(4);                                           // mapping entries kept
        });
        assertThat(n1.engine().vap(0, BLUE).tsiAssociated()).isEqualTo(1);
        assertThat(net.logged(NvaChange.class).subList(nvaMark, net.logged(NvaChange.class).size()))
                .hasSize(4).allSatisfy(c -> assertThat(c).isInstanceOf(NvaChange.EntryStateChanged.class));
        // on the wire: a Pre-Associate-RR with the deactivate extension (GAP-8), not a De-Associate
        assertThat(Frames.vsiSentBy(net.sim, h1.host(), t1.id(), false)).filteredOn(v -> v.attached(DeactivateTlv.class) != null)
                .isNotEmpty().allSatisfy(v -> {
                    assertThat(v.mode()).isEqualTo(VsiMode.PRE_ASSOCIATE_RR);
                    assertThat(v.attached(DeactivateTlv.class).cause()).isEqualTo(DeactivateTlv.Cause.SUSPEND);
                });

        // Activate again
        net.ok(h1.engine().resume("vm1"));
        assertThat(acl(n1, t1.id())).isEqualTo(AclState.ENABLED);

        // A second TSI of the VN on the port: the tag is already provisioned there
        mark = n1.effects().size();
        net.ok(h1.engine().create("vm2", List.of(t2)));
        assertThat(kinds(n1.effectsSince(mark))).containsExactly(Effect.Acl.class, Effect.NvaEntries.class);
        assertThat(n1.engine().vap(0, BLUE).tsiAssociated()).isEqualTo(2);

        // De-Associate from Activated (SM-TSI-5): one request, every address, the tag stays for vm2
        mark = n1.effects().size();
        nvaMark = net.logged(NvaChange.class).size();
        net.ok(h1.engine().shutdown("vm1"));
        assertThat(n1.effectsSince(mark)).containsExactly(new Effect.NvaRemove(i1),
                new Effect.Acl(i1, addresses1, tag, AclState.REMOVED));
        assertThat(net.nva.bindings(t1.id())).isEmpty();
        assertThat(net.nva.lookup(5000, InetAddress.getByName("2001:db8::1"))).isEmpty();
        List<NvaChange> removed = net.logged(NvaChange.class).subList(nvaMark,
                net.logged(NvaChange.class).size());
        assertThat(removed).hasSize(4).allSatisfy(c -> assertThat(c).isInstanceOf(NvaChange.EntryRemoved.class));
        List<VsiTlv> deassoc = Frames.vsiSentBy(net.sim, h1.host(), t1.id(), false).stream()
                .filter(v -> v.mode() == VsiMode.DE_ASSOCIATE).toList();
        assertThat(deassoc).isNotEmpty().allSatisfy(v -> assertThat(v.attached(TsiAddressTlv.class)).isNull());
        assertThat(n1.engine().vap(0, BLUE).tsiAssociated()).isEqualTo(1);

        // De-Associate from Associated, the last TSI of the VN on the port: tag cleared, VAP gone
        mark = n1.effects().size();
        net.ok(h1.engine().shutdown("vm2"));
        assertThat(n1.effectsSince(mark)).containsExactly(new Effect.NvaRemove(i2),
                new Effect.Acl(i2, List.of(TsiAddress.mac(t2.mac())), tag, AclState.REMOVED),
                new Effect.TagProvision(0, BLUE, tag, false), new Effect.NvaVnTag(BLUE, 5000, "n1/0", -1));

        // the whole path of each state machine, as the nNVE logged it (SM-TSI-1)
        assertThat(n1.path(t1.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED",
                "ACTIVATED>ASSOCIATED", "ASSOCIATED>ACTIVATED", "ACTIVATED>INIT");
        assertThat(n1.path(t2.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>INIT");
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(net.nva.entries(5000)).isEmpty();
        assertThat(n1.engine().tsisIn(TsiState.ASSOCIATED) + n1.engine().tsisIn(TsiState.ACTIVATED)).isZero();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-TSI-1, SM-REASON, GAP-8: a standard peer (lldpad) activates from Init, de-associates from Activated "
            + "and from Associated; without the deactivate extension Activated -> Associated is refused with a reason")
    void standardPeerTransitions(double loss) {
        Net x = net(loss, 2);
        SplitNveNet net = x.net;
        NnveNode n1 = x.n1;
        LldpadStation ld = net.lldpad("ld", n1.mac(1));
        net.link(net.host("ld"), 0, n1.host(), 1);
        MacAddress ldMac = net.host("ld").mac(0);
        VsiId id = VsiId.uuid("6ba7b810-9dad-41d1-80b4-00c04fd430c8");
        MacAddress vm = MacAddress.parse("52:54:00:aa:00:01");
        Filter f = Filter.of(FilterFormat.MAC_VID, FilterEntry.macVid(vm, 0));
        Effect.Instance inst = new Effect.Instance(id, 1, ldMac, BLUE);

        // Activate straight from Init
        int mark = n1.effects().size();
        LldpadStation.Vsi v = net.lldpadRequest(ld, VsiMode.ASSOCIATE, id, f);
        assertThat(v.lastResponse().isSuccess()).isTrue();
        int tag = n1.engine().vap(1, BLUE).tag();
        assertThat(v.answeredFilter().entries().getFirst().vid()).isEqualTo(tag);
        assertThat(n1.effectsSince(mark)).containsExactly(
                new Effect.NvaVnTag(BLUE, 5000, "n1/1", tag),
                new Effect.TagProvision(1, BLUE, tag, true),
                new Effect.Acl(inst, List.of(TsiAddress.mac(vm)), tag, AclState.CREATED_DISABLED),
                new Effect.NvaEntries(inst, List.of(TsiAddress.mac(vm)), EntryState.FORWARDING),
                new Effect.Acl(inst, List.of(TsiAddress.mac(vm)), tag, AclState.ENABLED));
        assertThat(net.nva.bindings(id)).singleElement()
                .satisfies(b -> assertThat(b.state()).isEqualTo(org.splitnve.nva.EntryState.FORWARDING));

        // Activated -> Associated needs the deactivate extension: refused with a reason, state kept
        mark = n1.effects().size();
        v = net.lldpadRequest(ld, VsiMode.PRE_ASSOCIATE_RR, id, f);
        assertThat(v.lastResponse().isSuccess()).isFalse();
        assertThat(v.lastResponse().code()).isEqualTo(ReasonCode.OTHER_FAILURE);
        assertThat(v.lastResponse().keep()).isTrue();
        assertThat(n1.state(id, 1, ldMac)).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.effectsSince(mark)).isEmpty();
        // lldpad drops a refused VSI; its Associate again is a refresh of the activated TSI: nothing changes
        v = net.lldpadRequest(ld, VsiMode.ASSOCIATE, id, f);
        assertThat(v.lastResponse().isSuccess()).isTrue();
        assertThat(n1.effectsSince(mark)).isEmpty();

        // De-Associate from Activated
        net.lldpadRequest(ld, VsiMode.DE_ASSOCIATE, id, f);
        assertThat(n1.engine().instances(id)).isEmpty();
        assertThat(net.nva.bindings(id)).isEmpty();

        // Associate from Init, Activate, then De-Associate from Associated after a fresh Associate cycle
        v = net.lldpadRequest(ld, VsiMode.PRE_ASSOCIATE_RR, id, f);
        assertThat(v.lastResponse().isSuccess()).isTrue();
        assertThat(n1.state(id, 1, ldMac)).isEqualTo(TsiState.ASSOCIATED);
        net.lldpadRequest(ld, VsiMode.ASSOCIATE, id, f);
        assertThat(n1.state(id, 1, ldMac)).isEqualTo(TsiState.ACTIVATED);
        net.lldpadRequest(ld, VsiMode.DE_ASSOCIATE, id, f);
        net.lldpadRequest(ld, VsiMode.PRE_ASSOCIATE_RR, id, f);
        net.lldpadRequest(ld, VsiMode.DE_ASSOCIATE, id, f);

        assertThat(n1.path(id)).containsExactly("INIT>ACTIVATED", "ACTIVATED>INIT", "INIT>ASSOCIATED",
                "ASSOCIATED>ACTIVATED", "ACTIVATED>INIT", "INIT>ASSOCIATED", "ASSOCIATED>INIT");
        assertThat(n1.engine().tsis()).isEmpty();
        assertThat(net.nva.entries(5000)).isEmpty();
        assertThat(n1.effects(Effect.TagProvision.class)).last()
                .isEqualTo(new Effect.TagProvision(1, BLUE, tag, false));
        assertThat(n1.engine().vaps()).isEmpty();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("GAP-8, REQ-9, SM-TSI-4: the nNVE deactivates on its own without releasing anything; the tNVE learns "
            + "it; suspend and resume activate again"
            + " (ACLs, tag provisioning and re-learning as the effects the nNVE emits: no data plane applies them "
            + "yet, no packet is checked)")
    void nnveInitiatedDeactivate(double loss) {
        Net x = net(loss, 1);
        SplitNveNet net = x.net;
        NnveNode n1 = x.n1;
        TnveNode h1 = x.h1;
        TsiSpec t = tsi(1, 5000);
        TnveEngine h = h1.engine();
        net.ok(h.create("vm", List.of(t)));
        net.ok(h.start("vm"));

        int mark = n1.effects().size();
        assertThat(n1.engine().deactivate(t.id(), "maintenance window")).isEqualTo(1);
        assertThat(n1.state(t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ASSOCIATED);
        assertThat(kinds(n1.effectsSince(mark))).containsExactly(Effect.NvaEntries.class, Effect.Acl.class);
        long limit = net.sim.now() + 30 * SECOND;
        while (h.tsiState("nnve", t.id()) != TnveEngine.TsiState.ASSOCIATED && net.sim.now() < limit) {
            net.sim.step(limit);
        }
        assertThat(h.tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.ASSOCIATED);
        assertThat(h1.reported()).filteredOn(ev -> ev instanceof TnveEvent.NnveInitiated).singleElement()
                .satisfies(ev -> {
                    TnveEvent.NnveInitiated ni = (TnveEvent.NnveInitiated) ev;
                    assertThat(ni.what()).isEqualTo("deactivated");
                    assertThat(ni.detail()).contains("ADMINISTRATIVE").contains("maintenance window");
                });
        // resources kept: mapping entries, tag, reservation
        assertThat(net.nva.bindings(t.id())).singleElement()
                .satisfies(b -> assertThat(b.state()).isEqualTo(org.splitnve.nva.EntryState.MAPPING));
        assertThat(n1.effects(Effect.TagProvision.class)).extracting(Effect.TagProvision::provisioned)
                .containsExactly(true);
        assertThat(n1.engine().vap(0, BLUE).tsiAssociated()).isEqualTo(1);
        assertThat(Frames.vsiSentBy(net.sim, n1.host(), t.id(), false)).isNotEmpty().allSatisfy(v -> {
            assertThat(v.mode()).isEqualTo(VsiMode.PRE_ASSOCIATE_RR);
            assertThat(v.attached(DeactivateTlv.class).cause()).isEqualTo(DeactivateTlv.Cause.ADMINISTRATIVE);
        });

        net.ok(h.suspend("vm"));                    // already deactivated: accepted as a repeat
        net.ok(h.resume("vm"));
        assertThat(n1.state(t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ACTIVATED);
        assertThat(n1.path(t.id())).containsExactly("INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED",
                "ACTIVATED>ASSOCIATED", "ASSOCIATED>ACTIVATED");
        assertThat(net.nva.bindings(t.id()).getFirst().state()).isEqualTo(org.splitnve.nva.EntryState.FORWARDING);
    }
}
