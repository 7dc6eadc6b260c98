package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** GET /metrics of both daemons: valid Prometheus text, and the numbers move with what happens. */
class MetricsTest {
    @Test
    @DisplayName("SEC-3: /metrics is Prometheus text 0.0.4 (HELP, TYPE, node label); frames, TSIs per state, operation latency and API requests move after a lifecycle")
    void metricsMove() throws Exception {
        try (Fixture f = new Fixture(1)) {
            Http h = f.t.getFirst();
            PrometheusText n0 = scrape(f.n);
            PrometheusText t0 = scrape(h);
            assertThat(n0.value("splitnve_tsis", Map.of("state", "ACTIVATED"))).isZero();
            ApiLifecycleTest.vmOf(h.post("/v1/vms", ApiLifecycleTest.VM1));
            ApiLifecycleTest.vmOf(h.post("/v1/vms/vm1/start", ""));
            ApiLifecycleTest.vmOf(h.post("/v1/vms/vm1/pause", ""));
            PrometheusText n1 = scrape(f.n);
            PrometheusText t1 = scrape(h);
            for (PrometheusText[] p : List.of(new PrometheusText[] {n0, n1}, new PrometheusText[] {t0, t1})) {
                assertThat(p[1].value("splitnve_frames_received_total", Map.of()))
                        .isGreaterThan(p[0].value("splitnve_frames_received_total", Map.of()));
                assertThat(p[1].value("splitnve_frames_sent_total", Map.of()))
                        .isGreaterThan(p[0].value("splitnve_frames_sent_total", Map.of()));
                assertThat(p[1].value("splitnve_ecpdu_processing_seconds_count", Map.of()))
                        .isGreaterThan(p[0].value("splitnve_ecpdu_processing_seconds_count", Map.of()));
                histogramsConsistent(p[1]);
            }
            // the nNVE: one peer, one VN connected, one TSI activated
            assertThat(n1.value("splitnve_peers", Map.of())).isEqualTo(1);
            assertThat(n1.value("splitnve_vns", Map.of())).isEqualTo(1);
            assertThat(n1.value("splitnve_vns_configured", Map.of())).isEqualTo(2);
            assertThat(n1.value("splitnve_tsis", Map.of("state", "ACTIVATED"))).isEqualTo(1);
            assertThat(n1.value("splitnve_tsis", Map.of("state", "ASSOCIATED"))).isZero();
            assertThat(n1.value("splitnve_local_tags", Map.of("scope", "rack"))).isEqualTo(1);
            assertThat(n1.value("splitnve_events_total", Map.of("event", "tsi.state"))).isEqualTo(2);
            // the tNVE: the VM paused, its TSI activated at the nNVE, one latency sample per operation
            assertThat(t1.value("splitnve_vms", Map.of("state", "PAUSED"))).isEqualTo(1);
            assertThat(t1.value("splitnve_tsis", Map.of("uplink", "tor", "state", "ACTIVATED"))).isEqualTo(1);
            assertThat(t1.value("splitnve_peers", Map.of("uplink", "tor"))).isEqualTo(1);
            for (String op : List.of("create", "start", "pause")) {
                assertThat(t1.value("splitnve_operation_seconds_count", Map.of("operation", op, "result", "ok")))
                        .as(op).isEqualTo(1);
            }
            assertThat(t1.value("splitnve_api_requests_total", Map.of("route", "/v1/vms/{name}/start", "status", "200")))
                    .isEqualTo(1);
            // every sample of ours names its node; the client library's JVM and process families are there too (issue
            // 13: what a soak and an operator watch for growth), under its own names
            assertThat(n1.samples).filteredOn(s -> s.name().startsWith("splitnve_"))
                    .isNotEmpty().allSatisfy(s -> assertThat(s.labels()).containsEntry("node", "nnve-api"));
            assertThat(t1.samples).filteredOn(s -> s.name().startsWith("splitnve_"))
                    .isNotEmpty().allSatisfy(s -> assertThat(s.labels()).containsEntry("node", "h1"));
            assertThat(n1.types).allSatisfy((name, type) -> {
                assertThat(name).matches("(splitnve|jvm|process)_.*");
                assertThat(n1.help).containsKey(name);
            });
            assertThat(n1.types).containsKeys("jvm_memory_used_bytes", "jvm_threads_current", "jvm_gc_collection_seconds",
                    "process_resident_memory_bytes", "process_open_fds");
            assertThat(n1.value("jvm_memory_used_bytes", Map.of("area", "heap"))).isPositive();
            assertThat(n1.value("process_open_fds", Map.of())).isPositive();
        }
    }

    /** What Prometheus 2.x and 3.x send by default: OpenMetrics preferred, the text format accepted. */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0;q=0.5,"
            + "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
    /** What Prometheus sends with native histograms on: protobuf first. */
    static final String PROTOBUF_FIRST = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
            + "encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

