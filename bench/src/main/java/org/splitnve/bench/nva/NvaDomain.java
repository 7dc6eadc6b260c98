package org.splitnve.bench.nva;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/** The NVA benchmarks' domain: one VN where every TSI may go, nNVEs registered on it, TSIs with a MAC and an IPv4. */
public final class NvaDomain {
    public static final int VN = 9000;
    public static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-12-01T00:00:00Z"));

    private NvaDomain() {
    }

    /** The VN and its permit. */
    public static void vn(RevisionedNva nva) {
        nva.addVn(VnRecord.of(UUID.nameUUIDFromBytes("bench".getBytes(StandardCharsets.UTF_8)), VN, "bench", 900,
                VnService.L2)).decision().orElseThrow();
        nva.permitTsi(TsiRule.anyOn(VN)).decision().orElseThrow();
    }

    /** Registers the nNVE and sends its report 1 (it serves the VN); its next report is 2. */
    public static void register(RevisionedNva nva, NveId nve, int n) {
        try {
            nva.registerNve(nve, InetAddress.getByAddress(new byte[] {(byte) 198, 18, (byte) (n >>> 8), (byte) n}))
                    .decision().orElseThrow();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        check(nva.report(nve, Report.of(1, new ReportOp.Serve(Set.of(VN)))));
    }

    /** TSI {@code tsi} of the nNVE, activated with a MAC and an IPv4 address, at mobility sequence {@code seq}. */
    public static ReportOp.Bind bind(NveId nve, int space, int tsi, long seq) {
        int n = space * 1_000_000 + tsi;
        MacAddress mac = new MacAddress(0x5254_0000_0000L + ((long) space << 24) + tsi);
        TsiAddress ip;
        try {
            ip = TsiAddress.host(InetAddress.getByAddress(new byte[] {(byte) (10 + space), (byte) (tsi >>> 16),
                (byte) (tsi >>> 8), (byte) tsi}), mac);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        TsiInstance in = new TsiInstance(VsiId.uuid(new UUID(0x9000L, n)), nve, 1 + tsi % 48, VN);
        return new ReportOp.Bind(in, EntryState.FORWARDING, List.of(TsiAddress.mac(mac), ip), List.of(),
                seq & 0xFFFF_FFFFL, false);
    }

    /** Fills the VN with {@code count} TSIs of the nNVE (reports of 1,000 from {@code seq}); the next report number. */
    public static long fill(RevisionedNva nva, NveId nve, int space, int count, long seq) {
        for (int done = 0; done < count; ) {
            int n = Math.min(1000, count - done);
            List<ReportOp> ops = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ops.add(bind(nve, space, done + i, 1));
            }
            check(nva.report(nve, new Report(seq++, ops)));
            done += n;
        }
        return seq;
    }

    public static Receipt check(Receipt r) {
        if (r.status() != Receipt.Status.APPLIED || !r.results().stream().allMatch(Receipt.Result::applied)) {
            throw new IllegalStateException("not applied: " + r);
        }
        return r;
    }

    public static double pct(List<Long> sorted, double p) {
        return sorted.isEmpty() ? 0 : sorted.get((int) Math.min(sorted.size() - 1, p * sorted.size())) / 1e6;
    }
}
