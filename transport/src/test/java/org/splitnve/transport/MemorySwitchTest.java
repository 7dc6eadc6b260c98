package org.splitnve.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.splitnve.transport.TestFrames.GROUP;
import static org.splitnve.transport.TestFrames.NCB;
import static org.splitnve.transport.TestFrames.ecp;
import static org.splitnve.transport.TestFrames.lldp;
import static org.splitnve.transport.TestFrames.padded;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.wire.MacAddress;

/**
 * {@link MemorySwitch}: an ordinary Ethernet switch (a Linux bridge with STP off) between in-memory links. These
 * test the harness's own switch, not the product, so they cite no requirement; REQ-1, REQ-2 and GAP-1 are proved
 * by the engines and daemons across switches (sim BridgedNetworkScenarioTest, app BridgedNetnsTest).
 */
class MemorySwitchTest {
    static final MacAddress H1 = MacAddress.parse("02:00:00:01:00:01");
    static final MacAddress H2 = MacAddress.parse("02:00:00:02:00:01");
    static final MacAddress NNVE = MacAddress.parse("02:00:00:0a:00:01");

    MemoryLinks.Link l1;
    MemoryLinks.Link l2;
    MemoryLinks.Link l3;
    MemoryLinksTest.Sink s1;
    MemoryLinksTest.Sink s2;
    MemoryLinksTest.Sink s3;
    MemorySwitch sw;

    @BeforeEach
    void wire() {
        MemoryLinks links = new MemoryLinks(11);
        l1 = links.connect(H1, null);
        l2 = links.connect(H2, null);
        l3 = links.connect(NNVE, null);
        s1 = new MemoryLinksTest.Sink();
        s2 = new MemoryLinksTest.Sink();
        s3 = new MemoryLinksTest.Sink();
        l1.a().start(s1);
        l2.a().start(s2);
        l3.a().start(s3);
        sw = new MemorySwitch("sw", List.of(l1.b(), l2.b(), l3.b()));
    }

    static void send(MemoryLinks.End from, byte[] frame) throws Exception {
        from.send(frame, frame.length);
    }

    @Test
    @DisplayName("unknown unicast floods to every other port, a learned station gets its frames alone, "
            + "a frame to a station on the ingress port is filtered, never sent back")
    void learnsAndForwards() throws Exception {
        byte[] hello = ecp(NNVE, H1, 1, 40);
        send(l1.a(), hello);                                   // nnve not learned yet: flooded
        assertThat(s2.frames).singleElement().isEqualTo(padded(hello));
        assertThat(s3.frames).singleElement().isEqualTo(padded(hello));
        assertThat(s1.frames).isEmpty();
        assertThat(sw.portOf(H1)).isZero();

        byte[] answer = ecp(H1, NNVE, 2, 40);
        send(l3.a(), answer);                                   // h1 learned: only to port 0
        assertThat(s1.frames).singleElement().isEqualTo(padded(answer));
        assertThat(s2.frames).hasSize(1);
        assertThat(sw.portOf(NNVE)).isEqualTo(2);

        send(l2.a(), ecp(NNVE, H2, 3, 40));                     // nnve learned: only to port 2
        assertThat(s3.frames).hasSize(2);
        assertThat(s1.frames).hasSize(1);
        assertThat(sw.forwarded()).isEqualTo(2);
        assertThat(sw.flooded()).isEqualTo(1);

        // h2 is behind port 1: a frame for h2 arriving on port 1 (a station on the same segment) is filtered
        send(l2.a(), ecp(H2, MacAddress.parse("02:00:00:09:09:09"), 4, 40));
        assertThat(s2.frames).hasSize(1);
        assertThat(sw.filtered()).isEqualTo(1);
    }

