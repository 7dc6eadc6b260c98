package org.splitnve.bench;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * The frames the wire benchmarks decode and encode. Each shape is an ECP request (EtherType 0x8940,
 * VDP subtype) from station 02:11:11:00:00:01 to the Nearest Customer Bridge address, Manager ID
 * "blade", VSI type ID 5 version 1, UUID VSIIDs, filter format 2 (MAC/VID) with one entry: the
 * settings of the lldpad reference capture (testdata/lldpad-vdp22.pcap).
 */
public final class WireFixtures {
    /** Format-2 VSI TLV with one MAC/VID entry: 2 (header) + 25 (fixed body) + 8 (entry). */
    public static final int VSI_TLV_LENGTH = 35;

    /** VSI TLVs in the batched frame: as many as fit in {@link VdpPdu#MAX_LENGTH} after the Manager ID. */
    public static final int BATCHED_VSIS = 42;

    /** VSI TLVs in the lldpad-style frame (lldpad sends one VSI TLV per ECPDU). */
    public static final int LLDPAD_VSIS = 1;

    /**
     * VSI TLVs in the extension frame: each VSI TLV (35) carries a migration TLV (6 + 17) and an
     * address TLV with two IPv4 and two IPv6 host addresses (6 + 8 + 2 x 7 + 2 x 19): 124 octets.
     */
    public static final int EXTENSION_VSIS = 11;

    static final MacAddress STATION = MacAddress.parse("02:11:11:00:00:01");
    static final ManagerId MANAGER = ManagerId.ofText("blade");
    static final int VSI_TYPE_ID = 5;
    static final int VSI_TYPE_VERSION = 1;

    private WireFixtures() {
    }

    /** The shapes, with the count of VSI TLVs each frame holds. */
    public enum Shape {
        /** Manager ID + 42 format-2 VSI TLVs: a full batched ECPDU (1488 of 1494 VDP octets). */
        BATCHED(BATCHED_VSIS),
        /** Manager ID + one VSI TLV, as lldpad sends it (VSI "B" of the reference capture). */
        LLDPAD(LLDPAD_VSIS),
        /** Manager ID + 11 VSI TLVs, each with a MigrationTlv and a TsiAddressTlv attached. */
        EXTENSIONS(EXTENSION_VSIS);

        private final int vsis;

        Shape(int vsis) {
            this.vsis = vsis;
        }

        public int vsis() {
            return vsis;
        }

        public Frame frame() {
            return switch (this) {
                case BATCHED -> batched();
                case LLDPAD -> lldpad();
                case EXTENSIONS -> extensions();
            };
        }
    }

    /** VSI number {@code i}: a distinct version-4 UUID, MAC and VID; VSI 0 is VSI "B" of the reference capture. */
    static VsiTlv vsi(int i) {
        UUID uuid = new UUID(0xb000_0000_0000_4000L | ((long) i << 16), 0x8000_0000_0000_0000L | (0x0bL + i));
        MacAddress mac = new MacAddress(0x5254_0000_000bL + i);
        int vid = 200 + (i % 3800);
        return new VsiTlv(VsiMode.ASSOCIATE, VsiStatus.Request.PLAIN, VSI_TYPE_ID, VSI_TYPE_VERSION,
                VsiId.uuid(uuid), Filter.of(FilterFormat.MAC_VID, FilterEntry.macVid(mac, vid)));
    }

    static Frame frame(int sequence, VdpPdu pdu) {
        return new Frame.Vdp(new EthernetHeader(MacAddress.NEAREST_CUSTOMER_BRIDGE, STATION, EcpHeader.ETHERTYPE),
                EcpHeader.request(sequence), pdu);
    }

