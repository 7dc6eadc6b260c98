package org.splitnve.cli;

/** A mistake on the command line: the message, then the command's usage, exit status 2. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}
