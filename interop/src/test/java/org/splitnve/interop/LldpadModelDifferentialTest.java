package org.splitnve.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.sim.Host;
import org.splitnve.sim.LinkProfile;
import org.splitnve.sim.Simulation;
import org.splitnve.sim.lldpad.LldpadBridge;
import org.splitnve.transport.NetLabAccess;
import org.splitnve.transport.WireTap;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.EvbTlv;
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

/**
 * The simulation's model of lldpad's bridge ({@link LldpadBridge}, which the scenario tests use in lldpad's place)
 * checked against the real lldpad: one scripted station drives both through the same exchange (an association,
 * keep-alives that hold it past the bridge's keep-alive timeout, a De-Associate, an association left to time out,
 * two ECPDUs within 2 ms, an acknowledgement that never comes) and the two transcripts of what each bridge sent
 * (acknowledgements, answers with their status, unsolicited De-Associates, retransmissions) must be the same, step
 * by step. The model runs first, in virtual time; the real lldpad is then given, per step, until it has sent what
 * the model sent (bounded), so a difference shows as a different or missing frame, never as a hang.
 */
@ExtendWith(NetLabAccess.Guard.class)
class LldpadModelDifferentialTest {
    /** RTE 12 (41 ms: the script's acknowledgements are never late on a loaded machine), R 3, RWD 20, RKA 16. */
    static final Timers TIMERS = new Timers(3, 12, 20, 16);
    static final MacAddress STATION = MacAddress.parse("02:00:00:00:0d:01");
    static final MacAddress BRIDGE = MacAddress.parse("02:00:00:00:0d:02");
    static final int GROUP = 5000;
    static final FrameCodec CODEC = FrameCodec.DEFAULT;
    /** Keep-alive period of the script's station: below the bridge's timeout, 4 of them span more than it. */
    static final long KEEP_ALIVE = 500_000_000L;

    static VsiId vsi(int n) {
        return VsiId.uuid(new UUID(0xd1ff_0000_0000_4000L | n, 0x8000_0000_0000_0000L | n));
    }

    static MacAddress vsiMac(int n) {
        return new MacAddress(0x5254_00dd_0000L | n);
    }

    /** The bridge under test, as the script sees it: frames out, the bridge's frames in, time. */
    interface Bridge {
        /** Sends one frame of the script's station. */
        void send(byte[] frame);

        /** Whether the script acknowledges the bridge's requests (ECP) as they arrive. */
        void acking(boolean on);

        /** The frames the bridge sent so far, decoded, in order of arrival. */
        List<Frame.Vdp> received();

        /** Lets {@code nanos} of the station's own time pass (its keep-alive timer). */
        void pass(long nanos);

        /** Until {@code condition} holds over what was received, at most {@code nanos}; whether it holds. */
        boolean await(Predicate<List<Frame.Vdp>> condition, long nanos);
    }

    /** One step of the script: what the station does, and when it is done (a condition on what came back). */
    private record Step(String name, boolean keepRetransmissions, Runnable action, Predicate<List<Frame.Vdp>> done) {
    }

    private static int seq;

    private static byte[] request(VsiMode mode, int n) {
        VsiTlv t = new VsiTlv(mode, VsiStatus.Request.PLAIN, 5, 1, vsi(n),
                Filter.of(FilterFormat.GROUP_MAC_VID, FilterEntry.groupMacVid(GROUP, vsiMac(n), 0)));
        return CODEC.encode(new Frame.Vdp(new EthernetHeader(MacAddress.NEAREST_CUSTOMER_BRIDGE, STATION,
                EcpHeader.ETHERTYPE), EcpHeader.request(++seq), new VdpPdu(ManagerId.ofText("blade"), List.of(),
                List.of(t), null)), true);
    }

    static byte[] ack(int sequence) {
        return CODEC.encode(new Frame.Vdp(new EthernetHeader(MacAddress.NEAREST_CUSTOMER_BRIDGE, STATION,
                EcpHeader.ETHERTYPE), new EcpHeader(EcpOperation.ACK, EcpHeader.SUBTYPE_VDP, sequence), VdpPdu.EMPTY), true);
    }

