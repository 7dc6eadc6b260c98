package org.splitnve.nva;

/**
 * How the addresses and parameters of a VN's TSIs are provisioned (RFC 8394 section 6, SEC-2).
 */
public enum ProvisioningMode {
    /** The end device supplies addresses and parameters; the nNVE uses them as they are. */
    TRUSTED,
    /**
     * The end device supplies only the VN and the TSI identity; the NVA holds the TSI's addresses and
     * parameters ({@link TsiRecord}), which the nNVE checks what the end device offers against and
     * returns as authoritative.
     */
    VALIDATED
}
