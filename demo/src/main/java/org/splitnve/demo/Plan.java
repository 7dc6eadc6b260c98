package org.splitnve.demo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * The demo's Split-NVE, the same in both topologies: two External NVEs, three hypervisors, one
 * ordinary Ethernet switch, three VNs and five VMs, with fixed (locally administered) MACs so that
 * tables and captures read the same on every run. With tenant traffic (root, Open vSwitch installed)
 * each nNVE and each hypervisor has an Open vSwitch bridge the daemon on it programs, the nNVEs share
 * an underlay cable for VXLAN, and each VM is a namespace whose NIC is a port of its hypervisor's bridge.
 *
 * <pre>
 *   h1 up0 --+
 *            sw (ordinary switch) --- p0 nnve-a          REQ-1, REQ-2: h1 and h2 share nnve-a's port p0
 *   h2 up0 --+
 *   h2 up1 -------------------------- p1 nnve-b          REQ-3: h2 uses both nNVEs, one per VN
 *   h3 up0 -------------------------- p0 nnve-b
 * </pre>
 */
final class Plan {
    private Plan() {
    }

    static final String NNVE_A = "nnve-a";
    static final String NNVE_B = "nnve-b";
    static final String H1 = "h1";
    static final String H2 = "h2";
    static final String H3 = "h3";
    static final String SWITCH = "sw";
    /** The NVA daemon ({@code splitnve nva}) both nNVEs share (issue 10: the product's deployment). */
    static final String NVA = "nva";
    static final List<String> NNVES = List.of(NNVE_A, NNVE_B);
    static final List<String> HOSTS = List.of(H1, H2, H3);

    /** One interface of a node. */
    record Iface(String node, String name, MacAddress mac) {
        @Override
        public String toString() {
            return node + "/" + name;
        }
    }

    static final Iface A_P0 = new Iface(NNVE_A, "p0", MacAddress.parse("02:00:00:0a:00:00"));
    static final Iface B_P0 = new Iface(NNVE_B, "p0", MacAddress.parse("02:00:00:0b:00:00"));
    static final Iface B_P1 = new Iface(NNVE_B, "p1", MacAddress.parse("02:00:00:0b:00:01"));
    static final Iface H1_UP0 = new Iface(H1, "up0", MacAddress.parse("02:00:00:01:00:00"));
    static final Iface H2_UP0 = new Iface(H2, "up0", MacAddress.parse("02:00:00:02:00:00"));
    static final Iface H2_UP1 = new Iface(H2, "up1", MacAddress.parse("02:00:00:02:00:01"));
    static final Iface H3_UP0 = new Iface(H3, "up0", MacAddress.parse("02:00:00:03:00:00"));

    /** The non-reserved multicast group nnve-a's port also accepts VDP on, and h2 sends to (GAP-1). */
    static final MacAddress A_GROUP = MacAddress.parse("01:00:5e:00:53:01");

    /** Point-to-point cables. */
    static final List<Iface[]> CABLES = List.of(new Iface[] {H2_UP1, B_P1}, new Iface[] {H3_UP0, B_P0});

    /** What hangs off the switch, one switch port each (named after the node in the switch's namespace). */
    static final List<Iface> SWITCHED = List.of(H1_UP0, H2_UP0, A_P0);

    /** The MAC of the switch's own port facing {@code i} (the switch's MACs never appear in VDP). */
    static MacAddress switchPortMac(int i) {
        return new MacAddress(0x0200_0000_5300L + i);
    }

    /** An nNVE port: its interface, tag scope and pool, and the extra group it joins. */
    record NnvePort(Iface iface, String scope, String tags, MacAddress group) {
    }

    static List<NnvePort> nnvePorts(String nnve) {
        return switch (nnve) {
            case NNVE_A -> List.of(new NnvePort(A_P0, "rack-a", "100-199", A_GROUP));
            case NNVE_B -> List.of(new NnvePort(B_P0, "rack-b", "200-299", null),
                    new NnvePort(B_P1, "rack-b", "200-299", null));
            default -> throw new IllegalArgumentException(nnve);
        };
    }

    /** A tNVE uplink: the nNVE it reaches, through which interface, with which VDP destination (GAP-1). */
    record Uplink(String nnve, Iface iface, Iface nnvePort, String destination) {
    }

