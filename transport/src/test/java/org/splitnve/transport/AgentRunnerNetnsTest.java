package org.splitnve.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.transport.TestFrames.GROUP;
import static org.splitnve.transport.TestFrames.NCB;
import static org.splitnve.transport.TestFrames.ecp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.pcap.PcapReader;
import org.splitnve.wire.pcap.PcapRecord;

/** {@link AgentRunner} with {@link RawPort}s in network namespaces. */
@ExtendWith(NetLab.Cleanup.class)
class AgentRunnerNetnsTest {
    static final MacAddress MAC_A = MacAddress.parse("02:00:5e:00:00:0a");
    static final MacAddress MAC_B = MacAddress.parse("02:00:5e:00:00:0b");
    static final long WAIT = 5_000;

    static RawSocket.Options in(String ns) {
        return RawSocket.Options.defaults().inNamespace(ns).joining(GROUP);
    }

    static List<Thread> threads(String... names) {
        List<String> wanted = List.of(names);
        return Thread.getAllStackTraces().keySet().stream().filter(t -> wanted.contains(t.getName())).toList();
    }

    static List<Thread> receiveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("rx snvt-")).toList();
    }

    @Test
    @DisplayName("REQ-12: an AgentRunner with an echo engine answers ECP frames on a veth link; its capture holds both directions")
    void echoOverVeth(@TempDir Path dir) throws Exception {
        try (NetLab lab = new NetLab()) {
            String nsA = lab.namespace("a");
            String nsB = lab.namespace("b");
            lab.veth(nsA, "eth0", MAC_A, nsB, "eth0", MAC_B);
            Path pcap = dir.resolve("echo.pcap");
            try (CaptureTap tap = CaptureTap.toFile(pcap);
                    RawSocket a = RawSocket.open("eth0", in(nsA));
                    AgentRunner<EchoAgent> echo = AgentRunner.builder("echo").port(RawPort.open("eth0", in(nsB)))
                            .capture(tap).build(EchoAgent::new)) {
                echo.start();
                assertThat(echo.agent().io.mac(0)).isEqualTo(MAC_B);
                assertThat(echo.ports().getFirst().name()).isEqualTo(nsB + "/eth0");
                MacAddress[] destinations = {NCB, MAC_B, GROUP};
                for (int seq = 0; seq < 30; seq++) {
                    a.send(ecp(destinations[seq % 3], MAC_A, seq, 40 + seq));
                }
                for (int seq = 0; seq < 30; seq++) {
                    byte[] reply = a.receive(WAIT);
                    assertThat(reply).as("echo %d", seq).isNotNull();
                    byte[] expected = TestFrames.padded(ecp(MAC_A, MAC_B, seq, 40 + seq));
                    assertThat(reply).isEqualTo(expected);
                }
                assertThat(echo.call(() -> echo.agent().frames.size()).get(WAIT, TimeUnit.MILLISECONDS)).isEqualTo(30);
                Thread engine = echo.call(Thread::currentThread).get();
                assertThat(echo.agent().threads).containsOnly(engine);
                assertThat(echo.stats().framesOut()).isEqualTo(30);
            }
            List<PcapRecord> records = PcapReader.readAll(Files.readAllBytes(pcap));
            assertThat(records).hasSize(60);
            assertThat(records.get(0).data().toArray()).isEqualTo(TestFrames.padded(ecp(NCB, MAC_A, 0, 40)));
            assertThat(records.get(1).data().toArray()).isEqualTo(TestFrames.padded(ecp(MAC_A, MAC_B, 0, 40)));
            assertThat(receiveThreads()).isEmpty();
        }
    }

    @Test
    @DisplayName("REQ-12, SM-TIMER: with a raw socket read by the engine thread, a frame that arrived while the engine was"
            + " busy past its deadline is handled before the timer runs")
    void waitingFramesBeforeADueTimerOnRawSockets() throws Exception {
        try (NetLab lab = new NetLab()) {
            String nsA = lab.namespace("a");
            String nsB = lab.namespace("b");
            lab.veth(nsA, "eth0", MAC_A, nsB, "eth0", MAC_B);
            try (RawSocket a = RawSocket.open("eth0", in(nsA));
                    AgentRunner<LateAckAgent> r = AgentRunner.builder("late").port(RawPort.open("eth0", in(nsB)))
                            .build(io -> new LateAckAgent(org.splitnve.protocol.Clock.system()))) {
                r.start();
                LateAckAgent.busyPastDeadline(r, () -> {
                    try {
                        a.send(ecp(MAC_B, MAC_A, 1, 4));
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertThat(r.agent().calls).containsExactly("frame");
                assertThat(receiveThreads()).isEmpty();
            }
        }
    }

    /** Sends frame 0 on start, answers each reply with the next until {@code rounds}; counts down then. */
    static final class Pinger implements PortAgent {
        final PortIo io;
        final int rounds;
        final CountDownLatch done = new CountDownLatch(1);
        int received;

        Pinger(PortIo io, int rounds) {
            this.io = io;
            this.rounds = rounds;
        }

        void ping(int seq) {
            byte[] f = ecp(NCB, io.mac(0), seq, 50);
            io.send(0, f, f.length);
        }

        @Override
        public void onFrame(int port, byte[] buf, int off, int len) {
            received++;
            if (received == rounds) {
                done.countDown();
            } else if (received < rounds) {
                ping(received);
            }
        }

        @Override
        public void onTimer() {}

        @Override
        public long nextDeadline() {
            return Long.MAX_VALUE;
        }
    }

    @Test
    @DisplayName("REQ-12: two AgentRunners exchange 1000 round trips across a Linux bridge, their engine threads"
            + " reading the raw sockets themselves (no receive thread); close ends those threads")
    void runnersAcrossBridge() throws Exception {
        try (NetLab lab = new NetLab()) {
            String nsA = lab.namespace("a");
            String nsB = lab.namespace("b");
            String nsBr = lab.namespace("br");
            lab.veth(nsA, "eth0", MAC_A, nsBr, "p1", MacAddress.parse("02:00:5e:00:01:01"));
            lab.veth(nsB, "eth0", MAC_B, nsBr, "p2", MacAddress.parse("02:00:5e:00:01:02"));
            lab.bridge(nsBr, "br0", "p1", "p2");
            AgentRunner<Pinger> pinger = AgentRunner.builder("pinger").port(RawPort.open("eth0", in(nsA)))
                    .build(io -> new Pinger(io, 1000));
            AgentRunner<EchoAgent> echo = AgentRunner.builder("echo").port(RawPort.open("eth0", in(nsB)))
                    .build(EchoAgent::new);
            try (pinger; echo) {
                echo.start();
                pinger.start();
                CompletableFuture<Void> first = pinger.submit(() -> pinger.agent().ping(0));
                assertThat(pinger.agent().done.await(30, TimeUnit.SECONDS)).as("1000 round trips").isTrue();
                first.get(30, TimeUnit.SECONDS); // the first ping went out without an exception
                assertThat(receiveThreads()).isEmpty();
                assertThat(threads("engine pinger", "engine echo")).hasSize(2);
            }
            assertThat(threads("engine pinger", "engine echo")).isEmpty();
            assertThat(pinger.stats().framesIn()).isEqualTo(1000);
            assertThat(echo.stats().framesOut()).isEqualTo(1000);
        }
    }
}
