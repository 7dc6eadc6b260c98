package org.splitnve.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.splitnve.daemon.config.LogSettings;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.daemon.state.TsiJournal;
import org.splitnve.nnve.Authority;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.NvaEffects;
import org.splitnve.nnve.SavedTsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nnve.Vn;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.InMemoryNva;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.event.Event;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * REL-2: the nNVE daemon's TSI journal ([state] dir). {@code write N DIR}: journals N activated TSIs (100 stations, 64
 * VNs, a MAC and an IPv4 address each) as the daemon does, one record per association, forced in batches; reports the
 * octets per TSI (journal and snapshot), the batches and what one forced write costs (what an answer would wait for
 * if it were sent only once its record is on the disk: measured with batches of one). {@code restore DIR}, run in a
 * new JVM: from the process's start until every TSI of the journal is back in a new nNVE engine (read, decode,
 * restore through the state machine with the NVA's entries and an INFO event log, as the daemon does): the time an
 * nNVE restarted after kill -9 takes to have its TSIs back, JVM start-up included. {@code all N DIR RUNS} does both,
 * the restore RUNS times.
 * <p>{@code java -cp bench/target/benchmarks.jar org.splitnve.bench.TsiJournalBench all 100000 /var/tmp/j 3}
 */
public final class TsiJournalBench {
    static final int STATIONS = 100;
    static final int VNS = 64;

