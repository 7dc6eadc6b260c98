package org.splitnve.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.wire.MacAddress;

/** REL-3: the per-source queues in front of the engine, deterministic (the netns proof: app's FairnessNetnsTest). */
class SourceQueuesTest {
    private static final MacAddress VICTIM = MacAddress.parse("02:00:00:00:00:01");
    private static final MacAddress OTHER = MacAddress.parse("02:00:00:00:00:02");

    private static byte[] frame(MacAddress src, int n) {
        byte[] f = new byte[60];
        System.arraycopy(MacAddress.NEAREST_CUSTOMER_BRIDGE.toBytes(), 0, f, 0, 6);
        System.arraycopy(src.toBytes(), 0, f, 6, 6);
        f[12] = (byte) 0x89;
        f[13] = 0x40;
        f[20] = (byte) (n >>> 8);
        f[21] = (byte) n;
        return f;
    }

    private static MacAddress src(SourceQueues.Frame f) {
        return MacAddress.of(java.util.Arrays.copyOfRange(f.data(), 6, 12));
    }

    @Test
    @DisplayName("REL-3: behind a flood from 20,000 made-up source MACs, every frame of an established station is"
            + " queued and handed to the engine within two turns; the flood is capped and its drops counted")
    void floodFromMadeUpSourcesCannotStarveAnEstablishedStation() {
        Set<MacAddress> established = Set.of(VICTIM);
        SourceQueues q = new SourceQueues(64, 8, 1024, 1000, 1_000_000_000, (port, station) -> established.contains(station));
        Random r = new Random(3);
        int victimSent = 0;
        List<Integer> victimGot = new ArrayList<>();
        long floodGot = 0;
        for (int round = 0; round < 200; round++) {
            // 100 flood frames for each frame the engine can take, and one frame of the victim, per round
            for (int k = 0; k < 100; k++) {
                q.offer(0, frame(new MacAddress(0x0200_0000_0000L | r.nextLong(1L << 40)), k), 60, 0);
            }
            assertThat(q.offer(0, frame(VICTIM, victimSent), 60, 0)).as("the victim's frame is queued").isTrue();
            victimSent++;
            assertThat(q.newSize()).isLessThanOrEqualTo(1024);
            for (int k = 0; k < 2; k++) { // the engine's share per round: two frames
                SourceQueues.Frame f = q.poll(0);
                if (src(f).equals(VICTIM)) {
                    victimGot.add(((f.data()[20] & 0xFF) << 8) | (f.data()[21] & 0xFF));
                } else {
                    floodGot++;
                }
            }
        }
        assertThat(victimGot).as("every frame of the victim, in order").hasSize(victimSent);
        for (int i = 0; i < victimGot.size(); i++) {
            assertThat(victimGot.get(i)).isEqualTo(i);
        }
        assertThat(floodGot).as("the flood still gets the other half of the turns").isEqualTo(200);
        assertThat(q.newSize()).as("flood frames waiting").isBetween(1000, 1024);
        assertThat(q.dropped()).as("flood frames dropped in front of the engine").isEqualTo(200 * 100 - floodGot - q.newSize());
        List<SourceQueues.Drops> drops = q.takeDrops(8);
        assertThat(drops).isNotEmpty().allSatisfy(d -> assertThat(d.station()).isNotEqualTo(VICTIM));
        assertThat(q.takeDrops(8)).as("counters start again after a report").isEmpty();
    }

    @Test
    @DisplayName("REL-3: a station that floods under its own MAC gets its own turns only: another established"
            + " station's frames come out round-robin, and the flooder's excess is dropped and counted for it")
    void establishedFlooderGetsItsTurnOnly() {
        SourceQueues q = new SourceQueues(64, 8, 1024, 1000, 1_000_000_000, (port, station) -> true);
        for (int k = 0; k < 1000; k++) {
            q.offer(0, frame(OTHER, k), 60, 0);
        }
        for (int k = 0; k < 5; k++) {
            q.offer(0, frame(VICTIM, k), 60, 0);
        }
        List<MacAddress> order = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            order.add(src(q.poll(0)));
        }
        assertThat(order).filteredOn(VICTIM::equals).hasSize(5);
        assertThat(q.dropped()).isEqualTo(1000 - 64);
        assertThat(q.takeDrops(8)).containsExactly(new SourceQueues.Drops(0, OTHER, 1000 - 64));
    }

    @Test
    @DisplayName("REL-3: a new source holds at most 8 frames; it is established from its next frame after the engine"
            + " gave it state, and then holds 64")
    void classIsDecidedWhenASourceStartsQueueing() {
        Set<MacAddress> established = new HashSet<>();
        SourceQueues q = new SourceQueues(64, 8, 1024, 1000, 1_000_000_000, (port, station) -> established.contains(station));
        for (int k = 0; k < 20; k++) {
            q.offer(1, frame(VICTIM, k), 60, 0);
        }
        assertThat(q.size()).isEqualTo(8);
        assertThat(q.pollEstablished(0)).as("nothing established yet").isNull();
        while (q.poll(0) != null) {
            // the engine handles them, and associates the station
        }
        established.add(VICTIM);
        for (int k = 0; k < 100; k++) {
            q.offer(1, frame(VICTIM, k), 60, 0);
        }
        assertThat(q.size()).isEqualTo(64);
        assertThat(q.pollEstablished(0)).isNotNull().extracting(SourceQueues.Frame::port).isEqualTo(1);
        assertThat(q.dropped()).isEqualTo(12 + 36);
    }

    @Test
    @DisplayName("REL-3: frames of new sources get their share of the engine's time only, charged by the time each"
            + " took (a costly frame counts for more); an established station's frames never wait for it")
    void newSourcesGetTheirShareOfEngineTime() {
        Set<MacAddress> established = Set.of(VICTIM);
        // 10% of the time; at most 1 ms saved up
        SourceQueues q = new SourceQueues(64, 8, 1024, 100, 1_000_000, (port, station) -> established.contains(station));
        for (int i = 0; i < 100; i++) {
            q.offer(0, frame(new MacAddress(0x02AB_0000_0000L | i), 0), 60, 0);
        }
        long t = 5_000_000_000L;
        int served = 0;
        for (SourceQueues.Frame f; (f = q.poll(t)) != null; ) {
            q.charge(f, 200_000); // the engine took 200 us for each
            served++;
        }
        assertThat(served).as("1 ms of engine time saved up: five frames of 200 us").isEqualTo(5);
        assertThat(q.nanosUntilReady(t)).as("until the share has earned the next nanosecond").isBetween(1L, 10L);
        q.offer(0, frame(VICTIM, 0), 60, 0);
        assertThat(q.nanosUntilReady(t)).isZero();
        SourceQueues.Frame v = q.poll(t);
        assertThat(src(v)).as("the established station, without waiting").isEqualTo(VICTIM);
        q.charge(v, 5_000_000); // its time is not the new class's
        assertThat(q.poll(t)).isNull();
        t += 4_000_000; // 4 ms at 10%: 400 us
        served = 0;
        for (SourceQueues.Frame f; (f = q.poll(t)) != null; ) {
            q.charge(f, 50_000); // cheap frames: more of them for the same time
            served++;
        }
        assertThat(served).isEqualTo(8);
        assertThat(q.newSize()).isEqualTo(100 - 5 - 8);
    }
}
