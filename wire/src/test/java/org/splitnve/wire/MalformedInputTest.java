package org.splitnve.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.LldpCodec;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.pcap.PcapReader;
import org.splitnve.wire.testing.Octets;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * SEC-4: hand-crafted malformed input is refused with the specific {@link DecodeError} (and, where
 * it matters, the offset) that names what is wrong. Every malformed input is one change away from a
 * valid one that the "control" tests show decoding, so each refusal is for the stated reason.
 */
@DisplayName("SEC-4: malformed input is refused with a typed error")
class MalformedInputTest {
    static final int OUI = VdpCodec.DEFAULT_OUI;
    static final long STATION = 0x021111000001L;
    static final long UUID_HI = 0xA000_0000_0000_4000L;
    static final long UUID_LO = 0x8000_0000_0000_000AL;
    static final long UNICAST_MAC = 0x525400000001L;

    // ------------------------------------------------------------------ builders

    static Octets eth(int etherType) {
        return Octets.of().u48(0x0180C2000000L).u48(STATION).u16(etherType);
    }

    static Octets ecpRequest(int sequence) {
        return Octets.of().u16(0x1001).u16(sequence);
    }

    static Octets manager() {
        return Octets.of().tlv(5, Octets.of().bytes("blade".getBytes(StandardCharsets.US_ASCII)).zeros(11));
    }

    /** A VSI TLV body: request status, type 5 v1, the given VSIID, filter format and count, entries. */
    static Octets vsiBody(int idFormat, long hi, long lo, int filterFormat, int count, Octets entries) {
        return Octets.of().u8(0).u24(5).u8(1).u8(idFormat).u64(hi).u64(lo).u8(filterFormat).u16(count).bytes(entries);
    }

    /** An Associate VSI TLV with a UUID VSIID and one VID entry. */
    static Octets vsi(int vid) {
        return Octets.of().tlv(3, vsiBody(5, UUID_HI, UUID_LO, 1, 1, Octets.of().u16(vid)));
    }

    static Octets vsi() {
        return vsi(100);
    }

    static Octets capability() {
        return Octets.of().org(OUI, 1, Octets.of().u8(1).u32(0x3FF));
    }

    static Octets session() {
        return Octets.of().org(OUI, 2, Octets.of().u8(0).u32(7).u32(0).u32(1).u64(0).zeros(16));
    }

    static Octets vnConnect() {
        return Octets.of().org(OUI, 3, Octets.of().u8(0).u8(1).u8(1).u32(5000).u8(1).u16(0));
    }

    static Octets addresses() {
        return Octets.of().org(OUI, 4, Octets.of().u8(1).u16(1).u16(0).u8(1).u16(1).u8(4).u8(0).u8(32).u32(0x0A000001));
    }

    static Octets deactivate() {
        return Octets.of().org(OUI, 5, Octets.of().u8(0).u8(1));
    }

    static Octets migration() {
        return Octets.of().org(OUI, 6, Octets.of().u8(2).u64(1).u64(2));
    }

    static Octets reasonDetail(Octets text) {
        return Octets.of().org(OUI, 8, Octets.of().u16(42).bytes(text));
    }

    static Octets auth() {
        return Octets.of().org(OUI, 9, Octets.of().u8(1).u32(1).u64(1).zeros(32));
    }

    static Octets lldpMandatory() {
        return Octets.of().tlv(1, Octets.of().u8(4).u48(STATION)).tlv(2, Octets.of().u8(3).u48(STATION))
                .tlv(3, Octets.of().u16(120));
    }

    static Octets evb() {
        return Octets.of().tlv(127, Octets.of().u24(0x0080C2).u8(0x0D).u8(0).u8(0x0C).u8(0x6E).u8(0xB4).u8(0x34));
    }

    static Octets pcapHeader() {
        return Octets.of().le32(PcapReader.MAGIC_MICROS).u8(2).u8(0).u8(4).u8(0).le32(0).le32(0)
                .le32(PcapReader.MAX_RECORD).le32(1);
    }

    static Octets pcapRecord(int included, int original, Octets data) {
        return Octets.of().le32(1_700_000_000).le32(0).le32(included).le32(original).bytes(data);
    }

    // ------------------------------------------------------------------ decoders

    interface Decoder {
        Object decode(byte[] in) throws DecodeException;
    }

    static DecodeException refused(Decoder d, Octets in) {
        byte[] b = in.toArray();
        try {
            Object accepted = d.decode(b);
            return fail("accepted %s as %s", in, accepted);
        } catch (DecodeException e) {
            return e;
        }
    }

    static VdpPdu vdp(Octets in) throws DecodeException {
        byte[] b = in.toArray();
        return VdpCodec.DEFAULT.decode(b, 0, b.length);
    }

    static DecodeException vdpRefused(Octets in) {
        return refused(MalformedInputTest::vdpOf, in);
    }

    private static Object vdpOf(byte[] b) throws DecodeException {
        return VdpCodec.DEFAULT.decode(b, 0, b.length);
    }

    static DecodeException frameRefused(Octets in) {
        return refused(FrameCodec.DEFAULT::decode, in);
    }

    static DecodeException lldpRefused(Octets in) {
        return refused(b -> LldpCodec.DEFAULT.decode(new WireReader(b)), in);
    }

    static DecodeException pcapRefused(Octets in) {
        return refused(PcapReader::readAll, in);
    }

    // ------------------------------------------------------------------ controls

    @Nested
    @DisplayName("controls: the valid inputs the malformed ones derive from")
    class Controls {
        @Test
        @DisplayName("REQ-12, REQ-5, REQ-8, REQ-10, REQ-11, REQ-13, SM-REASON: a frame with every extension in its place decodes")
        void everyExtensionInPlace() throws DecodeException {
            Octets pdu = Octets.of().bytes(manager()).bytes(capability()).bytes(session()).bytes(vsi())
                    .bytes(addresses()).bytes(deactivate()).bytes(migration())
                    .bytes(reasonDetail(Octets.of().bytes("d\u00e9j\u00e0 vu \u2713 \ud83d\ude00".getBytes(StandardCharsets.UTF_8))))
                    .bytes(vsi(200)).bytes(migration()).bytes(vnConnect()).bytes(reasonDetail(Octets.of())).bytes(auth());
            Frame f = FrameCodec.DEFAULT.decode(Octets.of().bytes(eth(EcpHeader.ETHERTYPE)).bytes(ecpRequest(1)).bytes(pdu)
                    .toArray());
            VdpPdu v = ((Frame.Vdp) f).vdp();
            assertThat(v.header()).hasSize(2);
            assertThat(v.items()).hasSize(3);
            assertThat(v.items().get(0).attached()).hasSize(4);
            assertThat(v.items().get(0).attached(TsiAddressTlv.class).addresses()).hasSize(1);
            assertThat(v.items().get(1).attached(MigrationTlv.class)).isNotNull();
            assertThat(v.auth()).isNotNull();
        }

