package org.splitnve.daemon.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4 for the tests: {@code # HELP} and
 * {@code # TYPE} lines, samples {@code name{label="value",...} number}. Anything else fails the test:
 * a sample before its family's TYPE, a family's samples not together, a bad name, label or number.
 * {@link #parseOpenMetrics} reads OpenMetrics 1.0 text as strictly: the same lines, plus {@code # UNIT},
 * the types {@code info}, {@code stateset}, {@code unknown}, {@code gaugehistogram}, family names without
 * the samples' suffixes (a counter's samples end in {@code _total}), and {@code # EOF} as the last line.
 */
final class PrometheusText {
    record Sample(String name, Map<String, String> labels, double value) {}

    final Map<String, String> types = new LinkedHashMap<>();
    final Map<String, String> help = new HashMap<>();
    final List<Sample> samples = new ArrayList<>();
    private final boolean openMetrics;

    private PrometheusText(boolean openMetrics) {
        this.openMetrics = openMetrics;
    }

    static PrometheusText parse(String text) {
        return parse(text, false);
    }

    static PrometheusText parseOpenMetrics(String text) {
        if (!text.endsWith("# EOF\n") && !text.endsWith("# EOF")) {
            throw new AssertionError("OpenMetrics text does not end with # EOF");
        }
        return parse(text.substring(0, text.lastIndexOf("# EOF")), true);
    }

    private static PrometheusText parse(String text, boolean openMetrics) {
        PrometheusText p = new PrometheusText(openMetrics);
        String family = null;
        java.util.Set<String> closed = new java.util.HashSet<>();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring(7).split(" ", 2);
                name(parts[0], n);
                p.help.put(parts[0], parts.length > 1 ? parts[1] : "");
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ", -1); // NAME TYPE: exactly two words
                List<String> known = openMetrics
                        ? List.of("counter", "gauge", "histogram", "summary", "info", "stateset", "unknown", "gaugehistogram")
                        : List.of("counter", "gauge", "histogram", "summary", "untyped");
                if (parts.length != 2 || !known.contains(parts[1])) {
                    throw new AssertionError("line " + n + ": bad TYPE: " + line);
                }
                if (p.types.put(name(parts[0], n), parts[1]) != null) {
                    throw new AssertionError("line " + n + ": TYPE twice for " + parts[0]);
                }
                if (family != null) {
                    closed.add(family);
                }
                family = parts[0];
                continue;
            }
            if (line.startsWith("#") && !(openMetrics && line.startsWith("# UNIT "))) {
                if (openMetrics) {
                    throw new AssertionError("line " + n + ": not an OpenMetrics line: " + line);
                }
                continue;
            }
            if (line.startsWith("# UNIT ")) {
                continue;
            }
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
                i++;
            }
            String name = name(line.substring(0, i), n);
            Map<String, String> labels = new LinkedHashMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                while (line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    String label = line.substring(i, eq);
                    if (!label.matches("[a-zA-Z_][a-zA-Z0-9_]*")) {
                        throw new AssertionError("line " + n + ": bad label name '" + label + "'");
                    }
                    if (line.charAt(eq + 1) != '"') {
                        throw new AssertionError("line " + n + ": label value not quoted");
                    }
                    StringBuilder v = new StringBuilder();
                    int j = eq + 2;
                    for (; line.charAt(j) != '"'; j++) {
                        char c = line.charAt(j);
                        if (c == '\\') {
                            char e = line.charAt(++j);
                            v.append(switch (e) {
                                case 'n' -> '\n';
                                case '\\' -> '\\';
                                case '"' -> '"';
                                default -> throw new AssertionError("line " + n + ": bad escape \\" + e);
                            });
                        } else {
                            v.append(c);
                        }
                    }
                    labels.put(label, v.toString());
                    i = j + 1;
                    if (line.charAt(i) == ',') {
                        i++;
                    }
                }
                i++;
            }
            if (line.charAt(i) != ' ') {
                throw new AssertionError("line " + n + ": expected a space before the value: " + line);
            }
            String[] rest = line.substring(i + 1).split(" ", -1); // VALUE [TIMESTAMP]
            double value = switch (rest[0]) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(rest[0]);
            };
            String base = p.baseName(name);
            if (base == null) {
                throw new AssertionError("line " + n + ": sample " + name + " without a TYPE line before it");
            }
            if (!base.equals(family) || closed.contains(base)) {
                throw new AssertionError("line " + n + ": sample of " + base + " away from its family");
            }
            p.samples.add(new Sample(name, labels, value));
        }
        return p;
    }

    private String baseName(String name) {
        if (!openMetrics && types.containsKey(name)) {
            return name;
        }
        if (openMetrics && types.containsKey(name) && List.of("gauge", "unknown", "stateset").contains(types.get(name))) {
            return name;
        }
        Map<String, List<String>> suffixes = openMetrics
                ? Map.of("_bucket", List.of("histogram", "gaugehistogram"), "_sum", List.of("histogram", "summary"),
                        "_count", List.of("histogram", "summary"), "_total", List.of("counter"),
                        "_created", List.of("counter", "histogram", "summary"), "_info", List.of("info"),
                        "_gcount", List.of("gaugehistogram"), "_gsum", List.of("gaugehistogram"))
                : Map.of("_bucket", List.of("histogram"), "_sum", List.of("histogram", "summary"),
                        "_count", List.of("histogram", "summary"));
        for (Map.Entry<String, List<String>> suffix : suffixes.entrySet()) {
            if (name.endsWith(suffix.getKey())) {
                String b = name.substring(0, name.length() - suffix.getKey().length());
                if (suffix.getValue().contains(types.get(b))) {
                    return b;
                }
            }
        }
        return null;
    }

    private static String name(String s, int line) {
        if (!s.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new AssertionError("line " + line + ": bad metric name '" + s + "'");
        }
        return s;
    }

    /** The samples of {@code name} whose labels include {@code labels}. */
    List<Sample> find(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name.equals(name) && s.labels.entrySet().containsAll(labels.entrySet()))
                .toList();
    }

    /** The sum of the values of the matching samples; fails when there are none. */
    double value(String name, Map<String, String> labels) {
        List<Sample> f = find(name, labels);
        if (f.isEmpty()) {
            throw new AssertionError("no sample " + name + labels);
        }
        return f.stream().mapToDouble(Sample::value).sum();
    }
}
