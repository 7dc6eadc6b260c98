package org.splitnve.sim.scenario;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.splitnve.nnve.Effect;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.NvaAuthority;
import org.splitnve.nnve.NvaEffects;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.NveId;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.auth.FrameAuthenticator;
import org.splitnve.protocol.auth.HmacFrameAuthenticator;
import org.splitnve.protocol.auth.KeyRing;
import org.splitnve.protocol.auth.Role;
import org.splitnve.protocol.event.RecordingSink;
import org.splitnve.sim.CapturedFrame;
import org.splitnve.sim.Host;
import org.splitnve.sim.scenario.SplitNveNet.NnveNode;
import org.splitnve.sim.scenario.SplitNveNet.TnveNode;
import org.splitnve.tnve.TnveConfig;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TnveEvent;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.VdpCodec;

/**
 * Security and identity scenarios on top of {@link SplitNveNet}: nNVEs whose end devices authenticate
 * (REQ-11, GAP-11) with {@link HmacFrameAuthenticator}s, tNVEs with fixed MACs and an authenticator per
 * uplink, scripted stations, and helpers to read the captured frames.
 */
final class SecureNet {
    final SplitNveNet net;
    /** The authenticator the nNVE made for each end device, by station MAC (for rotation). */
    final Map<MacAddress, HmacFrameAuthenticator> bridgeAuth = new HashMap<>();
    /** The authenticator of each tNVE's uplink, by tNVE name. */
    final Map<String, HmacFrameAuthenticator> stationAuth = new HashMap<>();
    private int randoms;

    SecureNet(long seed, double loss) {
        this.net = new SplitNveNet(seed, loss);
        net.sim.capture(true);
    }

    /** 32 octets of key material, distinct per seed. */
    static byte[] psk(int seed) {
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (seed * 31 + i * 7 + 1);
        }
        return k;
    }

    static KeyRing ring(int keyId, int seed) {
        return KeyRing.of(keyId, psk(seed));
    }

    /** A SecureRandom that gives the same nonces in every run (the scenario stays reproducible). */
    SecureRandom random() {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(net.sim.seed() * 1_000 + randoms++);
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
    NnveNode nnve(String name, int ports, KeyRing portKeys, Set<MacAddress> unauthenticated, NnveConfig.Limits limits) {
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
    interface PeerAuthenticators {
        FrameAuthenticator make(NnveNode nnve, int port, MacAddress station);
    }

    /** An nNVE whose authenticator for each end device is what {@code make} returns. */
    NnveNode nnve(String name, int ports, NnveConfig.Limits limits, PeerAuthenticators make) {
        AtomicReference<NnveNode> self = new AtomicReference<>();
        NnveConfig cfg = NnveConfig.simple(name, ports).withTimers(SplitNveNet.TIMERS).withLimits(limits)
                .withAuthenticators((port, station) -> make.make(self.get(), port, station));
        NnveNode n = net.nnve(cfg);
        self.set(n);
        return n;
    }

    /**
     * An nNVE like {@link #nnve}, on one port with a given MAC, that the NVA knows as {@code nveName}: started
     * again in place of another (a restart: new engine, new authenticators, same MAC and name), it takes over.
     */
    NnveNode nnveAt(String hostName, String nveName, MacAddress mac, KeyRing portKeys) {
        net.nva.permitEndDevice(EndDeviceRule.anyOn(NveId.of(nveName)));
        List<Effect> effects = new ArrayList<>();
        RecordingSink events = new RecordingSink(net.sim.eventSink(hostName));
        NnveConfig cfg = NnveConfig.simple(nveName, 1).withTimers(SplitNveNet.TIMERS).withAuthenticators((port, station) -> {
            HmacFrameAuthenticator a = new HmacFrameAuthenticator(Role.BRIDGE, mac, station, portKeys, events, random());
            bridgeAuth.put(station, a);
            return a;
        });
        NvaAuthority authority = new NvaAuthority(net.nva, nveName, Map.of(), true);
        Host h = net.sim.addHost(hostName, List.of(mac), io -> new NnveEngine(cfg, net.sim.clock(), io, authority,
                new NvaEffects(net.nva, nveName, events, effects::add), events, new SplittableRandom(hostName.hashCode())));
        return new NnveNode(hostName, h, h.agent(NnveEngine.class), effects, events);
    }

    /** A tNVE on {@code mac}, one uplink to the nNVE at {@code nnve}, authenticated with {@code keys} (null: none). */
    TnveNode tnve(String name, MacAddress mac, MacAddress nnve, KeyRing keys, FilterFormat filter) {
        RecordingSink events = new RecordingSink(net.sim.eventSink(name));
        HmacFrameAuthenticator auth = keys == null ? null
                : new HmacFrameAuthenticator(Role.STATION, mac, nnve, keys, events, random());
        if (auth != null) {
            stationAuth.put(name, auth);
        }
        TnveConfig cfg = new TnveConfig(name, List.of(new TnveConfig.Uplink("nnve", 0, nnve, nnve, filter, auth)), Map.of(),
                SplitNveNet.TIMERS, VdpCodec.DEFAULT_OUI, EnumSet.allOf(CapabilityTlv.Feature.class),
                ManagerId.ofText(name));
        Host h = net.sim.addHost(name, List.of(mac), io -> new TnveEngine(cfg, net.sim.clock(), io, events,
                new SplittableRandom(name.hashCode())));
        TnveEngine engine = h.agent(TnveEngine.class);
        List<TnveEvent> reported = new ArrayList<>();
        engine.addListener(reported::add);
        return new TnveNode(name, h, engine, reported, events);
    }

    /** A scripted ECP station on {@code mac} that talks to the nNVE at {@code nnve}. */
    ScriptStation station(String name, MacAddress mac, MacAddress nnve, Set<CapabilityTlv.Feature> features) {
        return station(name, mac, nnve, features, SplitNveNet.TIMERS);
    }

    /** As above, with its own ECP timers (more retries: a flood that ends the same on a lossy link). */
    ScriptStation station(String name, MacAddress mac, MacAddress nnve, Set<CapabilityTlv.Feature> features,
            Timers timers) {
        RecordingSink events = new RecordingSink(net.sim.eventSink(name));
        Host h = net.sim.addHost(name, List.of(mac), io -> new ScriptStation(io, net.sim.clock(), nnve, features,
                timers, events));
        return h.agent(ScriptStation.class);
    }

    /** Every captured ECP/VDP frame that decodes, sent by {@code source}, in the order sent (one per link hop). */
    List<Frame.Vdp> vdpFrom(MacAddress source, Predicate<CapturedFrame> which) {
        List<Frame.Vdp> out = new ArrayList<>();
        for (CapturedFrame c : net.sim.captured()) {
            if (source.equals(c.source()) && which.test(c) && c.decode() instanceof Frame.Vdp v) {
                out.add(v);
            }
        }
        return out;
    }

    /** The captured frames {@code source} sent on its own link (the first hop), in order. */
    List<CapturedFrame> sentBy(Host host) {
        List<CapturedFrame> out = new ArrayList<>();
        for (CapturedFrame c : net.sim.captured()) {
            if (c.from() == host) {
                out.add(c);
            }
        }
        return out;
    }

    static MacAddress mac(int n) {
        return new MacAddress(0x025E_0000_0000L | n);
    }
}