        @Test
        @DisplayName("REQ-12: the LLDPDU and pcap file the malformed ones derive from decode")
        void lldpAndPcap() throws DecodeException {
            LldpPdu p = LldpCodec.DEFAULT.decode(new WireReader(Octets.of().bytes(lldpMandatory()).bytes(evb()).u16(0).toArray()));
            assertThat(p.evb()).isNotNull();
            Octets frame = Octets.of().bytes(eth(EcpHeader.ETHERTYPE)).u16(0x1401).u16(1);
            assertThat(PcapReader.readAll(Octets.of().bytes(pcapHeader()).bytes(pcapRecord(18, 60, frame)).toArray()))
                    .hasSize(1);
        }

        @Test
        @DisplayName("SEC-4: VDP TLVs of exactly 1494 octets are accepted")
        void exactlyMaxLength() throws DecodeException {
            Octets pdu = Octets.of().bytes(manager());
            for (int i = 0; i < 3; i++) {
                pdu.org(0x00AABB, 1, Octets.of().zeros(486));
            }
            assertThat(pdu.length()).isEqualTo(VdpPdu.MAX_LENGTH);
            assertThat(vdp(pdu).header()).hasSize(3);
        }

        @Test
        @DisplayName("REQ-13: one migration TLV on each of two VSIs is fine")
        void migrationOnTwoVsis() throws DecodeException {
            assertThat(vdp(Octets.of().bytes(manager()).bytes(vsi()).bytes(migration()).bytes(vsi(7)).bytes(migration()))
                    .items()).allSatisfy(i -> assertThat(i.attached(MigrationTlv.class)).isNotNull());
        }
    }

    // ------------------------------------------------------------------ Ethernet and ECP

    @Nested
    @DisplayName("REQ-12, SEC-4: Ethernet and ECP headers")
    class EthernetAndEcp {
        @Test
        @DisplayName("SEC-4: a frame cut inside the ECP header is TRUNCATED")
        void truncatedEcpHeader() {
            assertThat(frameRefused(Octets.of().bytes(eth(EcpHeader.ETHERTYPE)).u8(0x10)).error())
                    .isEqualTo(DecodeError.TRUNCATED);
            DecodeException e = frameRefused(Octets.of().bytes(eth(EcpHeader.ETHERTYPE)).u16(0x1001).u8(0));
            assertThat(e.error()).isEqualTo(DecodeError.TRUNCATED);
            assertThat(e.offset()).isEqualTo(16);
            assertThat(refused(b -> EcpHeader.decode(new WireReader(b)), Octets.hex("1001")).error())
                    .isEqualTo(DecodeError.TRUNCATED);
        }

        @Test
        @DisplayName("SEC-4: a frame cut inside the Ethernet header is TRUNCATED")
        void truncatedEthernetHeader() {
            assertThat(frameRefused(Octets.of().u48(0x0180C2000000L).u48(STATION).u8(0x89)).error())
                    .isEqualTo(DecodeError.TRUNCATED);
        }

        @ParameterizedTest(name = "ECP version {0}")
        @ValueSource(ints = {0, 2, 15})
        @DisplayName("SEC-4, REQ-12: an ECP version other than 1 is UNSUPPORTED_VERSION")
        void ecpVersion(int version) {
            DecodeException e = frameRefused(Octets.of().bytes(eth(EcpHeader.ETHERTYPE)).u16((version << 12) | 1).u16(1));
            assertThat(e.error()).isEqualTo(DecodeError.UNSUPPORTED_VERSION);
            assertThat(e.offset()).isEqualTo(14);
        }

        @ParameterizedTest(name = "ECP operation {0}")
        @ValueSource(ints = {2, 3})
        @DisplayName("SEC-4, REQ-12: a reserved ECP operation is UNKNOWN_VALUE")
        void reservedEcpOperation(int op) {
            assertThat(frameRefused(Octets.of().bytes(eth(EcpHeader.ETHERTYPE)).u16(0x1000 | (op << 10) | 1).u16(1)).error())
                    .isEqualTo(DecodeError.UNKNOWN_VALUE);
        }

        @Test
        @DisplayName("SEC-4: frames longer than 1518 octets, or untagged payloads over 1500, are OVERSIZED")
        void oversizedFrames() {
            assertThat(frameRefused(Octets.of().bytes(eth(0x0800)).zeros(1518 - 14 + 1)).error())
                    .isEqualTo(DecodeError.OVERSIZED);
            assertThat(frameRefused(Octets.of().bytes(eth(0x0800)).zeros(1501)).error()).isEqualTo(DecodeError.OVERSIZED);
        }

        @Test
        @DisplayName("SEC-4: an 802.3 length field (after a tag or not) and a second VLAN tag are WRONG_PROTOCOL, at that field")
        void notAnEtherType() {
            DecodeException untagged = frameRefused(Octets.of().bytes(eth(0x05DC)).zeros(46));
            assertThat(untagged.error()).isEqualTo(DecodeError.WRONG_PROTOCOL);
            assertThat(untagged.offset()).isEqualTo(12);
            DecodeException tagged = frameRefused(Octets.of().u48(0x0180C2000000L).u48(STATION).u16(0x8100).u16(10)
                    .u16(0x05DC).zeros(46));
            assertThat(tagged.error()).isEqualTo(DecodeError.WRONG_PROTOCOL);
            assertThat(tagged.offset()).as("at the length field behind the tag").isEqualTo(16);
            DecodeException qinq = frameRefused(Octets.of().u48(0x0180C2000000L).u48(STATION).u16(0x88A8).u16(10).u16(0x8100)
                    .u16(20).u16(EcpHeader.ETHERTYPE).bytes(ecpRequest(1)));
            assertThat(qinq.error()).isEqualTo(DecodeError.WRONG_PROTOCOL);
            assertThat(qinq.offset()).isEqualTo(16);
        }

