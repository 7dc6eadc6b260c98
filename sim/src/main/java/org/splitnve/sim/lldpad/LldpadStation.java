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
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * A standard-only VDP station that behaves as lldpad 1.1's station (driven by vdptool) does on the
 * wire (../shared/docs/lldpad-as-a-peer.md): one Manager ID and one VSI TLV per ECPDU, one ECPDU in
 * flight, the next only after its acknowledgement timer; no extension TLVs; every live VSI's TLV
 * re-sent 10 us x 2^RKA after its last response (keep-alive); a request given up after
 * 1.5 x ((1 + 2R) x 10 us x 2^RTE + 10 us x 2^RWD); a bridge's De-Associate of a VSI it no longer
 * holds acknowledged and ignored. Like every lldpad VDP layer it holds a received ECPDU 2 ms in a
 * single buffer and processes the buffer 2 ms after every ECPDU received: of two ECPDUs that arrive
 * within 2 ms, both are acknowledged, the first is never processed, the second twice (as measured on
 * lldpad's bridge role, LldpadBridge). It knows no splitnve OUI: extension TLVs are unknown to it, skipped.
 */
public final class LldpadStation implements PortAgent, EcpListener {
    public static final long BUFFER_NANOS = LldpadBridge.BUFFER_NANOS;
    /** The VSI type ID requests carry unless told otherwise (vdptool -c typeid=N). */
    public static final int DEFAULT_TYPE_ID = 5;

    /** What vdptool would show for one VSI. */
    public static final class Vsi {
        final VsiId id;
        int typeId = DEFAULT_TYPE_ID;
        VsiMode mode;
        Filter filter;
        VsiStatus.Response lastResponse;
        Filter answeredFilter;
        boolean live;
        boolean waiting;
        long deadline = Long.MAX_VALUE;
        long keepAlive = Long.MAX_VALUE;
        int unsolicitedDeassociates;

        Vsi(VsiId id) {
            this.id = id;
        }

        public boolean live() {
            return live;
        }

        public VsiMode mode() {
            return mode;
        }

        public VsiStatus.Response lastResponse() {
            return lastResponse;
        }

        /** The filter the bridge answered with (its VIDs are the bridge's tags). */
        public Filter answeredFilter() {
            return answeredFilter;
        }

        public boolean waiting() {
            return waiting;
        }

        public int unsolicitedDeassociates() {
            return unsolicitedDeassociates;
        }
    }

    private final Clock clock;
    private final Timers timers;
    private final EcpEndpoint ecp;
    private final Map<VsiId, Vsi> vsis = new HashMap<>();
    private int requestsSent;
    private int givenUp;
    private VdpPdu buffered;
    private boolean bufferedProcessed;
    private final java.util.ArrayDeque<Long> bufferDeadlines = new java.util.ArrayDeque<>();
    private int lostInBuffer;

    /**
     * @param bridgeMac   the bridge's MAC (events name it)
     * @param destination where VDP goes (lldpad: the nearest-customer-bridge address)
     */
    public LldpadStation(Clock clock, PortIo io, EventSink events, Timers timers, MacAddress bridgeMac, MacAddress destination) {
        this.clock = clock;
        this.timers = timers;
        this.ecp = new EcpEndpoint(io.mac(0), bridgeMac, destination, LldpadBridge.CODEC, ManagerId.ofText("blade"),
                new EcpProfile(1, timers.ackTimeoutNanos()), timers, clock, events, (b, l) -> io.send(0, b, l), this,
                List::of);
    }

    /** vdptool -T -V assoc -c mode=MODE ...; returns false where vdptool refuses locally. */
    public boolean request(VsiMode mode, VsiId id, Filter filter) {
        return request(mode, DEFAULT_TYPE_ID, id, filter);
    }

    /** vdptool -T -V assoc -c mode=MODE -c typeid=TYPE ...; returns false where vdptool refuses locally. */
    public boolean request(VsiMode mode, int typeId, VsiId id, Filter filter) {
        Vsi v = vsis.get(id);
        if (mode == VsiMode.DE_ASSOCIATE && (v == null || !v.live)) {
            return false; // "Invalid parameters": never associated
        }
        if (v == null) {
            v = new Vsi(id);
            vsis.put(id, v);
        }
        v.mode = mode;
        v.typeId = typeId;
        v.filter = filter;
        send(v);
        return true;
    }

    private void send(Vsi v) {
        v.waiting = true;
        v.deadline = clock.nanos() + timers.responseTimeoutNanos();
        v.keepAlive = Long.MAX_VALUE;
        requestsSent++;
        ecp.submit(new VsiTlv(v.mode, VsiStatus.Request.PLAIN, v.typeId, 1, v.id, v.filter), v);
    }

    public Vsi vsi(VsiId id) {
        return vsis.get(id);
    }

    public int requestsSent() {
        return requestsSent;
    }

    public int givenUp() {
        return givenUp;
    }

    public EcpEndpoint ecp() {
        return ecp;
    }

    /** ECPDUs acknowledged but never processed because another one arrived within 2 ms. */
    public int lostInBuffer() {
        return lostInBuffer;
    }

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        try {
            if (LldpadBridge.CODEC.decode(buf, off, len) instanceof Frame.Vdp v) {
                ecp.onFrame(buf, off, len, v);
            }
        } catch (DecodeException e) {
            // lldpad drops what it cannot parse
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
            if (!(item instanceof VsiTlv t)) {
                continue; // extension items are not understood: skipped
            }
            Vsi v = vsis.get(t.vsiId());
            if (v == null) {
                continue;
            }
            if (!t.isResponse()) {
                if (t.mode() == VsiMode.DE_ASSOCIATE) {
                    v.unsolicitedDeassociates++;
                    if (v.live && v.mode != VsiMode.DE_ASSOCIATE) {
                        v.live = false;
                        v.keepAlive = Long.MAX_VALUE;
                    }
                }
                continue;
            }
            if (!v.waiting) {
                continue;
            }
            v.waiting = false;
            v.deadline = Long.MAX_VALUE;
            v.lastResponse = (VsiStatus.Response) t.status();
            v.answeredFilter = t.filter();
            v.live = v.lastResponse.isSuccess() && v.mode != VsiMode.DE_ASSOCIATE;
            if (v.live) {
                v.keepAlive = now + timers.keepAliveNanos();
            }
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
        ecp.onTimer(now);
        for (Vsi v : new ArrayList<>(vsis.values())) {
            if (v.waiting && v.deadline <= now) {
                v.waiting = false;
                v.deadline = Long.MAX_VALUE;
                v.live = false;
                givenUp++;
            }
            if (v.live && v.keepAlive <= now) {
                send(v);
            }
        }
    }

    @Override
    public long nextDeadline() {
        long next = Math.min(ecp.nextDeadline(), bufferDeadlines.isEmpty() ? Long.MAX_VALUE : bufferDeadlines.peek());
        for (Vsi v : vsis.values()) {
            next = Math.min(next, Math.min(v.deadline, v.keepAlive));
        }
        return next;
    }
}
