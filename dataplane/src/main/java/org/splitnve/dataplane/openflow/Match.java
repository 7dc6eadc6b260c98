package org.splitnve.dataplane.openflow;

import java.util.ArrayList;
import java.util.List;

/**
 * An OXM match (OFPMT_OXM), kept in canonical order (class, field): the switch may report the fields of a flow in
 * another order than they were sent, and two matches with the same fields are the same match.
 */
public record Match(List<Oxm> fields) {
    public static final Match ALL = new Match(List.of());

    public Match {
        List<Oxm> sorted = new ArrayList<>(fields);
        sorted.sort(null);
        fields = List.copyOf(sorted);
    }

    public static Match of(Oxm... fields) {
        return new Match(List.of(fields));
    }

    /** ofp_match length field: type, length and the OXMs, before padding. */
    public int unpaddedLength() {
        int n = 4;
        for (Oxm f : fields) {
            n += f.wireLength();
        }
        return n;
    }

    /** The match on the wire, padded to a multiple of 8. */
    public int paddedLength() {
        return (unpaddedLength() + 7) & ~7;
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
