package org.splitnve.nva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.nva.Fixtures.BLUE;
import static org.splitnve.nva.Fixtures.BLUE_NAME;
import static org.splitnve.nva.Fixtures.BLUE_VN;
import static org.splitnve.nva.Fixtures.HYPERVISOR_1;
import static org.splitnve.nva.Fixtures.HYPERVISOR_2;
import static org.splitnve.nva.Fixtures.NVE_A;
import static org.splitnve.nva.Fixtures.NVE_B;
import static org.splitnve.nva.Fixtures.RED;
import static org.splitnve.nva.Fixtures.VM1;
import static org.splitnve.nva.Fixtures.VM1_MAC;
import static org.splitnve.nva.Fixtures.VM2;
import static org.splitnve.nva.Fixtures.VM2_MAC;
import static org.splitnve.nva.Fixtures.device;
import static org.splitnve.nva.Fixtures.host;
import static org.splitnve.nva.Fixtures.mac;
import static org.splitnve.nva.Fixtures.prefix;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VnId;

class AuthorisationPolicyTest {
    private final InMemoryNva nva = Fixtures.nvaWithVns();
    private final EndDevice hv1 = device(NVE_A, 1, HYPERVISOR_1);

    @Test
    @DisplayName("SEC-1: with no rule, no end device may use the nNVE")
    void denyByDefault() {
        assertThat(nva.authoriseEndDevice(hv1).refusal()).isEqualTo(Refusal.END_DEVICE_NOT_AUTHORISED);
    }

    @Test
    @DisplayName("SEC-1: end-device rules match nNVE, port and station MAC, with wildcards for port and MAC")
    void endDeviceWildcards() {
        EndDevice hv1Port2 = device(NVE_A, 2, HYPERVISOR_1);
        EndDevice hv2 = device(NVE_A, 1, HYPERVISOR_2);
        EndDevice onB = device(NVE_B, 1, HYPERVISOR_1);

        nva.permitEndDevice(EndDeviceRule.exact(NVE_A, 1, HYPERVISOR_1));
        assertThat(allowed(hv1, hv1Port2, hv2, onB)).containsExactly(true, false, false, false);

        nva.permitEndDevice(EndDeviceRule.station(NVE_A, HYPERVISOR_1)); // any port: the hypervisor may move
        assertThat(allowed(hv1, hv1Port2, hv2, onB)).containsExactly(true, true, false, false);

        nva.permitEndDevice(EndDeviceRule.port(NVE_A, 1)); // REQ-2: every end device behind port 1
        assertThat(allowed(hv1, hv1Port2, hv2, onB)).containsExactly(true, true, true, false);

        nva.permitEndDevice(EndDeviceRule.anyOn(NVE_B));
        assertThat(allowed(hv1, hv1Port2, hv2, onB)).containsExactly(true, true, true, true);

        assertThat(nva.revokeEndDevice(EndDeviceRule.station(NVE_A, HYPERVISOR_1))).isTrue();
        assertThat(nva.revokeEndDevice(EndDeviceRule.station(NVE_A, HYPERVISOR_1))).isFalse();
        assertThat(allowed(hv1, hv1Port2, hv2, onB)).containsExactly(true, false, true, true);
        assertThat(nva.authoriseEndDevice(hv1).orElseThrow()).isEqualTo(hv1);
    }

    private List<Boolean> allowed(EndDevice... devices) {
        return java.util.Arrays.stream(devices).map(d -> nva.authoriseEndDevice(d).isAllowed()).toList();
    }

    @Test
    @DisplayName("SM-VAP-2, SEC-1: VN_Connect by VN ID or VN Name returns the VN Context; unauthorised devices and unknown VNs are refused")
    void connectVn() {
        assertThat(nva.connectVn(hv1, VnId.group(BLUE)).refusal()).isEqualTo(Refusal.END_DEVICE_NOT_AUTHORISED);
        nva.permitEndDevice(EndDeviceRule.anyOn(NVE_A));
        assertThat(nva.connectVn(hv1, VnId.group(BLUE)).orElseThrow().context()).isEqualTo(5001);
        assertThat(nva.connectVn(hv1, new VnId.Name(BLUE_NAME)).orElseThrow()).isEqualTo(BLUE_VN);
        assertThat(nva.connectVn(hv1, VnId.group(7)).refusal()).isEqualTo(Refusal.UNKNOWN_VN);
        assertThat(nva.connectVn(hv1, new VnId.Name(UUID.randomUUID())).refusal()).isEqualTo(Refusal.UNKNOWN_VN);
    }

