package org.splitnve.dataplane.openflow;

import java.util.List;

/**
 * The OpenFlow messages the nNVE's driver speaks (1.3, and 1.4 for bundles), one record each; anything else is kept as
 * {@link Unknown}. Every message carries its transaction id ({@code xid}); replies carry the request's.
 */
public sealed interface OfMessage {
    int xid();

    // Message types (ofp_type).
    int HELLO = 0;
    int ERROR = 1;
    int ECHO_REQUEST = 2;
    int ECHO_REPLY = 3;
    int FEATURES_REQUEST = 5;
    int FEATURES_REPLY = 6;
    int SET_CONFIG = 9;
    int PACKET_IN = 10;
    int PORT_STATUS = 12;
    int PACKET_OUT = 13;
    int FLOW_MOD = 14;
    int MULTIPART_REQUEST = 18;
    int MULTIPART_REPLY = 19;
    int BARRIER_REQUEST = 20;
    int BARRIER_REPLY = 21;
    int BUNDLE_CONTROL = 33;
    int BUNDLE_ADD_MESSAGE = 34;

    /** OFPT_HELLO with the OFPHET_VERSIONBITMAP element (bit n: wire version n supported); 0 = no element. */
    record Hello(int xid, int versionBitmap) implements OfMessage {
    }

    /** OFPT_ERROR: type and code (OpenFlow 1.3 section 7.4.4) and the first octets of the offending request. */
    record ErrorMessage(int xid, int type, int code, Octets data) implements OfMessage {
        /** OFPET_BUNDLE_FAILED (OpenFlow 1.4). */
        public static final int BUNDLE_FAILED = 17;

        @Override
        public String toString() {
            return "ErrorMessage[xid=" + xid + ", type=" + type + ", code=" + code + "]";
        }
    }

    record EchoRequest(int xid, Octets data) implements OfMessage {
    }

    record EchoReply(int xid, Octets data) implements OfMessage {
    }

    record FeaturesRequest(int xid) implements OfMessage {
    }

    record FeaturesReply(int xid, long datapathId, int buffers, int tables, int auxiliaryId, int capabilities)
            implements OfMessage {
    }

    /** ofp_flow_mod_command, with its wire value. */
    enum FlowModCommand {
        ADD(0), MODIFY(1), MODIFY_STRICT(2), DELETE(3), DELETE_STRICT(4);

        private final int code;

        FlowModCommand(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The command with wire value {@code code}, or null. */
        public static FlowModCommand of(int code) {
            for (FlowModCommand c : values()) {
                if (c.code == code) {
                    return c;
                }
            }
            return null;
        }
    }

    /** OFPT_FLOW_MOD. {@code outPort}/{@code outGroup} restrict deletes ({@link Action#ANY}: none). */
    record FlowMod(int xid, long cookie, long cookieMask, int table, FlowModCommand command, int idleTimeout,
                   int hardTimeout, int priority, int bufferId, int outPort, int outGroup, int flags, Match match,
                   List<Instruction> instructions) implements OfMessage {
        /** OFP_NO_BUFFER. */
        public static final int NO_BUFFER = 0xffffffff;
        /** OFPTT_ALL: a delete in every table. */
        public static final int ALL_TABLES = 0xff;

        public FlowMod {
            instructions = List.copyOf(instructions);
        }

        /** This flow-mod with another transaction id (a bundle gives each staged message its own). */
        public FlowMod withXid(int newXid) {
            return new FlowMod(newXid, cookie, cookieMask, table, command, idleTimeout, hardTimeout, priority, bufferId,
                    outPort, outGroup, flags, match, instructions);
        }

        public static FlowMod add(int xid, int table, int priority, long cookie, Match match, List<Instruction> instructions) {
            return new FlowMod(xid, cookie, 0, table, FlowModCommand.ADD, 0, 0, priority, NO_BUFFER, Action.ANY,
                    Action.ANY, 0, match, instructions);
        }

        public static FlowMod deleteStrict(int xid, int table, int priority, Match match) {
            return new FlowMod(xid, 0, 0, table, FlowModCommand.DELETE_STRICT, 0, 0, priority, NO_BUFFER, Action.ANY,
                    Action.ANY, 0, match, List.of());
        }

        /** Non-strict delete of every flow in every table whose cookie matches {@code cookie} under {@code mask}. */
        public static FlowMod deleteByCookie(int xid, long cookie, long mask) {
            return new FlowMod(xid, cookie, mask, ALL_TABLES, FlowModCommand.DELETE, 0, 0, 0, NO_BUFFER, Action.ANY,
                    Action.ANY, 0, Match.ALL, List.of());
        }
    }

    /** One flow as the switch reports it (ofp_flow_stats). */
    record FlowStats(int table, int durationSec, int durationNsec, int priority, int idleTimeout, int hardTimeout,
                     int flags, long cookie, long packetCount, long byteCount, Match match,
                     List<Instruction> instructions) {
        public FlowStats {
            instructions = List.copyOf(instructions);
        }
    }

    /** OFPMP_FLOW request: the flows of {@code table} ({@link FlowMod#ALL_TABLES}: all) matching the restriction. */
    record FlowStatsRequest(int xid, int table, int outPort, int outGroup, long cookie, long cookieMask, Match match)
            implements OfMessage {
        public static FlowStatsRequest all(int xid) {
            return new FlowStatsRequest(xid, FlowMod.ALL_TABLES, Action.ANY, Action.ANY, 0, 0, Match.ALL);
        }
    }

    /** One OFPMP_FLOW reply part; {@code more} (OFPMPF_REPLY_MORE) says further parts follow with the same xid. */
    record FlowStatsReply(int xid, boolean more, List<FlowStats> flows) implements OfMessage {
        public FlowStatsReply {
            flows = List.copyOf(flows);
        }
    }

