package org.splitnve.sim.scenario;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.splitnve.protocol.auth.HmacFrameAuthenticator;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.AuthTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * Hand-made frames for the hostile-input scenarios: well-formed, forged, signed with the wrong key, and
 * octets that break the decoder (random, truncated, with wrong TLV lengths). Public (sim's test-jar): the
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
}
