package org.splitnve.tnve;

import java.util.List;
import java.util.UUID;

/** A VM on this hypervisor: its RFC 7666 state and its TSIs. Owned by the engine thread. */
public final class Vm {
    final String name;
    VmState state;
    List<TsiSpec> tsis;
    /** The live migration in progress, or null. */
    UUID migration;

    Vm(String name, List<TsiSpec> tsis, VmState state) {
        this.name = name;
        this.tsis = List.copyOf(tsis);
        this.state = state;
    }

    public String name() {
        return name;
    }

    public VmState state() {
        return state;
    }

    public List<TsiSpec> tsis() {
        return tsis;
    }

    public UUID migration() {
        return migration;
    }
}
