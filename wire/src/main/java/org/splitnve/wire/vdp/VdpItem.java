package org.splitnve.wire.vdp;

import java.util.List;

/**
 * An item of an ECPDU: a VSI TLV or a VN connect TLV, with the extension TLVs attached after it
 * (they apply to this item and to nothing else).
 */
public sealed interface VdpItem permits VsiTlv, VnConnectTlv {
    List<OrgTlv> attached();

    /** Octets on the wire, the attached TLVs included. */
    int encodedLength();

    /** The first attached TLV of a class, or null. */
    default <T extends OrgTlv> T attached(Class<T> kind) {
        for (OrgTlv t : attached()) {
            if (kind.isInstance(t)) {
                return kind.cast(t);
            }
        }
        return null;
    }

    static int attachedLength(List<OrgTlv> attached) {
        int n = 0;
        for (int i = 0, size = attached.size(); i < size; i++) {
            n += OrgTlv.lengthOf(attached.get(i));
        }
        return n;
    }

    /** Checks the attachment rules of {@link ExtensionType.Placement} for an item. */
    static List<OrgTlv> checkAttached(List<OrgTlv> attached, boolean vsi) {
        List<OrgTlv> copy = List.copyOf(attached);
        java.util.EnumSet<ExtensionType> seen = java.util.EnumSet.noneOf(ExtensionType.class);
        for (OrgTlv t : copy) {
            if (t instanceof ExtensionTlv e) {
                ExtensionType type = e.type();
                boolean allowed = switch (type.placement()) {
                    case ATTACHED -> true;
                    case ATTACHED_TO_VSI -> vsi;
                    case HEADER, ITEM, TRAILER -> false;
                };
                if (!allowed) {
                    throw new IllegalArgumentException(type + " cannot be attached to a "
                            + (vsi ? "VSI TLV" : "VN connect TLV"));
                }
                if (!seen.add(type) && !type.repeatable()) {
                    throw new IllegalArgumentException("more than one " + type + " attached to one item");
                }
            }
        }
        return copy;
    }
}