    private TsiJournalBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length == 0 ? "" : args[0]) {
            case "write" -> write(Integer.parseInt(args[1]), Path.of(args[2]));
            case "restore" -> restore(Path.of(args[1]), args.length < 3 || !args[2].equals("no-nva"));
            case "all" -> {
                int n = Integer.parseInt(args[1]);
                Path dir = Path.of(args[2]);
                write(n, dir);
                int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
                for (int i = 0; i < runs; i++) {
                    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                            "-Xmx2g", "-cp", System.getProperty("java.class.path"), TsiJournalBench.class.getName(),
                            "restore", dir.toString()).inheritIO().start();
                    if (p.waitFor() != 0) {
                        throw new IllegalStateException("the restore run ended with " + p.exitValue());
                    }
                }
            }
            default -> {
                System.err.println("usage: TsiJournalBench write N DIR | restore DIR | all N DIR [RUNS]");
                System.exit(2);
            }
        }
    }

    static VsiId vsi(int i) {
        return VsiId.uuid(new UUID(0x6a6f_7572_0000_4000L | (i >>> 16), 0x8000_0000_0000_0000L | i));
    }

    static SavedTsi saved(int i) throws IOException {
        int vn = 5000 + i % VNS;
        MacAddress station = new MacAddress(0x0200_0000_1000L + i % STATIONS);
        MacAddress mac = new MacAddress(0x5254_0000_0000L | (i + 1));
        int tag = 2 + i % VNS;
        List<TsiAddress> addresses = List.of(TsiAddress.mac(mac), TsiAddress.host(InetAddress.getByAddress(
                new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), (byte) i})));
        return new SavedTsi(vsi(i), 0, station, Vn.trusted(new VnKey.Id(vn), vn + 10_000), tag, TsiState.ACTIVATED, 5,
                1, ManagerId.ofText("blade"), Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid(vn, mac, tag)),
                addresses, List.of(), List.of(), true, null, 0, true);
    }

    static void write(int n, Path dir) throws Exception {
        Files.createDirectories(dir);
        for (String f : List.of("tsi.journal", "tsi.snapshot")) {
            Files.deleteIfExists(dir.resolve(f));
        }
        System.out.printf("# TsiJournalBench write: %,d activated TSIs (%d stations, %d VNs, a MAC and an IPv4 address"
                + " each) into %s%n", n, STATIONS, VNS, dir);
        // what one forced record costs: each change waited for before the next (batches of one)
        try (TsiJournal j = TsiJournal.open(dir)) {
            int ones = 200;
            long t0 = System.nanoTime();
            for (int i = 0; i < ones; i++) {
                j.changed(vsi(i), List.of(saved(i)));
                while (!j.drained()) {
                    Thread.onSpinWait();
                }
            }
            long took = System.nanoTime() - t0;
            long[] c = j.counters();
            System.out.printf("one record at a time (what a durable-before-answer would add to each answer): %d records,"
                    + " %.3f ms each from queued to forced (fdatasync %.3f ms on average)%n", ones,
                    took / 1e6 / ones, c[2] / 1e6 / Math.max(1, c[1]));
        }
        long t0 = System.nanoTime();
        long[] c;
        try (TsiJournal j = TsiJournal.open(dir)) {
            for (int i = 0; i < n; i++) {
                j.changed(vsi(i), List.of(saved(i)));
            }
            long queued = System.nanoTime() - t0;
            while (!j.drained()) {
                Thread.sleep(1);
            }
            long took = System.nanoTime() - t0;
            c = j.counters();
            System.out.printf("all at once (as fast as the engine thread queues them): queued in %d ms, forced after"
                    + " %d ms: %,.0f records/s in %,d batches (%.1f records per batch), fdatasync %.3f ms on average,"
                    + " %d compactions%n", queued / 1_000_000, took / 1_000_000, n / (took / 1e9), c[1],
                    (double) c[0] / c[1], c[2] / 1e6 / Math.max(1, c[1]), c[3]);
        }
        long journal = Files.size(dir.resolve("tsi.journal"));
        long snapshot = Files.exists(dir.resolve("tsi.snapshot")) ? Files.size(dir.resolve("tsi.snapshot")) : 0;
        byte[] one = org.splitnve.nnve.SavedTsiCodec.encode(new org.splitnve.nnve.SavedTsiCodec.Entry(vsi(1),
                List.of(saved(1))));
        System.out.printf("on disk: journal %,d octets, snapshot %,d octets; one record %d octets (%d of body + 8 of"
                + " length and CRC); %.1f octets per TSI in all%n", journal, snapshot, one.length + 8, one.length,
                (journal + snapshot) / (double) n);
    }

    /** {@code nva} false: the engine's effects go nowhere (how much of the restore the NVA's entries take). */
    static void restore(Path dir, boolean nvaEffects) throws Exception {
        Instant start = ProcessHandle.current().info().startInstant().orElseThrow();
        Duration toMain = Duration.between(start, Instant.now());
        InMemoryNva nva = new InMemoryNva();
        for (int v = 0; v < VNS; v++) {
            int id = 5000 + v;
            nva.addVn(VnRecord.of(UUID.nameUUIDFromBytes(("vn-" + id).getBytes(StandardCharsets.UTF_8)), id, "vn-" + id,
                    id + 10_000, VnService.L2)).orElseThrow();
            nva.permitTsi(TsiRule.anyOn(id));
        }
        nva.permitEndDevice(EndDeviceRule.anyOn(NveId.of("n1")));
        EventLog log = new EventLog("n1", new LogSettings(true, Event.Level.INFO),
                new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8));
        PortIo io = new PortIo() {
            @Override
            public int ports() {
                return 1;
            }

            @Override
            public MacAddress mac(int port) {
                return new MacAddress(0x0200_0000_0001L);
            }

            @Override
            public void send(int port, byte[] frame, int length) {
                // the bench sends nothing
            }
        };
        long t0 = System.nanoTime();
        int restored;
        int saved;
        long read;
        try (TsiJournal j = TsiJournal.open(dir)) {
            read = System.nanoTime() - t0;
            NnveEngine engine = new NnveEngine(NnveConfig.simple("n1", 1), Clock.system(), io, Authority.trustAll(),
                    nvaEffects ? new NvaEffects(nva, "n1", log, e -> { }) : e -> { }, log, new SplittableRandom(1));
            saved = j.loaded().tsis().size();
            restored = engine.restore(j.loaded().tsis());
            if (!j.loaded().problems().isEmpty()) {
                System.out.println("problems: " + j.loaded().problems());
            }
        }
        long done = System.nanoTime();
        Duration total = Duration.between(start, Instant.now());
        System.out.printf("restore%s: %,d of %,d TSIs back %d ms after the process started (JVM start to main %d ms,"
                + " reading the journal %d ms, restoring into the engine %d ms)%n", nvaEffects ? "" : " (no NVA)",
                restored, saved, total.toMillis(), toMain.toMillis(), read / 1_000_000, (done - t0 - read) / 1_000_000);
        if (restored != saved) {
            System.exit(1);
        }
    }
}
