package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.splitnve.daemon.netns.DaemonLab.mac;
import static org.splitnve.daemon.netns.DaemonLab.port;
import static org.splitnve.daemon.netns.DaemonLab.text;
import static org.splitnve.daemon.netns.DaemonLab.tsi;
import static org.splitnve.daemon.netns.DaemonLab.uplink;
import static org.splitnve.sim.scenario.Frames.hostileTsi;
import static org.splitnve.sim.scenario.Frames.vsi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.daemon.netns.DaemonLab.Bridge;
import org.splitnve.daemon.netns.DaemonLab.Nnve;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.nnve.TsiState;
import org.splitnve.sim.scenario.Frames;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.transport.RawPort;
import org.splitnve.transport.RawSocket;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiMode;

/**
 * REL-3 on real frames (issue 12, attack 4): a flood on a shared segment. An nNVE daemon and a victim tNVE
 * daemon with a short keep-alive (RKA 14: every 164 ms) on one Linux bridge; from a raw socket on the same
 * bridge, a flood to the nNVE's port at 50,000 frames/s: ECPDUs of 16 requests each from a new made-up source MAC
 * every time, as many in the flooder's own name, and random octets. Handling them costs the engine several times
 * what reading them costs. Before the per-source queues in front of the engine (transport's SourceQueues), the
 * engine took the frames in the order they came: the victim's ECPDUs waited behind the flood and went
 * unacknowledged (this test failed on "no acknowledgement" for the victim's first suspend, with the runner of
 * commit 0c1197b). Now the engine thread empties its socket faster than the flood fills it, the victim (a station
 * that holds TSIs) is served ahead of any number of unknown sources, and the unknown sources get a share of the
 * engine's time.
 */
class FairnessNetnsTest {
    static final MacAddress NNVE = mac(0x10);
    static final MacAddress VICTIM = mac(1);
    static final MacAddress FLOODER = mac(0x66);
    /**
     * R 3, RTE 14 (164 ms), RWD 14, RKA 14 (a keep-alive every 164 ms; the nNVE expires a TSI after 2 s without
     * one): the short keep-alive. RTE 14, the default, because the test asserts that the victim's ECP
     * never gives up on an ECPDU (four tries): with the lab's RTE 12 that is 164 ms, which a 2-core machine
     * shared with other builds can take from a thread now and then, flood or not (it passed twice on a quiet
     * machine).
     */
    static final String SHORT_TIMERS = """
            [timers]
            retries = 3
            rte = 14
            rwd = 14
            rka = 14
            """;
    static final Duration FLOOD = Duration.ofSeconds(10);
    /**
     * Frames a second the flood is paced at: about three times what the nNVE's engine handled of these frames
     * before the per-source queues (18,000 a second), well below what its thread reads.
     */
    static final long FLOOD_RATE = 50_000;

    @RegisterExtension
    final DaemonLab lab = new DaemonLab();

