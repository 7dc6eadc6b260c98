package org.splitnve.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Example;
import net.jqwik.api.Label;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.LldpCodec;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.lldp.LldpTlv;
import org.splitnve.wire.pcap.PcapReader;
import org.splitnve.wire.pcap.PcapRecord;
import org.splitnve.wire.pcap.PcapWriter;
import org.splitnve.wire.testing.Corpus;
import org.splitnve.wire.testing.WireArbitraries;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * The seed corpora of the wire fuzz tests (REL-5). With {@code -Dfuzz.writeSeeds=true} it writes them
 * into {@code src/test/resources/org/splitnve/wire/<Test>Inputs/<method>/}: every distinct frame of the
 * lldpad capture, and the smallest generated messages of the wire fuzz tests (REL-5) into {@code src/test/resources/org/splitnve/wire/
 * <Test>Inputs/<method>/}: every distinct frame of the lldpad capture, and the smallest generated messages
 * ({@link WireArbitraries}, fixed seed) that between them hold every kind of TLV (each extension TLV, in
 * the header, on a VSI and on a VN connect; the EVB and extension capability LLDP TLVs), each kind at
 * least {@link #PER_KIND} times. Files are named {@code seed-<sha1>}; findings Jazzer saves beside them
 * ({@code crash-<sha1>}) are kept. Without the property it checks the corpora kept in the repository:
 * the frame seeds hold every kind of TLV the generators make, and every seed of a decoder decodes (a
 * seed that no longer decodes after a change of the wire format would only test the refusal path).
 * Regenerate after such a change (RELIABILITY.md gives the command).
 */
class FuzzSeedsTest {
    static final int PER_KIND = 3;
    static final int MAX_SEED = 600;
    static final Path ROOT = Path.of("src/test/resources/org/splitnve/wire");

    @Example
    @Label("REL-5: the fuzz seed corpora hold every kind of TLV, and each seed decodes")
    void seedsCoverEveryKindAndDecode() throws Exception {
        if (Boolean.getBoolean("fuzz.writeSeeds")) {
            writeSeeds(ROOT);
        }
        Set<String> wanted = new TreeSet<>();
        for (Frame f : Corpus.sample(WireArbitraries.frames(), 4000, Corpus.SEED + 10)) {
            wanted.addAll(kinds(f));
        }
        Set<String> held = new TreeSet<>();
        for (byte[] seed : seeds("FrameCodecFuzzTestInputs/decode")) {
            held.addAll(kinds(FrameCodec.DEFAULT.decode(seed)));
        }
        assertThat(held).as("TLV kinds in the frame seeds").containsAll(wanted);
        for (byte[] seed : seeds("VdpCodecFuzzTestInputs/decode")) {
            VdpCodec.DEFAULT.decode(seed, 0, seed.length);
        }
        for (byte[] seed : seeds("LldpCodecFuzzTestInputs/decode")) {
            LldpCodec.DEFAULT.decode(new WireReader(seed));
        }
        List<byte[]> pcaps = seeds("PcapReaderFuzzTestInputs/read");
        assertThat(pcaps).isNotEmpty();
        for (byte[] seed : pcaps) {
            for (PcapRecord r : PcapReader.readAll(seed)) {
                FrameCodec.DEFAULT.decode(r.data().toArray());
            }
        }
    }

    private static List<byte[]> seeds(String dir) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (var files = Files.list(ROOT.resolve(dir))) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith("seed-")).sorted().toList()) {
                out.add(Files.readAllBytes(p));
            }
        }
        assertThat(out).as("seeds in %s", dir).isNotEmpty();
        return out;
    }

    static void writeSeeds(Path root) throws Exception {
        List<PcapRecord> golden = GoldenCapture.records();

        Map<String, byte[]> frames = new LinkedHashMap<>();
        Map<String, byte[]> vdp = new LinkedHashMap<>();
        Map<String, byte[]> lldp = new LinkedHashMap<>();
        for (PcapRecord r : golden) {
            byte[] f = r.data().toArray();
            // the capture repeats keep-alives: one seed per distinct frame after the ECP sequence number
            put(frames, f, key(f, 20));
            switch (FrameCodec.DEFAULT.decode(f)) {
                case Frame.Vdp v -> put(vdp, VdpCodec.DEFAULT.encode(v.vdp()), null);
                case Frame.Lldp l -> put(lldp, LldpCodec.DEFAULT.encode(l.lldp()), null);
                default -> { }
            }
        }
        List<Frame> generated = Corpus.sample(WireArbitraries.frames(), 4000, Corpus.SEED + 10);
        Map<String, Integer> kinds = new LinkedHashMap<>();
        generated.stream()
                .map(f -> new Object[] {f, FrameCodec.DEFAULT.encode(f, false)})
                .filter(o -> ((byte[]) o[1]).length <= MAX_SEED)
                .sorted((a, b) -> Integer.compare(((byte[]) a[1]).length, ((byte[]) b[1]).length))
                .forEach(o -> {
                    Frame f = (Frame) o[0];
                    boolean useful = false;
                    for (String k : kinds(f)) {
                        if (kinds.merge(k, 1, Integer::sum) <= PER_KIND) {
                            useful = true;
                        }
                    }
                    if (useful) {
                        put(frames, (byte[]) o[1], null);
                        switch (f) {
                            case Frame.Vdp v -> put(vdp, VdpCodec.DEFAULT.encode(v.vdp()), null);
                            case Frame.Lldp l -> put(lldp, LldpCodec.DEFAULT.encode(l.lldp()), null);
                            default -> { }
                        }
                    }
                });
        for (Map.Entry<String, Integer> k : kinds.entrySet()) {
            if (k.getValue() < PER_KIND) {
                throw new IllegalStateException("only " + k.getValue() + " seeds hold a " + k.getKey());
            }
        }

        // pcap files: a few frames each, both byte orders and both timestamp resolutions, and the capture's head
        Map<String, byte[]> pcaps = new LinkedHashMap<>();
        List<byte[]> all = new ArrayList<>(frames.values());
        for (int i = 0; i < 12; i++) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (PcapWriter w = new PcapWriter(out)) {
                for (int k = 0; k < i % 4 + 1; k++) {
                    w.write(1_700_000_000_000_000_000L + 1_000_123L * k, all.get((i * 7 + k * 13) % all.size()));
                }
            }
            byte[] file = out.toByteArray();
            if (i % 3 == 1) {
                file = bigEndian(file);
            }
            if (i % 3 == 2) {
                file[0] = 0x4D; // nanosecond magic, little-endian: 0xa1b23c4d
                file[1] = 0x3C;
            }
            put(pcaps, file, null);
        }
        byte[] capture = GoldenCapture.bytes();
        int head = 24;
        for (int n = 0; n < 8; n++) {
            head += 16 + (capture[head + 8] & 0xFF) + ((capture[head + 9] & 0xFF) << 8);
        }
        put(pcaps, java.util.Arrays.copyOf(capture, head), null);
        for (byte[] p : pcaps.values()) {
            PcapReader.readAll(p); // every seed is a valid file
        }

        write(root.resolve("FrameCodecFuzzTestInputs/decode"), frames);
        write(root.resolve("VdpCodecFuzzTestInputs/decode"), vdp);
        write(root.resolve("LldpCodecFuzzTestInputs/decode"), lldp);
        write(root.resolve("PcapReaderFuzzTestInputs/read"), pcaps);
        System.out.println("seeds: frames " + frames.size() + ", VDP " + vdp.size() + ", LLDP " + lldp.size()
                + ", pcap " + pcaps.size() + "; TLV kinds " + kinds.keySet());
    }

    /** The kinds of TLV a frame holds: item classes, extension TLVs by where they sit, LLDP TLV classes. */
    static Set<String> kinds(Frame f) {
        Set<String> out = new LinkedHashSet<>();
        switch (f) {
            case Frame.Vdp v -> {
                VdpPdu p = v.vdp();
                out.add(p.auth() == null ? "VdpPdu" : "AuthTlv");
                for (OrgTlv t : p.header()) {
                    out.add("header:" + t.getClass().getSimpleName());
                }
                for (VdpItem i : p.items()) {
                    List<OrgTlv> attached = switch (i) {
                        case VsiTlv s -> s.attached();
                        case VnConnectTlv c -> c.attached();
                    };
                    out.add(i.getClass().getSimpleName());
                    for (OrgTlv t : attached) {
                        out.add(i.getClass().getSimpleName() + ":" + t.getClass().getSimpleName());
                    }
                }
            }
            case Frame.Lldp l -> {
                out.add("LldpPdu");
                for (LldpTlv t : l.lldp().tlvs()) {
                    out.add("lldp:" + t.getClass().getSimpleName());
                }
            }
            case Frame.OtherEcp o -> out.add("OtherEcp");
            case Frame.Other o -> out.add("Other");
        }
        return out;
    }

    private static byte[] bigEndian(byte[] le) {
        byte[] be = le.clone();
        swap(be, 0, 4);
        swap(be, 4, 2);
        swap(be, 6, 2);
        for (int i = 8; i < 24; i += 4) {
            swap(be, i, 4);
        }
        int at = 24;
        while (at < be.length) {
            int incl = (le[at + 8] & 0xFF) | (le[at + 9] & 0xFF) << 8 | (le[at + 10] & 0xFF) << 16 | (le[at + 11] & 0xFF) << 24;
            for (int i = 0; i < 16; i += 4) {
                swap(be, at + i, 4);
            }
            at += 16 + incl;
        }
        return be;
    }

    private static void swap(byte[] b, int off, int len) {
        for (int i = 0; i < len / 2; i++) {
            byte t = b[off + i];
            b[off + i] = b[off + len - 1 - i];
            b[off + len - 1 - i] = t;
        }
    }

    private static String key(byte[] b, int skipFrom) {
        byte[] k = b.clone();
        if (k.length > skipFrom + 1) {
            k[skipFrom - 2] = 0; // ECP sequence number (octets 18-19)
            k[skipFrom - 1] = 0;
        }
        return HexFormat.of().formatHex(k);
    }

    private static void put(Map<String, byte[]> m, byte[] b, String key) {
        m.putIfAbsent(key != null ? key : HexFormat.of().formatHex(b), b);
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException, NoSuchAlgorithmException {
        Files.createDirectories(dir);
        try (var old = Files.list(dir)) {
            for (Path p : old.filter(p -> p.getFileName().toString().startsWith("seed-")).toList()) {
                Files.delete(p);
            }
        }
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        for (byte[] b : seeds.values()) {
            Files.write(dir.resolve("seed-" + HexFormat.of().formatHex(sha1.digest(b))), b);
        }
    }
}
