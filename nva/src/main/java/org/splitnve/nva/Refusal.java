package org.splitnve.nva;

import org.splitnve.wire.vdp.ReasonCode;

/**
 * Why the NVA refused something (RFC 8394 SEC-1, SEC-2; SM-REASON). Each reason has a human-readable
 * text, a suggested VDP {@link ReasonCode} and a stable 16-bit detail code for the reason detail TLV; the
 * nNVE may map them differently.
 */
public enum Refusal {
    // Identity and policy (SEC-1, SEC-2)
    UNKNOWN_VN(0x0101, ReasonCode.INVALID_VID_GROUP_OR_MAC, "the VN is not known to the NVA"),
    END_DEVICE_NOT_AUTHORISED(0x0102, ReasonCode.OTHER_FAILURE, "the end device is not authorised to use this nNVE"),
    TSI_NOT_AUTHORISED_ON_VN(0x0103, ReasonCode.OTHER_FAILURE, "the TSI is not authorised on this VN"),
    NO_TSI_RECORD(0x0104, ReasonCode.OTHER_FAILURE, "the NVA holds no record of this TSI on this VN (validated VN)"),
    ADDRESS_NOT_IN_RECORD(0x0105, ReasonCode.INVALID_VID_GROUP_OR_MAC, "an address is not in the NVA's record of the TSI"),
    // Addresses (ID-3, ID-4)
    ADDRESSES_INCOMPLETE(0x0201, ReasonCode.INVALID_FORMAT, "the addresses do not meet the VN's service"),
    ADDRESS_NOT_IN_VN(0x0202, ReasonCode.INVALID_VID_GROUP_OR_MAC, "an address names another VN"),
    ADDRESS_IN_USE(0x0203, ReasonCode.INVALID_VID_GROUP_OR_MAC, "an address belongs to another TSI in the VN"),
    PREFIX_TOO_SHORT(0x0204, ReasonCode.OTHER_FAILURE, "an IP prefix is shorter than the VN lets a TSI claim"),
    // Mapping table (SM-TSI-*)
    UNKNOWN_TSI_INSTANCE(0x0301, ReasonCode.OTHER_FAILURE, "the NVA has no entries for this TSI instance"),
    INSTANCE_EXISTS(0x0302, ReasonCode.OTHER_FAILURE, "the TSI already has an instance on that port"),
    // Local tags (SM-VAP-2)
    TAG_IN_USE(0x0401, ReasonCode.INVALID_VID_GROUP_OR_MAC, "the local tag maps to another VN in that port scope"),
    // VN registry administration (ID-1)
    VN_NAME_IN_USE(0x0501, ReasonCode.OTHER_FAILURE, "another VN has this VN Name"),
    VN_ID_IN_USE(0x0502, ReasonCode.OTHER_FAILURE, "another VN has this VN ID"),
    VN_ALIAS_IN_USE(0x0503, ReasonCode.OTHER_FAILURE, "another VN has this VN Alias"),
    VN_CONTEXT_IN_USE(0x0504, ReasonCode.OTHER_FAILURE, "another VN has this VN Context (VNI)"),
    // The NVA service and its nNVEs (NVA-3, NVA-6, NVA-7; docs/nva-protocol.md)
    NOT_OWNER(0x0601, ReasonCode.OTHER_FAILURE, "an nNVE changes only its own entries"),
    UNKNOWN_NVE(0x0602, ReasonCode.OTHER_FAILURE, "the nNVE is not in the NVA's NVE registry"),
    VN_NOT_SERVED(0x0603, ReasonCode.OTHER_FAILURE, "the nNVE has not said that it serves this VN"),
    STALE_MOBILITY_SEQUENCE(0x0604, ReasonCode.OTHER_FAILURE,
            "a newer claim of the address is in force (mobility sequence number, RFC 7432 section 15)"),
    DUPLICATE_ADDRESS(0x0605, ReasonCode.INVALID_VID_GROUP_OR_MAC,
            "the address is claimed at another nNVE outside a migration (duplicate address)"),
    REPORT_OUT_OF_ORDER(0x0606, ReasonCode.OTHER_FAILURE, "a report skips a report sequence number"),
    STORE_FAILURE(0x0607, ReasonCode.OTHER_FAILURE, "the NVA could not make the change durable; nothing changed");

    private final int detailCode;
    /** The suggested reason code's 4-bit value: an enum's fields are of immutable types (an int, a String). */
    private final int reasonCode;
    private final String text;

    Refusal(int detailCode, ReasonCode reasonCode, String text) {
        this.detailCode = detailCode;
        this.reasonCode = reasonCode.value();
        this.text = text;
    }

    /** Stable code for the reason detail TLV (16 bits). */
    public int detailCode() {
        return detailCode;
    }

    /** The VDP reason code this refusal suggests. */
    public ReasonCode reasonCode() {
        return ReasonCode.of(reasonCode); // the defined codes' constants, as they were given
    }

    /** Human-readable text. */
    public String text() {
        return text;
    }
}
