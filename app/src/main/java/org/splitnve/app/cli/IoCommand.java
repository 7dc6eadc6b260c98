package org.splitnve.app.cli;

/**
 * A command of the model: the streams and environment it runs with, handed in by {@link Splitnve}'s factory
 * (the process's own when the model is only read, as the build does for the completion script).
 */
public abstract class IoCommand {
    protected Io io = Io.system();
}
