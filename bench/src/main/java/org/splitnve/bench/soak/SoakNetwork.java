package org.splitnve.bench.soak;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitnve.dataplane.OvsInstance;

/**
 * The soak's network (root): namespaces {@code soak-PID-NODE} for the nNVE ({@code n}), each station ({@code h1},
 * {@code h2}, ...) and an ordinary Ethernet switch ({@code sw}, a Linux bridge with STP off) that joins them, each
 * node cabled to it by a veth pair made directly inside the namespaces (nothing in the host's namespace, no frame on a
 * real interface). {@link #close} deletes the namespaces, and with them every veth and the bridge; a soak killed before
 * it could is cleaned up by the next one ({@link #removeStale}).
 */
final class SoakNetwork implements AutoCloseable {
    static final String PREFIX = "soak-";
    /** The nNVE's port: its interface and MAC. */
    static final String NNVE_PORT = "p0";
    static final String NNVE_MAC = "02:50:00:00:00:10";
    /** Each station's uplink interface. */
    static final String UPLINK = "up0";

    private final String prefix = PREFIX + ProcessHandle.current().pid() + "-";
    private final List<String> made = new ArrayList<>();

    /** The namespace of {@code node}. */
    String ns(String node) {
        return prefix + node;
    }

    /** Station {@code i}'s name (1-based). */
    static String station(int i) {
        return "h" + i;
    }

    /** Station {@code i}'s uplink MAC. */
    static String stationMac(int i) {
        return String.format("02:50:00:00:01:%02x", i);
    }

    /** Builds the nNVE's, {@code stations} stations' and the switch's namespaces and cables. */
    void build(int stations) throws IOException {
        List<String> nodes = new ArrayList<>(List.of("n", "sw"));
        for (int i = 1; i <= stations; i++) {
            nodes.add(station(i));
        }
        for (String node : nodes) {
            String ns = ns(node);
            OvsInstance.run("ip", "netns", "add", ns);
            made.add(ns);
            OvsInstance.run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
            OvsInstance.run("ip", "-n", ns, "link", "set", "lo", "up");
        }
        String sw = ns("sw");
        OvsInstance.run("ip", "-n", sw, "link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0");
        OvsInstance.run("ip", "-n", sw, "link", "set", "br0", "up");
        cable("n", NNVE_PORT, NNVE_MAC);
        for (int i = 1; i <= stations; i++) {
            cable(station(i), UPLINK, stationMac(i));
        }
    }

    /** {@code node}'s interface {@code ifname} (MAC {@code mac}) to the switch's port {@code sw-NODE}. */
    private void cable(String node, String ifname, String mac) throws IOException {
        String sw = ns("sw");
        String port = "sw-" + node;
        OvsInstance.run("ip", "link", "add", ifname, "netns", ns(node), "address", mac, "type", "veth", "peer", "name", port,
                "netns", sw);
        OvsInstance.run("ip", "-n", sw, "link", "set", "dev", port, "master", "br0");
        OvsInstance.run("ip", "-n", sw, "link", "set", "dev", port, "up");
        OvsInstance.run("ip", "-n", ns(node), "link", "set", "dev", ifname, "up");
    }

    /**
     * Issue 13's chaos: station {@code i}'s cable cut ({@code cut}: the switch's port to it down, so the station's
     * uplink loses its carrier) or mended.
     */
    void cut(int i, boolean cut) throws IOException {
        OvsInstance.run("ip", "-n", ns("sw"), "link", "set", "dev", "sw-" + station(i), cut ? "down" : "up");
    }

    /**
     * Issue 13's chaos: {@code percent} of the frames from and to station {@code i} dropped at the switch (an nftables
     * bridge-family rule on its port, both directions: the far side of the station's cable, where the daemons' own
     * packet sockets cannot see the frames first), or (0) none. {@code scratch}: a directory for the rule's file.
     */
    void loss(int i, int percent, Path scratch) throws IOException {
        String table = "chaos_loss_" + station(i);
        String port = "sw-" + station(i);
        if (percent <= 0) {
            OvsInstance.run("ip", "netns", "exec", ns("sw"), "nft", "delete", "table", "bridge", table);
            return;
        }
        Path f = scratch.resolve(table + ".nft");
        Files.writeString(f, """
                table bridge %1$s {
                  chain forward {
                    type filter hook forward priority 0; policy accept;
                    iifname "%2$s" numgen random mod 100 < %3$d counter drop
                    oifname "%2$s" numgen random mod 100 < %3$d counter drop
                  }
                }
                """.formatted(table, port, percent));
        OvsInstance.run("ip", "netns", "exec", ns("sw"), "nft", "-f", f.toString());
    }

    /** The frames the loss rule of station {@code i} dropped so far (both directions), or -1 when it cannot tell. */
    long lost(int i) {
        try {
            String out = OvsInstance.run("ip", "netns", "exec", ns("sw"), "nft", "list", "table", "bridge",
                    "chaos_loss_" + station(i));
            long n = 0;
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("counter packets (\\d+)").matcher(out);
            while (m.find()) {
                n += Long.parseLong(m.group(1));
            }
            return n;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Deletes the namespaces this soak made (its daemons must be stopped first); says on stderr what it could not. */
    @Override
    public void close() {
        for (String ns : made) {
            try {
                OvsInstance.run("ip", "netns", "delete", ns);
            } catch (IOException e) {
                System.err.println("soak: could not delete namespace " + ns + ": " + e.getMessage());
            }
        }
        made.clear();
    }

    /**
     * What a soak whose process is gone left behind: its namespaces, after ending the processes in them (its daemons,
     * which it started). Returns how many namespaces it removed.
     */
    static int removeStale() {
        int removed = 0;
        Path netns = Path.of("/var/run/netns");
        if (!Files.isDirectory(netns)) {
            return 0;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(netns, PREFIX + "*")) {
            for (Path p : ds) {
                String ns = p.getFileName().toString();
                String[] parts = ns.substring(PREFIX.length()).split("-", 2);
                long pid;
                try {
                    pid = Long.parseLong(parts[0]);
                } catch (NumberFormatException e) {
                    continue; // not one of ours
                }
                if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).isPresent()) {
                    continue;
                }
                for (String line : OvsInstance.run("ip", "netns", "pids", ns).lines().toList()) {
                    if (!line.isBlank()) {
                        OvsInstance.end(Long.parseLong(line.strip()));
                    }
                }
                OvsInstance.run("ip", "netns", "delete", ns);
                removed++;
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("soak: could not remove what an earlier soak left: " + e.getMessage());
        }
        return removed;
    }
}
