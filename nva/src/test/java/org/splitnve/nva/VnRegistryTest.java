package org.splitnve.nva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.nva.Fixtures.BLUE;
import static org.splitnve.nva.Fixtures.BLUE_NAME;
import static org.splitnve.nva.Fixtures.BLUE_VN;
import static org.splitnve.nva.Fixtures.NVE_A;
import static org.splitnve.nva.Fixtures.RED;
import static org.splitnve.nva.Fixtures.RED_VN;
import static org.splitnve.nva.Fixtures.VM1;
import static org.splitnve.nva.Fixtures.VM1_MAC;
import static org.splitnve.nva.Fixtures.mac;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.VnId;

class VnRegistryTest {
    private final InMemoryNva nva = Fixtures.nvaWithVns();

    @Test
    @DisplayName("ID-1: a VN is found by VN Name, VN ID and VN Alias, and by either wire form (GroupID or Name)")
    void lookups() {
        assertThat(nva.vnById(BLUE)).contains(BLUE_VN);
        assertThat(nva.vnByName(BLUE_NAME)).contains(BLUE_VN);
        assertThat(nva.vnByAlias("tenant-1 blue")).contains(BLUE_VN);
        assertThat(nva.vn(VnId.group(BLUE))).contains(BLUE_VN);
        assertThat(nva.vn(new VnId.Name(BLUE_NAME))).contains(BLUE_VN);
        assertThat(nva.vnById(999)).isEmpty();
        assertThat(nva.vnByName(UUID.randomUUID())).isEmpty();
        assertThat(nva.vnByAlias("green")).isEmpty();
        assertThat(nva.vns()).containsExactly(BLUE_VN, RED_VN);
    }

    @Test
    @DisplayName("ID-1: a VN ID is 32 bits unsigned: the largest GroupID is a valid VN ID")
    void unsignedVnId() {
        VnRecord big = VnRecord.of(UUID.randomUUID(), 0xFFFF_FFFFL, "big", 7, VnService.L2);
        assertThat(nva.addVn(big).isAllowed()).isTrue();
        assertThat(nva.vn(VnId.group(0xFFFF_FFFFL))).contains(big);
        assertThat(big.unsignedId()).isEqualTo(0xFFFF_FFFFL);
        assertThat(big.groupId()).isEqualTo(VnId.group(0xFFFF_FFFFL));
    }

    @Test
    @DisplayName("ID-1: VN Name, VN ID and VN Alias are each unique (and the VN Context): a duplicate is refused with its reason")
    void uniqueness() {
        VnRecord sameName = VnRecord.of(BLUE_NAME, 101, "other", 6001, VnService.L2);
        VnRecord sameId = VnRecord.of(UUID.randomUUID(), BLUE, "other", 6001, VnService.L2);
        VnRecord sameAlias = VnRecord.of(UUID.randomUUID(), 101, "tenant-1 blue", 6001, VnService.L2);
        VnRecord sameContext = VnRecord.of(UUID.randomUUID(), 101, "other", 5001, VnService.L2);

        assertThat(nva.addVn(sameName).refusal()).isEqualTo(Refusal.VN_NAME_IN_USE);
        assertThat(nva.addVn(sameId).refusal()).isEqualTo(Refusal.VN_ID_IN_USE);
        assertThat(nva.addVn(sameAlias).refusal()).isEqualTo(Refusal.VN_ALIAS_IN_USE);
        assertThat(nva.addVn(sameContext).refusal()).isEqualTo(Refusal.VN_CONTEXT_IN_USE);
        assertThat(nva.vns()).containsExactly(BLUE_VN, RED_VN);

        Decision<VnRecord> d = nva.addVn(sameAlias);
        assertThat(d).isInstanceOfSatisfying(Decision.Refused.class,
                r -> assertThat(r.text(255)).contains("tenant-1 blue").contains("VN 100"));
    }

    @Test
    @DisplayName("ID-1: VN Aliases are human names read out over the phone: unique and found without regard to case")
    void aliasIgnoresCase() {
        assertThat(nva.vnByAlias("TENANT-1 Blue")).contains(BLUE_VN);
        VnRecord shouting = VnRecord.of(UUID.randomUUID(), 101, "TENANT-1 BLUE", 6001, VnService.L2);
        assertThat(nva.addVn(shouting).refusal()).isEqualTo(Refusal.VN_ALIAS_IN_USE);
    }

