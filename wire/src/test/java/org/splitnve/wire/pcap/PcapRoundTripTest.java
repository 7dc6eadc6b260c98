package org.splitnve.wire.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.testing.WireArbitraries;

/** REQ-12: captures of VDP/ECP/LLDP frames written by {@link PcapWriter} read back with {@link PcapReader}. */
@Label("pcap write then read")
class PcapRoundTripTest {
    @Provide
    Arbitrary<List<Tuple.Tuple2<Long, Frame>>> captures() {
        return Combinators.combine(WireArbitraries.pcapTimestamps(), WireArbitraries.frames())
                .as(Tuple::of).list().ofMaxSize(5);
    }

    @Property(tries = 200)
    @Label("random frames with timestamps survive a pcap write and read: order, numbers, microsecond time, "
            + "lengths, octets, decoded frames")
    void writeThenRead(@ForAll("captures") List<Tuple.Tuple2<Long, Frame>> captures, @ForAll boolean pad)
            throws IOException, DecodeException {
        FrameCodec codec = FrameCodec.DEFAULT;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[][] encoded = new byte[captures.size()][];
        try (PcapWriter w = new PcapWriter(out)) {
            for (int i = 0; i < captures.size(); i++) {
                encoded[i] = codec.encode(captures.get(i).get2(), pad);
                w.write(captures.get(i).get1(), encoded[i]);
            }
        }
        byte[] file = out.toByteArray();
        assertThat(file.length).isEqualTo(24 + Arrays.stream(encoded).mapToInt(b -> 16 + b.length).sum());

        List<PcapRecord> records = PcapReader.readAll(file);
        assertThat(records).hasSize(captures.size());
        for (int i = 0; i < records.size(); i++) {
            PcapRecord r = records.get(i);
            long ts = captures.get(i).get1();
            assertThat(r.number()).isEqualTo(i + 1);
            assertThat(r.timestampNanos()).as("microsecond timestamps").isEqualTo(ts - ts % 1000);
            assertThat(r.originalLength()).isEqualTo(encoded[i].length);
            assertThat(r.data().toArray()).isEqualTo(encoded[i]);
            Frame decoded = codec.decode(r.data().toArray());
            assertThat(codec.encode(decoded, pad)).isEqualTo(encoded[i]);
            if (!pad) {
                assertThat(decoded).isEqualTo(captures.get(i).get2());
            }
        }
    }

    @Example
    @Label("PcapReader reads big-endian and nanosecond-resolution files, not only what PcapWriter writes")
    void readsBigEndianAndNanoseconds() throws DecodeException, IOException {
        byte[] frame = HexFormat.of().parseHex("0180c2000000021111000001894010010007");
        byte[] be = HexFormat.of().parseHex("a1b23c4d00020004" + "0000000000000000" + "0000ffff00000001"
                + "5f5e100a" + "3b9ac9ff" + "00000012" + "00000040");
        byte[] file = Arrays.copyOf(be, be.length + frame.length);
        System.arraycopy(frame, 0, file, be.length, frame.length);
        try (PcapReader reader = new PcapReader(new java.io.ByteArrayInputStream(file))) {
            assertThat(reader.nanosecondTimestamps()).isTrue();
            PcapRecord r = reader.next();
            assertThat(r.timestampNanos()).isEqualTo(0x5f5e100aL * 1_000_000_000L + 999_999_999L);
            assertThat(r.originalLength()).isEqualTo(64);
            assertThat(r.data().toArray()).isEqualTo(frame);
            assertThat(reader.next()).isNull();
        }
    }
}
