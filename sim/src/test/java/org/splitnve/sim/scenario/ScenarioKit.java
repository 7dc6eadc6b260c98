package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.NvaListener;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.event.Event;
import org.splitnve.sim.CapturedFrame;
import org.splitnve.sim.Host;
import org.splitnve.sim.Node;
import org.splitnve.sim.Simulation;
import org.splitnve.sim.lldpad.LldpadStation;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.tnve.TnveConfig;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * Helpers for the state-machine and lifecycle scenarios (SM-*, LC-*, GAP-*): one timeline of every
 * node's events and the NVA's changes, the frames a node put on the wire, standard (non-extension)
 * peers, and the invariants several scenarios check. Built on {@link SplitNveNet}, which it does not change.
 */
final class ScenarioKit {
    private ScenarioKit() {
    }

    /** The NVA's changes go to the simulation's event log (node "nva"), in order with the engines' events. */
    static void logNva(SplitNveNet net) {
        net.nva.addListener(NvaListener.of(net.sim.eventSink("nva")));
    }

    /** Every event of a kind in the order it happened, across all nodes (and the NVA with {@link #logNva}). */
    static <T extends Event> List<T> logged(SplitNveNet net, Class<T> kind) {
        List<T> out = new ArrayList<>();
        for (Simulation.LoggedEvent e : net.sim.eventLog()) {
            if (kind.isInstance(e.event())) {
                out.add(kind.cast(e.event()));
            }
        }
        return out;
    }

    /** Position in the simulation's event log of the first event matching, or -1. */
    static int firstIndex(SplitNveNet net, Predicate<Event> p) {
        List<Simulation.LoggedEvent> log = net.sim.eventLog();
        for (int i = 0; i < log.size(); i++) {
            if (p.test(log.get(i).event())) {
                return i;
            }
        }
        return -1;
    }

    /** Virtual time of the first event matching, or -1. */
    static long firstTime(SplitNveNet net, Predicate<Event> p) {
        for (Simulation.LoggedEvent e : net.sim.eventLog()) {
            if (p.test(e.event())) {
                return e.nanos();
            }
        }
        return -1;
    }

    /** The nNVE's TSI state transitions for one TSI, in order. */
    static List<NnveEvent.TsiState> transitions(NnveNode n, VsiId tsi) {
        return n.events().of(NnveEvent.TsiState.class).stream().filter(e -> e.tsi().equals(tsi)).toList();
    }

    /** "FROM>TO" of each transition, for compact assertions. */
    static List<String> path(NnveNode n, VsiId tsi) {
        return transitions(n, tsi).stream().map(e -> e.from() + ">" + e.to()).toList();
    }

    /** The instance of a TSI on an nNVE port from one station, or null. */
    static Tsi instance(NnveNode n, VsiId tsi, int port, MacAddress station) {
        for (Tsi t : n.engine().instances(tsi)) {
            if (t.port() == port && t.station().equals(station)) {
                return t;
            }
        }
        return null;
    }

    static TsiState state(NnveNode n, VsiId tsi, int port, MacAddress station) {
        Tsi t = instance(n, tsi, port, station);
        return t == null ? TsiState.INIT : t.state();
    }

