package org.splitnve.cli;

import java.util.HashMap;
import java.util.Map;
import org.splitnve.api.JsonCodec;

/** What the API commands ({@code vm}, {@code show}, {@code tsi}, {@code watch}) share. */
public final class Cli {
    /** Options every API command takes: true when the option takes a value. */
    static final Map<String, Boolean> COMMON = Map.of("--api", true, "--token-file", true, "--json", false,
            "--timeout", true);

    private Cli() {
    }

    /** A positive whole number option's value ({@code text}), or {@code otherwise} when absent. */
    public static long positive(String name, String text, long otherwise) throws UsageException {
        if (text == null) {
            return otherwise;
        }
        try {
            long n = Long.parseLong(text);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException(name + " takes a whole number above 0, not '" + text + "'");
    }

    /** The common options plus {@code more} (for {@link Args#parse}). */
    static Map<String, Boolean> options(Object... more) {
        Map<String, Boolean> m = new HashMap<>(COMMON);
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], (Boolean) more[i + 1]);
        }
        return m;
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
