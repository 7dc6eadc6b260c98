package org.splitnve.cli;

/**
 * A command of the model: the streams and environment it runs with, handed in by the root command's factory (the launcher's {@code Splitnve})
 * (the process's own when the model is only read, as the build does for the completion script).
 */
public abstract class IoCommand {
    protected Io io = Io.system();

    /** Hands the command the streams and environment it runs with (the root command's factory does). */
    public final void use(Io io) {
        this.io = io;
    }
}
