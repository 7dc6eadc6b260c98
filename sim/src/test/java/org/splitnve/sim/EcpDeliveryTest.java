package org.splitnve.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.ecp.EcpEndpoint;
import org.splitnve.protocol.ecp.EcpEvent;
import org.splitnve.protocol.ecp.EcpProfile;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * ECP reliable delivery ({@link EcpEndpoint}) between two engines in the simulation: exactly once
 * and in order over clean, lossy, duplicating and reordering links and across a learning bridge;
 * batching versus one item per ECPDU; retransmission and transmit errors on a cut link.
 */
@ExtendWith(PcapOnFailure.class)
class EcpDeliveryTest {
    private static final long US = 1_000;
    private static final long MS = 1_000_000;
    private static final int N = 2000;
    private static final MacAddress GROUP = MacAddress.parse("01:1b:21:00:00:01");
    /** R = 7 (the most the EVB TLV carries): at 20% loss each way, an ECPDU fails with 0.36^8 = 3e-4. */
    private static final Timers PATIENT = new Timers(7, 14, 20, 20);

    static VsiTlv item(int i) {
        return new VsiTlv(VsiMode.ASSOCIATE, VsiStatus.Request.PLAIN, 0x123456, 1, VsiId.uuid(new UUID(0x5117, i)),
                Filter.of(FilterFormat.VID, FilterEntry.vid(100)));
    }

    static List<VdpItem> items(int from, int to) {
        return IntStream.range(from, to).mapToObj(EcpDeliveryTest::item).map(VdpItem.class::cast).toList();
    }

    static List<Object> tokens(int from, int to) {
        return IntStream.range(from, to).boxed().map(Object.class::cast).toList();
    }

    /** Two ECP engines, each with an endpoint for the other. */
    static final class Net {
        final Simulation sim;
        final Host a;
        final Host b;
        final EcpAgent ea;
        final EcpAgent eb;
        EcpEndpoint ab;
        EcpEndpoint ba;

        Net(long seed) {
            sim = PcapOnFailure.watch(new Simulation(seed));
            sim.capture(true);
            a = sim.addHost("a", 1, io -> new EcpAgent(io, sim.clock(), sim.eventSink("a")));
            b = sim.addHost("b", 1, io -> new EcpAgent(io, sim.clock(), sim.eventSink("b")));
            ea = a.agent(EcpAgent.class);
            eb = b.agent(EcpAgent.class);
        }

        /** destination null: each side sends to the other's unicast MAC. */
        Net peers(MacAddress destination, EcpProfile profile, Timers timers) {
            ab = ea.addPeer(b.mac(0), destination != null ? destination : b.mac(0), profile, timers);
            ba = eb.addPeer(a.mac(0), destination != null ? destination : a.mac(0), profile, timers);
            return this;
        }

        Link direct(LinkProfile p) {
            return sim.connect(a, 0, b, 0, p);
        }

        void submitAll(EcpEndpoint ep, int from, int to) {
            for (int i = from; i < to; i++) {
                ep.submit(item(i), i);
            }
        }

        /** ECP requests a sent (each transmission, retransmissions included), decoded. */
        List<Sent> requests(Host from) {
            return ecp(from, EcpOperation.REQUEST);
        }

        List<Sent> acks(Host from) {
            return ecp(from, EcpOperation.ACK);
        }

        private List<Sent> ecp(Host from, EcpOperation op) {
            List<Sent> out = new ArrayList<>();
            for (CapturedFrame c : sim.captured()) {
                if (c.from() == from && c.decode() instanceof Frame.Vdp v && v.ecp().operation() == op) {
                    out.add(new Sent(c, v));
                }
            }
            return out;
        }
    }

    record Sent(CapturedFrame capture, Frame.Vdp frame) {
        int sequence() {
            return frame.ecp().sequence();
        }

        long nanos() {
            return capture.nanos();
        }
    }

