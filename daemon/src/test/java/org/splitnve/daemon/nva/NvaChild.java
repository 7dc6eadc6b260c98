package org.splitnve.daemon.nva;

import java.nio.file.Path;
import org.splitnve.daemon.NvaDaemon;

/** {@code splitnve nva --config FILE} in a child JVM of a test (NvaCrashHttpTest), without the launcher jar. */
public final class NvaChild {
    private NvaChild() {
    }

    public static void main(String[] args) {
        System.exit(NvaDaemon.main(Path.of(args[0]), System.out, System.err));
    }
}
