package org.splitnve.dataplane.openflow;

import java.util.ArrayList;
import java.util.List;
import org.splitnve.dataplane.openflow.OfMessage.BarrierReply;
import org.splitnve.dataplane.openflow.OfMessage.BarrierRequest;
import org.splitnve.dataplane.openflow.OfMessage.BundleAdd;
import org.splitnve.dataplane.openflow.OfMessage.BundleControl;
import org.splitnve.dataplane.openflow.OfMessage.BundleCtrlType;
import org.splitnve.dataplane.openflow.OfMessage.EchoReply;
import org.splitnve.dataplane.openflow.OfMessage.EchoRequest;
import org.splitnve.dataplane.openflow.OfMessage.FeaturesReply;
import org.splitnve.dataplane.openflow.OfMessage.FeaturesRequest;
import org.splitnve.dataplane.openflow.OfMessage.FlowMod;
import org.splitnve.dataplane.openflow.OfMessage.FlowModCommand;
import org.splitnve.dataplane.openflow.OfMessage.FlowStats;
import org.splitnve.dataplane.openflow.OfMessage.FlowStatsReply;
import org.splitnve.dataplane.openflow.OfMessage.FlowStatsRequest;
import org.splitnve.dataplane.openflow.OfMessage.Hello;
import org.splitnve.dataplane.openflow.OfMessage.Port;
import org.splitnve.dataplane.openflow.OfMessage.PortDescReply;
import org.splitnve.dataplane.openflow.OfMessage.PortDescRequest;
import org.splitnve.dataplane.openflow.OfMessage.PortStatus;

/**
 * OpenFlow 1.3 (wire version 0x04) and 1.4 (0x05) messages to and from octets. The two versions share every layout
 * used here (1.4 fills 1.3's padding in FLOW_MOD and flow stats with {@code importance}, which we send as 0); bundles
 * are 1.4 only. Encoding checks nothing the records have not checked; decoding is total: any input gives a message or
 * an {@link OfDecodeFailure}, never an exception.
 *
 * <pre>
 * header:    version(1) type(1) length(2) xid(4)
 * FLOW_MOD:  header cookie(8) cookie_mask(8) table(1) command(1) idle(2) hard(2) priority(2) buffer(4) out_port(4)
 *            out_group(4) flags(2) importance/pad(2) | match: type=1(2) length(2) OXM... pad to 8 | instructions
 * OXM:       class(2) field(7 bits) hasmask(1 bit) length(1) value [mask]
 * ofp_port:  port_no(4) 1.3: pad(4) | 1.4: length(2) pad(2) | hw_addr(6) pad(2) name(16) config(4) state(4)
 *            1.3: curr advertised supported peer curr_speed max_speed (4 each) | 1.4: properties (to length)
 * PORT_DESC: multipart type 13; the request has no body (1.3, 1.4), the reply is ofp_port after ofp_port
 * </pre>
 */
public final class OfCodec {
    public static final int V1_3 = 0x04;
    public static final int V1_4 = 0x05;
    public static final int HEADER = 8;
    /** The largest message: the header's 16-bit length. */
    public static final int MAX_MESSAGE = 0xffff;
    private static final int MULTIPART_FLOW = 1;
    private static final int MULTIPART_PORT_DESC = 13;
    /** ofp_port up to its properties (1.4) or its feature words (1.3). */
    private static final int PORT_FIXED = 40;
    /** ofp_port in 1.3: fixed size, the six feature and speed words after the fixed part. */
    private static final int PORT_V13 = 64;
    private static final int OFPMT_OXM = 1;
    private static final int VERSIONBITMAP = 1;

    private OfCodec() {
    }

    // ------------------------------------------------------------------------------------------------ encoding

    public static byte[] encode(int version, OfMessage m) {
        W w = new W(64);
        encode(w, version, m);
        return w.toArray();
    }

    /** Appends the encoding of {@code m} to {@code out}. */
    public static void encodeTo(Sink out, int version, OfMessage m) {
        encode(out.w, version, m);
    }

    /** A reusable output buffer for many messages (one write to the socket). */
    public static final class Sink {
        private final W w = new W(1 << 16);

        public int size() {
            return w.n;
        }

        public byte[] array() {
            return w.b;
        }

        public void clear() {
            w.n = 0;
        }
    }

