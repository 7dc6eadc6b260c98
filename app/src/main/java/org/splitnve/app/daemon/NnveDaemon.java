package org.splitnve.app.daemon;

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
import org.splitnve.app.api.DaemonMetrics;
import org.splitnve.app.api.NnveApi;
import org.splitnve.app.config.ConfigException;
import org.splitnve.app.config.NnveSettings;
import org.splitnve.nnve.Authority;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.NvaAuthority;
import org.splitnve.nnve.NvaEffects;
import org.splitnve.nnve.Vn;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.InMemoryNva;
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
public final class NnveDaemon extends Daemon {
    private final NnveSettings settings;
    private final InMemoryNva nva;
    private final NnveEngine[] engine;

    private NnveDaemon(NnveSettings settings, EventLog log, AgentRunner<PortAgent> runner, DaemonMetrics metrics,
            InMemoryNva nva, NnveEngine[] engine) {
        super(log, runner, metrics);
        this.settings = settings;
        this.nva = nva;
        this.engine = engine;
    }

    /** The engine: call it only on the engine thread ({@link AgentRunner#call}). */
    public NnveEngine engine() {
        return engine[0];
    }

    public InMemoryNva nva() {
        return nva;
    }

    public NnveSettings settings() {
        return settings;
    }

    /** {@code splitnve nnve --config FILE}: 0 after a clean stop, 1 when a port cannot open, 2 on a configuration error. */
    public static int main(Path config, PrintStream out, PrintStream err) {
        NnveSettings s;
        try {
            s = NnveSettings.load(config);
        } catch (ConfigException e) {
            return configError(e.problems(), err);
        }
        NnveDaemon d;
        try {
            d = start(s, config.toString(), out);
        } catch (IOException | RuntimeException e) {
            return startFailure("nnve", e, err);
        }
        return runUntilSignal(d);
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
        HttpServer bound = bindApi(s.api());
        List<InterfaceLock> locks = new ArrayList<>();
        List<Port> ports = openLocked(where, groups, bound, "nnve " + s.name() + " (" + configName + ")", locks);
        return start(s, configName, out, ports, bound, locks);
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
        return start(s, configName, out, ports, bound, List.of());
    }

    private static NnveDaemon start(NnveSettings s, String configName, PrintStream out, List<Port> ports,
            HttpServer bound, List<InterfaceLock> locks) {
        if (ports.size() != s.ports().size()) {
            release(ports, bound, locks);
            throw new IllegalArgumentException(s.ports().size() + " ports configured, " + ports.size() + " given");
        }
        EventLog log = new EventLog(s.name(), s.log(), out);
        DaemonMetrics metrics = metricsFor(log, "nnve");
        List<NnveConfig.PortConfig> portConfigs = new ArrayList<>();
        for (NnveSettings.PortSettings p : s.ports()) {
            portConfigs.add(new NnveConfig.PortConfig(p.scope(), p.tags(), p.multicast()));
        }

        InMemoryNva nva = new InMemoryNva();
        for (VnRecord vn : s.vns()) {
            nva.addVn(vn).orElseThrow();
            nva.permitTsi(TsiRule.anyOn(vn.id()));
        }
        nva.permitEndDevice(EndDeviceRule.anyOn(NveId.of(s.name())));

        Map<String, KeyRing> rings = new LinkedHashMap<>();
        for (NnveSettings.KeySettings k : s.keys()) {
            String target = k.port() + "/" + k.station();
            KeyRing r = rings.get(target);
            rings.put(target, r == null ? KeyRing.of(k.id(), k.material()) : r.withKey(k.id(), k.material()));
        }
        MacAddress[] macs = ports.stream().map(Port::mac).toArray(MacAddress[]::new);
        java.util.function.BiFunction<Integer, MacAddress, KeyRing> ringFor = (port, station) -> {
            for (String target : List.of(port + "/" + station, "-1/" + station, port + "/null")) {
                if (rings.containsKey(target)) {
                    return rings.get(target);
                }
            }
            return null;
        };
        java.util.function.BiFunction<Integer, MacAddress, FrameAuthenticator> authenticators = (port, station) -> {
            KeyRing ring = ringFor.apply(port, station);
            return ring == null ? null : new HmacFrameAuthenticator(Role.BRIDGE, macs[port], station, ring, log);
        };
        Authority nvaAuthority = new NvaAuthority(nva, s.name(), s.typeVns(), s.plainVlans());
        Authority authority = s.allowUnauthenticated() ? nvaAuthority
                : requireKeys(nvaAuthority, (port, station) -> ringFor.apply(port, station) != null);

        EnumSet<CapabilityTlv.Feature> features = EnumSet.allOf(CapabilityTlv.Feature.class);
        NnveConfig cfg = new NnveConfig(s.name(), portConfigs, s.timers(), s.extensionOui(), features,
                s.limits(), ManagerId.ofText(s.name()), authenticators);
        NnveEngine[] engine = new NnveEngine[1];
        AgentRunner<PortAgent> runner;
        try {
            runner = AgentRunner.builder(s.name()).ports(ports).events(log).build(io -> {
                engine[0] = new NnveEngine(cfg, Clock.system(), io, authority,
                        new NvaEffects(nva, s.name(), log, e -> { }), log, new SecureRandom());
                if (!s.lldp().enabled()) {
                    return metrics.timed(engine[0]);
                }
                return metrics.timed(new LldpAgent<>(engine[0], io, Clock.system(), s.extensionOui(), EvbMode.BRIDGE, s.timers(),
                        true, CapabilityTlv.of(features).withLimits(cfg.limits().advertised()), s.lldp().ttl(),
                        intervalNanos(s.lldp()), log));
            });
        } catch (RuntimeException e) {
            release(ports, bound, locks);
            throw e;
        }
        NnveDaemon d = new NnveDaemon(s, log, runner, metrics, nva, engine);
        d.holdLocks(locks);
        runner.start();
        log.accept(new DaemonEvent.Started("nnve", configName, ports.stream().map(Port::name).toList(), s.timers(),
                s.lldp().enabled()));
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
        };
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
