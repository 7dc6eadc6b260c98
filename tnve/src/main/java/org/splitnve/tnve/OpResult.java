package org.splitnve.tnve;

/**
 * How a lifecycle operation ended: success, or the reason the nNVE (or the link) gave, so the
 * orchestrator can tell its user (RFC 8394 SM-REASON).
 *
 * @param code          VDP reason code (0 success; -1 no answer: ECP transmit error or response timeout)
 * @param refusedHere   refused by this end device before anything was sent: the request is beyond a limit
 *                      its nNVE advertised, or the built-in bound where it advertised none (OPS-3); the code
 *                      is then the one the nNVE would have answered (2, insufficient resources)
 */
public record OpResult(boolean ok, int code, String detail, boolean refusedHere) {
    public static final OpResult OK = new OpResult(true, 0, "", false);

    public OpResult(boolean ok, int code, String detail) {
        this(ok, code, detail, false);
    }

    public static OpResult failed(int code, String detail) {
        return new OpResult(false, code, detail, false);
    }

    /** OPS-3: beyond a limit of the nNVE; nothing was sent. */
    public static OpResult overLimit(String detail) {
        return new OpResult(false, org.splitnve.wire.vdp.ReasonCode.INSUFFICIENT_RESOURCES.value(), detail, true);
    }
}
