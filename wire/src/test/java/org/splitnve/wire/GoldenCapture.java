package org.splitnve.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.splitnve.wire.pcap.PcapReader;
import org.splitnve.wire.pcap.PcapRecord;

/** The lldpad VDP22 reference capture (testdata/lldpad-vdp22.pcap), as test fixture. */
public final class GoldenCapture {
    public static final String RESOURCE = "/captures/lldpad-vdp22.pcap";

    private GoldenCapture() {
    }

    public static byte[] bytes() {
        try (InputStream in = GoldenCapture.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not on the test class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<PcapRecord> records() {
        try {
            return PcapReader.readAll(bytes());
        } catch (DecodeException e) {
            throw new IllegalStateException(e);
        }
    }
}
