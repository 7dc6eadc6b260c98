package org.splitnve.daemon.nva;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.JsonCodec;
import org.splitnve.daemon.config.ApiSettings;
import org.splitnve.daemon.config.LogSettings;
import org.splitnve.daemon.http.ApiServer;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.daemon.metrics.Metrics;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.http.HttpNvaLink;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.Options;
import org.splitnve.nva.service.Poll;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.ReportOp;
import org.splitnve.nva.service.RevisionedNva;
import org.splitnve.nva.service.SessionInfo;
import org.splitnve.nva.service.Snapshot;
import org.splitnve.nva.service.link.InProcessLink;
import org.splitnve.nva.service.link.NvaLink;
import org.splitnve.nva.service.store.MemoryStore;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;
import tools.jackson.databind.JsonNode;

/**
 * The NVA's HTTP binding against real {@link RevisionedNva}s: {@link HttpNvaLink} answers as {@link InProcessLink}
 * (NVA-3, NVA-4), tokens and ownership over HTTP (NVA-7), the operator's API (NVA-1, NVA-8).
 */
class NvaHttpTest {
    static final NveId A = NveId.of("nnve-a");
    static final NveId B = NveId.of("nnve-b");
    static final NveId C = NveId.of("nnve-c");
    static final String TOKEN_A = "token-of-nnve-a-0123456789";
    static final String TOKEN_B = "token-of-nnve-b-0123456789";
    static final String TOKEN_C = "token-of-nnve-c-0123456789";
    static final String OPERATOR = "operator-token-0123456789";
    static final InstantSource CLOCK = InstantSource.fixed(Instant.parse("2026-12-01T10:00:00Z"));

    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** An NVA with VN 5000 (any TSI), nnve-a and nnve-b serving it, nnve-c with a token but no registration. */
    static RevisionedNva nva(int maxLogEvents) {
        RevisionedNva n = RevisionedNva.open(new MemoryStore(), Options.DEFAULT.withMaxLogEvents(maxLogEvents), CLOCK,
                e -> { });
        n.addVn(VnRecord.of(UUID.nameUUIDFromBytes("blue".getBytes(StandardCharsets.UTF_8)), 5000, "blue", 500,
                VnService.L2));
        n.permitTsi(TsiRule.anyOn(5000));
        for (NveId x : List.of(A, B)) {
            n.registerNve(x, InetAddress.getLoopbackAddress());
        }
        n.setCredential(A, TOKEN_A);
        n.setCredential(B, TOKEN_B);
        n.setCredential(C, TOKEN_C);
        n.report(B, Report.of(1, new ReportOp.Serve(Set.of(5000))));
        return n;
    }

