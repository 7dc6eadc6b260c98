package org.splitnve.nva.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.store.MemoryStore;
import org.splitnve.nva.service.store.Store;
import org.splitnve.protocol.event.RecordingSink;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * An NVA with two VNs (5000 and 5001, L2, any TSI allowed) and three registered nNVEs: a and b serve VN 5000,
 * c serves 5000 and 5001. Time is moved by hand. Each nNVE numbers its reports itself ({@link #report}).
 */
final class NvaFixture {
    static final NveId A = NveId.of("nnve-a");
    static final NveId B = NveId.of("nnve-b");
    static final NveId C = NveId.of("nnve-c");
    static final int VN = 5000;
    static final int VN2 = 5001;

    final MemoryStore memory;
    /** The store the NVA runs on (a restart opens a new NVA on it). */
    final Store store;
    final RecordingSink events = new RecordingSink();
    final MutableClock clock = new MutableClock();
    RevisionedNva nva;
    private final Map<NveId, Long> seqs = new HashMap<>();

    static final class MutableClock implements InstantSource {
        Instant now = Instant.parse("2026-12-01T10:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    NvaFixture() {
        this(Options.DEFAULT);
    }

    NvaFixture(Options options) {
        this(new MemoryStore(), options);
    }

    NvaFixture(Store store, Options options) {
        this.memory = store instanceof MemoryStore m ? m : null;
        this.store = store;
        nva = RevisionedNva.open(store, options, clock, events);
        ok(nva.addVn(VnRecord.of(vnName("blue"), VN, "blue", 500, VnService.L2)));
        ok(nva.addVn(VnRecord.of(vnName("red"), VN2, "red", 501, VnService.L2)));
        ok(nva.permitTsi(TsiRule.anyOn(VN)));
        ok(nva.permitTsi(TsiRule.anyOn(VN2)));
        register(A, "192.0.2.1", VN);
        register(B, "192.0.2.2", VN);
        register(C, "192.0.2.3", VN, VN2);
    }

    void register(NveId nve, String vtep, Integer... vns) {
        ok(nva.registerNve(nve, ip(vtep)));
        Receipt r = report(nve, new ReportOp.Serve(Set.of(vns)));
        assertThat(r.results()).allMatch(Receipt.Result::applied);
    }

    static <T> T ok(RevisionedNva.Applied<T> a) {
        return a.decision().orElseThrow();
    }

    /** The nNVE's next report, numbered after its last one. */
    Receipt report(NveId nve, ReportOp... ops) {
        long seq = seqs.merge(nve, 1L, Long::sum);
        return nva.report(nve, new Report(seq, List.of(ops)));
    }

    /** The result of a one-operation report. */
    Receipt.Result one(NveId nve, ReportOp op) {
        Receipt r = report(nve, op);
        assertThat(r.status()).isEqualTo(Receipt.Status.APPLIED);
        return r.results().getFirst();
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** A VN Name derived from {@code name}'s UTF-8 octets (a name-based UUID), the same on every platform. */
    static UUID vnName(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    static VsiId vsi(int n) {
        return VsiId.uuid(new UUID(0x1111_0000_4000_8000L, n));
    }

    static TsiAddress mac(int n) {
        return TsiAddress.mac(new MacAddress(0x5254_0000_0000L + n));
    }

    static TsiInstance at(NveId nve, int tsi, int port) {
        return new TsiInstance(vsi(tsi), nve, port, VN);
    }

    static TsiInstance at(NveId nve, int tsi) {
        return at(nve, tsi, 1);
    }

    /** The TSI's one MAC activated at {@code nve} with a mobility sequence number. */
    static ReportOp.Bind active(NveId nve, int tsi, long seq) {
        return ReportOp.Bind.activated(at(nve, tsi), List.of(mac(tsi)), seq);
    }

    static ReportOp.Bind associated(NveId nve, int tsi, long seq) {
        return ReportOp.Bind.associated(at(nve, tsi), List.of(mac(tsi)), seq);
    }

    /** Opens a new NVA on the same store: an NVA process restarted. */
    void restart(Options options) {
        nva = RevisionedNva.open(store, options, clock, events);
    }
}
