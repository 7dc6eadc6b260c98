package org.splitnve.daemon.nva;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.nnve.Authority;
import org.splitnve.nnve.NvaAuthority;
import org.splitnve.nnve.Vn;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.Interest;
import org.splitnve.nva.service.Options;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.client.ReplicaNva;
import org.splitnve.nva.service.client.ReportQueue;
import org.splitnve.nva.service.store.MemoryStore;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * REL-2: the NVA's authority of an nNVE restarted with an NVA service, before and after its replica's first list: the
 * real {@link NvaAuthority} over the real {@link ReplicaNva}, the list from a real {@link RevisionedNva}.
 */
class RestoredAuthorityTest {
    private static final NveId SELF = NveId.of("n1");
    private static final MacAddress STATION = new MacAddress(0x026e_6574_0001L);
    private static final VsiId TSI = VsiId.uuid(new UUID(0x7e57_0000_0000_4001L, 0x8000_0000_0000_0001L));
    private static final VsiId OTHER = VsiId.uuid(new UUID(0x7e57_0000_0000_4002L, 0x8000_0000_0000_0002L));
    private static final ManagerId MANAGER = ManagerId.ofText("blade");

    private static TsiAddress address(int n) throws Exception {
        return TsiAddress.host(java.net.InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) n}));
    }

    @Test
    @DisplayName("REL-2: before its replica's first list (empty: every VN unknown, the NVA unreachable) the NVA's"
            + " authority answers a restored TSI's end device as before the restart (its VN resolved as restored, the"
            + " TSI allowed with the addresses it had, not with others), and nothing else; after the list it asks the"
            + " NVA again: a VN the NVA no longer has is refused")
    void answersForRestoredUntilTheFirstList() throws Exception {
        ReplicaNva replica = new ReplicaNva(SELF, new ReportQueue(), e -> { });
        Authority authority = new NvaAuthority(replica, "n1", Map.of(), false);
        Vn vn5000 = Vn.trusted(new VnKey.Id(5000), 15000);
        authority.restored(0, STATION, TSI, vn5000, List.of(address(1)));

        Authority.VnResolution r = authority.resolveVn(MANAGER, 1, 1, 5000, null, 0);
        assertThat(r.decision().allowed()).isTrue();
        assertThat(r.vn()).isEqualTo(vn5000);
        assertThat(authority.resolveVn(MANAGER, 1, 1, 6000, null, 0).decision().detail())
                .as("a VN no TSI was restored in").contains(ReplicaNva.UNREACHABLE);
        assertThat(authority.authoriseEndDevice(0, STATION).allowed()).isTrue();
        assertThat(authority.authoriseTsi(0, STATION, TSI, vn5000, List.of(address(1))).decision().allowed()).isTrue();
        assertThat(authority.authoriseTsi(0, STATION, TSI, vn5000, List.of(address(9))).decision().allowed())
                .as("addresses the restored TSI did not have").isFalse();
        assertThat(authority.authoriseTsi(0, STATION, OTHER, vn5000, List.of(address(2))).decision().allowed())
                .as("a TSI that was not restored").isFalse();

        // the first list: the NVA has VN 6000 only (5000 was removed while the nNVE was down)
        RevisionedNva nva = RevisionedNva.open(new MemoryStore(), Options.DEFAULT, java.time.Clock.systemUTC(), e -> { });
        nva.addVn(VnRecord.of(new UUID(0x5eed, 6000), 6000, "vn-6000", 16000, VnService.L2)).decision().orElseThrow();
        nva.permitTsi(TsiRule.anyOn(6000));
        nva.registerNve(SELF, java.net.InetAddress.getLoopbackAddress());
        nva.permitEndDevice(EndDeviceRule.anyOn(SELF));
        replica.reset(nva.list(Interest.of(SELF, Set.of(5000, 6000))));
        replica.connected(true);
        Authority.VnResolution gone = authority.resolveVn(MANAGER, 1, 1, 5000, null, 0);
        assertThat(gone.decision().allowed()).as("VN 5000 after the list").isFalse();
        assertThat(gone.decision().detail()).doesNotContain(ReplicaNva.UNREACHABLE);
        replica.connected(false);
        assertThat(authority.resolveVn(MANAGER, 1, 1, 5000, null, 0).decision().allowed())
                .as("cut off after the list: the restored TSIs are forgotten").isFalse();
        assertThat(authority.resolveVn(MANAGER, 1, 1, 6000, null, 0).decision().allowed()).isTrue();
    }
}
