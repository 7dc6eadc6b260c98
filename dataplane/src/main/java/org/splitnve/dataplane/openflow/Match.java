package org.splitnve.dataplane.openflow;

import java.util.ArrayList;
import java.util.List;

/**
 * An OXM match (OFPMT_OXM), kept in canonical order (class, field): the switch may report the fields of a flow in
 * another order than they were sent, and two matches with the same fields are the same match. A value class (its
 * hash is computed once: the driver looks every desired match up in the installed table on each apply).
 */
public final class Match {
    public static final Match ALL = new Match(List.of());

    private final List<Oxm> fields;
    private final int hash;

    public Match(List<Oxm> fields) {
        List<Oxm> sorted = new ArrayList<>(fields);
        sorted.sort(null);
        this.fields = List.copyOf(sorted);
        this.hash = this.fields.hashCode();
    }

    public static Match of(Oxm... fields) {
        return new Match(List.of(fields));
    }

    public List<Oxm> fields() {
        return fields;
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
    public boolean equals(Object o) {
        return o instanceof Match m && m.hash == hash && m.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
