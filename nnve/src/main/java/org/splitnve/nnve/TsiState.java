package org.splitnve.nnve;

/** RFC 8394 Figure 6 (SM-TSI-1): the states of one TSI instance on the nNVE. */
public enum TsiState {
    /** Nothing reserved. */
    INIT,
    /** Resources reserved, mapping entries at the NVA, ACLs created but not allowing, no traffic (SM-TSI-2). */
    ASSOCIATED,
    /** ACLs enabled, forwarding entries at the NVA, traffic passes (SM-TSI-3). */
    ACTIVATED
}
