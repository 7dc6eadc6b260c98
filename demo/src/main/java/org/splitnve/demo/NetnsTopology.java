package org.splitnve.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.splitnve.transport.Port;

/**
 * The demo's network from network namespaces (root): one namespace per node, named
 * {@code demo-snv-PID-NODE}, veth pairs created directly inside them (nothing lands in the host's
 * namespace, no frame touches a real interface), and a Linux bridge with STP off in the switch's
 * namespace. The daemons open raw sockets in the namespaces themselves. Deleting the namespaces
 * deletes the veths and the bridge with them.
 */
final class NetnsTopology implements Topology {
    static final String PREFIX = "demo-snv-";
    private static final Path NETNS = Path.of("/var/run/netns");

    private final String prefix;
    /** Namespaces made and not yet deleted; guarded by itself, also while one is being added. */
    private final List<String> made = new ArrayList<>();
    private boolean closed;

    /** The topology of this process's demo; {@link #make()} builds it. */
    NetnsTopology() {
        this.prefix = prefixOf(ProcessHandle.current().pid());
    }

    /** The namespace prefix of the demo run by process {@code pid}. */
    static String prefixOf(long pid) {
        return PREFIX + pid + "-";
    }

    /**
     * Builds the namespaces, cables and switch of the {@link Plan}; on failure removes what it made and
     * throws. A {@link #close()} from another thread (a shutdown hook) stops it and removes everything.
     */
    void make() throws IOException {
        try {
            build();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void build() throws IOException {
        for (String node : Plan.nodes()) {
            String ns = prefix + node;
            synchronized (made) {
                // close() (a shutdown hook) waits for a namespace being added, then deletes it with the rest
                if (closed) {
                    throw new IOException("stopped while building the network");
                }
                ip("netns", "add", ns);
                made.add(ns);
            }
            // no IPv6 (router solicitations, MLD) on the veths: captures show VDP and LLDP alone
            run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
            ip("-n", ns, "link", "set", "lo", "up");
        }
        for (Plan.Iface[] c : Plan.CABLES) {
            veth(c[0].node(), c[0].name(), c[0].mac().toString(), c[1].node(), c[1].name(), c[1].mac().toString());
        }
        String sw = prefix + Plan.SWITCH;
        ip("-n", sw, "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0");
        for (int i = 0; i < Plan.SWITCHED.size(); i++) {
            Plan.Iface f = Plan.SWITCHED.get(i);
            veth(f.node(), f.name(), f.mac().toString(), Plan.SWITCH, f.node(), Plan.switchPortMac(i).toString());
            ip("-n", sw, "link", "set", f.node(), "master", "br0");
        }
        ip("-n", sw, "link", "set", "br0", "up");
    }

    private void veth(String nodeA, String ifA, String macA, String nodeB, String ifB, String macB) throws IOException {
        String nsA = prefix + nodeA;
        String nsB = prefix + nodeB;
        ip("link", "add", ifA, "netns", nsA, "address", macA, "type", "veth", "peer", "name", ifB, "netns", nsB,
                "address", macB);
        ip("-n", nsA, "link", "set", ifA, "up");
        ip("-n", nsB, "link", "set", ifB, "up");
    }

    @Override
    public String describe() {
        return "network namespaces " + prefix + "{" + String.join(",", Plan.nodes())
                + "}, veth pairs and a Linux bridge (STP off); the daemons on raw Ethernet, real frames";
    }

    @Override
    public String namespace(String node) {
        return prefix + node;
    }

    @Override
    public List<Port> ports(String node, List<String> ifaces) {
        return null;
    }

    @Override
    public List<String> explore() {
        String a = prefix + Plan.NNVE_A;
        return List.of(
                "ip netns list | grep " + prefix + "                       # the namespaces",
                "./splitnve capture p0 --netns " + a + " --out nnve-a.pcap   # then ./splitnve decode nnve-a.pcap",
                "ip netns exec " + a + " tshark -i p0 -f 'ether proto 0x8940 or ether proto 0x88cc'   # live",
                "ip netns exec " + prefix + Plan.SWITCH + " bridge fdb show br br0 dynamic   # what the switch learned");
    }

    /** Deletes the namespaces (and with them every veth and the bridge); idempotent. */
    @Override
    public void close() {
        List<String> todo;
        synchronized (made) {
            closed = true;
            todo = new ArrayList<>(made);
            made.clear();
        }
        for (String ns : todo) {
            delete(ns);
        }
    }

    /** The demo's namespaces that exist now (for checks and tests). */
    static List<String> existing(String prefix) {
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(NETNS)) {
            return found;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(NETNS, prefix + "*")) {
            for (Path p : ds) {
                found.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            // nothing readable: nothing found
        }
        return found;
    }

    /**
     * Removes the namespaces of earlier demos whose process is gone (killed before it could clean up);
     * a demo still running keeps its own. Returns the names removed.
     */
    static List<String> removeStale() {
        List<String> removed = new ArrayList<>();
        for (String ns : existing(PREFIX)) {
            String rest = ns.substring(PREFIX.length());
            int dash = rest.indexOf('-');
            long pid;
            try {
                pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
            } catch (NumberFormatException e) {
                continue; // not one of ours
            }
            boolean alive = pid == ProcessHandle.current().pid()
                    || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            if (!alive && delete(ns)) {
                removed.add(ns);
            }
        }
        return removed;
    }

    private static boolean delete(String ns) {
        try {
            ip("netns", "delete", ns);
            return true;
        } catch (IOException e) {
            System.err.println("splitnve demo: could not delete network namespace " + ns + ": " + e.getMessage());
            return false;
        }
    }

    private static void ip(String... args) throws IOException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "ip";
        System.arraycopy(args, 0, cmd, 1, args.length);
        run(cmd);
    }

    private static void run(String... cmd) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run " + cmd[0] + " (iproute2): " + e.getMessage(), e);
        }
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": no answer in 20 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", cmd) + ": interrupted");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited with " + p.exitValue() + (out.isEmpty() ? "" : ": " + out));
        }
    }
}
