package org.splitnve.wire.vdp;

import java.util.List;

/** A VSI TLV's filter information: a format and its entries, each valid for that format. */
public record Filter(FilterFormat format, List<FilterEntry> entries) {
    public static final int MAX_ENTRIES = 0xFFFF;

    public Filter {
        if (format == null) {
            throw new IllegalArgumentException("filter format is required");
        }
        entries = List.copyOf(entries);
        if (entries.size() > MAX_ENTRIES) {
            throw new IllegalArgumentException("at most 65535 filter entries");
        }
        for (FilterEntry e : entries) {
            if (!e.fits(format)) {
                throw new IllegalArgumentException("entry " + e + " does not fit filter format " + format);
            }
        }
    }

    public static Filter of(FilterFormat format, FilterEntry... entries) {
        return new Filter(format, List.of(entries));
    }

    /** Octets on the wire: format (1), count (2), entries. */
    public int encodedLength() {
        return 3 + entries.size() * format.entrySize();
    }
}
