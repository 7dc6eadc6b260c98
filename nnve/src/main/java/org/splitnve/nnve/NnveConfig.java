package org.splitnve.nnve;

import java.util.BitSet;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.auth.FrameAuthenticator;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.VdpCodec;

/**
 * How an nNVE is set up.
 *
 * @param name           the nNVE's name in logs and in the NVA
 * @param ports          one entry per port, index = port number
 * @param timers         this side's EVB timer exponents; max(own, peer) is used
 * @param extensionOui   OUI of the splitnve extension TLVs
 * @param features       extensions offered (used only where the peer offers them too)
 * @param limits         per-peer resource limits (SEC-4)
 * @param managerId      Manager ID put in the nNVE's own requests
 * @param authenticators per (port, station): the frame authenticator, or null where the port accepts
 *                       unauthenticated standard peers (implicit authentication, RFC 8394 section 6)
 */
public record NnveConfig(String name, List<PortConfig> ports, Timers timers, int extensionOui,
        Set<CapabilityTlv.Feature> features, Limits limits, ManagerId managerId,
        BiFunction<Integer, MacAddress, FrameAuthenticator> authenticators) {

    /**
     * One port of the nNVE: its port scope, its local tags and an extra multicast group.
     *
     * @param scope     the port scope: ports sharing a scope share local tags (REQ-7)
     * @param tagPool   the VIDs this scope hands out
     * @param multicast a non-reserved multicast group this port also accepts VDP on (GAP-1), or null
     */
    public record PortConfig(String scope, BitSet tagPool, MacAddress multicast) {
        public static PortConfig of(String scope) {
            return new PortConfig(scope, LocalTagPool.range(1, 4094), null);
        }
    }

    /**
     * Per-peer and per-port limits: one bad station cannot exhaust the nNVE (SEC-4, SEC-5). Each is checked
     * before the resource is taken; reaching it refuses that end device (reason 2, insufficient resources). The
     * nNVE advertises the first three in its capability TLV (docs/protocol.md 5.1.1) so end devices refuse at once
     * what it would refuse (OPS-3).
     *
     * @param tsisPerPeer             TSIs one end device may hold
     * @param vnsPerPeer              VNs one end device may use
     * @param addressesPerTsi         addresses of one TSI, and addresses one change may name
     * @param fragmentsPerChange      address fragments staged for one TSI's change before its LAST fragment
     * @param fragmentOctetsPerChange their octets (TLV bodies)
     * @param fragmentsPerPeer        address fragments one end device may have staged, every TSI together
     * @param fragmentOctetsPerPeer   their octets
     * @param fragmentOctetsPerPort   octets staged by every end device behind one port together
     * @param responsesPerPeer        answers waiting to be sent to one end device (it does not acknowledge):
     *                                beyond, its requests are dropped unprocessed
     * @param tagsPerPeer             local tags one end device may make the nNVE reserve (VN connect, or a
     *                                TSI's VN)
     * @param tagsPerPort             local tags the end devices behind one port may make it reserve together
     */
    public record Limits(int tsisPerPeer, int vnsPerPeer, int addressesPerTsi, int fragmentsPerChange,
            int fragmentOctetsPerChange, int fragmentsPerPeer, int fragmentOctetsPerPeer, int fragmentOctetsPerPort,
            int responsesPerPeer, int tagsPerPeer, int tagsPerPort) {
        public static final Limits DEFAULT = new Limits(100_000, 4094, 4096);

        public Limits {
            int[] all = {tsisPerPeer, vnsPerPeer, addressesPerTsi, fragmentsPerChange, fragmentOctetsPerChange,
                fragmentsPerPeer, fragmentOctetsPerPeer, fragmentOctetsPerPort, responsesPerPeer, tagsPerPeer,
                tagsPerPort};
            for (int v : all) {
                if (v < 1) {
                    throw new IllegalArgumentException("every limit is at least 1: " + java.util.Arrays.toString(all));
                }
            }
        }

        /** These three, the others at their defaults (docs/configuration.md, [limits]). */
        public Limits(int tsisPerPeer, int vnsPerPeer, int addressesPerTsi) {
            this(tsisPerPeer, vnsPerPeer, addressesPerTsi, 64, 96 * 1024, 256, 192 * 1024, 1024 * 1024, 8192, 512,
                    2048);
        }

        public Limits withFragments(int perChange, int octetsPerChange, int perPeer, int octetsPerPeer,
                int octetsPerPort) {
            return new Limits(tsisPerPeer, vnsPerPeer, addressesPerTsi, perChange, octetsPerChange, perPeer,
                    octetsPerPeer, octetsPerPort, responsesPerPeer, tagsPerPeer, tagsPerPort);
        }

        public Limits withResponsesPerPeer(int n) {
            return new Limits(tsisPerPeer, vnsPerPeer, addressesPerTsi, fragmentsPerChange, fragmentOctetsPerChange,
                    fragmentsPerPeer, fragmentOctetsPerPeer, fragmentOctetsPerPort, n, tagsPerPeer, tagsPerPort);
        }

        /** As the capability TLV carries them. */
        public List<CapabilityTlv.Limit> advertised() {
            return List.of(new CapabilityTlv.Limit(CapabilityTlv.Limit.ADDRESSES_PER_TSI, addressesPerTsi),
                    new CapabilityTlv.Limit(CapabilityTlv.Limit.TSIS_PER_PEER, tsisPerPeer),
                    new CapabilityTlv.Limit(CapabilityTlv.Limit.VNS_PER_PEER, vnsPerPeer));
        }

        public Limits withTags(int perPeer, int perPort) {
            return new Limits(tsisPerPeer, vnsPerPeer, addressesPerTsi, fragmentsPerChange, fragmentOctetsPerChange,
                    fragmentsPerPeer, fragmentOctetsPerPeer, fragmentOctetsPerPort, responsesPerPeer, perPeer, perPort);
        }
    }

    public NnveConfig {
        ports = List.copyOf(ports);
        features = Set.copyOf(features);
    }

    /** A configuration for {@code n} ports, each its own scope, every extension offered, no authentication. */
    public static NnveConfig simple(String name, int n) {
        List<PortConfig> ports = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            ports.add(PortConfig.of(name + "/" + i));
        }
        return new NnveConfig(name, ports, new Timers(3, 8, 20, 20), VdpCodec.DEFAULT_OUI,
                EnumSet.allOf(CapabilityTlv.Feature.class), Limits.DEFAULT, ManagerId.ofText(name), (p, m) -> null);
    }

    public NnveConfig withTimers(Timers t) {
        return new NnveConfig(name, ports, t, extensionOui, features, limits, managerId, authenticators);
    }

    public NnveConfig withFeatures(Set<CapabilityTlv.Feature> f) {
        return new NnveConfig(name, ports, timers, extensionOui, f, limits, managerId, authenticators);
    }

    public NnveConfig withLimits(Limits l) {
        return new NnveConfig(name, ports, timers, extensionOui, features, l, managerId, authenticators);
    }

    public NnveConfig withPorts(List<PortConfig> p) {
        return new NnveConfig(name, p, timers, extensionOui, features, limits, managerId, authenticators);
    }

    public NnveConfig withAuthenticators(BiFunction<Integer, MacAddress, FrameAuthenticator> a) {
        return new NnveConfig(name, ports, timers, extensionOui, features, limits, managerId, a);
    }
}
