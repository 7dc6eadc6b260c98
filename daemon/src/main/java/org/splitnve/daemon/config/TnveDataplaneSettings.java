package org.splitnve.daemon.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.splitnve.config.ConfFile.Table;
import org.splitnve.config.Reader;

/**
 * The tNVE's [dataplane] (DP-4, docs/dataplane.md): the hypervisor's Open vSwitch bridge the tNVE programs, or none
 * (the default: the daemon runs the protocol only, as before).
 *
 * @param socket     the bridge's management socket ({@code RUNDIR/BRIDGE.mgmt})
 * @param trunk      the bridge's port toward the nNVEs, by interface name; null: each [[uplink]]'s own interface
 * @param interfaces per VM named in a [[dataplane.vm]], its TSIs' interfaces on the bridge in the order of its TSIs
 *                   (libvirt's vnet0, vnet1, ...); a TSI of another VM is found by its MAC
 * @param audit      how often the switch agent reads the ports again and compares the switch with what it installed
 */
public record TnveDataplaneSettings(Path socket, String trunk, Map<String, List<String>> interfaces, Duration audit) {
    public TnveDataplaneSettings {
        interfaces = Map.copyOf(interfaces);
    }

    /** [dataplane] and [[dataplane.vm]]; null when absent or disabled. */
    static TnveDataplaneSettings read(Reader r) {
        Table t = r.single("dataplane");
        List<Table> vms = r.array("dataplane.vm");
        if (t.line() == 0 && vms.isEmpty()) {
            return null;
        }
        if (!r.bool(t, "enabled", true)) {
            r.unknownKeys(t);
            return null;
        }
        Path sock = DataplaneSettings.socket(r, t);
        String trunk = r.string(t, "trunk", null);
        long auditSeconds = r.integer(t, "audit", 30, 1, 86_400);
        r.unknownKeys(t);
        Map<String, List<String>> interfaces = new LinkedHashMap<>();
        Map<String, Table> seen = new HashMap<>();
        for (Table v : vms) {
            String name = r.required(v, "name");
            List<String> ifaces = r.strings(v, "interfaces");
            if (!v.has("interfaces")) {
                r.problem(v, null, "missing required key 'interfaces' (the VM's interfaces on the bridge, one per TSI"
                        + " in order, as libvirt names them: [\"vnet0\"])");
            }
            r.unknownKeys(v);
            r.unique(seen, v, "name", name, "[[dataplane.vm]] for this VM");
            if (name != null && ifaces != null) {
                interfaces.put(name, List.copyOf(ifaces));
            }
        }
        if (sock == null) {
            return null; // the problem is reported
        }
        return new TnveDataplaneSettings(sock, trunk, interfaces, Duration.ofSeconds(auditSeconds));
    }
}
