package org.splitnve.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.transport.TestFrames.NCB;
import static org.splitnve.transport.TestFrames.ecp;
import static org.splitnve.transport.TestFrames.padded;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.event.Event;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.pcap.PcapReader;
import org.splitnve.wire.pcap.PcapRecord;

/** {@link AgentRunner} on {@link MemoryLinks}: no root needed. */
class MemoryLinksTest {
    static final long WAIT = 5;

    /** Collects what arrives at the far end of a link, without an engine. */
    static final class Sink implements Port.Receiver {
        final List<byte[]> frames = new CopyOnWriteArrayList<>();

        @Override
        public void frame(byte[] frame) {
            frames.add(frame);
        }
    }

    /** Waits until {@code condition} holds (polling); fails after {@link #WAIT} seconds. */
    static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + WAIT + " s: " + what);
            }
            Thread.sleep(2);
        }
    }

    @Test
    @DisplayName("a frame sent on one end of an in-memory link reaches the other runner's engine, on its engine thread, padded as on a wire")
    void framesCross() throws Exception {
        MemoryLinks links = new MemoryLinks(1);
        MemoryLinks.Link link = links.connect();
        Sink sink = new Sink();
        link.a().start(sink);
        try (AgentRunner<EchoAgent> echo = AgentRunner.builder("echo").port(link.b()).build(EchoAgent::new)) {
            echo.start();
            assertThat(echo.agent().io.mac(0)).isEqualTo(link.b().mac());
            byte[] big = ecp(NCB, link.a().mac(), 1, 100);
            byte[] small = ecp(link.b().mac(), link.a().mac(), 2, 4);
            link.a().send(big, big.length);
            link.a().send(small, small.length);
            await("two echoes", () -> sink.frames.size() == 2);
            assertThat(echo.agent().frames.get(0)).isEqualTo(big);
            assertThat(echo.agent().frames.get(1)).isEqualTo(padded(small));
            assertThat(TestFrames.destination(sink.frames.get(0))).isEqualTo(link.a().mac());
            assertThat(TestFrames.source(sink.frames.get(0))).isEqualTo(link.b().mac());
            Thread engine = echo.call(Thread::currentThread).get(WAIT, TimeUnit.SECONDS);
            assertThat(echo.agent().threads).containsOnly(engine);
            assertThat(engine.isVirtual()).isFalse();
            assertThat(echo.stats().framesIn()).isEqualTo(2);
            assertThat(echo.stats().framesOut()).isEqualTo(2);
        }
    }

    /** Sends a frame at each deadline, {@code period} apart, until it has sent {@code count}. */
    static final class Ticker implements PortAgent {
        final PortIo io;
        final Clock clock;
        final long period;
        final int count;
        final CountDownLatch done;
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        long next;
        int sent;

        Ticker(PortIo io, Clock clock, long period, int count) {
            this.io = io;
            this.clock = clock;
            this.period = period;
            this.count = count;
            this.done = new CountDownLatch(1);
            this.next = clock.nanos() + period;
        }

        @Override
        public void onFrame(int port, byte[] buf, int off, int len) {}

        @Override
        public void onTimer() {
            threads.add(Thread.currentThread());
            long now = clock.nanos();
            if (sent < count && now >= next) {
                byte[] f = ecp(NCB, io.mac(0), sent, 50);
                io.send(0, f, f.length);
                sent++;
                next = now + period;
                if (sent == count) {
                    done.countDown();
                }
            }
        }

        @Override
        public long nextDeadline() {
            return sent < count ? next : Long.MAX_VALUE;
        }
    }

    @Test
    @DisplayName("onTimer runs on the engine thread when the clock reaches nextDeadline; an engine without timers just waits")
    void timers() throws Exception {
        MemoryLinks.Link link = new MemoryLinks(2).connect();
        Sink sink = new Sink();
        link.b().start(sink);
        Clock clock = Clock.system();
        try (AgentRunner<Ticker> r = AgentRunner.builder("ticker").port(link.a()).clock(clock)
                .build(io -> new Ticker(io, clock, TimeUnit.MILLISECONDS.toNanos(5), 5))) {
            r.start();
            assertThat(r.agent().done.await(WAIT, TimeUnit.SECONDS)).isTrue();
            await("five frames", () -> sink.frames.size() == 5);
            Thread engine = r.call(Thread::currentThread).get();
            assertThat(r.agent().threads).containsOnly(engine);
            assertThat(r.call(() -> r.agent().nextDeadline()).get()).isEqualTo(Long.MAX_VALUE);
            for (int i = 0; i < 5; i++) {
                assertThat(sink.frames.get(i)).isEqualTo(ecp(NCB, link.a().mac(), i, 50));
            }
        }
    }

    /** A peer watchdog: a timeout {@code timeout} after the last frame handled, as the engines keep peers alive. */
    static final class Watchdog implements PortAgent {
        final Clock clock;
        final long timeout;
        final List<String> calls = new CopyOnWriteArrayList<>();
        long lastHeard;

        Watchdog(Clock clock, long timeout) {
            this.clock = clock;
            this.timeout = timeout;
            this.lastHeard = clock.nanos();
        }

        @Override
        public void onFrame(int port, byte[] buf, int off, int len) {
            calls.add("frame " + buf[len - 1]);
            lastHeard = clock.nanos();
        }

        @Override
        public void onTimer() {
            if (clock.nanos() >= lastHeard + timeout) {
                calls.add("timeout");
                lastHeard = clock.nanos();
            }
        }

        @Override
        public long nextDeadline() {
            return lastHeard + timeout;
        }
    }

    @Test
    @DisplayName("SEC-4, SM-TIMER: behind a backlog, a frame that arrived before a timer was due is handled before the "
            + "timer (a keep-alive that came in time counts); one that arrived after it is handled after")
    void framesBeforeDueTimers() throws Exception {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        Clock clock = now::get;
        MemoryLinks.Link link = new MemoryLinks(9).connect();
        link.a().start(new Sink());
        try (AgentRunner<Watchdog> r = AgentRunner.builder("watchdog").port(link.b()).clock(clock)
                .build(io -> new Watchdog(clock, 1_000))) {
            r.start();
            for (int round = 1; round <= 2; round++) {
                long due = r.call(() -> r.agent().nextDeadline()).get(WAIT, TimeUnit.SECONDS);
                CountDownLatch inside = new CountDownLatch(1);
                CountDownLatch busy = new CountDownLatch(1);
                CompletableFuture<Void> busyTask = r.submit(() -> {
                    inside.countDown();
                    try {
                        busy.await(); // the engine is busy: what comes now waits in the queue
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertThat(inside.await(WAIT, TimeUnit.SECONDS)).isTrue();
                now.set(round == 1 ? due - 500 : due + 500);    // the frame comes in time, then too late
                byte[] f = ecp(NCB, link.a().mac(), round, 50);
                f[f.length - 1] = (byte) round;
                link.a().send(f, f.length);
                now.set(due + 1_000);                              // the timer is due while the frame waits
                String mark = "round " + round + " done";
                CompletableFuture<Void> marked = r.submit(() -> r.agent().calls.add(mark));
                busy.countDown();
                await(mark, () -> r.agent().calls.contains(mark));
                busyTask.get(WAIT, TimeUnit.SECONDS);
                marked.get(WAIT, TimeUnit.SECONDS);
            }
            assertThat(r.agent().calls).containsExactly("frame 1", "round 1 done", "timeout", "frame 2", "round 2 done");
        }
    }

    @Test
    @DisplayName("submit and call run on the engine thread in order with frames; failures reach the future; after close they are refused")
    void tasks() throws Exception {
        MemoryLinks.Link link = new MemoryLinks(3).connect();
        link.a().start(new Sink());
        AgentRunner<EchoAgent> r = AgentRunner.builder("echo").port(link.b()).build(EchoAgent::new);
        var early = r.call(() -> r.agent().frames.size()); // queued before start: runs first
        r.start();
        byte[] f = ecp(NCB, link.a().mac(), 1, 50);
        link.a().send(f, f.length);
        var after = r.call(() -> r.agent().frames.size());
        assertThat(early.get(WAIT, TimeUnit.SECONDS)).isZero();
        assertThat(after.get(WAIT, TimeUnit.SECONDS)).as("the frame queued before the task is handled first").isEqualTo(1);
        List<Integer> order = new ArrayList<>();
        List<CompletableFuture<Void>> submitted = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            int n = i;
            submitted.add(r.submit(() -> order.add(n)));
        }
        r.call(() -> {
            assertThat(r.isEngineThread()).isTrue();
            return r.call(() -> "nested calls run at once").getNow("queued");
        }).thenAccept(s -> assertThat(s).isEqualTo("nested calls run at once")).get(WAIT, TimeUnit.SECONDS);
        CompletableFuture.allOf(submitted.toArray(CompletableFuture[]::new)).get(WAIT, TimeUnit.SECONDS);
        assertThat(order).hasSize(100).isSorted();
        assertThat(r.isEngineThread()).isFalse();
        assertThatThrownBy(() -> r.call(() -> {
            throw new IllegalStateException("boom");
        }).get()).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
        r.close();
        assertThatThrownBy(() -> r.submit(() -> {}).join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(RejectedExecutionException.class);
        r.close();
    }

    @Test
    @DisplayName("loss: a link loses no frame at share 0, all at 1 or when cut, and about the share asked in between (seeded)")
    void loss() throws Exception {
        MemoryLinks.Link link = new MemoryLinks(42).connect();
        Sink sink = new Sink();
        link.b().start(sink);
        byte[] f = ecp(NCB, link.a().mac(), 1, 50);
        for (int i = 0; i < 1000; i++) {
            link.a().send(f, f.length);
        }
        assertThat(sink.frames).hasSize(1000);
        link.loss(1);
        for (int i = 0; i < 100; i++) {
            link.a().send(f, f.length);
        }
        assertThat(sink.frames).hasSize(1000);
        link.loss(0).up(false);
        link.a().send(f, f.length);
        assertThat(sink.frames).hasSize(1000);
        link.up(true).loss(0.2);
        for (int i = 0; i < 10_000; i++) {
            link.a().send(f, f.length);
        }
        assertThat(sink.frames.size() - 1000).isBetween(7_600, 8_400);
        assertThat(link.a().lost() + link.a().delivered()).isEqualTo(link.a().sent());
        assertThatThrownBy(() -> link.loss(1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Throws on frames whose ECP sequence is odd; echoes the others. */
    static final class Flaky implements PortAgent {
        final EchoAgent echo;

        Flaky(PortIo io) {
            echo = new EchoAgent(io);
        }

        @Override
        public void onFrame(int port, byte[] buf, int off, int len) {
            if ((buf[off + 17] & 1) == 1) {
                throw new IllegalArgumentException("odd");
            }
            echo.onFrame(port, buf, off, len);
        }

        @Override
        public void onTimer() {}

        @Override
        public long nextDeadline() {
            return Long.MAX_VALUE;
        }
    }

    @Test
    @DisplayName("an engine that throws does not stop its runner: the next frame is handled, an EngineFailed event is reported")
    void engineFailure() throws Exception {
        MemoryLinks.Link link = new MemoryLinks(4).connect();
        Sink sink = new Sink();
        link.a().start(sink);
        List<Event> events = new CopyOnWriteArrayList<>();
        try (AgentRunner<Flaky> r = AgentRunner.builder("flaky").port(link.b()).events(events::add).build(Flaky::new)) {
            r.start();
            for (int seq = 1; seq <= 4; seq++) {
                byte[] f = ecp(NCB, link.a().mac(), seq, 50);
                link.a().send(f, f.length);
            }
            await("two echoes", () -> sink.frames.size() == 2);
            assertThat(r.call(() -> r.stats().engineErrors()).get()).isEqualTo(2);
            assertThat(events).hasSize(2).allSatisfy(e -> assertThat(e).isInstanceOf(TransportEvent.EngineFailed.class));
            assertThat(events.getFirst().name()).isEqualTo("transport.engine_failed");
        }
    }

    @Test
    @DisplayName("a full queue drops frames (counted, reported as QueueOverflow), never tasks; a send on a closed port is reported once")
    void overflowAndSendErrors() throws Exception {
        MemoryLinks.Link link = new MemoryLinks(5).connect();
        List<Event> events = new CopyOnWriteArrayList<>();
        try (AgentRunner<EchoAgent> r = AgentRunner.builder("slow").port(link.b()).queueCapacity(10)
                .events(events::add).build(EchoAgent::new)) {
            r.start();
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> blocker = r.submit(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            byte[] f = ecp(NCB, link.a().mac(), 2, 50);
            for (int i = 0; i < 15; i++) {
                link.a().send(f, f.length);
            }
            var size = r.call(() -> r.agent().frames.size());
            release.countDown();
            blocker.get(WAIT, TimeUnit.SECONDS);
            assertThat(size.get(WAIT, TimeUnit.SECONDS)).isEqualTo(10);
            assertThat(r.stats().dropped()).isEqualTo(5);
            assertThat(events).contains(new TransportEvent.QueueOverflow(5));

            link.a().close(); // the echo goes back through b: a's end is gone, the frames are lost, not errors
            link.b().close();
            r.submit(() -> r.agent().io.send(0, f, f.length)).get();
            r.submit(() -> r.agent().io.send(0, f, f.length)).get();
            assertThat(r.stats().sendErrors()).isEqualTo(2);
            assertThat(events).filteredOn(e -> e instanceof TransportEvent.SendFailed).hasSize(1);
        }
    }

    @Test
    @DisplayName("CaptureTap writes what a runner receives and sends to a pcap that PcapReader reads back")
    void capture() throws Exception {
        MemoryLinks.Link link = new MemoryLinks(6).connect();
        Sink sink = new Sink();
        link.a().start(sink);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CaptureTap tap = new CaptureTap(out);
        try (AgentRunner<EchoAgent> r = AgentRunner.builder("echo").port(link.b()).capture(tap).build(EchoAgent::new)) {
            r.start();
            for (int seq = 1; seq <= 3; seq++) {
                byte[] f = ecp(NCB, link.a().mac(), seq, 50);
                link.a().send(f, f.length);
            }
            await("three echoes", () -> sink.frames.size() == 3);
        }
        tap.close();
        assertThat(tap.error()).isNull();
        assertThat(tap.frames()).isEqualTo(6);
        List<PcapRecord> records = PcapReader.readAll(out.toByteArray());
        assertThat(records).hasSize(6);
        for (int i = 0; i < 3; i++) {
            byte[] in = records.get(2 * i).data().toArray();
            byte[] echoed = records.get(2 * i + 1).data().toArray();
            assertThat(in).isEqualTo(ecp(NCB, link.a().mac(), i + 1, 50));
            assertThat(TestFrames.destination(echoed)).isEqualTo(link.a().mac());
            assertThat(echoed).isEqualTo(sink.frames.get(i));
        }
        long now = System.currentTimeMillis() * 1_000_000L;
        assertThat(records.getFirst().timestampNanos()).isBetween(now - 60_000_000_000L, now + 1_000_000_000L);
    }

    @Test
    @DisplayName("MemoryLinks: ends get distinct locally administered MACs and linkN.a/b names unless given; a runner needs a port")
    void macs() {
        MemoryLinks links = new MemoryLinks(7);
        MemoryLinks.Link l1 = links.connect();
        MemoryLinks.Link l2 = links.connect(MacAddress.parse("02:aa:00:00:00:01"), null);
        assertThat(List.of(l1.a().mac(), l1.b().mac(), l2.b().mac())).doesNotHaveDuplicates()
                .allSatisfy(m -> assertThat(m.isLocal() && m.isValidUnicast()).isTrue());
        assertThat(l2.a().mac()).isEqualTo(MacAddress.parse("02:aa:00:00:00:01"));
        assertThat(l1.a().peer()).isSameAs(l1.b());
        assertThat(links.links()).containsExactly(l1, l2);
        MemoryLinks.Link named = links.connect("h1/up0", null, null, MacAddress.parse("02:aa:00:00:00:02"));
        assertThat(named.a().name()).isEqualTo("h1/up0");
        assertThat(named.b().name()).isEqualTo("link3.b");
        assertThat(named.b().mac()).isEqualTo(MacAddress.parse("02:aa:00:00:00:02"));
        assertThatThrownBy(() -> AgentRunner.builder("none").build(EchoAgent::new)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @DisplayName("issue 13 (pauses): the runner measures its loop: busy time grows by the work done and not while it "
            + "waits, each pass is a turn, and the longest turn since the last look is reported once")
    void dutyCycle() throws Exception {
        MemoryLinks.Link link = new MemoryLinks(3).connect();
        link.a().start(new Sink());
        try (AgentRunner<EchoAgent> r = AgentRunner.builder("echo").port(link.b()).build(EchoAgent::new)) {
            r.start();
            r.call(() -> null).get(WAIT, TimeUnit.SECONDS);
            AgentRunner.Stats before = r.stats();
            r.takeLongestTurn();
            long spin = TimeUnit.MILLISECONDS.toNanos(60);
            r.call(() -> {
                long until = System.nanoTime() + spin;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                return null;
            }).get(WAIT, TimeUnit.SECONDS);
            AgentRunner.Stats after = r.stats();
            assertThat(after.busyNanos() - before.busyNanos()).as("the 60 ms of work counted as busy").isGreaterThanOrEqualTo(spin);
            // the turn that ran the work ends once the loop waits again
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
            long longest = 0;
            while (longest < spin && System.nanoTime() < deadline) {
                longest = Math.max(longest, r.takeLongestTurn());
                Thread.onSpinWait();
            }
            assertThat(longest).as("the longest turn holds the 60 ms").isGreaterThanOrEqualTo(spin);
            assertThat(r.stats().turns()).as("the turn counted once it ended").isGreaterThan(before.turns());
            assertThat(r.takeLongestTurn()).as("taken: a new interval starts").isLessThan(spin);
            // idle: the engine thread waits, its busy time does not grow with the wall clock
            AgentRunner.Stats idle0 = r.stats();
            long t0 = System.nanoTime();
            CountDownLatch never = new CountDownLatch(1);
            never.await(100, TimeUnit.MILLISECONDS);
            long wall = System.nanoTime() - t0;
            assertThat(r.stats().busyNanos() - idle0.busyNanos()).as("busy while idle for %d ns", wall).isLessThan(wall / 2);
        }
    }
}
