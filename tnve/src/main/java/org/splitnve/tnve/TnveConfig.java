package org.splitnve.tnve;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.auth.FrameAuthenticator;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.VdpCodec;

/**
 * How a tNVE is set up.
 *
 * @param uplinks    the nNVEs this end device uses (REQ-3, REQ-4), each through one of its ports
 * @param placements which uplinks serve a VN, and how; a VN not listed uses the first uplink
 */
public record TnveConfig(String name, List<Uplink> uplinks, Map<Long, Placement> placements, Timers timers,
        int extensionOui, Set<CapabilityTlv.Feature> features, ManagerId managerId) {

    /**
     * One nNVE attachment.
     *
     * @param destination where VDP goes: the nNVE's unicast MAC, a non-reserved multicast group, or
     *                    the nearest-customer-bridge address (GAP-1, REQ-1)
     * @param nnve        the nNVE's MAC when known; else learned from its first frame
     * @param filter      the filter format requests use (group formats need group ID support on both sides)
     * @param auth        the frame authenticator for this nNVE, or null
     */
    public record Uplink(String name, int port, MacAddress destination, MacAddress nnve, FilterFormat filter,
            FrameAuthenticator auth) {
        public static Uplink to(String name, int port, MacAddress destination) {
            return new Uplink(name, port, destination, null, FilterFormat.GROUP_MAC_VID, null);
        }
    }

    public enum Mode {
        /** One uplink active per VN, the others standing by; fail-over when the active one is lost (REQ-3). */
        ACTIVE_STANDBY,
        /** Every uplink at once, the state kept consistent on all (REQ-4, GAP-UPLINK). */
        ACTIVE_ACTIVE
    }

    public record Placement(Mode mode, List<String> uplinks) {
        public Placement {
            uplinks = List.copyOf(uplinks);
            if (uplinks.isEmpty()) {
                throw new IllegalArgumentException("a placement names at least one uplink");
            }
        }
    }

    public TnveConfig {
        uplinks = List.copyOf(uplinks);
        placements = Map.copyOf(placements);
        features = Set.copyOf(features);
        if (uplinks.isEmpty()) {
            throw new IllegalArgumentException("a tNVE needs at least one uplink");
        }
    }

    public static TnveConfig simple(String name, MacAddress destination) {
        return new TnveConfig(name, List.of(Uplink.to("nnve", 0, destination)), Map.of(), new Timers(3, 8, 20, 20),
                VdpCodec.DEFAULT_OUI, EnumSet.allOf(CapabilityTlv.Feature.class), ManagerId.ofText(name));
    }

    public TnveConfig withUplinks(List<Uplink> u, Map<Long, Placement> p) {
        return new TnveConfig(name, u, p, timers, extensionOui, features, managerId);
    }

    public TnveConfig withTimers(Timers t) {
        return new TnveConfig(name, uplinks, placements, t, extensionOui, features, managerId);
    }

    public TnveConfig withFeatures(Set<CapabilityTlv.Feature> f) {
        return new TnveConfig(name, uplinks, placements, timers, extensionOui, f, managerId);
    }
}
