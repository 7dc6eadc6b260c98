package org.splitnve.nva.service;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.LocalTag;
import org.splitnve.nva.TsiInstance;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * One operation of an nNVE's {@link Report} (docs/nva-protocol.md section 5). Operations say what the nNVE's
 * state is, not what happened, so that sending one again is harmless: {@link Bind} replaces the whole entry of an
 * instance. Each names entries of the reporting nNVE only (NVA-7).
 */
public sealed interface ReportOp {

    /**
     * The instance is Associated ({@link EntryState#MAPPING}) or Activated ({@link EntryState#FORWARDING}) with
     * exactly these addresses (SM-TSI-2, SM-TSI-3, SM-TSI-4, SM-TSI-6; REQ-8, REQ-9 for {@code held}). An
     * activation claims its addresses with {@code mobilitySeq} (NVA-6); {@code migration} says that the nNVE
     * knows the claim to be the destination of a live migration (RFC 8394 migration hints), which settles a claim
     * with the same sequence number as the one in force.
     */
    record Bind(TsiInstance instance, EntryState state, List<TsiAddress> addresses, List<TsiAddress> held,
            long mobilitySeq, boolean migration) implements ReportOp {
        public Bind {
            Objects.requireNonNull(instance, "instance");
            Objects.requireNonNull(state, "state");
            addresses = List.copyOf(addresses);
            held = List.copyOf(held);
            MobilitySeq.check(mobilitySeq);
        }

        public static Bind associated(TsiInstance instance, List<TsiAddress> addresses, long mobilitySeq) {
            return new Bind(instance, EntryState.MAPPING, addresses, List.of(), mobilitySeq, false);
        }

        public static Bind activated(TsiInstance instance, List<TsiAddress> addresses, long mobilitySeq) {
            return new Bind(instance, EntryState.FORWARDING, addresses, List.of(), mobilitySeq, false);
        }

        /** The same claim, as the destination of a live migration. */
        public Bind inMigration() {
            return new Bind(instance, state, addresses, held, mobilitySeq, true);
        }
    }

    /** De-Associate (SM-TSI-5): every entry of the instance goes. Removing an instance the NVA lacks is no error. */
    record Unbind(TsiInstance instance) implements ReportOp {
        public Unbind {
            Objects.requireNonNull(instance, "instance");
        }
    }

    /** Port update (SM-TSI-6, SM-TSI-7): the instance moves to another port of the same nNVE, state kept. */
    record MovePort(TsiInstance from, int toPort) implements ReportOp {
        public MovePort {
            Objects.requireNonNull(from, "from");
            if (toPort < 0) {
                throw new IllegalArgumentException("port is not negative: " + toPort);
            }
        }
    }

    /** The nNVE uses this local tag for the VN in the port scope (SM-VAP-2). */
    record RecordTag(LocalTag tag) implements ReportOp {
        public RecordTag {
            Objects.requireNonNull(tag, "tag");
        }
    }

    /** The tag is free again (SM-VAP-3). Releasing a tag the NVA lacks is no error. */
    record ReleaseTag(LocalTag tag) implements ReportOp {
        public ReleaseTag {
            Objects.requireNonNull(tag, "tag");
        }
    }

    /** The VNs the nNVE serves, all of them (its interest, and the VNs' flood lists). */
    record Serve(Set<Integer> vns) implements ReportOp {
        public Serve {
            vns = Set.copyOf(vns);
        }
    }
}
