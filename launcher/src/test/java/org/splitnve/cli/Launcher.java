package org.splitnve.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A {@code splitnve} command for tests that run the command line as a separate process (as libvirt runs
 * its hook, as a user presses Ctrl-C): a shell script running this JVM's java on the test class path.
 */
public final class Launcher {
    private Launcher() {
    }

    /** Writes {@code dir/splitnve} and returns it. */
    public static Path write(Path dir) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        String cp = System.getProperty("java.class.path");
        if (cp.contains("'") || java.contains("'")) {
            throw new IOException("a quote in the class path");
        }
        Path script = dir.resolve("splitnve");
        Files.writeString(script, "#!/bin/sh\nexec '" + java + "' --enable-native-access=ALL-UNNAMED -Xshare:auto"
                + " -XX:TieredStopAtLevel=1 -cp '" + cp + "' org.splitnve.launcher.Main \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }
}
