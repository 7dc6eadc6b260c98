package org.splitnve.daemon.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.splitnve.config.ConfFile.Table;
import org.splitnve.config.ConfFile;
import org.splitnve.config.ConfigException;
import org.splitnve.config.Reader;
import org.splitnve.protocol.Timers;
import org.splitnve.tnve.TnveConfig;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.VdpCodec;

/**
 * The tNVE daemon's configuration file (docs/configuration.md), validated.
 *
 * @param dataplane the hypervisor's Open vSwitch bridge the tNVE programs ([dataplane], DP-4), or null: none
 */
public record TnveSettings(String name, int extensionOui, List<UplinkSettings> uplinks,
        Map<Long, TnveConfig.Placement> placements, Timers timers, List<KeySettings> keys, LogSettings log,
        LldpSettings lldp, ApiSettings api, Path stateDir, TnveDataplaneSettings dataplane) {

    /** Where a tNVE keeps its VMs when [state] dir is not set: this directory, then "tnve-" and its name. */
    public static final Path STATE_ROOT = Path.of("/var/lib/splitnve");

    /**
     * One [[uplink]]: an nNVE reached through an interface. Uplinks on the same interface share a port.
     *
     * @param destination where VDP goes: the nNVE's MAC, a multicast group, or the nearest customer bridge
     * @param nnve        the nNVE's MAC if known (required with a key), else null
     */
    public record UplinkSettings(String name, String iface, String namespace, MacAddress destination, MacAddress nnve,
            FilterFormat filter) {
        public String portLabel() {
            return namespace == null ? iface : namespace + "/" + iface;
        }
    }

    /**
     * One [[auth.key]]: the key shared with one uplink's nNVE (the first listed for an uplink is current). A final
     * class, not a record: its key material is an array, copied in and out so that the settings stay immutable.
     */
    public static final class KeySettings {
        private final String uplink;
        private final int id;
        private final byte[] material;

        public KeySettings(String uplink, int id, byte[] material) {
            this.uplink = uplink;
            this.id = id;
            this.material = material.clone();
        }

        public String uplink() {
            return uplink;
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
            return o instanceof KeySettings k && java.util.Objects.equals(uplink, k.uplink) && id == k.id
                    && java.util.Arrays.equals(material, k.material);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(uplink, id, java.util.Arrays.hashCode(material));
        }

        /** Without the key material. */
        @Override
        public String toString() {
            return "KeySettings[uplink=" + uplink + ", id=" + id + "]";
        }
    }

    static final Set<String> SINGLES = Set.of("tnve", "timers", "log", "lldp", "api", "state", "dataplane");
    static final Set<String> ARRAYS = Set.of("uplink", "placement", "auth.key", "dataplane.vm");

    public static TnveSettings load(Path path) throws ConfigException {
        return from(ConfFile.load(path));
    }

    /** The same settings with another [api] (tests and the demo listen on 127.0.0.1:0). */
    public TnveSettings withApi(ApiSettings a) {
        return new TnveSettings(name, extensionOui, uplinks, placements, timers, keys, log, lldp, a, stateDir, dataplane);
    }

    /** The same settings with another state directory (tests and the demo use temporary ones). */
    public TnveSettings withStateDir(Path dir) {
        return new TnveSettings(name, extensionOui, uplinks, placements, timers, keys, log, lldp, api, dir, dataplane);
    }

    static FilterFormat filter(String s) {
        return switch (s) {
            case "vid" -> FilterFormat.VID;
            case "mac-vid" -> FilterFormat.MAC_VID;
            case "group-vid" -> FilterFormat.GROUP_VID;
            default -> FilterFormat.GROUP_MAC_VID;
        };
    }

    public static TnveSettings from(ConfFile f) throws ConfigException {
        Reader r = new Reader(f);
        r.sections(SINGLES, ARRAYS);
        Table tnve = r.single("tnve");
        if (tnve.line() == 0) {
            r.problem("missing section [tnve] (it holds at least name = \"...\")");
        }
        String name = tnve.line() == 0 ? "tnve" : r.required(tnve, "name");
        int oui = r.oui(tnve, "extension_oui", VdpCodec.DEFAULT_OUI);
        r.unknownKeys(tnve);

        List<UplinkSettings> uplinks = new ArrayList<>();
        Map<String, Table> names = new HashMap<>();
        List<Table> uplinkTables = r.array("uplink");
        if (uplinkTables.isEmpty()) {
            r.problem("no [[uplink]]: the tNVE needs at least one");
        }
        for (Table t : uplinkTables) {
            String un = r.required(t, "name");
            String iface = r.required(t, "interface");
            String ns = r.string(t, "namespace", null);
            String destText = r.string(t, "destination", "ncb");
            MacAddress dest = null;
            if (destText != null && (destText.equals("ncb") || destText.equals("nearest-customer-bridge"))) {
                dest = MacAddress.NEAREST_CUSTOMER_BRIDGE;
            } else if (destText != null) {
                try {
                    dest = MacAddress.parse(destText);
                    if (dest.value() == 0 || dest.value() == 0xFFFF_FFFF_FFFFL) {
                        r.problem(t, "destination", dest + " is neither a station nor a group address");
                        dest = null;
                    } else if (dest.isReservedGroup() && !dest.equals(MacAddress.NEAREST_CUSTOMER_BRIDGE)) {
                        r.problem(t, "destination", dest + " is a reserved group other than the nearest customer"
                                + " bridge (VDP goes to 01:80:c2:00:00:00, write \"ncb\")");
                        dest = null;
                    }
                } catch (IllegalArgumentException e) {
                    r.problem(t, "destination", "bad MAC address '" + destText
                            + "' (write aa:bb:cc:dd:ee:ff, or \"ncb\" for the nearest customer bridge)");
                }
            }
            MacAddress nnve = r.mac(t, "nnve");
            if (nnve != null && !nnve.isValidUnicast()) {
                r.problem(t, "nnve", nnve + " is not a unicast MAC address (the nNVE's port MAC)");
                nnve = null;
            }
            String filter = r.choice(t, "filter", "group-mac-vid", "vid", "mac-vid", "group-vid", "group-mac-vid");
            r.unknownKeys(t);
            r.unique(names, t, "name", un, "uplink name");
            if (un != null && iface != null && dest != null) {
                uplinks.add(new UplinkSettings(un, iface, ns, dest, nnve, filter(filter)));
            }
        }

        Map<Long, TnveConfig.Placement> placements = new LinkedHashMap<>();
        Map<String, Table> vns = new HashMap<>();
        for (Table t : r.array("placement")) {
            long vn = r.integer(t, "vn", -1, 0, 0xFFFF_FFFFL);
            if (!t.has("vn")) {
                r.problem(t, null, "missing required key 'vn' (a VN ID)");
            }
            String mode = r.choice(t, "mode", "active-standby", "active-standby", "active-active");
            List<String> ups = r.strings(t, "uplinks");
            if (!t.has("uplinks")) {
                r.problem(t, null, "missing required key 'uplinks' (names of [[uplink]]s)");
            } else if (ups != null && ups.isEmpty()) {
                r.problem(t, "uplinks", "names at least one uplink");
            } else if (ups != null) {
                for (String u : ups) {
                    if (!names.containsKey(u)) {
                        r.problem(t, "uplinks", "no [[uplink]] is named '" + u + "'");
                    }
                }
                if (Set.copyOf(ups).size() != ups.size()) {
                    r.problem(t, "uplinks", "an uplink is listed twice");
                }
            }
            r.unknownKeys(t);
            r.unique(vns, t, "vn", vn < 0 ? null : String.valueOf(vn), "placement of VN");
            if (vn >= 0 && ups != null && !ups.isEmpty()) {
                placements.put(vn, new TnveConfig.Placement(mode.equals("active-active")
                        ? TnveConfig.Mode.ACTIVE_ACTIVE : TnveConfig.Mode.ACTIVE_STANDBY, ups));
            }
        }

        Timers timers = Sections.timers(r);

        List<KeySettings> keys = new ArrayList<>();
        Map<String, Table> seenKeys = new HashMap<>();
        for (Table t : r.array("auth.key")) {
            String uplink = r.required(t, "uplink");
            if (uplink != null && !names.containsKey(uplink)) {
                r.problem(t, "uplink", "no [[uplink]] is named '" + uplink + "'");
            } else if (uplink != null) {
                for (UplinkSettings u : uplinks) {
                    if (u.name().equals(uplink) && u.nnve() == null) {
                        r.problem(t, "uplink", "uplink '" + uplink + "' has a key but no nnve = MAC: authentication"
                                + " binds the key to both MAC addresses");
                    }
                }
            }
            long id = r.integer(t, "id", -1, 0, 0xFFFF_FFFFL);
            if (!t.has("id")) {
                r.problem(t, null, "missing required key 'id' (the key ID, 0..4294967295)");
            }
            byte[] material = Sections.keyFile(r, t, "file");
            r.unknownKeys(t);
            r.unique(seenKeys, t, "id", uplink + "/" + id, "key ID " + id + " for uplink " + uplink);
            if (uplink != null && material != null && id >= 0) {
                keys.add(new KeySettings(uplink, (int) id, material));
            }
        }
        LogSettings log = Sections.log(r);
        LldpSettings lldp = Sections.lldp(r);
        ApiSettings api = Sections.api(r, ApiSettings.TNVE_PORT);
        Table state = r.single("state");
        String dir = r.string(state, "dir", null);
        // the default is resolved only for a name that is a file name (REL-5: a NUL threw InvalidPathException)
        Path stateDir = null;
        if (dir != null && dir.isBlank()) {
            r.problem(state, "dir", "an empty path (leave dir out for " + STATE_ROOT + "/tnve-" + name + ")");
        } else if (dir != null) {
            stateDir = r.relative(state, "dir", dir);
        } else if (name != null && (name.contains("/") || name.contains("\0"))) {
            r.problem(tnve, "name", "holds a '/' or a NUL, and the default state directory is " + STATE_ROOT
                    + "/tnve-NAME: set [state] dir = \"...\"");
        } else {
            stateDir = STATE_ROOT.resolve("tnve-" + name);
        }
        r.unknownKeys(state);
        TnveDataplaneSettings dataplane = TnveDataplaneSettings.read(r);
        r.throwIfAny();
        return new TnveSettings(name, oui, uplinks, placements, timers, keys, log, lldp, api, stateDir, dataplane);
    }
}
