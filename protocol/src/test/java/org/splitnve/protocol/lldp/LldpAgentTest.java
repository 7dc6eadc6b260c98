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
        EvbTlv evb = EvbTlv.station(7, 31, 31, rka, true);
        return FrameCodec.DEFAULT.encode(new Frame.Lldp(new EthernetHeader(MacAddress.NEAREST_CUSTOMER_BRIDGE, source,
                LldpPdu.ETHERTYPE), LldpPdu.ofMac(source, 120, List.of(evb))), true);
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