    private static void encode(W w, int version, OfMessage m) {
        int start = w.n;
        w.u8(version);
        w.u8(type(m));
        w.u16(0);
        w.u32(m.xid());
        switch (m) {
            case Hello h -> {
                if (h.versionBitmap() != 0) {
                    w.u16(VERSIONBITMAP);
                    w.u16(8);
                    w.u32(h.versionBitmap());
                }
            }
            case OfMessage.ErrorMessage e -> {
                w.u16(e.type());
                w.u16(e.code());
                w.octets(e.data());
            }
            case EchoRequest e -> w.octets(e.data());
            case EchoReply e -> w.octets(e.data());
            case FeaturesRequest f -> {
            }
            case FeaturesReply f -> {
                w.u64(f.datapathId());
                w.u32(f.buffers());
                w.u8(f.tables());
                w.u8(f.auxiliaryId());
                w.u16(0);
                w.u32(f.capabilities());
                w.u32(0);
            }
            case FlowMod f -> {
                w.u64(f.cookie());
                w.u64(f.cookieMask());
                w.u8(f.table());
                w.u8(f.command().code());
                w.u16(f.idleTimeout());
                w.u16(f.hardTimeout());
                w.u16(f.priority());
                w.u32(f.bufferId());
                w.u32(f.outPort());
                w.u32(f.outGroup());
                w.u16(f.flags());
                w.u16(0);
                match(w, f.match());
                instructions(w, f.instructions());
            }
            case FlowStatsRequest r -> {
                w.u16(MULTIPART_FLOW);
                w.u16(0);
                w.u32(0);
                w.u8(r.table());
                w.zeros(3);
                w.u32(r.outPort());
                w.u32(r.outGroup());
                w.u32(0);
                w.u64(r.cookie());
                w.u64(r.cookieMask());
                match(w, r.match());
            }
            case FlowStatsReply r -> {
                w.u16(MULTIPART_FLOW);
                w.u16(r.more() ? 1 : 0);
                w.u32(0);
                for (FlowStats s : r.flows()) {
                    int at = w.n;
                    w.u16(0);
                    w.u8(s.table());
                    w.u8(0);
                    w.u32(s.durationSec());
                    w.u32(s.durationNsec());
                    w.u16(s.priority());
                    w.u16(s.idleTimeout());
                    w.u16(s.hardTimeout());
                    w.u16(s.flags());
                    w.u32(0);
                    w.u64(s.cookie());
                    w.u64(s.packetCount());
                    w.u64(s.byteCount());
                    match(w, s.match());
                    instructions(w, s.instructions());
                    w.put16(at, w.n - at);
                }
            }
            case PortDescRequest r -> {
                w.u16(MULTIPART_PORT_DESC);
                w.u16(0);
                w.u32(0);
            }
            case PortDescReply r -> {
                w.u16(MULTIPART_PORT_DESC);
                w.u16(r.more() ? 1 : 0);
                w.u32(0);
                for (Port p : r.ports()) {
                    port(w, version, p);
                }
            }
            case PortStatus ps -> {
                w.u8(ps.reason());
                w.zeros(7);
                port(w, version, ps.port());
            }
            case BarrierRequest b -> {
            }
            case BarrierReply b -> {
            }
            case BundleControl c -> {
                w.u32(c.bundleId());
                w.u16(c.type().code());
                w.u16(c.flags());
            }
            case BundleAdd a -> {
                w.u32(a.bundleId());
                w.u16(0);
                w.u16(a.flags());
                encode(w, version, a.message());
            }
            case OfMessage.SetConfig c -> {
                w.u16(c.flags());
                w.u16(c.missSendLen());
            }
            case OfMessage.PacketIn p -> {
                w.u32(p.bufferId());
                w.u16(p.totalLen());
                w.u8(p.reason());
                w.u8(p.table());
                w.u64(p.cookie());
                match(w, p.match());
                w.u16(0);
                w.octets(p.data());
            }
            case OfMessage.PacketOut p -> {
                w.u32(p.bufferId());
                w.u32(p.inPort());
                int at = w.n;
                w.u16(0);
                w.zeros(6);
                for (Action a : p.actions()) {
                    action(w, a);
                }
                w.put16(at, w.n - at - 8);
                w.octets(p.data());
            }
            case OfMessage.Unknown u -> w.octets(u.body());
        }
        int length = w.n - start;
        if (length > MAX_MESSAGE) {
            throw new IllegalArgumentException("message of " + length + " octets exceeds " + MAX_MESSAGE + ": " + m);
        }
        w.put16(start + 2, length);
    }

