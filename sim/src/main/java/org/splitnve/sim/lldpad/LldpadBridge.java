package org.splitnve.sim.lldpad;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * A standard-only VDP bridge that behaves as lldpad 1.1's bridge role does on the wire
 * (../shared/docs/lldpad-as-a-peer.md), for interoperability scenarios in the simulation:
 * <ul>
 * <li>it accepts every request and echoes the filter unchanged (it never assigns a VLAN for a null
 * VID), refusing only Associate -> Pre-Associate;
 * <li>it knows no splitnve OUI: extension TLVs are skipped ({@link #CODEC});
 * <li>it holds a received ECPDU 2 ms in a single buffer before processing it, and processes the buffer
 * 2 ms after every ECPDU it receives: of two ECPDUs that arrive within 2 ms, both are acknowledged, the first
 * is never answered, the second twice (checked against lldpad 1.1 by interop's LldpadModelDifferentialTest);
 * <li>it sends one VSI TLV per ECPDU and waits for its acknowledgement timer between ECPDUs;
 * <li>it drops a VSI not refreshed for 1.5 x ((1 + 2R) x 10 us x 2^RTE + 10 us x 2^RKA), with an
 * unsolicited De-Associate (status 0x00);
 * <li>a keep-alive timeout (the formula above) after answering a De-Associate it still sends an unsolicited
 * De-Associate for that VSI (about 17 s at lldpad's default RTE 14 and RKA 20; checked by
 * LldpadModelDifferentialTest at RTE 12, RKA 16).
 * </ul>
 */
public final class LldpadBridge implements PortAgent, EcpListener {
    public static final long BUFFER_NANOS = 2_000_000L;
    /**
     * lldpad knows no splitnve OUI: a codec whose extension OUI is not the project's sees every splitnve
     * TLV as another organisation's TLV, and skips it, as lldpad does.
     */
    public static final FrameCodec CODEC = new FrameCodec(0x000000);

    private final Clock clock;
    private final PortIo io;
    private final EventSink events;
    private final Timers timers;
    private EcpEndpoint ecp;
    private MacAddress station;
    private VdpPdu buffered;
    private boolean bufferedProcessed;
    /** When the buffer is processed next: 2 ms after each ECPDU received, in order. */
    private final ArrayDeque<Long> bufferDeadlines = new ArrayDeque<>();
    private final Map<VsiId, VsiTlv> live = new HashMap<>();
    private final Map<VsiId, Long> refreshed = new HashMap<>();
    private final Map<VsiId, Long> lateDeassociate = new HashMap<>();
    private final Map<VsiId, VsiTlv> lastSeen = new HashMap<>();
    private int answered;
    private int lostInBuffer;

    public LldpadBridge(Clock clock, PortIo io, EventSink events, Timers timers) {
        this.clock = clock;
        this.io = io;
        this.events = events;
        this.timers = timers;
    }

    public int answered() {
        return answered;
    }

    /** ECPDUs acknowledged but never answered because another one arrived within 2 ms. */
    public int lostInBuffer() {
        return lostInBuffer;
    }

    public Map<VsiId, VsiTlv> live() {
        return live;
    }

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        Frame f;
        try {
            f = CODEC.decode(buf, off, len);
        } catch (DecodeException e) {
            return;
        }
        if (!(f instanceof Frame.Vdp v)) {
            return;
        }
        if (ecp == null) {
            station = v.ethernet().source();
            ecp = new EcpEndpoint(io.mac(0), station, MacAddress.NEAREST_CUSTOMER_BRIDGE, CODEC,
                    ManagerId.ofText("blade"), new EcpProfile(1, timers.ackTimeoutNanos()), timers, clock, events,
                    (b, l) -> io.send(0, b, l), this, List::of);
        }
        if (v.ethernet().source().equals(station)) {
            ecp.onFrame(buf, off, len, v);
        }
    }

    @Override
    public void onReceive(EthernetHeader ethernet, VdpPdu pdu) {
        if (buffered != null && !bufferedProcessed) {
            lostInBuffer++;
        }
        buffered = pdu;
        bufferedProcessed = false;
        bufferDeadlines.add(clock.nanos() + BUFFER_NANOS);
    }

    private void process(VdpPdu pdu) {
        long now = clock.nanos();
        for (VdpItem item : pdu.items()) {
            if (!(item instanceof VsiTlv v) || v.isResponse()) {
                continue;
            }
            VsiTlv before = live.get(v.vsiId());
            VsiStatus.Response status = VsiStatus.Response.SUCCESS;
            if (before != null && before.mode() == VsiMode.ASSOCIATE && v.mode() != VsiMode.ASSOCIATE
                    && v.mode() != VsiMode.DE_ASSOCIATE) {
                status = new VsiStatus.Response(true, false, ReasonCode.INVALID_FORMAT);
            } else if (v.mode() == VsiMode.DE_ASSOCIATE) {
                live.remove(v.vsiId());
                refreshed.remove(v.vsiId());
                lateDeassociate.put(v.vsiId(), now + timers.bridgeKeepAliveTimeoutNanos());
            } else {
                live.put(v.vsiId(), v);
                refreshed.put(v.vsiId(), now);
            }
            lastSeen.put(v.vsiId(), v);
            answered++;
            ecp.submit(new VsiTlv(v.mode(), status, v.typeId(), v.typeVersion(), v.vsiId(), v.filter()), null);
        }
    }

    @Override
    public void onDelivered(List<Object> tokens) {
    }

    @Override
    public void onTransmitError(List<Object> tokens) {
    }

    @Override
    public void onTimer() {
        long now = clock.nanos();
        while (!bufferDeadlines.isEmpty() && now >= bufferDeadlines.peek()) {
            bufferDeadlines.poll();
            bufferedProcessed = true;
            process(buffered);
        }
        long timeout = timers.bridgeKeepAliveTimeoutNanos();
        for (VsiId id : new ArrayList<>(refreshed.keySet())) {
            if (refreshed.get(id) + timeout <= now) {
                VsiTlv v = live.remove(id);
                refreshed.remove(id);
                unsolicited(v);
            }
        }
        for (VsiId id : new ArrayList<>(lateDeassociate.keySet())) {
            if (lateDeassociate.get(id) <= now) {
                lateDeassociate.remove(id);
                unsolicited(lastSeen.get(id));
            }
        }
        if (ecp != null) {
            ecp.onTimer(now);
        }
    }

    private void unsolicited(VsiTlv v) {
        ecp.submit(new VsiTlv(VsiMode.DE_ASSOCIATE, VsiStatus.Request.PLAIN, v.typeId(), v.typeVersion(), v.vsiId(),
                v.filter()), null);
    }

    @Override
    public long nextDeadline() {
        long next = bufferDeadlines.isEmpty() ? Long.MAX_VALUE : bufferDeadlines.peek();
        long timeout = timers.bridgeKeepAliveTimeoutNanos();
        for (long t : refreshed.values()) {
            next = Math.min(next, t + timeout);
        }
        for (long t : lateDeassociate.values()) {
            next = Math.min(next, t);
        }
        if (ecp != null) {
            next = Math.min(next, ecp.nextDeadline());
        }
        return next;
    }
}
