package org.splitnve.daemon.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.splitnve.config.ConfFile.Table;
import org.splitnve.config.IpLiteral;
import org.splitnve.config.Reader;

/**
 * [dataplane] (issue 11, docs/dataplane.md): the Open vSwitch bridge this nNVE programs, or none (the default: the
 * daemon runs the protocol only, as before).
 *
 * @param socket the bridge's management socket ({@code RUNDIR/BRIDGE.mgmt})
 * @param vtep   this nNVE's underlay (VXLAN tunnel end point) address, registered at the embedded NVA
 * @param tunnel the bridge's flow-based VXLAN port
 * @param ports  per [[port]] of the nNVE (in order), the same interface's port on the bridge
 * @param audit  how often the switch agent compares the switch with what it installed (drift repaired)
 */
public record DataplaneSettings(Path socket, Inet4Address vtep, BridgePort tunnel, List<BridgePort> ports,
        Duration audit) {
    /** The largest OpenFlow port number a physical or tunnel port may have (OFPP_MAX, OpenFlow 1.3 section 7.2.1). */
    public static final long OFPP_MAX = 0xffff_ff00L;

    public DataplaneSettings {
        ports = List.copyOf(ports);
    }

    /**
     * A port of the bridge: by its OpenFlow port number ({@code ofport}, pinned with {@code ofport_request}), or by its
     * interface name, whose number the daemon reads from the switch's port descriptions and follows when it changes
     * (an interface deleted and added again gets a new number).
     */
    public record BridgePort(int ofport, String name) {
        public BridgePort {
            if ((ofport > 0) == (name != null)) {
                throw new IllegalArgumentException("a bridge port is a number or a name: " + ofport + ", " + name);
            }
        }

        public static BridgePort number(int ofport) {
            return new BridgePort(ofport, null);
        }

        public static BridgePort named(String name) {
            return new BridgePort(0, name);
        }

        @Override
        public String toString() {
            return name == null ? "OpenFlow port " + ofport : "interface " + name;
        }
    }

    /** True when a port is given by name: the daemon reads the switch's ports before it programs anything. */
    public boolean named() {
        return tunnel.name() != null || ports.stream().anyMatch(p -> p.name() != null);
    }

    /** [dataplane] and [[dataplane.port]] of a file whose [[port]]s are {@code ports}; null when absent. */
    static DataplaneSettings read(Reader r, List<NnveSettings.PortSettings> ports) {
        Table t = r.single("dataplane");
        List<Table> mapped = r.array("dataplane.port");
        if (t.line() == 0 && mapped.isEmpty()) {
            return null;
        }
        if (!r.bool(t, "enabled", true)) {
            r.unknownKeys(t);
            return null;
        }
        Path sock = socket(r, t);
        String vtepText = r.required(t, "vtep");
        Inet4Address vtep = null;
        if (vtepText != null) {
            InetAddress a = IpLiteral.parse(vtepText);
            if (!(a instanceof Inet4Address v4) || a.isMulticastAddress() || a.isAnyLocalAddress()) {
                r.problem(t, "vtep", "'" + vtepText + "' is not a unicast IPv4 address (the VXLAN port's local_ip)");
            } else {
                vtep = v4;
            }
        }
        BridgePort tunnel = port(r, t, "tunnel_ofport", "tunnel_interface");
        if (!t.has("tunnel_ofport") && !t.has("tunnel_interface")) {
            r.problem(t, null, "missing required key 'tunnel_interface' (the name of the bridge's VXLAN port, type=vxlan"
                    + " options:remote_ip=flow options:key=flow), or 'tunnel_ofport' (its OpenFlow port number)");
        }
        long auditSeconds = r.integer(t, "audit", 30, 1, 86_400);
        r.unknownKeys(t);

        BridgePort[] bridgePorts = new BridgePort[ports.size()];
        Table[] lines = new Table[ports.size()];
        Map<String, Table> seen = new HashMap<>();
        for (Table m : mapped) {
            String name = r.required(m, "port");
            BridgePort b = port(r, m, "ofport", "interface");
            r.unknownKeys(m);
            if (name == null) {
                continue;
            }
            int index = -1;
            for (int i = 0; i < ports.size(); i++) {
                if (name.equals(ports.get(i).label()) || name.equals(ports.get(i).iface())) {
                    index = i;
                    break;
                }
            }
            if (index < 0) {
                r.problem(m, "port", "no [[port]] has interface '" + name + "'");
                continue;
            }
            r.unique(seen, m, "port", ports.get(index).label(), "[[dataplane.port]] for this [[port]]");
            // neither key: the bridge port is the [[port]]'s own interface, by name
            bridgePorts[index] = b != null ? b : m.has("ofport") || m.has("interface") ? null
                    : ownInterface(ports.get(index));
            lines[index] = m;
        }
        for (int i = 0; i < ports.size(); i++) {
            if (bridgePorts[i] == null && lines[i] == null) {
                bridgePorts[i] = ownInterface(ports.get(i)); // no [[dataplane.port]]: by its name
            }
        }
        // every bridge port once: the tunnel's, then each [[port]]'s
        Map<BridgePort, String> taken = new HashMap<>();
        if (tunnel != null) {
            taken.put(tunnel, "the tunnel's (line " + t.line() + ")");
        }
        for (int i = 0; i < ports.size(); i++) {
            if (bridgePorts[i] == null) {
                continue;
            }
            String other = taken.putIfAbsent(bridgePorts[i], "[[port]] " + ports.get(i).label() + "'s");
            if (other != null) {
                Table where = lines[i] != null ? lines[i] : t;
                r.problem(where, bridgePorts[i].name() == null ? "ofport" : lines[i] != null
                        && lines[i].has("interface") ? "interface" : null, "[[port]] " + ports.get(i).label()
                        + ": the bridge's " + bridgePorts[i] + " is already " + other + " (give it 'interface' or"
                        + " 'ofport' in its [[dataplane.port]])");
            }
        }
        if (sock == null || vtep == null || tunnel == null || java.util.Arrays.asList(bridgePorts).contains(null)) {
            return null; // the problems are reported
        }
        return new DataplaneSettings(sock, vtep, tunnel, List.of(bridgePorts), Duration.ofSeconds(auditSeconds));
    }

    /**
     * The bridge port of a [[port]]'s own interface, by name; null when the [[port]] has none (its missing interface is
     * reported with the [[port]], and nothing is programmed: REL-5, the configuration fuzzer found the exception).
     */
    private static BridgePort ownInterface(NnveSettings.PortSettings port) {
        return port.iface() == null || port.iface().isEmpty() ? null : BridgePort.named(port.iface());
    }

    /** A bridge port by number ({@code numberKey}) or by name ({@code nameKey}), not both; null (reported) if neither. */
    private static BridgePort port(Reader r, Table t, String numberKey, String nameKey) {
        long number = r.integer(t, numberKey, -1, 1, OFPP_MAX);
        String name = r.string(t, nameKey, null);
        if (t.has(numberKey) && t.has(nameKey)) {
            r.problem(t, nameKey, "either " + nameKey + " or " + numberKey + ", not both");
            return null;
        }
        if (name != null) {
            if (name.isEmpty() || name.length() > 15) {
                r.problem(t, nameKey, "'" + name + "' is not an interface name (1 to 15 characters)");
                return null;
            }
            return BridgePort.named(name);
        }
        return number > 0 ? BridgePort.number((int) number) : null;
    }

    /** The bridge's management socket: {@code socket}, or {@code run_dir} and {@code bridge}; null (reported) if neither. */
    static Path socket(Reader r, Table t) {
        String socket = r.string(t, "socket", null);
        String runDir = r.string(t, "run_dir", null);
        String bridge = r.string(t, "bridge", null);
        Path sock = null;
        if (socket != null && (runDir != null || bridge != null)) {
            r.problem(t, "socket", "either socket or run_dir and bridge, not both");
        } else if (socket != null) {
            sock = path(r, t, "socket", socket);
        } else if (runDir != null && bridge != null) {
            Path dir = path(r, t, "run_dir", runDir);
            sock = dir == null ? null : dir.resolve(bridge + ".mgmt");
        } else {
            r.problem(t, null, "the bridge's management socket is missing: socket = \"/var/run/openvswitch/br0.mgmt\","
                    + " or run_dir = \"/var/run/openvswitch\" and bridge = \"br0\"");
        }
        return sock;
    }

    private static Path path(Reader r, Table t, String key, String text) {
        try {
            return Path.of(text);
        } catch (java.nio.file.InvalidPathException e) {
            r.problem(t, key, "not a file name (" + e.getReason() + ")");
            return null;
        }
    }
}
