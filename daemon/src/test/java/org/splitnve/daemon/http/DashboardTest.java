package org.splitnve.daemon.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.splitnve.api.JsonCodec;
import tools.jackson.databind.JsonNode;

/**
 * contrib/grafana/splitnve.json cannot drift from the code: every metric and label its PromQL uses is exported by
 * a real nNVE or tNVE daemon (in this process, over in-memory links, as the other API tests run them), and every
 * metric family the daemons export has a panel.
 */
class DashboardTest {
    static final Path DASHBOARD = Path.of("../contrib/grafana/splitnve.json");
    /** PromQL functions and aggregations the dashboard may call. */
    static final Set<String> FUNCTIONS = Set.of("sum", "count", "avg", "min", "max", "topk", "bottomk", "rate",
            "irate", "increase", "delta", "histogram_quantile", "abs", "clamp_min", "clamp_max", "changes", "resets",
            "absent", "time", "timestamp", "max_over_time", "min_over_time", "avg_over_time", "label_replace");
    static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "and",
            "or", "unless", "bool", "offset");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");

    /** The metric and label names one PromQL expression uses. */
    record Query(String expr, Set<String> metrics, Set<String> labels) {}

    static Query parse(String expr) {
        Set<String> metrics = new TreeSet<>();
        Set<String> labels = new TreeSet<>();
        Matcher lv = LABEL_VALUES.matcher(expr);
        if (lv.matches()) { // a Grafana variable's query
            return new Query(expr, Set.of(lv.group(1)), Set.of(lv.group(2)));
        }
        String e = expr.replaceAll("\\$\\{?[a-zA-Z_][a-zA-Z0-9_]*\\}?", "x"); // Grafana variables
        Matcher selector = Pattern.compile("\\{([^}]*)\\}").matcher(e);
        while (selector.find()) {
            Matcher m = MATCHER.matcher(selector.group(1));
            int matched = 0;
            while (m.find()) {
                labels.add(m.group(1));
                matched++;
            }
            assertThat(matched).as("label matchers in %s", expr).isEqualTo(selector.group(1).split(",").length);
        }
        e = e.replaceAll("\\{[^}]*\\}", " ").replaceAll("\\[[^]]*\\]", " ").replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ");
        Matcher g = GROUPING.matcher(e);
        while (g.find()) {
            for (String l : g.group(2).split(",", -1)) { // blank ones (a trailing comma) skipped
                if (!l.isBlank()) {
                    labels.add(l.strip());
                }
            }
        }
        e = GROUPING.matcher(e).replaceAll(" ");
        Matcher id = IDENT.matcher(e);
        while (id.find()) {
            String word = id.group();
            int next = id.end();
            while (next < e.length() && e.charAt(next) == ' ') {
                next++;
            }
            if (next < e.length() && e.charAt(next) == '(') {
                assertThat(FUNCTIONS).as("function %s in %s", word, expr).contains(word);
            } else if (!KEYWORDS.contains(word)) {
                metrics.add(word);
            }
        }
        assertThat(e.chars().filter(c -> c == '(').count()).as("parentheses of %s", expr)
                .isEqualTo(e.chars().filter(c -> c == ')').count());
        return new Query(expr, metrics, labels);
    }

    /** Every expression of the dashboard: its panels' targets (rows included) and its variables' queries. */
    static List<Query> queries(JsonNode dashboard) {
        List<Query> out = new ArrayList<>();
        List<JsonNode> panels = new ArrayList<>(JsonCodec.items(dashboard.get("panels")));
        for (int i = 0; i < panels.size(); i++) {
            JsonNode p = panels.get(i);
            if (p.get("panels") != null && p.get("panels").isArray()) {
                panels.addAll(JsonCodec.items(p.get("panels")));
            }
            if (p.get("targets") != null && p.get("targets").isArray()) {
                for (JsonNode t : JsonCodec.items(p.get("targets"))) {
                    out.add(parse(t.get("expr").asString()));
                }
            }
        }
        for (JsonNode v : JsonCodec.items(dashboard.get("templating").get("list"))) {
            if (v.get("type").asString().equals("query")) {
                JsonNode q = v.get("query");
                out.add(parse(q.isObject() ? q.get("query").asString() : q.asString()));
            }
        }
        return out;
    }

    @Test
    @DisplayName("SEC-3: every metric and label the Grafana dashboard's PromQL uses is exported by a running nNVE or tNVE, every exported family has a panel, and the operator's questions (peers up, TSIs per state, refusals by reason, time until the nNVE answered, retransmissions) are panels")
    void dashboardMatchesTheDaemons() throws Exception {
        JsonNode dashboard = JsonCodec.tree(Files.readString(DASHBOARD));
        List<Query> queries = queries(dashboard);
        assertThat(queries).hasSizeGreaterThan(20);
        // what real daemons export once they have worked: a refused create, a VM created and started
        Map<String, Set<String>> exported = new TreeMap<>(); // sample name -> its label names
        Map<String, String> families = new TreeMap<>();
        try (Fixture f = new Fixture(1)) {
            Http h = f.t.getFirst();
            assertThat(h.post("/v1/vms", """
                    {"name": "vm0", "tsis": [{"vn": 9999, "mac": "52:54:00:00:00:09"}]}""").status()).isEqualTo(422);
            ApiLifecycleTest.vmOf(h.post("/v1/vms", ApiLifecycleTest.VM1));
            ApiLifecycleTest.vmOf(h.post("/v1/vms/vm1/start", ""));
            for (Http d : List.of(f.n, h)) {
                d.get("/v1/status");
                PrometheusText p = MetricsTest.scrape(d);
                p.samples.forEach(s -> exported.computeIfAbsent(s.name(), k -> new TreeSet<>()).addAll(s.labels().keySet()));
                families.putAll(p.types);
            }
        }
        for (Query q : queries) {
            assertThat(q.metrics()).as("metrics of %s", q.expr()).isNotEmpty();
            Set<String> labels = new TreeSet<>();
            for (String m : q.metrics()) {
                assertThat(exported).as("%s (in %s) is exported by a daemon", m, q.expr()).containsKey(m);
                labels.addAll(exported.get(m));
            }
            assertThat(labels).as("labels of %s", q.expr()).containsAll(q.labels());
        }
        // the other way round: each family the daemons export is on the dashboard
        Set<String> used = new TreeSet<>();
        queries.forEach(q -> used.addAll(q.metrics()));
        for (Map.Entry<String, String> fam : families.entrySet()) {
            if (!fam.getKey().startsWith("splitnve")) {
                continue; // the client library's JVM and process families: any JVM dashboard shows them
            }
            List<String> samples = fam.getValue().equals("histogram")
                    ? List.of(fam.getKey() + "_bucket", fam.getKey() + "_count", fam.getKey() + "_sum")
                    : List.of(fam.getKey());
            assertThat(samples).as("family %s has a panel", fam.getKey()).containsAnyElementsOf(used);
        }
        Set<String> titles = new TreeSet<>();
        for (JsonNode p : JsonCodec.items(dashboard.get("panels"))) {
            titles.add(p.get("title").asString());
        }
        for (String question : List.of("up", "TSIs per state", "Refusals by reason code",
                "time until the nNVE answered", "ECP retransmissions")) {
            assertThat(titles).as("a panel for: %s", question).anyMatch(t -> t.contains(question));
        }
    }

    @Test
    @DisplayName("the harness: the dashboard check reads PromQL as Prometheus does: metrics, label matchers, grouping labels, functions, Grafana variables")
    void promqlReader() {
        Query q = parse("histogram_quantile(0.95, sum by (le, operation) (rate(splitnve_operation_seconds_bucket"
                + "{node=~\"$node\", result=\"ok\"}[$__rate_interval])))");
        assertThat(q.metrics()).containsExactly("splitnve_operation_seconds_bucket");
        assertThat(q.labels()).containsExactlyInAnyOrder("le", "operation", "node", "result");
        Query join = parse("count by (node) (splitnve_peers{uplink!=\"\"} == 0) or on (node) splitnve_info");
        assertThat(join.metrics()).containsExactlyInAnyOrder("splitnve_peers", "splitnve_info");
        assertThat(join.labels()).containsExactlyInAnyOrder("node", "uplink");
        assertThat(parse("label_values(splitnve_info, node)").metrics()).containsExactly("splitnve_info");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> parse("no_such_function(splitnve_info)"))
                .isInstanceOf(AssertionError.class);
    }
}
