package org.splitnve.app.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Prometheus metrics in text exposition format 0.0.4, without a library: labelled counters and
 * histograms updated from any thread (lock-free, no allocation once a label set exists), and gauges
 * the caller supplies at scrape time. Every sample carries the label {@code node}. Names are
 * prefixed {@code splitnve_}.
 */
public final class Metrics {
    /** Histogram bucket bounds in seconds: 10 us to 30 s. */
    static final double[] BUCKETS = {1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
        2.5, 5, 10, 30};

    private final String node;
    private final Map<String, Family> families = new ConcurrentHashMap<>();
    private final List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();

    public Metrics(String node) {
        this.node = node;
    }

    public String node() {
        return node;
    }

    private enum Kind { COUNTER, HISTOGRAM }

    private record Family(String name, String help, Kind kind, String[] labels, Map<List<String>, Object> series) {}

    private Family family(String name, String help, Kind kind, String... labels) {
        return families.computeIfAbsent(name, n -> {
            order.add(n);
            return new Family(n, help, kind, labels, new ConcurrentHashMap<>());
        });
    }

    /** A counter's series for these label values (in the order of {@code labels} at declaration). */
    public final class Counter {
        private final Family f;

        private Counter(Family f) {
            this.f = f;
        }

        public LongAdder with(String... values) {
            return (LongAdder) f.series.computeIfAbsent(List.of(values), v -> new LongAdder());
        }

        public void inc(String... values) {
            with(values).increment();
        }
    }

    /** One histogram series: cumulative counts are computed at scrape time. */
    public static final class Histogram {
        private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS.length + 1);
        private final LongAdder sumNanos = new LongAdder();

        public void observeNanos(long nanos) {
            double s = nanos / 1e9;
            int i = 0;
            while (i < BUCKETS.length && s > BUCKETS[i]) {
                i++;
            }
            buckets.incrementAndGet(i);
            sumNanos.add(nanos);
        }

        public long count() {
            long n = 0;
            for (int i = 0; i < buckets.length(); i++) {
                n += buckets.get(i);
            }
            return n;
        }
    }

    public final class HistogramFamily {
        private final Family f;

        private HistogramFamily(Family f) {
            this.f = f;
        }

        public Histogram with(String... values) {
            return (Histogram) f.series.computeIfAbsent(List.of(values), v -> new Histogram());
        }
    }

    public Counter counter(String name, String help, String... labels) {
        return new Counter(family(name, help, Kind.COUNTER, labels));
    }

    public HistogramFamily histogram(String name, String help, String... labels) {
        return new HistogramFamily(family(name, help, Kind.HISTOGRAM, labels));
    }

    /** Gauges and counters read at scrape time: {@link #sample} adds one sample of a family. */
    public static final class Scrape {
        private final String node;
        private final StringBuilder sb = new StringBuilder(4096);
        private final java.util.Set<String> declared = new java.util.HashSet<>();

        Scrape(String node) {
            this.node = node;
        }

        /** Declares a family (once) and adds a sample; {@code labels} alternate names and values. */
        public Scrape sample(String name, String type, String help, double value, String... labels) {
            if (declared.add(name)) {
                sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
                sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
            }
            sb.append(name);
            labels(sb, node, labels);
            sb.append(' ').append(number(value)).append('\n');
            return this;
        }

        public Scrape gauge(String name, String help, double value, String... labels) {
            return sample(name, "gauge", help, value, labels);
        }

        public Scrape counter(String name, String help, double value, String... labels) {
            return sample(name, "counter", help, value, labels);
        }
    }

    public Scrape scrape() {
        return new Scrape(node);
    }

    /** The text of a scrape: its samples, then every counter and histogram. */
    public String render(Scrape s) {
        StringBuilder sb = s.sb;
        for (String name : order) {
            Family f = families.get(name);
            sb.append("# HELP ").append(f.name).append(' ').append(f.help).append('\n');
            sb.append("# TYPE ").append(f.name).append(' ').append(f.kind.name().toLowerCase(Locale.ROOT)).append('\n');
            List<Map.Entry<List<String>, Object>> entries = new ArrayList<>(f.series.entrySet());
            entries.sort((a, b) -> String.join("\u0000", a.getKey()).compareTo(String.join("\u0000", b.getKey())));
            for (Map.Entry<List<String>, Object> e : entries) {
                String[] pairs = pairs(f.labels, e.getKey());
                switch (f.kind) {
                    case COUNTER -> {
                        sb.append(f.name);
                        labels(sb, node, pairs);
                        sb.append(' ').append(((LongAdder) e.getValue()).sum()).append('\n');
                    }
                    case HISTOGRAM -> {
                        Histogram h = (Histogram) e.getValue();
                        long cumulative = 0;
                        for (int i = 0; i <= BUCKETS.length; i++) {
                            cumulative += h.buckets.get(i);
                            sb.append(f.name).append("_bucket");
                            String[] withLe = java.util.Arrays.copyOf(pairs, pairs.length + 2);
                            withLe[pairs.length] = "le";
                            withLe[pairs.length + 1] = i < BUCKETS.length ? number(BUCKETS[i]) : "+Inf";
                            labels(sb, node, withLe);
                            sb.append(' ').append(cumulative).append('\n');
                        }
                        sb.append(f.name).append("_sum");
                        labels(sb, node, pairs);
                        sb.append(' ').append(number(h.sumNanos.sum() / 1e9)).append('\n');
                        sb.append(f.name).append("_count");
                        labels(sb, node, pairs);
                        sb.append(' ').append(cumulative).append('\n');
                    }
                }
            }
        }
        return sb.toString();
    }

    private static String[] pairs(String[] names, List<String> values) {
        String[] out = new String[names.length * 2];
        for (int i = 0; i < names.length; i++) {
            out[2 * i] = names[i];
            out[2 * i + 1] = i < values.size() ? values.get(i) : "";
        }
        return out;
    }

    private static void labels(StringBuilder sb, String node, String[] pairs) {
        sb.append("{node=\"");
        escape(sb, node);
        sb.append('"');
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            sb.append(',').append(pairs[i]).append("=\"");
            escape(sb, pairs[i + 1]);
            sb.append('"');
        }
        sb.append('}');
    }

    private static void escape(StringBuilder sb, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }

    static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }
}
