package org.splitnve.daemon;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.splitnve.config.ConfigException;
import org.splitnve.daemon.config.NnveSettings;
import org.splitnve.daemon.http.NnveApi;
import org.splitnve.daemon.log.DaemonEvent;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.daemon.metrics.DaemonMetrics;
import org.splitnve.daemon.state.TsiJournal;
import org.splitnve.nnve.Authority;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.NvaAuthority;
import org.splitnve.nnve.NvaEffects;
import org.splitnve.nnve.Vn;
import org.splitnve.nnve.VnKey;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.InMemoryNva;
import org.splitnve.nva.Nva;
import org.splitnve.nva.service.Interest;
import org.splitnve.nva.service.Options;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.ResourceKey;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.client.NvaClient;
import org.splitnve.nva.service.client.ReplicaNva;
import org.splitnve.nva.service.client.ReportQueue;
import org.splitnve.nva.service.link.InProcessLink;
import org.splitnve.nva.service.link.NvaLink;
import org.splitnve.nva.service.store.MemoryStore;
import org.splitnve.nva.service.store.SqliteStore;
import org.splitnve.nva.service.store.Store;
import org.splitnve.protocol.event.EventSink;
import java.time.InstantSource;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.auth.FrameAuthenticator;
import org.splitnve.protocol.auth.HmacFrameAuthenticator;
import org.splitnve.protocol.auth.KeyRing;
import org.splitnve.protocol.auth.Role;
import org.splitnve.protocol.lldp.LldpAgent;
import org.splitnve.transport.AgentRunner;
import org.splitnve.transport.InterfaceLock;
import org.splitnve.transport.Port;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.lldp.EvbMode;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * {@code splitnve nnve --config FILE}: the External NVE (VDP bridge) on raw Ethernet, with the
 * in-memory NVA loaded from the file's [nva] sections (NvaAuthority decides, NvaEffects records).
 */
public final class NnveDaemon extends Daemon implements NnveApi.Backend {
    /** The configuration in effect: the one started with, or the last one reloaded (OPS-5). */
    private volatile NnveSettings settings;
    private final Nva nva;
    /** The embedded NVA service and the nNVE's client of it ([nva] embedded = true), else null. */
    private final NvaConnection embedded;
    private final NnveEngine[] engine;
    private final LldpAgent<?>[] lldp;
    private final Keys keys;
    /** The Open vSwitch bridge's programming ([dataplane]), else null. */
    private final NnveDataplane dataplane;
    /** The TSI journal ([state] dir, REL-2), else null. */
    private final TsiJournal journal;

    private NnveDaemon(NnveSettings settings, EventLog log, AgentRunner<PortAgent> runner, DaemonMetrics metrics,
            Nva nva, NvaConnection embedded, NnveEngine[] engine, LldpAgent<?>[] lldp, Keys keys,
            NnveDataplane dataplane, TsiJournal journal) {
        super(log, runner, metrics);
        this.dataplane = dataplane;
        this.journal = journal;
        this.settings = settings;
        this.nva = nva;
        this.embedded = embedded;
        this.engine = engine;
        this.lldp = lldp;
        this.keys = keys;
    }

    /**
     * The end devices' keys and the authority the engine asks (SEC-1, REQ-11), both replaceable by a reload
     * (OPS-5): the rings per target ("PORT/STATION", "-1/STATION", "PORT/null"), the authenticators made so far
     * (engine thread), and the authority in effect (the NVA's, behind the key check when unauthenticated end
     * devices are not allowed).
     */
    static final class Keys implements Authority {
        private volatile Map<String, KeyRing> rings;
        /** Authenticators made per "PORT/STATION" (the engine thread's). */
        private final Map<String, HmacFrameAuthenticator> live = new java.util.HashMap<>();
        private Authority target;

        Keys(Map<String, KeyRing> rings) {
            this.rings = Map.copyOf(rings);
        }

        KeyRing ringFor(int port, MacAddress station) {
            Map<String, KeyRing> r = rings;
            for (String t : List.of(port + "/" + station, "-1/" + station, port + "/null")) {
                KeyRing k = r.get(t);
                if (k != null) {
                    return k;
                }
            }
            return null;
        }

