package org.splitnve.tnve;

import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.MigrationTlv;

import java.util.List;
import java.util.function.Consumer;
import org.splitnve.tnve.TnveEngine.TsiState;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiTlv;

final class Pending {
    final TsiState target;
    final VsiMode mode;
    int remaining;
    long deadline;
    final Consumer<OpResult> done;
    /** Its VSI TLVs went to ECP (they count against the uplink's window until the request ends). */
    boolean sent;
    OpResult failure;
    /** The VSI TLVs of the request: sent again when the nNVE asks for a resynchronisation (REL-7). */
    List<VsiTlv> items = List.of();
    /** The IP addresses the TSI has at the nNVE once this request succeeds; null: unchanged (OPS-1). */
    List<TsiAddress> ipsAfter;
    /** The transaction of the address fragments the request carries, or -1 (none). */
    int transaction = -1;
    /** The deactivate and migration TLVs the request carries (null: none), which the nNVE's answer echoes. */
    DeactivateTlv deactivate;
    MigrationTlv migration;

    Pending(TsiState target, VsiMode mode, int remaining, long deadline, Consumer<OpResult> done) {
        this.target = target;
        this.mode = mode;
        this.remaining = remaining;
        this.deadline = deadline;
        this.done = done;
    }
}
