package org.splitnve.wire.vdp;

/**
 * The status octet that opens a VSI TLV (and this project's VN connect TLV).
 *
 * <pre>
 *  bit   7        6          5            4             3..0
 *  req   reserved 0 (request) S suspended  M migrating-to reason
 *  resp  reserved 1 (response) keep        hard error    reason code
 * </pre>
 *
 * The reserved bit is sent as 0 and ignored on receipt (802.1Q convention).
 */
public sealed interface VsiStatus {
    int RESPONSE = 0x40;
    int BIT_5 = 0x20;
    int BIT_4 = 0x10;

    int toOctet();

    static VsiStatus ofOctet(int octet) {
        if ((octet & RESPONSE) != 0) {
            return new Response((octet & BIT_5) != 0, (octet & BIT_4) != 0, ReasonCode.of(octet & 0x0F));
        }
        return new Request((octet & BIT_4) != 0, (octet & BIT_5) != 0, octet & 0x0F);
    }

    /**
     * A request's status. {@code migratingTo} (M bit) flags a VSI arriving by migration,
     * {@code suspended} (S bit) one suspended or migrating away; both zero means "no information"
     * (RFC 8394 Table 1: the ambiguity this project's migration TLV removes).
     */
    record Request(boolean migratingTo, boolean suspended, int reason) implements VsiStatus {
        public static final Request PLAIN = new Request(false, false, 0);

        public Request {
            if (reason < 0 || reason > 15) {
                throw new IllegalArgumentException("request reason is 4 bits: " + reason);
            }
        }

        @Override
        public int toOctet() {
            return (suspended ? BIT_5 : 0) | (migratingTo ? BIT_4 : 0) | reason;
        }
    }

    /** A response's status: keep (the bridge kept the previous state), hard error, reason code. */
    record Response(boolean keep, boolean hardError, ReasonCode code) implements VsiStatus {
        public static final Response SUCCESS = new Response(false, false, ReasonCode.SUCCESS);

        public static Response refused(ReasonCode code) {
            return new Response(true, false, code);
        }

        public boolean isSuccess() {
            return code.isSuccess() && !hardError;
        }

        @Override
        public int toOctet() {
            return RESPONSE | (keep ? BIT_5 : 0) | (hardError ? BIT_4 : 0) | code.value();
        }
    }
}
