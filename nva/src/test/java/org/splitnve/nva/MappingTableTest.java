package org.splitnve.nva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.nva.EntryState.FORWARDING;
import static org.splitnve.nva.EntryState.MAPPING;
import static org.splitnve.nva.Fixtures.BLUE;
import static org.splitnve.nva.Fixtures.NVE_A;
import static org.splitnve.nva.Fixtures.NVE_B;
import static org.splitnve.nva.Fixtures.RED;
import static org.splitnve.nva.Fixtures.VM1;
import static org.splitnve.nva.Fixtures.VM1_MAC;
import static org.splitnve.nva.Fixtures.VM2;
import static org.splitnve.nva.Fixtures.VM2_MAC;
import static org.splitnve.nva.Fixtures.host;
import static org.splitnve.nva.Fixtures.ip;
import static org.splitnve.nva.Fixtures.mac;
import static org.splitnve.nva.Fixtures.prefix;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;

class MappingTableTest {
    private final InMemoryNva nva = Fixtures.nvaWithVns();

    private final TsiInstance vm1OnA1 = new TsiInstance(VM1, NVE_A, 1, BLUE);
    private final TsiAddress vm1Mac = mac(VM1_MAC);
    private final TsiAddress vm1Ip = host("10.0.0.1", VM1_MAC);

    @Test
    @DisplayName("SM-TSI-2: Associate puts the TSI's addresses in the mapping table, not the forwarding table")
    void associateMakesMappingEntries() {
        TsiBinding b = nva.associate(vm1OnA1, List.of(vm1Mac, vm1Ip)).orElseThrow();

        assertThat(b.state()).isEqualTo(MAPPING);
        assertThat(b.entries()).containsExactly(new Entry(vm1OnA1, vm1Mac, MAPPING), new Entry(vm1OnA1, vm1Ip, MAPPING));
        assertThat(nva.lookup(BLUE, VM1_MAC)).singleElement().satisfies(e -> {
            assertThat(e.nve()).isEqualTo(NVE_A);
            assertThat(e.port()).isEqualTo(1);
            assertThat(e.state()).isEqualTo(MAPPING);
            assertThat(e.forwarding()).isFalse();
        });
        assertThat(nva.lookup(BLUE, ip("10.0.0.1"))).extracting(Entry::address).containsExactly(vm1Ip);
        assertThat(nva.entries(BLUE)).hasSize(2);
        assertThat(nva.entries(RED)).isEmpty();
        assertThat(nva.churn(BLUE)).isEqualTo(new Churn(2, 0));
    }

    @Test
    @DisplayName("SM-TSI-3, SM-TSI-4: Activate turns mapping entries into forwarding entries; Deactivate turns them back, the entries kept")
    void activateAndDeactivate() {
        nva.associate(vm1OnA1, List.of(vm1Mac, vm1Ip)).orElseThrow();

        assertThat(nva.activate(vm1OnA1).orElseThrow().state()).isEqualTo(FORWARDING);
        assertThat(nva.lookup(BLUE, VM1_MAC)).extracting(Entry::state).containsExactly(FORWARDING);
        assertThat(nva.entries(BLUE)).extracting(Entry::state).containsOnly(FORWARDING);

        TsiBinding back = nva.deactivate(vm1OnA1).orElseThrow();
        assertThat(back.state()).isEqualTo(MAPPING);
        assertThat(back.addresses()).containsExactly(vm1Mac, vm1Ip);
        assertThat(nva.lookup(BLUE, ip("10.0.0.1"))).extracting(Entry::state).containsExactly(MAPPING);
        assertThat(nva.churn(BLUE)).isEqualTo(new Churn(2, 0));
    }

    @Test
    @DisplayName("SM-TSI-3: Activate straight from Init puts the addresses in the forwarding table")
    void activateFromInit() {
        TsiBinding b = nva.activate(vm1OnA1, List.of(vm1Mac)).orElseThrow();
        assertThat(b.state()).isEqualTo(FORWARDING);
        assertThat(nva.lookup(BLUE, VM1_MAC)).extracting(Entry::state).containsExactly(FORWARDING);
    }

