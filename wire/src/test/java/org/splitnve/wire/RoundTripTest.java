package org.splitnve.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.Label;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.LldpCodec;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.testing.WireArbitraries;
import org.splitnve.wire.vdp.AuthTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.UnknownOrgTlv;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VnConnectTlv;

/**
 * Encode then decode is the identity for every message kind, this project's extension TLVs
 * included. A codec agreeing with itself proves no requirement of the protocol, so these
 * properties cite none: what the frames mean is proved against tshark (TsharkCrossCheckTest), the
 * lldpad capture (GoldenCaptureTest) and the engines (sim scenarios).
 */
@Label("encode then decode is the identity")
class RoundTripTest {
    private final FrameCodec codec = FrameCodec.DEFAULT;
    private final VdpCodec vdp = VdpCodec.DEFAULT;
    private final LldpCodec lldp = LldpCodec.DEFAULT;

    @Provide
    Arbitrary<VdpPdu> vdpPdus() {
        return WireArbitraries.vdpPdus();
    }

    @Provide
    Arbitrary<Frame> frames() {
        return WireArbitraries.frames();
    }

    @Provide
    Arbitrary<LldpPdu> lldpPdus() {
        return WireArbitraries.lldpPdus();
    }

    @Provide
    Arbitrary<EcpHeader> ecpHeaders() {
        return WireArbitraries.ecpHeaders();
    }

    @Provide
    Arbitrary<EthernetHeader> ethernetHeaders() {
        return WireArbitraries.ethernetHeaders();
    }

    @Property(tries = 1500)
    @Label("VdpCodec decodes an encoded PDU, extension TLVs included, to an equal PDU; End TLV and padding change nothing")
    void vdpPduRoundTrips(@ForAll("vdpPdus") VdpPdu pdu, @ForAll @IntRange(max = 40) int padding)
            throws DecodeException {
        byte[] encoded = vdp.encode(pdu);
        assertThat(encoded).hasSize(pdu.encodedLength());
        assertThat(encoded.length).isLessThanOrEqualTo(VdpPdu.MAX_LENGTH);
        assertThat(vdp.decode(encoded, 0, encoded.length)).isEqualTo(pdu);
        if (pdu.auth() != null) {
            // the authentication tag is the last 32 octets, where authTagOffset says
            int at = VdpCodec.authTagOffset(pdu);
            assertThat(at).isEqualTo(encoded.length - AuthTlv.HMAC_SHA256_TAG);
            assertThat(Arrays.copyOfRange(encoded, at, encoded.length)).isEqualTo(pdu.auth().tag().toArray());
        }

        // an End TLV and zero padding after the TLVs, inside a larger buffer at an offset
        byte[] buf = new byte[7 + encoded.length + padding + 5];
        Arrays.fill(buf, (byte) 0xEE);
        System.arraycopy(encoded, 0, buf, 7, encoded.length);
        Arrays.fill(buf, 7 + encoded.length, 7 + encoded.length + padding, (byte) 0);
        VdpPdu padded = vdp.decode(buf, 7, encoded.length + padding);
        assertThat(padded).isEqualTo(pdu);
        assertThat(vdp.encode(padded)).isEqualTo(encoded);
    }

    /** An OUI the generators never give an {@link UnknownOrgTlv} of the kind that would clash (checked by assumption). */
    static final int OTHER_OUI = 0x00BEEF;

    static boolean usesOui(VdpPdu pdu, int oui) {
        java.util.stream.Stream<OrgTlv> all = java.util.stream.Stream.concat(pdu.header().stream(),
                pdu.items().stream().flatMap(i -> i.attached().stream()));
        return all.anyMatch(t -> t instanceof UnknownOrgTlv u && u.oui() == oui);
    }

    @Property(tries = 400)
    @Label("a codec with another extension OUI round-trips; a peer that does not know that OUI decodes the "
            + "extensions as unknown TLVs and re-encodes them byte for byte")
    void otherExtensionOui(@ForAll("vdpPdus") VdpPdu pdu) throws DecodeException {
        Assume.that(!usesOui(pdu, OTHER_OUI));
        VdpCodec other = new VdpCodec(OTHER_OUI);
        byte[] encoded = other.encode(pdu);
        assertThat(other.decode(encoded, 0, encoded.length)).isEqualTo(pdu);

        VdpPdu foreign = vdp.decode(encoded, 0, encoded.length);
        assertThat(vdp.encode(foreign)).isEqualTo(encoded);
        assertThat(foreign.auth()).isNull();
        assertThat(foreign.managerId()).isEqualTo(pdu.managerId());
        assertThat(foreign.items()).allSatisfy(i -> assertThat(i.attached()).allMatch(t -> t instanceof UnknownOrgTlv));
        assertThat(foreign.header()).allMatch(t -> t instanceof UnknownOrgTlv);
        assertThat(foreign.items()).as("VSI TLVs only: VN connect is an extension")
                .hasSize((int) pdu.items().stream().filter(i -> !(i instanceof VnConnectTlv)).count());
    }