    static List<Uplink> uplinks(String host) {
        return switch (host) {
            case H1 -> List.of(new Uplink(NNVE_A, H1_UP0, A_P0, A_P0.mac().toString()));
            case H2 -> List.of(new Uplink(NNVE_A, H2_UP0, A_P0, A_GROUP.toString()),
                    new Uplink(NNVE_B, H2_UP1, B_P1, "ncb"));
            case H3 -> List.of(new Uplink(NNVE_B, H3_UP0, B_P0, "ncb"));
            default -> throw new IllegalArgumentException(host);
        };
    }

    /** The host whose uplink has this MAC (a station at an nNVE), or the MAC itself. */
    static String station(MacAddress mac) {
        for (String h : HOSTS) {
            for (Uplink u : uplinks(h)) {
                if (u.iface().mac().equals(mac)) {
                    return h;
                }
            }
        }
        return mac.toString();
    }

    /** The station MAC of {@code host} at {@code nnve}. */
    static MacAddress stationMac(String host, String nnve) {
        for (Uplink u : uplinks(host)) {
            if (u.nnve().equals(nnve)) {
                return u.iface().mac();
            }
        }
        throw new IllegalArgumentException(host + " has no uplink to " + nnve);
    }

    /** The name of port {@code index} of an nNVE. */
    static String portName(String nnve, int index) {
        List<NnvePort> ports = NNVES.contains(nnve) ? nnvePorts(nnve) : List.of();
        return index >= 0 && index < ports.size() ? ports.get(index).iface().name() : "port" + index;
    }

    /** The nNVEs' underlay cable: an interface of this name at each end, on the nNVE's bridge {@link #UNDERLAY_BRIDGE}. */
    static final String UNDERLAY = "ul0";
    static final String NNVE_BRIDGE = "br-nve";
    static final String UNDERLAY_BRIDGE = "br-und";
    static final String HV_BRIDGE = "br-hv";
    /** The OpenFlow port number of each nNVE bridge's flow-based VXLAN port ({@code [dataplane] tunnel_ofport}). */
    static final int TUNNEL_OFPORT = 9;
    /** The VMs' NIC in their namespaces; its other end, a port of the hypervisor's bridge, is named after the VM. */
    static final String VM_NIC = "eth0";
    /**
     * The prefix length of every VM's IPv4 address: one subnet for all of them, so that nothing but the VN keeps a VM
     * of one VN from reaching another's (DP-3: vm-db asks for vm-web's address and gets no answer).
     */
    static final int VM_PREFIX = 8;

    /** The nNVE's VTEP: its underlay address (documentation addresses, only ever inside the demo's namespaces). */
    static String vtep(String nnve) {
        return switch (nnve) {
            case NNVE_A -> "192.0.2.1";
            case NNVE_B -> "192.0.2.2";
            default -> throw new IllegalArgumentException(nnve);
        };
    }

    /** The MAC of the nNVE's underlay interface. */
    static MacAddress underlayMac(String nnve) {
        return NNVE_A.equals(nnve) ? MacAddress.parse("02:00:00:0a:ff:00") : MacAddress.parse("02:00:00:0b:ff:00");
    }

    /** A VN: the VN ID (VDP GroupID), its alias and VXLAN VNI. */
    record Vn(long id, String alias, int vni) {
    }

    static final Vn WEB = new Vn(5000, "web", 10500);
    static final Vn DB = new Vn(5001, "db", 10501);
    static final Vn MGMT = new Vn(5002, "mgmt", 10502);
    static final List<Vn> VNS = List.of(WEB, DB, MGMT);

    static String alias(long vn) {
        for (Vn v : VNS) {
            if (v.id() == vn) {
                return v.alias();
            }
        }
        return String.valueOf(vn);
    }

    /** A VM with one TSI, created on hypervisor {@code home} (its NIC's first bridge). */
    record Vm(String name, TsiSpec tsi, String home) {
        /** Its IPv4 address, as a ping names it. */
        String ip() {
            return tsi.ips().getFirst().ip().getHostAddress();
        }
    }

