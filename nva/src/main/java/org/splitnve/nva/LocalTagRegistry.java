package org.splitnve.nva;

import java.util.List;
import java.util.Optional;

/**
 * Which local tag maps to which VN, per nNVE port scope (RFC 8394 SM-VAP-2: on VN_Connect the nNVE tells the
 * NVA the local tag of the VN). In one port scope a tag maps to one VN (REQ-7); a VN may have several tags.
 */
public interface LocalTagRegistry {
    /**
     * Records a tag; recording it again is allowed. Refused with {@link Refusal#UNKNOWN_VN}, or
     * {@link Refusal#TAG_IN_USE} when the tag maps to another VN in that scope.
     */
    Decision<LocalTag> recordLocalTag(LocalTag tag);

    /** VN_Disconnect (SM-VAP-3): the tag is free again. Whether it was recorded. */
    boolean releaseLocalTag(LocalTag tag);

    /** The VN a tag maps to in a port scope of an nNVE. */
    Optional<LocalTag> localTag(NveId nve, int portScope, int tag);

    /** Every tag of a VN, on every nNVE and port scope. */
    List<LocalTag> localTags(int vnId);
}
