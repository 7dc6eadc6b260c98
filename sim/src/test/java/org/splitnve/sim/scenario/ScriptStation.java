package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.ecp.EcpEndpoint;
import org.splitnve.protocol.ecp.EcpListener;
import org.splitnve.protocol.ecp.EcpProfile;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * A station that speaks ECP (acknowledges, retransmits, batches) but sends whatever VDP items the test
 * script gives it, and raw octets too: the hostile or unusual end device of the security and identity
 * scenarios. What the nNVE sends back is recorded. Items whose ECPDU ECP gave up on go again (a few
 * times), so a scenario on a lossy link ends as on a clean one. Public (sim's test-jar): the app's
 * network-namespace tests run it on a raw port as the hostile station (SEC-4). In the simulation,
 * {@link SplitNveNet#station} adds one and {@link #request} sends an item and waits for its answer.
 */
public final class ScriptStation implements PortAgent {
    private record Attempt(VdpItem item, int n) {
    }

    static final int ATTEMPTS = 6;

    private final PortIo io;
    private final Clock clock;
    private final MacAddress nnve;
    private final FrameCodec codec = FrameCodec.DEFAULT;
    final EcpEndpoint ecp;
    /** Every item the nNVE sent, in order of arrival. */
    final List<VdpItem> received = new ArrayList<>();
    /** Items given up on after {@link #ATTEMPTS}. */
    final List<VdpItem> undelivered = new ArrayList<>();
    long framesIn;

    /** Items given up on after {@link #ATTEMPTS}, as a copy. */
    public List<VdpItem> undelivered() {
        return List.copyOf(undelivered);
    }

    public ScriptStation(PortIo io, Clock clock, MacAddress nnve, Set<CapabilityTlv.Feature> features, Timers timers,
            EventSink events) {
        this.io = io;
        this.clock = clock;
        this.nnve = nnve;
        List<OrgTlv> header = new ArrayList<>(2);
        if (!features.isEmpty()) {
            header.add(CapabilityTlv.of(EnumSet.copyOf(features)));
            if (features.contains(CapabilityTlv.Feature.SESSION)) {
                header.add(new SessionTlv(0, 0x5C21_9700, 0, 0, 0, Bytes.wrap(new byte[SessionTlv.NONCE_LENGTH])));
            }
        }
        List<OrgTlv> fixed = List.copyOf(header);
        this.ecp = new EcpEndpoint(io.mac(0), nnve, nnve, codec, ManagerId.ofText("scripted"), EcpProfile.BATCHING,
                timers, clock, events, (b, len) -> io.send(0, b, len), new EcpListener() {
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
                            if (t instanceof Attempt a) {
                                if (a.n < ATTEMPTS) {
                                    ecp.submit(a.item, new Attempt(a.item, a.n + 1));
                                } else {
                                    undelivered.add(a.item);
                                }
                            }
                        }
                    }
                }, () -> fixed);
    }

    public MacAddress mac() {
        return io.mac(0);
    }

    /** Announces the station (its capability and session TLVs) with a header-only ECPDU. */
    public void hello() {
        ecp.sendHeaderOnly();
    }

    public void submit(VdpItem item) {
        ecp.submit(item, new Attempt(item, 1));
    }

    public void submitAll(List<? extends VdpItem> items) {
        for (VdpItem i : items) {
            submit(i);
        }
    }

    /** Sends one item and runs the simulation until the nNVE's response for that VSI and mode arrives (60 s at most). */
    VsiTlv request(SplitNveNet net, VsiTlv item) {
        int from = received.size();
        submit(item);
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

    /** Sends octets as they are. */
    public void sendRaw(byte[] frame) {
        io.send(0, frame, frame.length);
    }

    /** The VSI TLV responses received. */
    public List<VsiTlv> vsiResponses() {
        List<VsiTlv> out = new ArrayList<>();
        for (VdpItem i : received) {
            if (i instanceof VsiTlv v && v.isResponse()) {
                out.add(v);
            }
        }
        return out;
    }

    /** The VSI TLV responses received about one VSI, in order. */
    public List<VsiTlv> responses(VsiId id) {
        return vsiResponses().stream().filter(v -> v.vsiId().equals(id)).toList();
    }

    public <T extends VdpItem> List<T> received(Class<T> kind) {
        List<T> out = new ArrayList<>();
        for (VdpItem i : received) {
            if (kind.isInstance(i)) {
                out.add(kind.cast(i));
            }
        }
        return out;
    }

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        framesIn++;
        Frame f;
        try {
            f = codec.decode(buf, off, len);
        } catch (DecodeException e) {
            return;
        }
        if (f instanceof Frame.Vdp v && nnve.equals(v.ethernet().source())) {
            ecp.onFrame(buf, off, len, v);
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
