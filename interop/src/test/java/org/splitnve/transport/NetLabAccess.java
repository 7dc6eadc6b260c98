package org.splitnve.transport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.splitnve.wire.MacAddress;

/**
 * Public access to transport's test helper {@link NetLab} (package-private) for the interop tests:
 * namespaces and veths created by the test and deleted on {@link #close()}, and a JUnit extension
 * ({@link Guard}) that also needs lldpad. The tests are skipped only when CI is unset and either the
 * JVM is not root or lldpad is not installed; with CI set they always run (and fail if they cannot).
 */
public final class NetLabAccess implements AutoCloseable {
    private final NetLab lab = new NetLab();

    public String namespace(String suffix) throws IOException {
        return lab.namespace(suffix);
    }

    public void veth(String nsA, String ifA, MacAddress macA, String nsB, String ifB, MacAddress macB) throws IOException {
        lab.veth(nsA, ifA, macA, nsB, ifB, macB);
    }

    /** A temporary directory that the next test run removes if this JVM is killed ({@link NetLab#tempDir}). */
    public static java.nio.file.Path tempDir(String purpose) throws IOException {
        return NetLab.tempDir(purpose);
    }

    public static String run(String... cmd) throws IOException {
        return NetLab.run(cmd);
    }

    @Override
    public void close() {
        lab.close();
    }

    /** NetLab's cleanup (stale namespaces of dead JVMs, this JVM's after each test), plus the lldpad check. */
    public static final class Guard implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
        private final NetLab.Cleanup cleanup = new NetLab.Cleanup();

        @Override
        public void beforeAll(ExtensionContext context) {
            boolean ci = System.getenv("CI") != null;
            assumeTrue(ci || NetLab.privileged(), "lldpad interop tests need root (they always run when CI is set)");
            assumeTrue(ci || org.splitnve.interop.Lldpad.installed(),
                    "lldpad is not installed (apt-get install lldpad; with CI set these tests always run)");
            cleanup.beforeAll(context);
        }

        @Override
        public void afterEach(ExtensionContext context) {
            cleanup.afterEach(context);
        }

        @Override
        public void afterAll(ExtensionContext context) {
            cleanup.afterAll(context);
        }
    }
}