    @Test
    @DisplayName("SEC-3: a scraper that asks for OpenMetrics (Accept: application/openmetrics-text, Prometheus's default) gets OpenMetrics 1.0 with # EOF last: the same series as the text format under the same sample names, counters' families named without _total, the same TSI and VM numbers")
    void openMetricsWhenAsked() throws Exception {
        try (Fixture f = new Fixture(1)) {
            Http h = f.t.getFirst();
            ApiLifecycleTest.vmOf(h.post("/v1/vms", ApiLifecycleTest.VM1));
            ApiLifecycleTest.vmOf(h.post("/v1/vms/vm1/start", ""));
            for (Http d : List.of(f.n, h)) {
                PrometheusText before = scrape(d);
                Http.Answer a = d.send(d.request("/metrics").header("Accept", PROMETHEUS_ACCEPT).GET().build());
                assertThat(a.status()).isEqualTo(200);
                assertThat(a.contentType()).startsWith("application/openmetrics-text; version=1.0.0");
                PrometheusText om = PrometheusText.parseOpenMetrics(a.text());
                PrometheusText after = scrape(d);
                // series only appear (a new event name, a new route), so the OpenMetrics scrape lies between the two
                assertThat(keys(om)).containsAll(keys(before));
                assertThat(keys(after)).containsAll(keys(om));
                assertThat(om.types).containsEntry("splitnve_frames_received", "counter")
                        .containsEntry("splitnve_ecpdu_processing_seconds", "histogram")
                        .containsEntry("splitnve_tsis", "gauge")
                        .containsEntry("splitnve", "info");
                assertThat(om.value("splitnve_info", Map.of())).isEqualTo(1);
                assertThat(om.find("splitnve_tsis", Map.of())).isNotEmpty().allSatisfy(s ->
                        assertThat(s.value()).isEqualTo(after.value("splitnve_tsis", s.labels())));
                assertThat(om.samples).filteredOn(s -> s.name().startsWith("splitnve"))
                        .allSatisfy(s -> assertThat(s.labels()).containsKey("node"));
                histogramsConsistent(om);
            }
            Http.Answer vms = h.send(h.request("/metrics").header("Accept", PROMETHEUS_ACCEPT).GET().build());
            assertThat(PrometheusText.parseOpenMetrics(vms.text()).value("splitnve_vms", Map.of("state", "RUNNING")))
                    .isEqualTo(1);
        }
    }

    @Test
    @DisplayName("SEC-3: a scraper that asks for text/plain, for nothing in particular, or for protobuf first (not in this build) gets the Prometheus text format 0.0.4")
    void prometheusTextOtherwise() throws Exception {
        try (Fixture f = new Fixture(1)) {
            for (Http d : List.of(f.n, f.t.getFirst())) {
                for (String accept : List.of("text/plain", "text/plain;version=0.0.4", "*/*", PROTOBUF_FIRST)) {
                    Http.Answer a = d.send(d.request("/metrics").header("Accept", accept).GET().build());
                    assertThat(a.status()).as(accept).isEqualTo(200);
                    assertThat(a.contentType()).as(accept).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
                    PrometheusText p = PrometheusText.parse(a.text());
                    assertThat(p.types).as(accept).containsEntry("splitnve_frames_received_total", "counter")
                            .containsEntry("splitnve_info", "gauge");
                    assertThat(a.text()).doesNotContain("# EOF");
                }
                // protobuf first, OpenMetrics accepted too: OpenMetrics
                Http.Answer a = d.send(d.request("/metrics").header("Accept", PROTOBUF_FIRST.replace("text/plain",
                        "application/openmetrics-text;version=1.0.0;q=0.5,text/plain")).GET().build());
                assertThat(a.contentType()).startsWith("application/openmetrics-text; version=1.0.0");
                PrometheusText.parseOpenMetrics(a.text());
            }
        }
    }

    /** Each sample's name and labels. */
    static java.util.Set<String> keys(PrometheusText p) {
        java.util.Set<String> k = new java.util.TreeSet<>();
        p.samples.forEach(s -> k.add(s.name() + new java.util.TreeMap<>(s.labels())));
        return k;
    }

    static PrometheusText scrape(Http h) {
        Http.Answer a = h.get("/metrics");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.contentType()).startsWith("text/plain; version=0.0.4");
        return PrometheusText.parse(a.text());
    }

    /** Buckets cumulative and ending in +Inf equal to _count. */
    static void histogramsConsistent(PrometheusText p) {
        p.types.forEach((name, type) -> {
            if (!type.equals("histogram")) {
                return;
            }
            for (PrometheusText.Sample count : p.find(name + "_count", Map.of())) {
                Map<String, String> series = count.labels();
                List<PrometheusText.Sample> buckets = p.find(name + "_bucket", series);
                assertThat(buckets).isNotEmpty();
                double last = -1;
                for (PrometheusText.Sample b : buckets) {
                    assertThat(b.value()).isGreaterThanOrEqualTo(last);
                    last = b.value();
                }
                assertThat(buckets.getLast().labels()).containsEntry("le", "+Inf");
                assertThat(last).isEqualTo(count.value());
            }
        });
    }
}
