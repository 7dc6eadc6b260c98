package org.splitnve.daemon.config;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import org.splitnve.config.Reader;

/**
 * [api]: where the daemon's HTTP API listens (null: off), the bearer token every request must
 * carry (null: none; required when {@code listen} is not a loopback address, SEC-1), and the host
 * names the API may be called by besides its address (SEC-8: the {@code Host} header; lower case).
 */
public record ApiSettings(InetSocketAddress listen, String token, List<String> hostNames) {
    /** The nNVE's default: 127.0.0.1:7480. */
    public static final int NNVE_PORT = 7480;
    /** The tNVE's default: 127.0.0.1:7481. */
    public static final int TNVE_PORT = 7481;
    public static final ApiSettings OFF = new ApiSettings(null, null);

    public ApiSettings {
        hostNames = hostNames == null ? List.of() : hostNames.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
    }

    /** No host names besides the address. */
    public ApiSettings(InetSocketAddress listen, String token) {
        this(listen, token, List.of());
    }

    /** A token has at least this many characters. */
    public static final int MIN_TOKEN_LENGTH = 16;

    public boolean enabled() {
        return listen != null;
    }

    /** On loopback, {@code port} (0: any free port), no token: what tests and the demo use. */
    public static ApiSettings loopback(int port) {
        return new ApiSettings(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), null);
    }

    @Override
    public String toString() {
        return listen == null ? "off" : Reader.hostPort(listen) + (token == null ? "" : " (bearer token)")
                + (hostNames.isEmpty() ? "" : " " + hostNames);
    }
}
