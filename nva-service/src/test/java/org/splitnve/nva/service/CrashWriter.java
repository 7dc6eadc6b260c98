package org.splitnve.nva.service;

import java.io.PrintStream;
import java.nio.file.Path;
import org.splitnve.nva.service.store.SqliteStore;
import org.splitnve.protocol.event.EventSink;

/**
 * The child process of {@link NvaCrashTest}: opens the NVA on the SQLite store given, then applies the workload's
 * reports from the one after the last applied, printing {@code ACK <report> <revision>} once each is answered
 * (durable), until it is killed.
 */
public final class CrashWriter {
    private CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        RevisionedNva nva = RevisionedNva.open(SqliteStore.open(Path.of(args[0]),
                SqliteStore.Durability.valueOf(args[1])), Options.DEFAULT, CrashWorkload.CLOCK, EventSink.NONE);
        CrashWorkload.setUp(nva);
        out.println("READY " + nva.revision());
        out.flush();
        for (long seq = nva.session(CrashWorkload.WRITER).lastReportSeq() + 1; ; seq++) {
            Receipt r = nva.report(CrashWorkload.WRITER, CrashWorkload.report(seq));
            if (r.status() != Receipt.Status.APPLIED || !r.results().stream().allMatch(Receipt.Result::applied)) {
                out.println("FAILED " + r);
                out.flush();
                System.exit(3);
            }
            out.println("ACK " + r.seq() + " " + r.revision());
            out.flush();
        }
    }
}
