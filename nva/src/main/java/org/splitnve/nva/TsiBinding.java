package org.splitnve.nva;

import java.util.ArrayList;
import java.util.List;
import org.splitnve.wire.vdp.TsiAddress;

/** A TSI instance with its state and addresses, as the NVA holds it after an operation (snapshot). */
public record TsiBinding(TsiInstance instance, EntryState state, List<TsiAddress> addresses) {
    public TsiBinding {
        addresses = List.copyOf(addresses);
    }

    /** One entry per address. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(addresses.size());
        for (TsiAddress a : addresses) {
            out.add(new Entry(instance, a, state));
        }
        return out;
    }
}
