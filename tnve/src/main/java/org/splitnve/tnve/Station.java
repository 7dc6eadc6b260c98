package org.splitnve.tnve;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.ReasonCode;

/**
 * What the parts of the tNVE (the VDP station) share: its configuration, clock, ports and event sink, its own
 * capabilities and session identity, its uplinks and VMs, and the transaction numbers of address fragments.
 * The parts ({@link Uplink}, {@link Placement}, {@link Requests}, {@link Limits}, {@link Lifecycle},
 * {@link Migration}) each own their state; the {@link Link}s, with their desired and confirmed states, are
 * the records they share. One thread: the engine's.
 */
final class Station {
    /** The code of a request that got no answer (no acknowledgement, no response in time, no session). */
    static final int CODE_NO_ANSWER = -1;
    /** The reason code of an operation refused here before anything is sent (as an nNVE would refuse it). */
    static final int CODE_REFUSED = ReasonCode.OTHER_FAILURE.value();

    final TnveConfig config;
    final Clock clock;
    final PortIo io;
    final EventSink events;
    final FrameCodec codec;
    final CapabilityTlv ownCapabilities;
    final int epoch;
    final Bytes nonce;
    final List<Uplink> uplinks = new ArrayList<>();
    final Map<String, Uplink> uplinkByName = new HashMap<>();
    final Map<String, Vm> vms = new LinkedHashMap<>();
    private final List<Consumer<TnveEvent>> listeners = new ArrayList<>();
    private int nextTransaction = 1;
    /**
     * The time of the call under way ({@code onFrame}, {@code onTimer} or an operation), read from the clock once
     * at its entry ({@link #tick}): every part, and every ECP callback within the call, sees the same time.
     */
    long now;

    Station(TnveConfig config, Clock clock, PortIo io, EventSink events, CapabilityTlv ownCapabilities, int epoch,
            Bytes nonce) {
        this.config = config;
        this.clock = clock;
        this.io = io;
        this.events = events;
        this.codec = new FrameCodec(config.extensionOui());
        this.ownCapabilities = ownCapabilities;
        this.epoch = epoch;
        this.nonce = nonce;
        this.now = clock.nanos();
    }

    /** Reads the clock: the engine does, once at the entry of each call. */
    long tick() {
        now = clock.nanos();
        return now;
    }

    void addListener(Consumer<TnveEvent> l) {
        listeners.add(l);
    }

    void emit(TnveEvent e) {
        events.accept(e);
        for (Consumer<TnveEvent> l : listeners) {
            l.accept(e);
        }
    }

    /** The transaction number of the next address change (its fragments carry it; 16 bits, wrapping). */
    int transaction() {
        int t = nextTransaction;
        nextTransaction = (nextTransaction + 1) & 0xFFFF;
        return t;
    }
}