    /** Serves {@code nva} over HTTP on loopback with the operator's token; its base URI. */
    URI serve(RevisionedNva nva, Duration heartbeat, String operatorToken) {
        EventLog log = new EventLog("nva-test", LogSettings.DEFAULT, new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        Metrics metrics = new Metrics("nva-test");
        NvaApi api = new NvaApi(nva, metrics, operatorToken, heartbeat);
        ApiSettings s = ApiSettings.loopback(0);
        ApiServer server = ApiServer.start(ApiServer.bind(s), s, log, metrics, api.routes(),
                () -> metrics.render(metrics.scrape()), api::access, "/api/nva-openapi.json");
        open.add(server);
        return URI.create("http://127.0.0.1:" + server.address().getPort());
    }

    static TsiInstance at(NveId nve, int tsi, int port) {
        return new TsiInstance(VsiId.uuid(new UUID(0x1111_0000_4000_8000L, tsi)), nve, port, 5000);
    }

    static TsiAddress mac(int n) {
        return TsiAddress.mac(new MacAddress(0x5254_0000_0000L + n));
    }

    /** Everything a watch gives until it reaches {@code target} (or too_old), as one list of changes. */
    static List<Object> gather(NvaLink.WatchStream w, long target) throws Exception {
        List<Object> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long rev = -1;
        while (rev < target && System.nanoTime() < deadline) {
            Poll p = w.next(Duration.ofMillis(500));
            switch (p) {
                case Poll.TooOld t -> {
                    out.add(new Poll.TooOld("H", t.compactedThrough(), t.revision()));
                    return out;
                }
                case Poll.Changes c -> {
                    out.addAll(c.changes());
                    rev = c.revision();
                }
            }
        }
        out.add("at " + rev);
        return out;
    }

    static SessionInfo norm(SessionInfo s) {
        return new SessionInfo("H", s.revision(), s.compactedThrough(), s.lastReportSeq(), s.acknowledged(),
                s.registration());
    }

    /** The scripted sequence of the nNVE nnve-a: what each step answered, with the history id written H. */
    static List<Object> script(RevisionedNva nva, NvaLink link, NvaLink unregistered) throws Exception {
        List<Object> out = new ArrayList<>();
        SessionInfo s = link.session();
        String h = s.historyId();
        out.add(norm(s));
        Snapshot snap = link.list();
        out.add(snap.revision());
        out.add(snap.resources());
        Receipt r1 = link.report(Report.of(1, new ReportOp.Serve(Set.of(5000)),
                ReportOp.Bind.activated(at(A, 1, 3), List.of(mac(1)), 7)));
        out.add(r1);
        out.add(link.report(Report.of(1, new ReportOp.Serve(Set.of(5000)))));  // repeated: the first receipt
        out.add(link.report(Report.of(3, new ReportOp.Unbind(at(A, 1, 3)))));  // skips 2: refused
        // NVA-7: nnve-a may not bind nnve-b's instance
        out.add(link.report(Report.of(2, ReportOp.Bind.activated(at(B, 2, 1), List.of(mac(2)), 0))));
        try (NvaLink.WatchStream w = link.watch(h, snap.revision())) {
            out.add(gather(w, nva.revision()));
        }
        long resumeFrom = nva.revision();
        // another nNVE's change (a move of the address, NVA-6): nnve-a resumes its watch and sees the withdrawal
        nva.report(B, Report.of(2, ReportOp.Bind.activated(at(B, 1, 5), List.of(mac(1)), 8)));
        try (NvaLink.WatchStream w = link.watch(h, resumeFrom)) {
            out.add(gather(w, nva.revision()));
        }
        link.acknowledge(h, nva.revision());
        out.add(nva.session(A).acknowledged());
        link.acknowledge("another-history", 1);
        out.add(nva.session(A).acknowledged());
        try {
            link.acknowledge(h, nva.revision() + 5);
            out.add("ack beyond the NVA's revision accepted");
        } catch (IllegalArgumentException e) {
            out.add("refused: beyond");
        }
        // too old: the log is compacted past what the watcher has
        long old = nva.revision();
        for (int i = 0; i < 40; i++) {
            nva.revokeTsi(TsiRule.anyOn(5000));
            nva.permitTsi(TsiRule.anyOn(5000));
        }
        assertThat(nva.compactedThrough()).isGreaterThan(old);
        try (NvaLink.WatchStream w = link.watch(h, old)) {
            out.add(gather(w, nva.revision()));
            out.add(w.next(Duration.ofMillis(10)) instanceof Poll.TooOld);
        }
        try (NvaLink.WatchStream w = link.watch("another-history", nva.revision())) {
            out.add(gather(w, nva.revision()));
        }
        Snapshot again = link.list();
        out.add(again.revision());
        out.add(again.resources());
        try {
            unregistered.session();
            out.add("unregistered nNVE opened a session");
        } catch (NvaLink.NvaUnavailable e) {
            out.add("refused=" + e.refused());
        }
        return out;
    }

    @Test
    @DisplayName("NVA-3/NVA-4/NVA-7: HttpNvaLink answers the scripted sequence (session, list, reports, watch resume, too_old after compaction, ack) as InProcessLink does")
    void httpLinkBehavesAsInProcess() throws Exception {
        RevisionedNva local = nva(50);
        RevisionedNva remote = nva(50);
        open.add(local);
        open.add(remote);
        URI base = serve(remote, Duration.ofMillis(200), OPERATOR);
        List<Object> inProcess = script(local, new InProcessLink(local, A), new InProcessLink(local, C));
        List<Object> http;
        try (HttpNvaLink link = new HttpNvaLink(base, TOKEN_A, null);
                HttpNvaLink c = new HttpNvaLink(base, TOKEN_C, null)) {
            http = script(remote, link, c);
        }
        assertThat(http).hasSameSizeAs(inProcess);
        for (int i = 0; i < http.size(); i++) {
            assertThat(http.get(i)).as("step %d", i).isEqualTo(inProcess.get(i));
        }
        // the script saw what it meant to: a withdrawal, a refusal for ownership, a too_old
        assertThat(inProcess.toString()).contains("Withdrawal", "NOT_OWNER", "REPORT_OUT_OF_ORDER", "TooOld",
                "refused=true", "refused: beyond");
    }

    @Test
    @DisplayName("NVA-4: an idle watch over HTTP gets progress lines (the heartbeat) and a progress mark when others' changes move the revision")
    void progressOnIdleWatch() throws Exception {
        RevisionedNva nva = nva(1000);
        open.add(nva);
        URI base = serve(nva, Duration.ofMillis(200), OPERATOR);
        try (HttpNvaLink link = new HttpNvaLink(base, TOKEN_A, null, Duration.ofSeconds(5), Duration.ofSeconds(2))) {
            SessionInfo s = link.session();
            try (NvaLink.WatchStream w = link.watch(s.historyId(), s.revision())) {
                // silent for 2 s would be dead: heartbeats every 200 ms keep it alive for 3 s
                long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (System.nanoTime() < end) {
                    Poll p = w.next(Duration.ofMillis(300));
                    assertThat(p).isInstanceOf(Poll.Changes.class);
                }
                nva.addVn(VnRecord.of(UUID.randomUUID(), 6000, "other", 600, VnService.L2)); // not nnve-a's interest
                long target = nva.revision();
                long seen = -1;
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (seen < target && System.nanoTime() < deadline) {
                    Poll.Changes c = (Poll.Changes) w.next(Duration.ofMillis(500));
                    assertThat(c.changes()).isEmpty();
                    seen = c.revision();
                }
                assertThat(seen).isEqualTo(target);
            }
        }
    }

    @Test
    @DisplayName("NVA-4: a watch stream that goes silent longer than the limit is dead (NvaUnavailable), not waited on")
    void silentWatchIsDead() throws Exception {
        RevisionedNva nva = nva(1000);
        open.add(nva);
        URI base = serve(nva, Duration.ofSeconds(30), OPERATOR); // heartbeat slower than the client's limit
        try (HttpNvaLink link = new HttpNvaLink(base, TOKEN_A, null, Duration.ofSeconds(5), Duration.ofSeconds(1))) {
            SessionInfo s = link.session();
            try (NvaLink.WatchStream w = link.watch(s.historyId(), s.revision())) {
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                assertThatThrownBy(() -> {
                    while (System.nanoTime() < deadline) {
                        w.next(Duration.ofMillis(200));
                    }
                }).isInstanceOf(NvaLink.NvaUnavailable.class).hasMessageContaining("silent");
            }
        }
    }

    static HttpResponse<String> call(URI base, String method, String path, String token, String body) throws Exception {
        return NvaProcesses.call(base, token, method, path, body);
    }

    @Test
    @DisplayName("NVA-7: over HTTP a wrong or missing token is 401 (refused() on the link), nnve-a's token cannot change nnve-b's entries, an nNVE's token opens no operator endpoint")
    void tokensAndOwnership() throws Exception {
        RevisionedNva nva = nva(1000);
        open.add(nva);
        URI base = serve(nva, Duration.ofSeconds(10), OPERATOR);
        try (HttpNvaLink wrong = new HttpNvaLink(base, "not-a-token-of-anyone-000", null)) {
            assertThatThrownBy(wrong::session).isInstanceOf(NvaLink.NvaUnavailable.class)
                    .satisfies(e -> assertThat(((NvaLink.NvaUnavailable) e).refused()).isTrue());
        }
        assertThat(call(base, "POST", "/v1/nva/session", null, "{}").statusCode()).isEqualTo(401);
        assertThat(call(base, "POST", "/v1/nva/session", "Basic abc", "{}").statusCode()).isEqualTo(401);
        String bBinds = JsonCodec.write(JsonCodec.tree("{\"seq\": 1, \"ops\": [{\"op\": \"bind\", \"instance\": {\"tsi\": \""
                + at(B, 9, 1).vsi() + "\", \"vn\": 5000, \"nve\": \"nnve-b\", \"port\": 1}, \"state\": \"forwarding\","
                + " \"addresses\": [{\"mac\": \"52:54:00:00:00:09\"}], \"held\": [], \"mobility_seq\": 0,"
                + " \"migration\": false}]}"));
        HttpResponse<String> r = call(base, "POST", "/v1/nva/reports", TOKEN_A, bBinds);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode receipt = JsonCodec.tree(r.body());
        assertThat(receipt.path("results").get(0).path("reason").asString()).isEqualTo("NOT_OWNER");
        assertThat(nva.mapping(at(B, 9, 1))).isEmpty();
        // the same report with nnve-b's token is nnve-b's own
        HttpResponse<String> rb = call(base, "POST", "/v1/nva/reports", TOKEN_B,
                bBinds.replace("\"seq\":1", "\"seq\":2"));
        assertThat(JsonCodec.tree(rb.body()).path("results").get(0).path("ok").asBoolean()).isTrue();
        assertThat(nva.mapping(at(B, 9, 1))).isPresent();
        // an nNVE's token opens no operator endpoint; the operator's opens no nNVE endpoint
        assertThat(call(base, "GET", "/v1/nva/vns", TOKEN_A, null).statusCode()).isEqualTo(403);
        assertThat(call(base, "POST", "/v1/nva/vns", TOKEN_A, "{\"id\": 7, \"alias\": \"x\"}").statusCode()).isEqualTo(403);
        assertThat(call(base, "POST", "/v1/nva/reports", OPERATOR, bBinds).statusCode()).isEqualTo(403);
        // with an operator token configured, loopback without it is refused too (as the daemons' API)
        assertThat(call(base, "GET", "/v1/nva/vns", null, null).statusCode()).isEqualTo(401);
        assertThat(call(base, "GET", "/v1/nva/vns", OPERATOR, null).statusCode()).isEqualTo(200);
        // a bad report is a 400 with the member named, and the NVA goes on
        HttpResponse<String> bad = call(base, "POST", "/v1/nva/reports", TOKEN_A, "{\"seq\": 1, \"ops\": [{\"op\": \"fly\"}]}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("ops[0].op");
        assertThat(call(base, "POST", "/v1/nva/session", TOKEN_A, "{}").statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("NVA-1/NVA-8: a VN defined once through the operator API reaches the nNVE's list; where answers nNVE, port, VN, state, mobility sequence, since")
    void operatorApi() throws Exception {
        RevisionedNva nva = nva(1000);
        open.add(nva);
        URI base = serve(nva, Duration.ofSeconds(10), null); // no operator token: loopback is the operator
        HttpResponse<String> vn = call(base, "POST", "/v1/nva/vns", null,
                "{\"id\": 5001, \"alias\": \"red\", \"context\": 501, \"permit_any\": true}");
        assertThat(vn.statusCode()).as(vn.body()).isEqualTo(201);
        assertThat(call(base, "POST", "/v1/nva/vns", null, "{\"id\": 5001, \"alias\": \"red2\"}").statusCode())
                .isEqualTo(409);
        assertThat(call(base, "POST", "/v1/nva/nves/nnve-a/token", null, "{}").statusCode()).isEqualTo(200);
        // the token changed: the old one no longer opens a session
        try (HttpNvaLink old = new HttpNvaLink(base, TOKEN_A, null)) {
            assertThatThrownBy(old::session).isInstanceOf(NvaLink.NvaUnavailable.class);
        }
        HttpResponse<String> added = call(base, "POST", "/v1/nva/nves", null,
                "{\"name\": \"nnve-d\", \"vtep\": \"192.0.2.4\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        String tokenD = JsonCodec.tree(added.body()).path("token").asString();
        try (HttpNvaLink d = new HttpNvaLink(base, tokenD, null)) {
            assertThat(d.report(Report.of(1, new ReportOp.Serve(Set.of(5001)))).results().getFirst().applied()).isTrue();
            Snapshot s = d.list();
            assertThat(s.resources()).anySatisfy(res -> assertThat(res.key().path()).isEqualTo("vn/5001"));
            TsiInstance in = new TsiInstance(at(A, 3, 4).vsi(), NveId.of("nnve-d"), 4, 5001);
            assertThat(d.report(Report.of(2, ReportOp.Bind.activated(in, List.of(mac(3)), 12))).results().getFirst()
                    .applied()).isTrue();
        }
        JsonNode where = JsonCodec.tree(call(base, "GET", "/v1/nva/where?mac=52:54:00:00:00:03", null, null).body());
        JsonNode e = where.path("entries").get(0);
        assertThat(e.path("nve").asString()).isEqualTo("nnve-d");
        assertThat(e.path("port").asInt()).isEqualTo(4);
        assertThat(e.path("vn").asLong()).isEqualTo(5001);
        assertThat(e.path("state").asString()).isEqualTo("forwarding");
        assertThat(e.path("mobility_seq").asLong()).isEqualTo(12);
        assertThat(e.path("since").asString()).isEqualTo("2026-12-01T10:00:00Z");
        JsonNode byTsi = JsonCodec.tree(call(base, "GET", "/v1/nva/where?tsi=" + at(A, 3, 4).vsi(), null, null).body());
        assertThat(byTsi.path("entries").size()).isEqualTo(1);
        assertThat(call(base, "GET", "/v1/nva/where?mac=nope", null, null).statusCode()).isEqualTo(400);
        assertThat(call(base, "DELETE", "/v1/nva/vns/5001", null, null).statusCode()).isEqualTo(200);
        assertThat(call(base, "GET", "/v1/nva/vns/5001", null, null).statusCode()).isEqualTo(404);
    }
}
