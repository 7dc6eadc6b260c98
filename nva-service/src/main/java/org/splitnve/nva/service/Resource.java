package org.splitnve.nva.service;

import java.util.Objects;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.LocalTag;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiRecord;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;

/**
 * One resource of the NVA's state (docs/nva-protocol.md section 3). Every resource has a {@link ResourceKey};
 * a change puts a whole resource or removes it by its key, never a part of it, so an event is absolute: applying
 * it again, or after a newer state, is harmless once the later events are applied.
 */
public sealed interface Resource {
    ResourceKey key();

    /** The VN it belongs to, or null when it belongs to the whole domain (the NVE registry, end-device rules). */
    Integer vnId();

    /** The nNVE it concerns (mapping entries, local tags, end-device rules, its registration), or null. */
    NveId nve();

    record Vn(VnRecord vn) implements Resource {
        public Vn {
            Objects.requireNonNull(vn, "vn");
        }

        @Override
        public ResourceKey key() {
            return ResourceKey.vn(vn.id());
        }

        @Override
        public Integer vnId() {
            return vn.id();
        }

        @Override
        public NveId nve() {
            return null;
        }
    }

    record DevicePermit(EndDeviceRule rule) implements Resource {
        public DevicePermit {
            Objects.requireNonNull(rule, "rule");
        }

        @Override
        public ResourceKey key() {
            return ResourceKey.devicePermit(rule.nve(), rule.port(), rule.station());
        }

        @Override
        public Integer vnId() {
            return null;
        }

        @Override
        public NveId nve() {
            return rule.nve();
        }
    }

    record TsiPermit(TsiRule rule) implements Resource {
        public TsiPermit {
            Objects.requireNonNull(rule, "rule");
        }

        @Override
        public ResourceKey key() {
            return ResourceKey.tsiPermit(rule.vnId(), rule.vsi());
        }

        @Override
        public Integer vnId() {
            return rule.vnId();
        }

        @Override
        public NveId nve() {
            return null;
        }
    }

    /** A validated VN's record of a TSI: its addresses and parameters (SEC-2, {@code ProvisioningMode.VALIDATED}). */
    record ValidatedTsi(TsiRecord record) implements Resource {
        public ValidatedTsi {
            Objects.requireNonNull(record, "record");
        }

        @Override
        public ResourceKey key() {
            return ResourceKey.tsiRecord(record.vnId(), record.vsi());
        }

        @Override
        public Integer vnId() {
            return record.vnId();
        }

        @Override
        public NveId nve() {
            return null;
        }
    }

    record Nve(NveRegistration registration) implements Resource {
        public Nve {
            Objects.requireNonNull(registration, "registration");
        }

        @Override
        public ResourceKey key() {
            return registration.key();
        }

        @Override
        public Integer vnId() {
            return null;
        }

        @Override
        public NveId nve() {
            return registration.nve();
        }
    }

    record Mapping(MappingEntry entry) implements Resource {
        public Mapping {
            Objects.requireNonNull(entry, "entry");
        }

        @Override
        public ResourceKey key() {
            return entry.key();
        }

        @Override
        public Integer vnId() {
            return entry.instance().vnId();
        }

        @Override
        public NveId nve() {
            return entry.instance().nve();
        }
    }

    record Tag(LocalTag tag) implements Resource {
        public Tag {
            Objects.requireNonNull(tag, "tag");
        }

        @Override
        public ResourceKey key() {
            return ResourceKey.localTag(tag.nve(), tag.portScope(), tag.tag());
        }

        @Override
        public Integer vnId() {
            return tag.vnId();
        }

        @Override
        public NveId nve() {
            return tag.nve();
        }
    }

    record Duplicate(DuplicateAddress duplicate) implements Resource {
        public Duplicate {
            Objects.requireNonNull(duplicate, "duplicate");
        }

        @Override
        public ResourceKey key() {
            return duplicate.key();
        }

        @Override
        public Integer vnId() {
            return duplicate.vnId();
        }

        @Override
        public NveId nve() {
            return null;
        }
    }

    /** An nNVE's credential: the SHA-256 of its token, in hexadecimal. Never sent to anyone (NVA-7). */
    record Credential(NveId owner, String tokenSha256) implements Resource {
        public Credential {
            Objects.requireNonNull(owner, "owner");
            if (tokenSha256 == null || !tokenSha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("a credential is a SHA-256 in lower-case hexadecimal");
            }
        }

        @Override
        public ResourceKey key() {
            return ResourceKey.credential(owner);
        }

        @Override
        public Integer vnId() {
            return null;
        }

        @Override
        public NveId nve() {
            return owner;
        }

        @Override
        public String toString() {
            return "Credential[owner=" + owner + ", tokenSha256=(hidden)]";
        }
    }
}
