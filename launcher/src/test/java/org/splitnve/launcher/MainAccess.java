package org.splitnve.launcher;

/** Main.run for tests in other packages. */
public final class MainAccess {
    private MainAccess() {
    }

    public static int run(String... args) {
        return Main.run(args);
    }

    public static int run(org.splitnve.cli.Io io, String... args) {
        return Main.run(args, io);
    }
}
