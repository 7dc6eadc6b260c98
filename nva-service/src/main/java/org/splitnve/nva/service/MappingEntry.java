package org.splitnve.nva.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.splitnve.nva.Entry;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.TsiInstance;
import org.splitnve.wire.vdp.TsiAddress;

/**
 * The mapping (Associated) or forwarding (Activated) entries of one TSI instance at the NVA, as its nNVE
 * reported them (RFC 8394 section 3.2, SM-TSI-2..SM-TSI-7), with the NVA's verdict on who forwards each address
 * (NVA-6).
 *
 * @param instance    the TSI instance: VSI ID, nNVE, nNVE port, VN; only that nNVE changes it (NVA-7)
 * @param state       {@link EntryState#MAPPING} or {@link EntryState#FORWARDING}, as the nNVE reported
 * @param addresses   the instance's addresses, without GroupID, in the order reported
 * @param held        addresses the nNVE keeps as mapping entries while the instance forwards (REQ-8, REQ-9)
 * @param withdrawn   addresses another nNVE claimed with a newer mobility sequence number: the NVA forwards them
 *                    there, and this nNVE withdraws its forwarding entries (RFC 7432 section 15)
 * @param mobilitySeq the instance's mobility sequence number, an unsigned 32-bit number compared in serial
 *                    arithmetic ({@link MobilitySeq})
 * @param since       when the NVA saw the instance enter its state (NVA-8: "since when")
 */
public record MappingEntry(TsiInstance instance, EntryState state, List<TsiAddress> addresses, List<TsiAddress> held,
        List<TsiAddress> withdrawn, long mobilitySeq, Instant since) {

    public MappingEntry {
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
        addresses = List.copyOf(addresses);
        held = List.copyOf(held);
        withdrawn = List.copyOf(withdrawn);
        MobilitySeq.check(mobilitySeq);
        for (TsiAddress a : addresses) {
            if (a.groupId() != null) {
                throw new IllegalArgumentException("entry addresses carry no GroupID (the VN is the instance's): " + a);
            }
        }
        if (!addresses.containsAll(held) || !addresses.containsAll(withdrawn)) {
            throw new IllegalArgumentException("held and withdrawn addresses are addresses of the instance");
        }
    }

    public ResourceKey key() {
        return ResourceKey.mapping(instance.vnId(), instance.vsi(), instance.nve(), instance.port());
    }

    /** The state of one address's entry: withdrawn and held addresses are mapping entries. */
    public EntryState stateOf(TsiAddress a) {
        return state == EntryState.FORWARDING && !held.contains(a) && !withdrawn.contains(a)
                ? EntryState.FORWARDING : EntryState.MAPPING;
    }

    /** Whether other NVEs send traffic for {@code a} to this instance. */
    public boolean forwards(TsiAddress a) {
        return stateOf(a) == EntryState.FORWARDING;
    }

    /** One {@link Entry} per address, in the nva module's terms. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>(addresses.size());
        for (TsiAddress a : addresses) {
            out.add(new Entry(instance, a, stateOf(a)));
        }
        return out;
    }

    /** The same entry with more addresses withdrawn. */
    MappingEntry withWithdrawn(List<TsiAddress> more) {
        List<TsiAddress> w = new ArrayList<>(withdrawn);
        for (TsiAddress a : more) {
            if (!w.contains(a) && addresses.contains(a)) {
                w.add(a);
            }
        }
        return new MappingEntry(instance, state, addresses, held, w, mobilitySeq, since);
    }

    /** The same entry with another port (a port move, SM-TSI-7). */
    MappingEntry onPort(int port) {
        return new MappingEntry(instance.onPort(port), state, addresses, held, withdrawn, mobilitySeq, since);
    }
}
