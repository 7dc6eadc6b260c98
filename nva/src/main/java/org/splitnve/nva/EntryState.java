package org.splitnve.nva;

/** The state of a TSI instance's addresses at the NVA (RFC 8394 section 3.2, Figure 6). */
public enum EntryState {
    /** TSI Associated (SM-TSI-2): the addresses are known (mapping table), traffic is not sent to them. */
    MAPPING,
    /** TSI Activated (SM-TSI-3): other NVEs may send traffic to the addresses (forwarding table). */
    FORWARDING
}
