package org.splitnve.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.splitnve.dataplane.OvsInstance;
import org.splitnve.transport.Port;

/**
 * The demo's network from network namespaces (root): one namespace per node, named
 * {@code demo-snv-PID-NODE}, veth pairs created directly inside them (nothing lands in the host's
 * namespace, no frame touches a real interface), and a Linux bridge with STP off in the switch's
 * namespace. The daemons open raw sockets in the namespaces themselves. Deleting the namespaces
 * deletes the veths and the bridge with them.
 *
 * <p>With tenant traffic (issue 11), also: an Open vSwitch ({@link OvsInstance}, userspace datapath, its run
 * directory under {@code TMP/splitnve-demo-ovs-PID-...}) in each nNVE's and each hypervisor's namespace. An nNVE's
 * bridge {@code br-nve} (secure: only what the nNVE installs passes) holds its ports toward the hypervisors and a
 * flow-based VXLAN port; the two nNVEs share an underlay cable on their {@code br-und}, which holds their VTEP
 * addresses. A hypervisor's bridge {@code br-hv} (secure: only what its tNVE installs passes) holds its uplinks and
 * its VMs' ports. Each VM is a namespace {@code demo-snv-PID-VM} whose {@code eth0} has the TSI's MAC and address;
 * the other end of its veth, named after the VM, is a port of the bridge of the hypervisor the VM runs on, and moves
 * to another hypervisor's in a live migration ({@link #moveNic}). The switch {@code sw} stays an ordinary
 * (VLAN-unaware) Linux bridge: the tagged frames between h1, h2 and nnve-a cross it as they would a real one.
 */
final class NetnsTopology implements Topology {
    static final String PREFIX = "demo-snv-";
    /** The run directories of the demo's Open vSwitch instances: {@code TMP/splitnve-demo-ovs-PID-...}. */
    static final String OVS_PREFIX = "splitnve-demo-ovs-";
    private static final Path NETNS = Path.of("/var/run/netns");

    private final String prefix;
    private final boolean traffic;
    /** Namespaces made and not yet deleted; guarded by itself, also while one is being added. */
    private final List<String> made = new ArrayList<>();
    /** The Open vSwitch instances started, by node; guarded by {@link #made}. */
    private final Map<String, OvsInstance> switches = new LinkedHashMap<>();
    /** Their run directories' parent, once made; guarded by {@link #made}. */
    private Path ovsRoot;
    private boolean closed;

    /**
     * The topology of this process's demo; {@link #make()} builds it.
     *
     * @param traffic with tenant traffic: Open vSwitch on the nNVEs and hypervisors, VMs as namespaces
     */
    NetnsTopology(boolean traffic) {
        this.prefix = prefixOf(ProcessHandle.current().pid());
        this.traffic = traffic;
    }

    /** Whether this topology carries tenant traffic (Open vSwitch, VMs). */
    boolean traffic() {
        return traffic;
    }

