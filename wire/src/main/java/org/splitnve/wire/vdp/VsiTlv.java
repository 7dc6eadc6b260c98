package org.splitnve.wire.vdp;

import java.util.List;

/**
 * A VSI TLV (types 1-4; RFC 8394 Appendix A, Figure 7): status, VSI type and version, VSIID,
 * filter; plus the extension TLVs attached after it on the wire.
 *
 * <p>Body: status (1), VSI type ID (3), VSI type version (1), VSIID format (1), VSIID (16), filter
 * format (1), entry count (2), entries. The TLV length field is 9 bits, so a VSI TLV holds at most
 * 511 octets of body: 121 format-1 entries, 40 format-4 entries.
 */
public record VsiTlv(VsiMode mode, VsiStatus status, int typeId, int typeVersion, VsiId vsiId, Filter filter,
        List<OrgTlv> attached) implements VdpItem {

    /** Octets of the body before the filter entries. */
    public static final int FIXED_BODY = 25;
    public static final int MAX_BODY = 511;

    public VsiTlv {
        if (mode == null || status == null || vsiId == null || filter == null) {
            throw new IllegalArgumentException("mode, status, VSIID and filter are required");
        }
        if ((typeId & ~0xFFFFFF) != 0) {
            throw new IllegalArgumentException("VSI type ID is 24 bits: " + typeId);
        }
        if ((typeVersion & ~0xFF) != 0) {
            throw new IllegalArgumentException("VSI type version is 8 bits: " + typeVersion);
        }
        if (FIXED_BODY + filter.entries().size() * filter.format().entrySize() > MAX_BODY) {
            throw new IllegalArgumentException(filter.entries().size() + " " + filter.format()
                    + " entries do not fit the 511-octet VSI TLV");
        }
        attached = attached.isEmpty() ? List.of() : VdpItem.checkAttached(attached, true);
    }

    public VsiTlv(VsiMode mode, VsiStatus status, int typeId, int typeVersion, VsiId vsiId, Filter filter) {
        this(mode, status, typeId, typeVersion, vsiId, filter, List.of());
    }

    /** The most entries of a format one VSI TLV holds. */
    public static int maxEntries(FilterFormat format) {
        return (MAX_BODY - FIXED_BODY) / format.entrySize();
    }

    public VsiTlv withAttached(List<OrgTlv> newAttached) {
        return new VsiTlv(mode, status, typeId, typeVersion, vsiId, filter, newAttached);
    }

    public VsiTlv withStatus(VsiStatus newStatus) {
        return new VsiTlv(mode, newStatus, typeId, typeVersion, vsiId, filter, attached);
    }

    public VsiTlv withFilter(Filter newFilter) {
        return new VsiTlv(mode, status, typeId, typeVersion, vsiId, newFilter, attached);
    }

    public boolean isResponse() {
        return status instanceof VsiStatus.Response;
    }

    /** The TLV's length field. */
    public int bodyLength() {
        return FIXED_BODY + filter.entries().size() * filter.format().entrySize();
    }

    @Override
    public int encodedLength() {
        return 2 + bodyLength() + VdpItem.attachedLength(attached);
    }
}
