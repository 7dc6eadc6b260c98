package org.splitnve.daemon.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitnve.config.ConfFile;
import org.splitnve.daemon.Daemon;
import org.splitnve.daemon.NnveDaemon;
import org.splitnve.daemon.TnveDaemon;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.config.NnveSettings;
import org.splitnve.daemon.config.TnveSettings;
import org.splitnve.transport.MemoryLinks;
import org.splitnve.transport.Port;
import org.splitnve.wire.MacAddress;

/**
 * Daemons in this process over in-memory links, their APIs on 127.0.0.1 at free ports: one nNVE with
 * one port per hypervisor (all in one scope), and one tNVE per hypervisor, each with a state directory
 * of its own in a temporary directory removed at the end. VNs 5000 and 5001 exist. A tNVE can be
 * stopped and started again on the same port of the nNVE ({@link #restartTnve}).
 */
public final class Fixture implements AutoCloseable {
    final MemoryLinks links = new MemoryLinks(42);
    public final NnveDaemon nnve;
    public final List<TnveDaemon> tnves = new ArrayList<>();
    final List<ByteArrayOutputStream> logs = new ArrayList<>();
    final Http n;
    final List<Http> t = new ArrayList<>();
    /** The temporary directory holding each tNVE's state directory (h1, h2, ...). */
    public final Path dir;
    private final List<TnveSettings> tnveSettings = new ArrayList<>();
    private final List<Replug> tnvePorts = new ArrayList<>();

    public Fixture(int hypervisors) throws Exception {
        this(hypervisors, ApiSettings.loopback(0));
    }

    public Fixture(int hypervisors, ApiSettings nnveApi) throws Exception {
        this(hypervisors, nnveApi, List.of(), false);
    }

    /**
     * @param tnveTokens the bearer token of each tNVE's API in turn (null or absent: none)
     * @param lldp       whether the daemons run LLDP (announcing their names and interfaces to each other)
     */
    public Fixture(int hypervisors, ApiSettings nnveApi, List<String> tnveTokens, boolean lldp) throws Exception {
        this(hypervisors, nnveApi, tnveTokens, lldp, dir -> "");
    }