        @Test
        @DisplayName("REQ-12: the largest frames are accepted: 1518 octets tagged, 1514 untagged, 1494 octets of VDP TLVs "
                + "and an End TLV")
        void largestFrames() throws DecodeException {
            Octets tagged = Octets.of().u48(0x0180C2000000L).u48(STATION).u16(0x8100).u16(10).u16(0x0800).zeros(1500);
            assertThat(FrameCodec.DEFAULT.decode(tagged.toArray())).isInstanceOf(Frame.Other.class);
            assertThat(FrameCodec.DEFAULT.decode(Octets.of().bytes(eth(0x0800)).zeros(1500).toArray()))
                    .isInstanceOf(Frame.Other.class);
            Octets pdu = Octets.of().bytes(manager());
            for (int i = 0; i < 3; i++) {
                pdu.org(0x00AABB, 1, Octets.of().zeros(486));
            }
            byte[] frame = Octets.of().bytes(eth(EcpHeader.ETHERTYPE)).bytes(ecpRequest(1)).bytes(pdu).u16(0).toArray();
            assertThat(frame).hasSize(1514);
            assertThat(((Frame.Vdp) FrameCodec.DEFAULT.decode(frame)).vdp().encodedLength()).isEqualTo(VdpPdu.MAX_LENGTH);
        }
    }

    // ------------------------------------------------------------------ VDP TLV framing

    @Nested
    @DisplayName("REQ-12, SEC-4: VDP TLV framing")
    class TlvFraming {
        @Test
        @DisplayName("SEC-4: a TLV whose body is cut short is TRUNCATED")
        void truncatedTlv() {
            DecodeException e = vdpRefused(Octets.of().tlvHeader(5, 16).zeros(10));
            assertThat(e.error()).isEqualTo(DecodeError.TRUNCATED);
            assertThat(e.offset()).isEqualTo(2);
        }

        @Test
        @DisplayName("SEC-4: a lone non-zero octet after the TLVs (half a TLV header) is TRUNCATED")
        void halfTlvHeader() {
            assertThat(vdpRefused(Octets.of().bytes(manager()).u8(0x06)).error()).isEqualTo(DecodeError.TRUNCATED);
        }

        @Test
        @DisplayName("SEC-4, REQ-12: a VSI TLV whose length runs past the end of the frame is TRUNCATED")
        void lengthPastFrame() {
            Octets body = vsiBody(5, UUID_HI, UUID_LO, 1, 1, Octets.of().u16(100));
            DecodeException e = frameRefused(Octets.of().bytes(eth(EcpHeader.ETHERTYPE)).bytes(ecpRequest(1))
                    .bytes(manager()).tlvHeader(3, 300).bytes(body));
            assertThat(e.error()).isEqualTo(DecodeError.TRUNCATED);
            assertThat(e.offset()).isEqualTo(14 + 4 + 18 + 2);
        }

        @Test
        @DisplayName("SEC-4: VDP TLVs over 1494 octets are OVERSIZED, through VdpCodec and through FrameCodec")
        void oversized() {
            Octets pdu = Octets.of().bytes(manager());
            for (int i = 0; i < 3; i++) {
                pdu.org(0x00AABB, 1, Octets.of().zeros(486));
            }
            pdu.org(0x00AABB, 1, Octets.of());
            assertThat(pdu.length()).isGreaterThan(VdpPdu.MAX_LENGTH);
            DecodeException e = vdpRefused(pdu);
            assertThat(e.error()).isEqualTo(DecodeError.OVERSIZED);
            assertThat(e.offset()).isZero();

            Octets oneOver = Octets.of().bytes(manager());
            for (int i = 0; i < 3; i++) {
                oneOver.org(0x00AABB, 1, Octets.of().zeros(486));
            }
            oneOver.u16(0x0000); // the End TLV does not count, but one octet more does:
            Octets frame = Octets.of().bytes(eth(EcpHeader.ETHERTYPE)).bytes(ecpRequest(1))
                    .bytes(Arrays.copyOf(oneOver.toArray(), VdpPdu.MAX_LENGTH)).org(0x00AABB, 2, Octets.of());
            assertThat(frameRefused(frame).error()).isEqualTo(DecodeError.OVERSIZED);
        }

        @Test
        @DisplayName("SEC-4: a Manager ID TLV not 16 octets long, an End TLV with a length, a short type-127 TLV are BAD_LENGTH")
        void badLengths() {
            assertThat(vdpRefused(Octets.of().tlv(5, Octets.of().zeros(15))).error()).isEqualTo(DecodeError.BAD_LENGTH);
            assertThat(vdpRefused(Octets.of().bytes(manager()).tlvHeader(0, 1).u8(0)).error()).isEqualTo(DecodeError.BAD_LENGTH);
            assertThat(vdpRefused(Octets.of().bytes(manager()).tlv(127, Octets.of().u24(OUI))).error())
                    .isEqualTo(DecodeError.BAD_LENGTH);
            assertThat(vdpRefused(Octets.of().bytes(manager()).bytes(vsi()).org(OUI, 5, Octets.of().u8(0).u8(1).u8(0))).error())
                    .as("octets left over in a deactivate TLV").isEqualTo(DecodeError.BAD_LENGTH);
        }

        @Test
        @DisplayName("SEC-4: a TLV type that is not a VDP TLV is UNEXPECTED_TLV")
        void notAVdpTlv() {
            assertThat(vdpRefused(Octets.of().bytes(manager()).tlv(6, Octets.of().zeros(4))).error())
                    .isEqualTo(DecodeError.UNEXPECTED_TLV);
        }
    }

    // ------------------------------------------------------------------ VSI TLV

    @Nested
    @DisplayName("ID-2, REQ-7, SEC-4: the VSI TLV")
    class Vsi {
        static Octets withVsi(Octets vsiBody) {
            return Octets.of().bytes(manager()).tlv(3, vsiBody);
        }