        /** The authority from a configuration: the NVA's, behind the key check unless unauthenticated peers may. */
        Authority authorityOf(Nva nva, NnveSettings s) {
            Authority nvaAuthority = new NvaAuthority(nva, s.name(), s.typeVns(), s.plainVlans());
            return s.allowUnauthenticated() ? nvaAuthority
                    : requireKeys(nvaAuthority, (port, station) -> ringFor(port, station) != null);
        }

        @Override
        public Decision authoriseEndDevice(int port, MacAddress station) {
            return target.authoriseEndDevice(port, station);
        }

        @Override
        public VnResolution resolveVn(ManagerId manager, int typeId, int typeVersion, long groupId, java.util.UUID vnName,
                int vid) {
            return target.resolveVn(manager, typeId, typeVersion, groupId, vnName, vid);
        }

        @Override
        public TsiGrant authoriseTsi(int port, MacAddress station, VsiId tsi, Vn vn, List<TsiAddress> requested) {
            return target.authoriseTsi(port, station, tsi, vn, requested);
        }

        /** LC-MIGRATE make-before-break: the NVA's answer, not the interface's default (false: never ARRIVED). */
        @Override
        public boolean activatedAtAnotherNve(VsiId tsi, Vn vn) {
            return target.activatedAtAnotherNve(tsi, vn);
        }

        /** REL-2: the restored TSIs, to the NVA's authority (it answers for them until its replica is complete). */
        @Override
        public void restored(int port, MacAddress station, VsiId tsi, Vn vn, List<TsiAddress> addresses) {
            target.restored(port, station, tsi, vn, addresses);
        }

        /** The NVA's readiness: its replica's first list (the engine holds requests until then). */
        @Override
        public boolean ready() {
            return target.ready();
        }
    }

    /** The key rings of a configuration, per target ("PORT/STATION"; port -1: any; station null: any). */
    static Map<String, KeyRing> rings(NnveSettings s) {
        Map<String, KeyRing> rings = new LinkedHashMap<>();
        for (NnveSettings.KeySettings k : s.keys()) {
            String target = k.port() + "/" + k.station();
            KeyRing r = rings.get(target);
            rings.put(target, r == null ? KeyRing.of(k.id(), k.material()) : r.withKey(k.id(), k.material()));
        }
        return rings;
    }

    /** The LLDP agent (its neighbours, read on the engine thread), or null when LLDP is off. */
    @Override
    public LldpAgent<?> lldp() {
        return lldp[0];
    }

    /** The engine: call it only on the engine thread ({@link AgentRunner#call}). */
    @Override
    public NnveEngine engine() {
        return engine[0];
    }

    @Override
    public Nva nva() {
        return nva;
    }

    /**
     * The nNVE's NVA when it is not the old in-memory one: the replica, its client and the links it uses.
     * [nva] servers: a remote NVA ({@link #remote}). [nva] embedded = true (issue 10, docs/nva-protocol.md): the NVA service in this process, on the SQLite file
     * {@code state} or in memory, and the engine behind a {@link ReplicaNva} kept by an {@link NvaClient} over an
     * {@link InProcessLink}: the single-nNVE deployment of the protocol the nNVEs of a domain speak to a remote NVA.
     * [[nva.vn]] sections are imported once, at start: VNs the store lacks are added (with a TSI permit for any TSI),
     * and this nNVE is registered and permitted for every end device; what the store already has stays.
     */
    static final class NvaConnection {
        /** The NVA service in this process; null for a remote NVA ([nva] servers). */
        private final RevisionedNva service;
        private final ReplicaNva replica;
        /** A remote NVA's addresses, as links (HTTP binding); empty for the embedded one. */
        private final List<NvaLink> remote;
        private volatile NvaClient client;

        private NvaConnection(RevisionedNva service, ReplicaNva replica, List<NvaLink> remote) {
            this.service = service;
            this.replica = replica;
            this.remote = List.copyOf(remote);
        }