    /** The numbers of received items (the low half of their VSIID), for short failure messages. */
    static List<Integer> ids(List<VdpItem> items) {
        return items.stream().map(i -> (int) ((VsiTlv) i).vsiId().lo()).toList();
    }

    static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    /** Asserts got == expected, describing only the first difference and the duplicates. */
    static void assertSameIds(String what, List<Integer> got, List<Integer> expected) {
        if (got.equals(expected)) {
            return;
        }
        int i = 0;
        while (i < got.size() && i < expected.size() && got.get(i).equals(expected.get(i))) {
            i++;
        }
        long distinct = got.stream().distinct().count();
        throw new AssertionError(what + ": " + got.size() + " items (" + distinct + " distinct), expected "
                + expected.size() + "; first difference at index " + i + ": got "
                + got.subList(Math.max(0, i - 3), Math.min(got.size(), i + 5)) + ", expected "
                + expected.subList(Math.max(0, i - 3), Math.min(expected.size(), i + 5)));
    }

    private static void assertExactlyOnceInOrder(Net net, int n) {
        assertSameIds("items at b", ids(net.eb.receivedFrom(net.a.mac(0))), range(0, n));
        assertThat(net.eb.receivedFrom(net.a.mac(0))).as("items at b").isEqualTo(items(0, n));
        assertThat(net.ea.errors).as("transmit errors").isEmpty();
        assertThat(net.ea.delivered.equals(tokens(0, n))).as("tokens acknowledged to a in order").isTrue();
        assertThat(net.ea.errors).as("transmit errors").isEmpty();
        assertThat(net.ea.events.of(EcpEvent.TransmitError.class)).isEmpty();
    }