        @Test
        @DisplayName("SEC-4: an entry count that does not match the TLV length is COUNT_MISMATCH")
        void countMismatch() {
            DecodeException e = vdpRefused(withVsi(vsiBody(5, UUID_HI, UUID_LO, 1, 2, Octets.of().u16(100))));
            assertThat(e.error()).isEqualTo(DecodeError.COUNT_MISMATCH);
            assertThat(e.offset()).as("at the filter format").isEqualTo(18 + 2 + 22);
            assertThat(vdpRefused(withVsi(vsiBody(5, UUID_HI, UUID_LO, 1, 1, Octets.of().u16(100).u16(200)))).error())
                    .isEqualTo(DecodeError.COUNT_MISMATCH);
            assertThat(vdpRefused(withVsi(vsiBody(5, UUID_HI, UUID_LO, 1, 0, Octets.of().u16(100)))).error())
                    .isEqualTo(DecodeError.COUNT_MISMATCH);
            assertThat(vdpRefused(withVsi(vsiBody(5, UUID_HI, UUID_LO, 2, 1, Octets.of().u16(100)))).error())
                    .as("a VID-sized entry under the MAC/VID format").isEqualTo(DecodeError.COUNT_MISMATCH);
        }

        @ParameterizedTest(name = "VSIID format {0}")
        @ValueSource(ints = {0, 6, 255})
        @DisplayName("ID-2, SEC-4: an unknown VSIID format is UNKNOWN_VALUE")
        void unknownVsiidFormat(int format) {
            DecodeException e = vdpRefused(withVsi(vsiBody(format, UUID_HI, UUID_LO, 1, 1, Octets.of().u16(100))));
            assertThat(e.error()).isEqualTo(DecodeError.UNKNOWN_VALUE);
            assertThat(e.offset()).isEqualTo(18 + 2 + 5);
        }

        @ParameterizedTest(name = "filter format {0}")
        @ValueSource(ints = {0, 5, 255})
        @DisplayName("SEC-4: an unknown filter info format is UNKNOWN_VALUE")
        void unknownFilterFormat(int format) {
            assertThat(vdpRefused(withVsi(vsiBody(5, UUID_HI, UUID_LO, format, 1, Octets.of().u16(100)))).error())
                    .isEqualTo(DecodeError.UNKNOWN_VALUE);
        }

        void assertInvalidVsiid(int format, long hi, long lo) {
            DecodeException e = vdpRefused(withVsi(vsiBody(format, hi, lo, 1, 1, Octets.of().u16(100))));
            assertThat(e.error()).isEqualTo(DecodeError.INVALID_VSIID);
            assertThat(e.offset()).as("at the VSIID format").isEqualTo(18 + 2 + 5);
            assertThat(e.error().vdpReason()).as("VDP reason: invalid format").isEqualTo(1);
        }

        @Test
        @DisplayName("ID-2, SEC-4: an IPv4 VSIID that is not ::ffff:a.b.c.d with a non-zero address is INVALID_VSIID")
        void invalidIpv4Vsiid() {
            assertInvalidVsiid(1, 0, 0x0A000001L);                   // ::10.0.0.1, no ffff
            assertInvalidVsiid(1, 0, 0xFFFF_0000_0000L);             // ::ffff:0.0.0.0
            assertInvalidVsiid(1, 1, 0xFFFF_0A00_0001L);             // high half not zero
            assertInvalidVsiid(1, 0, 0x0001_FFFF_0A00_0001L);        // octets 8-9 not zero
        }

        @Test
        @DisplayName("ID-2, SEC-4: a MAC VSIID with a multicast, zero or over-wide MAC is INVALID_VSIID")
        void invalidMacVsiid() {
            assertInvalidVsiid(3, 0, 0x01005E000001L);
            assertInvalidVsiid(3, 0, 0);
            assertInvalidVsiid(3, 0, 0x0001_5254_0000_0001L);
        }

        @Test
        @DisplayName("ID-2, SEC-4: the nil UUID and the all-zero IPv6 VSIID are INVALID_VSIID")
        void zeroVsiids() {
            assertInvalidVsiid(5, 0, 0);
            assertInvalidVsiid(2, 0, 0);
        }

        @Test
        @DisplayName("REQ-7, SEC-4: VID 4095 in a filter entry is INVALID_VID_GROUP_OR_MAC, VDP reason 5")
        void reservedVid() {
            for (int word : new int[] {0x0FFF, 0x5FFF, 0xFFFF}) {
                DecodeException e = vdpRefused(withVsi(vsiBody(5, UUID_HI, UUID_LO, 1, 1, Octets.of().u16(word))));
                assertThat(e.error()).isEqualTo(DecodeError.INVALID_VID_GROUP_OR_MAC);
                assertThat(e.error().vdpReason()).isEqualTo(5);
            }
            assertThat(vdpRefused(withVsi(vsiBody(5, UUID_HI, UUID_LO, 3, 1, Octets.of().u32(5000).u16(4095)))).error())
                    .isEqualTo(DecodeError.INVALID_VID_GROUP_OR_MAC);
        }

        @Test
        @DisplayName("REQ-7, SEC-4: a multicast or zero filter MAC is INVALID_VID_GROUP_OR_MAC, VDP reason 5")
        void invalidFilterMac() {
            for (long mac : new long[] {0x01005E000001L, 0xFFFFFFFFFFFFL, 0}) {
                DecodeException e = vdpRefused(withVsi(vsiBody(5, UUID_HI, UUID_LO, 2, 1, Octets.of().u48(mac).u16(100))));
                assertThat(e.error()).isEqualTo(DecodeError.INVALID_VID_GROUP_OR_MAC);
                assertThat(e.error().vdpReason()).isEqualTo(5);
            }
            assertThat(vdpRefused(withVsi(vsiBody(5, UUID_HI, UUID_LO, 4, 1, Octets.of().u32(1).u48(0x330000000001L).u16(1))))
                    .error()).isEqualTo(DecodeError.INVALID_VID_GROUP_OR_MAC);
        }

        @Test
        @DisplayName("SEC-4: a VSI TLV shorter than its fixed part is BAD_LENGTH")
        void shortVsiTlv() {
            assertThat(vdpRefused(Octets.of().bytes(manager()).tlv(3, Octets.of().zeros(VsiTlv.FIXED_BODY - 1))).error())
                    .isEqualTo(DecodeError.BAD_LENGTH);
        }
    }

    // ------------------------------------------------------------------ placement