        /**
         * [nva] servers (issue 10): the NVA elsewhere ({@code splitnve nva}), one link per address through the HTTP
         * binding, this nNVE's token; the engine behind the replica its client keeps; the VNs it serves from
         * [nva] serves (the VNs themselves are the NVA's).
         */
        static NvaConnection remote(NnveSettings s, EventSink log) {
            NveId self = NveId.of(s.name());
            List<NvaLink> links = new ArrayList<>();
            for (String url : s.nvaService().servers()) {
                links.add(org.splitnve.nva.service.client.NvaLinkFactory.find(url).orElseThrow(
                        () -> new IllegalArgumentException("no NVA binding for " + url)).open(url, self,
                                s.nvaService().token()));
            }
            return new NvaConnection(null, new ReplicaNva(self, new ReportQueue(), log), links);
        }

        RevisionedNva service() {
            return service;
        }

        ReplicaNva replica() {
            return replica;
        }

        NvaClient client() {
            return client;
        }

        static NvaConnection open(NnveSettings s, EventSink log) {
            NveId self = NveId.of(s.name());
            Store store = s.nvaService().state() == null ? new MemoryStore() : SqliteStore.open(s.nvaService().state());
            RevisionedNva service = RevisionedNva.open(store, Options.DEFAULT, InstantSource.system(), log);
            for (VnRecord vn : s.vns()) {
                if (service.resource(ResourceKey.vn(vn.id())).isEmpty()) {
                    service.addVn(vn).decision().orElseThrow();
                    service.permitTsi(TsiRule.anyOn(vn.id()));
                }
            }
            if (service.resource(ResourceKey.nve(self)).isEmpty()) {
                // the VTEP the other NVEs tunnel to ([dataplane] vtep); without a data plane none is used
                service.registerNve(self, s.dataplane() != null ? s.dataplane().vtep()
                        : java.net.InetAddress.getLoopbackAddress());
                service.permitEndDevice(EndDeviceRule.anyOn(self));
            }
            return new NvaConnection(service, new ReplicaNva(self, new ReportQueue(), log), List.of());
        }

        /** Every VN the embedded NVA has: this nNVE serves them all. */
        java.util.Set<Integer> vns() {
            java.util.Set<Integer> out = new java.util.LinkedHashSet<>();
            for (Resource r : service.list(Interest.operator()).resources()) {
                if (r instanceof Resource.Vn v) {
                    out.add(v.vn().id());
                }
            }
            return out;
        }

        void start(NnveSettings s, AgentRunner<PortAgent> runner, NnveEngine[] engine, EventLog log,
                Runnable afterTask) {
            replica.endDevices(new ReplicaNva.EndDevices() {
                @Override
                public void deactivate(VsiId tsi, String reason) {
                    engine[0].deactivate(tsi, reason);
                }

                @Override
                public void deassociate(VsiId tsi, String reason) {
                    engine[0].deassociate(tsi, reason);
                }

                @Override
                public void vnGone(int vnId, String reason) {
                    engine[0].disconnectVn(new VnKey.Id(Integer.toUnsignedLong(vnId)), reason);
                }
            });
            NveId self = NveId.of(s.name());
            List<NvaLink> links = service == null ? remote : List.of(new InProcessLink(service, self));
            client = new NvaClient(self, links, replica, task -> submit(runner, () -> {
                        task.run();
                        afterTask.run(); // the replica may have changed: the data plane's model too
                    }, log),
                    service == null ? s.nvaService().serves() : vns(), log, NvaClient.Options.DEFAULT,
                    new SecureRandom(), System::nanoTime).start();
        }

        /** A task of the client on the engine thread; none once the engine has stopped. */
        private static void submit(AgentRunner<PortAgent> runner, Runnable task, EventLog log) {
            try {
                log.logFailure("NVA client task", runner.submit(task));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // the daemon stops: the engine takes nothing more
            }
        }

        void close() {
            NvaClient c = client;
            if (c != null) {
                c.close();
            }
            remote.forEach(NvaLink::close);
            if (service != null) {
                service.close();
            }
        }
    }

