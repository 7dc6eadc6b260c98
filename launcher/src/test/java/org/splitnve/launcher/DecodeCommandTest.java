package org.splitnve.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.cli.decode.DecodeCommand;
import org.splitnve.wire.GoldenCapture;
import org.splitnve.wire.pcap.PcapRecord;
import org.splitnve.wire.pcap.PcapWriter;
import org.splitnve.wire.vdp.VdpCodec;

/** {@code splitnve decode}: the main job of the wire layer, as a user runs it. */
class DecodeCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private DecodeCommand.Result run(Path file) {
        return new DecodeCommand(VdpCodec.DEFAULT_OUI, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(file);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("the embedded lldpad capture decodes completely, every field printed")
    void embeddedCapture() {
        DecodeCommand.Result r = run(null);
        assertThat(r.exitStatus()).isZero();
        assertThat(r.frames()).isEqualTo(172);
        assertThat(r.malformed()).isZero();
        assertThat(out()).contains("172 frames, 172 decoded, 0 malformed")
                .contains("VSI Manager ID: \"blade\"")
                .contains("VSIID: a0000000-0000-4000-8000-00000000000a (format 5, UUID)")
                .contains("[0] GroupID 4000 MAC 52:54:00:00:00:0d VID 400, PS 0, PCP 0")
                .contains("[0] MAC 52:54:00:00:00:0e VID 0 (null: bridge assigns), PS 0, PCP 0")
                .contains("Pre-Associate with Resource Reservation request")
                .contains("De-Associate request")
                .contains("Status: 0x40 (response; keep 0, hard error 0, reason 0 (success))")
                .contains("Operation: acknowledgement (1)")
                .contains("R (ECP retries): 3, RTE: 14 (163.84 ms)");
        assertThat(err()).isEmpty();
    }

    @Test
    @DisplayName("SEC-4: a malformed frame is reported with its number and reason, and decoding goes on")
    void malformedFrameInTheMiddle(@TempDir Path dir) throws Exception {
        List<PcapRecord> golden = GoldenCapture.records();
        byte[] good1 = golden.get(6).data().toArray();   // frame 7: Associate A
        byte[] bad = Arrays.copyOf(golden.get(10).data().toArray(), 60); // frame 11 (71 octets), cut inside the VSI TLV
        byte[] good2 = golden.get(7).data().toArray();   // frame 8: its acknowledgement
        Path file = dir.resolve("mixed.pcap");
        try (PcapWriter w = new PcapWriter(Files.newOutputStream(file))) {
            w.write(1_000_000_000L, good1);
            w.write(1_001_000_000L, bad);
            w.write(1_002_000_000L, good2);
        }
        DecodeCommand.Result r = run(file);
        assertThat(r.exitStatus()).isEqualTo(1);
        assertThat(r.frames()).isEqualTo(3);
        assertThat(r.malformed()).isEqualTo(1);
        assertThat(err()).contains("frame 2: TRUNCATED");
        assertThat(out()).contains("Frame 3: 18 octets").contains("3 frames, 2 decoded, 1 malformed");
    }

    @Test
    @DisplayName("SEC-4: a file that is not a pcap gets a clear message and exit status 1")
    void notAPcap(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "these are not packets\n");
        assertThat(run(file).exitStatus()).isEqualTo(1);
        assertThat(err()).contains("notes.txt: not a pcap file");
        assertThat(run(dir.resolve("missing.pcap")).exitStatus()).isEqualTo(1);
        assertThat(err()).contains("missing.pcap: no such file");
    }

    @Test
    @DisplayName("SEC-4: a truncated pcap record is reported and decoding stops with exit status 1")
    void truncatedPcap(@TempDir Path dir) throws Exception {
        byte[] golden = GoldenCapture.bytes();
        Path file = dir.resolve("cut.pcap");
        Files.write(file, Arrays.copyOf(golden, 24 + 16 + 60 + 16 + 10));
        DecodeCommand.Result r = run(file);
        assertThat(r.exitStatus()).isEqualTo(1);
        assertThat(r.frames()).isEqualTo(1);
        assertThat(err()).contains("record 2");
    }

    @Test
    @DisplayName("usage errors exit with status 2")
    void usage() {
        assertThat(Main.run(new String[0])).isEqualTo(2);
        assertThat(Main.run(new String[] {"frobnicate"})).isEqualTo(2);
        assertThat(Main.run(new String[] {"decode", "--oui"})).isEqualTo(2);
        assertThat(Main.run(new String[] {"decode", "--oui", "zz"})).isEqualTo(2);
        assertThat(Main.run(new String[] {"help"})).isZero();
    }
}
