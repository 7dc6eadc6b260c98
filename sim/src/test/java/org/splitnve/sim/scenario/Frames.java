package org.splitnve.sim.scenario;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Predicate;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.auth.HmacFrameAuthenticator;
import org.splitnve.sim.CapturedFrame;
import org.splitnve.sim.Node;
import org.splitnve.sim.Simulation;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.AuthTlv;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * The frames of the scenario tests (REQ-12: the protocol is only Ethernet frames), made and read with the real
 * codec ({@link FrameCodec}). Made: well-formed, forged, signed with the wrong key, and octets that break the
 * decoder (random, truncated, with wrong TLV lengths), for the hostile-input scenarios. Read: the simulation's
 * capture (every frame put on a link; {@link SplitNveNet#capturing}), decoded. Public (sim's test-jar): the
 * app's network-namespace tests send the same frames from a raw socket (SEC-4).
 */
public final class Frames {
    private Frames() {
    }

    public static byte[] vdp(MacAddress dst, MacAddress src, EcpHeader ecp, VdpPdu pdu) {
        return vdp(dst, src, ecp, pdu, true);
    }

    /** {@code pad}: to the 60-octet Ethernet minimum; without, the frame ends where the PDU does. */
    public static byte[] vdp(MacAddress dst, MacAddress src, EcpHeader ecp, VdpPdu pdu, boolean pad) {
        return FrameCodec.DEFAULT.encode(new Frame.Vdp(new EthernetHeader(dst, src, EcpHeader.ETHERTYPE), ecp, pdu), pad);
    }

    /** A frame with an authentication TLV whose tag is made up: what a forger without the key sends. */
    public static byte[] forged(MacAddress dst, MacAddress src, int sequence, VdpPdu pdu, int keyId, long counter, long seed) {
        byte[] tag = new byte[AuthTlv.HMAC_SHA256_TAG];
        new SplittableRandom(seed).nextBytes(tag);
        return vdp(dst, src, EcpHeader.request(sequence), pdu.withAuth(new AuthTlv(AuthTlv.HMAC_SHA256, keyId, counter,
                Bytes.wrap(tag))));
    }

    /** A frame signed properly by {@code auth} (whose key may be the wrong one). */
    public static byte[] signed(HmacFrameAuthenticator auth, MacAddress dst, MacAddress src, int sequence, VdpPdu pdu) {
        VdpPdu withAuth = pdu.withAuth(auth.next());
        byte[] bytes = vdp(dst, src, EcpHeader.request(sequence), withAuth);
        auth.sign(bytes, 0, 14 + EcpHeader.LENGTH + VdpCodec.authTagOffset(withAuth));
        return bytes;
    }

    /**
     * {@code pairs} pairs of frames: random octets of a random length in [minLength, maxLength), then the
     * first 18 octets of {@code valid} (Ethernet and ECP header: addressed as {@code valid} is, ECP) followed
     * by random octets, of a random length in [max(18, minLength), maxLength).
     */
    public static List<byte[]> noise(SplittableRandom rnd, byte[] valid, int pairs, int minLength, int maxLength) {
        List<byte[]> out = new ArrayList<>(2 * pairs);
        for (int i = 0; i < pairs; i++) {
            byte[] f = new byte[rnd.nextInt(minLength, maxLength)];
            rnd.nextBytes(f);
            out.add(f);
            byte[] g = Arrays.copyOf(valid, rnd.nextInt(Math.max(18, minLength), maxLength));
            rnd.nextBytes(g);
            System.arraycopy(valid, 0, g, 0, 18);
            out.add(g);
        }
        return out;
    }

    /** Every truncation of {@code valid} to a length in [from, to). */
    public static List<byte[]> truncations(byte[] valid, int from, int to) {
        List<byte[]> out = new ArrayList<>();
        for (int len = from; len < to; len++) {
            out.add(Arrays.copyOf(valid, len));
        }
        return out;
    }

    /**
     * {@code valid} with each 16-bit word from octet 18 on (where the VDP TLV headers are: 7-bit type,
     * 9-bit length) given a length one short, one long, or 0x1FF off: every TLV length error, and garbage.
     */
    public static List<byte[]> lengthErrors(byte[] valid) {
        List<byte[]> out = new ArrayList<>();
        for (int off = 18; off + 1 < valid.length; off += 2) {
            for (int delta : new int[] {-1, 1, 0x1FF}) {
                byte[] g = valid.clone();
                int word = ((g[off] & 0xFF) << 8) | (g[off + 1] & 0xFF);
                word = (word & 0xFE00) | ((word + delta) & 0x1FF);
                g[off] = (byte) (word >>> 8);
                g[off + 1] = (byte) word;
                out.add(g);
            }
        }
        return out;
    }

    /** A VSI TLV request in the GroupID/MAC/VID format with a null VID (the nNVE assigns the tag). */
    public static VsiTlv vsi(VsiMode mode, VsiId id, long vn, MacAddress mac, List<OrgTlv> attached) {
        return new VsiTlv(mode, VsiStatus.Request.PLAIN, 1, 1, id,
                Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid((int) vn, mac, 0)), attached);
    }

    /** The {@code n}th TSI ID a hostile station makes up. */
    public static VsiId hostileTsi(int n) {
        return VsiId.uuid(new UUID(0xBAD0_0000_0000_4000L | n, 0x8000_0000_0000_0000L | n));
    }

    /** The MAC of the {@code n}th made-up TSI. */
    public static MacAddress hostileTsiMac(int n) {
        return new MacAddress(0x0266_0000_0000L | n);
    }
    // ---- reading the capture ----

    /** One captured ECP/VDP frame and its decoding. */
    public record Decoded(CapturedFrame captured, Frame.Vdp frame) {
        public boolean request() {
            return frame.ecp().operation() == EcpOperation.REQUEST;
        }

        public int sequence() {
            return frame.ecp().sequence();
        }

        public List<VdpItem> items() {
            return frame.vdp().items();
        }

        public List<VsiTlv> vsis() {
            List<VsiTlv> out = new ArrayList<>();
            for (VdpItem i : items()) {
                if (i instanceof VsiTlv v) {
                    out.add(v);
                }
            }
            return out;
        }

        public long nanos() {
            return captured.nanos();
        }
    }

    /** Every captured frame that decodes as ECP/VDP, in the order sent (a frame crossing a switch: once per link). */
    public static List<Decoded> decoded(Simulation sim) {
        List<Decoded> out = new ArrayList<>();
        for (CapturedFrame c : sim.captured()) {
            if (c.decode() instanceof Frame.Vdp v) {
                out.add(new Decoded(c, v));
            }
        }
        return out;
    }

    /** ECP/VDP frames sent by {@code from} (on its own links) that decode, in order. */
    public static List<Decoded> decodedFrom(Simulation sim, Node from) {
        return decoded(sim).stream().filter(v -> v.captured().from() == from).toList();
    }

    /** ECP requests sent by {@code from}, in order (retransmissions included). */
    public static List<Decoded> requestsFrom(Simulation sim, Node from) {
        return decodedFrom(sim, from).stream().filter(Decoded::request).toList();
    }

    /** ECP requests sent by {@code from}, each once: retransmissions (same sequence number) left out. */
    public static List<Decoded> requestsOnceFrom(Simulation sim, Node from) {
        Set<Integer> seen = new HashSet<>();
        return requestsFrom(sim, from).stream().filter(v -> seen.add(v.sequence())).toList();
    }

    /** VSI TLVs about one VSI in the requests {@code from} sent, in order (one per transmission). */
    public static List<VsiTlv> vsiRequestsFrom(Simulation sim, Node from, VsiId id) {
        List<VsiTlv> out = new ArrayList<>();
        for (Decoded v : requestsFrom(sim, from)) {
            for (VsiTlv t : v.vsis()) {
                if (t.vsiId().equals(id)) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** The captured frames {@code from} sent on its own links (the first hop), in order, decoded or not. */
    public static List<CapturedFrame> sentBy(Simulation sim, Node from) {
        List<CapturedFrame> out = new ArrayList<>();
        for (CapturedFrame c : sim.captured()) {
            if (c.from() == from) {
                out.add(c);
            }
        }
        return out;
    }

    /** Every captured ECP/VDP frame that decodes, with Ethernet source {@code source}, in the order sent (one per link hop). */
    public static List<Frame.Vdp> vdpFrom(Simulation sim, MacAddress source, Predicate<CapturedFrame> which) {
        List<Frame.Vdp> out = new ArrayList<>();
        for (CapturedFrame c : sim.captured()) {
            if (source.equals(c.source()) && which.test(c) && c.decode() instanceof Frame.Vdp v) {
                out.add(v);
            }
        }
        return out;
    }

    /** The decoded VDP frames a node sent, in order (retransmissions and lost copies included); all must decode. */
    public static List<Frame.Vdp> vdpSentBy(Simulation sim, Node from) {
        return vdpSentBy(sim, from, Long.MIN_VALUE);
    }

    /** The decoded VDP frames a node sent at or after {@code since} (virtual nanoseconds); all must decode. */
    public static List<Frame.Vdp> vdpSentBy(Simulation sim, Node from, long since) {
        List<Frame.Vdp> out = new ArrayList<>();
        for (CapturedFrame c : sim.captured()) {
            if (c.from() != from || c.nanos() < since) {
                continue;
            }
            try {
                if (FrameCodec.DEFAULT.decode(c.frame()) instanceof Frame.Vdp v) {
                    out.add(v);
                }
            } catch (DecodeException e) {
                throw new AssertionError("a frame on the wire does not decode: " + c, e);
            }
        }
        return out;
    }

    /**
     * The VSI TLVs (requests, or responses) a node sent for one TSI: one per ECPDU, ECP retransmissions of an
     * ECPDU (same destination and sequence number) left out.
     */
    public static List<VsiTlv> vsiSentBy(Simulation sim, Node from, VsiId tsi, boolean responses) {
        return vsiSentBy(sim, from, tsi, responses, Long.MIN_VALUE);
    }

    /** As {@link #vsiSentBy(Simulation, Node, VsiId, boolean)}, in ECPDUs sent at or after {@code since}. */
    public static List<VsiTlv> vsiSentBy(Simulation sim, Node from, VsiId tsi, boolean responses, long since) {
        List<VsiTlv> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Frame.Vdp v : vdpSentBy(sim, from, since)) {
            if (v.ecp().operation() != EcpOperation.REQUEST
                    || !seen.add(v.ethernet().destination() + "#" + v.ecp().sequence())) {
                continue;
            }
            for (VdpItem item : v.vdp().items()) {
                if (item instanceof VsiTlv t && t.vsiId().equals(tsi) && t.isResponse() == responses) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /**
     * OPS-3: the frames of an nNVE as one that predates advertised limits sends them: every capability TLV rewritten
     * to version 1 (the same features, no limits). An end device then cannot refuse beforehand what the nNVE's
     * limits refuse, so the nNVE's own enforcement (SEC-5) shows.
     */
    public static PortIo withoutAdvertisedLimits(PortIo io) {
        return new PortIo() {
            @Override
            public int ports() {
                return io.ports();
            }

            @Override
            public MacAddress mac(int port) {
                return io.mac(port);
            }

            @Override
            public void send(int port, byte[] frame, int length) {
                Frame f;
                try {
                    f = FrameCodec.DEFAULT.decode(frame, 0, length);
                } catch (DecodeException e) {
                    throw new IllegalStateException("the nNVE sent a frame it cannot decode", e);
                }
                if (f instanceof Frame.Vdp v && v.vdp().header(CapabilityTlv.class) != null) {
                    List<OrgTlv> header = new ArrayList<>();
                    for (OrgTlv t : v.vdp().header()) {
                        header.add(t instanceof CapabilityTlv c ? new CapabilityTlv(1, c.featureBits()) : t);
                    }
                    VdpPdu p = new VdpPdu(v.vdp().managerId(), header, v.vdp().items(), v.vdp().auth());
                    byte[] b = FrameCodec.DEFAULT.encode(new Frame.Vdp(v.ethernet(), v.ecp(), p), true);
                    io.send(port, b, b.length);
                    return;
                }
                io.send(port, frame, length);
            }
        };
    }
}
