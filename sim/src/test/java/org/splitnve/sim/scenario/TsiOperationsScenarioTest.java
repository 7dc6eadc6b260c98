package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.Entry;
import org.splitnve.nva.EntryState;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * TSI operations (RFC 8394 REQ-8, REQ-9, REQ-10): the end device associates, activates, deactivates and
 * de-associates; the nNVE deactivates and de-associates on its own and the end device learns it; addresses
 * change without a state change.
 */
@ExtendWith(PcapOnFailure.class)
class TsiOperationsScenarioTest {
    private NnveNode n1;
    private TnveNode h1;

    private SplitNveNet net(long seed, double loss) {
        SplitNveNet net = SplitNveNet.capturing(seed, loss);
        net.vn(5000, "blue", 5000);
        n1 = net.nnve("n1", 1);
        h1 = net.tnve("h1", n1.mac(0));
        net.link(h1.host(), 0, n1.host(), 0);
        net.runFor(SECOND / 10);
        return net;
    }


    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The last request the end device sent about a TSI. */
    private VsiTlv lastRequest(SplitNveNet net, TsiSpec t) {
        List<VsiTlv> all = Frames.vsiRequestsFrom(net.sim, h1.host(), t.id()).stream().filter(v -> !v.isResponse())
                .toList();
        assertThat(all).isNotEmpty();
        return all.getLast();
    }

    private void both(TsiSpec t, TsiState s) {
        assertThat(n1.state(t)).isEqualTo(s);
        assertThat(h1.engine().tsiState("nnve", t.id()).name()).isEqualTo(s.name());
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-8, GAP-8, SM-TSI-1..5: the end device associates (Pre-Associate-RR), activates (Associate), "
            + "deactivates Activated -> Associated (Pre-Associate-RR + deactivate, resources kept), activates again "
            + "and de-associates"
            + " (ACLs, tag provisioning and re-learning as the effects the nNVE emits: no data plane applies them "
            + "yet, no packet is checked)")
    void endDeviceOperations(double loss) {
        SplitNveNet net = net(51, loss);
        TsiSpec t = tsi(1, 5000, TsiAddress.host(ip("10.0.0.1")));

        net.ok(h1.engine().create("vm1", List.of(t)));                              // associate
        both(t, TsiState.ASSOCIATED);
        assertThat(lastRequest(net, t).mode()).isEqualTo(VsiMode.PRE_ASSOCIATE_RR);
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> assertThat(b.state()).isEqualTo(EntryState.MAPPING));

        net.ok(h1.engine().start("vm1"));                                           // activate
        both(t, TsiState.ACTIVATED);
        assertThat(lastRequest(net, t).mode()).isEqualTo(VsiMode.ASSOCIATE);
        assertThat(net.nva.lookup(5000, ip("10.0.0.1"))).singleElement().satisfies(e -> assertThat(e.forwarding()).isTrue());

        int tagEffects = n1.effects().stream().filter(e -> e instanceof Effect.TagProvision).toList().size();
        net.ok(h1.engine().suspend("vm1"));                                         // deactivate: Activated -> Associated
        both(t, TsiState.ASSOCIATED);
        VsiTlv deactivate = lastRequest(net, t);
        assertThat(deactivate.mode()).isEqualTo(VsiMode.PRE_ASSOCIATE_RR);
        assertThat(deactivate.attached(DeactivateTlv.class)).isEqualTo(new DeactivateTlv(false, DeactivateTlv.Cause.SUSPEND));
        assertThat(net.nva.lookup(5000, ip("10.0.0.1"))).singleElement().satisfies(e -> assertThat(e.forwarding()).isFalse());
        assertThat(n1.effects()).filteredOn(e -> e instanceof Effect.Acl a && a.state() == Effect.AclState.DISABLED).hasSize(1);
        assertThat(n1.effects()).filteredOn(e -> e instanceof Effect.TagProvision).hasSize(tagEffects);   // resources kept
        assertThat(n1.engine().vaps()).singleElement().satisfies(v -> assertThat(v.tsiAssociated()).isEqualTo(1));

