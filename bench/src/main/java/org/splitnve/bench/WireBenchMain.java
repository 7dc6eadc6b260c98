package org.splitnve.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link WireBench} (or the benchmarks the JMH command line names) with the GC profiler, prints
 * JMH's own output, then a summary per frame shape: VSI TLVs per second, frames per second and
 * octets allocated per frame. Takes the usual JMH options ({@code -f}, {@code -wi}, {@code -i},
 * {@code -rf json}, ...).
 *
 * <pre>java -cp bench/target/benchmarks.jar org.splitnve.bench.WireBenchMain [JMH options]</pre>
 */
public final class WireBenchMain {
    private WireBenchMain() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        CommandLineOptions cli = new CommandLineOptions(args);
        OptionsBuilder options = new OptionsBuilder();
        options.parent(cli);
        if (cli.getIncludes().isEmpty()) {
            options.include(WireBench.class.getName() + "\\.");
        }
        if (cli.getProfilers().stream().noneMatch(p -> p.getKlass().equals("gc"))) {
            options.addProfiler("gc");
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        System.out.println();
        System.out.println(summary(results));
    }

    static String summary(Collection<RunResult> results) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Benchmark", "VSI/frame", "VSI TLVs/s", "+/- (99.9%)", "frames/s", "B/frame", "B/VSI"});
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.') + 1);
            int perFrame = r.getParams().getOpsPerInvocation();
            Result<?> primary = r.getPrimaryResult();
            double vsis = primary.getScore();
            Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            double perVsi = alloc == null ? Double.NaN : alloc.getScore();
            rows.add(new String[] {
                name,
                Integer.toString(perFrame),
                String.format(Locale.ROOT, "%,.0f", vsis),
                String.format(Locale.ROOT, "%,.0f", primary.getScoreError()),
                String.format(Locale.ROOT, "%,.0f", vsis / perFrame),
                String.format(Locale.ROOT, "%,.1f", perVsi * perFrame),
                String.format(Locale.ROOT, "%,.1f", perVsi),
            });
        }
        int[] width = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder("Per frame shape (1 thread; B = bytes allocated, from gc.alloc.rate.norm):\n");
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                String pad = " ".repeat(width[i] - row[i].length());
                sb.append(i == 0 ? row[i] + pad : "  " + pad + row[i]);
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