    /** @param nnveExtra more of the nNVE's configuration, given the fixture's directory (e.g. an [nva] table) */
    public Fixture(int hypervisors, ApiSettings nnveApi, List<String> tnveTokens, boolean lldp,
            java.util.function.Function<Path, String> nnveExtra) throws Exception {
        dir = Files.createTempDirectory("splitnve-api");
        StringBuilder conf = new StringBuilder("""
                [nnve]
                name = "nnve-api"
                [timers]
                rte = 12                    # 41 ms: a loaded machine does not exhaust ECP retries
                [lldp]
                enabled = %s
                [log]
                format = "json"
                level = "debug"
                [[nva.vn]]
                id = 5000
                alias = "blue"
                vni = 500
                shortest_ipv6_prefix = 32   # grants an IPv6 /32 (AddressFormsTest); IPv4: the default /24
                [[nva.vn]]
                id = 5001
                alias = "red"
                vni = 501
                """.formatted(lldp));
        conf.append(nnveExtra.apply(dir));
        for (int i = 0; i < hypervisors; i++) {
            conf.append("[[port]]\ninterface = \"mem").append(i).append("\"\nscope = \"rack\"\n");
        }
        NnveSettings ns = NnveSettings.from(ConfFile.parse(Path.of("nnve-api.conf"), conf.toString())).withApi(nnveApi);
        List<Port> nPorts = new ArrayList<>();
        for (int i = 0; i < hypervisors; i++) {
            MemoryLinks.Link l = links.connect();
            nPorts.add(l.a());
            tnvePorts.add(new Replug(l.b()));
        }
        nnve = NnveDaemon.start(ns, "nnve-api.conf", log(), nPorts);
        n = new Http(nnve.api().address(), nnveApi.token());
        try {
            for (int i = 0; i < hypervisors; i++) {
                TnveSettings ts = TnveSettings.from(ConfFile.parse(Path.of("h" + (i + 1) + ".conf"), """
                        [tnve]
                        name = "h%d"
                        [[uplink]]
                        name = "tor"
                        interface = "up0"
                        [timers]
                        rte = 12                    # 41 ms: a loaded machine does not exhaust ECP retries
                        [lldp]
                        enabled = %s
                        [log]
                        format = "json"
                        level = "debug"
                        [state]
                        dir = "%s"
                        """.formatted(i + 1, lldp, dir.resolve("h" + (i + 1))))).withApi(i < tnveTokens.size()
                                && tnveTokens.get(i) != null
                                ? new ApiSettings(ApiSettings.loopback(0).listen(), tnveTokens.get(i))
                                : ApiSettings.loopback(0));
                tnveSettings.add(ts);
                TnveDaemon d = TnveDaemon.start(ts, "h" + (i + 1) + ".conf", log(), List.of(tnvePorts.get(i)));
                tnves.add(d);
                t.add(new Http(d.api().address(), i < tnveTokens.size() ? tnveTokens.get(i) : null));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private PrintStream log() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        logs.add(b);
        return new PrintStream(b, true, StandardCharsets.UTF_8);
    }

    /** Everything the daemons logged (for failure messages). */
    public String logText() {
        StringBuilder sb = new StringBuilder();
        for (ByteArrayOutputStream b : logs) {
            sb.append(b.toString(StandardCharsets.UTF_8));
        }
        return sb.toString();
    }

    /** The base URL of a daemon's API: http://127.0.0.1:PORT. */
    public static String url(Daemon d) {
        return "http://127.0.0.1:" + d.api().address().getPort();
    }

    List<Daemon> daemons() {
        List<Daemon> all = new ArrayList<>(tnves);
        all.add(nnve);
        return all;
    }

    /** The state directory of hypervisor {@code i} (0: h1). */
    public Path stateDir(int i) {
        return tnveSettings.get(i).stateDir();
    }

    /**
     * Stops tNVE {@code i} as SIGTERM does (no De-Associate) and starts it again with the same configuration
     * and state directory, on the same port of the nNVE; its API listens on a new port ({@link #t}).
     */
    public TnveDaemon restartTnve(int i) {
        return restartTnve(i, true);
    }

    /**
     * {@link #restartTnve(int)}; with {@code keepState} false the VM records are removed while the tNVE is
     * stopped (a tNVE restarted without its state: it knows no VM).
     */
    public TnveDaemon restartTnve(int i, boolean keepState) {
        tnves.get(i).close();
        if (!keepState) {
            try (var files = Files.list(stateDir(i).resolve("vms"))) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        TnveDaemon d = TnveDaemon.start(tnveSettings.get(i), "h" + (i + 1) + ".conf", log(), List.of(tnvePorts.get(i)));
        tnves.set(i, d);
        t.set(i, new Http(d.api().address()));
        return d;
    }

    @Override
    public void close() {
        for (TnveDaemon d : tnves) {
            d.close();
        }
        if (nnve != null) {
            nnve.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory
        }
    }

    /**
     * A tNVE's end of a link that outlives the daemon using it: the daemon's close detaches it, the next
     * daemon attaches again (a hypervisor's uplink stays plugged while its tNVE restarts).
     */
    static final class Replug implements Port {
        private final MemoryLinks.End end;
        private volatile Receiver receiver;

        Replug(MemoryLinks.End end) {
            this.end = end;
            end.start(f -> {
                Receiver r = receiver;
                if (r != null) {
                    r.frame(f);
                }
            });
        }

        @Override
        public String name() {
            return end.name();
        }

        @Override
        public MacAddress mac() {
            return end.mac();
        }

        @Override
        public void send(byte[] frame, int length) throws IOException {
            end.send(frame, length);
        }

        @Override
        public void start(Receiver r) {
            receiver = r;
        }

        @Override
        public void close() {
            receiver = null;
        }
    }
}
