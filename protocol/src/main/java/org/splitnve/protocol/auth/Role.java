package org.splitnve.protocol.auth;

/** Which end of the link a side is: it orders the nonces and MACs in the key derivation. */
public enum Role {
    /** The end device, tNVE: the VDP station. */
    STATION,
    /** The external NVE, nNVE: the VDP bridge. */
    BRIDGE;

    public Role peer() {
        return this == STATION ? BRIDGE : STATION;
    }
}
