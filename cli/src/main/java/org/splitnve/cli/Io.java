package org.splitnve.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;
import java.util.Objects;

/** Where a command reads and writes, and the environment it sees (tests pass their own). */
public record Io(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
    public Io {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(in, "in");
        env = Map.copyOf(env);
    }

    /** The process's standard streams and environment. */
    public static Io system() {
        return new Io(System.out, System.err, System.in, System.getenv());
    }

    /** An environment variable, or null when unset or empty. */
    public String env(String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? null : v;
    }
}