    /**
     * One port of the switch (ofp_port, OpenFlow 1.3 section 7.2.1 and 1.4 section 7.2.1): its OpenFlow number, its
     * MAC, its interface name (at most 16 characters, ISO 8859-1, no NUL), its config and state bits, and the rest as
     * the switch sent it: in 1.3 the six 32-bit feature and speed words (24 octets), in 1.4 the port's properties
     * (the Ethernet one: 32 octets).
     */
    record Port(int number, long mac, String name, int config, int state, Octets rest) {
        /** OFPPC_PORT_DOWN: the port is administratively down. */
        public static final int CONFIG_PORT_DOWN = 1;
        /** OFPPS_LINK_DOWN: no physical link. */
        public static final int STATE_LINK_DOWN = 1;
        /** The length of the name field on the wire. */
        public static final int NAME_LENGTH = 16;

        public Port {
            if (mac < 0 || mac > 0xffffffffffffL) {
                throw new IllegalArgumentException("MAC " + Long.toHexString(mac) + " is not 48 bits");
            }
            if (name.length() > NAME_LENGTH || name.chars().anyMatch(c -> c == 0 || c > 0xff)) {
                throw new IllegalArgumentException("port name '" + name + "' is not up to 16 ISO 8859-1 characters without NUL");
            }
            java.util.Objects.requireNonNull(rest);
        }
    }

    /** OFPMP_PORT_DESC request: every port of the switch. */
    record PortDescRequest(int xid) implements OfMessage {
    }

    /** One OFPMP_PORT_DESC reply part; {@code more} (OFPMPF_REPLY_MORE) says further parts follow with the same xid. */
    record PortDescReply(int xid, boolean more, List<Port> ports) implements OfMessage {
        public PortDescReply {
            ports = List.copyOf(ports);
        }
    }

    /** OFPT_PORT_STATUS: a port was added ({@link #ADD}), deleted or modified (its config or state changed). */
    record PortStatus(int xid, int reason, Port port) implements OfMessage {
        public static final int ADD = 0;
        public static final int DELETE = 1;
        public static final int MODIFY = 2;

        public PortStatus {
            if (reason < 0 || reason > 0xff) {
                throw new IllegalArgumentException("port status reason " + reason + " is not 8 bits");
            }
            java.util.Objects.requireNonNull(port);
        }
    }

    record BarrierRequest(int xid) implements OfMessage {
    }

    record BarrierReply(int xid) implements OfMessage {
    }

    /** ofp_bundle_ctrl_type, with its wire value. */
    enum BundleCtrlType {
        OPEN_REQUEST(0), OPEN_REPLY(1), CLOSE_REQUEST(2), CLOSE_REPLY(3), COMMIT_REQUEST(4), COMMIT_REPLY(5),
        DISCARD_REQUEST(6), DISCARD_REPLY(7);

        private final int code;

        BundleCtrlType(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The type with wire value {@code code}, or null. */
        public static BundleCtrlType of(int code) {
            for (BundleCtrlType c : values()) {
                if (c.code == code) {
                    return c;
                }
            }
            return null;
        }
    }

    /** OFPT_BUNDLE_CONTROL (OpenFlow 1.4 section 7.3.9). Flags: {@link #ATOMIC}, {@link #ORDERED}. */
    record BundleControl(int xid, int bundleId, BundleCtrlType type, int flags) implements OfMessage {
        public static final int ATOMIC = 1;
        public static final int ORDERED = 2;
    }

    /** OFPT_BUNDLE_ADD_MESSAGE: {@code message} is staged in the bundle; its xid must equal this one's. */
    record BundleAdd(int xid, int bundleId, int flags, OfMessage message) implements OfMessage {
        public BundleAdd {
            if (message instanceof BundleAdd || message instanceof BundleControl) {
                throw new IllegalArgumentException("bundles do not nest: " + message);
            }
            if (message.xid() != xid) {
                throw new IllegalArgumentException("inner xid " + message.xid() + " != outer xid " + xid);
            }
        }
    }

    /**
     * OFPT_SET_CONFIG: fragment handling flags and {@code missSendLen}. OVS sends asynchronous messages (packet-ins)
     * to a service connection such as the bridge's management socket only once it set a nonzero miss_send_len.
     */
    record SetConfig(int xid, int flags, int missSendLen) implements OfMessage {
        /** OFPCML_NO_BUFFER: the whole frame, never buffered in the switch. */
        public static final int NO_BUFFER = 0xffff;
    }

    /**
     * OFPT_PACKET_IN: a frame the switch hands the controller ({@code reason} 1: an output to the controller port),
     * with the pipeline fields of its match (in_port) and the frame as it was when sent ({@code data}).
     */
    record PacketIn(int xid, int bufferId, int totalLen, int reason, int table, long cookie, Match match, Octets data)
            implements OfMessage {
        /** The in_port of the match, or -1 when it names none. */
        public int inPort() {
            for (Oxm f : match.fields()) {
                if (f.oxmClass() == Oxm.BASIC && f.field() == Oxm.IN_PORT && f.value().length() == 4 && !f.hasMask()) {
                    return (int) f.value().toLong();
                }
            }
            return -1;
        }
    }

    /** OFPT_PACKET_OUT: {@code data} through {@code actions} as if it had come in on {@code inPort}. */
    record PacketOut(int xid, int bufferId, int inPort, List<Action> actions, Octets data) implements OfMessage {
        public PacketOut {
            actions = List.copyOf(actions);
        }
    }

    /** Any other message (port status, other multipart kinds...), kept as its type and body. */
    record Unknown(int xid, int type, Octets body) implements OfMessage {
    }
}
