package org.splitnve.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.splitnve.interop.compare.Workload;
import org.splitnve.nnve.Authority;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.protocol.ManualClock;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * Drives an {@link NnveEngine} with real encoded ECPDUs from one simulated splitnve station and
 * acknowledges every ECPDU the engine sends, as the station would: decode, state machine, effects
 * and encode are all in the measured path. Nothing sleeps; the clock stands still.
 */
public final class NnveDriver {
    public static final int PER_FRAME = 30;
    static final MacAddress NNVE = MacAddress.parse("02:00:00:00:0e:01");
    static final MacAddress STATION = MacAddress.parse("02:00:00:00:0a:01");

    public enum Phase { ACTIVATE_FROM_INIT, DEACTIVATE, ACTIVATE, DEASSOCIATE, ASSOCIATE }

    final ManualClock clock = new ManualClock(1_000_000_000L);
    final NnveEngine engine;
    final ArrayDeque<byte[]> toAck = new ArrayDeque<>();
    final byte[] ackTemplate;
    long framesFromEngine;
    long effects;
    private int seq = 1;

    public NnveDriver(int tsiLimit) {
        PortIo io = new PortIo() {
            @Override
            public int ports() {
                return 1;
            }

            @Override
            public MacAddress mac(int port) {
                return NNVE;
            }

            @Override
            public void send(int port, byte[] frame, int length) {
                framesFromEngine++;
                if (((frame[14] >>> 2) & 3) == EcpOperation.REQUEST.code()) {
                    toAck.add(frame);
                }
            }
        };
        NnveConfig cfg = NnveConfig.simple("bench", 1).withLimits(new NnveConfig.Limits(tsiLimit, 4094, 64));
        engine = new NnveEngine(cfg, clock, io, Authority.trustAll(), e -> effects++, EventSink.NONE,
                new SplittableRandom(7));
        ackTemplate = FrameCodec.DEFAULT.encode(new Frame.Vdp(new EthernetHeader(NNVE, STATION, EcpHeader.ETHERTYPE),
                new EcpHeader(EcpOperation.ACK, 1, 0), VdpPdu.EMPTY), true);
        SessionTlv session = new SessionTlv(0, 0x5eed, 0, 0, 0, Bytes.wrap(new byte[16]));
        feed(frame(List.of(CapabilityTlv.all(), session), List.of()));
    }

    /**
     * TSI {@code i} of {@link Workload}: a random UUID VSIID and MAC, as hypervisors make them, in one of 64
     * VNs. (Identifiers made from {@code i}'s bits hashed badly: half of 100,000 such UUIDs shared a hash
     * code, and the MACs of one VN shared their low bits, so the engine's hash maps degraded to trees.)
     */
    static VsiTlv vsi(int i, Phase phase) {
        TsiSpec t = Workload.tsi(i);
        Filter f = Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid((int) t.vnId(), t.mac(), 0));
        VsiMode mode = switch (phase) {
            case ACTIVATE_FROM_INIT, ACTIVATE -> VsiMode.ASSOCIATE;
            case DEACTIVATE, ASSOCIATE -> VsiMode.PRE_ASSOCIATE_RR;
            case DEASSOCIATE -> VsiMode.DE_ASSOCIATE;
        };
        List<OrgTlv> att = phase == Phase.DEACTIVATE ? List.of(new DeactivateTlv(false, DeactivateTlv.Cause.SUSPEND))
                : List.of();
        return new VsiTlv(mode, VsiStatus.Request.PLAIN, 1, 1, t.id(), f, att);
    }

    static byte[] frame(List<OrgTlv> header, List<VdpItem> items) {
        VdpPdu pdu = new VdpPdu(items.isEmpty() ? null : ManagerId.ofText("bench"), header, items, null);
        return FrameCodec.DEFAULT.encode(new Frame.Vdp(new EthernetHeader(NNVE, STATION, EcpHeader.ETHERTYPE),
                EcpHeader.request(0), pdu), true);
    }

    /** Frames that move TSIs {@code from..from+count-1} through one phase, {@link #PER_FRAME} to a frame. */
    public static List<byte[]> frames(int from, int count, Phase phase) {
        List<byte[]> out = new ArrayList<>();
        for (int i = from; i < from + count; i += PER_FRAME) {
            List<VdpItem> items = new ArrayList<>(PER_FRAME);
            for (int j = i; j < Math.min(i + PER_FRAME, from + count); j++) {
                items.add(vsi(j, phase));
            }
            out.add(frame(List.of(), items));
        }
        return out;
    }

    /** Hands one request frame to the engine (with a fresh ECP sequence number), then acknowledges what it sent. */
    public void feed(byte[] frame) {
        int s = seq;
        seq = (seq + 1) & 0xFFFF;
        frame[16] = (byte) (s >>> 8);
        frame[17] = (byte) s;
        engine.onFrame(0, frame, 0, frame.length);
        while (!toAck.isEmpty()) {
            byte[] sent = toAck.poll();
            ackTemplate[16] = sent[16];
            ackTemplate[17] = sent[17];
            engine.onFrame(0, ackTemplate, 0, ackTemplate.length);
        }
    }

    public NnveEngine engine() {
        return engine;
    }
}
