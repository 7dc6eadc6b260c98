package org.splitnve.nnve;

import java.util.List;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * What the nNVE asks the NVA before it accepts anything (RFC 8394 section 6; SEC-1, SEC-2,
 * SM-VAP-2). Calls are synchronous and cheap (the NVA client keeps what it needs in memory).
 */
public interface Authority {

    /** A yes, or a no with the reason sent on the wire. */
    record Decision(boolean allowed, int reasonCode, String detail) {
        public static final Decision ALLOW = new Decision(true, 0, "");

        public static Decision refuse(int reasonCode, String detail) {
            return new Decision(false, reasonCode, detail);
        }
    }

    /** The VN a request names, resolved; or a refusal. */
    record VnResolution(Vn vn, Decision decision) {
        public static VnResolution of(Vn vn) {
            return new VnResolution(vn, Decision.ALLOW);
        }

        public static VnResolution refuse(int code, String detail) {
            return new VnResolution(null, Decision.refuse(code, detail));
        }
    }

    /** A TSI's authorisation on a VN; in validated mode, with the authoritative record. */
    record TsiGrant(Decision decision, List<TsiAddress> addresses, List<Parameter> parameters) {
        public static TsiGrant trusted() {
            return new TsiGrant(Decision.ALLOW, null, List.of());
        }

        public static TsiGrant refuse(int code, String detail) {
            return new TsiGrant(Decision.refuse(code, detail), null, List.of());
        }
    }

    /** SEC-1: may this end device use this nNVE port? */
    Decision authoriseEndDevice(int port, MacAddress station);

    /**
     * Which VN a request means: by GroupID (VN ID), by VN Name, or, with neither, by the VSI type (the
     * VSI Manager's database) or by the VLAN asked for ({@code vid}, 0 if null).
     *
     * @param groupId VN ID, or -1 if the request names none
     */
    VnResolution resolveVn(ManagerId manager, int typeId, int typeVersion, long groupId, java.util.UUID vnName, int vid);

    /** SEC-1, SEC-2: may this TSI join this VN? In validated mode the grant carries its addresses. */
    TsiGrant authoriseTsi(int port, MacAddress station, VsiId tsi, Vn vn, List<TsiAddress> requested);

    /**
     * LC-MIGRATE make-before-break: whether TSI {@code tsi} is Activated in VN {@code vn} at another nNVE (the
     * destination of a migration that leaves this one), as the NVA knows it. An authority without an NVA knows
     * no other nNVE: false.
     */
    default boolean activatedAtAnotherNve(VsiId tsi, Vn vn) {
        return false;
    }

    /**
     * REL-2: a TSI restored from the nNVE's durable state (before the first frame), in its VN as resolved then, with
     * its addresses as accepted. An authority whose knowledge is not complete yet (an NVA's replica before its
     * client's first list) answers the requests of its end device for it as it did before the restart. Default:
     * nothing kept.
     */
    default void restored(int port, MacAddress station, VsiId tsi, Vn vn, List<TsiAddress> addresses) {
    }

    /**
     * Whether the authority knows what it decides with: false while an NVA's replica has not had its client's first
     * list since this nNVE started (it is empty then, and would refuse every end device and VN). The engine holds
     * the requests that come meanwhile ({@link NnveEngine#HOLD_NANOS}). Default: ready.
     */
    default boolean ready() {
        return true;
    }

    /** An authority that trusts every end device, TSI and VN: the behaviour of a plain VDP bridge. */
    static Authority trustAll() {
        return new Authority() {
            @Override
            public Decision authoriseEndDevice(int port, MacAddress station) {
                return Decision.ALLOW;
            }

            @Override
            public VnResolution resolveVn(ManagerId manager, int typeId, int typeVersion, long groupId,
                    java.util.UUID vnName, int vid) {
                if (groupId >= 0) {
                    return VnResolution.of(Vn.trusted(new VnKey.Id(groupId), (int) (groupId & 0xFFFFFF)));
                }
                if (vnName != null) {
                    return VnResolution.of(Vn.trusted(new VnKey.Name(vnName), -1));
                }
                if (vid > 0) {
                    return VnResolution.of(Vn.trusted(new VnKey.Vlan(vid), -1));
                }
                // A null VID and no GroupID: the VSI type names the VN (one VN per VSI type).
                return VnResolution.of(Vn.trusted(new VnKey.VsiType(typeId), -1));
            }

            @Override
            public TsiGrant authoriseTsi(int port, MacAddress station, VsiId tsi, Vn vn, List<TsiAddress> requested) {
                return TsiGrant.trusted();
            }
        };
    }
}
