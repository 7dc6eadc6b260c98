package org.splitnve.nva;

import org.splitnve.wire.vdp.TsiAddress;

/**
 * One address of one TSI instance in the NVA's tables (RFC 8394 SM-TSI-2, SM-TSI-3): a mapping entry
 * (Associated) or a forwarding entry (Activated). The address carries no GroupID: the VN is the instance's.
 */
public record Entry(TsiInstance instance, TsiAddress address, EntryState state) {
    public NveId nve() {
        return instance.nve();
    }

    public int port() {
        return instance.port();
    }

    public boolean forwarding() {
        return state == EntryState.FORWARDING;
    }
}
