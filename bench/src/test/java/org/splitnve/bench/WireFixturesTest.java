package org.splitnve.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.splitnve.bench.WireFixtures.Shape;
import org.splitnve.wire.GoldenCapture;
import org.splitnve.wire.pcap.PcapRecord;
import org.splitnve.wire.vdp.VdpPdu;

/** The benchmark frames are what BENCHMARKS.md says they are. */
class WireFixturesTest {

    @ParameterizedTest
    @EnumSource(Shape.class)
    void everyShapeRoundTripsWithTheAnnouncedVsiCount(Shape shape) {
        // checkedBytes throws if the VSI count, the round trip or the no-allocation encode disagree.
        byte[] bytes = WireFixtures.checkedBytes(shape);
        assertTrue(bytes.length <= 14 + 1500, shape + " frame of " + bytes.length + " octets");
    }

    @Test
    void batchedFrameIsFull() {
        int vdp = WireFixtures.checkedBytes(Shape.BATCHED).length - 14 - 4;
        assertEquals(VdpPdu.MANAGER_ID_LENGTH + WireFixtures.BATCHED_VSIS * WireFixtures.VSI_TLV_LENGTH, vdp);
        assertTrue(vdp + WireFixtures.VSI_TLV_LENGTH > VdpPdu.MAX_LENGTH, "one more VSI TLV would fit");
    }

    @Test
    void extensionFrameIsFull() {
        int vdp = WireFixtures.checkedBytes(Shape.EXTENSIONS).length - 14 - 4;
        int perVsi = (vdp - VdpPdu.MANAGER_ID_LENGTH) / WireFixtures.EXTENSION_VSIS;
        assertEquals(124, perVsi);
        assertTrue(vdp + perVsi > VdpPdu.MAX_LENGTH, "one more VSI TLV would fit");
    }

    @Test
    void lldpadFrameIsFrame11OfTheReferenceCapture() {
        PcapRecord frame11 = GoldenCapture.records().get(10);
        assertEquals(11, frame11.number());
        assertArrayEquals(frame11.data().toArray(), WireFixtures.checkedBytes(Shape.LLDPAD));
    }
}
