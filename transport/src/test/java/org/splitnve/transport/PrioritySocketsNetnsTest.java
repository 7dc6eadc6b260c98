package org.splitnve.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.transport.TestFrames.ecp;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.event.Event;
import org.splitnve.wire.MacAddress;

/**
 * REL-3 in front of the kernel's queue ({@link PrioritySockets}): a flood from other sources that overflows a port's
 * receive buffer while the engine thread cannot read (a pause, a machine short of CPU) drops none of the frames of
 * a station the engine holds state for. The control case, with one socket per port, loses that station's frames:
 * the flood really overflows the buffer.
 */
@ExtendWith(NetLab.Cleanup.class)
class PrioritySocketsNetnsTest {
    static final MacAddress KNOWN = MacAddress.parse("02:00:5e:00:00:0a");
    static final MacAddress STRANGER = MacAddress.parse("02:00:5e:00:00:0c");
    static final MacAddress ENGINE = MacAddress.parse("02:00:5e:00:00:0b");
    static final long WAIT = 5_000;

    /** Records the sequence numbers of the frames from {@link #KNOWN}; holds state for that station only. */
    static final class KnownStationAgent implements PortAgent {
        final List<Integer> fromKnown = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void onFrame(int port, byte[] buf, int off, int len) {
            if (TestFrames.source(java.util.Arrays.copyOfRange(buf, off, off + len)).equals(KNOWN)) {
                fromKnown.add(((buf[off + 16] & 0xFF) << 8) | (buf[off + 17] & 0xFF));
            }
        }

        @Override
        public void onTimer() {}

        @Override
        public long nextDeadline() {
            return Long.MAX_VALUE;
        }

        @Override
        public boolean established(int port, MacAddress station) {
            return station.equals(KNOWN);
        }
    }

    @Test
    @DisplayName("a source filter: included sources only, or every source but the excluded ones, decided by the kernel")
    void filterSources() throws Exception {
        try (NetLab lab = new NetLab()) {
            String nsA = lab.namespace("a");
            String nsB = lab.namespace("b");
            lab.veth(nsA, "eth0", KNOWN, nsB, "eth0", ENGINE);
            try (RawSocket a = RawSocket.open("eth0", AgentRunnerNetnsTest.in(nsA));
                    RawSocket b = RawSocket.open("eth0", AgentRunnerNetnsTest.in(nsB))) {
                b.filterSources(Set.of(KNOWN), true);
                a.send(ecp(ENGINE, STRANGER, 1, 40));
                a.send(ecp(ENGINE, KNOWN, 2, 40));
                assertThat(TestFrames.source(b.receive(WAIT))).isEqualTo(KNOWN);
                assertThat(b.receive(200)).as("the stranger's frame never reached the socket").isNull();

                b.filterSources(Set.of(KNOWN), false);
                a.send(ecp(ENGINE, KNOWN, 3, 40));
                a.send(ecp(ENGINE, STRANGER, 4, 40));
                assertThat(TestFrames.source(b.receive(WAIT))).isEqualTo(STRANGER);
                assertThat(b.receive(200)).isNull();

                b.filterSources(Set.of(), false);
                a.send(ecp(ENGINE, KNOWN, 5, 40));
                assertThat(TestFrames.source(b.receive(WAIT))).isEqualTo(KNOWN);
            }
        }
    }

    @Test
    @DisplayName("REL-3: while the engine thread is held, a flood from 20,000 made-up sources overflows the port's receive "
            + "buffer; the 10 frames an established station sent behind it all reach the engine (with one socket per "
            + "port, the control case, they are dropped by the kernel)")
    void establishedStationsFramesSurviveAnOverflow() throws Exception {
        int withPriority = knownFramesAfterAnOverflow(true);
        assertThat(withPriority).as("the established station's frames after the flood, with the priority socket")
                .isEqualTo(10);
        int without = knownFramesAfterAnOverflow(false);
        assertThat(without).as("the same, one socket per port: the flood did overflow the buffer").isLessThan(10);
    }

    /** How many of the known station's 10 frames sent behind the flood reached the engine. */
    private static int knownFramesAfterAnOverflow(boolean prioritySockets) throws Exception {
        try (NetLab lab = new NetLab()) {
            String nsA = lab.namespace("a");
            String nsB = lab.namespace("b");
            lab.veth(nsA, "eth0", KNOWN, nsB, "eth0", ENGINE);
            List<Event> events = Collections.synchronizedList(new ArrayList<>());
            try (RawSocket a = RawSocket.open("eth0", AgentRunnerNetnsTest.in(nsA));
                    AgentRunner<KnownStationAgent> r = AgentRunner.builder("prio")
                            .port(RawPort.open("eth0", AgentRunnerNetnsTest.in(nsB)))
                            .prioritySockets(prioritySockets).events(events::add).build(io -> new KnownStationAgent())) {
                r.start();
                a.send(ecp(ENGINE, KNOWN, 0, 40));
                await(() -> r.agent().fromKnown.contains(0));
                if (prioritySockets) {
                    await(() -> events.stream().anyMatch(e -> e instanceof TransportEvent.PrioritySources p
                            && p.stations() == 1));
                }
                // hold the engine thread: nothing reads the sockets now
                CountDownLatch held = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                CompletableFuture<Boolean> hold = r.call(() -> {
                    held.countDown();
                    return release.await(30, TimeUnit.SECONDS);
                });
                assertThat(held.await(WAIT, TimeUnit.MILLISECONDS)).isTrue();
                for (int i = 0; i < 20_000; i++) {
                    a.send(ecp(ENGINE, new MacAddress(0x02AB_0000_0000L | i), i, 1400));
                }
                for (int seq = 1; seq <= 10; seq++) {
                    a.send(ecp(ENGINE, KNOWN, seq, 40));
                }
                release.countDown();
                hold.get(WAIT, TimeUnit.MILLISECONDS);
                RawSocket main = ((RawPort) r.ports().getFirst()).socket();
                assertThat(main.stats().dropped()).as("frames the kernel dropped: the buffer overflowed").isPositive();
                // what the kernel kept is read once the engine runs again, in order: a marker from the known station
                // that reaches the engine comes after every earlier frame of it that was not dropped
                boolean marked = false;
                for (int k = 0; k < 100 && !marked; k++) {
                    a.send(ecp(ENGINE, KNOWN, 100 + k, 40));
                    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
                    marked = r.agent().fromKnown.stream().anyMatch(s -> s >= 100);
                    while (!marked && System.nanoTime() < until) {
                        Thread.sleep(5);
                        marked = r.agent().fromKnown.stream().anyMatch(s -> s >= 100);
                    }
                }
                assertThat(marked).as("a marker frame of the known station reached the engine").isTrue();
                return (int) r.agent().fromKnown.stream().filter(s -> s >= 1 && s <= 10).distinct().count();
            }
        }
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void await(Condition c) throws Exception {
        long end = System.nanoTime() + Duration.ofMillis(WAIT * 2).toNanos();
        while (!c.holds()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + WAIT * 2 + " ms");
            }
            Thread.sleep(10);
        }
    }
}
