package org.splitnve.api;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.splitnve.wire.MacAddress;

/**
 * The TSI IDs the API gives a TSI_SPEC without one ({@link Bodies.TsiSpec}): the tNVE's API derives them, and a
 * client that must know the ID before the tNVE answers (the libvirt hook) derives the same.
 */
public final class TsiIds {
    private TsiIds() {
    }

    /** The TSI ID of a TSI_SPEC without one: a name-based (v3) UUID of "splitnve-tsi:VM/MAC". */
    public static UUID derivedId(String vmName, MacAddress mac) {
        return UUID.nameUUIDFromBytes(("splitnve-tsi:" + vmName + "/" + mac).getBytes(StandardCharsets.UTF_8));
    }
}
