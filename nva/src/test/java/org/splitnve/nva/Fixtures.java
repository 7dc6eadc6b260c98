package org.splitnve.nva;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/** Names shared by the NVA tests. */
final class Fixtures {
    private Fixtures() {
    }

    static final NveId NVE_A = NveId.of("nnve-a");
    static final NveId NVE_B = NveId.of("nnve-b");

    static final MacAddress HYPERVISOR_1 = MacAddress.parse("02:00:00:00:01:01");
    static final MacAddress HYPERVISOR_2 = MacAddress.parse("02:00:00:00:01:02");

    static final UUID BLUE_NAME = UUID.fromString("6f1d3b2e-8a41-4c1e-9d7a-0b5c3e2f1a01");
    static final UUID RED_NAME = UUID.fromString("6f1d3b2e-8a41-4c1e-9d7a-0b5c3e2f1a02");
    static final int BLUE = 100;
    static final int RED = 200;

    static final VnRecord BLUE_VN = VnRecord.of(BLUE_NAME, BLUE, "tenant-1 blue", 5001, VnService.L2);
    static final VnRecord RED_VN = VnRecord.of(RED_NAME, RED, "tenant-1 red", 5002, VnService.L3);

    static final VsiId VM1 = VsiId.uuid("11111111-0000-4000-8000-000000000001");
    static final VsiId VM2 = VsiId.uuid("11111111-0000-4000-8000-000000000002");

    static final MacAddress VM1_MAC = MacAddress.parse("52:54:00:00:00:01");
    static final MacAddress VM2_MAC = MacAddress.parse("52:54:00:00:00:02");

    static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static TsiAddress mac(MacAddress m) {
        return TsiAddress.mac(m);
    }

    static TsiAddress host(String ip, MacAddress m) {
        return TsiAddress.host(ip(ip), m);
    }

    static TsiAddress host(String ip) {
        return TsiAddress.host(ip(ip));
    }

    static TsiAddress prefix(String ip, int len) {
        return TsiAddress.prefix(ip(ip), len);
    }

    static EndDevice device(NveId nve, int port, MacAddress station) {
        return new EndDevice(nve, port, station);
    }

    /** An NVA with the blue (L2) and red (L3) VNs. */
    static InMemoryNva nvaWithVns() {
        InMemoryNva nva = new InMemoryNva();
        nva.addVn(BLUE_VN).orElseThrow();
        nva.addVn(RED_VN).orElseThrow();
        return nva;
    }
}
