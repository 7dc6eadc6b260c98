package org.splitnve.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.wire.testing.Totality.decodeOrRefuse;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.LldpCodec;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.pcap.PcapReader;
import org.splitnve.wire.pcap.PcapRecord;
import org.splitnve.wire.testing.Corpus;
import org.splitnve.wire.testing.LengthField;
import org.splitnve.wire.testing.Mutation;
import org.splitnve.wire.testing.Noise;
import org.splitnve.wire.testing.Totality;
import org.splitnve.wire.testing.WireArbitraries;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VdpPdu;

/**
 * SEC-4: the decoders are total. Random octets, structure-aware noise and mutations of valid
 * encodings (bit flips, octet replacements, truncations, insertions, deletions, length and count
 * field corruption, duplicated and dropped TLVs, appended garbage) are decoded or refused with a
 * {@link DecodeException} carrying a reason and an offset inside the input; nothing else is ever
 * thrown. What a decoder accepts, its encoder writes back to something that decodes to the same value.
 *
 * <p>Tries per property are set so that these properties alone make 103,000 cases in the default run
 * (about 10 s on two cores): random and noisy input 53,000, mutated valid input 50,000.
 */
@Label("SEC-4: decoders are total over random and mutated input")
class DecoderTotalityTest {
    private static final FrameCodec FRAMES = FrameCodec.DEFAULT;
    private static final VdpCodec VDP = VdpCodec.DEFAULT;
    private static final LldpCodec LLDP = LldpCodec.DEFAULT;

    // ---------------------------------------------------------------- checks

    static void frameIsTotal(byte[] input) {
        Frame f = decodeOrRefuse("FrameCodec.decode", input, FRAMES::decode);
        if (f != null) {
            byte[] again = FRAMES.encode(f, false);
            assertThat(again.length).as("re-encoded length").isLessThanOrEqualTo(input.length);
            Frame back = decodeOrRefuse("FrameCodec.decode of a re-encoded frame", again, FRAMES::decode);
            assertThat(back).as("re-decoding the re-encoded %s", Totality.hex(input)).isEqualTo(f);
        }
    }

    static void vdpIsTotal(byte[] input) {
        VdpPdu pdu = decodeOrRefuse("VdpCodec.decode", input, b -> VDP.decode(b, 0, b.length));
        if (pdu != null) {
            byte[] again = VDP.encode(pdu);
            assertThat(again.length).as("re-encoded length").isLessThanOrEqualTo(input.length);
            VdpPdu back = decodeOrRefuse("VdpCodec.decode of a re-encoded PDU", again, b -> VDP.decode(b, 0, b.length));
            assertThat(back).as("re-decoding the re-encoded %s", Totality.hex(input)).isEqualTo(pdu);
        }
    }

    static void lldpIsTotal(byte[] input) {
        LldpPdu pdu = decodeOrRefuse("LldpCodec.decode", input, b -> LLDP.decode(new WireReader(b)));
        if (pdu != null) {
            byte[] again = LLDP.encode(pdu);
            assertThat(again.length).as("re-encoded length").isLessThanOrEqualTo(input.length);
            LldpPdu back = decodeOrRefuse("LldpCodec.decode of a re-encoded PDU", again, b -> LLDP.decode(new WireReader(b)));
            assertThat(back).as("re-decoding the re-encoded %s", Totality.hex(input)).isEqualTo(pdu);
        }
    }

    static void pcapIsTotal(byte[] input) {
        List<PcapRecord> records = decodeOrRefuse("PcapReader.readAll", input, PcapReader::readAll);
        if (records != null) {
            for (int i = 0; i < records.size(); i++) {
                PcapRecord r = records.get(i);
                assertThat(r.number()).isEqualTo(i + 1);
                assertThat(r.originalLength()).isGreaterThanOrEqualTo(r.data().length());
                frameIsTotal(r.data().toArray());
            }
        }
    }

    // ---------------------------------------------------------------- inputs

    @Provide
    Arbitrary<byte[]> randomOctets() {
        return Noise.anyOctets(1600);
    }

    @Provide
    Arbitrary<byte[]> noisyFrames() {
        return Noise.frames();
    }

    @Provide
    Arbitrary<byte[]> noisyVdp() {
        return Arbitraries.oneOf(Noise.vdpTlvs(), Noise.anyOctets(200));
    }

