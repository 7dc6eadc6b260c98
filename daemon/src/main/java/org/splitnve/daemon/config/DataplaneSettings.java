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
 * @param socket       the bridge's management socket ({@code RUNDIR/BRIDGE.mgmt})
 * @param vtep         this nNVE's underlay (VXLAN tunnel end point) address, registered at the embedded NVA
 * @param tunnelOfport the OpenFlow port number of the bridge's flow-based VXLAN port
 * @param ofports      per [[port]] of the nNVE (in order), the OpenFlow port number of the same interface on the bridge
 * @param audit        how often the switch agent compares the switch with what it installed (drift repaired)
 */
public record DataplaneSettings(Path socket, Inet4Address vtep, int tunnelOfport, List<Integer> ofports,
        Duration audit) {
    /** The largest OpenFlow port number a physical or tunnel port may have (OFPP_MAX, OpenFlow 1.3 section 7.2.1). */
    public static final long OFPP_MAX = 0xffff_ff00L;

    public DataplaneSettings {
        ofports = List.copyOf(ofports);
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
        long tunnel = r.integer(t, "tunnel_ofport", -1, 1, OFPP_MAX);
        if (!t.has("tunnel_ofport")) {
            r.problem(t, null, "missing required key 'tunnel_ofport' (the OpenFlow port number of the bridge's VXLAN"
                    + " port, type=vxlan options:remote_ip=flow options:key=flow)");
        }
        long auditSeconds = r.integer(t, "audit", 30, 1, 86_400);
        r.unknownKeys(t);

        Integer[] ofports = new Integer[ports.size()];
        Map<String, Table> seen = new HashMap<>();
        Map<String, Table> numbers = new HashMap<>();
        if (tunnel > 0) {
            numbers.put(String.valueOf(tunnel), t);
        }
        for (Table m : mapped) {
            String name = r.required(m, "port");
            long ofport = r.integer(m, "ofport", -1, 1, OFPP_MAX);
            if (!m.has("ofport")) {
                r.problem(m, null, "missing required key 'ofport' (the OpenFlow port number of the interface on the"
                        + " bridge; pin it with ovs-vsctl set Interface NAME ofport_request=N)");
            }
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
            if (ofport > 0) {
                Table other = numbers.putIfAbsent(String.valueOf(ofport), m);
                if (other != null) {
                    r.problem(m, "ofport", ofport + " is already the OpenFlow port of line " + other.line());
                }
                ofports[index] = (int) ofport;
            }
        }
        for (int i = 0; i < ports.size(); i++) {
            if (ofports[i] == null && seen.get(ports.get(i).label()) == null) {
                r.problem(t, null, "[[port]] " + ports.get(i).label() + " has no [[dataplane.port]] (port = \""
                        + ports.get(i).label() + "\", ofport = N): every nNVE port is a port of the bridge");
            }
        }
        if (sock == null || vtep == null || tunnel < 1 || java.util.Arrays.asList(ofports).contains(null)) {
            return null; // the problems are reported
        }
        return new DataplaneSettings(sock, vtep, (int) tunnel, List.of(ofports), Duration.ofSeconds(auditSeconds));
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