    @Test
    @DisplayName("REL-3, SEC-4, SEC-5: a 10 s flood on the victim's bridge (50,000 frames/s of requests from made-up stations, of "
            + "the flooder's own, random octets) neither expires the victim's TSIs at RKA 14 nor delays its requests: its "
            + "TSIs stay Activated at the nNVE and at the victim, every ECPDU of it is acknowledged, its suspends and "
            + "resumes are answered; the flood's excess is dropped in front of the engine and reported per source; the "
            + "nNVE's log holds a few hundred lines of it, not a line per frame")
    void floodOnASharedSegment() throws Exception {
        lab.timers(SHORT_TIMERS).logLevel("info");
        String nsN = lab.namespace("n");
        String nsV = lab.namespace("v");
        String nsX = lab.namespace("x");
        Bridge br = lab.bridge("br0");
        lab.attach(br, nsN, "p0", NNVE);
        lab.attach(br, nsV, "up0", VICTIM);
        lab.attach(br, nsX, "x0", FLOODER);
        Nnve n = lab.nnve("n1", port(nsN, "p0", "") + DaemonLab.vns(5000));
        Tnve v = lab.tnve("victim", uplink("tor", nsV, "up0", NNVE.toString(), "nnve = \"" + NNVE + "\""));
        TsiSpec a1 = tsi(1, 5000);
        TsiSpec a2 = tsi(2, 5000);
        List<byte[]> frames = floodFrames();
        RawSocket x = lab.closeAfter(RawSocket.open("x0", RawSocket.Options.defaults().inNamespace(nsX)));

        v.ok(e -> e.create("vm", List.of(a1, a2)));
        v.ok(e -> e.start("vm"));
        for (TsiSpec t : List.of(a1, a2)) {
            assertThat(n.state(t)).isEqualTo(TsiState.ACTIVATED);
        }
        int victimEventsBefore = victimStateEvents(n).size();
        assertThat(n.call(() -> n.d.engine().established(0, VICTIM))).as("the victim holds state at the nNVE").isTrue();
        assertThat(n.call(() -> n.d.engine().established(0, FLOODER))).isFalse();

        AtomicLong sent = new AtomicLong();
        long floodEnd = System.nanoTime() + FLOOD.toNanos();
        Thread flooder = flood(x, frames, FLOOD, sent);
        // Throughout the flood: the victim's TSIs Activated at the nNVE (read on its engine thread every 50 ms), and
        // now and then a request of the victim answered: a suspend (deactivate) and a resume (activate).
        int samples = 0;
        int transmitErrorsBefore = v.events("ecp.transmit_error").size();
        long nnveLinesBefore = n.log().lines().count();
        List<Long> opMillis = new ArrayList<>();
        // a suspend and resume every 2 s of the flood (1 s, 3 s, ... in): by the clock, not by the count of samples,
        // so that a slow machine (a loaded CI) still does them while the flood lasts
        long nextOp = floodEnd - FLOOD.toNanos() + 1_000_000_000L;
        while (flooder.isAlive()) {
            if (System.nanoTime() >= nextOp && System.nanoTime() < floodEnd - 500_000_000L) {
                nextOp += 2_000_000_000L;
                long t0 = System.nanoTime();
                v.ok(e -> e.suspend("vm"));
                v.ok(e -> e.resume("vm"));
                opMillis.add((System.nanoTime() - t0) / 1_000_000);
            }
            for (TsiSpec t : List.of(a1, a2)) {
                assertThat(n.state(t)).as("TSI %s at the nNVE, %d ms into the flood", t.id(),
                        (System.nanoTime() - floodEnd + FLOOD.toNanos()) / 1_000_000).isEqualTo(TsiState.ACTIVATED);
            }
            samples++;
            flooder.join(50);
        }
        long seconds = FLOOD.toSeconds();
        System.out.printf("flood: %d frames in %d s (%d/s); the victim's TSIs sampled %d times%n", sent.get(), seconds,
                sent.get() / seconds, samples);

        // SEC-5: log lines are a resource the flood must not exhaust. Each made-up station makes a peer, leaves its
        // answer unacknowledged and expires: before those were logged in aggregate, a line each, about 89,000
        // lines in this flood (and that much JSON written and kept by this JVM, where both daemons run).
        long nnveLines = n.log().lines().count() - nnveLinesBefore;
        System.out.printf("the nNVE's log during the flood: %d lines%n", nnveLines);
        assertThat(nnveLines).as("the nNVE's log lines during the flood").isLessThan(1_000);
        System.out.printf("the victim's suspend and resume during the flood: %s ms; its ECP gave up on %d ECPDUs%n",
                opMillis, v.events("ecp.transmit_error").size() - transmitErrorsBefore);
        RawSocket.Stats socket = ((RawPort) n.daemon.runner().ports().getFirst()).socket().stats();
        System.out.printf("nNVE socket: %d frames read, %d dropped by the kernel (its receive buffer full)%n",
                socket.received(), socket.dropped());
        // Every ECPDU of the victim was acknowledged within its retransmissions (none was lost in the flood four
        // times), and its requests were answered.
        assertThat(v.events("ecp.transmit_error")).hasSize(transmitErrorsBefore);
        assertThat(opMillis).hasSizeGreaterThanOrEqualTo(4);
        // No state change of the victim's TSIs but its own suspends and resumes (not only at the samples).
        assertThat(victimStateEvents(n).subList(victimEventsBefore, victimStateEvents(n).size()))
                .as("the victim's TSI changes at the nNVE during the flood: its suspends and resumes only")
                .allSatisfy(e -> assertThat(text(e, "cause")).doesNotContain("keep-alive").doesNotContain("timeout"));
        for (TsiSpec t : List.of(a1, a2)) {
            assertThat(n.state(t)).isEqualTo(TsiState.ACTIVATED);
            assertThat(v.state("tor", t)).isEqualTo(TnveEngine.TsiState.ACTIVATED);
        }
        assertThat(v.events("nnve.initiated")).isEmpty();
        // The flood did overflow what the nNVE takes in: its excess was dropped, per source, and reported.
        long dropped = n.daemon.runner().stats().dropped();
        System.out.printf("nNVE: %d frames in, %d dropped in front of the engine; %d source_dropped events%n",
                n.daemon.runner().stats().framesIn(), dropped, n.events("transport.source_dropped").size());
        assertThat(dropped).isPositive();
        assertThat(n.events("transport.source_dropped")).isNotEmpty()
                .noneSatisfy(e -> assertThat(text(e, "station")).isEqualTo(VICTIM.toString()));
        // and the victim is served at once afterwards
        v.ok(e -> e.suspend("vm"));
        v.ok(e -> e.resume("vm"));
    }

