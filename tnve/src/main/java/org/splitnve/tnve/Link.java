package org.splitnve.tnve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.splitnve.tnve.TnveEngine.TsiState;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;

/**
 * One TSI at one nNVE (SM-TSI-1): the record the parts of the tNVE share. {@link #desired} is what this end
 * device wants there (set by the VM {@link Lifecycle}, {@link Migration}, fail-over and the nNVE's notices);
 * {@link #confirmed} is what the nNVE answered, changed only by {@link Requests#setConfirmed}. The request in
 * flight and those queued behind it are {@link Requests}'; the {@link Uplink} holds the links of its nNVE.
 */
final class Link {
    final Vm vm;
    TsiSpec spec;
    final Uplink up;
    TsiState confirmed = TsiState.INIT;
    /** What this end device wants at this nNVE (restored after fail-over). */
    TsiState desired = TsiState.INIT;
    int tag;
    Pending pending;
    final ArrayDeque<Runnable> next = new ArrayDeque<>(1);
    long keepAliveDue = Long.MAX_VALUE;
    boolean suspended;
    /** Addresses deactivated while the TSI is Activated (REQ-8, REQ-9: some addresses). */
    List<TsiAddress> inactive = new ArrayList<>();
    /** Address fragments of an nNVE-initiated partial deactivation still arriving. */
    List<TsiAddressTlv> namedFragments = new ArrayList<>();
    /** The IP addresses the nNVE acknowledged for this TSI (OPS-1): what it holds, not what was asked. */
    List<TsiAddress> ackedIps = List.of();
    /**
     * SEC-9: the state the nNVE had confirmed before a notice in its name de-associated or deactivated the
     * TSI (null: none since). Without authentication such a notice may be forged; the nNVE's session digest
     * tells whether it still holds the TSI in this state.
     */
    TsiState beforeNotice;

    /**
     * LC-MIGRATE make-before-break: the migration whose destination this nNVE last said is Activated (its answer
     * to a DEPARTURE was ARRIVED), or null (it said not yet, or was not asked).
     */
    java.util.UUID arrived;

    Link(Vm vm, TsiSpec spec, Uplink up) {
        this.vm = vm;
        this.spec = spec;
        this.up = up;
    }
}
