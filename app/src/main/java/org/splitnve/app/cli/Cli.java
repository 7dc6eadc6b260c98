package org.splitnve.app.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.splitnve.app.json.JsonCodec;

/**
 * What the API commands ({@code vm}, {@code show}, {@code watch}) share: the common options, the
 * client they make, and how failures become exit statuses (1: the daemon could not be reached or
 * refused; 2: a usage mistake, with the command's usage text).
 */
public final class Cli {
    /** Options every API command takes: true when the option takes a value. */
    static final Map<String, Boolean> COMMON = Map.of("--api", true, "--token-file", true, "--json", false,
            "--timeout", true);

    static final String COMMON_USAGE = """
            options of every command that talks to a daemon:
              --api URL          the daemon's API (default: env SPLITNVE_API, else http://127.0.0.1:7481 for
                                 vm, http://127.0.0.1:7480 for show and watch)
              --token-file FILE  the bearer token (SEC-1; default: env SPLITNVE_TOKEN holding the token, or
                                 env SPLITNVE_TOKEN_FILE naming a file); needed when the daemon has one
              --json             print the daemon's JSON answers instead of text for people
              --timeout SECONDS  how long to wait for an answer (default 60)
            exit status: 0 done, 1 the daemon is not reachable or refused (the error, the VDP reason code
            and detail on stderr), 2 a usage mistake
            """;

    private Cli() {
    }

    /** A command's body: its exit status, or a usage mistake, or a failed call. */
    @FunctionalInterface
    interface Body {
        int run() throws UsageException, ApiException;
    }

    /** Runs a body: usage mistakes print the message and {@code usage} (exit 2), API failures the error (exit 1). */
    static int execute(Io io, String usage, Body body) {
        try {
            return body.run();
        } catch (UsageException e) {
            io.err().println("splitnve: " + e.getMessage());
            io.err().print(usage);
            return 2;
        } catch (ApiException e) {
            io.err().println("splitnve: " + e.getMessage());
            return 1;
        }
    }

    /** The common options plus {@code more}. */
    static Map<String, Boolean> options(Object... more) {
        Map<String, Boolean> m = new HashMap<>(COMMON);
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], (Boolean) more[i + 1]);
        }
        return m;
    }

    /** The client the common options describe. */
    static ApiClient client(Args a, Io io, String defaultUrl) throws UsageException {
        return client(a, io, a.value("--api"), defaultUrl);
    }

    static ApiClient client(Args a, Io io, String url, String defaultUrl) throws UsageException {
        long timeout = a.positive("--timeout", 60);
        return ApiClient.from(url, a.value("--token-file"), timeout, io, defaultUrl);
    }

    static boolean isHelp(List<String> argv) {
        return argv.contains("--help") || argv.contains("-h");
    }

    /** Prints a JSON answer for {@code --json}: one line. */
    static void printJson(Io io, Object j) {
        io.out().println(JsonCodec.write(j));
    }

    /** Milliseconds since {@code startNanos}, for progress lines. */
    static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
