package org.splitnve.nva;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * The mapping and forwarding tables the nNVEs keep up to date (RFC 8394 sections 3.2 and 3.3, SM-TSI-2 to
 * SM-TSI-7). Entries are kept per TSI instance ({@link TsiInstance}: VSI ID, nNVE, port, VN); all addresses
 * of an instance share its state: {@link EntryState#MAPPING} (Associated) or {@link EntryState#FORWARDING}
 * (Activated).
 *
 * <p>Every operation answers with the instance as it is afterwards (for {@link #deassociate}, as it was), or a
 * refusal; a refused operation changes nothing. Addresses go in without a GroupID, or with the instance's VN
 * ({@link Refusal#ADDRESS_NOT_IN_VN} otherwise); duplicates are dropped. An instance always has addresses
 * that meet its VN's service ({@link Refusal#ADDRESSES_INCOMPLETE}, ID-4), and no MAC or host IP address of
 * another TSI (another VSI ID) in the VN ({@link Refusal#ADDRESS_IN_USE}); instances of the same TSI may
 * share addresses (a migration window, on one nNVE or two).
 */
public interface MappingTable {
    /**
     * TSI Associate (SM-TSI-2): the instance is in the mapping table with exactly these addresses. An existing
     * instance gets these addresses (only the difference is reported) and becomes {@code MAPPING}.
     * Refused with {@link Refusal#UNKNOWN_VN} or an address refusal.
     */
    Decision<TsiBinding> associate(TsiInstance instance, List<TsiAddress> addresses);

    /**
     * TSI Activate from Init or Associated (SM-TSI-3): the instance is in the forwarding table with exactly
     * these addresses. Otherwise as {@link #associate}.
     */
    Decision<TsiBinding> activate(TsiInstance instance, List<TsiAddress> addresses);

    /** TSI Activate of an associated instance (SM-TSI-3): its entries become forwarding entries. */
    Decision<TsiBinding> activate(TsiInstance instance);

    /** TSI Deactivate (SM-TSI-4): the forwarding entries go back to mapping entries. */
    Decision<TsiBinding> deactivate(TsiInstance instance);

    /** TSI De-Associate (SM-TSI-5): every entry of the instance goes; the answer is the instance as it was. */
    Decision<TsiBinding> deassociate(TsiInstance instance);

    /**
     * Removes then adds addresses in one step, the state kept (SM-TSI-6, REQ-10): e.g. a new IP address for a
     * MAC. An address both removed and added stays, unreported; removing an address the instance lacks is no
     * error.
     */
    Decision<TsiBinding> updateAddresses(TsiInstance instance, List<TsiAddress> remove, List<TsiAddress> add);

    /** Sets the addresses, the state kept (SM-TSI-6); only the difference is reported. */
    Decision<TsiBinding> replaceAddresses(TsiInstance instance, List<TsiAddress> addresses);

    /**
     * Port update (SM-TSI-6, SM-TSI-7; seed 004 section 4.3): the instance moves to {@code newPort} of the same
     * nNVE with its entries and state, reported as moved, never removed and added again. The answer is the
     * instance on its new port. Refused with {@link Refusal#INSTANCE_EXISTS} when the TSI already has an
     * instance on that port.
     */
    Decision<TsiBinding> movePort(TsiInstance instance, int newPort);

    /**
     * REQ-8, REQ-9: which addresses of the instance stay mapping entries while it forwards (some
     * addresses deactivated). Replaces the previous set; addresses the instance does not have are
     * ignored. Refused with {@link Refusal#UNKNOWN_TSI_INSTANCE} for an unknown instance.
     */
    Decision<TsiBinding> hold(TsiInstance instance, List<TsiAddress> held);

    Optional<TsiBinding> binding(TsiInstance instance);

    /** Every instance of a TSI (on any nNVE, port and VN), e.g. both sides of a migration. */
    List<TsiBinding> bindings(VsiId vsi);

    /**
     * Who has this MAC in the VN (a MAC entry, or an IP entry bound to it): one entry per instance, forwarding
     * ones first, then in the order the instances appeared.
     */
    List<Entry> lookup(int vnId, MacAddress mac);

    /**
     * Who has this IP address in the VN (a host entry, or a prefix containing it): one entry per instance,
     * forwarding ones first, then the longest prefix, then in the order the instances appeared.
     */
    List<Entry> lookup(int vnId, InetAddress ip);

    /** Every entry of a VN, instance by instance in the order they appeared. */
    List<Entry> entries(int vnId);

    /** NVA-visible churn of a VN since it was added ({@link Churn}). */
    Churn churn(int vnId);

    /**
     * NVA-6: the next activation of this instance is the destination of a live migration its end device announced
     * (RFC 8394's migration hints), which settles a claim with the same mobility sequence number as the entry in
     * force. A table that orders no claims ignores it.
     */
    default void migrationDestination(TsiInstance instance) {
    }
}