        net.ok(h1.engine().resume("vm1"));                                          // activate again
        both(t, TsiState.ACTIVATED);
        assertThat(net.nva.lookup(5000, ip("10.0.0.1"))).singleElement().satisfies(e -> assertThat(e.forwarding()).isTrue());

        net.ok(h1.engine().shutdown("vm1"));                                        // de-associate
        both(t, TsiState.INIT);
        assertThat(lastRequest(net, t).mode()).isEqualTo(VsiMode.DE_ASSOCIATE);
        assertThat(net.nva.lookup(5000, ip("10.0.0.1"))).isEmpty();
        assertThat(n1.effects()).filteredOn(e -> e instanceof Effect.Acl a && a.state() == Effect.AclState.REMOVED).hasSize(1);
        assertThat(n1.events().of(NnveEvent.TsiState.class)).extracting(e -> e.from() + ">" + e.to()).containsExactly(
                "INIT>ASSOCIATED", "ASSOCIATED>ACTIVATED", "ACTIVATED>ASSOCIATED", "ASSOCIATED>ACTIVATED", "ACTIVATED>INIT");
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-9: the nNVE deactivates one TSI and de-associates another on its own; the end device learns "
            + "each, and does not re-activate or re-associate them by itself")
    void nnveInitiative(double loss) {
        SplitNveNet net = net(52, loss);
        TsiSpec t = tsi(1, 5000);
        TsiSpec u = tsi(2, 5000);
        TsiSpec w = tsi(3, 5000);
        net.createAndStart(h1, "vm1", t, u, w);

        long at = net.sim.now();
        assertThat(n1.engine().deactivate(t.id(), "policy")).isEqualTo(1);
        assertThat(n1.engine().deassociate(u.id(), "administrator")).isEqualTo(1);
        assertThat(n1.state(t)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(n1.state(u)).isEqualTo(TsiState.INIT);
        net.runFor(90 * SECOND);                                   // several keep-alive periods

        // the end device learned both
        assertThat(h1.reported()).filteredOn(e -> e instanceof TnveEvent.NnveInitiated).extracting(
                e -> ((TnveEvent.NnveInitiated) e).tsi() + " " + ((TnveEvent.NnveInitiated) e).what())
                .containsExactlyInAnyOrder(t.id() + " deactivated", u.id() + " de-associated");
        both(t, TsiState.ASSOCIATED);
        both(u, TsiState.INIT);
        both(w, TsiState.ACTIVATED);                               // the others are untouched
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> assertThat(b.state()).isEqualTo(EntryState.MAPPING));
        assertThat(net.nva.bindings(u.id())).isEmpty();
        // on the wire: the nNVE's own requests, and nothing from the end device that would undo them
        assertThat(Frames.requestsOnceFrom(net.sim, n1.host()).stream().flatMap(v -> v.vsis().stream())
                .filter(v -> !v.isResponse()).map(v -> v.mode() + (v.attached(DeactivateTlv.class) != null ? "+deactivate" : "")))
                .containsExactlyInAnyOrder("PRE_ASSOCIATE_RR+deactivate", "DE_ASSOCIATE");
        assertThat(Frames.requestsFrom(net.sim, h1.host()).stream().filter(v -> v.nanos() >= at)
                .flatMap(v -> v.vsis().stream()).filter(v -> !v.isResponse())
                .filter(v -> (v.vsiId().equals(t.id()) && v.mode() == VsiMode.ASSOCIATE) || v.vsiId().equals(u.id())))
                .isEmpty();
        assertThat(h1.engine().vmNamed("vm1").state()).isEqualTo(VmState.RUNNING);   // for the orchestrator to decide
    }

    private static List<TsiAddress> many(int n) {
        List<TsiAddress> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(TsiAddress.host(ip("10.1." + (i / 250) + "." + (i % 250 + 1))));
        }
        return out;
    }

    private void assertEntries(SplitNveNet net, String address, boolean present, EntryState state) {
        List<Entry> e = net.nva.lookup(5000, ip(address));
        if (!present) {
            assertThat(e).as(address).isEmpty();
            return;
        }
        assertThat(e).as(address).singleElement().satisfies(x -> assertThat(x.state()).isEqualTo(state));
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-10, GAP-10, SM-TSI-6: IPv4, IPv6, IP-MAC pairs and prefixes are added, removed and replaced "
            + "without changing the TSI's state, Activated or Associated; 1500 addresses go in fragments over several "
            + "ECPDUs; the NVA's entries follow")
    void addressUpdates(double loss) {
        SplitNveNet net = net(53, loss);
        TsiSpec t = tsi(1, 5000, TsiAddress.host(ip("10.0.0.1")), TsiAddress.host(ip("2001:db8::1")));
        net.createAndStart(h1, "vm1", t);
        assertEntries(net, "10.0.0.1", true, EntryState.FORWARDING);
        assertEntries(net, "2001:db8::1", true, EntryState.FORWARDING);
        int stateEvents = n1.events().of(NnveEvent.TsiState.class).size();

        net.ok(h1.engine().updateAddresses("vm1", t.id(), TsiAddressTlv.Operation.ADD,
                List.of(TsiAddress.host(ip("10.0.0.2"), t.mac()), TsiAddress.host(ip("2001:db8::2")))));
        assertEntries(net, "10.0.0.2", true, EntryState.FORWARDING);
        assertEntries(net, "2001:db8::2", true, EntryState.FORWARDING);
        assertEntries(net, "10.0.0.1", true, EntryState.FORWARDING);
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);

        net.ok(h1.engine().updateAddresses("vm1", t.id(), TsiAddressTlv.Operation.REMOVE,
                List.of(TsiAddress.host(ip("10.0.0.1")), TsiAddress.host(ip("2001:db8::1")))));
        assertEntries(net, "10.0.0.1", false, null);
        assertEntries(net, "2001:db8::1", false, null);
        assertEntries(net, "10.0.0.2", true, EntryState.FORWARDING);
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);

        net.ok(h1.engine().updateAddresses("vm1", t.id(), TsiAddressTlv.Operation.REPLACE,
                List.of(TsiAddress.prefix(ip("10.2.0.0"), 24), TsiAddress.host(ip("2001:db8::3")))));
        assertEntries(net, "10.2.0.77", true, EntryState.FORWARDING);                // inside the prefix
        assertEntries(net, "2001:db8::3", true, EntryState.FORWARDING);
        assertEntries(net, "10.0.0.2", false, null);
        assertEntries(net, "2001:db8::2", false, null);
        assertThat(net.nva.lookup(5000, t.mac())).as("the filter's MAC stays").hasSize(1);
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);

        // while Associated (suspended): the state stays Associated, the entries mapping
        net.ok(h1.engine().suspend("vm1"));
        int afterSuspend = n1.events().of(NnveEvent.TsiState.class).size();
        net.ok(h1.engine().updateAddresses("vm1", t.id(), TsiAddressTlv.Operation.ADD, List.of(TsiAddress.host(ip("10.0.0.9")))));
        assertEntries(net, "10.0.0.9", true, EntryState.MAPPING);
        assertEntries(net, "10.2.0.77", true, EntryState.MAPPING);
        assertThat(n1.state(t)).isEqualTo(TsiState.ASSOCIATED);
        assertThat(n1.events().of(NnveEvent.TsiState.class)).hasSize(afterSuspend);
        net.ok(h1.engine().resume("vm1"));

        // a large set: 1500 IPv4 addresses, split into fragments over several ECPDUs, applied at once
        long before = net.sim.now();
        List<TsiAddress> large = many(1500);
        net.ok(h1.engine().updateAddresses("vm1", t.id(), TsiAddressTlv.Operation.REPLACE, large));
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
        List<Frames.Decoded> carrying = Frames.requestsFrom(net.sim, h1.host()).stream().filter(v -> v.nanos() >= before)
                .filter(v -> v.vsis().stream().anyMatch(x -> x.attached(TsiAddressTlv.class) != null)).toList();
        assertThat(carrying.stream().map(Frames.Decoded::sequence).distinct().count()).as("ECPDUs").isGreaterThan(5);
        assertThat(carrying).allSatisfy(v -> assertThat(v.captured().length()).isLessThanOrEqualTo(1518));
        List<TsiAddressTlv> fragments = carrying.stream().flatMap(v -> v.vsis().stream()).flatMap(x -> x.attached().stream())
                .filter(o -> o instanceof TsiAddressTlv).map(o -> (TsiAddressTlv) o).distinct().toList();
        assertThat(fragments.stream().map(TsiAddressTlv::transaction).distinct()).hasSize(1);
        assertThat(fragments.stream().map(TsiAddressTlv::fragment).distinct().count()).isGreaterThan(10);
        assertThat(fragments).filteredOn(TsiAddressTlv::last).hasSize(1);
        assertThat(n1.engine().instances(t.id()).getFirst().addresses()).hasSize(1501);   // + the filter's MAC
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
            assertThat(b.addresses()).hasSize(1501);
        });
        for (TsiAddress a : List.of(large.getFirst(), large.get(749), large.getLast())) {
            assertEntries(net, a.ip().getHostAddress(), true, EntryState.FORWARDING);
        }
        assertEntries(net, "10.2.0.77", false, null);
        assertEntries(net, "10.0.0.9", false, null);
        // no state change came from any address update: only suspend and resume changed the state
        assertThat(n1.events().of(NnveEvent.TsiState.class)).hasSize(stateEvents + 2);
        assertThat(h1.engine().tsiState("nnve", t.id())).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        assertThat(h1.reported()).noneMatch(e -> e instanceof TnveEvent.RequestFailed);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("REQ-8, GAP-8: an end device deactivates some addresses of a TSI (PARTIAL), the others stay activated")
    void partialDeactivate(double loss) {
        SplitNveNet net = new SplitNveNet(54, loss);
        net.vn(5000, "blue", 5000);
        n1 = net.nnve("n1", 1);
        ScriptStation raw = net.station("raw", n1.mac(0), EnumSet.allOf(CapabilityTlv.Feature.class));
        net.link(net.host("raw"), 0, n1.host(), 0);
        net.runFor(SECOND / 10);

        org.splitnve.wire.MacAddress a = new org.splitnve.wire.MacAddress(0x5254_0000_0a01L);
        org.splitnve.wire.MacAddress b = new org.splitnve.wire.MacAddress(0x5254_0000_0a02L);
        TsiSpec t = tsi(1, 5000);
        Filter both = Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid(5000, a, 0),
                FilterEntry.groupMacVid(5000, b, 0));
        raw.submit(new VsiTlv(VsiMode.ASSOCIATE, VsiStatus.Request.PLAIN, 1, 1, t.id(), both));
        net.runFor(5 * SECOND);
        assertThat(raw.responses(t.id())).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(VsiStatus.Response.SUCCESS));
        assertThat(net.nva.lookup(5000, a)).singleElement().satisfies(e -> assertThat(e.forwarding()).isTrue());
        assertThat(net.nva.lookup(5000, b)).singleElement().satisfies(e -> assertThat(e.forwarding()).isTrue());

        // deactivate only MAC a
        raw.submit(new VsiTlv(VsiMode.PRE_ASSOCIATE_RR, VsiStatus.Request.PLAIN, 1, 1, t.id(),
                Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid(5000, a, 0)),
                List.of(new DeactivateTlv(true, DeactivateTlv.Cause.ADMINISTRATIVE))));
        net.runFor(5 * SECOND);
        assertThat(raw.responses(t.id())).hasSize(2).last().satisfies(r -> assertThat(r.status()).isEqualTo(VsiStatus.Response.SUCCESS));
        assertThat(net.nva.lookup(5000, a)).singleElement().satisfies(e -> assertThat(e.forwarding()).isFalse());
        assertThat(net.nva.lookup(5000, b)).as("the address not named stays activated")
                .singleElement().satisfies(e -> assertThat(e.forwarding()).isTrue());
        assertThat(n1.state(t)).isEqualTo(TsiState.ACTIVATED);
    }
}
