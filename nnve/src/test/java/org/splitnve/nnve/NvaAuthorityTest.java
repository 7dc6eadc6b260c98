package org.splitnve.nnve;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.InMemoryNva;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

class NvaAuthorityTest {
    private static final MacAddress STATION = MacAddress.parse("02:00:00:00:00:01");
    private static final VsiId TSI = VsiId.uuid("11111111-0000-4000-8000-000000000001");

    @Test
    @DisplayName("SEC-1, SEC-2 (issue 12, item 13): the engine's authority refuses a prefix shorter than the VN allows, "
            + "with reason 4 and a detail naming it: a VN the NVA knows by its policy, a plain VLAN by the default")
    void prefixFloor() throws Exception {
        InMemoryNva nva = new InMemoryNva();
        nva.addVn(VnRecord.of(UUID.randomUUID(), 5000, "blue", 500, VnService.L2)).orElseThrow();
        nva.permitEndDevice(EndDeviceRule.anyOn(NveId.of("n1")));
        nva.permitTsi(TsiRule.anyOn(5000));
        NvaAuthority a = new NvaAuthority(nva, "n1", Map.of(), true);
        TsiAddress mac = TsiAddress.mac(MacAddress.parse("52:54:00:00:00:01"));
        TsiAddress all = TsiAddress.prefix(InetAddress.getByName("0.0.0.0"), 0);
        TsiAddress host = TsiAddress.host(InetAddress.getByName("10.0.0.1"));
        for (Vn vn : List.of(a.resolveVn(ManagerId.ofText("m"), 0, 0, 5000, null, 0).vn(),
                a.resolveVn(ManagerId.ofText("m"), 0, 0, -1, null, 100).vn())) {
            Authority.TsiGrant refused = a.authoriseTsi(0, STATION, TSI, vn, List.of(mac, all));
            assertThat(refused.decision().allowed()).as("%s", vn.key()).isFalse();
            assertThat(refused.decision().reasonCode()).isEqualTo(4);
            assertThat(refused.decision().detail()).contains("0.0.0.0/0").contains("/24 or longer");
            assertThat(a.authoriseTsi(0, STATION, TSI, vn, List.of(mac, host)).decision().allowed()).isTrue();
        }
    }
}
