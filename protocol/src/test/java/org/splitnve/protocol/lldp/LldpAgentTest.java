package org.splitnve.protocol.lldp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.protocol.ManualClock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.event.RecordingSink;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.EvbMode;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.lldp.LldpPdu;

/** The LLDP agent in front of an engine, fed LLDPDUs by hand. */
class LldpAgentTest {
    static final long SECOND = 1_000_000_000L;

    /** Two ports; what went out of each. */
    static final class Io implements PortIo {
        final List<List<byte[]>> sent = List.of(new ArrayList<>(), new ArrayList<>());

        @Override
        public int ports() {
            return 2;
        }

        @Override
        public MacAddress mac(int port) {
            return new MacAddress(0x0200_0000_0010L + port);
        }

        @Override
        public void send(int port, byte[] frame, int length) {
            sent.get(port).add(frame);
        }
    }

    /** An engine that does nothing. */
    static final class Idle implements PortAgent {
        int frames;

        @Override
        public void onFrame(int port, byte[] buf, int off, int len) {
            frames++;
        }

        @Override
        public void onTimer() {
        }

        @Override
        public long nextDeadline() {
            return Long.MAX_VALUE;
        }
    }

    static byte[] lldpdu(MacAddress source, int rka) {
        return lldpdu(source, EvbTlv.station(7, 31, 31, rka, true), 120);
    }

    static byte[] lldpdu(MacAddress source, EvbTlv evb, int ttl) {
        return FrameCodec.DEFAULT.encode(new Frame.Lldp(new EthernetHeader(MacAddress.NEAREST_CUSTOMER_BRIDGE, source,
                LldpPdu.ETHERTYPE), LldpPdu.ofMac(source, ttl, List.of(evb))), true);
    }

    /** Runs the agent as the daemon's runner does, to {@code until}, feeding {@code each} every 30 s of it. */
    static void run(LldpAgent<Idle> agent, ManualClock clock, long until, Runnable each) {
        long nextFrame = clock.nanos();
        while (clock.nanos() < until) {
            if (clock.nanos() >= nextFrame) {
                each.run();
                nextFrame += 30 * SECOND;
            }
            if (agent.nextDeadline() <= clock.nanos()) {
                agent.onTimer();
            }
            clock.advance(SECOND / 2);
        }
    }

    @Test
    @DisplayName("SEC-3: two neighbours on one port (a bridge and a station behind a switch), each repeating itself every "
            + "30 s, are logged once each when they appear, again when one changes, and once more when one falls silent "
            + "past its TTL (lldp.peer_expired) or says goodbye (TTL 0); never every 30 s")
    void neighboursLoggedWhenTheyAppearChangeOrExpire() {
        ManualClock clock = new ManualClock(0);
        Io io = new Io();
        RecordingSink events = new RecordingSink();
        LldpAgent<Idle> agent = new LldpAgent<>(new Idle(), io, clock, 0x0A534E, EvbMode.STATION, Timers.STANDARD, true,
                null, 120, 30 * SECOND, events);
        MacAddress bridge = new MacAddress(0x0200_0000_0B01L);
        MacAddress station = new MacAddress(0x0200_0000_0A02L);
        EvbTlv bridgeEvb = EvbTlv.bridge(3, 14, 20, 20, true);
        EvbTlv[] stationEvb = {EvbTlv.station(7, 31, 31, 25, true)};
        boolean[] stationSpeaks = {true};
        Runnable both = () -> {
            byte[] b = lldpdu(bridge, bridgeEvb, 120);
            agent.onFrame(0, b, 0, b.length);
            clock.advance(2 * SECOND); // beyond the answer's rate limit: each is answered
            if (stationSpeaks[0]) {
                byte[] s = lldpdu(station, stationEvb[0], 120);
                agent.onFrame(0, s, 0, s.length);
            }
        };
        run(agent, clock, 10 * 60 * SECOND, both);
        assertThat(events.of(LldpAgent.PeerEvb.class)).as("one line per neighbour in 10 minutes")
                .extracting(LldpAgent.PeerEvb::peer).containsExactly(bridge, station);
        assertThat(agent.neighbours()).isEqualTo(2);

        // the station's timers change: one line
        stationEvb[0] = EvbTlv.station(7, 31, 31, 28, true);
        run(agent, clock, clock.nanos() + 5 * 60 * SECOND, both);
        assertThat(events.of(LldpAgent.PeerEvb.class)).extracting(LldpAgent.PeerEvb::peer)
                .containsExactly(bridge, station, station);
        assertThat(events.of(LldpAgent.PeerEvb.class).getLast().peerTimers().rka()).isEqualTo(28);

        // the station falls silent: expired once its TTL (120 s) has run out, the bridge not
        stationSpeaks[0] = false;
        long silent = clock.nanos();
        run(agent, clock, silent + 5 * 60 * SECOND, both);
        assertThat(events.of(LldpAgent.PeerExpired.class)).extracting(LldpAgent.PeerExpired::peer).containsExactly(station);
        assertThat(events.of(LldpAgent.PeerEvb.class)).hasSize(3);
        assertThat(agent.neighbours()).isEqualTo(1);

        // it comes back: appears again; the bridge says goodbye (TTL 0): expired at once
        stationSpeaks[0] = true;
        run(agent, clock, clock.nanos() + 60 * SECOND, both);
        assertThat(events.of(LldpAgent.PeerEvb.class)).extracting(LldpAgent.PeerEvb::peer)
                .containsExactly(bridge, station, station, station);
        byte[] bye = lldpdu(bridge, bridgeEvb, 0);
        agent.onFrame(0, bye, 0, bye.length);
        assertThat(events.of(LldpAgent.PeerExpired.class)).extracting(LldpAgent.PeerExpired::peer)
                .containsExactly(station, bridge);
    }

