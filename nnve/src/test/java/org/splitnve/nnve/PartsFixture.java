package org.splitnve.nnve;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.splitnve.protocol.ManualClock;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.event.Event;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * An nNVE engine with time moved by hand ({@link ManualClock}) and a fake {@link PortIo} that records what
 * it sends, for the unit tests of the engine's parts: they drive one part directly and read its effects.
 */
final class PartsFixture {
    static final long START = 1_000_000_000L;

    final ManualClock clock = new ManualClock(START);
    final List<Effect> effects = new ArrayList<>();
    final List<Event> events = new ArrayList<>();
    /** Frames sent, as (port, bytes). */
    final List<Sent> sent = new ArrayList<>();
    final NnveEngine engine;

    record Sent(int port, Bytes frame) {
    }

    PartsFixture(NnveConfig config) {
        this(config, Authority.trustAll());
    }

    PartsFixture(NnveConfig config, Authority authority) {
        PortIo io = new PortIo() {
            @Override
            public int ports() {
                return config.ports().size();
            }

            @Override
            public MacAddress mac(int port) {
                return new MacAddress(0x02_00_00_00_01_00L + port);
            }

            @Override
            public void send(int port, byte[] frame, int length) {
                sent.add(new Sent(port, Bytes.wrap(java.util.Arrays.copyOf(frame, length))));
            }
        };
        engine = new NnveEngine(config, clock, io, authority, effects::add, events::add,
                new SplittableRandom(7));
    }

    /** A peer as the engine makes one on a station's first allowed frame. */
    Peer peer(int port, long station) {
        return engine.sessions.peer(port, new MacAddress(station), null, 0, 0, null);
    }

    /** The VAP of {@code vn} on {@code p}'s port scope, connected (its tag charged to {@code p}). */
    Vap vap(Peer p, int vn) {
        Vap existing = engine.vap(p.port, new VnKey.Id(vn));
        if (existing != null) {
            return existing;
        }
        Vap v = new Vap(engine.scopeOfPort[p.port], Vn.trusted(new VnKey.Id(vn), 5000 + vn));
        Refusal r = engine.vapTags.connect(p, v, 0);
        if (r != null) {
            throw new IllegalStateException(r.text());
        }
        return v;
    }

    /** A new TSI instance in Init, added as the request path adds one. */
    Tsi tsi(Peer p, Vap vap, long id, long mac) {
        Tsi t = new Tsi(VsiId.uuid(new java.util.UUID(0x5157L, id)), p, vap);
        t.addresses = List.of(TsiAddress.mac(new MacAddress(mac)));
        t.filter = Filter.of(FilterFormat.MAC_VID, FilterEntry.macVid(new MacAddress(mac), vap.tag()));
        engine.tsm.add(t);
        p.touch(t, clock.nanos());
        return t;
    }

    <T> List<T> effectsOf(Class<T> type) {
        return effects.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