    private static Predicate<List<Frame.Vdp>> answers(int n, VsiMode mode, int count) {
        return l -> l.stream().filter(f -> f.ecp().operation() == EcpOperation.REQUEST && f.vdp().items().stream()
                .anyMatch(i -> i instanceof VsiTlv v && v.isResponse() && v.vsiId().equals(vsi(n)) && v.mode() == mode))
                .map(f -> f.ecp().sequence()).distinct().count() >= count;
    }

    private static Predicate<List<Frame.Vdp>> unsolicitedDeassociate(int n) {
        return l -> l.stream().anyMatch(f -> f.ecp().operation() == EcpOperation.REQUEST && f.vdp().items().stream()
                .anyMatch(i -> i instanceof VsiTlv v && !v.isResponse() && v.vsiId().equals(vsi(n))
                        && v.mode() == VsiMode.DE_ASSOCIATE));
    }

    private static List<Step> script(Bridge b) {
        seq = 0;
        List<Step> steps = new ArrayList<>();
        steps.add(new Step("associate VSI 1", false, () -> b.send(request(VsiMode.ASSOCIATE, 1)),
                answers(1, VsiMode.ASSOCIATE, 1)));
        steps.add(new Step("four keep-alives of VSI 1, 0.5 s apart (past the bridge's keep-alive timeout)", false, () -> {
            for (int i = 1; i <= 4; i++) {
                b.pass(KEEP_ALIVE);
                b.send(request(VsiMode.ASSOCIATE, 1));
            }
        }, answers(1, VsiMode.ASSOCIATE, 4)));
        steps.add(new Step("de-associate VSI 1", false, () -> b.send(request(VsiMode.DE_ASSOCIATE, 1)),
                answers(1, VsiMode.DE_ASSOCIATE, 1)));
        steps.add(new Step("associate VSI 2, then no keep-alive: the bridge lets it go", false,
                () -> b.send(request(VsiMode.ASSOCIATE, 2)), unsolicitedDeassociate(2)));
        steps.add(new Step("two ECPDUs within 2 ms (VSI 3, VSI 4)", false, () -> {
            b.send(request(VsiMode.ASSOCIATE, 3));
            b.send(request(VsiMode.ASSOCIATE, 4));
        }, answers(4, VsiMode.ASSOCIATE, 1)));
        steps.add(new Step("de-associate VSI 4", false, () -> b.send(request(VsiMode.DE_ASSOCIATE, 4)),
                answers(4, VsiMode.DE_ASSOCIATE, 1)));
        steps.add(new Step("associate VSI 5, its answer never acknowledged", true, () -> {
            b.acking(false);
            b.send(request(VsiMode.ASSOCIATE, 5));
        }, answers(5, VsiMode.ASSOCIATE, 1)));
        steps.add(new Step("VSI 5 again, acknowledged", false, () -> {
            b.acking(true);
            b.send(request(VsiMode.ASSOCIATE, 5));
        }, answers(5, VsiMode.ASSOCIATE, 1)));
        steps.add(new Step("de-associate VSI 5", false, () -> b.send(request(VsiMode.DE_ASSOCIATE, 5)),
                answers(5, VsiMode.DE_ASSOCIATE, 1)));
        steps.add(new Step("end: associate and de-associate VSI 6", false, () -> {
            b.send(request(VsiMode.ASSOCIATE, 6));
            b.await(answers(6, VsiMode.ASSOCIATE, 1), 5_000_000_000L);
            b.send(request(VsiMode.DE_ASSOCIATE, 6));
        }, answers(6, VsiMode.DE_ASSOCIATE, 1)));
        return steps;
    }

