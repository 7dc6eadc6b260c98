package org.splitnve.launcher;

import org.splitnve.cli.Io;

/**
 * The {@code splitnve} command line ({@link Splitnve} holds the command model). Exit status: 0 success,
 * 1 failure, 2 usage error.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        return run(args, Io.system());
    }

    /** Runs one command with these streams and this environment; the exit status. */
    public static int run(String[] args, Io io) {
        return Splitnve.run(args, io);
    }
}
