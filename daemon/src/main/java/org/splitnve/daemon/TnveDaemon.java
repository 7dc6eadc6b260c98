package org.splitnve.daemon;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.splitnve.config.ConfigException;
import org.splitnve.daemon.config.TnveSettings;
import org.splitnve.daemon.http.TnveApi;
import org.splitnve.daemon.log.DaemonEvent;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.daemon.metrics.DaemonMetrics;
import org.splitnve.daemon.state.VmStore;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.auth.HmacFrameAuthenticator;
import org.splitnve.protocol.auth.KeyRing;
import org.splitnve.protocol.auth.Role;
import org.splitnve.protocol.lldp.LldpAgent;
import org.splitnve.tnve.TnveConfig;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.Vm;
import org.splitnve.transport.AgentRunner;
import org.splitnve.transport.InterfaceLock;
import org.splitnve.transport.Port;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.lldp.EvbMode;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.ManagerId;

/**
 * {@code splitnve tnve --config FILE}: the hypervisor agent (VDP station) on raw Ethernet, one uplink
 * per nNVE. It keeps its VMs in its state directory ({@link VmStore}) and stops without a De-Associate:
 * restarted, also after SIGKILL, it takes its VMs over and announces their TSIs again, which the nNVE
 * kept across the restart (REL-1).
 */
public final class TnveDaemon extends Daemon implements TnveApi.Backend {
    /** The configuration in effect: the one started with, or the last one reloaded (OPS-5). */
    private volatile TnveSettings settings;
    private final TnveEngine[] engine;
    private final LldpAgent<?>[] lldp;
    /** The frame authenticator of each uplink that has a key (the engine thread's). */
    private final Map<String, HmacFrameAuthenticator> authenticators;
    private final VmStore store;
    /** The hypervisor's Open vSwitch bridge's programming ([dataplane], DP-4), else null. */
    private final TnveDataplane dataplane;

    private TnveDaemon(TnveSettings settings, EventLog log, AgentRunner<PortAgent> runner, DaemonMetrics metrics,
            TnveEngine[] engine, LldpAgent<?>[] lldp, Map<String, HmacFrameAuthenticator> authenticators,
            VmStore store, TnveDataplane dataplane) {
        super(log, runner, metrics);
        this.settings = settings;
        this.engine = engine;
        this.lldp = lldp;
        this.authenticators = authenticators;
        this.store = store;
        this.dataplane = dataplane;
    }

    /**
     * [dataplane]: the switch agent programming the hypervisor's bridge, if any (its counters: connects, applied,
     * synced).
     */
    public java.util.Optional<org.splitnve.dataplane.SwitchAgent> switchAgent() {
        return dataplane == null ? java.util.Optional.empty() : java.util.Optional.of(dataplane.agent());
    }

    /**
     * [dataplane]: completes with true when the hypervisor's bridge holds the flows of the TSIs' and VMs' state as of
     * the call (false without a data plane).
     */
    public java.util.concurrent.CompletableFuture<Boolean> dataplaneInstalled() {
        return runner.call(() -> dataplane != null && dataplane.installed());
    }

    /** [dataplane]: the model last handed to the switch agent, if any. */
    public java.util.concurrent.CompletableFuture<java.util.Optional<org.splitnve.dataplane.HypervisorState>>
            dataplaneModel() {
        return runner.call(() -> java.util.Optional.ofNullable(dataplane == null ? null : dataplane.state()));
    }

    /** Where the VMs are kept (REL-1). */
    @Override
    public VmStore store() {
        return store;
    }

    /** The key ring of each uplink with keys (the first key listed is current). */
    static Map<String, KeyRing> rings(TnveSettings s) {
        Map<String, KeyRing> rings = new LinkedHashMap<>();
        for (TnveSettings.KeySettings k : s.keys()) {
            KeyRing r = rings.get(k.uplink());
            rings.put(k.uplink(), r == null ? KeyRing.of(k.id(), k.material()) : r.withKey(k.id(), k.material()));
        }
        return rings;
    }

    /** The engine: call it only on the engine thread ({@link AgentRunner#call}). */
    @Override
    public TnveEngine engine() {
        return engine[0];
    }

    @Override
    public TnveSettings settings() {
        return settings;
    }

    /** {@code splitnve tnve --config FILE}: 0 after a clean stop, 1 when a port cannot open, 2 on a configuration error. */
    public static int main(Path config, PrintStream out, PrintStream err) {
        return main("tnve", config, out, err, TnveSettings::load, TnveDaemon::start);
    }

