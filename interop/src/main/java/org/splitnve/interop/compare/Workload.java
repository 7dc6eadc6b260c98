package org.splitnve.interop.compare;

import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * The VMs both pairs get: VM {@code i} has one TSI with a random (version 4) UUID and a random locally
 * administered MAC, as hypervisors make them (the same for the same {@code i}), in VN 1000 + i mod
 * {@link #VNS}.
 */
public final class Workload {
    /** VNs the VMs are spread over: VN IDs 1000 .. 1000 + VNS - 1. */
    public static final int VNS = 64;
    public static final int FIRST_VN = 1000;

    private Workload() {
    }

    public static TsiSpec tsi(int i) {
        SplittableRandom r = new SplittableRandom(0x5157_4e56_4500_0000L + i);
        UUID id = new UUID((r.nextLong() & ~0xF000L) | 0x4000L, (r.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | Long.MIN_VALUE);
        MacAddress mac = new MacAddress((r.nextLong() & 0xFCFF_FFFF_FFFFL) | 0x0200_0000_0000L);
        return TsiSpec.of(VsiId.uuid(id), vn(i), mac, List.of());
    }

    public static int vn(int i) {
        return FIRST_VN + Math.floorMod(i, VNS);
    }
}