    @Test
    @DisplayName("SEC-1: a TSI joins a VN only if a rule names it (or any TSI) on that VN")
    void tsiRules() {
        nva.permitEndDevice(EndDeviceRule.anyOn(NVE_A));
        List<TsiAddress> a1 = List.of(mac(VM1_MAC));
        List<TsiAddress> a2 = List.of(mac(VM2_MAC));
        assertThat(nva.authoriseTsi(hv1, VM1, BLUE, a1, List.of()).refusal()).isEqualTo(Refusal.TSI_NOT_AUTHORISED_ON_VN);

        nva.permitTsi(TsiRule.on(BLUE, VM1));
        assertThat(nva.authoriseTsi(hv1, VM1, BLUE, a1, List.of()).isAllowed()).isTrue();
        assertThat(nva.authoriseTsi(hv1, VM2, BLUE, a2, List.of()).refusal()).isEqualTo(Refusal.TSI_NOT_AUTHORISED_ON_VN);

        nva.permitTsi(TsiRule.anyOn(BLUE));
        assertThat(nva.authoriseTsi(hv1, VM2, BLUE, a2, List.of()).isAllowed()).isTrue();

        assertThat(nva.revokeTsi(TsiRule.anyOn(BLUE))).isTrue();
        assertThat(nva.revokeTsi(TsiRule.on(BLUE, VM1))).isTrue();
        assertThat(nva.authoriseTsi(hv1, VM1, BLUE, a1, List.of()).refusal()).isEqualTo(Refusal.TSI_NOT_AUTHORISED_ON_VN);
        assertThatThrownBy(() -> TsiRule.on(BLUE, null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("SEC-1: the end device is checked before anything about the VN is revealed; an unknown VN is refused as such")
    void refusalOrder() {
        assertThat(nva.authoriseTsi(hv1, VM1, 7, List.of(mac(VM1_MAC)), List.of()).refusal())
                .isEqualTo(Refusal.END_DEVICE_NOT_AUTHORISED);
        nva.permitEndDevice(EndDeviceRule.anyOn(NVE_A));
        assertThat(nva.authoriseTsi(hv1, VM1, 7, List.of(mac(VM1_MAC)), List.of()).refusal()).isEqualTo(Refusal.UNKNOWN_VN);
    }

    @Test
    @DisplayName("SEC-2: trusted VN: the addresses and parameters the end device supplies are granted as they are")
    void trusted() {
        nva.permitEndDevice(EndDeviceRule.anyOn(NVE_A));
        nva.permitTsi(TsiRule.anyOn(BLUE));
        List<TsiAddress> offered = List.of(mac(VM1_MAC), host("10.0.0.1", VM1_MAC), mac(VM1_MAC).inVn(BLUE));
        List<Parameter> params = List.of(Parameter.qos(100, 200, 3));

        TsiGrant g = nva.authoriseTsi(hv1, VM1, BLUE, offered, params).orElseThrow();

        assertThat(g.mode()).isEqualTo(ProvisioningMode.TRUSTED);
        assertThat(g.vn()).isEqualTo(BLUE_VN);
        assertThat(g.addresses()).containsExactly(mac(VM1_MAC), host("10.0.0.1", VM1_MAC)); // duplicate dropped
        assertThat(g.parameters()).isEqualTo(params);
    }

    @Test
    @DisplayName("SEC-2, SM-REASON: validated VN: the end device gives only VN and TSI identity; the NVA's record is authoritative")
    void validated() {
        VnRecord green = VnRecord.of(UUID.randomUUID(), 300, "green", 5003, VnService.L3)
                .withMode(ProvisioningMode.VALIDATED);
        nva.addVn(green).orElseThrow();
        nva.permitEndDevice(EndDeviceRule.anyOn(NVE_A));
        TsiRecord rec = new TsiRecord(VM1, 300, List.of(host("10.1.0.5", VM1_MAC), host("2001:db8::5", VM1_MAC)),
                List.of(Parameter.vnProfile("web")));

        // not authorised by a rule and no record
        assertThat(nva.authoriseTsi(hv1, VM1, 300, List.of(), List.of()).refusal())
                .isEqualTo(Refusal.TSI_NOT_AUTHORISED_ON_VN);
        // authorised by a rule, still no record to answer with
        nva.permitTsi(TsiRule.anyOn(300));
        assertThat(nva.authoriseTsi(hv1, VM1, 300, List.of(), List.of()).refusal()).isEqualTo(Refusal.NO_TSI_RECORD);
        nva.revokeTsi(TsiRule.anyOn(300));

        nva.putTsiRecord(rec); // the record alone authorises VM1 on VN 300
        assertThat(nva.tsiRecord(VM1, 300)).contains(rec);

        // identity only: the record's addresses and parameters are granted
        TsiGrant g = nva.authoriseTsi(hv1, VM1, 300, List.of(), List.of(Parameter.vnProfile("mine"))).orElseThrow();
        assertThat(g.mode()).isEqualTo(ProvisioningMode.VALIDATED);
        assertThat(g.addresses()).isEqualTo(rec.addresses());
        assertThat(g.parameters()).containsExactly(Parameter.vnProfile("web"));

        // the MAC as identity (RFC 8394 section 6): checked, and the whole record granted
        assertThat(nva.authoriseTsi(hv1, VM1, 300, List.of(mac(VM1_MAC)), List.of()).orElseThrow().addresses())
                .isEqualTo(rec.addresses());
        assertThat(nva.authoriseTsi(hv1, VM1, 300, List.of(host("10.1.0.5", VM1_MAC)), List.of()).isAllowed()).isTrue();

        // anything not in the record is refused, with the address in the detail
        Decision<TsiGrant> wrongIp = nva.authoriseTsi(hv1, VM1, 300, List.of(host("10.1.0.6", VM1_MAC)), List.of());
        assertThat(wrongIp.refusal()).isEqualTo(Refusal.ADDRESS_NOT_IN_RECORD);
        assertThat(((Decision.Refused<TsiGrant>) wrongIp).detail()).contains("10.1.0.6");
        assertThat(nva.authoriseTsi(hv1, VM1, 300, List.of(mac(VM2_MAC)), List.of()).refusal())
                .isEqualTo(Refusal.ADDRESS_NOT_IN_RECORD);
        assertThat(nva.authoriseTsi(hv1, VM1, 300, List.of(host("10.1.0.5", VM2_MAC)), List.of()).refusal())
                .isEqualTo(Refusal.ADDRESS_NOT_IN_RECORD);

        // another TSI without a record
        assertThat(nva.authoriseTsi(hv1, VM2, 300, List.of(), List.of()).refusal())
                .isEqualTo(Refusal.TSI_NOT_AUTHORISED_ON_VN);
        assertThat(nva.removeTsiRecord(VM1, 300)).isTrue();
        assertThat(nva.removeTsiRecord(VM1, 300)).isFalse();
        assertThat(nva.authoriseTsi(hv1, VM1, 300, List.of(), List.of()).refusal())
                .isEqualTo(Refusal.TSI_NOT_AUTHORISED_ON_VN);
    }

    @Test
    @DisplayName("SEC-1, SEC-2 (issue 12, item 13): in trusted mode a TSI may not claim a prefix shorter than its VN "
            + "allows (default /24 and /64): 0.0.0.0/0, ::/0 and 10.0.0.0/8 are refused with a reason and the address; "
            + "a VN that grants shorter ones allows them; a validated VN's record grants what it holds")
    void prefixFloor() {
        nva.permitEndDevice(EndDeviceRule.anyOn(NVE_A));
        nva.permitTsi(TsiRule.anyOn(BLUE));
        assertThat(BLUE_VN.prefixes()).isEqualTo(PrefixPolicy.DEFAULT).isEqualTo(new PrefixPolicy(24, 64));
        for (TsiAddress wide : List.of(prefix("0.0.0.0", 0), prefix("::", 0), prefix("10.0.0.0", 8),
                prefix("10.1.0.0", 23), prefix("2001:db8::", 63))) {
            Decision<TsiGrant> d = nva.authoriseTsi(hv1, VM1, BLUE, List.of(mac(VM1_MAC), host("10.0.0.1"), wide),
                    List.of());
            assertThat(d.refusal()).as("%s", wide).isEqualTo(Refusal.PREFIX_TOO_SHORT);
            assertThat(((Decision.Refused<TsiGrant>) d).detail()).as("%s", wide).contains(wide.toString())
                    .contains("VN 100").contains(wide.family() == 4 ? "/24 or longer" : "/64 or longer");
            assertThat(Refusal.PREFIX_TOO_SHORT.reasonCode()).isEqualTo(ReasonCode.OTHER_FAILURE);
        }
        assertThat(nva.authoriseTsi(hv1, VM1, BLUE, List.of(mac(VM1_MAC), prefix("10.1.0.0", 24),
                prefix("2001:db8:0:1::", 64), host("10.0.0.1")), List.of()).isAllowed()).isTrue();

        // a VN granting shorter prefixes (a load balancer's /16), or any
        nva.removeVn(BLUE).orElseThrow();
        nva.addVn(BLUE_VN.withPrefixes(new PrefixPolicy(16, 48))).orElseThrow();
        nva.permitTsi(TsiRule.anyOn(BLUE)); // the VN's rules went with it
        assertThat(nva.authoriseTsi(hv1, VM1, BLUE, List.of(mac(VM1_MAC), prefix("10.9.0.0", 16),
                prefix("2001:db8:99::", 48)), List.of()).isAllowed()).isTrue();
        assertThat(nva.authoriseTsi(hv1, VM1, BLUE, List.of(mac(VM1_MAC), prefix("10.0.0.0", 15)), List.of()).refusal())
                .isEqualTo(Refusal.PREFIX_TOO_SHORT);
        nva.removeVn(BLUE).orElseThrow();
        nva.addVn(BLUE_VN.withPrefixes(PrefixPolicy.HOSTS_ONLY)).orElseThrow();
        nva.permitTsi(TsiRule.anyOn(BLUE));
        assertThat(nva.authoriseTsi(hv1, VM1, BLUE, List.of(mac(VM1_MAC), prefix("10.0.0.0", 31)), List.of()).refusal())
                .isEqualTo(Refusal.PREFIX_TOO_SHORT);
        assertThat(nva.authoriseTsi(hv1, VM1, BLUE, List.of(mac(VM1_MAC), host("10.0.0.1"), host("2001:db8::1")),
                List.of()).isAllowed()).isTrue();

        // validated: the NVA's record is the grant, a /8 included; the end device offers what the record covers
        VnRecord green = VnRecord.of(UUID.randomUUID(), 300, "green", 5003, VnService.L3)
                .withMode(ProvisioningMode.VALIDATED);
        nva.addVn(green).orElseThrow();
        nva.putTsiRecord(new TsiRecord(VM1, 300, List.of(host("10.1.0.5", VM1_MAC), prefix("10.0.0.0", 8)), List.of()));
        assertThat(nva.authoriseTsi(hv1, VM1, 300, List.of(prefix("10.0.0.0", 8)), List.of()).orElseThrow().addresses())
                .contains(prefix("10.0.0.0", 8));
        assertThatThrownBy(() -> new PrefixPolicy(33, 64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PrefixPolicy(24, 129)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("SEC-2, ID-3: a record's IP prefix (a load balancer's range) covers the addresses inside it")
    void recordCoversRanges() {
        TsiRecord rec = new TsiRecord(VM1, BLUE, List.of(mac(VM1_MAC), prefix("192.0.2.0", 24)), List.of());
        assertThat(rec.covers(host("192.0.2.77"))).isTrue();
        assertThat(rec.covers(host("192.0.2.77", VM1_MAC))).isTrue();
        assertThat(rec.covers(prefix("192.0.2.128", 25))).isTrue();
        assertThat(rec.covers(prefix("192.0.0.0", 16))).isFalse();
        assertThat(rec.covers(host("192.0.3.1"))).isFalse();
        assertThat(rec.covers(host("192.0.2.77", VM2_MAC))).isFalse();
        assertThat(rec.covers(host("2001:db8::1"))).isFalse();
        assertThat(rec.covers(mac(VM1_MAC).inVn(RED))).isFalse();
        assertThatThrownBy(() -> TsiRecord.of(VM1, BLUE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TsiRecord.of(VM1, BLUE, mac(VM1_MAC).inVn(RED))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("ID-4: the granted addresses must meet the VN's service: an L3 VN refuses a MAC alone, an L2 VN an IP alone")
    void serviceChecked() {
        nva.permitEndDevice(EndDeviceRule.anyOn(NVE_A));
        nva.permitTsi(TsiRule.anyOn(BLUE));
        nva.permitTsi(TsiRule.anyOn(RED));
        assertThat(nva.authoriseTsi(hv1, VM1, RED, List.of(mac(VM1_MAC)), List.of()).refusal())
                .isEqualTo(Refusal.ADDRESSES_INCOMPLETE);
        assertThat(nva.authoriseTsi(hv1, VM1, RED, List.of(host("10.2.0.1", VM1_MAC)), List.of()).isAllowed()).isTrue();
        assertThat(nva.authoriseTsi(hv1, VM1, BLUE, List.of(host("10.2.0.1")), List.of()).refusal())
                .isEqualTo(Refusal.ADDRESSES_INCOMPLETE);
        assertThat(nva.authoriseTsi(hv1, VM1, BLUE, List.of(), List.of()).refusal()).isEqualTo(Refusal.ADDRESSES_INCOMPLETE);
        assertThat(nva.authoriseTsi(hv1, VM1, BLUE, List.of(mac(VM1_MAC).inVn(RED)), List.of()).refusal())
                .isEqualTo(Refusal.ADDRESS_NOT_IN_VN);
    }

    @Test
    @DisplayName("SM-REASON: a refusal maps to a VDP reason code, a detail code and a text that fits the reason detail TLV")
    void refusalsMapToReasons() {
        Decision<TsiGrant> d = nva.authoriseTsi(hv1, VM1, BLUE, List.of(), List.of());
        Decision.Refused<TsiGrant> r = (Decision.Refused<TsiGrant>) d;
        assertThat(r.reason().reasonCode()).isEqualTo(ReasonCode.OTHER_FAILURE);
        assertThat(r.text(255)).isEqualTo("the end device is not authorised to use this nNVE: " + hv1);
        assertThat(new ReasonDetailTlv(r.reason().detailCode(), r.text(ReasonDetailTlv.MAX_TEXT)).detail()).isEqualTo(0x0102);
        assertThat(Refusal.UNKNOWN_VN.reasonCode()).isEqualTo(ReasonCode.INVALID_VID_GROUP_OR_MAC);
        assertThatThrownBy(d::orElseThrow).isInstanceOf(NoSuchElementException.class).hasMessageContaining("not authorised");

        // every refusal has its own detail code and a text
        assertThat(java.util.Arrays.stream(Refusal.values()).map(Refusal::detailCode).distinct().count())
                .isEqualTo(Refusal.values().length);
        assertThat(Refusal.values()).allSatisfy(x -> assertThat(x.text()).isNotBlank());

        // long details are cut on a UTF-8 boundary
        Decision.Refused<Void> longOne = new Decision.Refused<>(Refusal.ADDRESS_IN_USE, "é".repeat(300));
        String cut = longOne.text(255);
        assertThat(cut.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(cut).startsWith(Refusal.ADDRESS_IN_USE.text()).doesNotContain("\uFFFD");
    }
}