    /** The NVA service in this process ([nva] embedded = true), if any: for tests and the operator's reads. */
    public java.util.Optional<RevisionedNva> embeddedNva() {
        return embedded == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(embedded.service());
    }

    /**
     * The switch agent programming the Open vSwitch bridge ([dataplane]), if any: whether the switch holds the last
     * model ({@code synced}), how many models were applied.
     */
    @Override
    public java.util.Optional<org.splitnve.dataplane.SwitchAgent> switchAgent() {
        return dataplane == null ? java.util.Optional.empty() : java.util.Optional.of(dataplane.agent());
    }

    /**
     * [dataplane]: completes with true when the bridge holds the flows of the TSIs' and the NVA's state as of the
     * call (no change still on its way to the switch), false when not yet or without a data plane.
     */
    public java.util.concurrent.CompletableFuture<Boolean> dataplaneInstalled() {
        return runner.call(() -> dataplane != null && dataplane.installed());
    }

    /**
     * [dataplane]: the model last handed to the switch agent (the TSIs on the bridge's ports, the VNs, the remote NVEs
     * and their forwarding addresses), empty without a data plane or before the first.
     */
    public java.util.concurrent.CompletableFuture<java.util.Optional<org.splitnve.dataplane.DataplaneState>>
            dataplaneModel() {
        return runner.call(() -> java.util.Optional.ofNullable(dataplane == null ? null : dataplane.state()));
    }

    /**
     * [dataplane], issue 11: the VNs in which the data plane's model (kept up to date by what changed) differs from one
     * made from scratch of the engine's and the NVA's state now (at most 10); empty when it is exact, and without a data
     * plane. O(TSIs) on the engine thread: for tests and diagnosis.
     */
    public java.util.concurrent.CompletableFuture<List<String>> dataplaneModelDifferences() {
        return runner.call(() -> dataplane == null ? List.<String>of() : dataplane.modelDifferences(10));
    }

    /** [dataplane]: turns of the model's periodic audit, and TSIs it found differing (each one a defect, repaired). */
    public long[] dataplaneModelAudits() {
        return dataplane == null ? new long[2] : new long[] {dataplane.modelAudits(), dataplane.modelRepairs()};
    }

    @Override
    public org.splitnve.daemon.http.DataplaneApi.Desired desiredTable() {
        return dataplane == null ? null : dataplane.desired();
    }

    /** The nNVE's NVA client ([nva] embedded = true, or servers), if any. */
    public java.util.Optional<NvaClient> nvaClient() {
        return embedded == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(embedded.client());
    }

    @Override
    public NnveSettings settings() {
        return settings;
    }

    /** {@code splitnve nnve --config FILE}: 0 after a clean stop, 1 when a port cannot open, 2 on a configuration error. */
    public static int main(Path config, PrintStream out, PrintStream err) {
        return main("nnve", config, out, err, NnveSettings::load, NnveDaemon::start);
    }

    /**
     * OPS-4: binds the HTTP API, opens the configured interfaces (raw Ethernet) and takes their locks, then
     * builds and starts the engine: whatever can fail fails before the first frame.
     */
    public static NnveDaemon start(NnveSettings s, String configName, PrintStream out) throws IOException {
        List<String[]> where = new ArrayList<>();
        List<List<MacAddress>> groups = new ArrayList<>();
        for (NnveSettings.PortSettings p : s.ports()) {
            where.add(new String[] {p.namespace(), p.iface()});
            groups.add(p.multicast() == null ? List.of() : List.of(p.multicast()));
        }
        TsiJournal journal = s.stateDir() == null ? null : TsiJournal.open(s.stateDir()); // REL-2: read before the ports
        HttpServer bound;
        List<InterfaceLock> locks = new ArrayList<>();
        List<Port> ports;
        try {
            bound = bindApi(s.api());
            ports = openLocked(where, groups, bound, "nnve " + s.name() + " (" + configName + ")", locks);
        } catch (IOException | RuntimeException e) {
            if (journal != null) {
                journal.close();
            }
            throw e;
        }
        return start(s, configName, out, ports, bound, locks, journal);
    }

