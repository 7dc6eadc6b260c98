package org.splitnve.nnve;

import java.util.List;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * What a state change means for the layers below and beside the nNVE engine (RFC 8394 section 3):
 * NVA mapping and forwarding entries, the TSI's filter/ACL rules, the VN's local tag on a port. The
 * engine only emits effects; the NVA client and the data plane apply them.
 */
public sealed interface Effect {
    /** One TSI on one nNVE port in one VN (SM-TSI-1, SM-TSI-7: TSI_ID plus port tells instances apart). */
    record Instance(VsiId tsi, int port, MacAddress station, VnKey vn) {
    }

    enum EntryState { MAPPING, FORWARDING }

    /**
     * SM-TSI-2/3/4: the NVA holds the addresses as mapping entries (Associated) or forwarding entries (Activated).
     * {@code migration}: the instance forwards as the destination of a live migration its end device announced
     * (REQ-13; the NVA's mobility ordering, NVA-6, settles an equal claim in its favour).
     */
    record NvaEntries(Instance instance, List<TsiAddress> addresses, EntryState state, boolean migration)
            implements Effect {
        public NvaEntries(Instance instance, List<TsiAddress> addresses, EntryState state) {
            this(instance, addresses, state, false);
        }
    }

    /**
     * REQ-8, REQ-9: some addresses of an activated TSI deactivated: the NVA keeps them as mapping
     * entries while the others forward (an empty list: all forward again).
     */
    record NvaHeld(Instance instance, List<TsiAddress> held) implements Effect {
    }

    /** SM-TSI-5: the NVA removes every entry of the instance. */
    record NvaRemove(Instance instance) implements Effect {
    }

    /** SM-TSI-6, SM-TSI-7: the entries move from one port to another, state kept, no remove-then-add. */
    record NvaMove(Instance from, Instance to) implements Effect {
    }

    /** SM-VAP-2: the NVA learns which local tag maps to the VN on this port scope (tag -1: unmapped). */
    record NvaVnTag(VnKey vn, int vni, String scope, int tag) implements Effect {
    }

    enum AclState { CREATED_DISABLED, ENABLED, DISABLED, REMOVED }

    /** The TSI's filter rules: created not allowing (Associated), enabled (Activated), disabled, removed. */
    record Acl(Instance instance, List<TsiAddress> addresses, int tag, AclState state) implements Effect {
    }

    /** The VN's local tag is provisioned on, or cleared from, a port (SM-TSI-2, SM-TSI-5, SM-VAP-3). */
    record TagProvision(int port, VnKey vn, int tag, boolean provisioned) implements Effect {
    }

    /** LC-MCAST: after a migration arrival, re-learn the VM's dynamic state (an IGMP query toward it). */
    record Relearn(Instance instance, int tag) implements Effect {
    }
}
