package org.splitnve.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.splitnve.wire.testing.FuzzRun;

/**
 * REL-5, SEC-4: coverage-guided fuzzing of {@code PcapReader} (the {@code decode} command and the
 * replay read pcap files a user hands them): a file gives its records or a {@link DecodeException}
 * naming the record, and every record's frame goes through {@code FrameCodec.decode} under the contract
 * of {@link FrameCodecFuzzTest}. Seeds (PcapReaderFuzzTestInputs/read): small files of corpus frames in
 * either byte order and timestamp resolution, and the head of the lldpad capture.
 */
@DisplayName("REL-5, SEC-4: PcapReader under coverage-guided fuzzing")
class PcapReaderFuzzTest {
    private static final FuzzRun RUN = new FuzzRun("PcapReaderFuzzTest.read");

    @FuzzTest(maxDuration = "15s")
    void read(byte[] file) {
        RUN.input();
        DecoderTotalityTest.pcapIsTotal(file);
    }

    @AfterAll
    static void report() {
        RUN.report();
    }
}
