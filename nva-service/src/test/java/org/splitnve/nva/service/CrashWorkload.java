package org.splitnve.nva.service;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * The writer of {@link NvaCrashTest}: one nNVE's reports, each a batch of {@link #BATCH} mapping changes (binds
 * with a new mobility sequence number and a new IP address, some de-associations), every one a function of its
 * report number alone. The state after report N is therefore known without the store: replaying reports 1..N on
 * an NVA in memory gives it. The clock stands still, so replays agree on "since" too.
 */
final class CrashWorkload {
    static final NveId WRITER = NveId.of("writer");
    static final int VN = 7000;
    static final int TSIS = 3000;
    static final int BATCH = 200;
    static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-12-01T12:00:00Z"));

    private CrashWorkload() {
    }

    /** The operator's part, once, on a new store. */
    static void setUp(RevisionedNva nva) throws UnknownHostException {
        if (nva.revision() > 0) {
            return;
        }
        nva.addVn(VnRecord.of(NvaFixture.vnName("crash"), VN, "crash", 700, VnService.L2))
                .decision().orElseThrow();
        nva.permitTsi(TsiRule.anyOn(VN)).decision().orElseThrow();
        nva.registerNve(WRITER, InetAddress.getByName("192.0.2.77")).decision().orElseThrow();
    }

    static Report report(long seq) {
        if (seq == 1) {
            return Report.of(1, new ReportOp.Serve(Set.of(VN)));
        }
        List<ReportOp> ops = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            int tsi = (int) (((seq - 2) * BATCH + i) % TSIS) + 1;
            TsiInstance in = new TsiInstance(VsiId.uuid(new UUID(0x7000L, tsi)), WRITER, 1 + tsi % 8, VN);
            if (seq % 5 == 0 && i % 3 == 0) {
                ops.add(new ReportOp.Unbind(in));
            } else {
                MacAddress mac = new MacAddress(0x5254_0700_0000L + tsi);
                TsiAddress ip = TsiAddress.host(ipv4((int) (seq % 200) << 16 | tsi), mac); // unique per TSI
                ops.add(ReportOp.Bind.activated(in, List.of(TsiAddress.mac(mac), ip), seq & MobilitySeq.MAX));
            }
        }
        return new Report(seq, ops);
    }

    private static InetAddress ipv4(int n) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
