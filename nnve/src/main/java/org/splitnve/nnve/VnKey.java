package org.splitnve.nnve;

import java.util.UUID;

/**
 * How the nNVE knows a VN (RFC 8394 ID-1): by VN ID (the VDP GroupID), by VN Name, or, for a
 * standard peer that names no GroupID, by the VLAN it asked for on the port (a VN the nNVE knows
 * only by its local tag, or by its VSI type: the plain-VDP cases).
 */
public sealed interface VnKey {
    record Id(long id) implements VnKey {
        public Id {
            if (id < 0 || id > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("VN ID is 32 bits: " + id);
            }
        }

        @Override
        public String toString() {
            return "vn-id:" + id;
        }
    }

    record Name(UUID name) implements VnKey {
        @Override
        public String toString() {
            return "vn-name:" + name;
        }
    }

    /** A standard peer with no GroupID and a null VID: the VSI type (the VSI Manager's database) names the VN. */
    record VsiType(int typeId) implements VnKey {
        @Override
        public String toString() {
            return "vsi-type:" + typeId;
        }
    }

    record Vlan(int vid) implements VnKey {
        @Override
        public String toString() {
            return "vlan:" + vid;
        }
    }
}
