package org.splitnve.tnve;

/**
 * How a lifecycle operation ended: success, or the reason the nNVE (or the link) gave, so the
 * orchestrator can tell its user (RFC 8394 SM-REASON).
 *
 * @param code VDP reason code (0 success; -1 no answer: ECP transmit error or response timeout)
 */
public record OpResult(boolean ok, int code, String detail) {
    public static final OpResult OK = new OpResult(true, 0, "");

    public static OpResult failed(int code, String detail) {
        return new OpResult(false, code, detail);
    }
}
