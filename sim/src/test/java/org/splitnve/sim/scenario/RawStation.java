package org.splitnve.sim.scenario;

import java.util.ArrayList;
import java.util.List;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.ecp.EcpEndpoint;
import org.splitnve.protocol.ecp.EcpListener;
import org.splitnve.protocol.ecp.EcpProfile;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * A scripted end device for requests the tNVE has no API for: it announces every splitnve extension
 * (capability TLV in each ECPDU) and sends exactly the items it is given, over one ECP endpoint.
 */
final class RawStation implements PortAgent, EcpListener {
    private final Clock clock;
    private final EcpEndpoint ecp;
    final List<VdpItem> received = new ArrayList<>();

    RawStation(Clock clock, PortIo io, EventSink events, MacAddress nnve) {
        this.clock = clock;
        this.ecp = new EcpEndpoint(io.mac(0), nnve, nnve, FrameCodec.DEFAULT, ManagerId.ofText("raw"), EcpProfile.BATCHING,
                SplitNveNet.TIMERS, clock, events, (b, l) -> io.send(0, b, l), this, () -> List.of(CapabilityTlv.all()));
    }

    void send(VdpItem item) {
        ecp.submit(item, item);
    }

    /** The responses received about a VSI, in order. */
    List<VsiTlv> responses(org.splitnve.wire.vdp.VsiId id) {
        return received.stream().filter(i -> i instanceof VsiTlv v && v.isResponse() && v.vsiId().equals(id))
                .map(i -> (VsiTlv) i).toList();
    }

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        try {
            if (FrameCodec.DEFAULT.decode(buf, off, len) instanceof Frame.Vdp v) {
                ecp.onFrame(buf, off, len, v);
            }
        } catch (DecodeException e) {
            // not for us
        }
    }

    @Override
    public void onReceive(EthernetHeader ethernet, VdpPdu pdu) {
        received.addAll(pdu.items());
    }

    @Override
    public void onDelivered(List<Object> tokens) {
    }

    @Override
    public void onTransmitError(List<Object> tokens) {
        for (Object t : tokens) {
            ecp.submit((VdpItem) t, t);    // again: the scenario wants it delivered
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
}
