package org.splitnve.wire.vdp;

import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * Deactivate without release (RFC 8394 REQ-8, GAP-8): attached to a Pre-Associate-RR VSI TLV, it
 * says "Associate -> Pre-Associate-RR: stop forwarding, keep the resources", which plain VDP does
 * not allow. Without it, the same TLV from Init would reserve anew; with it, the receiver refuses if
 * the TSI is not Activated. Either side may send it (REQ-9: the nNVE deactivates on its own).
 *
 * <p>Body: flags (1: 0x01 PARTIAL, only the filter entries and addresses named in this request),
 * cause (1, {@link Cause}).
 */
public record DeactivateTlv(boolean partial, Cause cause) implements OrgTlv, ExtensionTlv {
    public static final int PARTIAL = 0x01;

    public enum Cause {
        UNSPECIFIED(0), SUSPEND(1), MIGRATION_DEPARTURE(2), ADMINISTRATIVE(3), POLICY(4), KEEPALIVE_TIMEOUT(5);

        private final int code;

        Cause(int code) {
            this.code = code;
        }

        /** The cause's value on the wire (docs/protocol.md). */
        public int code() {
            return code;
        }

        static Cause ofCode(int code) {
            for (Cause c : values()) {
                if (c.code == code) {
                    return c;
                }
            }
            return null;
        }
    }

    public DeactivateTlv {
        if (cause == null) {
            throw new IllegalArgumentException("cause is required");
        }
    }

    @Override
    public ExtensionType type() {
        return ExtensionType.DEACTIVATE;
    }

    @Override
    public int bodyLength() {
        return 2;
    }

    @Override
    public void encodeBody(WireWriter w) {
        w.u8(partial ? PARTIAL : 0).u8(cause.code());
    }

    static DeactivateTlv decodeBody(WireReader r) throws DecodeException {
        int flags = r.u8("deactivate flags");
        if ((flags & ~PARTIAL) != 0) {
            throw r.error(DecodeError.INVALID_FIELD, "unknown deactivate flags 0x" + Integer.toHexString(flags));
        }
        int code = r.u8("deactivate cause");
        Cause cause = Cause.ofCode(code);
        if (cause == null) {
            throw r.error(DecodeError.UNKNOWN_VALUE, "unknown deactivate cause " + code);
        }
        return new DeactivateTlv((flags & PARTIAL) != 0, cause);
    }
}
