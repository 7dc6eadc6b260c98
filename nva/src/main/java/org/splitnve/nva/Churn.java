package org.splitnve.nva;

/**
 * How often the NVA-visible mapping of a VN changed (SM-TSI-7; seed 004 section 4.3): {@code added} counts
 * (address, nNVE) bindings that appeared, {@code removed} those that disappeared. The nNVE port is local to
 * the nNVE, so a port move, or a second instance of a TSI on the same nNVE, changes neither count; state
 * changes (mapping, forwarding) are not counted either.
 */
public record Churn(long added, long removed) {
    public static final Churn NONE = new Churn(0, 0);
}