    @Provide
    Arbitrary<byte[]> noisyLldp() {
        return Arbitraries.oneOf(Noise.lldpTlvs(), Noise.anyOctets(200));
    }

    @Provide
    Arbitrary<byte[]> noisyPcaps() {
        return Arbitraries.oneOf(Noise.pcapFiles(), Noise.anyOctets(100));
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        return Mutation.lists();
    }

    @Provide
    Arbitrary<Integer> corpusIndex() {
        return Arbitraries.integers().between(0, Integer.MAX_VALUE);
    }

    @Provide
    Arbitrary<Frame> frames() {
        return WireArbitraries.frames();
    }

    private static byte[] pick(List<byte[]> corpus, int index) {
        return corpus.get(index % corpus.size());
    }

    // ---------------------------------------------------------------- random input

    @Property(tries = 10000)
    @Label("SEC-4: FrameCodec.decode of random octets returns a frame or throws DecodeException")
    void frameCodecOnRandomOctets(@ForAll("randomOctets") byte[] input) {
        frameIsTotal(input);
    }

    @Property(tries = 15000)
    @Label("SEC-4, REQ-12: FrameCodec.decode of noisy ECP/LLDP frames returns a frame or throws DecodeException")
    void frameCodecOnNoisyFrames(@ForAll("noisyFrames") byte[] input) {
        frameIsTotal(input);
    }

    @Property(tries = 12000)
    @Label("SEC-4: VdpCodec.decode of random and noisy TLV sequences returns a PDU or throws DecodeException")
    void vdpCodecOnNoise(@ForAll("noisyVdp") byte[] input) {
        vdpIsTotal(input);
    }

    @Property(tries = 10000)
    @Label("SEC-4: LldpCodec.decode of random and noisy TLV sequences returns a PDU or throws DecodeException")
    void lldpCodecOnNoise(@ForAll("noisyLldp") byte[] input) {
        lldpIsTotal(input);
    }

    @Property(tries = 6000)
    @Label("SEC-4: PcapReader.readAll of random and noisy files returns records or throws DecodeException")
    void pcapReaderOnNoise(@ForAll("noisyPcaps") byte[] input) {
        pcapIsTotal(input);
    }

    // ---------------------------------------------------------------- mutated valid input

    @Property(tries = 20000)
    @Label("SEC-4, REQ-12: FrameCodec.decode of mutated valid frames returns a frame or throws DecodeException")
    void frameCodecOnMutatedFrames(@ForAll("corpusIndex") int index, @ForAll("mutations") List<Mutation> mutations) {
        frameIsTotal(Mutation.applyAll(mutations, pick(Corpus.frames(), index), LengthField::ofFrame));
    }

    @Property(tries = 1000)
    @Label("SEC-4, REQ-12: FrameCodec.decode of mutations of freshly generated frames returns a frame or throws DecodeException")
    void frameCodecOnMutatedFreshFrames(@ForAll("frames") Frame frame, @ForAll boolean pad,
            @ForAll("mutations") List<Mutation> mutations) {
        frameIsTotal(Mutation.applyAll(mutations, FRAMES.encode(frame, pad), LengthField::ofFrame));
    }

    @Property(tries = 15000)
    @Label("SEC-4: VdpCodec.decode of mutated valid PDUs returns a PDU or throws DecodeException")
    void vdpCodecOnMutatedPdus(@ForAll("corpusIndex") int index, @ForAll("mutations") List<Mutation> mutations) {
        vdpIsTotal(Mutation.applyAll(mutations, pick(Corpus.vdpPdus(), index), b -> LengthField.ofVdp(b, 0)));
    }

    @Property(tries = 8000)
    @Label("SEC-4: LldpCodec.decode of mutated valid LLDPDUs returns a PDU or throws DecodeException")
    void lldpCodecOnMutatedPdus(@ForAll("corpusIndex") int index, @ForAll("mutations") List<Mutation> mutations) {
        lldpIsTotal(Mutation.applyAll(mutations, pick(Corpus.lldpPdus(), index), LengthField::ofLldp));
    }

    @Property(tries = 6000)
    @Label("SEC-4: PcapReader.readAll of mutated valid files returns records or throws DecodeException")
    void pcapReaderOnMutatedFiles(@ForAll("corpusIndex") int index, @ForAll("mutations") List<Mutation> mutations) {
        pcapIsTotal(Mutation.applyAll(mutations, pick(Corpus.pcapFiles(), index), LengthField::ofPcap));
    }
}
