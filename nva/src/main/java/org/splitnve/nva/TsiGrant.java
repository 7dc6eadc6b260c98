package org.splitnve.nva;

import java.util.List;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * What the nNVE may provision for an authorised TSI (RFC 8394 SEC-1, SEC-2).
 *
 * <p>{@code TRUSTED}: the addresses and parameters the end device offered, as they were (addresses without
 * GroupID, duplicates dropped). {@code VALIDATED}: every address and parameter of the NVA's {@link TsiRecord},
 * whatever subset the end device offered to identify the TSI; the nNVE provisions them and returns them to
 * the end device as authoritative.
 *
 * @param vn the VN (its context, service and profile)
 */
public record TsiGrant(VnRecord vn, ProvisioningMode mode, List<TsiAddress> addresses, List<Parameter> parameters) {
    public TsiGrant {
        addresses = List.copyOf(addresses);
        parameters = List.copyOf(parameters);
    }
}
