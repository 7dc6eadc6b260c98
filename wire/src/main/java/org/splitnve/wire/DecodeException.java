package org.splitnve.wire;

/**
 * The only exception a decoder in this module throws. Carries a typed {@link DecodeError}, the
 * octet offset where decoding stopped, and a human-readable detail.
 *
 * <p>Stack traces are not filled in: a decoder rejects hostile input at line rate, and the reason
 * and offset say everything a stack trace would.
 */
public final class DecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final DecodeError error;
    private final int offset;
    private final String detail;

    public DecodeException(DecodeError error, int offset, String detail) {
        super(null, null, false, false);
        this.error = error;
        this.offset = offset;
        this.detail = detail;
    }

    public DecodeError error() {
        return error;
    }

    /** Offset in octets from the start of the buffer handed to the decoder. */
    public int offset() {
        return offset;
    }

    public String detail() {
        return detail;
    }

    @Override
    public String getMessage() {
        return error + " at offset " + offset + ": " + detail;
    }
}
