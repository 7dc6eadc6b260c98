package org.splitnve.dataplane;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * What one nNVE's switch must do, as data: the model {@link Pipeline#flows} turns into flows. Built from the nNVE
 * engine's TSIs and the NVA's view of the other NVEs; a pure value, so the flows are a pure function of it.
 *
 * @param tunnelPort the OpenFlow port number of the flow-based VXLAN port ({@code options:remote_ip=flow key=flow})
 * @param vns        the VNs this nNVE serves, with their VNIs
 * @param tsis       the TSIs on this nNVE's ports (every state: the pipeline admits only the Activated ones)
 * @param remotes    the other NVEs, their underlay (VTEP) addresses and the addresses they serve
 */
public record DataplaneState(int tunnelPort, List<Vn> vns, List<Tsi> tsis, List<RemoteNve> remotes) {
    public DataplaneState {
        vns = List.copyOf(vns);
        tsis = List.copyOf(tsis);
        remotes = List.copyOf(remotes);
    }

    /** A virtual network and its VXLAN network identifier (24 bits, RFC 7348). */
    public record Vn(String name, int vni) {
        public Vn {
            Objects.requireNonNull(name);
            if (vni < 0 || vni > 0xffffff) {
                throw new IllegalArgumentException("VNI " + vni + " is not 24 bits");
            }
        }
    }

    /**
     * The TSI states that matter to the data plane (SM-TSI-1): only ACTIVATED and ARRIVED pass traffic.
     * <ul>
     * <li>ARRIVING (DP-5, LC-MIGRATE): associated at a live migration's destination, not activated yet: blocked, its
     * frames go to the nNVE (OpenFlow packet-in) and nothing else; the first one unblocks it.</li>
     * <li>ARRIVED (DP-5): a migration's destination unblocked by its first frame, or activated while the source
     * instance is still Activated (make-before-break): it passes like ACTIVATED, and frames to its MACs go to it rather
     * than to another instance of the same TSI on this nNVE.</li>
     * </ul>
     */
    public enum TsiState {
        ASSOCIATED, ACTIVATED, ARRIVING, ARRIVED;

        /** Whether frames from and to the TSI pass. */
        public boolean passes() {
            return this == ACTIVATED || this == ARRIVED;
        }
    }

    /**
     * One TSI address: a MAC and the IPs the TSI declared with it (none: MAC only, no IP source guard). {@code held}:
     * this address was deactivated while the TSI stays Activated (REQ-8, REQ-9): it passes nothing.
     */
    public record Address(long mac, List<InetAddress> ips, boolean held) {
        public Address {
            ips = List.copyOf(ips);
            if (mac < 0 || mac > 0xffffffffffffL) {
                throw new IllegalArgumentException("MAC " + Long.toHexString(mac) + " is not 48 bits");
            }
        }

        public Address(long mac, List<InetAddress> ips) {
            this(mac, ips, false);
        }
    }

    /** A TSI instance on nNVE port {@code port} (OpenFlow number) with local tag {@code tag} in VN {@code vn}. */
    public record Tsi(String id, int port, int tag, String vn, TsiState state, List<Address> addresses) {
        public Tsi {
            addresses = List.copyOf(addresses);
            if (tag < 1 || tag > 4094) {
                throw new IllegalArgumentException("local tag " + tag + " is not a VLAN ID (1-4094)");
            }
        }
    }

    /** A MAC (and its IPs) the NVA says another NVE serves in VN {@code vn}. */
    public record RemoteAddress(String vn, long mac, List<InetAddress> ips) {
        public RemoteAddress {
            ips = List.copyOf(ips);
        }
    }

    /** Another NVE: its underlay address, the VNs it serves (BUM replication) and the addresses behind it. */
    public record RemoteNve(String id, Inet4Address vtep, List<String> vns, List<RemoteAddress> addresses) {
        public RemoteNve {
            vns = List.copyOf(vns);
            addresses = List.copyOf(addresses);
        }
    }
}