    /**
     * OPS-4: binds the HTTP API, opens the configured interfaces (raw Ethernet) and takes their locks, then
     * builds and starts the engine (whose hello is the first frame): whatever can fail fails before it.
     */
    public static TnveDaemon start(TnveSettings s, String configName, PrintStream out) throws IOException {
        List<String[]> where = new ArrayList<>();
        for (String label : portLabels(s)) {
            for (TnveSettings.UplinkSettings u : s.uplinks()) {
                if (u.portLabel().equals(label)) {
                    where.add(new String[] {u.namespace(), u.iface()});
                    break;
                }
            }
        }
        List<List<MacAddress>> groups = where.stream().map(w -> List.<MacAddress>of()).toList();
        VmStore store = VmStore.open(s.stateDir());   // before the interfaces (OPS-4): nothing is sent without it
        HttpServer bound;
        List<InterfaceLock> locks = new ArrayList<>();
        List<Port> ports;
        try {
            bound = bindApi(s.api());
            ports = openLocked(where, groups, bound, "tnve " + s.name() + " (" + configName + ")", locks);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return start(s, configName, out, ports, bound, locks, store);
    }

    /** The distinct ports of the uplinks (namespace/interface), in order of first use: one {@link Port} each. */
    public static List<String> portLabels(TnveSettings s) {
        return s.uplinks().stream().map(TnveSettings.UplinkSettings::portLabel).distinct().toList();
    }

    /**
     * Builds and starts the engine on ports already open, one per {@link #portLabels} entry in order (raw
     * ports, or in-memory links for the demo without root and for tests). The daemon closes them. The VMs
     * of the state directory are taken over before the API serves (REL-1); a state directory that cannot
     * be created, written or locked stops the start (an {@link UncheckedIOException}), before any frame.
     */
    public static TnveDaemon start(TnveSettings s, String configName, PrintStream out, List<Port> ports) {
        HttpServer bound;
        try {
            bound = bindApi(s.api());
        } catch (RuntimeException e) {
            ports.forEach(Port::close);
            throw e;
        }
        VmStore store;
        try {
            store = VmStore.open(s.stateDir());
        } catch (IOException e) {
            release(ports, bound, List.of());
            throw new UncheckedIOException(e.getMessage(), e);
        }
        return start(s, configName, out, ports, bound, List.of(), store);
    }

    private static TnveDaemon start(TnveSettings s, String configName, PrintStream out, List<Port> ports,
            HttpServer bound, List<InterfaceLock> locks, VmStore store) {
        List<String> labels = portLabels(s);
        if (ports.size() != labels.size()) {
            release(ports, bound, locks);
            store.close();
            throw new IllegalArgumentException(labels.size() + " ports configured, " + ports.size() + " given");
        }
        VmStore.Loaded loaded;
        try {
            loaded = store.load();
        } catch (IOException e) {
            release(ports, bound, locks);
            store.close();
            throw new UncheckedIOException("state directory " + s.stateDir() + ": cannot read it: " + e, e);
        }
        EventLog log = new EventLog(s.name(), s.log(), out);
        DaemonMetrics metrics = metricsFor(log, "tnve");
        Map<String, Integer> portOf = new LinkedHashMap<>();
        for (String label : labels) {
            portOf.put(label, portOf.size());
        }
        Map<String, KeyRing> rings = rings(s);
        Map<String, HmacFrameAuthenticator> authenticators = new LinkedHashMap<>();
        List<TnveConfig.Uplink> uplinks = new ArrayList<>();
        for (TnveSettings.UplinkSettings u : s.uplinks()) {
            int port = portOf.get(u.portLabel());
            KeyRing ring = rings.get(u.name());
            HmacFrameAuthenticator auth = ring == null ? null
                    : new HmacFrameAuthenticator(Role.STATION, ports.get(port).mac(), u.nnve(), ring, log);
            if (auth != null) {
                authenticators.put(u.name(), auth);
            }
            uplinks.add(new TnveConfig.Uplink(u.name(), port, u.destination(), u.nnve(), u.filter(), auth));
        }
        EnumSet<CapabilityTlv.Feature> features = EnumSet.allOf(CapabilityTlv.Feature.class);
        TnveConfig cfg = new TnveConfig(s.name(), uplinks, s.placements(), s.timers(), s.extensionOui(), features,
                ManagerId.ofText(s.name()));
        TnveEngine[] engine = new TnveEngine[1];
        LldpAgent<?>[] lldp = new LldpAgent<?>[1];
        TnveDataplane dataplane = s.dataplane() == null ? null : new TnveDataplane(s.dataplane(), s.uplinks(), log);
        AgentRunner<PortAgent> runner;
        TnveDaemon[] self = new TnveDaemon[1];
        try {
            runner = AgentRunner.builder(s.name()).ports(ports).events(log).onFatal(e -> {
                if (self[0] != null) {
                    self[0].fatal("the engine thread", e);
                }
            }).build(io -> {
                engine[0] = new TnveEngine(cfg, Clock.system(), io, log, new SecureRandom());
                if (dataplane != null) {
                    engine[0].addListener(dataplane::onEvent);
                }
                if (!s.lldp().enabled()) {
                    return withTestHook(metrics.timed(engine[0]));
                }
                LldpAgent<TnveEngine> agent = new LldpAgent<>(engine[0], io, Clock.system(), s.extensionOui(),
                        EvbMode.STATION, s.timers(), true, CapabilityTlv.of(features), s.lldp().ttl(),
                        intervalNanos(s.lldp()), log);
                // the nNVE's operator sees this hypervisor's name and uplink interface (`splitnve show peers`)
                agent.describe(s.name(), p -> ports.get(p).name());
                lldp[0] = agent;
                return withTestHook(metrics.timed(agent));
            });
        } catch (RuntimeException e) {
            release(ports, bound, locks);
            store.close();
            throw e;
        }
        TnveDaemon d = new TnveDaemon(s, log, runner, metrics, engine, lldp, Map.copyOf(authenticators), store, dataplane);
        self[0] = d;
        d.holdLocks(locks);
        runner.start();
        log.accept(new DaemonEvent.Started("tnve", configName, ports.stream().map(Port::name).toList(), s.timers(),
                s.lldp().enabled()));
        java.util.concurrent.CompletableFuture<Void> adopted = d.adopt(loaded);
        if (dataplane != null) {
            dataplane.start(runner, engine, adopted);
        }
        d.startApi(bound, s.api(), TnveApi.routes(d), () -> TnveApi.scrape(d));
        return d;
    }

    /**
     * OPS-5: the tNVE's reload. Takes effect: the uplinks' keys (rotation under the running sessions,
     * docs/protocol.md 5.9), plus what {@link #planShared} applies. Needs a restart: the uplinks, the placements,
     * and an uplink gaining or losing authentication altogether.
     */
    @Override
    protected ReloadPlan plan(Path config) throws ConfigException {
        TnveSettings was = settings;
        TnveSettings now = TnveSettings.load(config);
        String file = config.toString();
        List<String> problems = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        List<Runnable> onEngine = new ArrayList<>();
        List<Runnable> after = new ArrayList<>();
        planShared(file, new Shared(was.name(), was.extensionOui(), was.timers(), was.log(), was.lldp(), was.api()),
                new Shared(now.name(), now.extensionOui(), now.timers(), now.log(), now.lldp(), now.api()), lldp[0],
                problems, changes, onEngine, after);
        if (!was.uplinks().equals(now.uplinks())) {
            problems.add(file + ": [[uplink]]: the uplinks changed; this needs a restart");
        }
        if (!java.util.Objects.equals(was.dataplane(), now.dataplane())) {
            problems.add(file + ": [dataplane]: changed; this needs a restart");
        }
        if (!was.placements().equals(now.placements())) {
            problems.add(file + ": [[placement]]: the placements changed; this needs a restart");
        }
        Map<String, KeyRing> oldRings = rings(was);
        if (!was.stateDir().equals(now.stateDir())) {
            problems.add(file + ": [state] dir: changed (" + was.stateDir() + " -> " + now.stateDir()
                    + "); the state directory is opened and locked at start: this needs a restart");
        }
        Map<String, KeyRing> newRings = rings(now);
        if (!oldRings.keySet().equals(newRings.keySet())) {
            problems.add(file + ": [[auth.key]]: the uplinks with keys changed (" + oldRings.keySet() + " -> "
                    + newRings.keySet() + "); authentication is set up when an uplink starts: this needs a restart");
        }
        for (Map.Entry<String, KeyRing> e : newRings.entrySet()) {
            KeyRing old = oldRings.get(e.getKey());
            if (old == null) {
                continue;
            }
            for (int id : e.getValue().ids()) {
                if (old.accepts(id) && !old.sameKey(id, e.getValue())) {
                    problems.add(file + ": [[auth.key]] uplink = \"" + e.getKey() + "\" id = " + Integer.toUnsignedLong(id)
                            + ": its key material changed; a new key needs a new ID (add it, switch, retire the old)");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        for (Map.Entry<String, KeyRing> e : newRings.entrySet()) {
            KeyRing old = oldRings.get(e.getKey());
            if (!old.ids().equals(e.getValue().ids()) || old.currentId() != e.getValue().currentId()) {
                changes.add("uplink " + e.getKey() + " keys: " + ids(old) + " -> " + ids(e.getValue()));
                HmacFrameAuthenticator a = authenticators.get(e.getKey());
                KeyRing ring = e.getValue();
                onEngine.add(() -> a.setKeyRing(ring));
            }
        }
        after.add(() -> settings = now);
        return new ReloadPlan(changes, onEngine, after);
    }

    private static String ids(KeyRing r) {
        return "IDs " + r.ids().stream().map(Integer::toUnsignedString).toList() + " (current "
                + Integer.toUnsignedString(r.currentId()) + ")";
    }

    /**
     * REL-1: takes over the recorded VMs on the engine thread, before the API serves: each in its state,
     * its TSIs announced again in the state they were in (the nNVE kept them: nothing changes there). A
     * record that is unreadable, or whose VM name or TSI IDs another record has already, is logged and
     * skipped. Answers a future that completes when every announcement was answered (or given up).
     */
    private java.util.concurrent.CompletableFuture<Void> adopt(VmStore.Loaded loaded) {
        for (VmStore.Problem p : loaded.problems()) {
            log.accept(new DaemonEvent.StateUnreadable(p.file().toString(), p.reason()));
        }
        List<VmStore.VmRecord> records = new ArrayList<>();
        java.util.Set<org.splitnve.wire.vdp.VsiId> ids = new java.util.HashSet<>();
        int unreadable = loaded.problems().size();
        int tsis = 0;
        for (VmStore.VmRecord r : loaded.records()) {
            org.splitnve.wire.vdp.VsiId dup = null;
            for (org.splitnve.tnve.TsiSpec t : r.tsis()) {
                if (ids.contains(t.id())) {
                    dup = t.id();
                }
            }
            if (dup != null) {
                unreadable++;
                log.accept(new DaemonEvent.StateUnreadable(store.dir().resolve("vms").resolve(VmStore.fileName(r.name()))
                        .toString(), "TSI " + dup + " belongs to another recorded VM as well"));
                continue;
            }
            r.tsis().forEach(t -> ids.add(t.id()));
            tsis += r.tsis().size();
            records.add(r);
        }
        log.accept(new DaemonEvent.StateLoaded(store.dir().toString(), records.size(), tsis, unreadable));
        if (records.isEmpty()) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        try {
            return runner.call(() -> {
                List<java.util.concurrent.CompletableFuture<?>> answered = new ArrayList<>();
                for (VmStore.VmRecord r : records) {
                    java.util.concurrent.CompletableFuture<Void> a = engine[0].adopt(r.name(), r.tsis(), r.state(),
                            r.announce(), r.migration()).thenAccept(res -> log.accept(new DaemonEvent.VmAdopted(r.name(),
                                    r.state().name(), r.announce().name(), r.tsis().size(), res.ok(),
                                    res.ok() ? "" : res.code() + " " + res.detail())));
                    log.logFailure("adopting VM " + r.name(), a);
                    answered.add(a);
                }
                // a CompletionStage: not a future of a future (Error Prone FutureReturnValueIgnored)
                return (java.util.concurrent.CompletionStage<Void>) java.util.concurrent.CompletableFuture.allOf(
                        answered.toArray(java.util.concurrent.CompletableFuture[]::new));
            }).get(30, TimeUnit.SECONDS).toCompletableFuture();
        } catch (Exception e) {
            stop("the recorded VMs cannot be taken over: " + e);
            throw new IllegalStateException("the recorded VMs cannot be taken over: " + e, e);
        }
    }

    @Override
    protected void beforeStop() {
        int vms = -1;
        int tsis = -1;
        try {
            int[] c = runner.call(() -> {
                int n = 0;
                for (Vm vm : engine[0].vms()) {
                    n += vm.tsis().size();
                }
                return new int[] {engine[0].vms().size(), n};
            }).get(2, TimeUnit.SECONDS);
            vms = c[0];
            tsis = c[1];
        } catch (Exception e) {
            // the engine is gone or busy: the counts stay unknown (-1)
        }
        log.accept(new DaemonEvent.TsisKept(vms, tsis, "no De-Associate sent: the nNVE keeps these TSIs across a short"
                + " restart (session epoch); a restarted tNVE takes them over from " + store.dir()
                + " and announces them again"));
    }

    @Override
    protected void afterStop() {
        if (dataplane != null) {
            dataplane.close(); // the flows stay on the switch (fail-mode=secure)
        }
        store.close();
    }
}