    @Test
    @DisplayName("REQ-12: 2000 VSI TLVs over ECP on a clean link: each delivered once, in order, batched")
    void cleanLinkBatching() {
        Net net = new Net(1).peers(null, EcpProfile.BATCHING, Timers.STANDARD);
        net.direct(LinkProfile.CLEAN);
        net.submitAll(net.ab, 0, N);
        assertThat(net.sim.runUntilIdle(Long.MAX_VALUE)).isTrue();

        assertExactlyOnceInOrder(net, N);
        List<Sent> requests = net.requests(net.a);
        // 2000 items in a few dozen ECPDUs: as many as fit in 1494 octets each
        assertThat(requests.size()).isLessThan(N / 20);
        assertThat(requests).allMatch(s -> s.capture().length() <= 1514);
        assertThat(requests.stream().mapToInt(s -> s.frame().vdp().items().size()).max().orElseThrow())
                .isGreaterThan(40);
        assertThat(net.ab.retransmissions()).isZero();
        assertThat(net.acks(net.b)).hasSize(requests.size());
        // all done within a few microseconds per ECPDU round trip
        assertThat(net.sim.now()).isLessThan(requests.size() * 3L * US);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    @DisplayName("REQ-12: 20% loss in both directions: retransmissions and duplicate suppression keep delivery exactly once, in order")
    void lossyLink(long seed) {
        Net net = new Net(seed).peers(null, EcpProfile.BATCHING, PATIENT);
        Link link = net.direct(LinkProfile.delay(5 * US, 20 * US).withLoss(0.2));
        net.submitAll(net.ab, 0, N);
        assertThat(net.sim.runUntilIdle(Long.MAX_VALUE)).isTrue();

        assertExactlyOnceInOrder(net, N);
        assertThat(link.aToB().dropped()).isPositive();
        assertThat(link.bToA().dropped()).isPositive();
        assertThat(net.ab.retransmissions()).isPositive();
        // at least one acknowledgement was lost, the request came again and was not delivered twice
        assertThat(net.eb.events.of(EcpEvent.Duplicate.class)).isNotEmpty();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    @DisplayName("REQ-12, SEC-4: duplicated and reordered frames (10 us..2 ms delay) are delivered exactly once, in order; late copies are dropped and logged")
    void duplicationAndReordering(long seed) {
        Net net = new Net(seed).peers(null, EcpProfile.BATCHING, Timers.STANDARD);
        Link link = net.direct(LinkProfile.delay(10 * US, 2 * MS).withDuplication(0.3));
        // items trickle in, so ECPDUs are small and many
        for (int i = 0; i < N; i++) {
            int k = i;
            net.sim.at(i * 50L * US, () -> net.ab.submit(item(k), k));
        }
        assertThat(net.sim.runUntilIdle(Long.MAX_VALUE)).isTrue();

        assertExactlyOnceInOrder(net, N);
        assertThat(link.aToB().duplicated()).isPositive();
        assertThat(link.bToA().duplicated()).isPositive();
        assertThat(net.eb.events.of(EcpEvent.Duplicate.class)).isNotEmpty();
        assertThat(net.ea.events.of(EcpEvent.StrayAck.class)).isNotEmpty();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13})
    @DisplayName("REQ-12: both directions at once over loss, duplication and reordering: each side gets every item once, in order")
    void bothWaysEverythingGoesWrong(long seed) {
        Net net = new Net(seed).peers(null, EcpProfile.BATCHING, PATIENT);
        net.direct(new LinkProfile(0.15, 0.15, 5 * US, 500 * US));
        for (int i = 0; i < N; i++) {
            int k = i;
            net.sim.at(i * 20L * US, () -> {
                net.ab.submit(item(k), k);
                net.ba.submit(item(N + k), N + k);
            });
        }
        assertThat(net.sim.runUntilIdle(Long.MAX_VALUE)).isTrue();

        assertExactlyOnceInOrder(net, N);
        assertSameIds("items at a", ids(net.ea.receivedFrom(net.b.mac(0))), range(N, 2 * N));
        assertThat(net.eb.delivered).isEqualTo(tokens(N, 2 * N));
        assertThat(net.eb.errors).isEmpty();
    }

    @Test
    @DisplayName("REQ-12: one item per ECPDU toward a standard peer, at least 2 ms after each acknowledgement")
    void standardProfile() {
        Net net = new Net(1).peers(null, EcpProfile.STANDARD, Timers.STANDARD);
        net.direct(LinkProfile.delay(5 * US, 50 * US));
        net.submitAll(net.ab, 0, N);
        assertThat(net.sim.runUntilIdle(Long.MAX_VALUE)).isTrue();

        assertExactlyOnceInOrder(net, N);
        List<Sent> requests = net.requests(net.a);
        List<Sent> acks = net.acks(net.b);
        assertThat(requests).hasSize(N).allMatch(s -> s.frame().vdp().items().size() == 1);
        assertThat(acks).hasSize(N);
        for (int i = 0; i + 1 < N; i++) {
            Sent ack = acks.get(i);
            Sent next = requests.get(i + 1);
            assertThat(ack.sequence()).isEqualTo(requests.get(i).sequence());
            // the next ECPDU leaves at least 2 ms after the acknowledgement was sent, and arrives
            // at least 2 ms after the previous one arrived (lldpad keeps only the last of two
            // ECPDUs arriving within 2 ms)
            assertThat(next.nanos() - ack.nanos()).isGreaterThanOrEqualTo(2 * MS);
            assertThat(next.nanos() - ack.capture().arrivals().getFirst()).isGreaterThanOrEqualTo(
                    EcpProfile.STANDARD.minGapNanos());
            assertThat(next.capture().arrivals().getFirst() - requests.get(i).capture().arrivals().getFirst())
                    .isGreaterThanOrEqualTo(2 * MS);
        }
    }

    @Test
    @DisplayName("REQ-12, SEC-3: a cut link gives R retransmissions 10us*2^RTE apart, then a transmit error (logged); delivery resumes after restore")
    void cutLink() {
        Timers timers = Timers.STANDARD;
        long tau = timers.ackTimeoutNanos();
        Net net = new Net(1).peers(null, EcpProfile.BATCHING, timers);
        Link link = net.direct(LinkProfile.delay(10 * US, 10 * US));
        net.submitAll(net.ab, 0, 10);
        net.sim.runUntilIdle(Long.MAX_VALUE);
        assertExactlyOnceInOrder(net, 10);

        link.cut();
        net.sim.clearCaptured();
        long t0 = net.sim.now() + 1 * MS;
        net.sim.at(t0, () -> net.ab.submit(item(10), 10));
        net.sim.runUntilIdle(Long.MAX_VALUE);

        List<Sent> tries = net.requests(net.a);
        assertThat(tries).hasSize(timers.retries() + 1);
        for (int k = 0; k < tries.size(); k++) {
            Sent s = tries.get(k);
            assertThat(s.nanos()).isEqualTo(t0 + k * tau);
            assertThat(s.capture().frame()).isEqualTo(tries.get(0).capture().frame());
            assertThat(s.capture().delivered()).isFalse();
        }
        assertThat(net.ea.errors).containsExactly(new EcpAgent.TransmitError(t0 + (timers.retries() + 1) * tau, List.of(10)));
        assertThat(net.ea.events.of(EcpEvent.Retransmit.class)).extracting(EcpEvent.Retransmit::attempt)
                .containsExactly(1, 2, 3);
        assertThat(net.ea.events.of(EcpEvent.TransmitError.class))
                .containsExactly(new EcpEvent.TransmitError(net.b.mac(0), tries.get(0).sequence(), 1));
        assertThat(net.sim.eventLog()).anyMatch(e -> e.node().equals("a") && e.nanos() == t0 + 4 * tau
                && e.event() instanceof EcpEvent.TransmitError);
        assertThat(net.eb.receivedFrom(net.a.mac(0))).hasSize(10);

        // restored while an ECPDU is being retried: the retransmission gets through
        net.sim.at(net.sim.now() + 1 * MS, () -> net.submitAll(net.ab, 11, 20));
        net.sim.at(net.sim.now() + 1 * MS + tau + tau / 2, link::restore);
        net.sim.runUntilIdle(Long.MAX_VALUE);
        net.submitAll(net.ab, 20, 30);
        net.sim.runUntilIdle(Long.MAX_VALUE);
        List<VdpItem> expected = new ArrayList<>(items(0, 10));
        expected.addAll(items(11, 30));
        assertThat(ids(net.eb.receivedFrom(net.a.mac(0)))).isEqualTo(ids(expected));
        List<Object> delivered = new ArrayList<>(tokens(0, 10));
        delivered.addAll(tokens(11, 30));
        assertThat(net.ea.delivered).isEqualTo(delivered);
        assertThat(net.ea.errorTokens()).containsExactly(10);
    }

    /** a and b on a learning bridge, with a bystander c that sees the floods. */
    private static Net bridged(long seed, MacAddress destination, boolean forwardReserved) {
        Net net = new Net(seed).peers(destination, EcpProfile.BATCHING, Timers.STANDARD);
        EthernetSwitch sw = net.sim.addSwitch("sw", 3).setForwardingDelay(2 * US).forwardReservedGroups(forwardReserved);
        Host c = net.sim.addHost("c", 1, io -> new EcpAgent(io, net.sim.clock(), net.sim.eventSink("c")));
        net.sim.connect(net.a, 0, sw, 0, LinkProfile.delay(5 * US, 20 * US));
        net.sim.connect(net.b, 0, sw, 1, LinkProfile.delay(5 * US, 20 * US));
        net.sim.connect(c, 0, sw, 2, LinkProfile.delay(5 * US, 20 * US));
        net.submitAll(net.ab, 0, N);
        net.sim.runUntilIdle(Long.MAX_VALUE);
        return net;
    }

    @Test
    @DisplayName("REQ-1, GAP-1, REQ-12: across a bridge to the peer's unicast MAC: delivered; floods stop once learned")
    void acrossBridgeUnicast() {
        Net net = bridged(1, null, false);
        assertExactlyOnceInOrder(net, N);
        EthernetSwitch sw = (EthernetSwitch) net.sim.node("sw");
        EcpAgent c = ((Host) net.sim.node("c")).agent(EcpAgent.class);
        assertThat(sw.portOf(net.a.mac(0))).isEqualTo(0);
        assertThat(sw.portOf(net.b.mac(0))).isEqualTo(1);
        // only the first request (b not yet learned) reached the bystander, which ignored it
        assertThat(c.ignored).isEqualTo(1);
        assertThat(net.sim.captured().stream().filter(f -> f.to().name().equals("c")).count()).isEqualTo(1);
    }

    @Test
    @DisplayName("REQ-1, GAP-1, REQ-12: across a bridge to a non-reserved multicast group: delivered (flooded)")
    void acrossBridgeGroup() {
        Net net = bridged(1, GROUP, false);
        assertExactlyOnceInOrder(net, N);
        EcpAgent c = ((Host) net.sim.node("c")).agent(EcpAgent.class);
        // every request and ack is flooded to the bystander, which ignores frames from strangers
        assertThat(c.ignored).isEqualTo(net.requests(net.a).size() + net.acks(net.b).size());
        assertThat(c.events.events()).isEmpty();
    }

    @Test
    @DisplayName("REQ-1, GAP-1: a bridge does not forward the nearest-customer-bridge address: nothing arrives, transmit error")
    void acrossBridgeNearestCustomerBridge() {
        Net net = bridged(1, MacAddress.NEAREST_CUSTOMER_BRIDGE, false);
        assertThat(net.eb.receivedFrom(net.a.mac(0))).isEmpty();
        assertThat(net.ea.delivered).isEmpty();
        assertThat(net.ea.errorTokens()).isEqualTo(tokens(0, N));
        assertThat(net.ea.events.of(EcpEvent.TransmitError.class)).isNotEmpty();
        EthernetSwitch sw = (EthernetSwitch) net.sim.node("sw");
        assertThat(sw.filtered()).isEqualTo(sw.received()).isPositive();
        assertThat(sw.forwarded()).isZero();
    }

    @Test
    @DisplayName("REQ-1, GAP-1, REQ-12: a bridge configured to forward 01-80-C2-00-00-00 (Linux, STP off) carries it")
    void acrossBridgeForwardingReserved() {
        Net net = bridged(1, MacAddress.NEAREST_CUSTOMER_BRIDGE, true);
        assertExactlyOnceInOrder(net, N);
    }

    @Test
    @DisplayName("REQ-2, REQ-1, GAP-1, REQ-12: several stations behind one bridge share one port of the far end, kept apart by MAC")
    void severalStationsOnePort() {
        Simulation sim = PcapOnFailure.watch(new Simulation(21));
        sim.capture(true);
        int stations = 4;
        int n = 500;
        Host far = sim.addHost("nnve", 1, io -> new EcpAgent(io, sim.clock(), sim.eventSink("nnve")));
        EthernetSwitch sw = sim.addSwitch("sw", stations + 1);
        sim.connect(far, 0, sw, stations, LinkProfile.delay(5 * US, 20 * US).withLoss(0.05));
        EcpAgent nnve = far.agent(EcpAgent.class);
        List<Host> hosts = new ArrayList<>();
        for (int s = 0; s < stations; s++) {
            String name = "station" + s;
            Host h = sim.addHost(name, 1, io -> new EcpAgent(io, sim.clock(), sim.eventSink(name)));
            sim.connect(h, 0, sw, s, LinkProfile.delay(5 * US, 20 * US).withLoss(0.05).withDuplication(0.05));
            hosts.add(h);
        }
        for (int s = 0; s < stations; s++) {
            Host h = hosts.get(s);
            EcpEndpoint up = h.agent(EcpAgent.class).addPeer(far.mac(0), far.mac(0), EcpProfile.BATCHING, PATIENT);
            EcpEndpoint down = nnve.addPeer(h.mac(0), h.mac(0), EcpProfile.BATCHING, PATIENT);
            for (int i = 0; i < n; i++) {
                int k = s * 10_000 + i;
                sim.at(i * 30L * US, () -> {
                    up.submit(item(k), k);
                    down.submit(item(100_000 + k), 100_000 + k);
                });
            }
        }
        assertThat(sim.runUntilIdle(Long.MAX_VALUE)).isTrue();
        for (int s = 0; s < stations; s++) {
            Host h = hosts.get(s);
            EcpAgent station = h.agent(EcpAgent.class);
            assertSameIds("at nnve from " + h.name(), ids(nnve.receivedFrom(h.mac(0))),
                    range(s * 10_000, s * 10_000 + n));
            assertSameIds("at " + h.name(), ids(station.receivedFrom(far.mac(0))),
                    range(100_000 + s * 10_000, 100_000 + s * 10_000 + n));
            assertThat(station.errors).isEmpty();
            assertThat(sw.portOf(h.mac(0))).isEqualTo(s);
        }
        assertThat(nnve.errors).isEmpty();
        assertThat(nnve.delivered).hasSize(stations * n);
    }

    @Test
    @DisplayName("REQ-12, SEC-4: garbage, foreign and stray frames on the wire change nothing")
    void noise() {
        Net net = new Net(9).peers(null, EcpProfile.BATCHING, Timers.STANDARD);
        EthernetSwitch sw = net.sim.addSwitch("sw", 3);
        Host noisy = net.sim.addHost("noisy", 1, io -> new RawAgent(io, net.sim.clock()));
        net.sim.connect(net.a, 0, sw, 0, LinkProfile.delay(5 * US, 20 * US));
        net.sim.connect(net.b, 0, sw, 1, LinkProfile.delay(5 * US, 20 * US));
        net.sim.connect(noisy, 0, sw, 2, LinkProfile.delay(5 * US, 20 * US));
        var rnd = net.sim.random();
        for (int i = 0; i < N; i++) {
            int k = i;
            net.sim.at(i * 10L * US, () -> net.ab.submit(item(k), k));
            net.sim.at(i * 10L * US + 5 * US, () -> {
                byte[] junk = new byte[14 + rnd.nextInt(100)];
                rnd.nextBytes(junk);
                int kind = k % 3;
                putMac(junk, 0, kind == 0 ? net.b.mac(0) : kind == 1 ? net.a.mac(0) : GROUP);
                putMac(junk, 6, noisy.mac(0));
                junk[12] = (byte) 0x89;
                junk[13] = 0x40; // ECP EtherType, random rest
                noisy.io().send(0, junk, junk.length);
            });
        }
        // stray acknowledgements "from b" with sequence numbers far from a's
        net.sim.at(3 * MS, () -> {
            for (int s = 60_000; s < 60_010; s++) {
                byte[] ack = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0x89, 0x40, 0x14, 0x01, (byte) (s >>> 8),
                        (byte) s};
                putMac(ack, 0, net.a.mac(0));
                putMac(ack, 6, net.b.mac(0));
                noisy.io().send(0, ack, ack.length);
            }
        });
        assertThat(net.sim.runUntilIdle(Long.MAX_VALUE)).isTrue();
        assertExactlyOnceInOrder(net, N);
        assertThat(net.ea.events.of(EcpEvent.StrayAck.class)).hasSizeGreaterThanOrEqualTo(10);
        assertThat(net.eb.ignored + net.ea.ignored).isPositive();
    }

    private static void putMac(byte[] b, int off, MacAddress mac) {
        System.arraycopy(mac.toBytes(), 0, b, off, 6);
    }
}