    /** One line per frame the bridge sent: acknowledgements by the station's sequence, requests by order of appearance. */
    private static List<List<String>> transcript(List<Frame.Vdp> frames, List<Integer> stepEnds, List<Step> steps) {
        List<List<String>> out = new ArrayList<>();
        Map<Integer, Integer> bridgeSeq = new HashMap<>();
        int from = 0;
        for (int s = 0; s < stepEnds.size(); s++) {
            List<String> lines = new ArrayList<>();
            for (Frame.Vdp f : frames.subList(from, stepEnds.get(s))) {
                if (f.ecp().operation() == EcpOperation.ACK) {
                    lines.add("ack of station " + f.ecp().sequence());
                    continue;
                }
                boolean again = bridgeSeq.containsKey(f.ecp().sequence());
                int k = bridgeSeq.computeIfAbsent(f.ecp().sequence(), x -> bridgeSeq.size() + 1);
                if (again && !steps.get(s).keepRetransmissions()) {
                    continue; // a retransmission (the script's acknowledgement was late): not a decision
                }
                StringBuilder sb = new StringBuilder("request #" + k + (again ? " again:" : ":"));
                for (VdpItem i : f.vdp().items()) {
                    if (i instanceof VsiTlv v) {
                        FilterEntry e = v.filter().entries().getFirst();
                        sb.append(' ').append(v.mode()).append(' ').append(v.status() instanceof VsiStatus.Response r
                                ? "response(keep=" + r.keep() + ", hard=" + r.hardError() + ", " + r.code() + ")"
                                : "request").append(" VSI ").append(name(v.vsiId())).append(' ').append(v.filter().format()).append(" vid ")
                                .append(e.vid()).append(" group ").append(e.groupId()).append(" mac ").append(e.mac());
                    } else {
                        sb.append(' ').append(i);
                    }
                }
                lines.add(sb.toString());
            }
            out.add(lines);
            from = stepEnds.get(s);
        }
        return out;
    }

    private static String name(VsiId id) {
        for (int n = 0; n < 16; n++) {
            if (vsi(n).equals(id)) {
                return Integer.toString(n);
            }
        }
        return id.toString();
    }

    // ------------------------------------------------------------------ the model, in the simulation

    /** The scripted station in the simulation: records what comes from the bridge and acknowledges it. */
    static final class ScriptAgent implements PortAgent {
        final PortIo io;
        final List<Frame.Vdp> received = new ArrayList<>();
        boolean acking = true;

        ScriptAgent(PortIo io) {
            this.io = io;
        }

        @Override
        public void onFrame(int port, byte[] buf, int off, int len) {
            try {
                if (CODEC.decode(buf, off, len) instanceof Frame.Vdp v && v.ethernet().source().equals(BRIDGE)) {
                    received.add(v);
                    if (acking && v.ecp().operation() == EcpOperation.REQUEST) {
                        byte[] a = ack(v.ecp().sequence());
                        io.send(0, a, a.length);
                    }
                }
            } catch (DecodeException e) {
                // not VDP
            }
        }

        @Override
        public void onTimer() {
        }

        @Override
        public long nextDeadline() {
            return Long.MAX_VALUE;
        }
    }

    private record Run(List<Frame.Vdp> frames, List<Integer> stepEnds) {
    }

    private static Run model() {
        Simulation sim = new Simulation(17);
        Host station = sim.addHost("station", List.of(STATION), ScriptAgent::new);
        Host bridge = sim.addHost("lldpad", List.of(BRIDGE), io -> new LldpadBridge(sim.clock(), io, EventSink.NONE,
                TIMERS));
        sim.connect(station, 0, bridge, 0, LinkProfile.CLEAN);
        ScriptAgent agent = station.agent(ScriptAgent.class);
        Bridge b = new Bridge() {
            @Override
            public void send(byte[] frame) {
                agent.io.send(0, frame, frame.length);
            }

            @Override
            public void acking(boolean on) {
                agent.acking = on;
            }

            @Override
            public List<Frame.Vdp> received() {
                return agent.received;
            }

            @Override
            public void pass(long nanos) {
                sim.runFor(nanos);
            }

            @Override
            public boolean await(Predicate<List<Frame.Vdp>> condition, long nanos) {
                long end = sim.now() + nanos;
                while (!condition.test(agent.received) && sim.now() < end) {
                    if (!sim.step(end)) {
                        sim.run(end); // nothing due before the end: time runs out
                    }
                }
                return condition.test(agent.received);
            }
        };
        List<Integer> ends = new ArrayList<>();
        for (Step s : script(b)) {
            int from = agent.received.size();
            s.action().run();
            assertThat(b.await(l -> s.done().test(l.subList(from, l.size())), 10_000_000_000L))
                    .as("the model: %s", s.name()).isTrue();
            sim.runFor(TIMERS.deliveryNanos() + 2 * LldpadBridge.BUFFER_NANOS); // acknowledgements, retransmissions
            ends.add(agent.received.size());
        }
        return new Run(List.copyOf(agent.received), ends);
    }

    // ------------------------------------------------------------------ the real lldpad

