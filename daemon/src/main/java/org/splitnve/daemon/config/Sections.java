package org.splitnve.daemon.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.splitnve.config.ConfFile.Table;
import org.splitnve.config.Reader;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.auth.KeyRing;

/**
 * The sections and values both daemons' configurations have ([timers], [log], [lldp], [api], key files), read
 * through a {@link Reader}: every mistake one of its problems.
 */
final class Sections {
    private Sections() {
    }

    /** The [timers] section, defaults lldpad's (R 3, RTE 14, RWD 20, RKA 20). */
    static Timers timers(Reader r) {
        Table t = r.single("timers");
        Timers d = Timers.STANDARD;
        Timers out = new Timers((int) r.integer(t, "retries", d.retries(), 0, 7), (int) r.integer(t, "rte", d.rte(), 0, 31),
                (int) r.integer(t, "rwd", d.rwd(), 0, 31), (int) r.integer(t, "rka", d.rka(), 0, 31));
        r.unknownKeys(t);
        return out;
    }

    /** The [log] section. */
    static LogSettings log(Reader r) {
        Table t = r.single("log");
        String format = r.choice(t, "format", "text", "text", "json");
        String level = r.choice(t, "level", "info", "debug", "info", "warn", "error");
        r.unknownKeys(t);
        return new LogSettings(format.equals("json"), org.splitnve.protocol.event.Event.Level.valueOf(level.toUpperCase(java.util.Locale.ROOT)));
    }

    /** The [lldp] section. */
    static LldpSettings lldp(Reader r) {
        Table t = r.single("lldp");
        boolean on = r.bool(t, "enabled", true);
        long interval = r.integer(t, "interval", 30, 1, 3600);
        long ttl = r.integer(t, "ttl", 120, 0, 65535);
        r.unknownKeys(t);
        return new LldpSettings(on, interval, (int) ttl);
    }

    /**
     * The [api] section: {@code listen} ("HOST:PORT", "[IPv6]:PORT" or "off"; HOST an IP literal or
     * localhost; port 0 = any free port) and {@code token_file} (relative to the configuration file; the
     * token is its first non-empty line, at least {@link ApiSettings#MIN_TOKEN_LENGTH} characters).
     * A listen address other than loopback without a token is refused (SEC-1). {@code host_names}: the
     * names the API may be called by besides its address (the Host header, SEC-8).
     */
    static ApiSettings api(Reader r, int defaultPort) {
        Table t = r.single("api");
        String listen = r.string(t, "listen", "127.0.0.1:" + defaultPort);
        InetSocketAddress address = null;
        boolean off = "off".equals(listen);
        if (!off && listen != null) {
            address = Reader.socketAddress(listen);
            if (address == null) {
                r.problem(t, "listen", "'" + listen + "' is not HOST:PORT (e.g. \"127.0.0.1:" + defaultPort
                        + "\", \"[::1]:" + defaultPort + "\", \"0.0.0.0:" + defaultPort
                        + "\"; HOST an IP address or localhost, PORT 0..65535) nor \"off\"");
            }
        }
        String token = tokenFile(r, t, "token_file");
        if (address != null && !address.getAddress().isLoopbackAddress() && !t.has("token_file")) {
            r.problem(t, "listen", Reader.hostPort(address) + " is not a loopback address: the API then needs a bearer token"
                    + " (token_file = \"FILE\"), or listen on 127.0.0.1 / [::1]");
        }
        List<String> names = new ArrayList<>();
        List<String> given = r.strings(t, "host_names");
        for (String n : given == null ? List.<String>of() : given) {
            if (n.length() > 253 || !n.matches("(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")) {
                r.problem(t, "host_names", "'" + n + "' is not a host name (e.g. \"nnve1.example.org\"; no port, no"
                        + " wildcard: the API's own address and, on loopback, localhost are accepted anyway)");
            } else {
                names.add(n);
            }
        }
        r.unknownKeys(t);
        return off ? ApiSettings.OFF : new ApiSettings(address, token, names);
    }

    /** The bearer token: the first non-empty line of the file (relative to the configuration file). */
    static String tokenFile(Reader r, Table t, String key) {
        String name = r.string(t, key, null);
        if (name == null) {
            return null;
        }
        Path p = r.relative(t, key, name);
        if (p == null) {
            return null;
        }
        String text;
        try {
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            r.problem(t, key, "token file " + p + " does not exist");
            return null;
        } catch (IOException | java.io.UncheckedIOException e) {
            r.problem(t, key, "token file " + p + " is not readable: " + e.getMessage());
            return null;
        }
        for (String line : text.lines().toList()) {
            String s = line.strip();
            if (s.isEmpty()) {
                continue;
            }
            if (s.length() < ApiSettings.MIN_TOKEN_LENGTH || !s.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
                r.problem(t, key, "the token in " + p + " has " + s.length() + " characters; a token is at least "
                        + ApiSettings.MIN_TOKEN_LENGTH + " printable ASCII characters without spaces");
                return null;
            }
            return s;
        }
        r.problem(t, key, "token file " + p + " holds no token (its first non-empty line is the token)");
        return null;
    }

    /**
     * A key file: hex key material (whitespace and # comment lines ignored), at least
     * {@link KeyRing#MIN_KEY_LENGTH} octets. The path is relative to the configuration file's directory.
     */
    static byte[] keyFile(Reader r, Table t, String key) {
        String name = r.required(t, key);
        if (name == null) {
            return null;
        }
        Path p = r.relative(t, key, name);
        if (p == null) {
            return null;
        }
        String text;
        try {
            text = Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            r.problem(t, key, "key file " + p + " does not exist");
            return null;
        } catch (IOException e) {
            r.problem(t, key, "key file " + p + " is not readable: " + e.getMessage());
            return null;
        }
        StringBuilder hex = new StringBuilder();
        for (String line : text.lines().toList()) {
            String s = line.strip();
            if (!s.startsWith("#")) {
                hex.append(s.replaceAll("\\s+", ""));
            }
        }
        byte[] material;
        try {
            if (hex.length() % 2 != 0) {
                throw new IllegalArgumentException("odd number of hex digits");
            }
            material = HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            r.problem(t, key, "key file " + p + " does not hold a hex key (" + e.getMessage() + ")");
            return null;
        }
        if (material.length < KeyRing.MIN_KEY_LENGTH) {
            r.problem(t, key, "key file " + p + " holds " + material.length + " octets; a key has at least "
                    + KeyRing.MIN_KEY_LENGTH + " (" + 2 * KeyRing.MIN_KEY_LENGTH + " hex digits)");
            return null;
        }
        return material;
    }
}
