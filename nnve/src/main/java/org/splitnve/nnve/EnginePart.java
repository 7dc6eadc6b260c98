package org.splitnve.nnve;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.protocol.event.Throttle;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.VsiId;

/**
 * One part of the {@link NnveEngine}: what every part reads of the engine's state, under the engine's
 * names. The parts share one thread and one set of tables (these fields are references to the engine's);
 * each part calls another through {@link #engine}, never on a thread of its own.
 */
abstract class EnginePart {
    final NnveEngine engine;
    final NnveConfig config;
    final Clock clock;
    final PortIo io;
    final Authority authority;
    final Consumer<Effect> effects;
    final EventSink events;
    final FrameCodec codec;
    final Scope[] scopeOfPort;
    final Map<String, Scope> scopes;
    final Map<Long, Peer> peers;
    final HashMap<VsiId, Tsi> instances;
    final CapabilityTlv ownCapabilities;
    final int epoch;
    final Bytes nonce;
    final TsiCounts tsisInState;
    final Map<Long, Timers> announcedTimers;
    final long[] stagedOctetsOfPort;
    final Map<Long, Integer> tagsOfPeer;
    final int[] tagsOfPort;
    final Throttle droppedLog;
    final RefusedStations refusedStations;

    /** A VDP PDU's value outside a VSI TLV's GroupID. */
    static final int NO_GROUP = -1;

    EnginePart(NnveEngine e) {
        this.engine = e;
        this.config = e.config;
        this.clock = e.clock;
        this.io = e.io;
        this.authority = e.authority;
        this.effects = e.effects;
        this.events = e.events;
        this.codec = e.codec;
        this.scopeOfPort = e.scopeOfPort;
        this.scopes = e.scopes;
        this.peers = e.peers;
        this.instances = e.instances;
        this.ownCapabilities = e.ownCapabilities;
        this.epoch = e.epoch;
        this.nonce = e.nonce;
        this.tsisInState = e.tsisInState;
        this.announcedTimers = e.announcedTimers;
        this.stagedOctetsOfPort = e.stagedOctetsOfPort;
        this.tagsOfPeer = e.tagsOfPeer;
        this.tagsOfPort = e.tagsOfPort;
        this.droppedLog = e.droppedLog;
        this.refusedStations = e.refusedStations;
    }

    /** The key of a peer: its port and its station's MAC. */
    static long key(int port, MacAddress station) {
        return ((long) port << 48) | station.value();
    }
}
