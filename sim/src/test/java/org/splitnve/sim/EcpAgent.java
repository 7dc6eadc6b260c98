package org.splitnve.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.ecp.EcpEndpoint;
import org.splitnve.protocol.ecp.EcpListener;
import org.splitnve.protocol.ecp.EcpProfile;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.protocol.event.RecordingSink;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;

/**
 * A test engine with one port and one {@link EcpEndpoint} per peer: received ECP/VDP frames are
 * demultiplexed by source MAC; anything else (other EtherTypes, undecodable frames, unknown
 * sources, unicast for another station) is ignored and counted.
 */
final class EcpAgent implements PortAgent {
    /** A transmit error: the tokens ECP gave up on, and when. */
    record TransmitError(long nanos, List<Object> tokens) {
    }

    private final PortIo io;
    private final Clock clock;
    final RecordingSink events;
    private final Map<MacAddress, EcpEndpoint> endpoints = new LinkedHashMap<>();
    final Map<MacAddress, List<VdpItem>> received = new LinkedHashMap<>();
    final List<Object> delivered = new ArrayList<>();
    final List<TransmitError> errors = new ArrayList<>();
    long ignored;

    EcpAgent(PortIo io, Clock clock, EventSink next) {
        this.io = io;
        this.clock = clock;
        this.events = new RecordingSink(next);
    }

    MacAddress mac() {
        return io.mac(0);
    }

    EcpEndpoint addPeer(MacAddress peer, MacAddress destination, EcpProfile profile, Timers timers) {
        List<VdpItem> items = new ArrayList<>();
        received.put(peer, items);
        EcpListener listener = new EcpListener() {
            @Override
            public void onReceive(EthernetHeader ethernet, VdpPdu pdu) {
                items.addAll(pdu.items());
            }

            @Override
            public void onDelivered(List<Object> tokens) {
                delivered.addAll(tokens);
            }

            @Override
            public void onTransmitError(List<Object> tokens) {
                errors.add(new TransmitError(clock.nanos(), List.copyOf(tokens)));
            }
        };
        EcpEndpoint ep = new EcpEndpoint(mac(), peer, destination, FrameCodec.DEFAULT, ManagerId.ofText("sim"),
                profile, timers, clock, events, (frame, length) -> io.send(0, frame, length), listener, List::of);
        endpoints.put(peer, ep);
        return ep;
    }

    EcpEndpoint endpoint(MacAddress peer) {
        return endpoints.get(peer);
    }

    List<VdpItem> receivedFrom(MacAddress peer) {
        return received.get(peer);
    }

    List<Object> errorTokens() {
        return errors.stream().flatMap(e -> e.tokens().stream()).toList();
    }

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        Frame f;
        try {
            f = FrameCodec.DEFAULT.decode(buf, off, len);
        } catch (DecodeException e) {
            ignored++;
            return;
        }
        MacAddress dst = f.ethernet().destination();
        if (!(f instanceof Frame.Vdp v) || (!dst.isMulticast() && !dst.equals(io.mac(port)))) {
            ignored++;
            return;
        }
        EcpEndpoint ep = endpoints.get(f.ethernet().source());
        if (ep == null) {
            ignored++;
            return;
        }
        ep.onFrame(buf, off, len, v);
    }

    @Override
    public void onTimer() {
        long now = clock.nanos();
        for (EcpEndpoint ep : endpoints.values()) {
            if (ep.nextDeadline() <= now) {
                ep.onTimer(now);
            }
        }
    }

    @Override
    public long nextDeadline() {
        long t = Long.MAX_VALUE;
        for (EcpEndpoint ep : endpoints.values()) {
            t = Math.min(t, ep.nextDeadline());
        }
        return t;
    }
}