    static int type(OfMessage m) {
        return switch (m) {
            case Hello h -> OfMessage.HELLO;
            case OfMessage.ErrorMessage e -> OfMessage.ERROR;
            case EchoRequest e -> OfMessage.ECHO_REQUEST;
            case EchoReply e -> OfMessage.ECHO_REPLY;
            case FeaturesRequest f -> OfMessage.FEATURES_REQUEST;
            case FeaturesReply f -> OfMessage.FEATURES_REPLY;
            case FlowMod f -> OfMessage.FLOW_MOD;
            case FlowStatsRequest r -> OfMessage.MULTIPART_REQUEST;
            case FlowStatsReply r -> OfMessage.MULTIPART_REPLY;
            case PortDescRequest r -> OfMessage.MULTIPART_REQUEST;
            case PortDescReply r -> OfMessage.MULTIPART_REPLY;
            case PortStatus ps -> OfMessage.PORT_STATUS;
            case BarrierRequest b -> OfMessage.BARRIER_REQUEST;
            case BarrierReply b -> OfMessage.BARRIER_REPLY;
            case BundleControl c -> OfMessage.BUNDLE_CONTROL;
            case BundleAdd a -> OfMessage.BUNDLE_ADD_MESSAGE;
            case OfMessage.SetConfig c -> OfMessage.SET_CONFIG;
            case OfMessage.PacketIn p -> OfMessage.PACKET_IN;
            case OfMessage.PacketOut p -> OfMessage.PACKET_OUT;
            case OfMessage.Unknown u -> u.type();
        };
    }

    /** ofp_port as {@code version} lays it out; the rest must fit it (1.3: 24 octets; 1.4: 8-aligned properties). */
    private static void port(W w, int version, Port p) {
        int at = w.n;
        w.u32(p.number());
        w.u32(0); // 1.3: pad; 1.4: length (set below) and pad
        w.octets(Octets.ofLong(p.mac(), 6));
        w.u16(0);
        for (int i = 0; i < Port.NAME_LENGTH; i++) {
            w.u8(i < p.name().length() ? p.name().charAt(i) : 0);
        }
        w.u32(p.config());
        w.u32(p.state());
        if (version >= V1_4) {
            if (p.rest().length() % 8 != 0) {
                throw new IllegalArgumentException("port properties of " + p.rest().length() + " octets are not 8-aligned");
            }
            w.octets(p.rest());
            w.put16(at + 4, w.n - at);
        } else {
            if (p.rest().length() != PORT_V13 - PORT_FIXED) {
                throw new IllegalArgumentException("an OpenFlow 1.3 port has 24 octets of features, not " + p.rest().length());
            }
            w.octets(p.rest());
        }
    }

    private static void match(W w, Match m) {
        w.u16(OFPMT_OXM);
        w.u16(m.unpaddedLength());
        for (Oxm f : m.fields()) {
            oxm(w, f);
        }
        w.zeros(m.paddedLength() - m.unpaddedLength());
    }

    private static void oxm(W w, Oxm f) {
        w.u16(f.oxmClass());
        w.u8((f.field() << 1) | (f.hasMask() ? 1 : 0));
        w.u8(f.payloadLength());
        w.octets(f.value());
        if (f.hasMask()) {
            w.octets(f.mask());
        }
    }

    private static void instructions(W w, List<Instruction> list) {
        for (Instruction i : list) {
            int at = w.n;
            switch (i) {
                case Instruction.GotoTable g -> {
                    w.u16(Instruction.GOTO_TABLE);
                    w.u16(8);
                    w.u8(g.table());
                    w.zeros(3);
                }
                case Instruction.WriteMetadata m -> {
                    w.u16(Instruction.WRITE_METADATA);
                    w.u16(24);
                    w.u32(0);
                    w.u64(m.metadata());
                    w.u64(m.mask());
                }
                case Instruction.ApplyActions a -> actionsInstruction(w, Instruction.APPLY_ACTIONS, a.actions());
                case Instruction.WriteActions a -> actionsInstruction(w, Instruction.WRITE_ACTIONS, a.actions());
                case Instruction.ClearActions c -> {
                    w.u16(Instruction.CLEAR_ACTIONS);
                    w.u16(8);
                    w.u32(0);
                }
                case Instruction.Unknown u -> {
                    w.u16(u.type());
                    w.u16(4 + u.body().length());
                    w.octets(u.body());
                }
            }
            assert (w.n - at) % 8 == 0;
        }
    }

