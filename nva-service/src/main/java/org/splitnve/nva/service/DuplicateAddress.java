package org.splitnve.nva.service;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.splitnve.nva.TsiInstance;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * An address of a VN claimed at two nNVEs outside a migration, or moving too often (NVA-6; RFC 7432 section
 * 15.1). Operators see it (NVA-8) and clear it; while {@link #frozen} the NVA refuses every claim of the address
 * but the one in force.
 *
 * @param claim       the claimed address: a MAC ({@code TsiAddress.mac}) or an IP address or prefix, unbound
 * @param reason      why it is a duplicate
 * @param activations how many distinct activations claimed it while it was one (a claim is an instance and a
 *                    mobility sequence number; a report sent again, or a frame seen again, is not a new one)
 * @param recent      the last claims counted, newest last, at most {@link #RECENT}
 */
public record DuplicateAddress(int vnId, TsiAddress claim, Reason reason, boolean frozen, long activations,
        List<Claim> recent, Instant since) {

    /** How many claims {@link #recent} keeps. */
    public static final int RECENT = 16;

    public enum Reason {
        /** Another TSI (another VSI ID) claims the address at another nNVE. */
        ANOTHER_TSI(0),
        /** The same TSI claims it at another nNVE with the same sequence number and no migration under way. */
        UNORDERED_CLAIM(1),
        /** It moved N times within M seconds (RFC 7432 section 15.1: N 5, M 180 by default). */
        FLAPPING(2);

        private final int code;

        Reason(int code) {
            this.code = code;
        }

        /**
         * This value's code in the NVA's store ({@link org.splitnve.nva.service.store.Codec}): fixed, never
         * derived from the declaration order, so a store written before a value was added or the values reordered
         * still reads.
         */
        public int code() {
            return code;
        }

        /** The value of a store {@link #code()}; an unknown code is an {@link IllegalArgumentException}. */
        public static Reason ofCode(int code) {
            for (Reason v : values()) {
                if (v.code == code) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown duplicate reason code " + code);
        }
    }

    /** One activation that claimed the address. */
    public record Claim(TsiInstance instance, long mobilitySeq) {
        public Claim {
            Objects.requireNonNull(instance, "instance");
            MobilitySeq.check(mobilitySeq);
        }
    }

    public DuplicateAddress {
        Objects.requireNonNull(claim, "claim");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(since, "since");
        recent = List.copyOf(recent);
        if (recent.size() > RECENT) {
            recent = List.copyOf(recent.subList(recent.size() - RECENT, recent.size()));
        }
    }

    public ResourceKey key() {
        return ResourceKey.duplicate(vnId, claim);
    }
}