    /**
     * The flood's frames, made beforehand: 16 requests each from made-up stations to the nNVE's MAC (the bridge
     * forwards them to its port only), as many in the flooder's own name, random octets. {@link #flood} gives
     * each request a sequence number and each made-up station a MAC of its own as it sends them.
     */
    private static List<byte[]> floodFrames() {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 4096; i++) {
            MacAddress spoofed = new MacAddress(0x02AB_0000_0000L | i);
            frames.add(Frames.vdp(NNVE, spoofed, EcpHeader.request(1), requests(spoofed, 30_000 + 16 * i)));
            if (i % 4 == 0) {
                frames.add(Frames.vdp(NNVE, FLOODER, EcpHeader.request(i), requests(FLOODER, 200_000 + 16 * i)));
            }
        }
        byte[] valid = frames.getFirst();
        for (byte[] noise : Frames.noise(new SplittableRandom(12), valid, 1024, 14, 1515)) {
            System.arraycopy(NNVE.toBytes(), 0, noise, 0, 6); // to the nNVE's port, from made-up sources
            frames.add(noise);
        }
        return frames;
    }

    /** A PDU of 16 Pre-Associate requests, each for a TSI of its own: costly for the engine, cheap to send. */
    private static VdpPdu requests(MacAddress station, int firstTsi) {
        List<VdpItem> items = new ArrayList<>();
        for (int k = 0; k < 16; k++) {
            items.add(vsi(VsiMode.PRE_ASSOCIATE, hostileTsi(firstTsi + k), 5000, station, List.of()));
        }
        return new VdpPdu(ManagerId.ofText("flood"), List.of(), items, null);
    }

    /** Sends {@code frames} round and round from {@code x} at {@link #FLOOD_RATE} for {@code time}, on a thread. */
    private static Thread flood(RawSocket x, List<byte[]> frames, Duration time, AtomicLong sent) {
        long start = System.nanoTime();
        long end = start + time.toNanos();
        return Thread.ofPlatform().name("flooder").start(() -> {
            try {
                // paced: bursts of 100 frames, each when the schedule says; bounded by the time
                for (long k = 0; System.nanoTime() < end; k += 100) {
                    long early = start + k * 1_000_000_000L / FLOOD_RATE - System.nanoTime();
                    if (early > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(early);
                    }
                    for (int b = 0; b < 100; b++) {
                        long n = k + b;
                        byte[] f = frames.get((int) (n % frames.size())).clone();
                        if (f.length > 18 && f[12] == (byte) 0x89 && f[13] == 0x40) {
                            // every request new to the engine: a new ECP sequence number, and for the made-up
                            // stations a new source MAC each time (02:ab:...: 2^32 of them), not a duplicate to ack
                            f[16] = (byte) (n >>> 8);
                            f[17] = (byte) n;
                            if (f[6] == 0x02 && f[7] == (byte) 0xAB) {
                                f[8] = (byte) (n >>> 24);
                                f[9] = (byte) (n >>> 16);
                                f[10] = (byte) (n >>> 8);
                                f[11] = (byte) n;
                            }
                        }
                        x.send(f);
                    }
                    sent.addAndGet(100);
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static List<tools.jackson.databind.JsonNode> victimStateEvents(Nnve n) {
        return n.events("tsi.state").stream().filter(e -> VICTIM.toString().equals(text(e, "station"))).toList();
    }
}
