package org.splitnve.cli;

import java.nio.file.Path;
import org.splitnve.cli.ClientSettings.Kind;
import org.splitnve.config.ConfigException;
import picocli.CommandLine.Option;

/**
 * The options of every command that talks to a daemon (a picocli mixin): which daemon ({@code --endpoint}
 * of the client configuration, or {@code --api} and {@code --token-file}), {@code --json} and {@code --timeout}.
 */
public final class ApiOptions {
    @Option(names = {"-e", "--endpoint"}, paramLabel = "NAME", description = "a daemon named in the client"
            + " configuration (the file env SPLITNVE_CLIENT_CONFIG names, else ~/.config/splitnve/client.conf): its URL"
            + " and its token; default: env SPLITNVE_ENDPOINT, else the file's [defaults]")
    String endpoint;

    @Option(names = "--api", paramLabel = "URL", description = "the daemon's API instead (default: env SPLITNVE_API,"
            + " else the default endpoint, else http://127.0.0.1:7481 for a tNVE, http://127.0.0.1:7480 for an nNVE)")
    String api;

    @Option(names = "--token-file", paramLabel = "FILE", description = "the file holding the bearer token a daemon"
            + " not on loopback asks for (default: the endpoint's, also for an --api URL that is an endpoint's, else"
            + " env SPLITNVE_TOKEN holding the token, or env SPLITNVE_TOKEN_FILE naming a file)")
    String tokenFile;

    @Option(names = "--json", description = "print the daemon's JSON answers instead of text for people")
    boolean json;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "how long to wait for an answer (default ${DEFAULT-VALUE})")
    String timeout;

    /** The client configuration this environment names ({@code SPLITNVE_CLIENT_CONFIG} or the default file). */
    static ClientSettings clientSettings(Io io) throws UsageException {
        String named = io.env("SPLITNVE_CLIENT_CONFIG");
        String home = io.env("HOME");
        Path homeDir = home == null ? null : Path.of(home);
        Path file;
        if (named != null) {
            file = Path.of(named);
        } else {
            String xdg = io.env("XDG_CONFIG_HOME");
            if (xdg != null) {
                file = Path.of(xdg, "splitnve", "client.conf");
            } else if (homeDir != null) {
                file = homeDir.resolve(".config/splitnve/client.conf");
            } else {
                return ClientSettings.none(null);
            }
        }
        try {
            return ClientSettings.load(file, named == null, homeDir);
        } catch (ConfigException e) {
            throw new UsageException("the client configuration: " + e.getMessage());
        }
    }

    /** The timeout in seconds. */
    long timeoutSeconds() throws UsageException {
        return Cli.positive("--timeout", timeout, 60);
    }

    /**
     * The client these options name for a command that talks to a daemon of {@code kind} (null: either kind):
     * {@code --api} (with {@code --token-file} or the environment's token), else {@code --endpoint} (or
     * {@code SPLITNVE_ENDPOINT}), else {@code SPLITNVE_API}, else the client configuration's default for the
     * kind, else the built-in default.
     */
    ApiClient client(Io io, Kind kind) throws UsageException {
        return resolve(io, api, endpoint, tokenFile, kind, kind, timeoutSeconds());
    }

    /**
     * The client for a command that talks to either kind of daemon ({@code watch}, {@code show status}): by default
     * the default endpoint (or built-in address) of {@code usual}, any endpoint named.
     */
    ApiClient clientOfAnyKind(Io io, Kind usual) throws UsageException {
        return resolve(io, api, endpoint, tokenFile, null, usual, timeoutSeconds());
    }

    /**
     * One side's client: {@code url} or {@code endpointName} (at most one; {@code url} may also be an endpoint's
     * name), the token from {@code tokenFile}, else the endpoint's, else the environment's.
     */
    static ApiClient resolve(Io io, String url, String endpointName, String tokenFile, Kind kind, long timeout)
            throws UsageException {
        return resolve(io, url, endpointName, tokenFile, kind, kind, timeout);
    }

    /** As above; {@code kind} null: any kind will do, {@code usual} gives the default. */
    static ApiClient resolve(Io io, String url, String endpointName, String tokenFile, Kind kind, Kind usual, long timeout)
            throws UsageException {
        if (url != null && endpointName != null) {
            throw new UsageException("--api and --endpoint name two daemons: give one");
        }
        ClientSettings.Endpoint ep = null;
        String chosenUrl = url;
        if (url == null) {
            String name = endpointName != null ? endpointName : io.env("SPLITNVE_API") == null
                    ? io.env("SPLITNVE_ENDPOINT") : null;
            ClientSettings cs = null;
            if (name != null) {
                cs = clientSettings(io);
                ep = cs.endpoints().get(name);
                if (ep == null) {
                    throw new UsageException("no endpoint '" + name + "' in " + where(cs)
                            + (cs.endpoints().isEmpty() ? "" : " (it has: " + String.join(", ", cs.endpoints().keySet()) + ")"));
                }
            } else if (io.env("SPLITNVE_API") == null && usual != null) {
                cs = clientSettings(io);
                ep = cs.defaultFor(usual);
            }
            if (ep != null && kind != null && ep.kind() != kind) {
                throw new UsageException("endpoint '" + ep.name() + "' is " + ep.kind().withArticle() + "; this command talks to "
                        + kind.withArticle());
            }
            chosenUrl = ep != null ? ep.url() : io.env("SPLITNVE_API");
        }
        String dflt = usual == Kind.TNVE ? ApiClient.TNVE_DEFAULT : ApiClient.NNVE_DEFAULT;
        java.net.URI base = ApiClient.baseUri(chosenUrl != null ? chosenUrl : dflt);
        if (url != null && tokenFile == null) {
            ep = byUrl(io, base); // a URL that is an endpoint's takes the endpoint's token
        }
        String token = tokenFile != null ? ApiClient.readToken(Path.of(tokenFile), "--token-file")
                : ep != null && ep.tokenFile() != null
                        ? ApiClient.readToken(ep.tokenFile(), "endpoint '" + ep.name() + "' token_file")
                        : ApiClient.envToken(io);
        return new ApiClient(base, token, java.time.Duration.ofSeconds(timeout));
    }

    /** The endpoint of the client configuration with this URL, or null (also when the configuration cannot be read). */
    private static ClientSettings.Endpoint byUrl(Io io, java.net.URI base) {
        ClientSettings cs;
        try {
            cs = clientSettings(io);
        } catch (UsageException e) {
            return null; // --api names the daemon: a broken client configuration is no reason to refuse
        }
        for (ClientSettings.Endpoint e : cs.endpoints().values()) {
            try {
                if (ApiClient.baseUri(e.url()).equals(base)) {
                    return e;
                }
            } catch (UsageException x) {
                // not a URL the client takes: not this one
            }
        }
        return null;
    }

    private static String where(ClientSettings cs) {
        return cs.file() == null ? "the client configuration (no HOME)" : cs.file().toString();
    }
}
