package org.splitnve.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.splitnve.config.ConfFile.Table;
import org.splitnve.config.ConfFile;
import org.splitnve.config.ConfigException;
import org.splitnve.config.Reader;

/**
 * The operator's client configuration (the command line's, not a daemon's): named endpoints, each a daemon's
 * API with its own credentials, and which endpoint each kind of command uses by default, as kubeconfig
 * contexts are for kubectl. {@code ~/.config/splitnve/client.conf}, or the file {@code SPLITNVE_CLIENT_CONFIG}
 * names:
 *
 * <pre>
 * [defaults]
 * tnve = "h1"                           # `vm` without --endpoint
 * nnve = "tor_a"                        # `show`, `tsi`, `tags`, `watch` without --endpoint
 *
 * [endpoint.h1]
 * kind = "tnve"                         # tnve | nnve
 * url = "http://127.0.0.1:7481"
 * token_file = "h1.token"               # optional; relative to this file's directory, ~/ is the home
 * </pre>
 *
 * @param endpoints   by name, in file order
 * @param defaultTnve the endpoint name for tNVE commands, or null
 * @param defaultNnve the endpoint name for nNVE commands, or null
 */
public record ClientSettings(Path file, Map<String, Endpoint> endpoints, String defaultTnve, String defaultNnve) {
    /** The two kinds of daemon an endpoint can be. */
    public enum Kind {
        TNVE, NNVE;

        public String text() {
            return this == TNVE ? "tNVE" : "nNVE";
        }

        /** "a tNVE", "an nNVE". */
        public String withArticle() {
            return this == TNVE ? "a tNVE" : "an nNVE";
        }
    }

    /** One daemon's API: its name here, its kind, its URL and the file holding its bearer token (or null). */
    public record Endpoint(String name, Kind kind, String url, Path tokenFile) {}

    /** No file: no endpoints. */
    public static ClientSettings none(Path file) {
        return new ClientSettings(file, Map.of(), null, null);
    }

    public ClientSettings {
        endpoints = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(endpoints));
    }

    /** The default endpoint for commands that talk to this kind of daemon, or null. */
    public Endpoint defaultFor(Kind kind) {
        String n = kind == Kind.TNVE ? defaultTnve : defaultNnve;
        return n == null ? null : endpoints.get(n);
    }

    /**
     * Reads {@code path}; a missing file is no endpoints when {@code optional} (the default location), a
     * configuration error otherwise (a file named by the environment).
     */
    public static ClientSettings load(Path path, boolean optional, Path home) throws ConfigException {
        ConfFile f;
        try {
            f = ConfFile.read(path);
        } catch (NoSuchFileException e) {
            if (optional) {
                return none(path);
            }
            throw new ConfigException(List.of(path + ": no such client configuration file"));
        } catch (java.nio.file.AccessDeniedException e) {
            // the default location under a home directory this user may not enter (a service user whose HOME is
            // root's): nothing can be known to be there, so nothing is; a file that exists and is not readable
            // is a mistake to report
            if (optional && !java.nio.file.Files.exists(path)) {
                return none(path);
            }
            throw new ConfigException(List.of(path + ": cannot read the client configuration: permission denied"));
        } catch (IOException e) {
            throw new ConfigException(List.of(path + ": cannot read the client configuration: " + e.getMessage()));
        } catch (ConfFile.SyntaxError e) {
            throw new ConfigException(List.of(path + ":" + e.line + ": " + e.getMessage()));
        }
        return from(f, home);
    }

    static ClientSettings from(ConfFile f, Path home) throws ConfigException {
        Reader r = new Reader(f);
        Map<String, Endpoint> endpoints = new LinkedHashMap<>();
        Table defaults = null;
        for (Table t : f.tables()) {
            if (t.name().isEmpty()) {
                for (String k : t.keys()) {
                    if (!holdsTables(t.get(k))) {
                        r.problem(t, k, "a key outside any section (the file starts with [defaults] or [endpoint.NAME])");
                    }
                }
            } else if (t.name().equals("endpoint") && !t.array() && t.keys().stream().allMatch(k -> t.get(k) instanceof Table)) {
                // TOML makes [endpoint.NAME] a table NAME in a table endpoint: that one only holds the endpoints,
                // each read as its own section below; nothing to read here
            } else if (t.name().equals("defaults") && !t.array()) {
                defaults = t;
            } else if (t.name().startsWith("endpoint.") && !t.array() && t.name().indexOf('.', 9) < 0) {
                Endpoint e = endpoint(r, t, home);
                if (e != null) {
                    endpoints.put(e.name(), e);
                }
            } else {
                r.problem(t, null, "unknown section " + t.header() + " (known: [defaults], [endpoint.NAME])");
            }
        }
        String tnve = null;
        String nnve = null;
        if (defaults != null) {
            tnve = defaultName(r, defaults, "tnve", Kind.TNVE, endpoints);
            nnve = defaultName(r, defaults, "nnve", Kind.NNVE, endpoints);
            r.unknownKeys(defaults);
        }
        r.throwIfAny();
        return new ClientSettings(f.path(), endpoints, tnve, nnve);
    }

    /** A section, or a list of them, as TOML puts it in the table above it (read as a table of its own). */
    private static boolean holdsTables(Object v) {
        return v instanceof Table || (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(e -> e instanceof Table));
    }

    private static String defaultName(Reader r, Table t, String key, Kind kind, Map<String, Endpoint> endpoints) {
        String n = r.string(t, key, null);
        if (n == null) {
            return null;
        }
        Endpoint e = endpoints.get(n);
        if (e == null) {
            r.problem(t, key, "no [endpoint." + n + "] in this file");
            return null;
        }
        if (e.kind() != kind) {
            r.problem(t, key, "[endpoint." + n + "] is " + e.kind().withArticle() + ", not " + kind.withArticle());
            return null;
        }
        return n;
    }

    private static Endpoint endpoint(Reader r, Table t, Path home) {
        String name = t.name().substring("endpoint.".length());
        String kindText = r.required(t, "kind");
        Kind kind = null;
        if (kindText != null) {
            switch (kindText) {
                case "tnve" -> kind = Kind.TNVE;
                case "nnve" -> kind = Kind.NNVE;
                default -> r.problem(t, "kind", "tnve or nnve, not \"" + kindText + "\"");
            }
        }
        String url = r.required(t, "url");
        if (url != null) {
            try {
                URI u = new URI(url);
                if ((!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) || u.getHost() == null) {
                    r.problem(t, "url", "an http:// or https:// URL with a host, not \"" + url + "\"");
                    url = null;
                }
            } catch (URISyntaxException e) {
                r.problem(t, "url", "not a URL: \"" + url + "\"");
                url = null;
            }
        }
        String tokenText = r.string(t, "token_file", null);
        Path token = null;
        if (tokenText != null) {
            try {
                token = tokenText.startsWith("~/") && home != null ? home.resolve(tokenText.substring(2))
                        : resolve(r.file().path(), Path.of(tokenText));
            } catch (InvalidPathException e) {
                r.problem(t, "token_file", "not a file name: " + e.getMessage());
            }
        }
        r.unknownKeys(t);
        return kind == null || url == null ? null : new Endpoint(name, kind, url, token);
    }

    private static Path resolve(Path file, Path p) {
        Path dir = file.toAbsolutePath().getParent();
        return p.isAbsolute() || dir == null ? p : dir.resolve(p);
    }
}