    /** Manager ID + as many single-entry format-2 VSI TLVs as fit in one ECPDU. */
    public static Frame batched() {
        List<VdpItem> items = new ArrayList<>();
        while (VdpPdu.length(MANAGER, List.of(), items, null) + VSI_TLV_LENGTH <= VdpPdu.MAX_LENGTH) {
            items.add(vsi(items.size()));
        }
        return frame(1, new VdpPdu(MANAGER, List.of(), items, null));
    }

    /**
     * Manager ID + one VSI TLV: what lldpad puts in every ECPDU. Octet for octet frame 11 of the
     * reference capture (ECP sequence 2, Associate of VSI "B").
     */
    public static Frame lldpad() {
        return frame(2, VdpPdu.of(MANAGER, vsi(0)));
    }

    /** Manager ID + as many VSI TLVs as fit, each with a migration and an address TLV attached. */
    public static Frame extensions() {
        List<VdpItem> items = new ArrayList<>();
        while (true) {
            int i = items.size();
            List<OrgTlv> attached = List.of(
                    MigrationTlv.arrival(new UUID(0x3000_0000_0000_4000L, 0x8000_0000_0000_0000L | i)),
                    new TsiAddressTlv(TsiAddressTlv.Operation.ADD, i, 0, true, List.of(
                            TsiAddress.host(ip(10, 0, i >>> 8, i & 0xFF)),
                            TsiAddress.host(ip(192, 168, i >>> 8, i & 0xFF)),
                            TsiAddress.host(ip6(i, 1)),
                            TsiAddress.host(ip6(i, 2)))));
            VsiTlv v = vsi(i).withAttached(attached);
            if (VdpPdu.length(MANAGER, List.of(), items, null) + v.encodedLength() > VdpPdu.MAX_LENGTH) {
                break;
            }
            items.add(v);
        }
        return frame(1, new VdpPdu(MANAGER, List.of(), items, null));
    }

    private static InetAddress ip(int a, int b, int c, int d) {
        return address(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    }

    /** 2001:db8::{i}:{n} */
    private static InetAddress ip6(int i, int n) {
        byte[] b = new byte[16];
        b[0] = 0x20;
        b[1] = 0x01;
        b[2] = 0x0d;
        b[3] = (byte) 0xb8;
        b[12] = (byte) (i >>> 8);
        b[13] = (byte) i;
        b[15] = (byte) n;
        return address(b);
    }

    private static InetAddress address(byte[] raw) {
        try {
            return InetAddress.getByAddress(raw);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Encodes a shape and checks it before a benchmark measures it: the VSI count matches the
     * constant the benchmark reports, the frame is within 1500 octets of payload, and decoding
     * gives the frame back and re-encoding gives the same octets.
     */
    public static byte[] checkedBytes(Shape shape) {
        Frame f = shape.frame();
        VdpPdu pdu = ((Frame.Vdp) f).vdp();
        long vsis = pdu.items().stream().filter(VsiTlv.class::isInstance).count();
        if (vsis != shape.vsis()) {
            throw new IllegalStateException(shape + ": " + vsis + " VSI TLVs, the benchmark reports " + shape.vsis());
        }
        byte[] bytes = FrameCodec.DEFAULT.encode(f, false);
        if (bytes.length - f.ethernet().length() > EthernetHeader.MAX_PAYLOAD) {
            throw new IllegalStateException(shape + ": frame of " + bytes.length + " octets is too long");
        }
        try {
            Frame back = FrameCodec.DEFAULT.decode(bytes);
            if (!back.equals(f)) {
                throw new IllegalStateException(shape + ": decoding does not give the frame back");
            }
        } catch (DecodeException e) {
            throw new IllegalStateException(shape + ": " + e.getMessage(), e);
        }
        byte[] again = new byte[bytes.length];
        int n = FrameCodec.DEFAULT.encode(f, again, 0);
        if (n != bytes.length || !Arrays.equals(bytes, again)) {
            throw new IllegalStateException(shape + ": encode(Frame, byte[], int) differs from encode(Frame, boolean)");
        }
        return bytes;
    }
}
