package org.splitnve.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test harness's clean-up after a test JVM that was killed (SIGKILL, a fork timeout): what such a JVM
 * leaves is made here, named after a PID that is gone, and {@link NetLab#removeStaleAll} must remove it.
 * Tests the harness, so it cites no requirement.
 */
@ExtendWith(NetLab.Cleanup.class)
class NetLabCleanupTest {

    @Test
    @DisplayName("what a killed test JVM left (namespaces of each test prefix with a process in one, an lldpad started "
            + "from its temporary directory, the directory) is removed; what a live JVM holds is kept")
    void removesWhatDeadJvmsLeft() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, TimeUnit.SECONDS)).isTrue();
        long dead = gone.pid();
        assertThat(ProcessHandle.of(dead)).isEmpty();
        long self = ProcessHandle.current().pid();

        Process inNamespace = null;
        Process lldpadLike = null;
        Path staleDir = null;
        Path ownDir = null;
        try {
            for (String prefix : NetLab.PREFIXES) {
                NetLab.ip("netns", "add", prefix + dead + "-1-x");
            }
            NetLab.ip("netns", "add", NetLab.PREFIX + self + "-999-live");
            // a process the dead JVM started in its namespace (as an lldpad or a daemon process would be)
            inNamespace = new ProcessBuilder("ip", "netns", "exec", NetLab.PREFIX + dead + "-1-x", "sleep", "600").start();
            // an lldpad whose configuration is in the dead JVM's temporary directory (its command line names it)
            staleDir = Files.createTempDirectory(NetLab.TEMP_PREFIX + dead + "-lldpad-station-");
            Path conf = Files.writeString(staleDir.resolve("lldpad-station.conf"), "# test\n");
            lldpadLike = new ProcessBuilder("tail", "-f", conf.toString()).start();
            ownDir = NetLab.tempDir("cleanup");
            Process p = inNamespace;
            awaitInNamespace(NetLab.PREFIX + dead + "-1-x", p.pid());

            NetLab.removeStaleAll();

            assertThat(inNamespace.waitFor(10, TimeUnit.SECONDS)).as("the process in the stale namespace ended").isTrue();
            assertThat(lldpadLike.waitFor(10, TimeUnit.SECONDS)).as("the stale lldpad ended").isTrue();
            String namespaces = NetLab.run("ip", "netns", "list");
            for (String prefix : NetLab.PREFIXES) {
                assertThat(namespaces).doesNotContain(prefix + dead + "-1-x");
            }
            assertThat(namespaces).contains(NetLab.PREFIX + self + "-999-live");
            assertThat(staleDir).doesNotExist();
            assertThat(ownDir).isDirectory();
        } finally {
            for (Process p : new Process[] {inNamespace, lldpadLike}) {
                if (p != null) {
                    p.destroyForcibly();
                }
            }
            for (String prefix : NetLab.PREFIXES) {
                try {
                    NetLab.ip("netns", "delete", prefix + dead + "-1-x");
                } catch (java.io.IOException e) {
                    // removed, as it should be
                }
            }
            NetLab.ip("netns", "delete", NetLab.PREFIX + self + "-999-live");
            if (ownDir != null) {
                Files.deleteIfExists(ownDir);
            }
        }
    }

    /** Waits until {@code pid} runs inside namespace {@code ns} (ip netns exec has switched and exec'd). */
    private static void awaitInNamespace(String ns, long pid) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!NetLab.run("ip", "netns", "pids", ns).lines().anyMatch(l -> l.strip().equals(Long.toString(pid)))) {
            assertThat(System.nanoTime() - deadline).as("process %d in %s", pid, ns).isNegative();
            Thread.sleep(10);
        }
    }
}
