package org.splitnve.daemon;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.splitnve.config.ConfigException;
import org.splitnve.daemon.nva.NvaApi;
import org.splitnve.daemon.nva.NvaEvent;
import org.splitnve.daemon.config.NvaSettings;
import org.splitnve.daemon.http.ApiServer;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.daemon.metrics.DaemonMetrics;
import org.splitnve.daemon.metrics.Metrics;
import org.splitnve.nva.Decision;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.etcd.Stores;
import org.splitnve.nva.service.Options;
import org.splitnve.nva.service.ResourceKey;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.protocol.PortAgent;
import org.splitnve.transport.AgentRunner;
import org.splitnve.transport.MemoryLinks;

/**
 * {@code splitnve nva --config FILE}: the NVA as a service (docs/nva-api.md, docs/nva-protocol.md). It opens its
 * store ({@code [nva] store}: a SQLite state file, or an etcd cluster that several instances serve; NVA-2: every
 * answer after the change is durable), imports the configuration's [[vn]] once,
 * and serves the protocol and the operator's API over HTTP(S) with the daemons' {@link ApiServer}: the metrics,
 * the event stream and the token checks are theirs. It sends no frame: its engine thread (a {@link Daemon} has
 * one) idles on a port that leads nowhere. SIGTERM stops it cleanly (status 0), SIGHUP reloads [log] and the
 * operator's token (OPS-5).
 */
public final class NvaDaemon extends Daemon {
    /** Where {@code /v1/openapi.json} comes from: docs/nva-openapi.json, packaged. */
    public static final String OPENAPI = "/api/nva-openapi.json";

    private final RevisionedNva nva;
    private final NvaApi api;
    private volatile NvaSettings settings;

    private NvaDaemon(NvaSettings s, EventLog log, AgentRunner<PortAgent> runner, DaemonMetrics metrics,
            RevisionedNva nva, NvaApi api) {
        super(log, runner, metrics);
        this.settings = s;
        this.nva = nva;
        this.api = api;
    }

    /** The NVA this daemon serves (tests read its state directly). */
    public RevisionedNva nva() {
        return nva;
    }

    public static int main(Path config, PrintStream out, PrintStream err) {
        return main("nva", config, out, err, NvaSettings::load, NvaDaemon::start);
    }

    /** Binds the API's address (HTTPS with [tls]), opens the store, imports [[vn]], then serves. */
    public static NvaDaemon start(NvaSettings s, String configName, PrintStream out) throws IOException {
        EventLog log = new EventLog(s.name(), s.log(), out);
        DaemonMetrics metrics = metricsFor(log, "nva");
        HttpServer bound = bind(s);
        RevisionedNva nva;
        try {
            Path file = s.stateFile();
            Path parent = file == null ? null : file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            nva = RevisionedNva.open(Stores.open(s.store()), Options.DEFAULT.withMaxLogEvents(s.maxLogEvents()),
                    Clock.systemUTC(), log);
        } catch (IOException | RuntimeException e) {
            bound.stop(0);
            throw new IOException("cannot open the NVA's store " + s.store() + ": " + e.getMessage(), e);
        }
        AgentRunner<PortAgent> runner;
        try {
            MemoryLinks.Link nowhere = new MemoryLinks().connect();
            runner = AgentRunner.builder(s.name()).port(nowhere.a()).events(log).build(io -> new PortAgent() {
                @Override
                public void onFrame(int port, byte[] buf, int off, int len) {
                }

                @Override
                public void onTimer() {
                }

                @Override
                public long nextDeadline() {
                    return Long.MAX_VALUE;
                }
            });
        } catch (RuntimeException e) {
            bound.stop(0);
            nva.close();
            throw e;
        }
        NvaApi api = new NvaApi(nva, metrics.metrics(), s.api().token(), NvaApi.HEARTBEAT);
        NvaDaemon d = new NvaDaemon(s, log, runner, metrics, nva, api);
        runner.start();
        d.importVns(s);
        d.startApi(bound, s.api(), api.routes(), d::scrape, api::access, OPENAPI);
        log.accept(new NvaEvent.Started(configName, d.api().address().toString(), s.tls() != null,
                s.store(), nva.historyId(), nva.revision()));
        return d;
    }