    /**
     * Builds and starts the engine on ports already open, one per configured [[port]] in order (raw
     * ports, or in-memory links for the demo without root and for tests). The daemon closes them.
     */
    public static NnveDaemon start(NnveSettings s, String configName, PrintStream out, List<Port> ports) {
        HttpServer bound;
        try {
            bound = bindApi(s.api());
        } catch (RuntimeException e) {
            ports.forEach(Port::close);
            throw e;
        }
        TsiJournal journal;
        try {
            journal = s.stateDir() == null ? null : TsiJournal.open(s.stateDir());
        } catch (IOException e) {
            release(ports, bound, List.of());
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
        return start(s, configName, out, ports, bound, List.of(), journal);
    }

    private static NnveDaemon start(NnveSettings s, String configName, PrintStream out, List<Port> ports,
            HttpServer bound, List<InterfaceLock> locks, TsiJournal journal) {
        if (ports.size() != s.ports().size()) {
            if (journal != null) {
                journal.close();
            }
            release(ports, bound, locks);
            throw new IllegalArgumentException(s.ports().size() + " ports configured, " + ports.size() + " given");
        }
        EventLog log = new EventLog(s.name(), s.log(), out);
        DaemonMetrics metrics = metricsFor(log, "nnve");
        List<NnveConfig.PortConfig> portConfigs = new ArrayList<>();
        for (NnveSettings.PortSettings p : s.ports()) {
            portConfigs.add(new NnveConfig.PortConfig(p.scope(), p.tags(), p.multicast()));
        }

        Nva nva;
        NvaConnection embedded = null;
        if (s.nvaService().mode() != NnveSettings.NvaService.Mode.LOCAL) {
            try {
                embedded = s.nvaService().mode() == NnveSettings.NvaService.Mode.EMBEDDED ? NvaConnection.open(s, log)
                        : NvaConnection.remote(s, log);
            } catch (RuntimeException e) {
                if (journal != null) {
                    journal.close();
                }
                release(ports, bound, locks);
                throw e;
            }
            nva = embedded.replica();
        } else {
            // LOCAL (the default): the NVA in memory, as before issue 10
            InMemoryNva local = new InMemoryNva();
            for (VnRecord vn : s.vns()) {
                local.addVn(vn).orElseThrow();
                local.permitTsi(TsiRule.anyOn(vn.id()));
            }
            local.permitEndDevice(EndDeviceRule.anyOn(NveId.of(s.name())));
            nva = local;
        }

        NnveDataplane dataplane = s.dataplane() == null ? null : new NnveDataplane(s.dataplane(), s.name(), nva, log);
        Runnable dataplaneChanged = dataplane == null ? () -> { } : dataplane::changed;
        Keys keys = new Keys(rings(s));
        MacAddress[] macs = ports.stream().map(Port::mac).toArray(MacAddress[]::new);
        java.util.function.BiFunction<Integer, MacAddress, FrameAuthenticator> authenticators = (port, station) -> {
            KeyRing ring = keys.ringFor(port, station);
            if (ring == null) {
                return null;
            }
            HmacFrameAuthenticator a = new HmacFrameAuthenticator(Role.BRIDGE, macs[port], station, ring, log);
            keys.live.put(port + "/" + station, a);
            return a;
        };
        keys.target = keys.authorityOf(nva, s);
        Authority authority = keys;

        EnumSet<CapabilityTlv.Feature> features = EnumSet.allOf(CapabilityTlv.Feature.class);
        NnveConfig cfg = new NnveConfig(s.name(), portConfigs, s.timers(), s.extensionOui(), features,
                s.limits(), ManagerId.ofText(s.name()), authenticators);
        NnveEngine[] engine = new NnveEngine[1];
        EventSink journaled = journal == null ? log : Journaling.events(log, journal, engine);
        // issue 11: the data plane's model follows the TSIs the engine's events name
        EventSink engineEvents = dataplane == null ? journaled : dataplane.events(journaled);
        java.util.function.Consumer<org.splitnve.nnve.Effect> dataplaneEffects = dataplane == null ? e -> { }
                : dataplane::effect;
        LldpAgent<?>[] lldp = new LldpAgent<?>[1];
        AgentRunner<PortAgent> runner;
        NnveDaemon[] self = new NnveDaemon[1];
        try {
            runner = AgentRunner.builder(s.name()).ports(ports).events(log).onFatal(e -> {
                if (self[0] != null) {
                    self[0].fatal("the engine thread", e);
                }
            }).build(io -> {
                engine[0] = new NnveEngine(cfg, Clock.system(), io, authority,
                        new NvaEffects(nva, s.name(), log, dataplaneEffects), engineEvents, new SecureRandom());
                if (journal != null) {
                    Journaling.restore(journal, engine[0], log); // REL-2: every TSI back before the first frame
                }
                if (!s.lldp().enabled()) {
                    return withTestHook(metrics.timed(engine[0]));
                }
                LldpAgent<NnveEngine> agent = new LldpAgent<>(engine[0], io, Clock.system(), s.extensionOui(),
                        EvbMode.BRIDGE, s.timers(), true, CapabilityTlv.of(features).withLimits(cfg.limits().advertised()),
                        s.lldp().ttl(), intervalNanos(s.lldp()), log);
                agent.describe(s.name(), p -> ports.get(p).name());
                lldp[0] = agent;
                return withTestHook(metrics.timed(agent));
            });
        } catch (RuntimeException e) {
            if (embedded != null) {
                embedded.close();
            }
            if (journal != null) {
                journal.close();
            }
            release(ports, bound, locks);
            throw e;
        }
        NnveDaemon d = new NnveDaemon(s, log, runner, metrics, nva, embedded, engine, lldp, keys, dataplane, journal);
        self[0] = d;
        d.holdLocks(locks);
        runner.start();
        if (dataplane != null) {
            dataplane.start(runner, engine);
        }
        if (embedded != null) {
            embedded.start(s, runner, engine, log, dataplaneChanged);
        }
        log.accept(new DaemonEvent.Started("nnve", configName, ports.stream().map(Port::name).toList(), s.timers(),
                s.lldp().enabled()));
        // REL-2, REL-7: end devices that held TSIs with an earlier run of this nNVE announce them again at once
        log.logFailure("nNVE start announcement", runner.submit(() -> engine[0].announceStart()));
        d.startApi(bound, s.api(), NnveApi.routes(d), () -> NnveApi.scrape(d));
        return d;
    }

    /** SEC-1, REQ-11: an end device without a configured key is refused when unauthenticated peers are not allowed. */
    static Authority requireKeys(Authority inner, java.util.function.BiPredicate<Integer, MacAddress> hasKey) {
        return new Authority() {
            @Override
            public Decision authoriseEndDevice(int port, MacAddress station) {
                if (!hasKey.test(port, station)) {
                    return Decision.refuse(1, "no key is configured for this end device and unauthenticated"
                            + " peers are not allowed ([auth] allow_unauthenticated = false)");
                }
                return inner.authoriseEndDevice(port, station);
            }

            @Override
            public VnResolution resolveVn(ManagerId manager, int typeId, int typeVersion, long groupId,
                    java.util.UUID vnName, int vid) {
                return inner.resolveVn(manager, typeId, typeVersion, groupId, vnName, vid);
            }

            @Override
            public TsiGrant authoriseTsi(int port, MacAddress station, VsiId tsi, Vn vn, List<TsiAddress> requested) {
                return inner.authoriseTsi(port, station, tsi, vn, requested);
            }

            @Override
            public boolean activatedAtAnotherNve(VsiId tsi, Vn vn) {
                return inner.activatedAtAnotherNve(tsi, vn);
            }

            @Override
            public void restored(int port, MacAddress station, VsiId tsi, Vn vn, List<TsiAddress> addresses) {
                inner.restored(port, station, tsi, vn, addresses);
            }

            @Override
            public boolean ready() {
                return inner.ready();
            }
        };
    }

    // ------------------------------------------------------------------ reload (OPS-5)

    /**
     * OPS-5: the nNVE's reload. Takes effect: the VNs (added: usable at once; removed: disconnected everywhere, its
     * TSIs de-associated and the end devices told, REQ-6), the VSI-type and plain-VLAN mapping, whether
     * unauthenticated end devices may connect, the end devices' keys (rotation under running sessions,
     * docs/protocol.md 5.9; a target whose every key is gone keeps its session until it ends), plus what
     * {@link #planShared} applies. Needs a restart: the ports, the limits, and a VN changed in place (remove it in
     * one reload, add it back in the next).
     */
    @Override
    protected ReloadPlan plan(Path config) throws ConfigException {
        NnveSettings was = settings;
        NnveSettings now = NnveSettings.load(config);
        String file = config.toString();
        List<String> problems = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        List<Runnable> onEngine = new ArrayList<>();
        List<Runnable> after = new ArrayList<>();
        planShared(file, shared(was), shared(now), lldp[0], problems, changes, onEngine, after);
        if (!was.ports().equals(now.ports())) {
            problems.add(file + ": [[port]]: the ports changed; this needs a restart");
        }
        if (!was.limits().equals(now.limits())) {
            problems.add(file + ": [limits]: changed; the limits are advertised to every end device when it connects:"
                    + " this needs a restart");
        }

        // VNs
        Map<Integer, VnRecord> before = new LinkedHashMap<>();
        was.vns().forEach(v -> before.put(v.id(), v));
        Map<Integer, VnRecord> next = new LinkedHashMap<>();
        now.vns().forEach(v -> next.put(v.id(), v));
        List<VnRecord> added = new ArrayList<>();
        List<VnRecord> removed = new ArrayList<>();
        for (VnRecord v : now.vns()) {
            VnRecord old = before.get(v.id());
            if (old == null) {
                added.add(v);
            } else if (!old.equals(v)) {
                problems.add(file + ": [[nva.vn]] id = " + Integer.toUnsignedLong(v.id()) + ": changed in place ("
                        + old + " -> " + v + "); remove the VN in one reload and add it back in the next (its TSIs are"
                        + " de-associated), or restart");
            }
        }
        for (VnRecord v : was.vns()) {
            if (!next.containsKey(v.id())) {
                removed.add(v);
            }
        }

        // keys: a key ID kept keeps its material (a new key needs a new ID, docs/protocol.md 5.9)
        Map<String, KeyRing> oldRings = rings(was);
        Map<String, KeyRing> newRings = rings(now);
        for (Map.Entry<String, KeyRing> e : newRings.entrySet()) {
            KeyRing old = oldRings.get(e.getKey());
            if (old == null) {
                continue;
            }
            for (int id : e.getValue().ids()) {
                if (old.accepts(id) && !old.sameKey(id, e.getValue())) {
                    problems.add(file + ": [[auth.key]] id = " + Integer.toUnsignedLong(id) + " (" + target(e.getKey())
                            + "): its key material changed; a new key needs a new ID (add it, switch, retire the old)");
                }
            }
        }
        if (!java.util.Objects.equals(was.dataplane(), now.dataplane())) {
            problems.add(file + ": [dataplane]: changed; this needs a restart");
        }
        if (!was.nvaService().equals(now.nvaService())) {
            problems.add(file + ": [nva]: where the NVA is changed; this needs a restart");
        }
        if (embedded != null && (!added.isEmpty() || !removed.isEmpty())) {
            problems.add(file + ": [[nva.vn]]: with [nva] embedded = true the VNs are imported once, at start; change"
                    + " them at the NVA (or restart with a new state file)");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }

        for (VnRecord v : removed) {
            changes.add("VN " + Integer.toUnsignedLong(v.id()) + " (" + v.alias() + ") removed");
            onEngine.add(() -> {
                // REQ-6: every TSI of the VN de-associated, every end device that knows the VN told (tsi.state events)
                engine[0].disconnectVn(new VnKey.Id(Integer.toUnsignedLong(v.id())), "VN removed from the configuration");
                nva.removeVn(v.id());
            });
        }
        for (VnRecord v : added) {
            changes.add("VN " + Integer.toUnsignedLong(v.id()) + " (" + v.alias() + ", VNI " + v.context() + ") added");
            onEngine.add(() -> {
                nva.addVn(v).orElseThrow();
                nva.permitTsi(TsiRule.anyOn(v.id()));
            });
        }
        boolean authorityChanged = was.allowUnauthenticated() != now.allowUnauthenticated()
                || !was.typeVns().equals(now.typeVns()) || was.plainVlans() != now.plainVlans();
        if (was.allowUnauthenticated() != now.allowUnauthenticated()) {
            changes.add("[auth] allow_unauthenticated " + was.allowUnauthenticated() + " -> " + now.allowUnauthenticated()
                    + " (for end devices that connect from now on)");
        }
        if (!was.typeVns().equals(now.typeVns())) {
            changes.add("[[nva.vsi_type]] " + was.typeVns() + " -> " + now.typeVns());
        }
        if (was.plainVlans() != now.plainVlans()) {
            changes.add("[nva] plain_vlans " + was.plainVlans() + " -> " + now.plainVlans());
        }
        if (!ringsEqual(oldRings, newRings)) {
            changes.add("[[auth.key]]: " + describe(oldRings) + " -> " + describe(newRings));
        }
        onEngine.add(() -> {
            keys.rings = Map.copyOf(newRings);
            if (authorityChanged || !ringsEqual(oldRings, newRings)) {
                keys.target = keys.authorityOf(nva, now);
            }
            // the live sessions take the new rings (a rotation step); a target whose keys are all gone keeps its own
            for (Map.Entry<String, HmacFrameAuthenticator> e : keys.live.entrySet()) {
                String[] ps = e.getKey().split("/", 2);
                KeyRing ring = keys.ringFor(Integer.parseInt(ps[0]), MacAddress.parse(ps[1]));
                if (ring != null && ring != e.getValue().keyRing()) {
                    e.getValue().setKeyRing(ring);
                }
            }
        });
        after.add(() -> settings = now);
        return new ReloadPlan(changes, onEngine, after);
    }

    private static Shared shared(NnveSettings s) {
        return new Shared(s.name(), s.extensionOui(), s.timers(), s.log(), s.lldp(), s.api());
    }

    /** "PORT/STATION" as the configuration says it. */
    private String target(String key) {
        String[] ps = key.split("/", 2);
        int port = Integer.parseInt(ps[0]);
        String where = port < 0 ? "any port" : "port " + settings.ports().get(port).label();
        return where + ", " + (ps[1].equals("null") ? "any station" : "station " + ps[1]);
    }

    private String describe(Map<String, KeyRing> rings) {
        if (rings.isEmpty()) {
            return "none";
        }
        List<String> out = new ArrayList<>();
        rings.forEach((k, r) -> out.add(target(k) + ": key IDs " + r.ids().stream().map(Integer::toUnsignedString).toList()
                + " (current " + Integer.toUnsignedString(r.currentId()) + ")"));
        return String.join(", ", out);
    }

    private static boolean ringsEqual(Map<String, KeyRing> a, Map<String, KeyRing> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, KeyRing> e : a.entrySet()) {
            KeyRing o = b.get(e.getKey());
            if (!e.getValue().ids().equals(o.ids()) || e.getValue().currentId() != o.currentId()) {
                return false;
            }
            for (int id : o.ids()) {
                if (!e.getValue().sameKey(id, o)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    protected void afterStop() {
        if (dataplane != null) {
            dataplane.close(); // the flows stay on the switch (fail-mode=secure): it forwards on them meanwhile (DP-6)
        }
        if (embedded != null) {
            embedded.close();
        }
        if (journal != null) {
            journal.close(); // what is queued is written first
        }
    }

    @Override
    protected void beforeStop() {
        try {
            int[] counts = runner.call(() -> new int[] {engine[0].peers().size(), engine[0].tsis().size()})
                    .get(2, TimeUnit.SECONDS);
            log.accept(new DaemonEvent.NnveState(counts[0], counts[1]));
        } catch (Exception e) {
            // the engine is gone or busy: nothing to report
        }
    }
}