    private static void actionsInstruction(W w, int type, List<Action> actions) {
        int at = w.n;
        w.u16(type);
        w.u16(0);
        w.u32(0);
        for (Action a : actions) {
            action(w, a);
        }
        w.put16(at + 2, w.n - at);
    }

    private static void action(W w, Action a) {
        switch (a) {
            case Action.Output o -> {
                w.u16(Action.OUTPUT);
                w.u16(16);
                w.u32(o.port());
                w.u16(o.maxLen());
                w.zeros(6);
            }
            case Action.PushVlan p -> {
                w.u16(Action.PUSH_VLAN);
                w.u16(8);
                w.u16(p.ethertype());
                w.u16(0);
            }
            case Action.PopVlan p -> {
                w.u16(Action.POP_VLAN);
                w.u16(8);
                w.u32(0);
            }
            case Action.Group g -> {
                w.u16(Action.GROUP);
                w.u16(8);
                w.u32(g.groupId());
            }
            case Action.SetField s -> {
                int len = (4 + s.field().wireLength() + 7) & ~7;
                w.u16(Action.SET_FIELD);
                w.u16(len);
                oxm(w, s.field());
                w.zeros(len - 4 - s.field().wireLength());
            }
            case Action.Experimenter e -> {
                w.u16(Action.EXPERIMENTER);
                w.u16(8 + e.body().length());
                w.u32(e.experimenter());
                w.octets(e.body());
            }
            case Action.Unknown u -> {
                w.u16(u.type());
                w.u16(4 + u.body().length());
                w.octets(u.body());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ decoding

    /**
     * The length of the message starting at {@code off} if its header is complete ({@code avail >= 8}), else -1.
     * A length below the header size is returned as is: {@link #decode} refuses it.
     */
    public static int frameLength(byte[] b, int off, int avail) {
        if (avail < HEADER) {
            return -1;
        }
        return ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    public static Decoded decode(byte[] b) {
        return decode(b, 0, b.length);
    }

    /** Decodes the one message in {@code b[off, off+len)}; the header's length must equal {@code len}. */
    public static Decoded decode(byte[] b, int off, int len) {
        R r = new R(b, off, len);
        try {
            int version = r.u8("version");
            int type = r.u8("type");
            int length = r.u16("length");
            int xid = r.s32("xid");
            if (length < HEADER) {
                throw r.fail(OfDecodeError.BAD_LENGTH, "length " + length + " is below the 8-octet header");
            }
            if (length != len) {
                throw r.fail(length > len ? OfDecodeError.TRUNCATED : OfDecodeError.BAD_LENGTH,
                        "header length " + length + " but " + len + " octets given");
            }
            if (type != OfMessage.HELLO && version != V1_3 && version != V1_4) {
                throw r.fail(OfDecodeError.BAD_VERSION, "version 0x" + Integer.toHexString(version) + " (not 1.3 or 1.4)");
            }
            OfMessage m = body(r, version, type, xid, off + length, 0);
            return new Decoded.Ok(version, m);
        } catch (Refusal e) {
            return new Decoded.Failed(e.failure);
        }
    }

    private static OfMessage body(R r, int version, int type, int xid, int end, int depth) throws Refusal {
        return switch (type) {
            case OfMessage.HELLO -> hello(r, xid, end);
            case OfMessage.ERROR -> new OfMessage.ErrorMessage(xid, r.u16("error type"), r.u16("error code"), r.rest(end));
            case OfMessage.ECHO_REQUEST -> new EchoRequest(xid, r.rest(end));
            case OfMessage.ECHO_REPLY -> new EchoReply(xid, r.rest(end));
            case OfMessage.FEATURES_REQUEST -> new FeaturesRequest(xid);
            case OfMessage.FEATURES_REPLY -> {
                long dpid = r.u64("datapath_id");
                int buffers = r.s32("n_buffers");
                int tables = r.u8("n_tables");
                int aux = r.u8("auxiliary_id");
                r.skip(2, "pad");
                int caps = r.s32("capabilities");
                r.skip(4, "reserved");
                yield new FeaturesReply(xid, dpid, buffers, tables, aux, caps);
            }
            case OfMessage.FLOW_MOD -> flowMod(r, xid, end);
            case OfMessage.MULTIPART_REQUEST, OfMessage.MULTIPART_REPLY -> multipart(r, version, type, xid, end);
            case OfMessage.PORT_STATUS -> {
                int reason = r.u8("port status reason");
                r.skip(7, "pad");
                Port p = port(r, version, end);
                if (r.pos != end) {
                    throw r.fail(OfDecodeError.BAD_LENGTH, (end - r.pos) + " octets after the port of a port status");
                }
                yield new PortStatus(xid, reason, p);
            }
            case OfMessage.BARRIER_REQUEST -> new BarrierRequest(xid);
            case OfMessage.BARRIER_REPLY -> new BarrierReply(xid);
            case OfMessage.BUNDLE_CONTROL -> {
                int id = r.s32("bundle_id");
                int ctl = r.u16("bundle control type");
                int flags = r.u16("bundle flags");
                BundleCtrlType ctlType = BundleCtrlType.of(ctl);
                if (ctlType == null) {
                    throw r.fail(OfDecodeError.BAD_VALUE, "bundle control type " + ctl);
                }
                r.pos = end; // properties are not used
                yield new BundleControl(xid, id, ctlType, flags);
            }
            case OfMessage.BUNDLE_ADD_MESSAGE -> bundleAdd(r, version, xid, end, depth);
            case OfMessage.SET_CONFIG -> {
                int flags = r.u16("config flags");
                int miss = r.u16("miss_send_len");
                if (r.pos != end) {
                    throw r.fail(OfDecodeError.BAD_LENGTH, "set_config of " + (end - r.pos) + " octets too many");
                }
                yield new OfMessage.SetConfig(xid, flags, miss);
            }
            case OfMessage.PACKET_IN -> {
                int buffer = r.s32("buffer_id");
                int total = r.u16("total_len");
                int reason = r.u8("reason");
                int table = r.u8("table_id");
                long cookie = r.u64("cookie");
                Match m = match(r, end);
                r.skip(2, "packet-in pad");
                yield new OfMessage.PacketIn(xid, buffer, total, reason, table, cookie, m, r.rest(end));
            }
            case OfMessage.PACKET_OUT -> {
                int buffer = r.s32("buffer_id");
                int inPort = r.s32("in_port");
                int actionsLen = r.u16("actions_len");
                r.skip(6, "packet-out pad");
                if (r.pos + actionsLen > end) {
                    throw r.fail(OfDecodeError.BAD_LENGTH, "actions_len " + actionsLen + " overruns the message by "
                            + (r.pos + actionsLen - end));
                }
                List<Action> actions = actions(r, r.pos + actionsLen);
                yield new OfMessage.PacketOut(xid, buffer, inPort, actions, r.rest(end));
            }
            default -> new OfMessage.Unknown(xid, type, r.rest(end));
        };
    }

    private static Hello hello(R r, int xid, int end) throws Refusal {
        int bitmap = 0;
        while (r.pos + 4 <= end) {
            int at = r.pos;
            int et = r.u16("hello element type");
            int el = r.u16("hello element length");
            if (el < 4 || at + el > end) {
                throw r.fail(OfDecodeError.BAD_LENGTH, "hello element length " + el);
            }
            if (et == VERSIONBITMAP && el >= 8) {
                bitmap = r.s32("version bitmap");
            }
            r.pos = at + ((el + 7) & ~7);
            if (r.pos > end) {
                r.pos = end;
            }
        }
        r.pos = end;
        return new Hello(xid, bitmap);
    }

    private static FlowMod flowMod(R r, int xid, int end) throws Refusal {
        long cookie = r.u64("cookie");
        long mask = r.u64("cookie_mask");
        int table = r.u8("table_id");
        int cmd = r.u8("command");
        FlowModCommand command = FlowModCommand.of(cmd);
        if (command == null) {
            throw r.fail(OfDecodeError.BAD_VALUE, "flow-mod command " + cmd);
        }
        int idle = r.u16("idle_timeout");
        int hard = r.u16("hard_timeout");
        int prio = r.u16("priority");
        int buffer = r.s32("buffer_id");
        int outPort = r.s32("out_port");
        int outGroup = r.s32("out_group");
        int flags = r.u16("flags");
        r.skip(2, "importance");
        Match match = match(r, end);
        List<Instruction> ins = instructions(r, end);
        return new FlowMod(xid, cookie, mask, table, command, idle, hard, prio, buffer, outPort,
                outGroup, flags, match, ins);
    }

    private static OfMessage multipart(R r, int version, int type, int xid, int end) throws Refusal {
        int at = r.pos;
        int mpType = r.u16("multipart type");
        int flags = r.u16("multipart flags");
        r.skip(4, "pad");
        if (mpType == MULTIPART_PORT_DESC) {
            return portDesc(r, version, type, xid, flags, end);
        }
        if (mpType != MULTIPART_FLOW) {
            r.pos = at;
            return new OfMessage.Unknown(xid, type, r.rest(end));
        }
        if (type == OfMessage.MULTIPART_REQUEST) {
            int table = r.u8("table_id");
            r.skip(3, "pad");
            int outPort = r.s32("out_port");
            int outGroup = r.s32("out_group");
            r.skip(4, "pad");
            long cookie = r.u64("cookie");
            long mask = r.u64("cookie_mask");
            Match match = match(r, end);
            r.pos = end;
            return new FlowStatsRequest(xid, table, outPort, outGroup, cookie, mask, match);
        }
        List<FlowStats> flows = new ArrayList<>();
        while (r.pos < end) {
            int start = r.pos;
            int length = r.u16("flow stats length");
            if (length < 56 || start + length > end) {
                throw r.fail(OfDecodeError.BAD_LENGTH, "flow stats length " + length + " (56.." + (end - start) + ")");
            }
            int table = r.u8("table_id");
            r.skip(1, "pad");
            int sec = r.s32("duration_sec");
            int nsec = r.s32("duration_nsec");
            int prio = r.u16("priority");
            int idle = r.u16("idle_timeout");
            int hard = r.u16("hard_timeout");
            int fl = r.u16("flags");
            r.skip(4, "importance/pad");
            long cookie = r.u64("cookie");
            long packets = r.u64("packet_count");
            long bytes = r.u64("byte_count");
            Match match = match(r, start + length);
            List<Instruction> ins = instructions(r, start + length);
            flows.add(new FlowStats(table, sec, nsec, prio, idle, hard, fl, cookie, packets, bytes, match, ins));
        }
        return new FlowStatsReply(xid, (flags & 1) != 0, flows);
    }

    private static OfMessage portDesc(R r, int version, int type, int xid, int flags, int end) throws Refusal {
        if (type == OfMessage.MULTIPART_REQUEST) {
            if (r.pos != end) {
                throw r.fail(OfDecodeError.BAD_LENGTH, "a port description request has no body, " + (end - r.pos) + " octets given");
            }
            return new PortDescRequest(xid);
        }
        List<Port> ports = new ArrayList<>();
        while (r.pos < end) {
            ports.add(port(r, version, end));
        }
        return new PortDescReply(xid, (flags & 1) != 0, ports);
    }

    private static Port port(R r, int version, int end) throws Refusal {
        int start = r.pos;
        int number = r.s32("port_no");
        int length = PORT_V13;
        if (version >= V1_4) {
            length = r.u16("port length");
            r.skip(2, "pad");
            if (length < PORT_FIXED || length % 8 != 0 || start + length > end) {
                throw r.fail(OfDecodeError.BAD_LENGTH, "port length " + length + " (8-aligned, " + PORT_FIXED + ".."
                        + (end - start) + ")");
            }
        } else {
            r.skip(4, "pad");
            if (start + length > end) {
                throw r.fail(OfDecodeError.TRUNCATED, "an OpenFlow 1.3 port needs 64 octets, " + (end - start) + " left");
            }
        }
        long mac = r.octets(6, "hw_addr").toLong();
        r.skip(2, "pad");
        byte[] raw = r.octets(Port.NAME_LENGTH, "port name").toArray();
        int n = 0;
        while (n < raw.length && raw[n] != 0) {
            n++;
        }
        String name = new String(raw, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
        int config = r.s32("port config");
        int state = r.s32("port state");
        Octets rest = r.octets(start + length - r.pos, "port features or properties");
        return new Port(number, mac, name, config, state, rest);
    }

    private static BundleAdd bundleAdd(R r, int version, int xid, int end, int depth) throws Refusal {
        int id = r.s32("bundle_id");
        r.skip(2, "pad");
        int flags = r.u16("bundle flags");
        int at = r.pos;
        int innerVersion = r.u8("inner version");
        int innerType = r.u8("inner type");
        int innerLength = r.u16("inner length");
        int innerXid = r.s32("inner xid");
        if (innerLength < HEADER || at + innerLength > end) {
            throw r.fail(OfDecodeError.BAD_LENGTH, "inner message length " + innerLength + " (8.." + (end - at) + ")");
        }
        if (innerVersion != version) {
            throw r.fail(OfDecodeError.BAD_VERSION, "inner version " + innerVersion + " != " + version);
        }
        if (innerType == OfMessage.BUNDLE_ADD_MESSAGE || innerType == OfMessage.BUNDLE_CONTROL || depth > 0) {
            throw r.fail(OfDecodeError.OVERSIZED, "bundle message inside a bundle");
        }
        if (innerXid != xid) {
            throw r.fail(OfDecodeError.BAD_VALUE, "inner xid " + innerXid + " != outer xid " + xid);
        }
        OfMessage inner = body(r, version, innerType, innerXid, at + innerLength, depth + 1);
        r.pos = end; // properties are not used
        return new BundleAdd(xid, id, flags, inner);
    }

    private static Match match(R r, int end) throws Refusal {
        int start = r.pos;
        int type = r.u16("match type");
        int length = r.u16("match length");
        if (type != OFPMT_OXM) {
            throw r.fail(OfDecodeError.BAD_MATCH_TYPE, "match type " + type + " (only OXM, 1)");
        }
        int padded = (length + 7) & ~7;
        if (length < 4 || start + padded > end) {
            throw r.fail(OfDecodeError.BAD_LENGTH, "match length " + length + " (4.." + (end - start) + ")");
        }
        List<Oxm> fields = new ArrayList<>();
        int mEnd = start + length;
        while (r.pos < mEnd) {
            fields.add(oxm(r, mEnd));
        }
        r.pos = start + padded;
        return new Match(fields);
    }

    private static Oxm oxm(R r, int end) throws Refusal {
        int cls = r.u16("oxm class");
        int fh = r.u8("oxm field");
        int len = r.u8("oxm length");
        if (r.pos + len > end) {
            throw r.fail(OfDecodeError.BAD_LENGTH, "OXM length " + len + " overruns its container by " + (r.pos + len - end));
        }
        boolean hasMask = (fh & 1) != 0;
        if ((hasMask && len % 2 != 0) || len == 0) {
            throw r.fail(OfDecodeError.BAD_OXM, "OXM length " + len + (hasMask ? " with mask is odd" : " is zero"));
        }
        int vlen = hasMask ? len / 2 : len;
        Octets value = r.octets(vlen, "oxm value");
        Octets mask = hasMask ? r.octets(vlen, "oxm mask") : null;
        return new Oxm(cls, fh >>> 1, value, mask);
    }

    private static List<Instruction> instructions(R r, int end) throws Refusal {
        List<Instruction> list = new ArrayList<>();
        while (r.pos < end) {
            int start = r.pos;
            int type = r.u16("instruction type");
            int len = r.u16("instruction length");
            if (len < 8 || len % 8 != 0 || start + len > end) {
                throw r.fail(OfDecodeError.BAD_LENGTH, "instruction length " + len + " (8-aligned, up to " + (end - start) + ")");
            }
            int iEnd = start + len;
            Instruction i = switch (type) {
                case Instruction.GOTO_TABLE -> {
                    int t = r.u8("goto table");
                    if (t > 0xfe) {
                        throw r.fail(OfDecodeError.BAD_VALUE, "goto table " + t);
                    }
                    yield new Instruction.GotoTable(t);
                }
                case Instruction.WRITE_METADATA -> {
                    if (len != 24) {
                        throw r.fail(OfDecodeError.BAD_LENGTH, "write_metadata length " + len + " (24)");
                    }
                    r.skip(4, "pad");
                    yield new Instruction.WriteMetadata(r.u64("metadata"), r.u64("metadata mask"));
                }
                case Instruction.APPLY_ACTIONS -> {
                    r.skip(4, "pad");
                    yield new Instruction.ApplyActions(actions(r, iEnd));
                }
                case Instruction.WRITE_ACTIONS -> {
                    r.skip(4, "pad");
                    yield new Instruction.WriteActions(actions(r, iEnd));
                }
                case Instruction.CLEAR_ACTIONS -> new Instruction.ClearActions();
                default -> new Instruction.Unknown(type, r.rest(iEnd));
            };
            r.pos = iEnd;
            list.add(i);
        }
        return list;
    }

    private static List<Action> actions(R r, int end) throws Refusal {
        List<Action> list = new ArrayList<>();
        while (r.pos < end) {
            int start = r.pos;
            int type = r.u16("action type");
            int len = r.u16("action length");
            if (len < 8 || len % 8 != 0 || start + len > end) {
                throw r.fail(OfDecodeError.BAD_LENGTH, "action length " + len + " (8-aligned, up to " + (end - start) + ")");
            }
            int aEnd = start + len;
            Action a = switch (type) {
                case Action.OUTPUT -> {
                    if (len != 16) {
                        throw r.fail(OfDecodeError.BAD_LENGTH, "output action length " + len + " (16)");
                    }
                    yield new Action.Output(r.s32("output port"), r.u16("max_len"));
                }
                case Action.PUSH_VLAN -> new Action.PushVlan(r.u16("push_vlan ethertype"));
                case Action.POP_VLAN -> new Action.PopVlan();
                case Action.GROUP -> new Action.Group(r.s32("group id"));
                case Action.SET_FIELD -> {
                    Oxm f = oxm(r, aEnd);
                    if (f.hasMask()) {
                        throw r.fail(OfDecodeError.BAD_OXM, "set_field with a mask");
                    }
                    yield new Action.SetField(f);
                }
                case Action.EXPERIMENTER -> new Action.Experimenter(r.s32("experimenter"), r.rest(aEnd));
                default -> new Action.Unknown(type, r.rest(aEnd));
            };
            r.pos = aEnd;
            list.add(a);
        }
        return list;
    }

    // ------------------------------------------------------------------------------------------------ buffers

    /** Thrown inside the decoder only, caught in {@link #decode}: never leaves this class. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient OfDecodeFailure failure;

        Refusal(OfDecodeFailure failure) {
            super(null, null, false, false);
            this.failure = failure;
        }
    }

    private static final class R {
        private final byte[] b;
        private final int base;
        private final int limit;
        private int pos;

        R(byte[] b, int off, int len) {
            this.b = b;
            this.base = off;
            this.limit = off + len;
            this.pos = off;
        }

        Refusal fail(OfDecodeError e, String detail) {
            return new Refusal(new OfDecodeFailure(e, pos - base, detail));
        }

        private void need(int n, String what) throws Refusal {
            if (n < 0 || pos + n > limit) {
                throw fail(OfDecodeError.TRUNCATED, what + " needs " + n + " octets, " + (limit - pos) + " left");
            }
        }

        int u8(String what) throws Refusal {
            need(1, what);
            return b[pos++] & 0xff;
        }

        int u16(String what) throws Refusal {
            need(2, what);
            int v = ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
            pos += 2;
            return v;
        }

        int s32(String what) throws Refusal {
            need(4, what);
            int v = ((b[pos] & 0xff) << 24) | ((b[pos + 1] & 0xff) << 16) | ((b[pos + 2] & 0xff) << 8) | (b[pos + 3] & 0xff);
            pos += 4;
            return v;
        }

        long u64(String what) throws Refusal {
            long hi = s32(what) & 0xffffffffL;
            long lo = s32(what) & 0xffffffffL;
            return (hi << 32) | lo;
        }

        void skip(int n, String what) throws Refusal {
            need(n, what);
            pos += n;
        }

        Octets octets(int n, String what) throws Refusal {
            need(n, what);
            byte[] v = new byte[n];
            System.arraycopy(b, pos, v, 0, n);
            pos += n;
            return Octets.of(v);
        }

        /** The octets from here to {@code end} (within the message). */
        Octets rest(int end) throws Refusal {
            if (end < pos) {
                throw fail(OfDecodeError.BAD_LENGTH, "structure ends at " + (end - base) + " before " + (pos - base));
            }
            return octets(end - pos, "body");
        }
    }

    private static final class W {
        private byte[] b;
        private int n;

        W(int capacity) {
            b = new byte[capacity];
        }

        private void ensure(int k) {
            if (n + k > b.length) {
                b = java.util.Arrays.copyOf(b, Math.max(b.length * 2, n + k));
            }
        }

        void u8(int v) {
            ensure(1);
            b[n++] = (byte) v;
        }

        void u16(int v) {
            ensure(2);
            b[n++] = (byte) (v >>> 8);
            b[n++] = (byte) v;
        }

        void u32(int v) {
            ensure(4);
            b[n++] = (byte) (v >>> 24);
            b[n++] = (byte) (v >>> 16);
            b[n++] = (byte) (v >>> 8);
            b[n++] = (byte) v;
        }

        void u64(long v) {
            u32((int) (v >>> 32));
            u32((int) v);
        }

        void put16(int at, int v) {
            b[at] = (byte) (v >>> 8);
            b[at + 1] = (byte) v;
        }

        void zeros(int k) {
            ensure(k);
            n += k;
            java.util.Arrays.fill(b, n - k, n, (byte) 0);
        }

        void octets(Octets o) {
            ensure(o.length());
            o.copyTo(b, n);
            n += o.length();
        }

        byte[] toArray() {
            return java.util.Arrays.copyOf(b, n);
        }
    }
}
