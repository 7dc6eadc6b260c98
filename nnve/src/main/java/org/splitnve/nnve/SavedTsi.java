package org.splitnve.nnve;

import java.util.List;
import java.util.UUID;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * REL-2: one TSI instance as the nNVE engine holds it, for a durable copy ({@link NnveEngine#export()}) and an
 * engine started again from it ({@link NnveEngine#restore}): its port and station, its VN (as resolved then) and the
 * VN's local tag on the port scope, its state, the request's type and Manager ID, the filter as accepted, its
 * addresses and parameters, the addresses held (REQ-8, REQ-9), whether it holds the TSI's NVA entries (SM-TSI-7), the
 * migration it announced it leaves by (REL-4), and how long ago its end device last refreshed it (keep-alive,
 * SM-TIMER: relative, so a copy read by another process or clock means the same). {@link SavedTsiCodec} writes it.
 *
 * @param sinceRefreshNanos nanoseconds between its last refresh and the export (0 or more)
 * @param extensions        whether its end device spoke the splitnve extensions (it announces its TSIs again when
 *                          asked); false: a standard station, whose request sent while the nNVE was away is answered
 */
public record SavedTsi(VsiId id, int port, MacAddress station, Vn vn, int tag, TsiState state, int typeId,
        int typeVersion, ManagerId manager, Filter filter, List<TsiAddress> addresses, List<Parameter> parameters,
        List<TsiAddress> held, boolean ownsNva, UUID departing, long sinceRefreshNanos, boolean extensions) {
    public SavedTsi {
        addresses = List.copyOf(addresses);
        parameters = List.copyOf(parameters);
        held = List.copyOf(held);
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port index out of 0..65535: " + port);
        }
        if (tag < 1 || tag > 4094) {
            throw new IllegalArgumentException("local tag out of 1..4094: " + tag);
        }
        if (state == TsiState.INIT) {
            throw new IllegalArgumentException("a TSI in Init holds nothing to save");
        }
        if (sinceRefreshNanos < 0) {
            throw new IllegalArgumentException("negative time since the last refresh");
        }
        java.util.Objects.requireNonNull(id, "id");
        java.util.Objects.requireNonNull(station, "station");
        java.util.Objects.requireNonNull(vn, "vn");
        java.util.Objects.requireNonNull(filter, "filter");
    }
}
