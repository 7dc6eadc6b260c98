package org.splitnve.wire.vdp;

import java.util.UUID;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * An unambiguous migration indication (RFC 8394 REQ-13, GAP-13), attached to a VSI TLV. Where the
 * M and S bits cannot tell "not a migration" from "no information", this can; the migration ID
 * ties the arrival at the destination to the departure at the source.
 *
 * <p>Body (17 octets): indication (1, {@link Indication}), migration ID (16, a UUID; the nil UUID
 * exactly when the indication is NO_INFORMATION or NOT_MIGRATION).
 */
public record MigrationTlv(Indication indication, UUID migrationId) implements OrgTlv, ExtensionTlv {
    public static final UUID NIL = new UUID(0, 0);

    public enum Indication {
        NO_INFORMATION(0), NOT_MIGRATION(1), ARRIVAL(2), DEPARTURE(3),
        /**
         * Only in an nNVE's answer to a DEPARTURE: the TSI is Activated at the migration's destination (on this
         * nNVE or, as the NVA says, on another), so the source may let go (LC-MIGRATE make-before-break). An
         * answer to a DEPARTURE that echoes DEPARTURE says the destination is not Activated yet.
         */
        ARRIVED(4);

        private final int code;

        Indication(int code) {
            this.code = code;
        }

        /** The indication's value on the wire (docs/protocol.md). */
        public int code() {
            return code;
        }

        /** The indication of a value, or null for an unknown one. */
        static Indication ofCode(int code) {
            for (Indication i : values()) {
                if (i.code == code) {
                    return i;
                }
            }
            return null;
        }

        public boolean isMigration() {
            return this == ARRIVAL || this == DEPARTURE || this == ARRIVED;
        }
    }

    public MigrationTlv {
        if (indication == null || migrationId == null) {
            throw new IllegalArgumentException("indication and migration ID are required");
        }
        if (indication.isMigration() == NIL.equals(migrationId)) {
            throw new IllegalArgumentException(indication.isMigration()
                    ? "a migration needs a migration ID" : indication + " carries the nil migration ID");
        }
    }

    public static MigrationTlv arrival(UUID migrationId) {
        return new MigrationTlv(Indication.ARRIVAL, migrationId);
    }

    public static MigrationTlv departure(UUID migrationId) {
        return new MigrationTlv(Indication.DEPARTURE, migrationId);
    }

    /** An nNVE's answer to {@link #departure}: the destination of the migration is Activated. */
    public static MigrationTlv arrived(UUID migrationId) {
        return new MigrationTlv(Indication.ARRIVED, migrationId);
    }

    public static MigrationTlv notMigration() {
        return new MigrationTlv(Indication.NOT_MIGRATION, NIL);
    }

    @Override
    public ExtensionType type() {
        return ExtensionType.MIGRATION;
    }

    @Override
    public int bodyLength() {
        return 17;
    }

    @Override
    public void encodeBody(WireWriter w) {
        w.u8(indication.code()).u64(migrationId.getMostSignificantBits()).u64(migrationId.getLeastSignificantBits());
    }

    static MigrationTlv decodeBody(WireReader r) throws DecodeException {
        int code = r.u8("migration indication");
        Indication ind = Indication.ofCode(code);
        if (ind == null) {
            throw r.error(DecodeError.UNKNOWN_VALUE, "unknown migration indication " + code);
        }
        UUID id = new UUID(r.u64("migration ID"), r.u64("migration ID"));
        if (ind.isMigration() == NIL.equals(id)) {
            throw r.error(DecodeError.INVALID_FIELD, ind + (ind.isMigration()
                    ? " with the nil migration ID" : " with a migration ID"));
        }
        return new MigrationTlv(ind, id);
    }
}