    @Test
    @DisplayName("the nearest customer bridge group (01:80:c2:00:00:00), non-reserved multicast and "
            + "broadcast are flooded; the other reserved groups (LLDP's nearest bridge ...:0e, 802.1X ...:03) are "
            + "dropped, as by a Linux bridge with STP off")
    void groups() throws Exception {
        send(l1.a(), ecp(NCB, H1, 1, 40));
        send(l1.a(), ecp(GROUP, H1, 2, 40));
        send(l1.a(), ecp(MacAddress.parse("ff:ff:ff:ff:ff:ff"), H1, 3, 40));
        assertThat(s2.frames).hasSize(3);
        assertThat(s3.frames).hasSize(3);
        send(l1.a(), lldp(H1, "up0"));                          // 01:80:c2:00:00:0e
        send(l1.a(), ecp(MacAddress.parse("01:80:c2:00:00:03"), H1, 4, 40));
        assertThat(s2.frames).hasSize(3);
        assertThat(s3.frames).hasSize(3);
        assertThat(s1.frames).isEmpty();
        assertThat(sw.filtered()).isEqualTo(2);
        assertThat(MemorySwitch.forwardsGroup(NCB)).isTrue();
        assertThat(MemorySwitch.forwardsGroup(MacAddress.parse("01:80:c2:00:00:0f"))).isFalse();
        assertThat(MemorySwitch.forwardsGroup(MacAddress.parse("01:80:c2:00:00:10"))).isTrue();
    }

    @Test
    @DisplayName("a station that moves to another port is learned again from its next frame")
    void stationMoves() throws Exception {
        send(l1.a(), ecp(NNVE, H1, 1, 40));
        assertThat(sw.portOf(H1)).isZero();
        send(l2.a(), ecp(NNVE, H1, 2, 40));                     // the same source now behind port 1
        assertThat(sw.portOf(H1)).isEqualTo(1);
        assertThat(s1.frames).hasSize(1);                       // frame 2 flooded (nnve unknown) back to port 0
        send(l3.a(), ecp(H1, NNVE, 3, 40));
        assertThat(s2.frames).hasSize(2);                       // the flood of frame 1, then the answer
        assertThat(s1.frames).hasSize(1);                       // not to the old port
    }

    @Test
    @DisplayName("two runners behind the switch reach a third one through it, on their engine threads")
    void runnersThroughTheSwitch() throws Exception {
        MemoryLinks links = new MemoryLinks(12);
        MemoryLinks.Link a = links.connect(H1, null);
        MemoryLinks.Link b = links.connect(H2, null);
        MemoryLinks.Link c = links.connect(NNVE, null);
        try (MemorySwitch _ = new MemorySwitch("sw2", List.of(a.b(), b.b(), c.b()));
                AgentRunner<EchoAgent> echo = AgentRunner.builder("echo").port(c.a()).build(EchoAgent::new)) {
            echo.start();
            MemoryLinksTest.Sink fromEcho1 = new MemoryLinksTest.Sink();
            MemoryLinksTest.Sink fromEcho2 = new MemoryLinksTest.Sink();
            a.a().start(fromEcho1);
            b.a().start(fromEcho2);
            send(a.a(), ecp(NCB, H1, 1, 40));                   // flooded to b too, echoed to h1 alone
            MemoryLinksTest.await("the first echo", () -> fromEcho1.frames.size() == 1);
            send(b.a(), ecp(NNVE, H2, 2, 40));                  // the echo's MAC is learned: to its port only
            MemoryLinksTest.await("two echoes", () -> fromEcho1.frames.size() == 1 && fromEcho2.frames.size() == 2);
            assertThat(TestFrames.destination(fromEcho1.frames.getFirst())).isEqualTo(H1);
            assertThat(TestFrames.destination(fromEcho2.frames.getLast())).isEqualTo(H2);
            assertThat(echo.call(() -> echo.agent().frames.size()).get(5, TimeUnit.SECONDS)).isEqualTo(2);
        }
        long lost = a.a().lost();
        send(a.a(), ecp(NCB, H1, 3, 40));                       // the switch closed its ports: the frame is lost
        assertThat(a.a().lost()).isEqualTo(lost + 1);
    }

    @Test
    @DisplayName("a switch has at least two ports")
    void tooSmall() {
        MemoryLinks.Link l = new MemoryLinks(13).connect();
        assertThatThrownBy(() -> new MemorySwitch("one", List.of(l.b()))).isInstanceOf(IllegalArgumentException.class);
    }
}
