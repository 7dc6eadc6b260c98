package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.NvaAuthority;
import org.splitnve.nnve.NvaEffects;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.InMemoryNva;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.RecordingSink;
import org.splitnve.sim.EthernetSwitch;
import org.splitnve.sim.Host;
import org.splitnve.sim.Link;
import org.splitnve.sim.LinkProfile;
import org.splitnve.sim.Node;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.Simulation;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveConfig;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VsiId;

/**
 * A Split-NVE in the deterministic simulation: real nNVE and tNVE engines, the in-memory NVA,
 * links that lose frames, ordinary Ethernet switches. Scenario tests build their topology with it and
 * run every scenario twice: on clean links, and with 20% frame loss in both directions.
 */
public final class SplitNveNet {
    /** RTE 8 (2.56 ms), R 3, RWD 20, RKA 20 (10.5 s): what the tests run with. */
    public static final Timers TIMERS = new Timers(3, 8, 20, 20);
    public static final long SECOND = 1_000_000_000L;

    public final Simulation sim;
    public final InMemoryNva nva = new InMemoryNva();
    private int restarts;
    private final LinkProfile profile;
    private final List<NnveNode> nnves = new ArrayList<>();

    public record NnveNode(String name, Host host, NnveEngine engine, List<Effect> effects, RecordingSink events) {
        public MacAddress mac(int port) {
            return host.mac(port);
        }

        /** The TSI's state at this nNVE (its first instance), INIT when it has none. */
        public org.splitnve.nnve.TsiState state(VsiId tsi) {
            var list = engine.instances(tsi);
            return list.isEmpty() ? org.splitnve.nnve.TsiState.INIT : list.getFirst().state();
        }

        public org.splitnve.nnve.TsiState state(TsiSpec tsi) {
            return state(tsi.id());
        }
    }

    public record TnveNode(String name, Host host, TnveEngine engine, List<TnveEvent> reported, RecordingSink events) {
        public MacAddress mac(int port) {
            return host.mac(port);
        }
    }

    /** @param loss share of frames lost on every link, each direction (0 or 0.2 in the scenarios) */
    public SplitNveNet(long seed, double loss) {
        this.sim = new Simulation(seed);
        this.profile = LinkProfile.delay(5_000, 50_000).withLoss(loss);
        PcapOnFailure.watch(sim);
    }

    public LinkProfile profile() {
        return profile;
    }

    /** Registers a VN at the NVA (L2, trusted) and lets any TSI join it. */
    public VnRecord vn(long id, String alias, int vni) {
        return vn(id, alias, vni, org.splitnve.nva.PrefixPolicy.DEFAULT);
    }

    /** As {@link #vn(long, String, int)}, granting the TSIs prefixes down to {@code prefixes} (SEC-2). */
    public VnRecord vn(long id, String alias, int vni, org.splitnve.nva.PrefixPolicy prefixes) {
        UUID name = UUID.nameUUIDFromBytes(("vn-" + id).getBytes(StandardCharsets.UTF_8));
        VnRecord r = VnRecord.of(name, id, alias, vni, VnService.L2).withPrefixes(prefixes);
        nva.addVn(r).orElseThrow();
        nva.permitTsi(TsiRule.anyOn((int) id));
        return r;
    }

    public NnveNode nnve(String name, int ports) {
        return nnve(NnveConfig.simple(name, ports).withTimers(TIMERS));
    }

    /** An nNVE every end device may use, backed by the NVA. */
    public NnveNode nnve(NnveConfig config) {
        return nnve(config, UnaryOperator.identity());
    }

    /** As {@link #nnve(NnveConfig)}, the engine's frames going out through {@code io} (which may rewrite them). */
    public NnveNode nnve(NnveConfig config, UnaryOperator<PortIo> io) {
        String name = config.name();
        nva.permitEndDevice(EndDeviceRule.anyOn(NveId.of(name)));
        List<Effect> effects = new ArrayList<>();
        RecordingSink events = new RecordingSink(sim.eventSink(name));
        NvaAuthority authority = new NvaAuthority(nva, name, Map.of(5, 5000L), true);
        Host h = sim.addHost(name, config.ports().size(), ports -> new NnveEngine(config, sim.clock(), io.apply(ports),
                authority, new NvaEffects(nva, name, events, effects::add), events, new SplittableRandom(name.hashCode())));
        NnveNode n = new NnveNode(name, h, h.agent(NnveEngine.class), effects, events);
        nnves.add(n);
        return n;
    }

