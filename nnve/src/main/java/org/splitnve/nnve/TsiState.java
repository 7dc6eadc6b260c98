package org.splitnve.nnve;

/** RFC 8394 Figure 6 (SM-TSI-1): the states of one TSI instance on the nNVE. */
public enum TsiState {
    /** Nothing reserved. */
    INIT,
    /** Resources reserved, mapping entries at the NVA, ACLs created but not allowing, no traffic (SM-TSI-2). */
    ASSOCIATED,
    /** ACLs enabled, forwarding entries at the NVA, traffic passes (SM-TSI-3). */
    ACTIVATED;

    /** The state's code in a session digest (docs/protocol.md 5.2); INIT has none (it is not in the digest). */
    public int digestCode() {
        return switch (this) {
            case INIT -> 0;
            case ASSOCIATED -> org.splitnve.protocol.SessionIdentity.ASSOCIATED;
            case ACTIVATED -> org.splitnve.protocol.SessionIdentity.ACTIVATED;
        };
    }
}
