package org.splitnve.protocol.ecp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.protocol.ManualClock;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.event.RecordingSink;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/** Duplicate suppression on the receiving side of {@link EcpEndpoint}, frame by frame. */
class EcpEndpointTest {
    static final MacAddress A = MacAddress.parse("02:00:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("02:00:00:00:00:0b");

    final ManualClock clock = new ManualClock();

    /** One endpoint and everything it sent, received and reported. */
    final class Side {
        final List<byte[]> sent = new ArrayList<>();
        final List<VdpItem> received = new ArrayList<>();
        final RecordingSink events = new RecordingSink();
        final EcpEndpoint ep;

        Side(MacAddress local, MacAddress peer) {
            ep = new EcpEndpoint(local, peer, peer, FrameCodec.DEFAULT, ManagerId.ofText("test"), EcpProfile.BATCHING,
                    Timers.STANDARD, clock, events, (frame, length) -> sent.add(frame), new EcpListener() {
                        @Override
                        public void onReceive(EthernetHeader ethernet, VdpPdu pdu) {
                            received.addAll(pdu.items());
                        }

                        @Override
                        public void onDelivered(List<Object> tokens) {
                        }

                        @Override
                        public void onTransmitError(List<Object> tokens) {
                        }
                    }, List::of);
        }

        byte[] last() {
            return sent.getLast();
        }
    }

    static VsiTlv item(int i) {
        return new VsiTlv(VsiMode.ASSOCIATE, VsiStatus.Request.PLAIN, 1, 1, VsiId.uuid(new UUID(0, i)),
                Filter.of(FilterFormat.VID, FilterEntry.vid(100)));
    }

    static void deliver(byte[] frame, Side to) throws DecodeException {
        to.ep.onFrame(frame, 0, frame.length, (Frame.Vdp) FrameCodec.DEFAULT.decode(frame));
    }

    static EcpOperation operation(byte[] frame) throws DecodeException {
        return ((Frame.Vdp) FrameCodec.DEFAULT.decode(frame)).ecp().operation();
    }

    @Test
    @DisplayName("REQ-12: a copy of an earlier request overtaken by a later one is acknowledged, not delivered again")
    void overtakenCopyIsNotDeliveredTwice() throws DecodeException {
        Side a = new Side(A, B);
        Side b = new Side(B, A);
        a.ep.submit(item(1), 1);
        byte[] first = a.last();
        deliver(first, b);
        deliver(b.last(), a); // ack: a sends the next request
        a.ep.submit(item(2), 2);
        byte[] second = a.last();
        assertThat(second).isNotEqualTo(first);
        deliver(second, b);
        assertThat(b.received).containsExactly(item(1), item(2));

        // a link duplicate (or a retransmission) of the first request arrives late
        int acks = b.sent.size();
        deliver(first, b);
        assertThat(b.received).containsExactly(item(1), item(2));
        assertThat(b.events.of(EcpEvent.Duplicate.class)).containsExactly(new EcpEvent.Duplicate(A, 1));
        assertThat(b.sent).hasSize(acks + 1);
        assertThat(operation(b.last())).isEqualTo(EcpOperation.ACK);
        deliver(b.last(), a); // the sender has moved on: a stray ack, nothing else
        assertThat(a.events.of(EcpEvent.StrayAck.class)).containsExactly(new EcpEvent.StrayAck(B, 1));

        // the last one again: a duplicate, as before
        deliver(second, b);
        assertThat(b.received).containsExactly(item(1), item(2));
        assertThat(b.events.of(EcpEvent.Duplicate.class)).hasSize(2);
    }

    @Test
    @DisplayName("REQ-12: a different request that reuses a recent sequence number (a restarted peer) is delivered")
    void restartedPeerIsNotMistakenForACopy() throws DecodeException {
        Side a = new Side(A, B);
        Side b = new Side(B, A);
        a.ep.submit(item(1), 1);
        deliver(a.last(), b);
        deliver(b.last(), a);
        a.ep.submit(item(2), 2);
        deliver(a.last(), b);

        Side restarted = new Side(A, B); // sequence numbers start again at 1
        restarted.ep.submit(item(3), 3);
        deliver(restarted.last(), b);
        assertThat(b.received).containsExactly(item(1), item(2), item(3));
        assertThat(b.events.of(EcpEvent.Duplicate.class)).isEmpty();
    }

    @Test
    @DisplayName("SEC-9: a forged empty ECPDU with the station's next sequence number does not make the station's real "
            + "request, with that number, a duplicate: a duplicate is recognised by its content")
    void forgedEmptyPduDoesNotSwallowTheRealRequest() throws DecodeException {
        Side a = new Side(A, B);
        Side b = new Side(B, A);
        a.ep.submit(item(1), 1);
        deliver(a.last(), b);
        deliver(b.last(), a);

        // The attacker, on the shared segment, sends an empty request in A's name with A's next sequence number.
        byte[] forged = FrameCodec.DEFAULT.encode(new Frame.Vdp(new EthernetHeader(B, A,
                org.splitnve.wire.ecp.EcpHeader.ETHERTYPE), org.splitnve.wire.ecp.EcpHeader.request(2), VdpPdu.EMPTY), true);
        deliver(forged, b);
        a.ep.submit(item(2), 2);
        byte[] real = a.last();
        assertThat(((Frame.Vdp) FrameCodec.DEFAULT.decode(real)).ecp().sequence()).isEqualTo(2);
        deliver(real, b);
        assertThat(b.received).containsExactly(item(1), item(2));
        assertThat(b.events.of(EcpEvent.Duplicate.class)).isEmpty();
        // and the real request's retransmission is still a duplicate, delivered once
        deliver(real, b);
        assertThat(b.received).containsExactly(item(1), item(2));
        assertThat(b.events.of(EcpEvent.Duplicate.class)).containsExactly(new EcpEvent.Duplicate(A, 2));
    }

    @Test
    @DisplayName("SEC-5: a peer that never acknowledges cannot make the send queue grow past its limit: submit refuses")
    void sendQueueIsBounded() {
        Side a = new Side(A, B);
        a.ep.setQueueLimit(4);
        int accepted = 0;
        for (int i = 1; i <= 100; i++) {
            if (a.ep.submit(item(i), i)) {
                accepted++;
            }
        }
        // one ECPDU in flight (never acknowledged), four waiting
        assertThat(accepted).isEqualTo(5);
        assertThat(a.ep.queued()).isEqualTo(4);
        assertThat(a.ep.full()).isTrue();
        assertThat(a.ep.refusedSubmits()).isEqualTo(95);
        assertThat(a.ep.drain()).hasSize(5);
        assertThat(a.ep.submit(item(200), 200)).isTrue();
    }
}
