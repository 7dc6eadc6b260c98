package org.splitnve.nva;

import java.util.List;
import java.util.Optional;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VnId;
import org.splitnve.wire.vdp.VsiId;

/**
 * Who may use what (RFC 8394 section 6, SEC-1, SEC-2): which end devices may use which nNVE, which TSIs may
 * join which VN, and for validated VNs the TSI records the NVA answers with. Nothing is allowed unless a rule
 * allows it.
 */
public interface AuthorisationPolicy {
    void permitEndDevice(EndDeviceRule rule);

    /** Whether the rule was there. */
    boolean revokeEndDevice(EndDeviceRule rule);

    void permitTsi(TsiRule rule);

    /** Whether the rule was there. */
    boolean revokeTsi(TsiRule rule);

    /** Stores (or replaces) the record of a TSI on a VN; the record also authorises the TSI on that VN. */
    void putTsiRecord(TsiRecord record);

    Optional<TsiRecord> tsiRecord(VsiId vsi, int vnId);

    /** Whether there was one. */
    boolean removeTsiRecord(VsiId vsi, int vnId);

    /** May this end device use its nNVE? Refused with {@link Refusal#END_DEVICE_NOT_AUTHORISED}. */
    Decision<EndDevice> authoriseEndDevice(EndDevice device);

    /**
     * A VN_Connect (SM-VAP-2, REQ-5): the end device is authorised and the VN, named by VN ID or VN Name, is
     * known; the answer carries the VN Context and profile. Refused with
     * {@link Refusal#END_DEVICE_NOT_AUTHORISED} (checked first: an unauthorised device learns nothing about
     * VNs) or {@link Refusal#UNKNOWN_VN}.
     */
    Decision<VnRecord> connectVn(EndDevice device, VnId vn);

    /**
     * May this TSI join this VN through this end device, and with which addresses and parameters? Checks, in
     * order: the end device is authorised ({@link Refusal#END_DEVICE_NOT_AUTHORISED}); the VN is known
     * ({@link Refusal#UNKNOWN_VN}); the TSI is authorised on the VN by a rule or a record
     * ({@link Refusal#TSI_NOT_AUTHORISED_ON_VN}); no address names another VN ({@link Refusal#ADDRESS_NOT_IN_VN}).
     * Then, on a validated VN: a record exists ({@link Refusal#NO_TSI_RECORD}) and covers every offered address
     * ({@link Refusal#ADDRESS_NOT_IN_RECORD}; offering none is fine, offered parameters are ignored); on a trusted
     * VN, no IP prefix is shorter than the VN's {@link PrefixPolicy} ({@link Refusal#PREFIX_TOO_SHORT}). Last, the
     * granted addresses meet the VN's service ({@link Refusal#ADDRESSES_INCOMPLETE}, ID-4). See
     * {@link TsiGrant} for what is granted.
     *
     * <p>The nNVE calls it on Associate (or Activate from Init) and again when the end device changes the
     * addresses, then with the TSI's whole resulting address list.
     */
    Decision<TsiGrant> authoriseTsi(EndDevice device, VsiId vsi, int vnId, List<TsiAddress> addresses,
            List<Parameter> parameters);
}
