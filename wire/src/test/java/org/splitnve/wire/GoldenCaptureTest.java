package org.splitnve.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.EvbMode;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.pcap.PcapRecord;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.VsiIdFormat;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * The lldpad reference capture decodes completely and re-encodes to the same octets (REQ-12: VDP
 * over ECP on Ethernet; REQ-7: null VIDs and GroupIDs).
 */
class GoldenCaptureTest {
    static final MacAddress STATION = MacAddress.parse("02:11:11:00:00:01");
    static final MacAddress BRIDGE = MacAddress.parse("02:22:22:00:00:02");

    private final FrameCodec codec = FrameCodec.DEFAULT;

    private List<Frame> decodeAll() throws DecodeException {
        List<Frame> frames = new ArrayList<>();
        for (PcapRecord r : GoldenCapture.records()) {
            byte[] b = r.data().toArray();
            frames.add(codec.decode(b));
        }
        return frames;
    }

    @Test
    @DisplayName("REQ-12: all 172 frames decode and re-encode byte for byte (apart from Ethernet padding)")
    void everyFrameRoundTrips() throws DecodeException {
        List<PcapRecord> records = GoldenCapture.records();
        assertThat(records).hasSize(172);
        for (PcapRecord r : records) {
            byte[] original = r.data().toArray();
            Frame f = codec.decode(original);
            byte[] again = codec.encode(f, true);
            byte[] padded = Arrays.copyOf(original, Math.max(original.length, 60));
            assertThat(again).as("frame %d", r.number()).isEqualTo(padded);
            assertThat(codec.encode(f, false).length).as("frame %d unpadded", r.number()).isLessThanOrEqualTo(original.length);
        }
    }

    @Test
    @DisplayName("REQ-12: ECP header fields, one VSI per request, acknowledgements echo the sequence")
    void ecpStructure() throws DecodeException {
        List<Frame> frames = decodeAll();
        int requests = 0;
        int acks = 0;
        for (Frame f : frames) {
            if (f instanceof Frame.Vdp v) {
                assertThat(v.ethernet().destination()).isEqualTo(MacAddress.NEAREST_CUSTOMER_BRIDGE);
                if (v.ecp().operation() == EcpOperation.ACK) {
                    acks++;
                    assertThat(v.vdp().isEmpty()).isTrue();
                } else {
                    requests++;
                    assertThat(v.vdp().managerId()).isEqualTo(ManagerId.ofText("blade"));
                    assertThat(v.vdp().items()).hasSize(1);
                }
            }
        }
        assertThat(requests).isEqualTo(acks);
        // frame 7 (request seq 1 from the station) and frame 8 (its acknowledgement)
        Frame.Vdp req = (Frame.Vdp) frames.get(6);
        Frame.Vdp ack = (Frame.Vdp) frames.get(7);
        assertThat(req.ethernet().source()).isEqualTo(STATION);
        assertThat(req.ecp().sequence()).isEqualTo(1);
        assertThat(ack.ethernet().source()).isEqualTo(BRIDGE);
        assertThat(ack.ecp().operation()).isEqualTo(EcpOperation.ACK);
        assertThat(ack.ecp().sequence()).isEqualTo(1);
    }