    @Test
    @DisplayName("ID-1: a VN record is checked: non-nil name, alias, 24-bit VN Context, no name/alias/context among profile parameters")
    void recordValidation() {
        UUID nil = new UUID(0, 0);
        assertThatThrownBy(() -> VnRecord.of(nil, 1, "x", 1, VnService.L2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VnRecord.of(UUID.randomUUID(), 1, " ", 1, VnService.L2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VnRecord.of(UUID.randomUUID(), 1, "x", 0x100_0000, VnService.L2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> VnRecord.of(UUID.randomUUID(), -1, "x", 1, VnService.L2))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BLUE_VN.withParameters(List.of(Parameter.vnContext(9))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BLUE_VN.withParameters(List.of(Parameter.vnAlias("x"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("the record keeps what VN_Connect needs: VN Context, service type, provisioning mode and profile parameters")
    void profile() {
        List<Parameter> profile = List.of(Parameter.vnProfile("gold"), Parameter.qos(1000, 2000, 5), Parameter.mtu(9000));
        VnRecord green = VnRecord.of(UUID.randomUUID(), 300, "green", 5003, VnService.L3)
                .withMode(ProvisioningMode.VALIDATED).withParameters(profile);
        nva.addVn(green).orElseThrow();

        VnRecord got = nva.vnById(300).orElseThrow();
        assertThat(got.context()).isEqualTo(5003);
        assertThat(got.service()).isEqualTo(VnService.L3);
        assertThat(got.mode()).isEqualTo(ProvisioningMode.VALIDATED);
        assertThat(got.parameters()).containsExactlyElementsOf(profile);
        assertThat(got.toString()).contains("VN profile \"gold\"").contains("VNI 5003");
    }

    @Test
    @DisplayName("ID-4: an L2 VN needs a MAC (IP optional); an L3 VN needs an IP and a MAC")
    void serviceNeeds() {
        assertThat(VnService.L2.satisfiedBy(List.of(mac(VM1_MAC)))).isTrue();
        assertThat(VnService.L2.satisfiedBy(List.of(Fixtures.host("10.0.0.1", VM1_MAC)))).isTrue();
        assertThat(VnService.L2.satisfiedBy(List.of(Fixtures.host("10.0.0.1")))).isFalse();
        assertThat(VnService.L3.satisfiedBy(List.of(mac(VM1_MAC)))).isFalse();
        assertThat(VnService.L3.satisfiedBy(List.of(Fixtures.host("10.0.0.1")))).isFalse();
        assertThat(VnService.L3.satisfiedBy(List.of(Fixtures.host("10.0.0.1", VM1_MAC)))).isTrue();
        assertThat(VnService.L3.satisfiedBy(List.of(mac(VM1_MAC), Fixtures.host("2001:db8::1")))).isTrue();
    }

    @Test
    @DisplayName("ID-1, ID-3: removing a VN removes what it contains (entries, tags, rules, records) and frees its name, ID, alias and context")
    void removeCascades() {
        nva.permitTsi(TsiRule.anyOn(BLUE));
        nva.putTsiRecord(TsiRecord.of(VM1, BLUE, mac(VM1_MAC)));
        TsiInstance vm1 = new TsiInstance(VM1, NVE_A, 1, BLUE);
        nva.associate(vm1, List.of(mac(VM1_MAC))).orElseThrow();
        nva.recordLocalTag(new LocalTag(NVE_A, 1, 10, BLUE)).orElseThrow();

        assertThat(nva.removeVn(BLUE).orElseThrow()).isEqualTo(BLUE_VN);

        assertThat(nva.vnById(BLUE)).isEmpty();
        assertThat(nva.vnByName(BLUE_NAME)).isEmpty();
        assertThat(nva.vnByAlias("tenant-1 blue")).isEmpty();
        assertThat(nva.binding(vm1)).isEmpty();
        assertThat(nva.bindings(VM1)).isEmpty();
        assertThat(nva.entries(BLUE)).isEmpty();
        assertThat(nva.localTag(NVE_A, 1, 10)).isEmpty();
        assertThat(nva.tsiRecord(VM1, BLUE)).isEmpty();
        assertThat(nva.revokeTsi(TsiRule.anyOn(BLUE))).isFalse();
        assertThat(nva.removeVn(BLUE).refusal()).isEqualTo(Refusal.UNKNOWN_VN);
        assertThat(nva.addVn(BLUE_VN).isAllowed()).isTrue();
        assertThat(nva.vnById(RED)).contains(RED_VN);
    }
}
