package org.splitnve.sim.scenario;

import java.util.SplittableRandom;
import org.splitnve.protocol.auth.HmacFrameAuthenticator;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.AuthTlv;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VdpPdu;

/** Hand-made frames for the hostile-input scenarios: well-formed, forged, signed with the wrong key. */
final class Frames {
    private Frames() {
    }

    static byte[] vdp(MacAddress dst, MacAddress src, EcpHeader ecp, VdpPdu pdu) {
        return vdp(dst, src, ecp, pdu, true);
    }

    /** {@code pad}: to the 60-octet Ethernet minimum; without, the frame ends where the PDU does. */
    static byte[] vdp(MacAddress dst, MacAddress src, EcpHeader ecp, VdpPdu pdu, boolean pad) {
        return FrameCodec.DEFAULT.encode(new Frame.Vdp(new EthernetHeader(dst, src, EcpHeader.ETHERTYPE), ecp, pdu), pad);
    }

    /** A frame with an authentication TLV whose tag is made up: what a forger without the key sends. */
    static byte[] forged(MacAddress dst, MacAddress src, int sequence, VdpPdu pdu, int keyId, long counter, long seed) {
        byte[] tag = new byte[AuthTlv.HMAC_SHA256_TAG];
        new SplittableRandom(seed).nextBytes(tag);
        return vdp(dst, src, EcpHeader.request(sequence), pdu.withAuth(new AuthTlv(AuthTlv.HMAC_SHA256, keyId, counter,
                Bytes.wrap(tag))));
    }

    /** A frame signed properly by {@code auth} (whose key may be the wrong one). */
    static byte[] signed(HmacFrameAuthenticator auth, MacAddress dst, MacAddress src, int sequence, VdpPdu pdu) {
        VdpPdu withAuth = pdu.withAuth(auth.next());
        byte[] bytes = vdp(dst, src, EcpHeader.request(sequence), withAuth);
        auth.sign(bytes, 0, 14 + EcpHeader.LENGTH + VdpCodec.authTagOffset(withAuth));
        return bytes;
    }
}