    @Nested
    @DisplayName("SEC-4: where TLVs may stand")
    class Placement {
        @Test
        @DisplayName("SEC-4: a Manager ID that is not first, or is repeated, is MANAGER_ID_PLACEMENT")
        void managerIdNotFirstOrRepeated() {
            DecodeException notFirst = vdpRefused(Octets.of().bytes(capability()).bytes(manager()).bytes(vsi()));
            assertThat(notFirst.error()).isEqualTo(DecodeError.MANAGER_ID_PLACEMENT);
            assertThat(notFirst.offset()).isEqualTo(capability().length());
            assertThat(vdpRefused(Octets.of().bytes(manager()).bytes(manager()).bytes(vsi())).error())
                    .isEqualTo(DecodeError.MANAGER_ID_PLACEMENT);
            assertThat(vdpRefused(Octets.of().bytes(manager()).bytes(vsi()).bytes(manager())).error())
                    .isEqualTo(DecodeError.MANAGER_ID_PLACEMENT);
        }

        @Test
        @DisplayName("SEC-4, REQ-12: a VSI TLV without a Manager ID before it is MANAGER_ID_PLACEMENT")
        void vsiWithoutManagerId() {
            assertThat(vdpRefused(vsi()).error()).isEqualTo(DecodeError.MANAGER_ID_PLACEMENT);
            assertThat(vdpRefused(Octets.of().bytes(capability()).bytes(vsi())).error())
                    .isEqualTo(DecodeError.MANAGER_ID_PLACEMENT);
            assertThat(vdpRefused(Octets.of().bytes(vnConnect()).bytes(vsi())).error())
                    .isEqualTo(DecodeError.MANAGER_ID_PLACEMENT);
        }

        @Test
        @DisplayName("REQ-10, GAP-10, SEC-4: a TSI address TLV before any VSI TLV, or after a VN connect, is UNEXPECTED_TLV")
        void addressesBeforeVsi() {
            DecodeException e = vdpRefused(Octets.of().bytes(manager()).bytes(addresses()).bytes(vsi()));
            assertThat(e.error()).isEqualTo(DecodeError.UNEXPECTED_TLV);
            assertThat(e.offset()).isEqualTo(18);
            assertThat(vdpRefused(Octets.of().bytes(manager()).bytes(vnConnect()).bytes(addresses())).error())
                    .isEqualTo(DecodeError.UNEXPECTED_TLV);
        }

        @Test
        @DisplayName("SEC-4: a session or capability TLV after an item, or a second one in the header, is UNEXPECTED_TLV")
        void headerTlvAfterItem() {
            assertThat(vdpRefused(Octets.of().bytes(manager()).bytes(vsi()).bytes(session())).error())
                    .isEqualTo(DecodeError.UNEXPECTED_TLV);
            assertThat(vdpRefused(Octets.of().bytes(vnConnect()).bytes(capability())).error())
                    .isEqualTo(DecodeError.UNEXPECTED_TLV);
            assertThat(vdpRefused(Octets.of().bytes(manager()).bytes(session()).bytes(session())).error())
                    .isEqualTo(DecodeError.UNEXPECTED_TLV);
        }

        @Test
        @DisplayName("REQ-11, GAP-11, SEC-4: any TLV after the authentication TLV is UNEXPECTED_TLV")
        void tlvAfterAuth() {
            for (Octets after : List.of(vsi(), auth(), Octets.of().org(0x00AABB, 1, Octets.of()), migration())) {
                DecodeException e = vdpRefused(Octets.of().bytes(manager()).bytes(vsi()).bytes(auth()).bytes(after));
                assertThat(e.error()).as("after auth: %s", after).isEqualTo(DecodeError.UNEXPECTED_TLV);
                assertThat(e.offset()).isEqualTo(18 + vsi().length() + auth().length());
            }
        }

        @Test
        @DisplayName("REQ-13, GAP-13, REQ-8, GAP-8, SM-REASON, SEC-4: two migration, deactivate or reason detail TLVs on one VSI "
                + "are UNEXPECTED_TLV")
        void twoOfAKindOnOneVsi() {
            assertThat(vdpRefused(Octets.of().bytes(manager()).bytes(vsi()).bytes(migration()).bytes(migration())).error())
                    .isEqualTo(DecodeError.UNEXPECTED_TLV);
            assertThat(vdpRefused(Octets.of().bytes(manager()).bytes(vsi()).bytes(migration()).bytes(addresses())
                    .bytes(migration())).error()).isEqualTo(DecodeError.UNEXPECTED_TLV);
            assertThat(vdpRefused(Octets.of().bytes(manager()).bytes(vsi()).bytes(deactivate()).bytes(deactivate())).error())
                    .isEqualTo(DecodeError.UNEXPECTED_TLV);
            Octets detail = reasonDetail(Octets.of());
            assertThat(vdpRefused(Octets.of().bytes(vnConnect()).bytes(detail).bytes(detail)).error())
                    .isEqualTo(DecodeError.UNEXPECTED_TLV);
        }

        @Test
        @DisplayName("REQ-8, GAP-8, REQ-13, SEC-4: deactivate and migration TLVs attached to a VN connect are UNEXPECTED_TLV")
        void vsiOnlyTlvsOnVnConnect() {
            assertThat(vdpRefused(Octets.of().bytes(vnConnect()).bytes(deactivate())).error())
                    .isEqualTo(DecodeError.UNEXPECTED_TLV);
            assertThat(vdpRefused(Octets.of().bytes(vnConnect()).bytes(migration())).error())
                    .isEqualTo(DecodeError.UNEXPECTED_TLV);
        }
    }

    // ------------------------------------------------------------------ extension bodies

    @Nested
    @DisplayName("SEC-4: extension TLV bodies")
    class ExtensionBodies {
        static Octets onVsi(Octets ext) {
            return Octets.of().bytes(manager()).bytes(vsi()).bytes(ext);
        }

        @ParameterizedTest(name = "reason text {0}")
        @ValueSource(strings = {"c328", "ff", "c0af", "eda080", "e282", "f4908080", "41fe42"})
        @DisplayName("SM-REASON, SEC-4: reason text that is not UTF-8 (bad continuation, 0xFF, overlong, surrogate, cut, "
                + "beyond U+10FFFF) is INVALID_TEXT")
        void badUtf8(String hex) {
            DecodeException e = vdpRefused(onVsi(reasonDetail(Octets.hex(hex))));
            assertThat(e.error()).isEqualTo(DecodeError.INVALID_TEXT);
            assertThat(e.offset()).as("at the text").isEqualTo(18 + vsi().length() + 6 + 2);
        }

