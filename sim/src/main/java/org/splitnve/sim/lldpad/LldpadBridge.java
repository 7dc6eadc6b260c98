package org.splitnve.sim.lldpad;

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
 * <li>it holds a received ECPDU 2 ms in a single buffer before processing it: of two ECPDUs that
 * arrive within 2 ms, both are acknowledged, only the second is answered;
 * <li>it sends one VSI TLV per ECPDU and waits for its acknowledgement timer between ECPDUs;
 * <li>it drops a VSI not refreshed for 1.5 x ((1 + 2R) x 10 us x 2^RTE + 10 us x 2^RKA), with an
 * unsolicited De-Associate (status 0x00);
 * <li>about 17 s after answering a De-Associate it still sends an unsolicited De-Associate for that VSI.
 * </ul>
 */
public final class LldpadBridge implements PortAgent, EcpListener {
    public static final long BUFFER_NANOS = 2_000_000L;
    /**
     * lldpad knows no splitnve OUI: a codec whose extension OUI is not the project's sees every splitnve
     * TLV as another organisation's TLV, and skips it, as lldpad does.
     */
    public static final FrameCodec CODEC = new FrameCodec(0x000000);
    public static final long LATE_DEASSOCIATE_NANOS = 17_450_000_000L;

    private final Clock clock;
    private final PortIo io;
    private final EventSink events;
    private final Timers timers;
    private EcpEndpoint ecp;
    private MacAddress station;
    private VdpPdu buffered;
    private long bufferDeadline = Long.MAX_VALUE;
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
        if (buffered != null) {
            lostInBuffer++;
        } else {
            bufferDeadline = clock.nanos() + BUFFER_NANOS;
        }
        buffered = pdu;
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
                lateDeassociate.put(v.vsiId(), now + LATE_DEASSOCIATE_NANOS);
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
        if (buffered != null && now >= bufferDeadline) {
            VdpPdu p = buffered;
            buffered = null;
            bufferDeadline = Long.MAX_VALUE;
            process(p);
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
        long next = bufferDeadline;
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
