package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.ecp.EcpEndpoint;
import org.splitnve.protocol.ecp.EcpListener;
import org.splitnve.protocol.ecp.EcpProfile;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.sim.Host;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * A VDP station the test scripts item by item (what a tNVE would send, with TLVs the tNVE engine has no
 * API for), over a real {@link EcpEndpoint}: it announces the splitnve extensions it is given (no session,
 * so the nNVE keeps its TSIs by the per-TSI 802.1Q timer) and records every item the nNVE sends.
 */
final class ScriptedStation implements PortAgent, EcpListener {
    private final Clock clock;
    private final EcpEndpoint ecp;
    final List<VdpItem> received = new ArrayList<>();

    ScriptedStation(Clock clock, PortIo io, EventSink events, MacAddress nnve, Set<CapabilityTlv.Feature> features) {
        this.clock = clock;
        List<OrgTlv> header = features.isEmpty() ? List.of() : List.of(CapabilityTlv.of(EnumSet.copyOf(features)));
        this.ecp = new EcpEndpoint(io.mac(0), nnve, nnve, FrameCodec.DEFAULT, ManagerId.ofText("scripted"),
                EcpProfile.STANDARD, SplitNveNet.TIMERS, clock, events, (b, l) -> io.send(0, b, l), this, () -> header);
    }

    /** Adds a scripted station with one port to the net (link it yourself). */
    static ScriptedStation add(SplitNveNet net, String name, MacAddress nnve, Set<CapabilityTlv.Feature> features) {
        Host h = net.sim.addHost(name, 1, io -> new ScriptedStation(net.sim.clock(), io, net.sim.eventSink(name), nnve,
                features));
        return h.agent(ScriptedStation.class);
    }

    /** Sends one item and runs the simulation until the nNVE's response for that VSI and mode arrives. */
    VsiTlv request(SplitNveNet net, VsiTlv item) {
        int from = received.size();
        ecp.submit(item, item);
        long limit = net.sim.now() + 60 * SplitNveNet.SECOND;
        while (net.sim.now() < limit) {
            for (int i = from; i < received.size(); i++) {
                if (received.get(i) instanceof VsiTlv r && r.isResponse() && r.vsiId().equals(item.vsiId())
                        && r.mode() == item.mode()) {
                    return r;
                }
            }
            net.sim.step(limit);
        }
        assertThat(false).as("a response to %s %s within 60 s", item.mode(), item.vsiId()).isTrue();
        return null;
    }

    static boolean is(VdpItem i, VsiId id, VsiMode mode) {
        return i instanceof VsiTlv v && v.vsiId().equals(id) && v.mode() == mode;
    }

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        try {
            if (FrameCodec.DEFAULT.decode(buf, off, len) instanceof Frame.Vdp v) {
                ecp.onFrame(buf, off, len, v);
            }
        } catch (DecodeException e) {
            throw new AssertionError("the nNVE sent a frame that does not decode", e);
        }
    }

    @Override
    public void onTimer() {
        ecp.onTimer(clock.nanos());
    }

    @Override
    public long nextDeadline() {
        return ecp.nextDeadline();
    }

    @Override
    public void onReceive(EthernetHeader ethernet, VdpPdu pdu) {
        received.addAll(pdu.items());
    }

    @Override
    public void onDelivered(List<Object> tokens) {
    }

    /** ECP gave up (lossy link): the items go again, as the tNVE engine does. */
    @Override
    public void onTransmitError(List<Object> tokens) {
        for (Object t : tokens) {
            if (t instanceof VdpItem i) {
                ecp.submit(i, i);
            }
        }
    }
}