    @Test
    @DisplayName("SM-TSI-5, ID-3: De-Associate removes every entry of the TSI at once, whatever its state; no per-address call is needed")
    void deassociateRemovesAll() {
        nva.activate(vm1OnA1, List.of(vm1Mac, vm1Ip, prefix("192.0.2.0", 24))).orElseThrow();

        TsiBinding was = nva.deassociate(vm1OnA1).orElseThrow();

        assertThat(was.state()).isEqualTo(FORWARDING);
        assertThat(was.addresses()).hasSize(3);
        assertThat(nva.binding(vm1OnA1)).isEmpty();
        assertThat(nva.entries(BLUE)).isEmpty();
        assertThat(nva.lookup(BLUE, VM1_MAC)).isEmpty();
        assertThat(nva.lookup(BLUE, ip("10.0.0.1"))).isEmpty();
        assertThat(nva.lookup(BLUE, ip("192.0.2.9"))).isEmpty();
        assertThat(nva.churn(BLUE)).isEqualTo(new Churn(3, 3));
        assertThat(nva.deassociate(vm1OnA1).refusal()).isEqualTo(Refusal.UNKNOWN_TSI_INSTANCE);
    }

    @Test
    @DisplayName("SM-TSI-1: operations on an instance the NVA does not hold are refused, not guessed")
    void unknownInstance() {
        assertThat(nva.activate(vm1OnA1).refusal()).isEqualTo(Refusal.UNKNOWN_TSI_INSTANCE);
        assertThat(nva.deactivate(vm1OnA1).refusal()).isEqualTo(Refusal.UNKNOWN_TSI_INSTANCE);
        assertThat(nva.updateAddresses(vm1OnA1, List.of(), List.of(vm1Mac)).refusal()).isEqualTo(Refusal.UNKNOWN_TSI_INSTANCE);
        assertThat(nva.replaceAddresses(vm1OnA1, List.of(vm1Mac)).refusal()).isEqualTo(Refusal.UNKNOWN_TSI_INSTANCE);
        assertThat(nva.movePort(vm1OnA1, 2).refusal()).isEqualTo(Refusal.UNKNOWN_TSI_INSTANCE);
        assertThat(nva.associate(new TsiInstance(VM1, NVE_A, 1, 7), List.of(vm1Mac)).refusal()).isEqualTo(Refusal.UNKNOWN_VN);
    }

    @Test
    @DisplayName("SM-TSI-6, REQ-10: adding, removing and updating addresses keeps the TSI's state")
    void addressUpdatesKeepState() {
        nva.activate(vm1OnA1, List.of(vm1Mac, vm1Ip)).orElseThrow();

        // add an IPv6 address
        TsiAddress v6 = host("2001:db8::1", VM1_MAC);
        TsiBinding b = nva.updateAddresses(vm1OnA1, List.of(), List.of(v6)).orElseThrow();
        assertThat(b.state()).isEqualTo(FORWARDING);
        assertThat(b.addresses()).containsExactly(vm1Mac, vm1Ip, v6);

        // update the IP address of the MAC
        TsiAddress newIp = host("10.0.0.2", VM1_MAC);
        b = nva.updateAddresses(vm1OnA1, List.of(vm1Ip), List.of(newIp)).orElseThrow();
        assertThat(b.state()).isEqualTo(FORWARDING);
        assertThat(b.addresses()).containsExactly(vm1Mac, v6, newIp);
        assertThat(nva.lookup(BLUE, ip("10.0.0.1"))).isEmpty();
        assertThat(nva.lookup(BLUE, ip("10.0.0.2"))).extracting(Entry::state).containsExactly(FORWARDING);

        // remove one
        b = nva.updateAddresses(vm1OnA1, List.of(v6), List.of()).orElseThrow();
        assertThat(b.addresses()).containsExactly(vm1Mac, newIp);

        // replace, in the Associated state too
        nva.deactivate(vm1OnA1).orElseThrow();
        b = nva.replaceAddresses(vm1OnA1, List.of(vm1Mac)).orElseThrow();
        assertThat(b.state()).isEqualTo(MAPPING);
        assertThat(b.addresses()).containsExactly(vm1Mac);
        assertThat(nva.entries(BLUE)).containsExactly(new Entry(vm1OnA1, vm1Mac, MAPPING));
    }

