package org.splitnve.wire.frame;

import org.splitnve.wire.Bytes;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.vdp.VdpPdu;

/** A decoded Ethernet frame of the kinds this project speaks. */
public sealed interface Frame {
    EthernetHeader ethernet();

    /** ECP with the VDP subtype: a request carrying VDP TLVs, or an acknowledgement. */
    record Vdp(EthernetHeader ethernet, EcpHeader ecp, VdpPdu vdp) implements Frame {
        public Vdp {
            if (ethernet.etherType() != EcpHeader.ETHERTYPE || ecp.subtype() != EcpHeader.SUBTYPE_VDP) {
                throw new IllegalArgumentException("a VDP frame is ECP (0x8940) with subtype 1");
            }
        }
    }

    /** ECP with a subtype other than VDP (e.g. 802.1BR PE CSP): header decoded, payload kept. */
    record OtherEcp(EthernetHeader ethernet, EcpHeader ecp, Bytes payload) implements Frame {
        public OtherEcp {
            if (ethernet.etherType() != EcpHeader.ETHERTYPE || ecp.subtype() == EcpHeader.SUBTYPE_VDP) {
                throw new IllegalArgumentException("an other-ECP frame is ECP with a subtype other than VDP");
            }
        }
    }

    record Lldp(EthernetHeader ethernet, LldpPdu lldp) implements Frame {
        public Lldp {
            if (ethernet.etherType() != LldpPdu.ETHERTYPE) {
                throw new IllegalArgumentException("an LLDP frame has EtherType 0x88cc");
            }
        }
    }

    /** Any other EtherType: not decoded further. */
    record Other(EthernetHeader ethernet, Bytes payload) implements Frame {
        public Other {
            if (ethernet.etherType() == EcpHeader.ETHERTYPE || ethernet.etherType() == LldpPdu.ETHERTYPE) {
                throw new IllegalArgumentException("ECP and LLDP frames are decoded");
            }
        }
    }
}
