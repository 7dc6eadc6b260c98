package org.splitnve.wire.vdp;

import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * The reason behind a refusal, beside the 4-bit code (RFC 8394 SM-REASON): a finer detail code
 * and a short human-readable text. Attached to the VSI or VN connect TLV it explains.
 *
 * <p>Body: detail code (2), text (UTF-8, the rest of the TLV, at most 255 octets).
 */
public record ReasonDetailTlv(int detail, String text) implements OrgTlv, ExtensionTlv {
    public static final int MAX_TEXT = 255;

    public ReasonDetailTlv {
        if ((detail & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("detail code is 16 bits");
        }
        if (!Text.isEncodable(text)) {
            throw new IllegalArgumentException("reason text with an unpaired surrogate has no UTF-8 form");
        }
        if (Text.bytes(text).length > MAX_TEXT) {
            throw new IllegalArgumentException("reason text longer than " + MAX_TEXT + " octets");
        }
    }

    @Override
    public ExtensionType type() {
        return ExtensionType.REASON_DETAIL;
    }

    @Override
    public int bodyLength() {
        return 2 + Text.bytes(text).length;
    }

    @Override
    public void encodeBody(WireWriter w) {
        w.u16(detail).bytes(Text.bytes(text));
    }

    static ReasonDetailTlv decodeBody(WireReader r) throws DecodeException {
        int detail = r.u16("detail code");
        if (r.remaining() > MAX_TEXT) {
            throw r.error(DecodeError.OVERSIZED, "reason text of " + r.remaining() + " octets");
        }
        return new ReasonDetailTlv(detail, Text.read(r, r.remaining(), "reason text"));
    }
}