    @Test
    @DisplayName("SM-TSI-6, ID-4: an update that would leave the TSI without what its VN's service needs is refused and changes nothing")
    void updateMustKeepServiceNeeds() {
        nva.associate(vm1OnA1, List.of(vm1Mac)).orElseThrow();
        assertThat(nva.updateAddresses(vm1OnA1, List.of(vm1Mac), List.of()).refusal()).isEqualTo(Refusal.ADDRESSES_INCOMPLETE);
        assertThat(nva.replaceAddresses(vm1OnA1, List.of(host("10.0.0.1"))).refusal()).isEqualTo(Refusal.ADDRESSES_INCOMPLETE);
        assertThat(nva.binding(vm1OnA1).orElseThrow().addresses()).containsExactly(vm1Mac);

        TsiInstance onRed = new TsiInstance(VM1, NVE_A, 1, RED);
        assertThat(nva.associate(onRed, List.of(vm1Mac)).refusal()).isEqualTo(Refusal.ADDRESSES_INCOMPLETE);
        assertThat(nva.associate(onRed, List.of(vm1Ip)).isAllowed()).isTrue();
        assertThat(nva.associate(onRed, List.of(vm1Mac.inVn(BLUE))).refusal()).isEqualTo(Refusal.ADDRESS_NOT_IN_VN);
        assertThat(nva.associate(onRed, List.of(vm1Ip.inVn(RED))).orElseThrow().addresses()).containsExactly(vm1Ip);
    }

    @Test
    @DisplayName("SM-TSI-6, SM-TSI-7: a port move keeps the entries and their state, with zero removes and zero adds at the NVA")
    void portMoveKeepsEntries() {
        nva.activate(vm1OnA1, List.of(vm1Mac, vm1Ip)).orElseThrow();
        Churn before = nva.churn(BLUE);

        TsiBinding moved = nva.movePort(vm1OnA1, 2).orElseThrow();

        TsiInstance vm1OnA2 = vm1OnA1.onPort(2);
        assertThat(moved).isEqualTo(new TsiBinding(vm1OnA2, FORWARDING, List.of(vm1Mac, vm1Ip)));
        assertThat(nva.binding(vm1OnA1)).isEmpty();
        assertThat(nva.binding(vm1OnA2)).contains(moved);
        assertThat(nva.lookup(BLUE, VM1_MAC)).containsExactly(new Entry(vm1OnA2, vm1Mac, FORWARDING));
        assertThat(nva.lookup(BLUE, ip("10.0.0.1"))).containsExactly(new Entry(vm1OnA2, vm1Ip, FORWARDING));
        assertThat(nva.churn(BLUE)).isEqualTo(before);
        assertThat(nva.churn(BLUE).removed()).isZero();

        // the moved instance works as before
        assertThat(nva.deactivate(vm1OnA2).orElseThrow().state()).isEqualTo(MAPPING);
        assertThat(nva.movePort(vm1OnA2, 2).orElseThrow()).isEqualTo(nva.binding(vm1OnA2).orElseThrow());
    }

