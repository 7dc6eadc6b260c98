package org.splitnve.daemon.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.splitnve.config.ConfFile.Table;
import org.splitnve.config.ConfFile;
import org.splitnve.config.ConfigException;
import org.splitnve.config.Reader;
import org.splitnve.nnve.LocalTagPool;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nva.PrefixPolicy;
import org.splitnve.nva.ProvisioningMode;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.protocol.Timers;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.VdpCodec;

/**
 * The nNVE daemon's configuration file (docs/configuration.md), validated.
 *
 * @param allowUnauthenticated whether end devices without a configured key may use the nNVE (RFC 8394
 *                             section 6: implicit authentication of standard peers)
 * @param limits               per end device: TSIs, VNs, addresses per TSI (SEC-5), advertised (OPS-3)
 * @param dataplane            the Open vSwitch bridge the nNVE programs ([dataplane]), or null: none (the default)
 * @param stateDir             where the nNVE journals its TSIs ([state] dir, REL-2), or null: not kept (the default)
 */
public record NnveSettings(String name, int extensionOui, List<PortSettings> ports, Timers timers,
        boolean allowUnauthenticated, List<KeySettings> keys, boolean plainVlans, List<VnRecord> vns,
        Map<Integer, Long> typeVns, LogSettings log, LldpSettings lldp, ApiSettings api, NnveConfig.Limits limits,
        NvaService nvaService, DataplaneSettings dataplane, java.nio.file.Path stateDir) {

    /**
     * [nva]: where the nNVE's NVA is (issue 10; docs/configuration.md). {@link Mode#LOCAL} (the default, as before
     * issue 10): an NVA in the daemon's memory, loaded from [[nva.vn]] and changed by a reload.
     * {@link Mode#EMBEDDED} ({@code embedded = true}): the NVA service in process (RevisionedNva), on the SQLite file
     * {@code state} or in memory, [[nva.vn]] imported once at start, the engine behind a replica and the NVA client
     * (the single-nNVE deployment of the protocol). {@link Mode#REMOTE} ({@code servers}, {@code token}): the NVA
     * elsewhere, reached through the HTTP binding.
     */
    public record NvaService(Mode mode, java.nio.file.Path state, List<String> servers, String token,
            java.util.Set<Integer> serves) {
        public enum Mode { LOCAL, EMBEDDED, REMOTE }

        public static final NvaService LOCAL = new NvaService(Mode.LOCAL, null, List.of(), null, java.util.Set.of());

        public NvaService {
            servers = List.copyOf(servers);
            serves = java.util.Set.copyOf(serves);
        }

        public NvaService(Mode mode, java.nio.file.Path state, List<String> servers, String token) {
            this(mode, state, servers, token, java.util.Set.of());
        }

        @Override
        public String toString() {
            return "NvaService[mode=" + mode + ", state=" + state + ", servers=" + servers + ", token="
                    + (token == null ? "none" : "(hidden)") + ", serves=" + serves + "]";
        }
    }

    /** One [[port]]: an interface (in a network namespace, or the daemon's own). */
    public record PortSettings(String iface, String namespace, String scope, BitSet tags, MacAddress multicast) {
        /** How logs and [[auth.key]] name the port: {@code interface} or {@code namespace/interface}. */
        public String label() {
            return namespace == null ? iface : namespace + "/" + iface;
        }
    }

    /**
     * One [[auth.key]]: a key for one station, one port, or one station on one port; index = port or -1. A final
     * class, not a record: its key material is an array, copied in and out so that the settings stay immutable.
     */
    public static final class KeySettings {
        private final int port;
        private final MacAddress station;
        private final int id;
        private final byte[] material;

        public KeySettings(int port, MacAddress station, int id, byte[] material) {
            this.port = port;
            this.station = station;
            this.id = id;
            this.material = material.clone();
        }

        public int port() {
            return port;
        }

        public MacAddress station() {
            return station;
        }

        public int id() {
            return id;
        }

        /** The key material (a copy). */
        public byte[] material() {
            return material.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KeySettings k && port == k.port && java.util.Objects.equals(station, k.station)
                    && id == k.id && java.util.Arrays.equals(material, k.material);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(port, station, id, java.util.Arrays.hashCode(material));
        }

        /** Without the key material. */
        @Override
        public String toString() {
            return "KeySettings[port=" + port + ", station=" + station + ", id=" + id + "]";
        }
    }

    static final Set<String> SINGLES = Set.of("nnve", "timers", "auth", "nva", "log", "lldp", "api", "limits",
            "dataplane", "state");
    static final Set<String> ARRAYS = Set.of("port", "auth.key", "nva.vn", "nva.vsi_type", "dataplane.port");

    public static NnveSettings load(Path path) throws ConfigException {
        return from(ConfFile.load(path));
    }

    public static NnveSettings from(ConfFile f) throws ConfigException {
        Reader r = new Reader(f);
        r.sections(SINGLES, ARRAYS);

        Table nnve = r.single("nnve");
        if (nnve.line() == 0) {
            r.problem("missing section [nnve] (it holds at least name = \"...\")");
        }
        String name = nnve.line() == 0 ? "nnve" : r.required(nnve, "name");
        int oui = r.oui(nnve, "extension_oui", VdpCodec.DEFAULT_OUI);
        r.unknownKeys(nnve);

        List<PortSettings> ports = new ArrayList<>();
        Map<String, Table> seenPorts = new HashMap<>();
        Map<String, PortSettings> scopeFirst = new HashMap<>();
        Map<String, Table> scopeTable = new HashMap<>();
        List<Table> portTables = r.array("port");
        if (portTables.isEmpty()) {
            r.problem("no [[port]]: the nNVE needs at least one port");
        }
        for (Table t : portTables) {
            String iface = r.required(t, "interface");
            String ns = r.string(t, "namespace", null);
            String label = iface == null ? null : ns == null ? iface : ns + "/" + iface;
            r.unique(seenPorts, t, "interface", label, "port");
            String scope = r.string(t, "scope", label);
            boolean declared = t.has("tags");
            BitSet tags = r.tags(t, "tags", LocalTagPool.range(1, 4094));
            MacAddress mc = r.mac(t, "multicast");
            if (mc != null && (!mc.isMulticast() || mc.isReservedGroup() || mc.value() == 0xFFFF_FFFF_FFFFL)) {
                r.problem(t, "multicast", mc + " is not a non-reserved multicast group (e.g. 01:00:5e:..., "
                        + "not 01:80:c2:00:00:0x, not broadcast)");
                mc = null;
            }
            r.unknownKeys(t);
            PortSettings p = new PortSettings(iface, ns, scope, tags, mc);
            if (scope != null) {
                PortSettings first = scopeFirst.get(scope);
                if (first == null) {
                    scopeFirst.put(scope, p);
                    scopeTable.put(scope, t);
                } else if (declared && !first.tags().equals(tags)) {
                    BitSet overlap = (BitSet) first.tags().clone();
                    overlap.and(tags);
                    r.problem(t, "tags", "ports " + first.label() + " and " + label + " share scope '" + scope
                            + "' (one tag pool per scope) but their tag pools differ"
                            + (overlap.isEmpty() ? "" : " and overlap (" + ranges(overlap) + ")")
                            + "; give the pool once, on line " + scopeTable.get(scope).line() + ", or the same on both");
                } else {
                    p = new PortSettings(iface, ns, scope, first.tags(), mc);
                }
            }
            ports.add(p);
        }

        Timers timers = Sections.timers(r);

        Table auth = r.single("auth");
        boolean allowUnauth = r.bool(auth, "allow_unauthenticated", true);
        r.unknownKeys(auth);
        List<KeySettings> keys = new ArrayList<>();
        Map<String, Table> seenKeys = new HashMap<>();
        for (Table t : r.array("auth.key")) {
            String portName = r.string(t, "port", null);
            MacAddress station = r.mac(t, "station");
            int port = -1;
            if (portName != null) {
                for (int i = 0; i < ports.size(); i++) {
                    if (portName.equals(ports.get(i).label()) || portName.equals(ports.get(i).iface())) {
                        port = i;
                        break;
                    }
                }
                if (port < 0) {
                    r.problem(t, "port", "no [[port]] has interface '" + portName + "'");
                }
            }
            if (station != null && !station.isValidUnicast()) {
                r.problem(t, "station", station + " is not a unicast MAC address");
            }
            if (!t.has("port") && !t.has("station")) {
                r.problem(t, null, "a key names a port, a station, or both");
            }
            long id = r.integer(t, "id", -1, 0, 0xFFFF_FFFFL);
            if (!t.has("id")) {
                r.problem(t, null, "missing required key 'id' (the key ID, 0..4294967295)");
            }
            byte[] material = Sections.keyFile(r, t, "file");
            r.unknownKeys(t);
            r.unique(seenKeys, t, "id", port + "/" + station + "/" + id, "key ID " + id + " for this port/station");
            if (material != null && id >= 0) {
                keys.add(new KeySettings(port, station, (int) id, material));
            }
        }

        Table nva = r.single("nva");
        boolean plainVlans = r.bool(nva, "plain_vlans", false);
        NvaService nvaService = nvaService(r, nva);
        r.unknownKeys(nva);
        List<VnRecord> vns = new ArrayList<>();
        Map<String, Table> ids = new HashMap<>();
        Map<String, Table> aliases = new HashMap<>();
        Map<String, Table> names = new HashMap<>();
        for (Table t : r.array("nva.vn")) {
            long id = r.integer(t, "id", -1, 0, 0xFFFF_FFFFL);
            if (!t.has("id")) {
                r.problem(t, null, "missing required key 'id' (the VN ID, 0..4294967295)");
            }
            String alias = r.required(t, "alias");
            String nameText = r.string(t, "name", null);
            UUID uuid = null;
            if (nameText != null) {
                try {
                    uuid = UUID.fromString(nameText);
                    if (uuid.getMostSignificantBits() == 0 && uuid.getLeastSignificantBits() == 0) {
                        r.problem(t, "name", "the nil UUID is not a VN Name");
                        uuid = null;
                    }
                } catch (IllegalArgumentException e) {
                    r.problem(t, "name", "not a UUID: '" + nameText + "'");
                }
            } else if (id >= 0) {
                uuid = defaultName(id);
            }
            long vni = r.integer(t, "vni", -1, 0, 0xFF_FFFF);
            if (!t.has("vni")) {
                r.problem(t, null, "missing required key 'vni' (the VXLAN VNI, 0..16777215)");
            }
            String service = r.choice(t, "service", "l2", "l2", "l3");
            String mode = r.choice(t, "mode", "trusted", "trusted", "validated");
            PrefixPolicy prefixes = new PrefixPolicy(
                    (int) r.integer(t, "shortest_ipv4_prefix", PrefixPolicy.DEFAULT.shortestIpv4(), 0, 32),
                    (int) r.integer(t, "shortest_ipv6_prefix", PrefixPolicy.DEFAULT.shortestIpv6(), 0, 128));
            r.unknownKeys(t);
            r.unique(ids, t, "id", id < 0 ? null : String.valueOf(id), "VN ID");
            r.unique(aliases, t, "alias", alias, "VN alias");
            r.unique(names, t, "name", uuid == null ? null : uuid.toString(), "VN name");
            if (id >= 0 && alias != null && uuid != null && vni >= 0) {
                vns.add(VnRecord.of(uuid, id, alias, (int) vni, service.equals("l3") ? VnService.L3 : VnService.L2)
                        .withMode(mode.equals("validated") ? ProvisioningMode.VALIDATED : ProvisioningMode.TRUSTED)
                        .withPrefixes(prefixes));
            }
        }
        Map<Integer, Long> typeVns = new LinkedHashMap<>();
        Map<String, Table> types = new HashMap<>();
        for (Table t : r.array("nva.vsi_type")) {
            long type = r.integer(t, "type", -1, 0, 0xFF_FFFF);
            long vn = r.integer(t, "vn", -1, 0, 0xFFFF_FFFFL);
            if (!t.has("type")) {
                r.problem(t, null, "missing required key 'type' (the VSI type ID, 0..16777215)");
            }
            if (!t.has("vn")) {
                r.problem(t, null, "missing required key 'vn' (a VN ID of an [[nva.vn]])");
            } else if (vn >= 0 && !ids.containsKey(String.valueOf(vn))) {
                r.problem(t, "vn", "no [[nva.vn]] has id " + vn);
            }
            r.unknownKeys(t);
            r.unique(types, t, "type", type < 0 ? null : String.valueOf(type), "VSI type");
            if (type >= 0 && vn >= 0) {
                typeVns.put((int) type, vn);
            }
        }
        LogSettings log = Sections.log(r);
        LldpSettings lldp = Sections.lldp(r);
        ApiSettings api = Sections.api(r, ApiSettings.NNVE_PORT);
        NnveConfig.Limits limits = limits(r);
        DataplaneSettings dataplane = DataplaneSettings.read(r, ports);
        Table state = r.single("state");
        String dir = r.string(state, "dir", null);
        java.nio.file.Path stateDir = null;
        if (dir != null && dir.isBlank()) {
            r.problem(state, "dir", "an empty path (leave [state] out to keep no TSI journal)");
        } else if (dir != null) {
            stateDir = r.relative(state, "dir", dir);
        }
        r.unknownKeys(state);
        r.throwIfAny();
        return new NnveSettings(name, oui, ports, timers, allowUnauth, keys, plainVlans, vns, typeVns, log, lldp, api,
                limits, nvaService, dataplane, stateDir);
    }

    /** The same settings with another [api] (tests and the demo listen on 127.0.0.1:0). */
    public NnveSettings withApi(ApiSettings a) {
        return new NnveSettings(name, extensionOui, ports, timers, allowUnauthenticated, keys, plainVlans, vns, typeVns,
                log, lldp, a, limits, nvaService, dataplane, stateDir);
    }

    /** [nva] embedded, state, servers, token (issue 10). */
    private static NvaService nvaService(Reader r, Table nva) {
        boolean embedded = r.bool(nva, "embedded", false);
        String state = r.string(nva, "state", null);
        List<String> servers = r.strings(nva, "servers");
        String token = r.string(nva, "token", null);
        if (embedded && servers != null) {
            r.problem(nva, "servers", "an NVA is either embedded (embedded = true) or remote (servers), not both");
            return NvaService.LOCAL;
        }
        if (state != null && !embedded) {
            r.problem(nva, "state", "the NVA's state file is for the embedded NVA: set embedded = true");
        }
        if (servers != null) {
            if (servers.isEmpty()) {
                r.problem(nva, "servers", "names no NVA address");
            }
            if (token == null || token.length() < 16) {
                r.problem(nva, "token", "a remote NVA needs this nNVE's token, at least 16 characters");
            }
            for (String url : servers) {
                if (!url.startsWith("https://") && !url.startsWith("http://")) {
                    r.problem(nva, "servers", "'" + url + "' is not an http:// or https:// URL");
                } else if (org.splitnve.nva.service.client.NvaLinkFactory.find(url).isEmpty()) {
                    r.problem(nva, "servers", "no NVA binding for '" + url + "' in this build (module nva-http)");
                }
            }
            List<Long> serves = r.longs(nva, "serves");
            java.util.Set<Integer> vns = new java.util.LinkedHashSet<>();
            if (serves == null || serves.isEmpty()) {
                r.problem(nva, "serves", "a remote NVA needs the VN IDs this nNVE serves (serves = [5000, ...]); the"
                        + " VNs themselves are defined at the NVA (splitnve nva vn create)");
            } else {
                for (long vn : serves) {
                    if (vn < 0 || vn > 0xFFFFFFFFL) {
                        r.problem(nva, "serves", "VN ID " + vn + " is not a 32-bit unsigned number");
                    } else {
                        vns.add((int) vn);
                    }
                }
            }
            return new NvaService(NvaService.Mode.REMOTE, null, servers, token, vns);
        }
        if (token != null) {
            r.problem(nva, "token", "a token is for a remote NVA (servers)");
        }
        return embedded ? new NvaService(NvaService.Mode.EMBEDDED, state == null ? null : java.nio.file.Path.of(state),
                List.of(), null) : NvaService.LOCAL;
    }

    /** [limits]: what one end device (and the end devices of one port) may make the nNVE hold (SEC-4, SEC-5). */
    private static NnveConfig.Limits limits(Reader r) {
        Table t = r.single("limits");
        NnveConfig.Limits d = NnveConfig.Limits.DEFAULT;
        int max = Integer.MAX_VALUE;
        NnveConfig.Limits out = new NnveConfig.Limits(
                (int) r.integer(t, "tsis_per_peer", d.tsisPerPeer(), 1, 1_000_000),
                (int) r.integer(t, "vns_per_peer", d.vnsPerPeer(), 1, 4094),
                (int) r.integer(t, "addresses_per_tsi", d.addressesPerTsi(), 1, 65_536),
                (int) r.integer(t, "fragments_per_change", d.fragmentsPerChange(), 1, 65_536),
                (int) r.integer(t, "fragment_octets_per_change", d.fragmentOctetsPerChange(), 1, max),
                (int) r.integer(t, "fragments_per_peer", d.fragmentsPerPeer(), 1, max),
                (int) r.integer(t, "fragment_octets_per_peer", d.fragmentOctetsPerPeer(), 1, max),
                (int) r.integer(t, "fragment_octets_per_port", d.fragmentOctetsPerPort(), 1, max),
                (int) r.integer(t, "answers_per_peer", d.responsesPerPeer(), 1, max),
                (int) r.integer(t, "tags_per_peer", d.tagsPerPeer(), 1, 4094),
                (int) r.integer(t, "tags_per_port", d.tagsPerPort(), 1, 4094));
        r.unknownKeys(t);
        return out;
    }

    /** The VN Name a [[nva.vn]] without {@code name} gets: a name-based UUID of "splitnve-vn-ID". */
    public static UUID defaultName(long id) {
        return UUID.nameUUIDFromBytes(("splitnve-vn-" + id).getBytes(StandardCharsets.UTF_8));
    }

    static String ranges(BitSet b) {
        List<String> out = new ArrayList<>();
        for (int a = b.nextSetBit(0); a >= 0; ) {
            int end = b.nextClearBit(a) - 1;
            out.add(Reader.text(new int[] {a, end}));
            a = b.nextSetBit(end + 1);
        }
        return String.join(", ", out);
    }
}
