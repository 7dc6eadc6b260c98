package org.splitnve.nva.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.nva.service.store.MemoryStore;
import org.splitnve.nva.service.store.SqliteStore;
import org.splitnve.protocol.event.EventSink;

/**
 * NVA-2 for real: an NVA process on the SQLite store is killed with SIGKILL at random moments while it commits
 * batches, and what it acknowledged is there when the store is opened again.
 */
class NvaCrashTest {
    private static final int ROUNDS = 5;
    /** How long a child may take to start and acknowledge its first report (a loaded 2-CPU machine). */
    private static final Duration START = Duration.ofSeconds(60);

    @Test
    @DisplayName("NVA-2: an NVA process killed with SIGKILL (by pid) at 5 random moments while it commits batches "
            + "of 200 mapping changes: after each kill the reopened store has every acknowledged report, at least "
            + "the acknowledged revision, and exactly the state of a whole number of reports (no partial batch)")
    void killNineLosesNothingAcknowledged(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("nva.db");
        SplittableRandom rnd = new SplittableRandom(Long.getLong("nva.crash.seed", System.nanoTime()));
        long ackedBefore = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            List<long[]> acks = runAndKill(file, 50 + rnd.nextInt(600));
            assertThat(acks).as("round %d: the child acknowledged reports before it was killed", round).isNotEmpty();
            long[] last = acks.getLast();

            try (RevisionedNva nva = RevisionedNva.open(SqliteStore.open(file), Options.DEFAULT,
                    CrashWorkload.CLOCK, EventSink.NONE)) {
                long applied = nva.session(CrashWorkload.WRITER).lastReportSeq();
                assertThat(applied).as("round %d: every acknowledged report is in the store", round)
                        .isGreaterThanOrEqualTo(last[0]);
                assertThat(nva.revision()).as("round %d: the store is at least at the acknowledged revision", round)
                        .isGreaterThanOrEqualTo(last[1]);
                assertThat(applied).as("the reports continue where the previous round's stopped")
                        .isGreaterThan(ackedBefore);
                // the state is exactly that of reports 1..applied, replayed in memory
                try (RevisionedNva replay = RevisionedNva.open(new MemoryStore(), Options.DEFAULT, CrashWorkload.CLOCK,
                        EventSink.NONE)) {
                    CrashWorkload.setUp(replay);
                    for (long s = 1; s <= applied; s++) {
                        replay.report(CrashWorkload.WRITER, CrashWorkload.report(s));
                    }
                    assertThat(nva.revision()).isEqualTo(replay.revision());
                    assertThat(nva.list(Interest.operator()).resources())
                            .as("round %d: the state of reports 1..%d", round, applied)
                            .isEqualTo(replay.list(Interest.operator()).resources());
                }
                assertThat(nva.invariantViolation()).isNull();
                System.out.printf("NVA-2 round %d: killed after %d acks (last report %d, revision %d); store at report"
                        + " %d, revision %d%n", round, acks.size(), last[0], last[1], applied, nva.revision());
                ackedBefore = applied;
            }
        }
    }

    /** Starts a writer on the store, kills it with SIGKILL {@code afterMs} after its first ack; its acks. */
    private static List<long[]> runAndKill(Path file, int afterMs) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xshare:auto", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), CrashWriter.class.getName(), file.toString(), "FULL");
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (java.io.IOException e) {
                lines.add("IOERROR " + e);
            }
            lines.add("EOF");
        });
        List<long[]> acks = new ArrayList<>();
        try {
            String first;
            do {
                first = lines.poll(START.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(first).as("the writer started and acknowledged a report within %s", START).isNotNull();
                assertThat(first).doesNotStartWith("FAILED").isNotEqualTo("EOF");
            } while (!first.startsWith("ACK "));
            acks.add(ack(first));
            Thread.sleep(afterMs); // the random moment: how long the child runs, not a wait for a condition
            assertThat(p.isAlive()).as("the writer is still writing; it said %s", lines).isTrue();
        } finally {
            p.destroyForcibly(); // SIGKILL on Linux (ProcessImpl.destroy(force)), by the child's pid
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(Duration.ofSeconds(30));
        }
        assertThat(p.exitValue()).as("killed by SIGKILL (128 + 9)").isEqualTo(137);
        for (String l; (l = lines.poll()) != null; ) {
            assertThat(l).doesNotStartWith("FAILED");
            if (l.startsWith("ACK ")) {
                acks.add(ack(l));
            }
        }
        return acks;
    }

    private static long[] ack(String line) {
        String[] f = line.split(" ", -1);
        assertThat(f).as("an ACK line: %s", line).hasSize(3);
        return new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])};
    }
}
