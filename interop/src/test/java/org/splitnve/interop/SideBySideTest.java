package org.splitnve.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.splitnve.interop.compare.LldpadPair;
import org.splitnve.interop.compare.OurPair;
import org.splitnve.protocol.Timers;
import org.splitnve.transport.NetLabAccess;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;

/**
 * The side-by-side benchmark's two pairs (bench/run-vs-lldpad.sh, BENCHMARKS.md) at N = 200, for
 * correctness only: every VM associated and activated through our tNVE and nNVE, and every VSI through
 * an lldpad station and bridge, nothing lost. No timing is asserted (that is the benchmark's job).
 */
@ExtendWith(NetLabAccess.Guard.class)
class SideBySideTest {
    private static final int N = 200;
    /** The benchmark's timers. lldpad: RTE 8 (it sends one ECPDU per acknowledgement timer), its defaults otherwise. */
    private static final Timers LLDPAD_TIMERS = new Timers(3, 8, 20, 20);
    /** Ours: the daemons' defaults (RTE 14: our ECP sends on the acknowledgement, RTE only paces retransmissions). */
    private static final Timers OUR_TIMERS = Timers.STANDARD;

    @Test
    @DisplayName("REQ-12, LC-CREATE, SM-TSI-1 (benchmark pairs on veth): 200 VMs created and started through our tNVE"
            + " and nNVE are all activated at the nNVE and confirmed at the tNVE; 200 VSIs associated through lldpad's"
            + " station (vdptool) are all answered and held by lldpad's bridge")
    void bothPairsActivateEveryVm() throws Exception {
        Path dir = NetLabAccess.tempDir("side-by-side");
        try (NetLabAccess lab = new NetLabAccess()) {
            String tn = lab.namespace("tn");
            String nn = lab.namespace("nn");
            String st = lab.namespace("st");
            String br = lab.namespace("br");
            lab.veth(tn, "tn0", MacAddress.parse("02:00:00:5c:00:01"), nn, "nn0", MacAddress.parse("02:00:00:5c:00:02"));
            lab.veth(st, "st0", MacAddress.parse("02:00:00:5d:00:01"), br, "br0", MacAddress.parse("02:00:00:5d:00:02"));

            try (OurPair ours = OurPair.start(new OurPair.Where(nn, "nn0"), new OurPair.Where(tn, "tn0"), OUR_TIMERS,
                    EnumSet.allOf(CapabilityTlv.Feature.class))) {
                OurPair.Run r = ours.createAndStart(N);
                assertThat(r.firstFailure()).as(ours.eventReport()).isNull();
                assertThat(r.ok()).as("VMs created and started").isEqualTo(N);
                assertThat(r.activated()).as("TSIs activated at the nNVE").isEqualTo(N);
                assertThat(ours.activated()).isEqualTo(N);
                assertThat(ours.activatedAtTnve()).as("TSIs the tNVE knows activated").isEqualTo(N);
                assertThat(r.counters().engineErrors()).isZero();
                assertThat(r.counters().keepAliveTimeouts()).isZero();
                assertThat(r.counters().framesSent()).as("frames on the wire").isPositive();
            }

            try (LldpadPair lldpad = LldpadPair.start(new OurPair.Where(st, "st0"), new OurPair.Where(br, "br0"), LLDPAD_TIMERS,
                    dir)) {
                LldpadPair.Run r = lldpad.associate(N, Duration.ofMinutes(3));
                assertThat(r.limitReached()).isFalse();
                assertThat(r.asked()).isEqualTo(N);
                assertThat(r.vdptoolAnswered()).as("vdptool calls answered with their own VSI").isEqualTo(N);
                assertThat(r.answered()).as("VSIs the bridge answered with success (on the wire)").isEqualTo(N);
                assertThat(r.held()).as("VSIs the bridge holds").isEqualTo(N);
                assertThat(r.deassociatedByBridge()).isZero();
                assertThat(r.station().vsiTlvs()).as("one request per VSI at least").isGreaterThanOrEqualTo(N);
                assertThat(lldpad.alive()).isTrue();
            }
        }
    }
}
