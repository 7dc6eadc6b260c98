package org.splitnve.nva.service;

import java.util.List;
import org.splitnve.nva.Refusal;

/**
 * The NVA's answer to a {@link Report} (docs/nva-protocol.md section 5.2): at which revision it is in force, and
 * what became of each operation. Sent only once the change is durable (NVA-2).
 *
 * @param seq      the report's sequence number
 * @param revision the revision at which the report's changes are in force: the one it made, or, if it changed
 *                 nothing, the revision the NVA was at
 * @param results  one per operation, in order; empty in a {@link Status#REFUSED} receipt
 * @param status   {@link Status#APPLIED} the first time, {@link Status#REPEATED} for the same report again (the
 *                 first receipt, unchanged), {@link Status#REFUSED} when the report was not applied at all
 */
public record Receipt(long seq, long revision, List<Result> results, Status status, Refusal refusal, String detail) {

    public enum Status {
        APPLIED(0),
        REPEATED(1),
        REFUSED(2);

        private final int code;

        Status(int code) {
            this.code = code;
        }

        /**
         * This value's code in the NVA's store ({@link org.splitnve.nva.service.store.Codec}): fixed, never
         * derived from the declaration order, so a store written before a value was added or the values reordered
         * still reads.
         */
        public int code() {
            return code;
        }

        /** The value of a store {@link #code()}; an unknown code is an {@link IllegalArgumentException}. */
        public static Status ofCode(int code) {
            for (Status v : values()) {
                if (v.code == code) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown receipt status code " + code);
        }
    }

    /** The outcome of one operation: applied (with or without a change), or refused with a reason. */
    public record Result(Refusal refusal, String detail, boolean changed) {
        public static final Result UNCHANGED = new Result(null, "", false);
        public static final Result CHANGED = new Result(null, "", true);

        public Result {
            detail = detail == null ? "" : detail;
        }

        public static Result refused(Refusal reason, String detail) {
            return new Result(reason, detail, false);
        }

        public boolean applied() {
            return refusal == null;
        }
    }

    public Receipt {
        results = List.copyOf(results);
        detail = detail == null ? "" : detail;
        if ((status == Status.REFUSED) != (refusal != null)) {
            throw new IllegalArgumentException("a refused receipt, and only one, has a reason");
        }
    }

    Receipt repeated() {
        return new Receipt(seq, revision, results, Status.REPEATED, null, "");
    }
}
