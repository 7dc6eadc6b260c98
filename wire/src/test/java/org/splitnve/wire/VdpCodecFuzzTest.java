package org.splitnve.wire;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.splitnve.wire.testing.FuzzRun;

/**
 * REL-5, SEC-4: coverage-guided fuzzing of {@code VdpCodec.decode}, the VDP TLV sequence of an ECPDU
 * (VSI, manager ID and every splitnve extension TLV: capability, session, VN connect, TSI address,
 * deactivate, migration, parameter, reason detail, authentication, unknown organisation TLVs), without
 * the Ethernet and ECP headers in front so that every mutation lands in a TLV. Contract as
 * {@link FrameCodecFuzzTest}. Seeds (VdpCodecFuzzTestInputs/decode): the VDP PDUs of the lldpad capture
 * and PDUs the codec encodes.
 */
@DisplayName("REL-5, SEC-4: VdpCodec.decode under coverage-guided fuzzing")
class VdpCodecFuzzTest {
    private static final FuzzRun RUN = new FuzzRun("VdpCodecFuzzTest.decode");

    @FuzzTest(maxDuration = "15s")
    void decode(byte[] tlvs) {
        RUN.input();
        DecoderTotalityTest.vdpIsTotal(tlvs);
    }

    @AfterAll
    static void report() {
        RUN.report();
    }
}
