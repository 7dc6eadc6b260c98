package org.splitnve.daemon.nva;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.http.HttpNvaLink;
import org.splitnve.nva.service.link.NvaLink;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.SessionInfo;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * Issue 13: SIGTERM and SIGHUP of a real {@code splitnve nva} process (SQLite store) while an nNVE's reports stream in
 * over HTTP, one after another as an nNVE's NVA client sends them: nothing the NVA acknowledged is lost, a report cut by
 * the stop is sent again and taken once, and a reload changes what it should without stopping the stream.
 */
class NvaSignalTest {
    /** Reports in the stream; the signal lands after {@link #SIGNAL_AFTER} of them are acknowledged. */
    static final int REPORTS = 60;
    static final int SIGNAL_AFTER = 20;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TERM", "HUP"})
    @DisplayName("NVA-2, OPS-5 (issue 13): an nNVE's reports stream into the NVA daemon, each binding a new TSI; SIGTERM "
            + "after 20 stops it with status 0 and a restart on the same store serves on (the report cut by the stop is "
            + "sent again: applied once); SIGHUP (log level changed in the file) reloads it without a stop and without "
            + "one request refused; at the end every acknowledged report's TSI is forwarding at the NVA, its session at "
            + "the last report")
    void reportsInFlight(String signal, @TempDir Path dir) throws Exception {
        int port = NvaProcesses.freePort();
        Path config = dir.resolve("nva.toml");
        String conf = """
                [nva]
                store = "state/nva.db"
                [api]
                listen = "127.0.0.1:%d"
                [log]
                level = "info"
                [[vn]]
                id = 5000
                alias = "blue"
                permit_any = true
                """.formatted(port);
        Files.writeString(config, conf);
        Path out = dir.resolve("nva.log");
        URI base = URI.create("http://127.0.0.1:" + port);
        List<Process> processes = new ArrayList<>();
        Process p = NvaCrashHttpTest.start(config, out);
        processes.add(p);
        try {
            NvaCrashHttpTest.awaitServing(base, p, out);
            assertThat(NvaCrashHttpTest.call(base, "POST", "/v1/nva/nves", "{\"name\": \"nnve-a\", \"vtep\": "
                    + "\"192.0.2.1\", \"token\": \"" + NvaCrashHttpTest.TOKEN + "\"}").statusCode()).isEqualTo(201);

            AtomicInteger acknowledged = new AtomicInteger();
            AtomicInteger failures = new AtomicInteger();
            AtomicLong applied = new AtomicLong();
            AtomicLong repeated = new AtomicLong();
            CompletableFuture<Void> stream = CompletableFuture.runAsync(() -> {
                try (HttpNvaLink link = new HttpNvaLink(base, NvaCrashHttpTest.TOKEN, null, Duration.ofSeconds(5),
                        Duration.ofSeconds(30))) {
                    for (int seq = 1; seq <= REPORTS; seq++) {
                        Report r = Report.of(seq, new ReportOp.Serve(Set.of(5000)),
                                ReportOp.Bind.activated(instance(seq), List.of(TsiAddress.mac(mac(seq))), 1));
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                        while (true) {
                            try {
                                Receipt receipt = link.report(r);
                                // applied now, or (sent again after a cut) applied before the stop
                                assertThat(receipt.status()).as("report %d", r.seq()).isIn(Receipt.Status.APPLIED,
                                        Receipt.Status.REPEATED);
                                (receipt.status() == Receipt.Status.APPLIED ? applied : repeated).incrementAndGet();
                                acknowledged.incrementAndGet();
                                break;
                            } catch (NvaLink.NvaUnavailable e) {
                                failures.incrementAndGet();
                                assertThat(System.nanoTime()).as("report %d acknowledged within 60 s: %s", r.seq(),
                                        e.getMessage()).isLessThan(deadline);
                                Thread.sleep(20); // the NVA is away (stopped or restarting): the client tries again
                            }
                        }
                        Thread.sleep(5);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (acknowledged.get() < SIGNAL_AFTER) {
                assertThat(System.nanoTime()).as("%d reports acknowledged", acknowledged.get()).isLessThan(until);
                Thread.sleep(5);
            }
            int before = acknowledged.get();
            long t0 = System.nanoTime();
            if (signal.equals("HUP")) {
                Files.writeString(config, conf.replace("level = \"info\"", "level = \"debug\""));
            }
            Signals.signal(p, signal);
            if (signal.equals("TERM")) {
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
                assertThat(p.exitValue()).as("a clean stop: %s", Files.readString(out)).isZero();
                p = NvaCrashHttpTest.start(config, out);
                processes.add(p);
                NvaCrashHttpTest.awaitServing(base, p, out);
            }
            long back = System.nanoTime() - t0;
            stream.get(120, TimeUnit.SECONDS);
            assertThat(acknowledged.get()).isEqualTo(REPORTS);
            // each report applied once: a report whose answer the stop cut was applied before it, and is answered as
            // repeated when sent again
            assertThat(applied.get() + repeated.get()).isEqualTo(REPORTS);
            assertThat(repeated.get()).as("reports answered as repeated (cut by the stop)").isLessThanOrEqualTo(
                    signal.equals("TERM") ? 1 : 0);
            String log = Files.readString(out);
            if (signal.equals("HUP")) {
                assertThat(p.isAlive()).as("no stop on SIGHUP").isTrue();
                assertThat(failures.get()).as("no request refused or cut around the reload").isZero();
                // the reload took effect: the stream's requests logged at debug level after it
                assertThat(log.substring(log.indexOf("daemon.reloaded"))).contains("level=DEBUG event=api.request");
            } else {
                assertThat(log).contains("nva.started");
            }

            // every acknowledged report at the NVA: its TSI forwarding, the session at the last report
            try (HttpNvaLink link = new HttpNvaLink(base, NvaCrashHttpTest.TOKEN, null)) {
                SessionInfo s = link.session();
                assertThat(s.lastReportSeq()).isEqualTo(REPORTS);
            }
            for (int seq = 1; seq <= REPORTS; seq++) {
                String where = NvaCrashHttpTest.call(base, "GET", "/v1/nva/where?mac=" + mac(seq), null).body();
                assertThat(where).as("TSI %d", seq).contains("\"nve\":\"nnve-a\"", "\"state\":\"forwarding\"");
            }
            System.out.printf(Locale.ROOT, "[NVA SIG%s] %d reports acknowledged before the signal, %d in all, %d tries"
                    + " refused or cut and sent again; %s%n", signal, before, acknowledged.get(), failures.get(),
                    signal.equals("TERM") ? back / 1_000_000 + " ms from the signal to serving again" : "no stop");
        } finally {
            for (Process q : processes) {
                q.destroyForcibly();
                q.waitFor();
            }
        }
    }

    static TsiInstance instance(int seq) {
        return new TsiInstance(VsiId.uuid(UUID.nameUUIDFromBytes(new byte[] {(byte) seq, 7})), NveId.of("nnve-a"), 3,
                5000);
    }

    static MacAddress mac(int seq) {
        return new MacAddress(0x5254_006b_3d00L + seq);
    }

    /** Sends a signal to a process by its id (only processes this test started). */
    static final class Signals {
        private Signals() {
        }

        static void signal(Process p, String signal) throws Exception {
            Process k = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).inheritIO().start();
            assertThat(k.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(k.exitValue()).as("kill -%s %d", signal, p.pid()).isZero();
        }
    }
}