    @Property(tries = 1500)
    @Label("FrameCodec decodes an unpadded frame of every kind to an equal frame, at any offset")
    void frameRoundTripsUnpadded(@ForAll("frames") Frame frame, @ForAll @IntRange(max = 9) int offset)
            throws DecodeException {
        byte[] encoded = codec.encode(frame, false);
        assertThat(encoded).hasSize(codec.encodedLength(frame));
        assertThat(encoded.length).isLessThanOrEqualTo(EthernetHeader.MAX_FRAME);
        assertThat(codec.decode(encoded)).isEqualTo(frame);

        byte[] buf = new byte[offset + encoded.length + 3];
        Arrays.fill(buf, (byte) 0x5A);
        assertThat(codec.encode(frame, buf, offset)).isEqualTo(encoded.length);
        assertThat(Arrays.copyOfRange(buf, offset, offset + encoded.length)).isEqualTo(encoded);
        assertThat(codec.decode(buf, offset, encoded.length)).isEqualTo(frame);
    }

    @Property(tries = 1000)
    @Label("a frame padded to 60 octets decodes to the same frame (opaque payloads keep the zero padding) "
            + "and re-encodes to the same octets")
    void frameRoundTripsPadded(@ForAll("frames") Frame frame) throws DecodeException {
        byte[] unpadded = codec.encode(frame, false);
        byte[] padded = codec.encode(frame, true);
        assertThat(padded.length).isEqualTo(Math.max(EthernetHeader.MIN_FRAME, unpadded.length));
        assertThat(Arrays.copyOf(padded, unpadded.length)).isEqualTo(unpadded);

        Frame decoded = codec.decode(padded);
        Frame expected = switch (frame) {
            case Frame.Vdp v -> v;
            case Frame.Lldp l -> l;
            case Frame.OtherEcp o -> new Frame.OtherEcp(o.ethernet(), o.ecp(),
                    Bytes.wrap(Arrays.copyOfRange(padded, o.ethernet().length() + EcpHeader.LENGTH, padded.length)));
            case Frame.Other o -> new Frame.Other(o.ethernet(),
                    Bytes.wrap(Arrays.copyOfRange(padded, o.ethernet().length(), padded.length)));
        };
        assertThat(decoded).isEqualTo(expected);
        assertThat(codec.encode(decoded, true)).isEqualTo(padded);
    }

    @Property(tries = 1000)
    @Label("LldpCodec decodes an encoded LLDPDU (EVB TLV, extension capability, other TLVs) to an equal PDU")
    void lldpRoundTrips(@ForAll("lldpPdus") LldpPdu pdu, @ForAll @IntRange(max = 20) int padding) throws DecodeException {
        byte[] encoded = lldp.encode(pdu);
        assertThat(encoded).hasSize(pdu.encodedLength());
        assertThat(encoded.length).isLessThanOrEqualTo(EthernetHeader.MAX_PAYLOAD);
        assertThat(lldp.decode(new WireReader(encoded))).isEqualTo(pdu);
        byte[] withPadding = Arrays.copyOf(encoded, encoded.length + padding);
        WireReader r = new WireReader(withPadding);
        assertThat(lldp.decode(r)).isEqualTo(pdu);
        assertThat(r.hasRemaining()).isFalse();
    }

    @Property(tries = 1000)
    @Label("an ECP header decodes to itself: version 1, operation, 10-bit subtype, 16-bit sequence")
    void ecpHeaderRoundTrips(@ForAll("ecpHeaders") EcpHeader header) throws DecodeException {
        WireWriter w = new WireWriter(EcpHeader.LENGTH);
        header.encode(w);
        byte[] b = w.array();
        assertThat(w.position()).isEqualTo(EcpHeader.LENGTH);
        assertThat((b[0] & 0xFF) >>> 4).isEqualTo(EcpHeader.VERSION);
        WireReader r = new WireReader(b);
        assertThat(EcpHeader.decode(r)).isEqualTo(header);
        assertThat(r.hasRemaining()).isFalse();
        if (header.operation() == org.splitnve.wire.ecp.EcpOperation.REQUEST) {
            assertThat(header.ack()).isEqualTo(new EcpHeader(org.splitnve.wire.ecp.EcpOperation.ACK, header.subtype(),
                    header.sequence()));
        }
    }

    @Property(tries = 1000)
    @Label("an Ethernet header (unicast or multicast destination, with or without 802.1Q/802.1ad tag) "
            + "decodes to itself")
    void ethernetHeaderRoundTrips(@ForAll("ethernetHeaders") EthernetHeader header) throws DecodeException {
        WireWriter w = new WireWriter(header.length());
        header.encode(w);
        assertThat(w.position()).isEqualTo(header.length());
        WireReader r = new WireReader(w.array());
        assertThat(EthernetHeader.decode(r)).isEqualTo(header);
        assertThat(r.hasRemaining()).isFalse();
    }
}
