package org.splitnve.dataplane.openflow;

/** A refused message: what was wrong, where (offset from the message start) and a detail with the values. */
public record OfDecodeFailure(OfDecodeError error, int offset, String detail) {
    @Override
    public String toString() {
        return error + " at offset " + offset + ": " + detail;
    }
}