    /**
     * REL-7: the nNVE's process ends (its ports go dark, its engine is never heard again) and a new one with
     * the same name and MACs and none of the old one's state takes its ports, on the same cables. The NVA keeps
     * what the old one reported.
     */
    public NnveNode restart(NnveNode old, NnveConfig config) {
        List<MacAddress> macs = new ArrayList<>();
        List<Link.Direction> peers = new ArrayList<>();
        for (int port = 0; port < old.host().ports(); port++) {
            macs.add(old.host().mac(port));
            Link l = old.host().link(port);
            peers.add(l == null ? null : l.from(old.host(), port) == l.aToB() ? l.bToA() : l.aToB());
            if (l != null) {
                sim.disconnect(l);
            }
        }
        String name = config.name();
        List<Effect> effects = new ArrayList<>();
        String hostName = name + "#" + (++restarts);
        RecordingSink events = new RecordingSink(sim.eventSink(hostName));
        NvaAuthority authority = new NvaAuthority(nva, name, Map.of(5, 5000L), true);
        Host h = sim.addHost(hostName, macs, io -> new NnveEngine(config, sim.clock(), io, authority,
                new NvaEffects(nva, name, events, effects::add), events, new SplittableRandom(hostName.hashCode())));
        for (int port = 0; port < peers.size(); port++) {
            Link.Direction other = peers.get(port);
            if (other != null) {
                sim.connect(h, port, other.fromNode(), other.fromPort(), profile);
            }
        }
        NnveNode n = new NnveNode(name, h, h.agent(NnveEngine.class), effects, events);
        nnves.add(n);
        return n;
    }

    /** A tNVE with one port, one uplink to {@code destination} (the nNVE's MAC, or a group address). */
    public TnveNode tnve(String name, MacAddress destination) {
        return tnve(name, 1, List.of(TnveConfig.Uplink.to("nnve", 0, destination)), Map.of());
    }

    public TnveNode tnve(String name, int ports, List<TnveConfig.Uplink> uplinks, Map<Long, TnveConfig.Placement> placements) {
        TnveConfig cfg = new TnveConfig(name, uplinks, placements, TIMERS, VdpCodec.DEFAULT_OUI,
                EnumSet.allOf(CapabilityTlv.Feature.class), ManagerId.ofText(name));
        return tnve(cfg, ports);
    }

    public TnveNode tnve(TnveConfig cfg, int ports) {
        String name = cfg.name();
        RecordingSink events = new RecordingSink(sim.eventSink(name));
        Host h = sim.addHost(name, ports, io -> new TnveEngine(cfg, sim.clock(), io, events,
                new SplittableRandom(name.hashCode())));
        TnveEngine engine = h.agent(TnveEngine.class);
        List<TnveEvent> reported = new ArrayList<>();
        engine.addListener(reported::add);
        return new TnveNode(name, h, engine, reported, events);
    }

    public Link link(Node a, int pa, Node b, int pb) {
        return sim.connect(a, pa, b, pb, profile);
    }

    /** An ordinary learning bridge (does not forward 01-80-C2-00-00-0X, REQ-1). */
    public EthernetSwitch bridge(String name, int ports) {
        return sim.addSwitch(name, ports);
    }

    /**
     * REQ-1, REQ-2: two end devices behind one ordinary switch (ports 0 and 1) on port {@code port} of an
     * nNVE (switch port 2); returns the switch.
     */
    public EthernetSwitch behindOneSwitch(TnveNode a, TnveNode b, NnveNode n, int port) {
        EthernetSwitch sw = bridge("sw", 3);
        link(a.host(), 0, sw, 0);
        link(b.host(), 0, sw, 1);
        link(sw, 2, n.host(), port);
        return sw;
    }

    /** Runs the simulation until the operation completes (at most 60 virtual seconds) and returns its result. */
    public OpResult await(CompletableFuture<OpResult> op) {
        long limit = sim.now() + 60 * SECOND;
        while (!op.isDone() && sim.now() < limit) {
            sim.step(limit);
        }
        assertThat(op).as("operation finished within 60 s of virtual time").isDone();
        return op.join();
    }

    /** Runs an operation that must succeed. */
    public void ok(CompletableFuture<OpResult> op) {
        OpResult r = await(op);
        assertThat(r.ok()).as("operation result %s", r).isTrue();
    }

    public void runFor(long nanos) {
        sim.runFor(nanos);
    }

    public static TsiSpec tsi(int n, long vn) {
        return TsiSpec.of(VsiId.uuid(new UUID(0x7510_0000_0000_4000L | n, 0x8000_0000_0000_0000L | n)), vn,
                new MacAddress(0x5254_0000_0000L | n), List.of());
    }

    public static TsiSpec tsi(int n, long vn, TsiAddress... ips) {
        return tsi(n, vn).withIps(List.of(ips));
    }

    public static <T extends Event> List<T> events(RecordingSink sink, Class<T> kind) {
        return sink.of(kind);
    }
}
