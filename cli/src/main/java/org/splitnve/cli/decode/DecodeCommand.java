package org.splitnve.cli.decode;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.pcap.PcapReader;
import org.splitnve.wire.pcap.PcapRecord;

/**
 * {@code splitnve decode [FILE.pcap]}: prints every frame of a capture, every field. A frame that
 * fails to decode is reported with its number and reason, and decoding goes on with the next one.
 * Without a file, decodes the embedded reference capture of two lldpad instances.
 */
public final class DecodeCommand {
    public static final String EMBEDDED = "/captures/lldpad-vdp22.pcap";

    /** Exit status: 0 all frames decoded, 1 some frame or the file failed. */
    public record Result(int frames, int malformed, boolean fileError) {
        public int exitStatus() {
            return fileError || malformed > 0 ? 1 : 0;
        }
    }

    private final FrameCodec codec;
    private final int oui;
    private final PrintStream out;
    private final PrintStream err;

    public DecodeCommand(int extensionOui, PrintStream out, PrintStream err) {
        this.codec = new FrameCodec(extensionOui);
        this.oui = extensionOui;
        this.out = out;
        this.err = err;
    }

    /** Decodes {@code file}, or the embedded capture when {@code file} is null. */
    public Result run(Path file) {
        String name = file == null ? "embedded capture lldpad-vdp22.pcap" : file.toString();
        try (InputStream in = file == null ? DecodeCommand.class.getResourceAsStream(EMBEDDED) : Files.newInputStream(file)) {
            if (in == null) {
                err.println("splitnve decode: the embedded capture is missing from this build");
                return new Result(0, 0, true);
            }
            return decode(name, new PcapReader(in));
        } catch (NoSuchFileException e) {
            err.println("splitnve decode: " + name + ": no such file");
        } catch (IOException e) {
            err.println("splitnve decode: " + name + ": cannot read: " + e.getMessage());
        } catch (DecodeException e) {
            err.println("splitnve decode: " + name + ": " + e.detail());
        }
        return new Result(0, 0, true);
    }

    private Result decode(String name, PcapReader reader) throws IOException {
        out.println("Decoding " + name);
        int frames = 0;
        int malformed = 0;
        long first = -1;
        while (true) {
            PcapRecord rec;
            try {
                rec = reader.next();
            } catch (DecodeException e) {
                err.println("splitnve decode: " + name + ": " + e.detail() + "; the rest of the file cannot be read");
                return new Result(frames, malformed, true);
            }
            if (rec == null) {
                break;
            }
            frames++;
            if (first < 0) {
                first = rec.timestampNanos();
            }
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("Frame %d: %d octets captured (%d on the wire), %.6f s%n", rec.number(), rec.data().length(),
                    rec.originalLength(), (rec.timestampNanos() - first) / 1e9));
            try {
                Frame f = codec.decode(rec.data().toArray());
                new FramePrinter(sb, oui).print(f);
                out.print(sb);
            } catch (DecodeException e) {
                malformed++;
                out.print(sb);
                out.println("    MALFORMED: " + e.error() + " at offset " + e.offset() + ": " + e.detail());
                err.println("splitnve decode: frame " + rec.number() + ": " + e.error() + " at offset " + e.offset() + ": "
                        + e.detail());
            }
            out.println();
        }
        out.println(frames + " frames, " + (frames - malformed) + " decoded, " + malformed + " malformed");
        return new Result(frames, malformed, false);
    }
}