    @Test
    @DisplayName("SEC-10: a flood of LLDPDUs from made-up sources does not grow the neighbours the agent remembers beyond "
            + "its bound")
    void neighboursBounded() {
        ManualClock clock = new ManualClock(0);
        LldpAgent<Idle> agent = new LldpAgent<>(new Idle(), new Io(), clock, 0x0A534E, EvbMode.BRIDGE, Timers.STANDARD,
                true, null, 120, 30 * SECOND, new RecordingSink());
        for (int i = 0; i < 10_000; i++) {
            byte[] f = lldpdu(new MacAddress(0x02AA_0000_0000L | i), 20);
            agent.onFrame(i % 2, f, 0, f.length);
            clock.advance(SECOND);
        }
        assertThat(agent.neighbours()).isEqualTo(LldpAgent.MAX_NEIGHBOURS);
    }

    @Test
    @DisplayName("SEC-10, SEC-5: a flood of LLDPDUs with changing EVB TLVs on one port gets at most one answer per second, "
            + "on that port only, and one lldp.peer line per answer; every frame still reaches the engine")
    void answersAreRateLimitedAndStayOnThePortAsked() {
        ManualClock clock = new ManualClock(0);
        Io io = new Io();
        RecordingSink events = new RecordingSink();
        Idle engine = new Idle();
        LldpAgent<Idle> agent = new LldpAgent<>(engine, io, clock, 0x0A534E, EvbMode.BRIDGE, Timers.STANDARD, true, null,
                120, 30 * SECOND, events);
        agent.onTimer(); // the start: one LLDPDU on each port
        assertThat(io.sent.get(0)).hasSize(1);
        assertThat(io.sent.get(1)).hasSize(1);

        // 1,000 LLDPDUs in a second, each from another made-up source with other timers, on port 0 only.
        for (int i = 0; i < 1000; i++) {
            byte[] f = lldpdu(new MacAddress(0x02AA_0000_0000L | i), i % 32);
            agent.onFrame(0, f, 0, f.length);
            if (agent.nextDeadline() <= clock.nanos()) {
                agent.onTimer(); // as the runner does
            }
            clock.advance(SECOND / 1000);
        }
        assertThat(engine.frames).isEqualTo(1000);
        assertThat(io.sent.get(1)).as("nothing on the port that was not asked").hasSize(1);
        assertThat(io.sent.get(0)).as("the start and one answer").hasSize(2);
        assertThat(events.of(LldpAgent.PeerEvb.class)).hasSize(1);
        assertThat(agent.unanswered(0)).isEqualTo(999);

        // A second later, a change is answered again (and a peer that starts late is not left waiting 30 s).
        clock.advance(SECOND);
        byte[] f = lldpdu(new MacAddress(0x02BB_0000_0001L), 20);
        agent.onFrame(0, f, 0, f.length);
        assertThat(io.sent.get(0)).hasSize(3);
        assertThat(io.sent.get(1)).hasSize(1);
    }
}
