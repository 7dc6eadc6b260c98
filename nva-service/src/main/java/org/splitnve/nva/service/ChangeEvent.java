package org.splitnve.nva.service;

import java.util.List;
import java.util.Objects;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * One event of a {@link Change}: a resource put (created or replaced whole), a resource removed (explicitly:
 * docs/nva-protocol.md section 4.4, never by its absence), or a notice addressed to one nNVE.
 */
public sealed interface ChangeEvent {
    /** The resource this event is about, by key. */
    ResourceKey key();

    record Put(Resource resource) implements ChangeEvent {
        public Put {
            Objects.requireNonNull(resource, "resource");
        }

        @Override
        public ResourceKey key() {
            return resource.key();
        }
    }

    record Removed(ResourceKey key) implements ChangeEvent {
        public Removed {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * NVA-6: the nNVE {@code to} lost these addresses of its instance to a newer claim (RFC 7432 section 15: the
     * old PE withdraws); it withdraws its forwarding entries for them. The same change puts its mapping entry
     * with the addresses in {@link MappingEntry#withdrawn}, so a replica that missed the notice converges too.
     */
    record Withdrawal(NveId to, TsiInstance instance, List<TsiAddress> addresses, TsiInstance winner,
            long winnerSeq) implements ChangeEvent {
        public Withdrawal {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(instance, "instance");
            Objects.requireNonNull(winner, "winner");
            addresses = List.copyOf(addresses);
        }

        @Override
        public ResourceKey key() {
            return ResourceKey.mapping(instance.vnId(), instance.vsi(), instance.nve(), instance.port());
        }
    }
}