    static <T extends Effect> List<T> effects(NnveNode n, Class<T> kind) {
        return n.effects().stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /** Effects emitted since {@code from} (an index into the nNVE's effect list). */
    static List<Effect> effectsSince(NnveNode n, int from) {
        return List.copyOf(n.effects().subList(from, n.effects().size()));
    }

    /** The decoded VDP frames a node sent, in order (retransmissions and lost copies included). */
    static List<Frame.Vdp> vdpSentBy(SplitNveNet net, Node from) {
        return vdpSentBy(net, from, Long.MIN_VALUE);
    }

    /** The decoded VDP frames a node sent at or after {@code since} (virtual nanoseconds). */
    static List<Frame.Vdp> vdpSentBy(SplitNveNet net, Node from, long since) {
        List<Frame.Vdp> out = new ArrayList<>();
        for (CapturedFrame c : net.sim.captured()) {
            if (c.from() != from || c.nanos() < since) {
                continue;
            }
            try {
                if (FrameCodec.DEFAULT.decode(c.frame()) instanceof Frame.Vdp v) {
                    out.add(v);
                }
            } catch (org.splitnve.wire.DecodeException e) {
                throw new AssertionError("a frame on the wire does not decode: " + c, e);
            }
        }
        return out;
    }

    /**
     * The VSI TLVs (requests, or responses) a node sent for one TSI: one per ECPDU, ECP retransmissions of an
     * ECPDU (same destination and sequence number) left out.
     */
    static List<VsiTlv> vsiSentBy(SplitNveNet net, Node from, VsiId tsi, boolean responses) {
        return vsiSentBy(net, from, tsi, responses, Long.MIN_VALUE);
    }

    /** As {@link #vsiSentBy(SplitNveNet, Node, VsiId, boolean)}, in ECPDUs sent at or after {@code since}. */
    static List<VsiTlv> vsiSentBy(SplitNveNet net, Node from, VsiId tsi, boolean responses, long since) {
        List<VsiTlv> out = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Frame.Vdp v : vdpSentBy(net, from, since)) {
            if (v.ecp().operation() != org.splitnve.wire.ecp.EcpOperation.REQUEST || !seen.add(v.ethernet().destination() + "#" + v.ecp().sequence())) {
                continue;
            }
            for (VdpItem item : v.vdp().items()) {
                if (item instanceof VsiTlv t && t.vsiId().equals(tsi) && t.isResponse() == responses) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /**
     * LC-MIGRATE: replays every tNVE's VM state changes of {@code vm} in order and fails if the VM was
     * ever RUNNING on two hypervisors at once. Returns how many tNVEs had it RUNNING at some time.
     */
    static int assertNeverRunningTwice(SplitNveNet net, String vm) {
        Map<String, String> state = new HashMap<>();
        java.util.Set<String> ran = new java.util.HashSet<>();
        for (Simulation.LoggedEvent e : net.sim.eventLog()) {
            if (e.event() instanceof TnveEvent.VmStateChanged v && v.vm().equals(vm)) {
                state.put(e.node(), v.to());
                long running = state.values().stream().filter(s -> s.equals(VmState.RUNNING.name())).count();
                assertThat(running).as("hypervisors running %s at %d ns: %s", vm, e.nanos(), state).isLessThanOrEqualTo(1);
                if (v.to().equals(VmState.RUNNING.name())) {
                    ran.add(e.node());
                }
            }
        }
        return ran.size();
    }

    /** A tNVE configuration that offers no extension: a standard VDP station (802.1Q keep-alive per TSI). */
    static TnveConfig standardTnve(String name, MacAddress destination) {
        return new TnveConfig(name, List.of(TnveConfig.Uplink.to("nnve", 0, destination)), Map.of(), SplitNveNet.TIMERS,
                VdpCodec.DEFAULT_OUI, EnumSet.noneOf(CapabilityTlv.Feature.class), ManagerId.ofText(name));
    }

    /**
     * An lldpad-like station (standard VDP only; VSI type 5, which the fixture's authority maps to VN 5000) with
     * one port, sending to the nearest-customer-bridge address, so it must be linked to the nNVE directly.
     */
    static LldpadStation lldpad(SplitNveNet net, String name, MacAddress bridge) {
        Host h = net.sim.addHost(name, 1, io -> new LldpadStation(net.sim.clock(), io, net.sim.eventSink(name),
                SplitNveNet.TIMERS, bridge, MacAddress.NEAREST_CUSTOMER_BRIDGE));
        return h.agent(LldpadStation.class);
    }

    static Host host(SplitNveNet net, String name) {
        return (Host) net.sim.node(name);
    }

    /** Sends an lldpad request and runs the simulation until it is answered (at most 60 virtual seconds). */
    static LldpadStation.Vsi lldpadRequest(SplitNveNet net, LldpadStation st, VsiMode mode, VsiId id, Filter f) {
        int gaveUp = st.givenUp();
        assertThat(st.request(mode, id, f)).as("lldpad accepts the request locally").isTrue();
        long limit = net.sim.now() + 60 * SplitNveNet.SECOND;
        while (st.vsi(id).waiting() && net.sim.now() < limit) {
            net.sim.step(limit);
        }
        assertThat(st.vsi(id).waiting()).as("lldpad got an answer").isFalse();
        assertThat(st.givenUp()).as("lldpad got a response (it did not give up)").isEqualTo(gaveUp);
        return st.vsi(id);
    }

    /** Whether a response TLV is a success. */
    static boolean success(VsiTlv t) {
        return ((org.splitnve.wire.vdp.VsiStatus.Response) t.status()).isSuccess();
    }

    static List<VsiMode> modes(List<VsiTlv> l) {
        return l.stream().map(VsiTlv::mode).toList();
    }

    /**
     * OPS-3: the frames of an nNVE as one that predates advertised limits sends them: every capability TLV rewritten
     * to version 1 (the same features, no limits). An end device then cannot refuse beforehand what the nNVE's
     * limits refuse, so the nNVE's own enforcement (SEC-5) shows.
     */
    static PortIo withoutAdvertisedLimits(PortIo io) {
        return new PortIo() {
            @Override
            public int ports() {
                return io.ports();
            }

            @Override
            public MacAddress mac(int port) {
                return io.mac(port);
            }

            @Override
            public void send(int port, byte[] frame, int length) {
                Frame f;
                try {
                    f = FrameCodec.DEFAULT.decode(frame, 0, length);
                } catch (org.splitnve.wire.DecodeException e) {
                    throw new IllegalStateException("the nNVE sent a frame it cannot decode", e);
                }
                if (f instanceof Frame.Vdp v && v.vdp().header(CapabilityTlv.class) != null) {
                    List<org.splitnve.wire.vdp.OrgTlv> header = new ArrayList<>();
                    for (org.splitnve.wire.vdp.OrgTlv t : v.vdp().header()) {
                        header.add(t instanceof CapabilityTlv c ? new CapabilityTlv(1, c.featureBits()) : t);
                    }
                    org.splitnve.wire.vdp.VdpPdu p = new org.splitnve.wire.vdp.VdpPdu(v.vdp().managerId(), header,
                            v.vdp().items(), v.vdp().auth());
                    byte[] b = FrameCodec.DEFAULT.encode(new Frame.Vdp(v.ethernet(), v.ecp(), p), true);
                    io.send(port, b, b.length);
                    return;
                }
                io.send(port, frame, length);
            }
        };
    }
}
