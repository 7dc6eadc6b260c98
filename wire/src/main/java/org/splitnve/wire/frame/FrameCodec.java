package org.splitnve.wire.frame;

import org.splitnve.wire.Bytes;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.lldp.LldpCodec;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.vdp.VdpCodec;

/**
 * Whole Ethernet frames in and out: Ethernet header, then ECP/VDP or LLDP. Frames shorter than 60
 * octets are accepted (ECP acknowledgements are 18); {@link #encode(Frame, boolean)} pads to 60 on
 * request. Stateless and thread-safe; decoding is total.
 */
public final class FrameCodec {
    public static final FrameCodec DEFAULT = new FrameCodec(VdpCodec.DEFAULT_OUI);

    private final VdpCodec vdp;
    private final LldpCodec lldp;

    public FrameCodec(int extensionOui) {
        this.vdp = new VdpCodec(extensionOui);
        this.lldp = new LldpCodec(extensionOui);
    }

    public VdpCodec vdp() {
        return vdp;
    }

    public LldpCodec lldp() {
        return lldp;
    }

    public Frame decode(byte[] frame) throws DecodeException {
        return decode(frame, 0, frame.length);
    }

    public Frame decode(byte[] buf, int offset, int length) throws DecodeException {
        WireReader r = new WireReader(buf, offset, length);
        EthernetHeader eth = EthernetHeader.decode(r);
        return switch (eth.etherType()) {
            case EcpHeader.ETHERTYPE -> {
                EcpHeader ecp = EcpHeader.decode(r);
                if (ecp.subtype() == EcpHeader.SUBTYPE_VDP) {
                    yield new Frame.Vdp(eth, ecp, vdp.decode(r));
                }
                yield new Frame.OtherEcp(eth, ecp, Bytes.wrap(r.bytes(r.remaining(), "ECP payload")));
            }
            case LldpPdu.ETHERTYPE -> new Frame.Lldp(eth, lldp.decode(r));
            default -> new Frame.Other(eth, Bytes.wrap(r.bytes(r.remaining(), "payload")));
        };
    }

    /** Octets the frame takes unpadded. */
    public int encodedLength(Frame f) {
        return f.ethernet().length() + switch (f) {
            case Frame.Vdp v -> EcpHeader.LENGTH + v.vdp().encodedLength();
            case Frame.OtherEcp o -> EcpHeader.LENGTH + o.payload().length();
            case Frame.Lldp l -> l.lldp().encodedLength();
            case Frame.Other o -> o.payload().length();
        };
    }

    public byte[] encode(Frame f, boolean pad) {
        int len = encodedLength(f);
        byte[] out = new byte[pad ? Math.max(len, EthernetHeader.MIN_FRAME) : len];
        encode(f, out, 0);
        return out;
    }

    /**
     * Writes the unpadded frame at {@code offset}; returns its length. Allocates only the 24-octet
     * writer cursor (measured: BENCHMARKS.md), and for address TLVs one array per IP address.
     */
    public int encode(Frame f, byte[] dst, int offset) {
        WireWriter w = new WireWriter(dst, offset);
        f.ethernet().encode(w);
        switch (f) {
            case Frame.Vdp v -> {
                v.ecp().encode(w);
                vdp.encode(v.vdp(), w);
            }
            case Frame.OtherEcp o -> {
                o.ecp().encode(w);
                w.bytes(o.payload());
            }
            case Frame.Lldp l -> lldp.encode(l.lldp(), w);
            case Frame.Other o -> w.bytes(o.payload());
        }
        return w.position() - offset;
    }
}