    @Test
    @DisplayName("SM-TSI-7: two instances of one TSI on one nNVE (different ports) coexist; lookups give the forwarding one first; no churn")
    void twoInstancesCoexist() {
        TsiInstance source = vm1OnA1;
        TsiInstance destination = vm1OnA1.onPort(2);
        nva.activate(source, List.of(vm1Mac, vm1Ip)).orElseThrow();
        Churn before = nva.churn(BLUE);

        // LC-MIGRATE: the destination associates while the source still forwards
        nva.associate(destination, List.of(vm1Mac, vm1Ip)).orElseThrow();
        assertThat(nva.lookup(BLUE, VM1_MAC)).extracting(Entry::instance, Entry::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(source, FORWARDING),
                        org.assertj.core.groups.Tuple.tuple(destination, MAPPING));
        assertThat(nva.bindings(VM1)).extracting(TsiBinding::instance).containsExactly(source, destination);

        // make-before-break: destination activated, then source deactivated: the forwarding one still first
        nva.activate(destination).orElseThrow();
        nva.deactivate(source).orElseThrow();
        assertThat(nva.lookup(BLUE, ip("10.0.0.1"))).extracting(Entry::instance).containsExactly(destination, source);

        // the source leaves: the nNVE still holds every address, so the NVA saw nothing come and go
        nva.deassociate(source).orElseThrow();
        assertThat(nva.lookup(BLUE, VM1_MAC)).containsExactly(new Entry(destination, vm1Mac, FORWARDING));
        assertThat(nva.churn(BLUE)).isEqualTo(before);

        // a move onto a port where the TSI already has an instance is refused
        nva.associate(source, List.of(vm1Mac)).orElseThrow();
        assertThat(nva.movePort(source, 2).refusal()).isEqualTo(Refusal.INSTANCE_EXISTS);
    }

    @Test
    @DisplayName("SM-TSI-7: the same TSI on two nNVEs (migration between NVEs) is real churn: the NVA counts the remote binding come and go")
    void migrationBetweenNves() {
        TsiInstance onB = new TsiInstance(VM1, NVE_B, 5, BLUE);
        nva.activate(vm1OnA1, List.of(vm1Mac)).orElseThrow();
        nva.associate(onB, List.of(vm1Mac)).orElseThrow();
        nva.activate(onB).orElseThrow();
        nva.deassociate(vm1OnA1).orElseThrow();
        assertThat(nva.lookup(BLUE, VM1_MAC)).extracting(Entry::nve).containsExactly(NVE_B);
        assertThat(nva.churn(BLUE)).isEqualTo(new Churn(2, 1));
    }

    @Test
    @DisplayName("ID-3, SM-TSI-2: a MAC or host IP of another TSI in the VN is refused; other VNs and the same TSI elsewhere are fine")
    void addressInUse() {
        nva.associate(vm1OnA1, List.of(vm1Mac, vm1Ip)).orElseThrow();
        TsiInstance vm2 = new TsiInstance(VM2, NVE_B, 1, BLUE);

        Decision<TsiBinding> d = nva.associate(vm2, List.of(vm1Mac));
        assertThat(d.refusal()).isEqualTo(Refusal.ADDRESS_IN_USE);
        assertThat(((Decision.Refused<TsiBinding>) d).detail()).contains(VM1_MAC.toString()).contains(VM1.toString());
        assertThat(nva.associate(vm2, List.of(mac(VM2_MAC), host("10.0.0.1", VM2_MAC))).refusal())
                .isEqualTo(Refusal.ADDRESS_IN_USE);
        assertThat(nva.binding(vm2)).isEmpty();

        assertThat(nva.associate(vm2, List.of(mac(VM2_MAC), host("10.0.0.2", VM2_MAC))).isAllowed()).isTrue();
        assertThat(nva.updateAddresses(vm2, List.of(), List.of(host("10.0.0.1", VM2_MAC))).refusal())
                .isEqualTo(Refusal.ADDRESS_IN_USE);
        // the same MAC in another VN is another VN's business
        assertThat(nva.associate(new TsiInstance(VM2, NVE_B, 1, RED), List.of(host("10.0.0.1", VM1_MAC))).isAllowed())
                .isTrue();
    }

