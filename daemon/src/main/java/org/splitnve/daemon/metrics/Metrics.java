package org.splitnve.daemon.metrics;

import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A daemon's Prometheus metrics, kept by the Prometheus Java client: its own registry of counters and histograms
 * updated from any thread, plus the gauges and counters a daemon reads at scrape time ({@link Scrape}). Every
 * sample carries the label {@code node}; names are prefixed {@code splitnve_}. {@link #writer} picks the format
 * of an answer from the scraper's {@code Accept} header: OpenMetrics 1.0 when it names
 * {@code application/openmetrics-text}, else the Prometheus text format 0.0.4 (in both a counter's samples end in
 * {@code _total}; the text format's HELP and TYPE lines name it with the suffix, OpenMetrics's without).
 */
public final class Metrics {
    /** Histogram bucket bounds in seconds: 10 us to 30 s. */
    static final double[] BUCKETS = {1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
        2.5, 5, 10, 30};
    private static final ExpositionFormats FORMATS = ExpositionFormats.init();

    private final Labels node;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    /** Each metric once by name: declaring it again (a second API server of the daemon) gives the same one. */
    private final Map<String, Object> declared = new ConcurrentHashMap<>();

    public Metrics(String node) {
        this.node = Labels.of("node", node);
        // the JVM's and the process's own metrics (jvm_memory_*, jvm_gc_collection_seconds, jvm_threads_*,
        // process_resident_memory_bytes, process_open_fds, ...), the client library's names, without the node label:
        // one process is one daemon. Not its allocation metrics: they add a listener to every collector for each
        // registry, and a test JVM runs hundreds of daemons.
        JvmMemoryMetrics.builder().register(registry);
        JvmThreadsMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        ProcessMetrics.builder().register(registry);
    }

    /** A counter, its series named by {@code labels}' values in that order ({@code labelValues(...).inc()}). */
    public Counter counter(String name, String help, String... labels) {
        return (Counter) declared.computeIfAbsent(name, n -> Counter.builder().name(n).help(help).labelNames(labels)
                .constLabels(node).withoutExemplars().register(registry));
    }

    /** A histogram of durations in seconds ({@link #BUCKETS}), observed in nanoseconds. */
    public Durations histogram(String name, String help, String... labels) {
        return (Durations) declared.computeIfAbsent(name, n -> new Durations(Histogram.builder().name(n).help(help)
                .labelNames(labels).constLabels(node).classicOnly().classicUpperBounds(BUCKETS).withoutExemplars()
                .register(registry)));
    }

    /** An info metric: {@code NAME{label="value"} 1} (a gauge in the text format, an info in OpenMetrics). */
    public void info(String name, String help, String label, String value) {
        ((Info) declared.computeIfAbsent(name, n -> Info.builder().name(n).help(help).labelNames(label)
                .constLabels(node).register(registry))).setLabelValues(value);
    }

    /** A histogram of durations: each series observes nanoseconds and exposes seconds. */
    public record Durations(Histogram histogram) {
        public Series with(String... values) {
            DistributionDataPoint p = histogram.labelValues(values);
            return nanos -> p.observe(nanos / 1e9);
        }
    }

    /** One series of a {@link Durations} histogram. */
    @FunctionalInterface
    public interface Series {
        void observeNanos(long nanos);
    }

    /** Gauges and counters read at scrape time: each call adds one sample of a family. */
    public static final class Scrape {
        private final Labels node;
        private final Map<String, GaugeSnapshot.Builder> gauges = new LinkedHashMap<>();
        private final Map<String, CounterSnapshot.Builder> counters = new LinkedHashMap<>();

        Scrape(Labels node) {
            this.node = node;
        }

        /** A gauge's sample; {@code labels} alternate names and values. */
        public Scrape gauge(String name, String help, double value, String... labels) {
            gauges.computeIfAbsent(name, n -> GaugeSnapshot.builder().name(n).help(help))
                    .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels(labels)).value(value).build());
            return this;
        }

        /** A counter's sample, read from a count kept elsewhere; {@code labels} alternate names and values. */
        public Scrape counter(String name, String help, double value, String... labels) {
            counters.computeIfAbsent(name, n -> CounterSnapshot.builder().name(n).help(help))
                    .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels(labels)).value(value)
                            .build());
            return this;
        }

        private Labels labels(String... pairs) {
            return node.merge(Labels.of(pairs));
        }
    }

    public Scrape scrape() {
        return new Scrape(node);
    }

    /** A scrape's samples and every counter, histogram and info of the registry. */
    public MetricSnapshots render(Scrape s) {
        List<MetricSnapshot> all = new ArrayList<>(registry.scrape().stream().toList());
        s.gauges.values().forEach(b -> all.add(b.build()));
        s.counters.values().forEach(b -> all.add(b.build()));
        return new MetricSnapshots(all);
    }

    /**
     * The writer for a scraper's {@code Accept} header (null or absent: the Prometheus text format 0.0.4). A scraper
     * that asks for the protobuf format first (Prometheus with native histograms) gets a text format: the
     * protobuf writer is not in this build, and such scrapers accept the text formats as well.
     */
    public static ExpositionFormatWriter writer(String accept) {
        ExpositionFormatWriter w = FORMATS.findWriter(accept);
        if (w.isAvailable()) {
            return w;
        }
        ExpositionFormatWriter open = FORMATS.getOpenMetricsTextFormatWriter();
        return open.accepts(accept) ? open : FORMATS.getPrometheusTextFormatWriter();
    }
}