    static final Vm VM_WEB = vm("vm-web", 1, WEB, "52:54:00:50:00:01", "10.50.0.11", H1);
    static final Vm VM_DB = vm("vm-db", 2, DB, "52:54:00:51:00:01", "10.51.0.21", H2);
    static final Vm VM_MGMT = vm("vm-mgmt", 3, MGMT, "52:54:00:52:00:01", "10.52.0.31", H2);
    /** vm-web's peer in VN web, behind the other nNVE: their traffic crosses the overlay (VXLAN between the nNVEs). */
    static final Vm VM_APP = vm("vm-app", 4, WEB, "52:54:00:50:00:02", "10.50.0.12", H3);
    /** vm-db's peer in VN db, on another hypervisor behind the same nNVE port. */
    static final Vm VM_BATCH = vm("vm-batch", 5, DB, "52:54:00:51:00:02", "10.51.0.22", H1);
    static final List<Vm> VMS = List.of(VM_WEB, VM_DB, VM_MGMT, VM_APP, VM_BATCH);
    /** The address vm-web gains in the address-change step (REQ-10). */
    static final TsiAddress WEB_IPV6 = TsiAddress.host(ip("2001:db8:50::11"));

    private static Vm vm(String name, int n, Vn vn, String mac, String ipv4, String home) {
        VsiId id = VsiId.uuid(new UUID(0x7510_de00_0000_4000L | n, 0x8000_0000_0000_0000L | n));
        return new Vm(name, TsiSpec.of(id, vn.id(), MacAddress.parse(mac), List.of(TsiAddress.host(ip(ipv4)))), home);
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** The VM whose TSI this is, or the TSI ID. */
    static String vmOf(VsiId tsi) {
        for (Vm v : VMS) {
            if (v.tsi().id().equals(tsi)) {
                return v.name();
            }
        }
        return tsi.toString();
    }

    /** Where each daemon's HTTP API listens when the port is free (docs/api.md). */
    static int apiPort(String node) {
        return switch (node) {
            case NNVE_A -> 7480;
            case H1 -> 7481;
            case NNVE_B -> 7482;
            case H2 -> 7483;
            case H3 -> 7484;
            default -> throw new IllegalArgumentException(node);
        };
    }

    static final UUID MIGRATION_1 = UUID.fromString("3b5a1c2e-0d4f-4e6a-9b7c-000000000001");
    static final UUID MIGRATION_2 = UUID.fromString("3b5a1c2e-0d4f-4e6a-9b7c-000000000002");

    /** ECP/VDP timers of every daemon: ECP retransmission after 41 ms, keep-alive every 10.5 s, an answer within 4 s. */
    static final String TIMERS = """
            [timers]
            retries = 3
            rte = 12
            rwd = 18
            rka = 20
            """;

    /**
     * The configuration file of an nNVE, as a person would write it (docs/configuration.md).
     *
     * @param namespace the namespace of its interfaces, or null (in-memory ports)
     * @param api       the API listen address, or null for none
     * @param nvaUrl    the shared NVA daemon's URL: the nNVE is its client ([nva] servers, its own token, the VNs
     *                  it serves; the VNs themselves are the NVA's, NVA-1)
     * @param ovs       the run directory of the nNVE's Open vSwitch, whose bridge {@link #NNVE_BRIDGE} it programs
     *                  ([dataplane]), or null: no data plane
     */
    static String nnveConfig(String nnve, String namespace, boolean json, String api, String nvaUrl, Path ovs) {
        StringBuilder sb = new StringBuilder();
        sb.append("[nnve]\nname = \"").append(nnve).append("\"\n");
        for (NnvePort p : nnvePorts(nnve)) {
            sb.append("\n[[port]]\ninterface = \"").append(p.iface().name()).append("\"\n");
            if (namespace != null) {
                sb.append("namespace = \"").append(namespace).append("\"\n");
            }
            sb.append("scope = \"").append(p.scope()).append("\"\ntags = \"").append(p.tags()).append("\"\n");
            if (p.group() != null) {
                sb.append("multicast = \"").append(p.group()).append("\"\n");
            }
        }
        sb.append('\n').append(TIMERS);
        sb.append("\n[lldp]\nenabled = true\ninterval = 30\nttl = 120\n");
        sb.append("\n[nva]\nservers = [\"").append(nvaUrl).append("\"]\ntoken = \"").append(token(nnve))
                .append("\"\nserves = [");
        for (int i = 0; i < VNS.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(VNS.get(i).id());
        }
        sb.append("]\n");
        if (ovs != null) {
            sb.append("\n[dataplane]\nsocket = \"").append(ovs.resolve(NNVE_BRIDGE + ".mgmt")).append("\"\nvtep = \"")
                    .append(vtep(nnve)).append("\"\ntunnel_ofport = ").append(TUNNEL_OFPORT).append('\n');
            List<NnvePort> ports = nnvePorts(nnve);
            for (int i = 0; i < ports.size(); i++) {
                sb.append("[[dataplane.port]]\nport = \"").append(ports.get(i).iface().name()).append("\"\nofport = ")
                        .append(i + 1).append('\n');
            }
        }
        sb.append(log(json));
        sb.append(api(api));
        return sb.toString();
    }

    /** An nNVE's token at the NVA (NVA-7: it reports only its own entries with it); the NVA keeps its hash. */
    static String token(String nnve) {
        return "demo-" + nnve + "-token-at-the-nva";
    }

    /**
     * The NVA daemon's configuration file (docs/nva-api.md): its state in memory, its API on a free loopback port,
     * the demo's VNs imported at start, any TSI permitted on them (the nNVEs are registered through its API).
     */
    static String nvaConfig(boolean json) {
        StringBuilder sb = new StringBuilder();
        sb.append("[nva]\nname = \"").append(NVA).append("\"\nstore = \"memory:\"\n");
        sb.append("\n[api]\nlisten = \"127.0.0.1:0\"\n");
        for (Vn v : VNS) {
            sb.append("\n[[vn]]\nid = ").append(v.id()).append("\nalias = \"").append(v.alias())
                    .append("\"\ncontext = ").append(v.vni()).append("\npermit_any = true\n");
        }
        sb.append(log(json));
        return sb.toString();
    }

    /**
     * The configuration file of a hypervisor's tNVE, its VMs kept in {@code stateDir}; with {@code ovs} (the run
     * directory of the hypervisor's Open vSwitch) it programs the bridge {@link #HV_BRIDGE}, where each VM's port is
     * named after the VM ([dataplane], DP-4); see {@link #nnveConfig}.
     */
    static String tnveConfig(String host, String namespace, boolean json, String api, String stateDir, Path ovs) {
        StringBuilder sb = new StringBuilder();
        sb.append("[tnve]\nname = \"").append(host).append("\"\n");
        List<Uplink> ups = uplinks(host);
        for (Uplink u : ups) {
            sb.append("\n[[uplink]]\nname = \"").append(u.nnve()).append("\"\ninterface = \"").append(u.iface().name())
                    .append("\"\n");
            if (namespace != null) {
                sb.append("namespace = \"").append(namespace).append("\"\n");
            }
            sb.append("destination = \"").append(u.destination()).append("\"\nnnve = \"").append(u.nnvePort().mac())
                    .append("\"\n");
        }
        if (host.equals(H2)) {
            sb.append("\n[[placement]]\nvn = ").append(MGMT.id()).append("\nuplinks = [\"").append(NNVE_B)
                    .append("\"]\n");
        }
        sb.append('\n').append(TIMERS);
        sb.append("\n[lldp]\nenabled = true\ninterval = 30\nttl = 120\n");
        sb.append(log(json));
        sb.append(api(api));
        sb.append("\n[state]\ndir = \"").append(stateDir).append("\"\n");
        if (ovs != null) {
            sb.append("\n[dataplane]\nsocket = \"").append(ovs.resolve(HV_BRIDGE + ".mgmt")).append("\"\n");
            for (Vm vm : VMS) {
                sb.append("[[dataplane.vm]]\nname = \"").append(vm.name()).append("\"\ninterfaces = [\"")
                        .append(vm.name()).append("\"]\n");
            }
        }
        return sb.toString();
    }

    private static String log(boolean json) {
        return "\n[log]\nformat = \"" + (json ? "json" : "text") + "\"\nlevel = \"info\"\n";
    }

    private static String api(String listen) {
        return listen == null ? "" : "\n[api]\nlisten = \"" + listen + "\"\n";
    }

    /** Every node that gets a namespace of its own in the netns topology. */
    static List<String> nodes() {
        List<String> all = new ArrayList<>(NNVES);
        all.addAll(HOSTS);
        all.add(SWITCH);
        return all;
    }
}