    @Test
    @DisplayName("REQ-7, REQ-5: the VSIs A-J decode with the documented formats, GroupIDs, MACs, PS/PCP and null VIDs")
    void vsiFields() throws DecodeException {
        List<VsiTlv> stationRequests = new ArrayList<>();
        List<VsiTlv> bridgeResponses = new ArrayList<>();
        for (Frame f : decodeAll()) {
            if (f instanceof Frame.Vdp v && v.ecp().operation() == EcpOperation.REQUEST) {
                VsiTlv vsi = (VsiTlv) v.vdp().items().getFirst();
                (v.ethernet().source().equals(STATION) ? stationRequests : bridgeResponses).add(vsi);
            }
        }
        VsiTlv a = stationRequests.get(0);
        assertThat(a.mode()).isEqualTo(VsiMode.ASSOCIATE);
        assertThat(a.status()).isEqualTo(VsiStatus.Request.PLAIN);
        assertThat(a.typeId()).isEqualTo(5);
        assertThat(a.typeVersion()).isEqualTo(1);
        assertThat(a.vsiId().format()).isEqualTo(VsiIdFormat.UUID);
        assertThat(a.vsiId().asUuid()).isEqualTo(UUID.fromString("a0000000-0000-4000-8000-00000000000a"));
        assertThat(a.filter().format()).isEqualTo(FilterFormat.VID);
        assertThat(a.filter().entries()).containsExactly(FilterEntry.vid(100));

        assertThat(stationRequests.get(1).filter().entries())
                .containsExactly(FilterEntry.macVid(MacAddress.parse("52:54:00:00:00:0b"), 200));
        assertThat(stationRequests.get(2).filter().entries()).containsExactly(FilterEntry.groupVid(3000, 300));
        assertThat(stationRequests.get(3).filter().entries())
                .containsExactly(FilterEntry.groupMacVid(4000, MacAddress.parse("52:54:00:00:00:0d"), 400));
        VsiTlv e = stationRequests.get(4);
        assertThat(e.vsiId().asUuid()).isEqualTo(UUID.fromString("e0000000-0000-4000-8000-00000000000e"));
        assertThat(e.filter().entries().getFirst().isNullVid()).isTrue();
        assertThat(stationRequests.get(5).filter().entries()).containsExactly(FilterEntry.vid(0));
        assertThat(e.filter().entries().getFirst().mac()).isEqualTo(MacAddress.parse("52:54:00:00:00:0e"));
        assertThat(stationRequests.get(6).filter().entries())
                .containsExactly(FilterEntry.groupMacVid(7000, MacAddress.parse("52:54:00:00:00:07"), 0));
        // The capture's README says "PS=1 PCP=5"; the word on the wire is 0x51f4, which in the layout
        // the same README gives (PS 0x8000, PCP 0x7000, VID 0x0fff) is PS=0, PCP=5, VID 500.
        FilterEntry h = stationRequests.get(7).filter().entries().getFirst();
        assertThat(h.vlanWord()).isEqualTo(0x51f4);
        assertThat(h.ps()).isFalse();
        assertThat(h.pcp()).isEqualTo(5);
        assertThat(h.vid()).isEqualTo(500);

        // the bridge answers each request with the response bit and success
        VsiTlv resp = bridgeResponses.getFirst();
        assertThat(resp.status()).isEqualTo(VsiStatus.Response.SUCCESS);
        assertThat(((VsiStatus.Response) resp.status()).code()).isEqualTo(ReasonCode.SUCCESS);
        assertThat(resp.vsiId()).isEqualTo(a.vsiId());

        // I: Pre-Associate then Associate, J: Pre-Associate-RR, K: De-Associate of B
        assertThat(stationRequests).extracting(VsiTlv::mode).contains(VsiMode.PRE_ASSOCIATE,
                VsiMode.PRE_ASSOCIATE_RR, VsiMode.DE_ASSOCIATE);
        VsiTlv k = stationRequests.stream().filter(v -> v.mode() == VsiMode.DE_ASSOCIATE).findFirst().orElseThrow();
        assertThat(k.vsiId().asUuid()).isEqualTo(UUID.fromString("b0000000-0000-4000-8000-00000000000b"));

        // the bridge's unsolicited De-Associate of B: a request (status 0x00), not a response
        VsiTlv unsolicited = bridgeResponses.stream()
                .filter(v -> v.mode() == VsiMode.DE_ASSOCIATE && !v.isResponse()).findFirst().orElseThrow();
        assertThat(unsolicited.status().toOctet()).isZero();
        assertThat(unsolicited.vsiId()).isEqualTo(k.vsiId());
    }

    @Test
    @DisplayName("REQ-12: LLDP frames carry the EVB TLV with R=3, RTE=14, RWD=20, RKA=20 and the group ID bits")
    void evbTlv() throws DecodeException {
        Frame.Lldp bridge = (Frame.Lldp) decodeAll().get(0);
        Frame.Lldp station = (Frame.Lldp) decodeAll().get(1);
        EvbTlv b = bridge.lldp().evb();
        assertThat(b.mode()).isEqualTo(EvbMode.BRIDGE);
        assertThat(b.bgid()).isTrue();
        assertThat(b.rrcap()).isTrue();
        assertThat(b.retries()).isEqualTo(3);
        assertThat(b.rte()).isEqualTo(14);
        assertThat(b.rwd()).isEqualTo(20);
        assertThat(b.rka()).isEqualTo(20);
        EvbTlv s = station.lldp().evb();
        assertThat(s.mode()).isEqualTo(EvbMode.STATION);
        assertThat(s.sgid()).isTrue();
        assertThat(s.rrreq()).isTrue();
        assertThat(s.rolRwd()).isTrue();
        assertThat(s.rolRka()).isTrue();
        assertThat(bridge.lldp().ttl()).isEqualTo(120);
        assertThat(MacAddress.of(bridge.lldp().chassisId().toArray())).isEqualTo(BRIDGE);
    }
}
