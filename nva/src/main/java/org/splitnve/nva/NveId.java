package org.splitnve.nva;

/** The identity of one nNVE (External NVE) in the NVA's administrative domain, e.g. its host name. */
public record NveId(String name) implements Comparable<NveId> {
    public NveId {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an nNVE id is a non-blank name");
        }
    }

    public static NveId of(String name) {
        return new NveId(name);
    }

    @Override
    public int compareTo(NveId o) {
        return name.compareTo(o.name);
    }

    @Override
    public String toString() {
        return name;
    }
}
