package org.splitnve.nva.service;

import java.util.List;

/**
 * A batch of an nNVE's operations (NVA-3; docs/nva-protocol.md section 5). Reports of one nNVE are numbered
 * 1, 2, 3... and applied in that order, each exactly once: a report with a number the NVA has applied changes
 * nothing and gets the answer it got, a report that skips a number is refused.
 *
 * @param seq the report sequence number, from 1
 */
public record Report(long seq, List<ReportOp> ops) {
    /** At most this many operations per report (docs/nva-protocol.md section 5.1). */
    public static final int MAX_OPS = 4096;
    /**
     * At most this many reports of one nNVE in flight (sent, no receipt yet); the NVA keeps the receipts of the
     * last this many, to answer any of them sent again with its first receipt.
     */
    public static final int WINDOW = 16;

    public Report {
        if (seq < 1) {
            throw new IllegalArgumentException("report sequence numbers start at 1: " + seq);
        }
        ops = List.copyOf(ops);
        if (ops.isEmpty() || ops.size() > MAX_OPS) {
            throw new IllegalArgumentException("a report holds 1.." + MAX_OPS + " operations, not " + ops.size());
        }
    }

    public static Report of(long seq, ReportOp... ops) {
        return new Report(seq, List.of(ops));
    }
}
