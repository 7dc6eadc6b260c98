package org.splitnve.sim.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.NnveEvent;
import org.splitnve.nnve.Tsi;
import org.splitnve.nnve.NvaAuthority;
import org.splitnve.nnve.NvaEffects;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.InMemoryNva;
import org.splitnve.nva.NvaListener;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.auth.FrameAuthenticator;
import org.splitnve.protocol.auth.HmacFrameAuthenticator;
import org.splitnve.protocol.auth.KeyRing;
import org.splitnve.protocol.auth.Role;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.RecordingSink;
import org.splitnve.sim.EthernetSwitch;
import org.splitnve.sim.Host;
import org.splitnve.sim.Link;
import org.splitnve.sim.LinkProfile;
import org.splitnve.sim.Node;
import org.splitnve.sim.PcapOnFailure;
import org.splitnve.sim.Simulation;
import org.splitnve.sim.lldpad.LldpadStation;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveConfig;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VsiId;

/**
 * A Split-NVE in the deterministic simulation: real nNVE and tNVE engines, the in-memory NVA,
 * links that lose frames, ordinary Ethernet switches, scripted stations ({@link ScriptStation}), and nNVEs
 * whose end devices authenticate (REQ-11, GAP-11) with {@link HmacFrameAuthenticator}s. Scenario tests build
 * their topology with it and run every scenario twice: on clean links, and with 20% frame loss in both
 * directions. {@link Frames} reads what went over the wire.
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
    /** The authenticator the nNVE made for each end device, by station MAC (for rotation). */
    public final Map<MacAddress, HmacFrameAuthenticator> bridgeAuth = new HashMap<>();
    /** The authenticator of each tNVE's uplink, by tNVE name. */
    public final Map<String, HmacFrameAuthenticator> stationAuth = new HashMap<>();
    private int randoms;

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

        /** The state of the TSI's instance on a port from one station, INIT when there is none. */
        public org.splitnve.nnve.TsiState state(VsiId tsi, int port, MacAddress station) {
            Tsi t = instance(tsi, port, station);
            return t == null ? org.splitnve.nnve.TsiState.INIT : t.state();
        }

        /** The instance of a TSI on a port from one station, or null. */
        public Tsi instance(VsiId tsi, int port, MacAddress station) {
            for (Tsi t : engine.instances(tsi)) {
                if (t.port() == port && t.station().equals(station)) {
                    return t;
                }
            }
            return null;
        }

        /** The TSI state transitions for one TSI, in order. */
        public List<NnveEvent.TsiState> transitions(VsiId tsi) {
            return events.of(NnveEvent.TsiState.class).stream().filter(e -> e.tsi().equals(tsi)).toList();
        }

        /** "FROM>TO" of each transition, for compact assertions. */
        public List<String> path(VsiId tsi) {
            return transitions(tsi).stream().map(e -> e.from() + ">" + e.to()).toList();
        }

        public <T extends Effect> List<T> effects(Class<T> kind) {
            return effects.stream().filter(kind::isInstance).map(kind::cast).toList();
        }

        /** Effects emitted since {@code from} (an index into the effect list). */
        public List<Effect> effectsSince(int from) {
            return List.copyOf(effects.subList(from, effects.size()));
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

    /** As {@link #SplitNveNet(long, double)}, recording every frame put on a link (read it with {@link Frames}). */
    public static SplitNveNet capturing(long seed, double loss) {
        SplitNveNet net = new SplitNveNet(seed, loss);
        net.sim.capture(true);
        return net;
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
     * An nNVE backed by its own {@link org.splitnve.nva.Nva} (an NVA client's replica, NVA-3) instead of the shared
     * in-memory NVA; the end-device and TSI policy are that NVA's.
     */
    public NnveNode nnve(NnveConfig config, org.splitnve.nva.Nva own) {
        String name = config.name();
        List<Effect> effects = new ArrayList<>();
        RecordingSink events = new RecordingSink(sim.eventSink(name));
        NvaAuthority authority = new NvaAuthority(own, name, Map.of(5, 5000L), true);
        Host h = sim.addHost(name, config.ports().size(), ports -> new NnveEngine(config, sim.clock(), ports,
                authority, new NvaEffects(own, name, events, effects::add), events, new SplittableRandom(name.hashCode())));
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
        restarts++;
        String hostName = name + "#" + restarts;
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

    /** A tNVE with one port, one uplink to port {@code port} of {@code n}, linked to it directly. */
    public TnveNode tnveOn(NnveNode n, int port, String name) {
        TnveNode h = tnve(name, n.mac(port));
        link(h.host(), 0, n.host(), port);
        return h;
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

    /** 32 octets of key material, distinct per seed. */
    public static byte[] psk(int seed) {
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (seed * 31 + i * 7 + 1);
        }
        return k;
    }

    public static KeyRing ring(int keyId, int seed) {
        return KeyRing.of(keyId, psk(seed));
    }

    /** A SecureRandom that gives the same nonces in every run (the scenario stays reproducible). */
    public SecureRandom random() {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(sim.seed() * 1_000 + randoms++);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * An nNVE whose ports make every end device authenticate with {@code portKeys} (one ring for every
     * station behind a port), except the stations in {@code unauthenticated}: standard peers, accepted
     * on implicit authentication (NnveConfig.authenticators returns null for them).
     */
    public NnveNode nnve(String name, int ports, KeyRing portKeys, Set<MacAddress> unauthenticated,
            NnveConfig.Limits limits) {
        return nnve(name, ports, limits, (n, port, station) -> {
            if (unauthenticated.contains(station)) {
                return null;
            }
            HmacFrameAuthenticator a = new HmacFrameAuthenticator(Role.BRIDGE, n.mac(port), station, portKeys,
                    n.events(), random());
            bridgeAuth.put(station, a);
            return a;
        });
    }

    /** Makes the authenticator of one end device of an nNVE (null: it does not authenticate). */
    public interface PeerAuthenticators {
        FrameAuthenticator make(NnveNode nnve, int port, MacAddress station);
    }

    /** An nNVE whose authenticator for each end device is what {@code make} returns. */
    public NnveNode nnve(String name, int ports, NnveConfig.Limits limits, PeerAuthenticators make) {
        AtomicReference<NnveNode> self = new AtomicReference<>();
        NnveConfig cfg = NnveConfig.simple(name, ports).withTimers(TIMERS).withLimits(limits)
                .withAuthenticators((port, station) -> make.make(self.get(), port, station));
        NnveNode n = nnve(cfg);
        self.set(n);
        return n;
    }

    /**
     * An nNVE on one port with a given MAC whose end devices authenticate with {@code portKeys}, that the NVA
     * knows as {@code nveName}: started again in place of another (a restart: new engine, new authenticators,
     * same MAC and name), it takes over.
     */
    public NnveNode nnveAt(String hostName, String nveName, MacAddress mac, KeyRing portKeys) {
        nva.permitEndDevice(EndDeviceRule.anyOn(NveId.of(nveName)));
        List<Effect> effects = new ArrayList<>();
        RecordingSink events = new RecordingSink(sim.eventSink(hostName));
        NnveConfig cfg = NnveConfig.simple(nveName, 1).withTimers(TIMERS).withAuthenticators((port, station) -> {
            HmacFrameAuthenticator a = new HmacFrameAuthenticator(Role.BRIDGE, mac, station, portKeys, events, random());
            bridgeAuth.put(station, a);
            return a;
        });
        NvaAuthority authority = new NvaAuthority(nva, nveName, Map.of(), true);
        Host h = sim.addHost(hostName, List.of(mac), io -> new NnveEngine(cfg, sim.clock(), io, authority,
                new NvaEffects(nva, nveName, events, effects::add), events, new SplittableRandom(hostName.hashCode())));
        return new NnveNode(hostName, h, h.agent(NnveEngine.class), effects, events);
    }

    /** A tNVE on {@code mac}, one uplink to the nNVE at {@code nnve}, authenticated with {@code keys} (null: none). */
    public TnveNode tnve(String name, MacAddress mac, MacAddress nnve, KeyRing keys, FilterFormat filter) {
        RecordingSink events = new RecordingSink(sim.eventSink(name));
        HmacFrameAuthenticator auth = keys == null ? null
                : new HmacFrameAuthenticator(Role.STATION, mac, nnve, keys, events, random());
        if (auth != null) {
            stationAuth.put(name, auth);
        }
        TnveConfig cfg = new TnveConfig(name, List.of(new TnveConfig.Uplink("nnve", 0, nnve, nnve, filter, auth)), Map.of(),
                TIMERS, VdpCodec.DEFAULT_OUI, EnumSet.allOf(CapabilityTlv.Feature.class), ManagerId.ofText(name));
        Host h = sim.addHost(name, List.of(mac), io -> new TnveEngine(cfg, sim.clock(), io, events,
                new SplittableRandom(name.hashCode())));
        TnveEngine engine = h.agent(TnveEngine.class);
        List<TnveEvent> reported = new ArrayList<>();
        engine.addListener(reported::add);
        return new TnveNode(name, h, engine, reported, events);
    }

    /** A scripted ECP station with one port (link it yourself) that talks to the nNVE at {@code nnve}. */
    public ScriptStation station(String name, MacAddress nnve, Set<CapabilityTlv.Feature> features) {
        RecordingSink events = new RecordingSink(sim.eventSink(name));
        Host h = sim.addHost(name, 1, io -> new ScriptStation(io, sim.clock(), nnve, features, TIMERS, events));
        return h.agent(ScriptStation.class);
    }

    /** A scripted ECP station on {@code mac} that talks to the nNVE at {@code nnve}. */
    public ScriptStation station(String name, MacAddress mac, MacAddress nnve, Set<CapabilityTlv.Feature> features) {
        return station(name, mac, nnve, features, TIMERS);
    }

    /** As above, with its own ECP timers (more retries: a flood that ends the same on a lossy link). */
    public ScriptStation station(String name, MacAddress mac, MacAddress nnve, Set<CapabilityTlv.Feature> features,
            Timers timers) {
        RecordingSink events = new RecordingSink(sim.eventSink(name));
        Host h = sim.addHost(name, List.of(mac), io -> new ScriptStation(io, sim.clock(), nnve, features, timers, events));
        return h.agent(ScriptStation.class);
    }

    public static MacAddress mac(int n) {
        return new MacAddress(0x025E_0000_0000L | n);
    }

    /** The NVA's changes go to the simulation's event log (node "nva"), in order with the engines' events. */
    public void logNva() {
        nva.addListener(NvaListener.of(sim.eventSink("nva")));
    }

    /** Every event of a kind in the order it happened, across all nodes (and the NVA with {@link #logNva}). */
    public <T extends Event> List<T> logged(Class<T> kind) {
        List<T> out = new ArrayList<>();
        for (Simulation.LoggedEvent e : sim.eventLog()) {
            if (kind.isInstance(e.event())) {
                out.add(kind.cast(e.event()));
            }
        }
        return out;
    }

    /** Position in the simulation's event log of the first event matching, or -1. */
    public int firstIndex(Predicate<Event> p) {
        List<Simulation.LoggedEvent> log = sim.eventLog();
        for (int i = 0; i < log.size(); i++) {
            if (p.test(log.get(i).event())) {
                return i;
            }
        }
        return -1;
    }

    /** Virtual time of the first event matching, or -1. */
    public long firstTime(Predicate<Event> p) {
        for (Simulation.LoggedEvent e : sim.eventLog()) {
            if (p.test(e.event())) {
                return e.nanos();
            }
        }
        return -1;
    }

    /**
     * LC-MIGRATE: replays every tNVE's VM state changes of {@code vm} in order and fails if the VM was
     * ever RUNNING on two hypervisors at once. Returns how many tNVEs had it RUNNING at some time.
     */
    public int assertNeverRunningTwice(String vm) {
        Map<String, String> state = new HashMap<>();
        Set<String> ran = new HashSet<>();
        for (Simulation.LoggedEvent e : sim.eventLog()) {
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
    public static TnveConfig standardTnve(String name, MacAddress destination) {
        return new TnveConfig(name, List.of(TnveConfig.Uplink.to("nnve", 0, destination)), Map.of(), TIMERS,
                VdpCodec.DEFAULT_OUI, EnumSet.noneOf(CapabilityTlv.Feature.class), ManagerId.ofText(name));
    }

    /**
     * An lldpad-like station (standard VDP only; VSI type 5, which the fixture's authority maps to VN 5000) with
     * one port, sending to the nearest-customer-bridge address, so it must be linked to the nNVE directly.
     */
    public LldpadStation lldpad(String name, MacAddress bridge) {
        Host h = sim.addHost(name, 1, io -> new LldpadStation(sim.clock(), io, sim.eventSink(name), TIMERS, bridge,
                MacAddress.NEAREST_CUSTOMER_BRIDGE));
        return h.agent(LldpadStation.class);
    }

    /** Sends an lldpad request and runs the simulation until it is answered (at most 60 virtual seconds). */
    public LldpadStation.Vsi lldpadRequest(LldpadStation st, VsiMode mode, VsiId id, Filter f) {
        int gaveUp = st.givenUp();
        assertThat(st.request(mode, id, f)).as("lldpad accepts the request locally").isTrue();
        long limit = sim.now() + 60 * SECOND;
        while (st.vsi(id).waiting() && sim.now() < limit) {
            sim.step(limit);
        }
        assertThat(st.vsi(id).waiting()).as("lldpad got an answer").isFalse();
        assertThat(st.givenUp()).as("lldpad got a response (it did not give up)").isEqualTo(gaveUp);
        return st.vsi(id);
    }

    /** The host of a node added by name. */
    public Host host(String name) {
        return (Host) sim.node(name);
    }

    public Link link(Node a, int pa, Node b, int pb) {
        return sim.connect(a, pa, b, pb, profile);
    }

    /** An ordinary learning bridge (does not forward 01-80-C2-00-00-0X, REQ-1). */
    public EthernetSwitch bridge(String name, int ports) {
        return sim.addSwitch(name, ports);
    }

    /** REQ-1: an ordinary switch "sw" with {@code ports} ports, its port 0 on port 0 of {@code n}. */
    public EthernetSwitch switchBefore(NnveNode n, int ports) {
        EthernetSwitch sw = bridge("sw", ports);
        link(sw, 0, n.host(), 0);
        return sw;
    }

    /**
     * A tNVE on {@link #mac mac(n)} on port {@code n} of {@code sw}, one uplink to port 0 of {@code nnve},
     * authenticated with {@code keys} (null: none).
     */
    public TnveNode tnveOn(EthernetSwitch sw, int n, String name, NnveNode nnve, KeyRing keys, FilterFormat filter) {
        TnveNode h = tnve(name, mac(n), nnve.mac(0), keys, filter);
        link(h.host(), 0, sw, n);
        return h;
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

    /** LC-CREATE: creates the VM with these TSIs on {@code h} and starts it; both must succeed. */
    public void createAndStart(TnveNode h, String vm, TsiSpec... tsis) {
        ok(h.engine().create(vm, List.of(tsis)));
        ok(h.engine().start(vm));
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

    /** A host address of a TSI (a literal IPv4 or IPv6 address). */
    public static TsiAddress ip(String literal) {
        return TsiAddress.host(InetAddress.ofLiteral(literal));
    }

    public static <T extends Event> List<T> events(RecordingSink sink, Class<T> kind) {
        return sink.of(kind);
    }
}
