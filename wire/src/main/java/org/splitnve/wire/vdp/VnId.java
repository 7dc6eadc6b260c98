package org.splitnve.wire.vdp;

import java.util.UUID;

/**
 * How a VN is named on the wire (RFC 8394 ID-1): by VN ID (the VDP GroupID, 32 bits, unique in the
 * administrative domain) or by VN Name (a UUID, globally unique).
 */
public sealed interface VnId {
    record Group(int id) implements VnId {
        public long unsigned() {
            return Integer.toUnsignedLong(id);
        }

        @Override
        public String toString() {
            return "VN ID " + unsigned();
        }
    }

    record Name(UUID uuid) implements VnId {
        public Name {
            if (uuid.getMostSignificantBits() == 0 && uuid.getLeastSignificantBits() == 0) {
                throw new IllegalArgumentException("a VN Name is not the nil UUID");
            }
        }

        @Override
        public String toString() {
            return "VN Name " + uuid;
        }
    }

    static VnId group(long id) {
        if (id < 0 || id > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("a VN ID is 32 bits unsigned: " + id);
        }
        return new Group((int) id);
    }
}
