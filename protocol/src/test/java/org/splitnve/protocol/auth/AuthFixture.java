package org.splitnve.protocol.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.splitnve.protocol.auth.FrameAuthenticator.Verdict;
import org.splitnve.protocol.event.RecordingSink;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.ethernet.VlanTag;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.AuthTlv;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VnId;

/** Real frames for the authentication tests: encoded with {@link FrameCodec}, signed, decoded again. */
final class AuthFixture {
    static final MacAddress STATION = MacAddress.parse("02:00:00:00:5e:01");
    static final MacAddress BRIDGE = MacAddress.parse("02:00:00:00:b0:01");
    static final MacAddress DESTINATION = MacAddress.NEAREST_CUSTOMER_BRIDGE;
    static final FrameCodec CODEC = FrameCodec.DEFAULT;
    static final ManagerId MANAGER = ManagerId.ofText("splitnve-test");

    private AuthFixture() {
    }

    /** 32 octets of key material, distinct per seed. */
    static byte[] psk(int seed) {
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (seed * 31 + i * 7 + 1);
        }
        return k;
    }

    static VdpItem item(int vn) {
        return VnConnectTlv.request(VnConnectTlv.Operation.CONNECT, new VnId.Group(vn), List.of(0));
    }

    /**
     * A signed frame as it goes on the link, its tag offset and its decoded authentication TLV. The octets
     * stay private: {@link #bytes()} hands out a copy, and a tampered frame is a new one ({@link #flipped}).
     */
    static final class Signed {
        private final byte[] bytes;
        private final int tagOffset;
        private final AuthTlv tlv;
        private final Frame.Vdp frame;

        Signed(byte[] bytes, int tagOffset, AuthTlv tlv, Frame.Vdp frame) {
            this.bytes = bytes;
            this.tagOffset = tagOffset;
            this.tlv = tlv;
            this.frame = frame;
        }

        /** A copy of the octets on the link. */
        byte[] bytes() {
            return bytes.clone();
        }

        int tagOffset() {
            return tagOffset;
        }

        AuthTlv tlv() {
            return tlv;
        }

        Frame.Vdp frame() {
            return frame;
        }

        /** The same frame again, in octets of its own (a retransmission or a replay). */
        Signed copy() {
            return new Signed(bytes.clone(), tagOffset, tlv, frame);
        }

        /** This frame with the octet at {@code offset} XORed with {@code mask}, as a tampering link delivers it. */
        Signed flipped(int offset, int mask) {
            byte[] b = bytes.clone();
            b[offset] ^= (byte) mask;
            return new Signed(b, tagOffset, tlv, frame);
        }

        int sequence() {
            return frame.ecp().sequence();
        }
    }

    /** One side of a link: its authenticator, MAC and recorded events, and its ECP sequence numbers. */
    static final class Side {
        final HmacFrameAuthenticator auth;
        final MacAddress mac;
        final RecordingSink events = new RecordingSink();
        int nextSequence = 1;

        Side(Role role, KeyRing keys) {
            this.mac = role == Role.STATION ? STATION : BRIDGE;
            this.auth = new HmacFrameAuthenticator(role, mac, role == Role.STATION ? BRIDGE : STATION, keys, events);
        }

        /** The session TLV (with this side's nonce) and a capability TLV: a hello's header. */
        List<OrgTlv> header() {
            return List.of(CapabilityTlv.all(), new SessionTlv(0, 0x5e55_1011, 0, 0, 0, auth.localNonce()));
        }

        /** A request with this side's header TLVs and no item (a hello when not yet established). */
        Signed hello() {
            return request(new VdpPdu(null, header(), List.of(), null));
        }

        /** A request with items and no session TLV. */
        Signed items(VdpItem... items) {
            return request(new VdpPdu(MANAGER, List.of(), List.of(items), null));
        }

        Signed request(VdpPdu pdu) {
            int seq = nextSequence;
            nextSequence = (nextSequence + 1) & 0xFFFF;
            return sign(this, EcpHeader.request(seq), pdu, null);
        }

        Signed ack(Signed request) {
            return sign(this, request.frame.ecp().ack(), VdpPdu.EMPTY, null);
        }

        Verdict verify(Signed s) {
            return verifyAt(auth, s.bytes);
        }
    }

    /** Encodes (padded to 60), signs at the tag offset as EcpEndpoint does, decodes what is on the link. */
    static Signed sign(Side from, EcpHeader ecp, VdpPdu pdu, VlanTag vlan) {
        VdpPdu withAuth = pdu.withAuth(from.auth.next());
        Frame.Vdp f = new Frame.Vdp(new EthernetHeader(DESTINATION, from.mac, vlan, EcpHeader.ETHERTYPE), ecp, withAuth);
        byte[] bytes = CODEC.encode(f, true);
        int tagOffset = f.ethernet().length() + EcpHeader.LENGTH + VdpCodec.authTagOffset(withAuth);
        from.auth.sign(bytes, 0, tagOffset);
        Frame.Vdp decoded = decode(bytes);
        assertThat(decoded.vdp().auth().tag().isAllZero()).isFalse();
        return new Signed(bytes, tagOffset, decoded.vdp().auth(), decoded);
    }

    static Frame.Vdp decode(byte[] bytes) {
        try {
            return (Frame.Vdp) CODEC.decode(bytes);
        } catch (DecodeException e) {
            throw new AssertionError(e);
        }
    }

    /** Verifies received octets the way EcpEndpoint.onFrame does: decode, tag offset, verify. */
    static Verdict verifyAt(FrameAuthenticator auth, byte[] bytes) {
        Frame.Vdp f = decode(bytes);
        int tagOffset = f.ethernet().length() + EcpHeader.LENGTH + VdpCodec.authTagOffset(f.vdp());
        return auth.verify(bytes, 0, tagOffset, f.vdp().auth());
    }

    /**
     * Runs the handshake: the station's hello and the bridge's acknowledgement (hello key), the
     * bridge's session TLV in a request signed with the session key and the station's acknowledgement.
     */
    static void handshake(Side station, Side bridge) {
        Signed hello = station.hello();
        assertThat(bridge.verify(hello)).isEqualTo(Verdict.OK);
        assertThat(station.verify(bridge.ack(hello))).isEqualTo(Verdict.OK);
        Signed reply = bridge.hello();
        assertThat(station.verify(reply)).isEqualTo(Verdict.OK);
        assertThat(bridge.verify(station.ack(reply))).isEqualTo(Verdict.OK);
        assertThat(station.auth.authenticated()).isTrue();
        assertThat(bridge.auth.authenticated()).isTrue();
    }
}
