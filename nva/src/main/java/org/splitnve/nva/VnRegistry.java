package org.splitnve.nva;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.splitnve.wire.vdp.VnId;

/**
 * The VNs of the administrative domain (RFC 8394 ID-1, ID-4, SM-VAP-2): VN Name, VN ID, VN Alias and
 * VN Context are each unique; the NVA maps between them.
 */
public interface VnRegistry {
    /**
     * Adds a VN. Refused with {@link Refusal#VN_NAME_IN_USE}, {@link Refusal#VN_ID_IN_USE},
     * {@link Refusal#VN_ALIAS_IN_USE} (aliases compare without case: they are read out over the phone) or
     * {@link Refusal#VN_CONTEXT_IN_USE}.
     */
    Decision<VnRecord> addVn(VnRecord vn);

    /**
     * Removes a VN with everything in it: its entries (reported as removed), local tags, TSI rules and TSI
     * records. Refused with {@link Refusal#UNKNOWN_VN}.
     */
    Decision<VnRecord> removeVn(int vnId);

    /** By VN ID or VN Name, as VDP carries it (SM-VAP-2: what a VN_Connect names). */
    Optional<VnRecord> vn(VnId vn);

    Optional<VnRecord> vnById(int vnId);

    Optional<VnRecord> vnByName(UUID name);

    /** Case-insensitive. */
    Optional<VnRecord> vnByAlias(String alias);

    /** Every VN, in the order added. */
    List<VnRecord> vns();

    /**
     * Why a VN this registry does not know may still exist, or null when the registry is complete: an nNVE's
     * replica cut off from the NVA says "the NVA is unreachable" (NVA-5), and a VN it does not know is refused with
     * {@link Refusal#UNKNOWN_VN} and that detail.
     */
    default String incompleteBecause() {
        return null;
    }

    /**
     * Whether the registry holds what it was given to hold: an nNVE's replica of the NVA is not loaded before its
     * client's first list since the nNVE started (it knows no VN, no end device then); a registry of its own always is.
     */
    default boolean loaded() {
        return true;
    }
}
