package org.splitnve.nva;

import java.util.ArrayList;
import java.util.List;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * A TSI instance with its state and addresses, as the NVA holds it after an operation (snapshot).
 * {@code held}: addresses kept as mapping entries while the instance forwards (some addresses of a
 * TSI deactivated, REQ-8, REQ-9).
 */
public record TsiBinding(TsiInstance instance, EntryState state, List<TsiAddress> addresses, List<TsiAddress> held) {
    public TsiBinding {
        addresses = List.copyOf(addresses);
        held = List.copyOf(held);
    }

    public TsiBinding(TsiInstance instance, EntryState state, List<TsiAddress> addresses) {
        this(instance, state, addresses, List.of());
    }

    /** The state of one address's entry. */
    public EntryState stateOf(TsiAddress a) {
        return state == EntryState.FORWARDING && held.contains(a) ? EntryState.MAPPING : state;
    }

    /** One entry per address. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(addresses.size());
        for (TsiAddress a : addresses) {
            out.add(new Entry(instance, a, stateOf(a)));
        }
        return out;
    }
}