    private static HttpServer bind(NvaSettings s) throws IOException {
        if (s.tls() == null) {
            return ApiServer.bind(s.api());
        }
        SSLContext ctx = tls(s.tls());
        try {
            HttpsServer h = HttpsServer.create(s.api().listen(), 64);
            h.setHttpsConfigurator(new HttpsConfigurator(ctx));
            return h;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + s.api() + " for the NVA: " + e.getMessage(), e);
        }
    }

    /** The TLS context of a PKCS#12 key store (the NVA's certificate and key). */
    static SSLContext tls(NvaSettings.TlsSettings t) throws IOException {
        try (InputStream in = Files.newInputStream(t.keystore())) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, t.password());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, t.password());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("the key store " + t.keystore() + " cannot be used: " + e.getMessage(), e);
        }
    }

    /** NVA-1: each [[vn]] the NVA does not have yet is added once; from then on the NVA's state is the reference. */
    private void importVns(NvaSettings s) {
        for (NvaSettings.VnImport v : s.vns()) {
            long id = v.vn().unsignedId();
            if (nva.resource(ResourceKey.vn(v.vn().id())).isPresent()) {
                log.accept(new NvaEvent.VnNotImported(id, v.vn().alias(), "the NVA has VN " + id + " already"));
                continue;
            }
            RevisionedNva.Applied<?> a = nva.addVn(v.vn());
            if (a.decision() instanceof Decision.Refused<?> no) {
                log.accept(new NvaEvent.VnNotImported(id, v.vn().alias(), no.text(255)));
                continue;
            }
            long rev = a.revision();
            if (v.permitAny()) {
                rev = nva.permitTsi(TsiRule.anyOn(v.vn().id())).revision();
            }
            log.accept(new NvaEvent.VnImported(id, v.vn().alias(), rev));
        }
    }

    private io.prometheus.metrics.model.snapshots.MetricSnapshots scrape() {
        Metrics.Scrape s = metrics.metrics().scrape();
        s.gauge("splitnve_nva_revision", "the NVA's revision (one per change)", (double) nva.revision());
        s.gauge("splitnve_nva_compacted_through", "the newest revision no longer in the change log",
                (double) nva.compactedThrough());
        s.gauge("splitnve_nva_in_force_everywhere", "the revision every registered nNVE has acknowledged",
                (double) nva.inForceEverywhere());
        s.gauge("splitnve_nva_watchers", "watch streams open now", api.watchers());
        s.counter("splitnve_nva_duplicate_activations_total",
                "activations that claimed a duplicate address (NVA-6)", (double) nva.duplicateActivations());
        return metrics.metrics().render(s);
    }

    @Override
    protected void beforeStop() {
        // the API is closed already: no request reaches the NVA any more
    }

    @Override
    protected void afterStop() {
        nva.close();
    }

    @Override
    protected ReloadPlan plan(Path config) throws ConfigException {
        NvaSettings was = settings;
        NvaSettings now = NvaSettings.load(config);
        String file = config.toString();
        List<String> problems = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        List<Runnable> after = new ArrayList<>();
        if (!was.name().equals(now.name()) || !was.store().equals(now.store())
                || was.maxLogEvents() != now.maxLogEvents()) {
            problems.add(file + ": [nva]: name, store and max_log_events are read at start: this needs a restart");
        }
        if (!java.util.Objects.equals(was.api().listen(), now.api().listen())
                || !java.util.Objects.equals(was.tls(), now.tls())) {
            problems.add(file + ": [api] listen or [tls] changed: this needs a restart");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        if (!java.util.Objects.equals(was.api().token(), now.api().token())) {
            changes.add("[api] token_file: the operator's token");
            after.add(() -> api.setOperatorToken(now.api().token()));
        }
        if (!was.api().hostNames().equals(now.api().hostNames())) {
            changes.add("[api] host_names");
            after.add(() -> api().setHostNames(now.api().hostNames()));
        }
        if (!was.log().equals(now.log())) {
            changes.add("[log]");
            after.add(() -> log.setSettings(now.log()));
        }
        after.add(() -> settings = now);
        return new ReloadPlan(changes, List.of(), after);
    }
}
