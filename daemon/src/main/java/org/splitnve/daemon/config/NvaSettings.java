package org.splitnve.daemon.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.splitnve.config.ConfFile;
import org.splitnve.config.ConfFile.Table;
import org.splitnve.config.ConfigException;
import org.splitnve.config.Reader;
import org.splitnve.nva.ProvisioningMode;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.etcd.Stores;

/**
 * The NVA daemon's configuration file ({@code splitnve nva --config FILE}, docs/nva-api.md, examples/nva.toml),
 * validated: [nva] (name, the store, the change log's bound), [api] (as the other daemons': listen,
 * the operator's token_file, host_names), [tls] (a PKCS#12 key store; required when [api] listen is not loopback:
 * plain HTTP only on loopback), [log], and [[vn]]: VNs imported once (each added at start when the NVA has no VN
 * with its ID yet; NVA-1: from then on the NVA's state is the reference, not this file).
 */
public record NvaSettings(String name, String store, int maxLogEvents, ApiSettings api, TlsSettings tls, LogSettings log,
        List<VnImport> vns) {
    /** The NVA's default port: 127.0.0.1:7490. */
    public static final int NVA_PORT = 7490;
    static final Set<String> SINGLES = Set.of("nva", "api", "tls", "log");
    static final Set<String> ARRAYS = Set.of("vn");

    /** [tls]: the key store (PKCS#12) with the NVA's certificate and key, and its password (kept as text). */
    public record TlsSettings(Path keystore, String passwordText) {
        /** The password, as the key store API takes it (a new array each time). */
        public char[] password() {
            return passwordText.toCharArray();
        }

        @Override
        public String toString() {
            return "TlsSettings[keystore=" + keystore + ", password=(hidden)]";
        }
    }

    /** One [[vn]] to import, and whether any TSI may join it (a tsi-permit for "*"). */
    public record VnImport(VnRecord vn, boolean permitAny) {
    }

    /**
     * The {@code store} setting as {@link Stores#open} takes it (docs/nva-api.md): {@code sqlite:PATH} or a bare
     * {@code PATH} (the SQLite state file; relative to the configuration file), {@code etcd://HOST:PORT,.../PREFIX}
     * (several NVA instances on one etcd cluster, NVA-2) or {@code memory:}. Checked here, opened at start.
     */
    static String store(Reader r, Table nva, String text) {
        if (text == null) {
            return null;
        }
        String spec = text;
        boolean scheme = text.matches("(?s)[A-Za-z][A-Za-z0-9+.-]*:.*");
        if (!scheme || text.startsWith("sqlite:")) {
            String file = scheme ? text.substring("sqlite:".length()) : text;
            if (file.startsWith("//")) {
                file = file.substring(2);
            }
            if (file.isEmpty()) {
                r.problem(nva, "store", "sqlite: needs a file: sqlite:/var/lib/splitnve/nva.db");
                return null;
            }
            Path p = r.relative(nva, "store", file);
            if (p == null) {
                return null;
            }
            spec = "sqlite:" + p;
        }
        try {
            Stores.parse(spec);
        } catch (IllegalArgumentException e) {
            r.problem(nva, "store", e.getMessage());
            return null;
        }
        return spec;
    }

    /** The SQLite state file of a {@code sqlite:} store, else null (etcd, memory). */
    public Path stateFile() {
        return Stores.parse(store) instanceof Stores.Spec.Sqlite q ? q.file() : null;
    }

    public static NvaSettings load(Path path) throws ConfigException {
        return from(ConfFile.load(path));
    }

    /** The same settings with another [api] (tests listen on 127.0.0.1:0). */
    public NvaSettings withApi(ApiSettings a) {
        return new NvaSettings(name, store, maxLogEvents, a, tls, log, vns);
    }

    public static NvaSettings from(ConfFile f) throws ConfigException {
        Reader r = new Reader(f);
        r.sections(SINGLES, ARRAYS);
        Table nva = r.single("nva");
        String name = r.string(nva, "name", "nva");
        String store = store(r, nva, r.string(nva, "store", "nva.db"));
        int maxLog = (int) r.integer(nva, "max_log_events", 100_000, 1_000, 100_000_000);
        r.unknownKeys(nva);

        ApiSettings api = Sections.api(r, NVA_PORT);
        if (!api.enabled()) {
            r.problem(r.single("api"), "listen", "the NVA serves its nNVEs over HTTP: listen cannot be \"off\"");
        }
        Table tt = r.single("tls");
        TlsSettings tls = null;
        String ks = r.string(tt, "keystore", null);
        if (ks != null) {
            Path p = r.relative(tt, "keystore", ks);
            String pass = Sections.tokenFile(r, tt, "password_file");
            if (!tt.has("password_file")) {
                r.problem(tt, "password_file", "a key store needs its password (password_file = \"FILE\")");
            }
            if (p != null && pass != null) {
                tls = new TlsSettings(p, pass);
            }
        }
        r.unknownKeys(tt);
        if (api.enabled() && tls == null && !api.listen().getAddress().isLoopbackAddress()) {
            r.problem(r.single("api"), "listen", Reader.hostPort(api.listen()) + " is not a loopback address: the NVA"
                    + " then serves HTTPS only ([tls] keystore = \"nva.p12\", password_file = \"FILE\")");
        }
        LogSettings log = Sections.log(r);

        List<VnImport> vns = new ArrayList<>();
        Map<String, Table> seen = new HashMap<>();
        for (Table t : r.array("vn")) {
            long id = r.integer(t, "id", -1, 0, 0xFFFF_FFFFL);
            if (!t.has("id")) {
                r.problem(t, "id", "required (the VN ID, 0..4294967295)");
            }
            String alias = r.required(t, "alias");
            long context = r.integer(t, "context", id < 0 ? 0 : id & 0xFF_FFFF, 0, 0xFF_FFFF);
            String service = r.choice(t, "service", "l2", "l2", "l3");
            String mode = r.choice(t, "mode", "trusted", "trusted", "validated");
            String nameText = r.string(t, "name", null);
            boolean permitAny = r.bool(t, "permit_any", false);
            r.unknownKeys(t);
            if (id < 0 || alias == null || service == null || mode == null) {
                continue;
            }
            r.unique(seen, t, "id", String.valueOf(id), "VN ID");
            UUID vnName = null;
            if (nameText == null) {
                vnName = UUID.nameUUIDFromBytes(("splitnve-vn:" + alias).getBytes(StandardCharsets.UTF_8));
            } else {
                try {
                    vnName = UUID.fromString(nameText);
                } catch (IllegalArgumentException e) {
                    r.problem(t, "name", "'" + nameText + "' is not a UUID (the VN Name)");
                    continue;
                }
            }
            try {
                VnRecord vn = VnRecord.of(vnName, id, alias, (int) context,
                        VnService.valueOf(service.toUpperCase(Locale.ROOT)))
                        .withMode(ProvisioningMode.valueOf(mode.toUpperCase(Locale.ROOT)));
                vns.add(new VnImport(vn, permitAny));
            } catch (IllegalArgumentException e) {
                r.problem(t, "alias", e.getMessage());
            }
        }
        r.throwIfAny();
        return new NvaSettings(name, store, maxLog, api, tls, log, List.copyOf(vns));
    }
}
