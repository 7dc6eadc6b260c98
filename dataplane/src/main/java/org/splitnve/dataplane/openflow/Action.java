package org.splitnve.dataplane.openflow;

/** The actions of an APPLY_ACTIONS or WRITE_ACTIONS instruction (OpenFlow 1.3 section 7.2.5). */
public sealed interface Action {
    int OUTPUT = 0;
    int PUSH_VLAN = 17;
    int POP_VLAN = 18;
    int GROUP = 22;
    int SET_FIELD = 25;
    int EXPERIMENTER = 0xffff;

    /** OFPP_IN_PORT: send back out of the port the frame came in on. */
    int PORT_IN_PORT = 0xfffffff8;
    /** OFPP_TABLE: a PACKET_OUT's frame goes through the flow tables from table 0 (only in a PACKET_OUT). */
    int PORT_TABLE = 0xfffffff9;
    /** OFPP_CONTROLLER. */
    int PORT_CONTROLLER = 0xfffffffd;
    /** OFPP_ANY (and OFPG_ANY): no restriction in a delete or a statistics request. */
    int ANY = 0xffffffff;

    /** OFPAT_OUTPUT: to a port; {@code maxLen} only matters for the controller port. */
    record Output(int port, int maxLen) implements Action {
        public Output(int port) {
            this(port, 0);
        }
    }

    /** OFPAT_PUSH_VLAN with the TPID (0x8100). */
    record PushVlan(int ethertype) implements Action {
    }

    record PopVlan() implements Action {
    }

    /** OFPAT_GROUP. */
    record Group(int groupId) implements Action {
    }

    /** OFPAT_SET_FIELD: one OXM without mask (vlan_vid with OFPVID_PRESENT, tunnel_id, tun_dst, eth_src, ...). */
    record SetField(Oxm field) implements Action {
        public SetField {
            if (field.hasMask()) {
                throw new IllegalArgumentException("set_field takes no mask: " + field);
            }
        }
    }

    /**
     * OFPAT_EXPERIMENTER: kept as data (the experimenter id and what follows, e.g. Nicira's reg_move); its encoded length
     * must be a multiple of 8, which the body's length decides.
     */
    record Experimenter(int experimenter, Octets body) implements Action {
        public Experimenter {
            if ((8 + body.length()) % 8 != 0) {
                throw new IllegalArgumentException("experimenter action of " + (8 + body.length()) + " octets is not 8-aligned");
            }
        }
    }

    /** The Nicira vendor id of OVS's extension actions. */
    int NICIRA = 0x2320;
    /** NXM headers (class, field, length) the ARP and ND responders move between. */
    int NXM_OF_ETH_DST = 0x00000206;
    int NXM_OF_ETH_SRC = 0x00000406;
    int NXM_OF_ARP_SPA = 0x00002004;
    int NXM_OF_ARP_TPA = 0x00002204;
    int NXM_NX_ARP_SHA = 0x00012206;
    int NXM_NX_ARP_THA = 0x00012406;
    int NXM_NX_IPV6_SRC = 0x00012610;
    int NXM_NX_IPV6_DST = 0x00012810;

    /**
     * Nicira's reg_move (NXAST_REG_MOVE, subtype 6): copies all {@code bits} of field {@code src} into {@code dst}
     * (NXM headers): OpenFlow 1.3 has no copy action, OVS accepts this one.
     */
    static Action nxMove(int bits, int src, int dst) {
        byte[] b = new byte[16];
        int[] v = {6, bits, 0, 0}; // subtype, n_bits, src_ofs, dst_ofs
        for (int i = 0; i < v.length; i++) {
            b[2 * i] = (byte) (v[i] >>> 8);
            b[2 * i + 1] = (byte) v[i];
        }
        for (int i = 0; i < 4; i++) {
            b[8 + i] = (byte) (src >>> (24 - 8 * i));
            b[12 + i] = (byte) (dst >>> (24 - 8 * i));
        }
        return new Experimenter(NICIRA, Octets.of(b));
    }

    /** Any other action type, kept as data. */
    record Unknown(int type, Octets body) implements Action {
        public Unknown {
            if ((4 + body.length()) % 8 != 0) {
                throw new IllegalArgumentException("action of " + (4 + body.length()) + " octets is not 8-aligned");
            }
        }
    }
}
