package org.splitnve.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.splitnve.wire.MacAddress;

/**
 * Network namespaces for one test, named {@code cli-PID-N-suffix}, deleted on {@link #close()} (their
 * veths go with them). Veths are created inside their namespaces: nothing touches the host's interfaces.
 */
final class Netns implements AutoCloseable {
    private static final AtomicInteger NEXT = new AtomicInteger();
    private final String id = "cli-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet();
    private final List<String> namespaces = new ArrayList<>();

    /** Skips the test unless root (or CI, which runs as root: there it must run). */
    static void assumeRoot() {
        boolean root;
        try {
            root = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | RuntimeException e) {
            root = false;
        }
        assumeTrue(root || System.getenv("CI") != null, "network namespaces need root (always run when CI is set)");
        org.splitnve.transport.NetLab.removeStaleAll();   // what killed test JVMs left behind
    }

    String namespace(String suffix) throws IOException {
        String ns = id + "-" + suffix;
        run("ip", "netns", "add", ns);
        namespaces.add(ns);
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
        run("ip", "-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /** A veth pair, {@code ifA} in {@code nsA} and {@code ifB} in {@code nsB}, both up. */
    void veth(String nsA, String ifA, MacAddress macA, String nsB, String ifB, MacAddress macB) throws IOException {
        run("ip", "link", "add", ifA, "netns", nsA, "address", macA.toString(), "type", "veth", "peer", "name", ifB,
                "netns", nsB, "address", macB.toString());
        run("ip", "-n", nsA, "link", "set", ifA, "up");
        run("ip", "-n", nsB, "link", "set", ifB, "up");
    }

    static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer in 30 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + ": interrupted");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + out.strip());
        }
        return out;
    }

    @Override
    public void close() {
        for (String ns : namespaces) {
            try {
                run("ip", "netns", "delete", ns);
            } catch (IOException e) {
                System.err.println("could not delete namespace " + ns + ": " + e.getMessage());
            }
        }
        namespaces.clear();
    }
}