        @Test
        @DisplayName("SM-EXT, SEC-4: a VN profile or VN alias parameter that is not UTF-8 is INVALID_TEXT")
        void badUtf8Parameter() {
            for (int type : new int[] {1, 3}) {
                DecodeException e = vdpRefused(onVsi(Octets.of().org(OUI, 7, Octets.of().u8(6).u8(2).u16(1500)
                        .u8(type).u8(3).u8('a').u16(0xC328))));
                assertThat(e.error()).isEqualTo(DecodeError.INVALID_TEXT);
                assertThat(e.offset()).as("at the parameter value, counted from the start of the buffer")
                        .isEqualTo(18 + vsi().length() + 6 + 4 + 2);
            }
        }

        @Test
        @DisplayName("SM-REASON, SEC-4: reason text over 255 octets is OVERSIZED")
        void longReasonText() {
            assertThat(vdpRefused(onVsi(reasonDetail(Octets.of().fill(256, 'a')))).error()).isEqualTo(DecodeError.OVERSIZED);
        }

        @Test
        @DisplayName("SM-EXT, SEC-4: parameter type 0, a 10-octet QoS, QoS priority 8, a 25-bit VNI are INVALID_FIELD")
        void badParameters() {
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 7, Octets.of().u8(0).u8(0)))).error())
                    .isEqualTo(DecodeError.INVALID_FIELD);
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 7, Octets.of().u8(2).u8(10).zeros(10)))).error())
                    .isEqualTo(DecodeError.INVALID_FIELD);
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 7, Octets.of().u8(2).u8(9).zeros(8).u8(8)))).error())
                    .isEqualTo(DecodeError.INVALID_FIELD);
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 7, Octets.of().u8(4).u8(4).u32(0x01000000)))).error())
                    .isEqualTo(DecodeError.INVALID_FIELD);
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 7, Octets.of().u8(6).u8(3).zeros(2)))).error())
                    .as("a parameter running past its TLV").isEqualTo(DecodeError.TRUNCATED);
        }

        @Test
        @DisplayName("REQ-5, REQ-6, REQ-7, SEC-4: VN connect with a wrong tag count, tag 4095, an unknown operation or VN ID kind")
        void badVnConnect() {
            assertThat(vdpRefused(Octets.of().org(OUI, 3, Octets.of().u8(0).u8(1).u8(1).u32(5).u8(2).u16(0))).error())
                    .isEqualTo(DecodeError.COUNT_MISMATCH);
            DecodeException tag = vdpRefused(Octets.of().org(OUI, 3, Octets.of().u8(0).u8(1).u8(1).u32(5).u8(1).u16(0x0FFF)));
            assertThat(tag.error()).isEqualTo(DecodeError.INVALID_VID_GROUP_OR_MAC);
            assertThat(tag.error().vdpReason()).isEqualTo(5);
            assertThat(vdpRefused(Octets.of().org(OUI, 3, Octets.of().u8(0).u8(1).u8(1).u32(5).u8(1).u16(0x1001))).error())
                    .isEqualTo(DecodeError.INVALID_VID_GROUP_OR_MAC);
            assertThat(vdpRefused(Octets.of().org(OUI, 3, Octets.of().u8(0).u8(4).u8(1).u32(5).u8(0))).error())
                    .isEqualTo(DecodeError.UNKNOWN_VALUE);
            assertThat(vdpRefused(Octets.of().org(OUI, 3, Octets.of().u8(0).u8(1).u8(3).u32(5).u8(0))).error())
                    .isEqualTo(DecodeError.UNKNOWN_VALUE);
            assertThat(vdpRefused(Octets.of().org(OUI, 3, Octets.of().u8(0).u8(1).u8(2).zeros(16).u8(0))).error())
                    .as("nil VN Name").isEqualTo(DecodeError.INVALID_FIELD);
            assertThat(vdpRefused(Octets.of().org(OUI, 3, Octets.of().u8(0).u8(1).u8(1).u32(5).u8(33).zeros(66))).error())
                    .as("33 tags").isEqualTo(DecodeError.INVALID_FIELD);
        }

        @Test
        @DisplayName("REQ-10, GAP-10, ID-3, ID-4, SEC-4: TSI address entries with a multicast MAC, a wrong family, a long prefix, "
                + "a wrong count")
        void badAddresses() {
            Octets head = Octets.of().u8(1).u16(1).u16(0).u8(1).u16(1);
            DecodeException mac = vdpRefused(onVsi(Octets.of().org(OUI, 4, Octets.of().bytes(head).u8(1).u8(0).u8(48)
                    .u48(0x01005E000001L))));
            assertThat(mac.error()).isEqualTo(DecodeError.INVALID_VID_GROUP_OR_MAC);
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 4, Octets.of().bytes(head).u8(4).u8(1).u8(32).u32(0x0A000001)
                    .u48(0x010000000001L)))).error()).as("bound multicast MAC").isEqualTo(DecodeError.INVALID_VID_GROUP_OR_MAC);
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 4, Octets.of().bytes(head).u8(5).u8(0).u8(32).u32(1)))).error())
                    .isEqualTo(DecodeError.UNKNOWN_VALUE);
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 4, Octets.of().bytes(head).u8(4).u8(0).u8(33).u32(1)))).error())
                    .isEqualTo(DecodeError.INVALID_FIELD);
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 4, Octets.of().bytes(head).u8(6).u8(0).u8(129).zeros(16)))).error())
                    .isEqualTo(DecodeError.INVALID_FIELD);
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 4, Octets.of().u8(1).u16(1).u16(0).u8(1).u16(0).u8(4).u8(0)
                    .u8(32).u32(1)))).error()).as("an entry beyond the count").isEqualTo(DecodeError.COUNT_MISMATCH);
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 4, Octets.of().u8(4).u16(1).u16(0).u8(1).u16(0)))).error())
                    .as("operation 4").isEqualTo(DecodeError.UNKNOWN_VALUE);
        }

        @Test
        @DisplayName("REQ-13, GAP-13, SEC-4: a migration with the nil migration ID, or 'not a migration' with one, is INVALID_FIELD;"
                + " an unknown indication is UNKNOWN_VALUE")
        void badMigration() {
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 6, Octets.of().u8(2).zeros(16)))).error())
                    .isEqualTo(DecodeError.INVALID_FIELD);
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 6, Octets.of().u8(1).u64(0).u64(1)))).error())
                    .isEqualTo(DecodeError.INVALID_FIELD);
            // 4 is ARRIVED since LC-MIGRATE make-before-break (docs/protocol.md 5.6): 5 is the first unknown indication
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 6, Octets.of().u8(5).u64(0).u64(1)))).error())
                    .isEqualTo(DecodeError.UNKNOWN_VALUE);
        }

        @Test
        @DisplayName("REQ-8, GAP-8, SEC-4: a deactivate TLV with unknown flags or cause")
        void badDeactivate() {
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 5, Octets.of().u8(2).u8(0)))).error())
                    .isEqualTo(DecodeError.INVALID_FIELD);
            assertThat(vdpRefused(onVsi(Octets.of().org(OUI, 5, Octets.of().u8(0).u8(6)))).error())
                    .isEqualTo(DecodeError.UNKNOWN_VALUE);
        }

        @Test
        @DisplayName("REQ-11, GAP-11, SEC-4: an authentication TLV with an unknown algorithm or a short tag")
        void badAuth() {
            assertThat(vdpRefused(Octets.of().bytes(manager()).org(OUI, 9, Octets.of().u8(2).u32(1).u64(1).zeros(32))).error())
                    .isEqualTo(DecodeError.UNKNOWN_VALUE);
            assertThat(vdpRefused(Octets.of().bytes(manager()).org(OUI, 9, Octets.of().u8(1).u32(1).u64(1).zeros(31))).error())
                    .isEqualTo(DecodeError.TRUNCATED);
        }

        @Test
        @DisplayName("SEC-4: a session TLV with epoch 0 or unknown flags, a capability TLV of version 0")
        void badSessionAndCapability() {
            assertThat(vdpRefused(Octets.of().bytes(manager()).org(OUI, 2, Octets.of().u8(0).u32(0).u32(0).u32(0).u64(0)
                    .zeros(16))).error()).isEqualTo(DecodeError.INVALID_FIELD);
            assertThat(vdpRefused(Octets.of().bytes(manager()).org(OUI, 2, Octets.of().u8(8).u32(1).u32(0).u32(0).u64(0)
                    .zeros(16))).error()).isEqualTo(DecodeError.INVALID_FIELD);
            assertThat(vdpRefused(Octets.of().bytes(manager()).org(OUI, 1, Octets.of().u8(0).u32(1))).error())
                    .isEqualTo(DecodeError.UNSUPPORTED_VERSION);
        }

        @Test
        @DisplayName("OPS-3, SEC-4: capability limits (version 2): a count beyond the body, a missing count, kind 0, a kind "
                + "twice, octets after the limits of a version-2 body; in VDP and in LLDP")
        void badCapabilityLimits() {
            Octets[] bodies = {
                Octets.of().u8(2).u32(1).u8(2).u8(1).u32(4096),                       // two announced, one there
                Octets.of().u8(2).u32(1),                                             // no count
                Octets.of().u8(2).u32(1).u8(1).u8(0).u32(4096),                       // kind 0
                Octets.of().u8(2).u32(1).u8(2).u8(1).u32(4096).u8(1).u32(10),         // kind 1 twice
                Octets.of().u8(2).u32(1).u8(1).u8(1).u32(4096).u8(0),                 // an octet after the limits
            };
            DecodeError[] errors = {DecodeError.COUNT_MISMATCH, DecodeError.TRUNCATED, DecodeError.INVALID_FIELD,
                DecodeError.INVALID_FIELD, DecodeError.BAD_LENGTH};
            for (int i = 0; i < bodies.length; i++) {
                assertThat(vdpRefused(Octets.of().bytes(manager()).org(OUI, 1, bodies[i])).error()).as("VDP body %d", i)
                        .isEqualTo(errors[i]);
                assertThat(lldpRefused(Octets.of().bytes(lldpMandatory()).org(OUI, 1, bodies[i]).u16(0)).error())
                        .as("LLDP body %d", i).isEqualTo(errors[i]);
            }
        }
    }

    // ------------------------------------------------------------------ LLDP

    @Nested
    @DisplayName("REQ-12, SEC-4: LLDPDUs")
    class Lldp {
        @Test
        @DisplayName("SEC-4: an LLDPDU without its End TLV is TRUNCATED")
        void missingEnd() {
            assertThat(lldpRefused(Octets.of().bytes(lldpMandatory()).bytes(evb())).error()).isEqualTo(DecodeError.TRUNCATED);
            assertThat(lldpRefused(lldpMandatory()).error()).isEqualTo(DecodeError.TRUNCATED);
        }

        @Test
        @DisplayName("SEC-4: mandatory TLVs out of order, missing or repeated are UNEXPECTED_TLV")
        void wrongMandatoryOrder() {
            Octets chassis = Octets.of().tlv(1, Octets.of().u8(4).u48(STATION));
            Octets port = Octets.of().tlv(2, Octets.of().u8(3).u48(STATION));
            Octets ttl = Octets.of().tlv(3, Octets.of().u16(120));
            Octets end = Octets.of().u16(0);
            assertThat(lldpRefused(Octets.of().bytes(port).bytes(chassis).bytes(ttl).bytes(end)).error())
                    .isEqualTo(DecodeError.UNEXPECTED_TLV);
            assertThat(lldpRefused(Octets.of().bytes(chassis).bytes(ttl).bytes(port).bytes(end)).error())
                    .isEqualTo(DecodeError.UNEXPECTED_TLV);
            DecodeException noTtl = lldpRefused(Octets.of().bytes(chassis).bytes(port).bytes(evb()).bytes(end));
            assertThat(noTtl.error()).isEqualTo(DecodeError.UNEXPECTED_TLV);
            assertThat(noTtl.offset()).isEqualTo(chassis.length() + port.length());
            assertThat(lldpRefused(Octets.of().bytes(lldpMandatory()).bytes(chassis).bytes(end)).error())
                    .isEqualTo(DecodeError.UNEXPECTED_TLV);
            assertThat(lldpRefused(Octets.of().bytes(chassis).bytes(port).tlv(3, Octets.of().u16(120).u8(0)).bytes(end))
                    .error()).as("TTL of length 3").isEqualTo(DecodeError.UNEXPECTED_TLV);
        }

        @Test
        @DisplayName("SEC-4: a chassis ID subtype 0, an empty chassis ID, an EVB TLV of 6 octets, an End TLV with a length")
        void badFields() {
            Octets rest = Octets.of().tlv(2, Octets.of().u8(3).u48(STATION)).tlv(3, Octets.of().u16(120)).u16(0);
            assertThat(lldpRefused(Octets.of().tlv(1, Octets.of().u8(0).u48(STATION)).bytes(rest)).error())
                    .isEqualTo(DecodeError.UNKNOWN_VALUE);
            assertThat(lldpRefused(Octets.of().tlv(1, Octets.of().u8(4)).bytes(rest)).error()).isEqualTo(DecodeError.BAD_LENGTH);
            assertThat(lldpRefused(Octets.of().bytes(lldpMandatory()).tlv(127, Octets.of().u24(0x0080C2).u8(0x0D).zeros(6))
                    .u16(0)).error()).isEqualTo(DecodeError.BAD_LENGTH);
            assertThat(lldpRefused(Octets.of().bytes(lldpMandatory()).tlvHeader(0, 2).u16(0)).error())
                    .isEqualTo(DecodeError.BAD_LENGTH);
        }

        @Test
        @DisplayName("REQ-12, SEC-4: the same refusals come through FrameCodec for EtherType 0x88cc")
        void throughFrameCodec() {
            assertThat(frameRefused(Octets.of().bytes(eth(LldpPdu.ETHERTYPE)).bytes(lldpMandatory())).error())
                    .isEqualTo(DecodeError.TRUNCATED);
        }
    }

    // ------------------------------------------------------------------ pcap

    @Nested
    @DisplayName("SEC-4: pcap files")
    class Pcap {
        static final Octets FRAME = Octets.of().bytes(eth(EcpHeader.ETHERTYPE)).u16(0x1401).u16(1);

        @Test
        @DisplayName("SEC-4: a bad magic, a pcapng file and a file shorter than the header are WRONG_PROTOCOL")
        void notPcap() {
            assertThat(pcapRefused(Octets.of().u32(0xDEADBEEF).zeros(20)).error()).isEqualTo(DecodeError.WRONG_PROTOCOL);
            DecodeException ng = pcapRefused(Octets.hex("0a0d0d0a 1c000000 4d3c2b1a 01000000 ffffffffffffffff 1c000000"));
            assertThat(ng.error()).isEqualTo(DecodeError.WRONG_PROTOCOL);
            assertThat(ng.detail()).contains("pcapng");
            assertThat(pcapRefused(Octets.of().le32(PcapReader.MAGIC_MICROS).zeros(10)).error())
                    .isEqualTo(DecodeError.WRONG_PROTOCOL);
            assertThat(pcapRefused(Octets.of()).error()).isEqualTo(DecodeError.WRONG_PROTOCOL);
        }

        @Test
        @DisplayName("SEC-4: a record cut in its header or its data is TRUNCATED")
        void truncatedRecord() {
            DecodeException header = pcapRefused(Octets.of().bytes(pcapHeader()).bytes(pcapRecord(18, 18, FRAME))
                    .bytes(Arrays.copyOf(pcapRecord(18, 18, FRAME).toArray(), 10)));
            assertThat(header.error()).isEqualTo(DecodeError.TRUNCATED);
            assertThat(header.offset()).isEqualTo(24 + 16 + 18);
            DecodeException data = pcapRefused(Octets.of().bytes(pcapHeader()).bytes(pcapRecord(60, 60, FRAME)));
            assertThat(data.error()).isEqualTo(DecodeError.TRUNCATED);
            assertThat(data.offset()).isEqualTo(24 + 16);
        }

        @Test
        @DisplayName("SEC-4: pcap version 3, link type 105, captured length over snaplen, original below captured, "
                + "microseconds over 999999")
        void badHeaderFields() {
            Octets v3 = Octets.of().le32(PcapReader.MAGIC_MICROS).u8(3).u8(0).u8(4).u8(0).zeros(8).le32(65535).le32(1);
            assertThat(pcapRefused(v3).error()).isEqualTo(DecodeError.UNSUPPORTED_VERSION);
            Octets wifi = Octets.of().le32(PcapReader.MAGIC_MICROS).u8(2).u8(0).u8(4).u8(0).zeros(8).le32(65535).le32(105);
            assertThat(pcapRefused(wifi).error()).isEqualTo(DecodeError.WRONG_PROTOCOL);
            Octets small = Octets.of().le32(PcapReader.MAGIC_MICROS).u8(2).u8(0).u8(4).u8(0).zeros(8).le32(10).le32(1);
            assertThat(pcapRefused(Octets.of().bytes(small).bytes(pcapRecord(18, 18, FRAME))).error())
                    .isEqualTo(DecodeError.OVERSIZED);
            assertThat(pcapRefused(Octets.of().bytes(pcapHeader()).bytes(pcapRecord(18, 17, FRAME))).error())
                    .isEqualTo(DecodeError.BAD_LENGTH);
            assertThat(pcapRefused(Octets.of().bytes(pcapHeader()).le32(1).le32(1_000_000).le32(18).le32(18).bytes(FRAME))
                    .error()).isEqualTo(DecodeError.INVALID_FIELD);
        }
    }

    // ------------------------------------------------------------------ reasons

    @Test
    @DisplayName("SM-REASON, SEC-4: decode errors map to VDP reason codes: INVALID_VSIID -> 1 (invalid format), "
            + "INVALID_VID_GROUP_OR_MAC -> 5, WRONG_PROTOCOL -> 4; all within 4 bits")
    void vdpReasonMapping() {
        assertThat(DecodeError.INVALID_VSIID.vdpReason()).isEqualTo(1);
        assertThat(DecodeError.INVALID_VID_GROUP_OR_MAC.vdpReason()).isEqualTo(5);
        assertThat(DecodeError.WRONG_PROTOCOL.vdpReason()).isEqualTo(4);
        for (DecodeError e : EnumSet.allOf(DecodeError.class)) {
            assertThat(e.vdpReason()).as("%s", e).isBetween(1, 15);
        }
        assertThat(EnumSet.complementOf(EnumSet.of(DecodeError.INVALID_VID_GROUP_OR_MAC, DecodeError.WRONG_PROTOCOL)))
                .allSatisfy(e -> assertThat(e.vdpReason()).as("%s", e).isEqualTo(1));
    }
}
