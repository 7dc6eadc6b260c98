package org.splitnve.wire.vdp;

import java.util.EnumSet;
import java.util.List;

/**
 * The VDP content of one ECPDU, as this codec reads and writes it:
 *
 * <pre>
 *   ECPDU payload := [Manager ID] header* item* [auth] [End]
 *   header        := capability | session | other organization's TLV
 *   item          := (VSI TLV | VN connect) attached*
 *   attached      := addresses | deactivate | migration | parameters | reason detail | other org TLV
 * </pre>
 *
 * The Manager ID comes first and once, and is required when a VSI TLV is present (a standard
 * peer needs it). An acknowledgement carries an empty PDU (or, when authenticated, only the auth
 * TLV). All TLVs together take at most {@link #MAX_LENGTH} octets; many VSI TLVs share one ECPDU:
 * batching is what lets this project beat one-VSI-per-frame implementations.
 *
 * @param managerId null when the PDU has no VSI TLV and the sender leaves it out
 * @param auth null when the PDU is not authenticated
 */
public record VdpPdu(ManagerId managerId, List<OrgTlv> header, List<VdpItem> items, AuthTlv auth) {
    /** ECP payload octets for VDP TLVs: 1500 - 4 (ECP header) - 2 (room for an End TLV). */
    public static final int MAX_LENGTH = 1494;
    public static final int MANAGER_ID_LENGTH = 18;
    public static final VdpPdu EMPTY = new VdpPdu(null, List.of(), List.of(), null);

    public VdpPdu {
        header = List.copyOf(header);
        items = List.copyOf(items);
        if (managerId == null) {
            for (VdpItem i : items) {
                if (i instanceof VsiTlv) {
                    throw new IllegalArgumentException("a PDU with VSI TLVs needs a Manager ID");
                }
            }
        }
        EnumSet<ExtensionType> seen = EnumSet.noneOf(ExtensionType.class);
        for (OrgTlv t : header) {
            if (t instanceof ExtensionTlv e) {
                if (e.type().placement() != ExtensionType.Placement.HEADER) {
                    throw new IllegalArgumentException(e.type() + " cannot stand in the PDU header");
                }
                if (!seen.add(e.type())) {
                    throw new IllegalArgumentException("more than one " + e.type() + " in the PDU header");
                }
            }
        }
        int len = length(managerId, header, items, auth);
        if (len > MAX_LENGTH) {
            throw new IllegalArgumentException("PDU of " + len + " octets exceeds " + MAX_LENGTH);
        }
    }

    public static VdpPdu of(ManagerId managerId, VdpItem... items) {
        return new VdpPdu(managerId, List.of(), List.of(items), null);
    }

    public VdpPdu withAuth(AuthTlv newAuth) {
        return new VdpPdu(managerId, header, items, newAuth);
    }

    public int encodedLength() {
        return length(managerId, header, items, auth);
    }

    public boolean isEmpty() {
        return managerId == null && header.isEmpty() && items.isEmpty() && auth == null;
    }

    /** The first header TLV of a class, or null. */
    public <T extends OrgTlv> T header(Class<T> kind) {
        for (OrgTlv t : header) {
            if (kind.isInstance(t)) {
                return kind.cast(t);
            }
        }
        return null;
    }

    /** Octets a PDU with these parts takes: lets a sender see whether one more item fits. */
    public static int length(ManagerId managerId, List<OrgTlv> header, List<VdpItem> items, AuthTlv auth) {
        int len = managerId != null ? MANAGER_ID_LENGTH : 0;
        for (OrgTlv t : header) {
            len += OrgTlv.lengthOf(t);
        }
        for (int i = 0, n = items.size(); i < n; i++) {
            len += items.get(i).encodedLength();
        }
        if (auth != null) {
            len += auth.encodedLength();
        }
        return len;
    }
}
