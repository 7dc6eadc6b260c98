package org.splitnve.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.splitnve.wire.testing.FuzzRun;

/**
 * REL-5, SEC-4: coverage-guided fuzzing of {@code LldpCodec.decode}, an LLDPDU's TLVs (chassis, port,
 * TTL, the EVB TLV, the extension capability TLV, any other TLV) without the Ethernet header. Contract
 * as {@link FrameCodecFuzzTest}. Seeds (LldpCodecFuzzTestInputs/decode): the LLDPDUs of the lldpad
 * capture and LLDPDUs the codec encodes.
 */
@DisplayName("REL-5, SEC-4: LldpCodec.decode under coverage-guided fuzzing")
class LldpCodecFuzzTest {
    private static final FuzzRun RUN = new FuzzRun("LldpCodecFuzzTest.decode");

    @FuzzTest(maxDuration = "15s")
    void decode(byte[] lldpdu) {
        RUN.input();
        DecoderTotalityTest.lldpIsTotal(lldpdu);
    }

    @AfterAll
    static void report() {
        RUN.report();
    }
}