    @Test
    @DisplayName("ID-3: an IP lookup finds a host entry or a prefix holding the address (a load balancer's range), most specific first")
    void ipLookupWithPrefixes() {
        TsiInstance lb = new TsiInstance(VM2, NVE_B, 3, BLUE);
        nva.activate(lb, List.of(mac(VM2_MAC), prefix("192.0.2.0", 24), prefix("192.0.2.0", 28))).orElseThrow();
        nva.activate(vm1OnA1, List.of(vm1Mac, host("192.0.2.5", VM1_MAC))).orElseThrow();

        assertThat(nva.lookup(BLUE, ip("192.0.2.5"))).extracting(Entry::instance, e -> e.address().prefixLength())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(vm1OnA1, 32), org.assertj.core.groups.Tuple.tuple(lb, 28));
        assertThat(nva.lookup(BLUE, ip("192.0.2.200"))).extracting(Entry::address).containsExactly(prefix("192.0.2.0", 24));
        assertThat(nva.lookup(BLUE, ip("198.51.100.1"))).isEmpty();
        assertThat(nva.lookup(BLUE, ip("2001:db8::1"))).isEmpty();
        assertThat(nva.lookup(BLUE, MacAddress.parse("52:54:00:99:99:99"))).isEmpty();
        assertThat(nva.lookup(7, VM1_MAC)).isEmpty();
    }

    @Test
    @DisplayName("SM-TSI-2, SM-TSI-3: Associate on an existing instance sets its addresses and leaves it Associated; only the difference changes")
    void associateAgain() {
        nva.activate(vm1OnA1, List.of(vm1Mac, vm1Ip)).orElseThrow();
        TsiBinding b = nva.associate(vm1OnA1, List.of(vm1Mac)).orElseThrow();
        assertThat(b).isEqualTo(new TsiBinding(vm1OnA1, MAPPING, List.of(vm1Mac)));
        assertThat(nva.churn(BLUE)).isEqualTo(new Churn(2, 1));
        b = nva.activate(vm1OnA1, List.of(vm1Mac, vm1Ip)).orElseThrow();
        assertThat(b).isEqualTo(new TsiBinding(vm1OnA1, FORWARDING, List.of(vm1Mac, vm1Ip)));
    }

    @Test
    @DisplayName("REQ-8, REQ-9, SM-TSI-4: some addresses of a forwarding instance held as mapping entries, the others forwarding")
    void holdSomeAddresses() {
        nva.activate(vm1OnA1, List.of(vm1Mac, vm1Ip)).orElseThrow();
        TsiBinding b = nva.hold(vm1OnA1, List.of(vm1Ip)).orElseThrow();
        assertThat(b.stateOf(vm1Ip)).isEqualTo(MAPPING);
        assertThat(b.stateOf(vm1Mac)).isEqualTo(FORWARDING);
        assertThat(nva.lookup(BLUE, ip("10.0.0.1"))).singleElement().satisfies(e -> assertThat(e.forwarding()).isFalse());
        assertThat(nva.lookup(BLUE, VM1_MAC)).singleElement().satisfies(e -> assertThat(e.forwarding()).isTrue());
        nva.hold(vm1OnA1, List.of()).orElseThrow();
        assertThat(nva.lookup(BLUE, ip("10.0.0.1"))).singleElement().satisfies(e -> assertThat(e.forwarding()).isTrue());
        nva.hold(vm1OnA1, List.of(vm1Ip)).orElseThrow();
        nva.deactivate(vm1OnA1).orElseThrow();      // a whole-instance change ends the partial state
        nva.activate(vm1OnA1).orElseThrow();
        assertThat(nva.binding(vm1OnA1).orElseThrow().held()).isEmpty();
        assertThat(nva.hold(new TsiInstance(VM2, NVE_A, 1, BLUE), List.of()).isAllowed()).isFalse();
    }
}