    /** Every namespace this topology makes: the nodes', and with traffic the VMs'. */
    static List<String> namespaces(boolean traffic) {
        List<String> all = new ArrayList<>(Plan.nodes());
        if (traffic) {
            for (Plan.Vm vm : Plan.VMS) {
                all.add(vm.name());
            }
        }
        return all;
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
        for (String node : namespaces(traffic)) {
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
        if (traffic) {
            buildDataplane();
        }
    }

    /** The switches, the underlay and the VMs (see the class comment). */
    private void buildDataplane() throws IOException {
        Path root = Files.createTempDirectory(OVS_PREFIX + ProcessHandle.current().pid() + "-");
        synchronized (made) {
            ovsRoot = root;
        }
        for (String n : Plan.NNVES) {
            List<String> cmd = new ArrayList<>(List.of("add-br", Plan.NNVE_BRIDGE, "--", "set", "bridge", Plan.NNVE_BRIDGE,
                    "datapath_type=netdev", "fail-mode=secure", "protocols=OpenFlow13,OpenFlow14",
                    "--", "add-port", Plan.NNVE_BRIDGE, "vx", "--", "set", "interface", "vx", "type=vxlan",
                    "ofport_request=" + Plan.TUNNEL_OFPORT, "options:remote_ip=flow", "options:local_ip=" + Plan.vtep(n),
                    "options:key=flow"));
            List<Plan.NnvePort> ports = Plan.nnvePorts(n);
            for (int i = 0; i < ports.size(); i++) {
                String port = ports.get(i).iface().name();
                quiet(n, port);
                cmd.addAll(List.of("--", "add-port", Plan.NNVE_BRIDGE, port, "--", "set", "interface", port,
                        "ofport_request=" + (i + 1)));
            }
            ovs(n).vsctl(cmd.toArray(String[]::new));
        }
        // the underlay: MTU 1600 for VXLAN's 50 octets (../shared/docs/ovs-dataplane.md)
        veth(Plan.NNVE_A, Plan.UNDERLAY, Plan.underlayMac(Plan.NNVE_A).toString(), Plan.NNVE_B, Plan.UNDERLAY,
                Plan.underlayMac(Plan.NNVE_B).toString());
        for (String n : Plan.NNVES) {
            String ns = prefix + n;
            quiet(n, Plan.UNDERLAY);
            switchOf(n).vsctl("add-br", Plan.UNDERLAY_BRIDGE, "--", "set", "bridge", Plan.UNDERLAY_BRIDGE,
                    "datapath_type=netdev", "--", "add-port", Plan.UNDERLAY_BRIDGE, Plan.UNDERLAY, "--", "set",
                    "interface", Plan.UNDERLAY, "mtu_request=1600");
            ip("-n", ns, "link", "set", Plan.UNDERLAY, "mtu", "1600");
            ip("-n", ns, "addr", "add", Plan.vtep(n) + "/24", "dev", Plan.UNDERLAY_BRIDGE);
            ip("-n", ns, "link", "set", Plan.UNDERLAY_BRIDGE, "up");
        }
        for (String h : Plan.HOSTS) {
            List<String> cmd = new ArrayList<>(List.of("add-br", Plan.HV_BRIDGE, "--", "set", "bridge", Plan.HV_BRIDGE,
                    "datapath_type=netdev", "fail-mode=secure", "protocols=OpenFlow13,OpenFlow14"));
            for (Plan.Uplink u : Plan.uplinks(h)) {
                quiet(h, u.iface().name());
                cmd.addAll(List.of("--", "add-port", Plan.HV_BRIDGE, u.iface().name()));
            }
            ovs(h).vsctl(cmd.toArray(String[]::new));
        }
        for (Plan.Vm vm : Plan.VMS) {
            String ns = prefix + vm.name();
            veth(vm.name(), Plan.VM_NIC, vm.tsi().mac().toString(), vm.home(), vm.name(), null);
            ip("-n", ns, "addr", "add", vm.ip() + "/" + Plan.VM_PREFIX, "dev", Plan.VM_NIC);
            // the userspace datapath forwards what the veth hands it as is: no checksum left to a NIC (pitfall 4)
            run("ip", "netns", "exec", ns, "ethtool", "-K", Plan.VM_NIC, "tx", "off");
            quiet(vm.home(), vm.name());
            switchOf(vm.home()).vsctl("add-port", Plan.HV_BRIDGE, vm.name());
        }
    }

    /** Starts Open vSwitch in {@code node}'s namespace. */
    private OvsInstance ovs(String node) throws IOException {
        Path dir;
        synchronized (made) {
            if (closed) {
                throw new IOException("stopped while building the network");
            }
            dir = ovsRoot.resolve(node);
        }
        OvsInstance o = OvsInstance.start(prefix + node, dir);
        synchronized (made) {
            switches.put(node, o);
            if (closed) {
                throw new IOException("stopped while building the network"); // close() stops it with the others
            }
        }
        return o;
    }

    private OvsInstance switchOf(String node) {
        synchronized (made) {
            return switches.get(node);
        }
    }

    /** The run directory of the Open vSwitch on {@code node} (an nNVE or a hypervisor), or null without traffic. */
    Path ovsDir(String node) {
        OvsInstance o = switchOf(node);
        return o == null ? null : o.dir;
    }

    /** An interface handed to Open vSwitch: the namespace's kernel answers no ARP on it (pitfall 5). */
    private void quiet(String node, String ifname) throws IOException {
        ip("-n", prefix + node, "link", "set", ifname, "arp", "off");
    }

    /**
     * The VM's pause in a live migration: its NIC's hypervisor end leaves {@code from}'s bridge and joins {@code to}'s;
     * while it moves the VM has no link. Returns when the move began and ended (epoch milliseconds).
     */
    long[] moveNic(Plan.Vm vm, String from, String to) throws IOException {
        long start = System.currentTimeMillis();
        switchOf(from).vsctl("del-port", Plan.HV_BRIDGE, vm.name());
        ip("-n", prefix + from, "link", "set", vm.name(), "netns", prefix + to);
        switchOf(to).vsctl("add-port", Plan.HV_BRIDGE, vm.name());
        ip("-n", prefix + to, "link", "set", vm.name(), "arp", "off", "up");
        return new long[] {start, System.currentTimeMillis()};
    }

    /** A veth pair, both ends up; {@code macB} null: the kernel's. */
    private void veth(String nodeA, String ifA, String macA, String nodeB, String ifB, String macB) throws IOException {
        String nsA = prefix + nodeA;
        String nsB = prefix + nodeB;
        List<String> cmd = new ArrayList<>(List.of("link", "add", ifA, "netns", nsA, "address", macA, "type", "veth",
                "peer", "name", ifB, "netns", nsB));
        if (macB != null) {
            cmd.addAll(List.of("address", macB));
        }
        ip(cmd.toArray(String[]::new));
        ip("-n", nsA, "link", "set", ifA, "up");
        ip("-n", nsB, "link", "set", ifB, "up");
    }

    @Override
    public String describe() {
        return "network namespaces " + prefix + "{" + String.join(",", Plan.nodes())
                + "}, veth pairs and a Linux bridge (STP off); the daemons on raw Ethernet, real frames"
                + (traffic ? "; Open vSwitch (userspace datapath) on each nNVE and hypervisor, the daemons programming it,"
                        + " VXLAN between the nNVEs, VMs as namespaces " + prefix + "{" + String.join(",",
                                Plan.VMS.stream().map(Plan.Vm::name).toList()) + "}: tenant traffic" : "");
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
        List<String> lines = new ArrayList<>(List.of(
                "ip netns list | grep " + prefix + "                       # the namespaces",
                "./splitnve capture p0 --netns " + a + " --out nnve-a.pcap   # then ./splitnve decode nnve-a.pcap",
                "ip netns exec " + a + " tshark -i p0 -f 'ether proto 0x8940 or ether proto 0x88cc'   # live",
                "ip netns exec " + prefix + Plan.SWITCH + " bridge fdb show br br0 dynamic   # what the switch learned"));
        if (traffic) {
            lines.add("ip netns exec " + prefix + Plan.VM_APP.name() + " ping " + Plan.VM_WEB.ip()
                    + "   # vm-app (h3, nnve-b) -> vm-web, wherever it lives now");
            lines.add("ip netns exec " + a + " tshark -i " + Plan.UNDERLAY + " -f 'udp port 4789'"
                    + "   # the VXLAN frames between the nNVEs");
            Path dir = ovsDir(Plan.NNVE_A);
            if (dir != null) {
                lines.add("ovs-ofctl -O OpenFlow14 dump-flows unix:" + dir.resolve(Plan.NNVE_BRIDGE + ".mgmt")
                        + "   # nnve-a's flows, as the switch holds them");
            }
        }
        return lines;
    }

    /** Deletes the namespaces (and with them every veth and the bridge); idempotent. */
    @Override
    public void close() {
        List<String> todo;
        List<OvsInstance> running;
        Path root;
        synchronized (made) {
            closed = true;
            todo = new ArrayList<>(made);
            made.clear();
            running = new ArrayList<>(switches.values());
            switches.clear();
            root = ovsRoot;
            ovsRoot = null;
        }
        for (OvsInstance o : running) {
            o.stop();
        }
        for (String ns : todo) {
            delete(ns);
        }
        if (root != null) {
            deleteTree(root);
        }
    }

    private static void deleteTree(Path root) {
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | RuntimeException e) {
            System.err.println("splitnve demo: could not remove " + root + ": " + e.getMessage());
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
            if (alive) {
                continue;
            }
            // what the dead demo started in it (its Open vSwitch daemons, detached) ends with it
            try {
                for (String line : OvsInstance.run("ip", "netns", "pids", ns).lines().toList()) {
                    if (!line.isBlank()) {
                        OvsInstance.end(Long.parseLong(line.strip()));
                    }
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("splitnve demo: could not end the processes in " + ns + ": " + e.getMessage());
            }
            if (delete(ns)) {
                removed.add(ns);
            }
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tmp, OVS_PREFIX + "*")) {
            for (Path d : ds) {
                String rest = d.getFileName().toString().substring(OVS_PREFIX.length());
                int dash = rest.indexOf('-');
                try {
                    long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
                    if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty()) {
                        deleteTree(d);
                    }
                } catch (NumberFormatException e) {
                    // not one of ours
                }
            }
        } catch (IOException e) {
            System.err.println("splitnve demo: could not look for stale run directories in " + tmp + ": " + e.getMessage());
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
