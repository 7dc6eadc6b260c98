package org.splitnve.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.splitnve.wire.testing.FuzzRun;

/**
 * REL-5, SEC-4: coverage-guided fuzzing of {@code FrameCodec.decode}, the decoder of every frame a port
 * receives: Ethernet, ECP, VDP with every extension TLV, LLDP with the EVB TLV. Any input is decoded or
 * refused with a {@link DecodeException} (offset inside the input); what decodes re-encodes to a frame
 * that decodes to the same value. Seeds (FrameCodecFuzzTestInputs/decode): frames of the lldpad capture
 * and frames the codec encodes (WireArbitraries). Regression mode in every build; a short fuzzing run
 * in the build's {@code fuzz} execution; a long one with {@code bench/run-fuzz.sh FrameCodecFuzzTest 1h}.
 */
@DisplayName("REL-5, SEC-4: FrameCodec.decode under coverage-guided fuzzing")
class FrameCodecFuzzTest {
    private static final FuzzRun RUN = new FuzzRun("FrameCodecFuzzTest.decode");

    @FuzzTest(maxDuration = "15s")
    void decode(byte[] frame) {
        RUN.input();
        DecoderTotalityTest.frameIsTotal(frame);
    }

    @AfterAll
    static void report() {
        RUN.report();
    }
}