    private static Run real(List<Integer> modelEnds) throws IOException {
        Path dir = NetLabAccess.tempDir("lldpad-differential");
        try (NetLabAccess lab = new NetLabAccess()) {
            String st = lab.namespace("st");
            String br = lab.namespace("br");
            lab.veth(st, "st0", STATION, br, "br0", BRIDGE);
            List<Frame.Vdp> received = Collections.synchronizedList(new ArrayList<>());
            boolean[] acking = {true};
            WireTap[] tap = new WireTap[1];
            try (Lldpad lldpad = Lldpad.start(br, "br0", Lldpad.Role.BRIDGE, TIMERS, dir);
                    WireTap t = new WireTap(st, "st0", c -> {
                        if (c.frame() instanceof Frame.Vdp v && v.ethernet().source().equals(BRIDGE)) {
                            if (acking[0] && tap[0] != null && v.ecp().operation() == EcpOperation.REQUEST) {
                                try {
                                    tap[0].socket().send(ack(v.ecp().sequence()));
                                } catch (IOException e) {
                                    throw new IllegalStateException(e);
                                }
                            }
                            received.add(v);
                        }
                    })) {
                tap[0] = t;
                Peers.sendLldp(t.socket(), EvbTlv.station(TIMERS.retries(), TIMERS.rte(), TIMERS.rwd(), TIMERS.rka(),
                        true));
                lldpad.awaitLog(s -> s.contains("gpid:1"), Duration.ofSeconds(10), "lldpad saw the station's EVB TLV");
                Bridge b = new Bridge() {
                    @Override
                    public void send(byte[] frame) {
                        try {
                            t.socket().send(frame);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }

                    @Override
                    public void acking(boolean on) {
                        acking[0] = on;
                    }

                    @Override
                    public List<Frame.Vdp> received() {
                        synchronized (received) {
                            return List.copyOf(received);
                        }
                    }

                    @Override
                    public void pass(long nanos) {
                        // the station's own keep-alive timer: protocol time that must pass, not a wait for a condition
                        LockSupport.parkNanos(nanos);
                    }

                    @Override
                    public boolean await(Predicate<List<Frame.Vdp>> condition, long nanos) {
                        long end = System.nanoTime() + nanos;
                        while (!condition.test(received()) && System.nanoTime() - end < 0) {
                            Lldpad.sleep(5);
                        }
                        return condition.test(received());
                    }
                };
                List<Step> steps = script(b);
                List<Integer> ends = new ArrayList<>();
                for (int i = 0; i < steps.size(); i++) {
                    Step s = steps.get(i);
                    int from = b.received().size();
                    s.action().run();
                    b.await(l -> s.done().test(l.subList(from, l.size())), TimeUnit.SECONDS.toNanos(10));
                    // then as many frames as the model sent in this step (bounded: fewer is a difference too)
                    int want = from + modelEnds.get(i) - (i == 0 ? 0 : modelEnds.get(i - 1));
                    b.await(l -> l.size() >= want, TimeUnit.SECONDS.toNanos(3));
                    ends.add(b.received().size());
                }
                System.out.println("lldpad log: " + lldpad.logFile());
                return new Run(b.received(), ends);
            }
        }
    }

    @Test
    @DisplayName("the simulation's lldpad bridge model and the real lldpad, driven by the same station script "
            + "(association, keep-alives past the timeout, De-Associate, a VSI left to time out, two ECPDUs within 2 ms, "
            + "an acknowledgement that never comes), send the same acknowledgements, answers, unsolicited "
            + "De-Associates and retransmissions, step by step")
    void bridgeModelMatchesLldpad() throws IOException {
        Run model = model();
        Run real = real(model.stepEnds());
        List<Step> steps = script(null);
        List<List<String>> expected = transcript(model.frames(), model.stepEnds(), steps);
        List<List<String>> actual = transcript(real.frames(), real.stepEnds(), steps);
        StringBuilder both = new StringBuilder();
        for (int i = 0; i < steps.size(); i++) {
            both.append("== ").append(steps.get(i).name()).append("\n  model:\n");
            expected.get(i).forEach(l -> both.append("    ").append(l).append('\n'));
            both.append("  lldpad:\n");
            actual.get(i).forEach(l -> both.append("    ").append(l).append('\n'));
        }
        System.out.println(both);
        for (int i = 0; i < steps.size(); i++) {
            assertThat(actual.get(i)).as("step '%s'\n%s", steps.get(i).name(), both).isEqualTo(expected.get(i));
        }
    }
}
