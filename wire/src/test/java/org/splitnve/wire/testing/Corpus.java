package org.splitnve.wire.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.RandomGenerator;
import org.splitnve.wire.GoldenCapture;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.LldpCodec;
import org.splitnve.wire.pcap.PcapRecord;
import org.splitnve.wire.pcap.PcapWriter;
import org.splitnve.wire.vdp.VdpCodec;

/**
 * Valid encoded messages to mutate: generated once per JVM from {@link WireArbitraries} with a fixed
 * seed (generating a full PDU costs milliseconds; mutating one costs microseconds), plus the frames
 * of the lldpad golden capture. Callers must not change the arrays.
 */
public final class Corpus {
    public static final long SEED = 0x8394_0012L;

    private static List<byte[]> frames;
    private static List<byte[]> vdpPdus;
    private static List<byte[]> lldpPdus;
    private static List<byte[]> pcapFiles;

    private Corpus() {
    }

    /** {@code n} values of {@code arbitrary}, the same ones for the same seed. */
    public static <T> List<T> sample(Arbitrary<T> arbitrary, int n, long seed) {
        RandomGenerator<T> generator = arbitrary.generator(1000);
        Random random = new Random(seed);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(generator.next(random).value());
        }
        return out;
    }

    /** 400 generated frames of every kind (one in three padded to 60 octets) and the golden capture's 172. */
    public static synchronized List<byte[]> frames() {
        if (frames == null) {
            List<byte[]> out = new ArrayList<>();
            List<Frame> generated = sample(WireArbitraries.frames(), 400, SEED);
            for (int i = 0; i < generated.size(); i++) {
                out.add(FrameCodec.DEFAULT.encode(generated.get(i), i % 3 == 0));
            }
            for (PcapRecord r : GoldenCapture.records()) {
                out.add(r.data().toArray());
            }
            frames = List.copyOf(out);
        }
        return frames;
    }

    /** 300 generated VDP PDUs, encoded. */
    public static synchronized List<byte[]> vdpPdus() {
        if (vdpPdus == null) {
            vdpPdus = sample(WireArbitraries.vdpPdus(), 300, SEED + 1).stream().map(VdpCodec.DEFAULT::encode).toList();
        }
        return vdpPdus;
    }

    /** 200 generated LLDPDUs, encoded. */
    public static synchronized List<byte[]> lldpPdus() {
        if (lldpPdus == null) {
            lldpPdus = sample(WireArbitraries.lldpPdus(), 200, SEED + 2).stream().map(LldpCodec.DEFAULT::encode).toList();
        }
        return lldpPdus;
    }

    /** 60 pcap files of 0 to 5 corpus frames each, and the golden capture. */
    public static synchronized List<byte[]> pcapFiles() {
        if (pcapFiles == null) {
            List<byte[]> all = frames();
            Random random = new Random(SEED + 3);
            List<byte[]> out = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try (PcapWriter w = new PcapWriter(bytes)) {
                    int n = random.nextInt(6);
                    for (int k = 0; k < n; k++) {
                        w.write(random.nextLong(0, 0xFFFF_FFFFL * 1_000_000_000L), all.get(random.nextInt(all.size())));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                out.add(bytes.toByteArray());
            }
            out.add(GoldenCapture.bytes());
            pcapFiles = List.copyOf(out);
        }
        return pcapFiles;
    }
}
