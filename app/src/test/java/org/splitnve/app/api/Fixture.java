package org.splitnve.app.api;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.splitnve.app.config.ApiSettings;
import org.splitnve.app.config.ConfFile;
import org.splitnve.app.config.NnveSettings;
import org.splitnve.app.config.TnveSettings;
import org.splitnve.app.daemon.Daemon;
import org.splitnve.app.daemon.NnveDaemon;
import org.splitnve.app.daemon.TnveDaemon;
import org.splitnve.transport.MemoryLinks;
import org.splitnve.transport.Port;

/**
 * Daemons in this process over in-memory links, their APIs on 127.0.0.1 at free ports: one nNVE with
 * one port per hypervisor (all in one scope), and one tNVE per hypervisor. VNs 5000 and 5001 exist.
 */
public final class Fixture implements AutoCloseable {
    final MemoryLinks links = new MemoryLinks(42);
    public final NnveDaemon nnve;
    public final List<TnveDaemon> tnves = new ArrayList<>();
    final List<ByteArrayOutputStream> logs = new ArrayList<>();
    final Http n;
    final List<Http> t = new ArrayList<>();

    public Fixture(int hypervisors) throws Exception {
        this(hypervisors, ApiSettings.loopback(0));
    }

    public Fixture(int hypervisors, ApiSettings nnveApi) throws Exception {
        StringBuilder conf = new StringBuilder("""
                [nnve]
                name = "nnve-api"
                [timers]
                rte = 12                    # 41 ms: a loaded machine does not exhaust ECP retries
                [lldp]
                enabled = false
                [log]
                format = "json"
                level = "debug"
                [[nva.vn]]
                id = 5000
                alias = "blue"
                vni = 500
                [[nva.vn]]
                id = 5001
                alias = "red"
                vni = 501
                """);
        for (int i = 0; i < hypervisors; i++) {
            conf.append("[[port]]\ninterface = \"mem").append(i).append("\"\nscope = \"rack\"\n");
        }
        NnveSettings ns = NnveSettings.from(ConfFile.parse(Path.of("nnve-api.conf"), conf.toString())).withApi(nnveApi);
        List<Port> nPorts = new ArrayList<>();
        List<Port> tPorts = new ArrayList<>();
        for (int i = 0; i < hypervisors; i++) {
            MemoryLinks.Link l = links.connect();
            nPorts.add(l.a());
            tPorts.add(l.b());
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
                        enabled = false
                        [log]
                        format = "json"
                        level = "debug"
                        """.formatted(i + 1))).withApi(ApiSettings.loopback(0));
                TnveDaemon d = TnveDaemon.start(ts, "h" + (i + 1) + ".conf", log(), List.of(tPorts.get(i)));
                tnves.add(d);
                t.add(new Http(d.api().address()));
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

    @Override
    public void close() {
        for (TnveDaemon d : tnves) {
            d.close();
        }
        if (nnve != null) {
            nnve.close();
        }
    }
}
