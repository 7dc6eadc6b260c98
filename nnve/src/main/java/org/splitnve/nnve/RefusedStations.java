package org.splitnve.nnve;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.ecp.EcpEndpoint;
import org.splitnve.protocol.ecp.EcpListener;
import org.splitnve.protocol.ecp.EcpProfile;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * SM-REASON for the end devices the nNVE does not serve (SEC-1: the NVA's policy refuses them): their
 * requests are answered with the refusal's reason code (and its detail, where the request announced the
 * reason-detail extension), delivered reliably over ECP, so the end device learns why instead of hearing
 * nothing. Such a station is no peer: it holds no TSI, VAP or session, only what it takes to deliver one
 * answer.
 *
 * <p>A refusal must not be a way to make the nNVE send frames (to a station, or to any address a forger
 * puts in the source field, which a switch may flood): at most one ECPDU of a station is answered per
 * {@link #INTERVAL_NANOS} (the others are dropped and counted, {@link #unanswered()}), ECPDUs without an
 * item are not answered at all, and at most {@link #MAX_STATIONS} stations are remembered; a new one takes
 * the place of one answered more than an interval ago, or is not answered. So the nNVE sends at most
 * {@code MAX_STATIONS} answers (each an acknowledgement, and one ECPDU with at most R retransmissions) per
 * interval, whatever arrives.
 */
final class RefusedStations {
    /** At most one answer per station in this time. */
    static final long INTERVAL_NANOS = 1_000_000_000L;
    /** Stations remembered at once: the bound of answers per interval, for every station together. */
    static final int MAX_STATIONS = 64;

    private final class Station implements EcpListener {
        final EcpEndpoint ecp;
        long answeredAt;
        Authority.Decision decision;
        boolean reasonDetail;

        Station(int port, MacAddress mac, Timers timers) {
            this.ecp = new EcpEndpoint(io.mac(port), mac, mac, codec, managerId, EcpProfile.STANDARD, timers, clock,
                    events, (bytes, len) -> io.send(port, bytes, len), this, List::of);
        }

        /** The request the endpoint accepted: each of its items answered with the refusal. */
        @Override
        public void onReceive(EthernetHeader ethernet, VdpPdu pdu) {
            ReasonCode code = ReasonCode.of(decision.reasonCode() == 0 ? ReasonCode.OTHER_FAILURE.value()
                    : decision.reasonCode());
            List<OrgTlv> attached = reasonDetail
                    ? List.of(new ReasonDetailTlv(NnveEngine.DETAIL_POLICY, clip(decision.detail()))) : List.of();
            ManagerId manager = pdu.managerId() != null ? pdu.managerId() : managerId;
            int length = VdpPdu.length(manager, List.of(), List.of(), null);
            for (VdpItem item : pdu.items()) {
                VdpItem answer = switch (item) {
                    case VsiTlv v -> v.isResponse() ? null : new VsiTlv(v.mode(), VsiStatus.Response.refused(code),
                            v.typeId(), v.typeVersion(), v.vsiId(), v.filter(), attached);
                    case VnConnectTlv c -> c.status() instanceof VsiStatus.Response ? null
                            : new VnConnectTlv(VsiStatus.Response.refused(code), c.operation(), c.vn(), List.of(), attached);
                };
                if (answer == null) {
                    continue;
                }
                length += answer.encodedLength();
                if (length > VdpPdu.MAX_LENGTH) {
                    break; // one ECPDU: what does not fit is not answered
                }
                ecp.submit(answer, answer, manager);
            }
        }

        @Override
        public void onDelivered(List<Object> tokens) {
        }

        @Override
        public void onTransmitError(List<Object> tokens) {
            // not sent again: the station asks again, and is answered again after the interval
        }
    }

    private final PortIo io;
    private final Clock clock;
    private final FrameCodec codec;
    private final ManagerId managerId;
    private final EventSink events;
    private final Map<Long, Station> stations = new LinkedHashMap<>();
    private long unanswered;

    RefusedStations(PortIo io, Clock clock, FrameCodec codec, ManagerId managerId, EventSink events) {
        this.io = io;
        this.clock = clock;
        this.codec = codec;
        this.managerId = managerId;
        this.events = events;
    }

    /** Requests of refused stations not answered (rate limit, or too many stations at once). */
    long unanswered() {
        return unanswered;
    }

    /**
     * A frame of a station the authority refused with {@code decision}; {@code buf[off, off+len)} are its
     * octets. An acknowledgement completes an answer under way; a request with items is answered, if the
     * limits allow.
     */
    void onFrame(int port, MacAddress mac, Authority.Decision decision, Timers timers, byte[] buf, int off, int len,
            Frame.Vdp frame) {
        long key = ((long) port << 48) | mac.value();
        Station s = stations.get(key);
        if (frame.ecp().operation() == EcpOperation.ACK) {
            if (s != null) {
                s.ecp.onFrame(buf, off, len, frame);
            }
            return;
        }
        if (frame.vdp().items().isEmpty()) {
            return; // nothing asked, nothing to refuse
        }
        long now = clock.nanos();
        if (s == null) {
            if (stations.size() >= MAX_STATIONS && !evictOne(now)) {
                unanswered++;
                return;
            }
            s = new Station(port, mac, timers);
            s.answeredAt = now - INTERVAL_NANOS;
            stations.put(key, s);
        }
        if (now - s.answeredAt < INTERVAL_NANOS || underWay(s)) {
            unanswered++;
            return;
        }
        s.answeredAt = now;
        s.decision = decision;
        CapabilityTlv caps = frame.vdp().header(CapabilityTlv.class);
        s.reasonDetail = caps != null && caps.has(CapabilityTlv.Feature.REASON_DETAIL);
        s.ecp.onFrame(buf, off, len, frame);
    }

    /** Removes one station answered more than an interval ago with nothing under way; false if none. */
    private boolean evictOne(long now) {
        Iterator<Station> it = stations.values().iterator();
        while (it.hasNext()) {
            Station s = it.next();
            if (now - s.answeredAt >= INTERVAL_NANOS && !underWay(s)) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    private static boolean underWay(Station s) {
        return s.ecp.busy() || s.ecp.queued() > 0;
    }

    void onTimer(long now) {
        if (stations.isEmpty()) {
            return;
        }
        for (Station s : new ArrayList<>(stations.values())) {
            s.ecp.onTimer(now);
        }
    }

    long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (Station s : stations.values()) {
            next = Math.min(next, s.ecp.nextDeadline());
        }
        return next;
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) : s;
    }
}
