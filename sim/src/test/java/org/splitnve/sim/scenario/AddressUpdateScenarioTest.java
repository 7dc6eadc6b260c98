package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.sim.scenario.SplitNveNet.SECOND;
import static org.splitnve.sim.scenario.SplitNveNet.tsi;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.NvaChange;
import org.splitnve.nva.PrefixPolicy;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.lldpad.LldpadStation;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * RFC 8394 Figure 6, the loops on Associated and Activated (SM-TSI-6): adding, removing and replacing a
 * TSI's addresses (MAC, IPv4, IPv6, prefixes, IP-MAC pairs: REQ-10, GAP-10) and changing its filter
 * never change its state; the NVA and the ACLs follow the addresses.
 */
@ExtendWith(PcapOnFailure.class)
class AddressUpdateScenarioTest {
    private static final VnKey BLUE = new VnKey.Id(5000);

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    /** The last ACL effect of a TSI. */
    private static Effect.Acl lastAcl(NnveNode n, VsiId id) {
        return n.effects(Effect.Acl.class).stream().filter(a -> a.instance().tsi().equals(id)).toList()
                .getLast();
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-TSI-6, REQ-10, GAP-10: IPv4, IPv6, prefixes and IP-MAC pairs added, removed and replaced while "
            + "Activated and while Associated: the state never changes, the NVA (lookups included) and ACLs follow"
            + " (ACLs, tag provisioning and re-learning as the effects the nNVE emits: no data plane applies them "
            + "yet, no packet is checked)")
    void addressUpdatesKeepTheState(double loss) throws Exception {
        SplitNveNet net = SplitNveNet.capturing(81, loss);
        net.logNva();
        net.vn(5000, "blue", 5000, new PrefixPolicy(16, 48));   // SEC-2: the VN grants the load balancer its range
        NnveNode n1 = net.nnve("n1", 1);
        TnveNode h1 = net.tnveOn(n1, 0, "h1");
        net.runFor(SECOND / 10);
        TnveEngine h = h1.engine();
        TsiAddress v4 = TsiAddress.host(ip("10.0.0.1"));
        TsiSpec t = tsi(1, 5000, v4);
        TsiAddress mac = TsiAddress.mac(t.mac());
        MacAddress behind = MacAddress.parse("52:54:00:77:00:01");     // a host the VM forwards for
        TsiAddress v6 = TsiAddress.host(ip("2001:db8:1::10"));
        TsiAddress v4Prefix = TsiAddress.prefix(ip("10.9.0.0"), 16);     // seed 004: a load balancer's range
        TsiAddress v6Prefix = TsiAddress.prefix(ip("2001:db8:99::"), 48);
        TsiAddress pair4 = TsiAddress.host(ip("10.0.0.7"), behind);      // IP-MAC pairs
        TsiAddress pair6 = TsiAddress.host(ip("2001:db8:1::7"), t.mac());

        net.ok(h.create("vm", List.of(t)));
        net.ok(h.start("vm"));
        int transitions = n1.transitions(t.id()).size();
        int nvaMark = net.logged(NvaChange.class).size();

        // add while Activated
        List<TsiAddress> added = List.of(v6, v4Prefix, v6Prefix, pair4, pair6);
        net.ok(h.updateAddresses("vm", t.id(), TsiAddressTlv.Operation.ADD, added));
        assertThat(n1.state(t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ACTIVATED);
        List<TsiAddress> all = new ArrayList<>(List.of(mac, v4));
        all.addAll(added);
        assertThat(n1.engine().instances(t.id()).getFirst().addresses()).containsExactlyInAnyOrderElementsOf(all);
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.state()).isEqualTo(EntryState.FORWARDING);
            assertThat(b.addresses()).containsExactlyInAnyOrderElementsOf(all);
        });
        assertThat(lastAcl(n1, t.id())).satisfies(a -> {
            assertThat(a.state()).isEqualTo(Effect.AclState.ENABLED);
            assertThat(a.addresses()).containsExactlyInAnyOrderElementsOf(all);
        });
        List<NvaChange> changes = net.logged(NvaChange.class);
        assertThat(changes.subList(nvaMark, changes.size())).hasSize(5).allSatisfy(c -> assertThat(c)
                .isInstanceOfSatisfying(NvaChange.EntryAdded.class, e -> assertThat(e.state()).isEqualTo(EntryState.FORWARDING)));
        // the NVA answers lookups for every kind of address
        assertThat(net.nva.lookup(5000, ip("10.9.200.3"))).singleElement()
                .satisfies(e -> assertThat(e.address()).isEqualTo(v4Prefix));
        assertThat(net.nva.lookup(5000, ip("2001:db8:99:1::5"))).singleElement()
                .satisfies(e -> assertThat(e.address()).isEqualTo(v6Prefix));
        assertThat(net.nva.lookup(5000, ip("2001:db8:1::10"))).singleElement()
                .satisfies(e -> assertThat(e.forwarding()).isTrue());
        assertThat(net.nva.lookup(5000, behind)).singleElement().satisfies(e -> assertThat(e.address()).isEqualTo(pair4));
        assertThat(net.nva.lookup(5000, ip("10.0.0.7"))).singleElement()
                .satisfies(e -> assertThat(e.address().mac()).isEqualTo(behind));
        // GAP-10 on the wire: the addresses extension carried both families, the prefixes and the bound MACs
        List<TsiAddress> onWire = Frames.vsiSentBy(net.sim, h1.host(), t.id(), false).stream()
                .flatMap(v -> v.attached().stream()).filter(o -> o instanceof TsiAddressTlv)
                .map(o -> (TsiAddressTlv) o).filter(a -> a.operation() == TsiAddressTlv.Operation.ADD)
                .flatMap(a -> a.addresses().stream()).toList();
        assertThat(onWire).containsAll(added);
        assertThat(onWire).extracting(TsiAddress::family).contains(4, 6);
        assertThat(onWire).filteredOn(a -> a.mac() != null).extracting(TsiAddress::mac).contains(behind, t.mac());

        // remove one prefix while Activated
        nvaMark = net.logged(NvaChange.class).size();
        net.ok(h.updateAddresses("vm", t.id(), TsiAddressTlv.Operation.REMOVE, List.of(v4Prefix)));
        assertThat(n1.state(t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ACTIVATED);
        changes = net.logged(NvaChange.class);
        assertThat(changes.subList(nvaMark, changes.size())).singleElement()
                .isEqualTo(new NvaChange.EntryRemoved(net.nva.bindings(t.id()).getFirst().instance(), v4Prefix,
                        EntryState.FORWARDING));
        assertThat(net.nva.lookup(5000, ip("10.9.200.3"))).isEmpty();

        // while Associated: replace everything; the ACLs are updated but stay disabled
        net.ok(h.suspend("vm"));
        nvaMark = net.logged(NvaChange.class).size();
        net.ok(h.updateAddresses("vm", t.id(), TsiAddressTlv.Operation.REPLACE, List.of(v6, pair4)));
        assertThat(n1.state(t.id(), 0, h1.mac(0))).isEqualTo(TsiState.ASSOCIATED);
        assertThat(net.nva.bindings(t.id())).singleElement().satisfies(b -> {
            assertThat(b.state()).isEqualTo(EntryState.MAPPING);
            assertThat(b.addresses()).containsExactlyInAnyOrder(mac, v6, pair4);    // the filter's MAC stays
        });
        assertThat(lastAcl(n1, t.id())).satisfies(a -> {
            assertThat(a.state()).isNotEqualTo(Effect.AclState.ENABLED);
            assertThat(a.addresses()).containsExactlyInAnyOrder(mac, v6, pair4);
        });
        changes = net.logged(NvaChange.class);
        assertThat(changes.subList(nvaMark, changes.size())).hasSize(3)
                .allSatisfy(c -> assertThat(c).isInstanceOf(NvaChange.EntryRemoved.class));   // v4, v6 prefix, pair6

        net.ok(h.resume("vm"));
        assertThat(net.nva.bindings(t.id()).getFirst().addresses()).containsExactlyInAnyOrder(mac, v6, pair4);
        // the state machine saw Deactivate and Activate only; the address changes were logged as such
        assertThat(n1.path(t.id()).subList(transitions, n1.path(t.id()).size()))
                .containsExactly("ACTIVATED>ASSOCIATED", "ASSOCIATED>ACTIVATED");
        assertThat(n1.events().of(NnveEvent.TsiAddresses.class)).extracting(NnveEvent.TsiAddresses::operation)
                .containsSubsequence("ADD", "REMOVE", "REPLACE");
        assertThat(n1.effects(Effect.NvaRemove.class)).isEmpty();
        assertThat(h.vmNamed("vm").tsis().getFirst().ips()).containsExactlyInAnyOrder(v6, pair4);
    }

    @ParameterizedTest(name = "loss {0}")
    @ValueSource(doubles = {0.0, 0.2})
    @DisplayName("SM-TSI-6: a standard peer's new filter (a MAC added, then removed) keeps the TSI Activated; the NVA "
            + "and the ACLs follow the filter's MACs"
            + " (ACLs, tag provisioning and re-learning as the effects the nNVE emits: no data plane applies them "
            + "yet, no packet is checked)")
    void filterChangesKeepTheState(double loss) {
        SplitNveNet net = SplitNveNet.capturing(83, loss);
        net.vn(5000, "blue", 5000);
        NnveNode n1 = net.nnve("n1", 1);
        LldpadStation ld = net.lldpad("ld", n1.mac(0));
        net.link(net.host("ld"), 0, n1.host(), 0);
        net.runFor(SECOND / 10);
        VsiId id = VsiId.uuid("6ba7b810-9dad-41d1-80b4-00c04fd430d1");
        MacAddress a = MacAddress.parse("52:54:00:cc:00:01");
        MacAddress b = MacAddress.parse("52:54:00:cc:00:02");

        net.lldpadRequest(ld, VsiMode.ASSOCIATE, id, Filter.of(FilterFormat.MAC_VID, FilterEntry.macVid(a, 0)));
        int tag = n1.engine().vap(0, BLUE).tag();
        assertThat(net.lldpadRequest(ld, VsiMode.ASSOCIATE, id, Filter.of(FilterFormat.MAC_VID,
                FilterEntry.macVid(a, tag), FilterEntry.macVid(b, tag))).lastResponse().isSuccess()).isTrue();
        assertThat(n1.engine().instances(id)).singleElement().satisfies(t -> {
            assertThat(t.state()).isEqualTo(TsiState.ACTIVATED);
            assertThat(t.addresses()).containsExactlyInAnyOrder(TsiAddress.mac(a), TsiAddress.mac(b));
        });
        assertThat(net.nva.lookup(5000, b)).singleElement().satisfies(e -> assertThat(e.forwarding()).isTrue());
        assertThat(lastAcl(n1, id).addresses()).containsExactlyInAnyOrder(TsiAddress.mac(a), TsiAddress.mac(b));
        assertThat(lastAcl(n1, id).state()).isEqualTo(Effect.AclState.ENABLED);

        assertThat(net.lldpadRequest(ld, VsiMode.ASSOCIATE, id, Filter.of(FilterFormat.MAC_VID,
                FilterEntry.macVid(b, tag))).lastResponse().isSuccess()).isTrue();
        assertThat(n1.engine().instances(id).getFirst().addresses()).containsExactly(TsiAddress.mac(b));
        assertThat(net.nva.lookup(5000, a)).isEmpty();
        assertThat(net.nva.bindings(id).getFirst().state()).isEqualTo(EntryState.FORWARDING);
        assertThat(n1.path(id)).containsExactly("INIT>ACTIVATED");
        VsiTlv last = Frames.vsiSentBy(net.sim, n1.host(), id, true).getLast();
        assertThat(last.filter().entries()).extracting(FilterEntry::mac).containsExactly(b);
    }
}
