package org.splitnve.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.splitnve.interop.compare.LldpadPair;
import org.splitnve.interop.compare.OurPair;
import org.splitnve.protocol.Timers;
import org.splitnve.wire.vdp.CapabilityTlv;

/**
 * The side-by-side benchmark (issue 4), in network namespaces that {@code bench/run-vs-lldpad.sh} builds:
 * N VMs associated and activated through our tNVE and nNVE ({@link OurPair}), and the same N through
 * an lldpad station and bridge driven by vdptool ({@link LldpadPair}), both at RTE 8; our pair under
 * keep-alive load with many TSIs and a short keep-alive period; and lldpad's pair at growing N, at RTE 14
 * and RTE 8, to see where it collapses. Prints tables; exits 1 if our pair misses the VMs/s target at
 * 10,000 VMs or more (median of the repeats) or loses a TSI anywhere, 2 on a usage error.
 * See BENCHMARKS.md ("Side by side with lldpad").
 */
public final class VsLldpad {
    private VsLldpad() {
    }

    static final String USAGE = """
            usage: VsLldpad --tnve NS/IF --nnve NS/IF --station NS/IF --bridge NS/IF [options]
              --sizes 200,10000        N for the timed comparison (both pairs, RTE 8)
              --repeat 3               rounds of the timed comparison
              --pairs splitnve,lldpad  the pairs in the timed comparison (splitnve alone: a quick look at ours)
              --warmup 100000          VMs through throw-away pairs of ours first (JIT warm-up); 0: none
              --ours-rte 8             our pair's RTE (its other timers as lldpad's); the daemons default to 14
              --target 50000           VMs/s our pair must reach at N >= 10,000 (median of the rounds)
              --lldpad-limit 1200      seconds one lldpad run may take; it stops there and reports what it reached
              --keepalive 100000       TSIs held by our pair under keep-alive load (0: skip)
              --keepalive-rka 16       RKA for that test (10 us x 2^RKA: 16 = 0.66 s)
              --keepalive-periods 10   keep-alive periods it is watched for
              --keepalive-plain-rka 20 RKA for the same test without the session extension (per-TSI keep-alives)
              --keepalive-plain-periods 5  keep-alive periods that one is watched for
              --collapse-rte14 LIST    lldpad pair at RTE 14 for each N of LIST (e.g. 64,128,200); empty: skip
              --collapse-rte8 LIST     lldpad pair at RTE 8 for each N of LIST (e.g. 1000,2000,4000); empty: skip
              --observe 60             seconds each collapse run is watched after its associations
              --dir DIR                scratch directory (lldpad configuration files)
            """;

    /** One row of the timed comparison. */
    record Row(int round, int n, String system, double seconds, double vmsPerSecond, long frames, long retransmissions,
            long lost, String note) {
    }

    private static final List<AutoCloseable> OPEN = new ArrayList<>();

    /** The options and their defaults; --tnve, --nnve, --station and --bridge have none (required). */
    private static Map<String, String> defaults() {
        Map<String, String> o = new LinkedHashMap<>();
        String[] kv = {"--sizes", "200,10000", "--repeat", "3", "--pairs", "splitnve,lldpad", "--warmup", "100000",
            "--ours-rte", "8", "--target", "50000", "--lldpad-limit", "1200", "--keepalive", "100000",
            "--keepalive-rka", "16", "--keepalive-periods", "10", "--keepalive-plain-rka", "20",
            "--keepalive-plain-periods", "5", "--collapse-rte14", "", "--collapse-rte8", "", "--observe", "60"};
        for (int i = 0; i < kv.length; i += 2) {
            o.put(kv[i], kv[i + 1]);
        }
        return o;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--help")) {
            System.out.print(USAGE);
            return;
        }
        Map<String, String> o = defaults();
        List<String> known = new ArrayList<>(o.keySet());
        known.addAll(List.of("--tnve", "--nnve", "--station", "--bridge", "--dir"));
        for (int i = 0; i < args.length; i += 2) {
            if (!known.contains(args[i]) || i + 1 >= args.length) {
                usage("unknown option or missing value: '" + args[i] + "'");
            }
            o.put(args[i], args[i + 1]);
        }
        for (String need : List.of("--tnve", "--nnve", "--station", "--bridge")) {
            if (!o.containsKey(need) || !o.get(need).contains("/")) {
                usage(need + " NS/IF is required");
            }
        }
        Runner runner;
        try {
            runner = new Runner(o);
        } catch (NumberFormatException e) {
            usage("not a number: " + e.getMessage());
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(VsLldpad::closeAll, "close pairs"));
        System.exit(runner.run() ? 0 : 1);
    }

    private static void usage(String problem) {
        System.err.print("VsLldpad: " + problem + "\n" + USAGE);
        System.exit(2);
    }

    private static OurPair.Where where(String s) {
        int slash = s.indexOf('/');
        return new OurPair.Where(s.substring(0, slash), s.substring(slash + 1));
    }

    private static List<Integer> ints(String s) {
        return s.isBlank() ? List.of() : Arrays.stream(s.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    static synchronized <T extends AutoCloseable> T opened(T c) {
        OPEN.add(c);
        return c;
    }

    static synchronized void close(AutoCloseable c) {
        OPEN.remove(c);
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("closing " + c + ": " + e);
        }
    }

    /** Closes what is open, the latest first (the pairs before the scratch directory they use). */
    static synchronized void closeAll() {
        for (AutoCloseable c : List.copyOf(OPEN).reversed()) {
            close(c);
        }
    }

    private static final class Runner {
        private final OurPair.Where tnve;
        private final OurPair.Where nnve;
        private final OurPair.Where station;
        private final OurPair.Where bridge;
        private final Map<String, String> o;
        private final Path dir;
        private final List<Row> rows = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();

        Runner(Map<String, String> o) throws IOException {
            this.o = o;
            tnve = where(o.get("--tnve"));
            nnve = where(o.get("--nnve"));
            station = where(o.get("--station"));
            bridge = where(o.get("--bridge"));
            for (String k : o.keySet()) {
                if (!List.of("--tnve", "--nnve", "--station", "--bridge", "--dir", "--pairs").contains(k)) {
                    ints(o.get(k)); // every other option is a number or a list of numbers: checked now
                }
            }
            if (o.containsKey("--dir")) {
                dir = Path.of(o.get("--dir"));
            } else {
                dir = Files.createTempDirectory("vs-lldpad");
                opened(() -> deleteTree(dir)); // removed at the end, also on Ctrl-C
            }
        }

        private static void deleteTree(Path root) throws IOException {
            try (var paths = Files.walk(root)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }

        private int num(String key) {
            return Integer.parseInt(o.get(key).trim());
        }

        boolean run() throws IOException {
            Timers lldpadTimers = new Timers(3, 8, 20, 20);
            Timers ourTimers = new Timers(3, num("--ours-rte"), 20, 20);
            List<Integer> sizes = ints(o.get("--sizes"));
            warmUp(ourTimers);
            header(String.format("# Timed comparison: N VMs associated and activated. lldpad: R 3, RTE 8, RWD 20, RKA 20"
                    + " (its defaults but RTE); splitnve: R 3, RTE %d, RWD 20, RKA 20", ourTimers.rte()));
            for (int round = 1; round <= num("--repeat"); round++) {
                for (int n : sizes) {
                    OurPair.Run r = ours(n, ourTimers);
                    long lost = n - r.activated();
                    if (lost != 0 || r.ok() != n) {
                        problems.add("round " + round + ", N " + n + ": our pair activated " + r.activated() + " of " + n
                                + " (" + r.firstFailure() + ")");
                    }
                    print(new Row(round, n, "splitnve", r.nanos() / 1e9, r.vmsPerSecond(), r.counters().framesSent(),
                            r.counters().retransmissions(), lost, String.format("create %.3f s; CPU %.3f s", r.createNanos() / 1e9,
                            r.cpuNanos() / 1e9)));
                    if (!o.get("--pairs").contains("lldpad")) {
                        continue;
                    }
                    LldpadPair.Run l = lldpad(n, lldpadTimers, Duration.ofSeconds(num("--lldpad-limit")));
                    print(new Row(round, n, "lldpad", l.nanos() / 1e9, l.answered() / (l.nanos() / 1e9), l.frames(),
                            l.retransmissions(), n - l.held(), lldpadNote(l)));
                }
            }
            summary(sizes);
            keepAlive();
            collapse(14, ints(o.get("--collapse-rte14")));
            collapse(8, ints(o.get("--collapse-rte8")));
            return verdict(sizes);
        }

        /**
         * JIT warm-up: {@code --warmup} VMs through throw-away pairs of ours, 10,000 at a time (a pair each,
         * as the measured runs), so the code the runs measure is compiled; reported, not counted.
         */
        private void warmUp(Timers timers) throws IOException {
            int left = num("--warmup");
            long t0 = System.nanoTime();
            int runs = 0;
            double last = 0;
            while (left > 0) {
                int n = Math.min(left, 10_000);
                last = ours(n, timers).vmsPerSecond();
                left -= n;
                runs++;
            }
            if (runs > 0) {
                System.out.printf("# JIT warm-up (discarded): %,d VMs through %d throw-away pairs of ours in %.1f s; the"
                        + " last run %,.0f VMs/s%n%n", num("--warmup"), runs, (System.nanoTime() - t0) / 1e9, last);
            }
        }

        private OurPair.Run ours(int n, Timers timers) throws IOException {
            OurPair p = opened(OurPair.start(nnve, tnve, timers, EnumSet.allOf(CapabilityTlv.Feature.class)));
            try {
                OurPair.Run r = p.createAndStart(n);
                if (r.activated() != n || r.counters().engineErrors() != 0) {
                    System.out.println(p.eventReport());
                }
                return r;
            } finally {
                close(p);
            }
        }

        private LldpadPair.Run lldpad(int n, Timers timers, Duration limit) throws IOException {
            LldpadPair p = opened(LldpadPair.start(station, bridge, timers, dir));
            try {
                return p.associate(n, limit);
            } finally {
                close(p);
            }
        }

        private static String lldpadNote(LldpadPair.Run l) {
            String s = String.format("%d of %d vdptool calls answered; bridge answered %d; %d de-associated by the bridge",
                    l.vdptoolAnswered(), l.asked(), l.answered(), l.deassociatedByBridge());
            return l.limitReached() ? s + "; TIME LIMIT: stopped after " + l.asked() + " calls" : s;
        }

        private static void header(String title) {
            System.out.println(title);
            System.out.printf("%-5s %7s %-9s %10s %12s %9s %8s %9s  %s%n", "round", "N", "system", "seconds", "VMs/s",
                    "frames", "retrans.", "VSIs lost", "note");
        }

        private void print(Row r) {
            rows.add(r);
            System.out.printf("%-5d %,7d %-9s %10.3f %,12.0f %,9d %,8d %,9d  %s%n", r.round(), r.n(), r.system(),
                    r.seconds(), r.vmsPerSecond(), r.frames(), r.retransmissions(), r.lost(), r.note());
            System.out.flush();
        }

        private void summary(List<Integer> sizes) {
            System.out.printf("%n# Summary over %d round(s): min / median / max%n", num("--repeat"));
            System.out.printf("%7s %-9s %-26s %-32s %-22s %-16s %s%n", "N", "system", "seconds", "VMs/s", "frames",
                    "retrans.", "VSIs lost (max)");
            for (int n : sizes) {
                for (String sys : List.of("splitnve", "lldpad")) {
                    List<Row> rs = rows.stream().filter(r -> r.n() == n && r.system().equals(sys)).toList();
                    if (rs.isEmpty()) {
                        continue;
                    }
                    System.out.printf("%,7d %-9s %-26s %-32s %-22s %-16s %,d%n", n, sys,
                            stats(rs.stream().mapToDouble(Row::seconds).toArray(), "%.3f"),
                            stats(rs.stream().mapToDouble(Row::vmsPerSecond).toArray(), "%,.0f"),
                            stats(rs.stream().mapToDouble(Row::frames).toArray(), "%,.0f"),
                            stats(rs.stream().mapToDouble(Row::retransmissions).toArray(), "%,.0f"),
                            rs.stream().mapToLong(Row::lost).max().orElse(0));
                }
            }
        }

        static double median(double[] v) {
            double[] s = v.clone();
            Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        private static String stats(double[] v, String f) {
            double min = Arrays.stream(v).min().orElse(0);
            double max = Arrays.stream(v).max().orElse(0);
            return String.format(f + " / " + f + " / " + f, min, median(v), max);
        }

        /**
         * Our pair holding many TSIs with a short keep-alive period: none may fall. With the session extension
         * (what our pair uses) one session TLV a period refreshes them all; without it (as toward a standard
         * bridge) the tNVE refreshes each TSI, batched, and the period is lldpad's default.
         */
        private void keepAlive() throws IOException {
            int n = num("--keepalive");
            if (n <= 0) {
                return;
            }
            System.out.printf("%n# Keep-alive load: %,d TSIs activated through our pair (RTE %d), then left alone and"
                    + " watched: TSIs activated at the nNVE at every half period, what the keep-alives cost%n", n,
                    num("--ours-rte"));
            System.out.printf("%-34s %4s %8s %8s %8s %9s %12s %12s %10s %7s %8s %8s%n", "mode", "RKA", "period",
                    "timeout", "watched", "create s", "VMs/s", "min active", "frames/s", "CPU %", "retrans.",
                    "timeouts");
            keepAlive("session keep-alive (extensions)", EnumSet.allOf(CapabilityTlv.Feature.class), n,
                    num("--keepalive-rka"), num("--keepalive-periods"));
            Set<CapabilityTlv.Feature> noSession = EnumSet.allOf(CapabilityTlv.Feature.class);
            noSession.remove(CapabilityTlv.Feature.SESSION);
            keepAlive("per-TSI keep-alives (no session)", noSession, n, num("--keepalive-plain-rka"),
                    num("--keepalive-plain-periods"));
        }

        private void keepAlive(String mode, Set<CapabilityTlv.Feature> features, int n, int rka, int periods)
                throws IOException {
            Timers t = new Timers(3, num("--ours-rte"), 20, rka);
            OurPair p = opened(OurPair.start(nnve, tnve, t, features));
            try {
                OurPair.Run r = p.createAndStart(n);
                Duration period = Duration.ofNanos(t.keepAliveNanos());
                OurPair.Hold h = p.hold(period.multipliedBy(periods), period.dividedBy(2));
                long lost = n - h.minActivated();
                System.out.printf("%-34s %4d %7.3fs %7.3fs %7.1fs %9.3f %,12.0f %,12d %,10.1f %7.1f %,8d %,8d%n", mode,
                        rka, t.keepAliveNanos() / 1e9, t.bridgeKeepAliveTimeoutNanos() / 1e9, h.nanos() / 1e9,
                        r.nanos() / 1e9, r.vmsPerSecond(), h.minActivated(), h.framesPerSecond(), 100 * h.cpuShare(),
                        h.counters().retransmissions(), h.counters().keepAliveTimeouts());
                if (r.activated() != n || lost != 0 || h.counters().keepAliveTimeouts() != 0) {
                    problems.add("keep-alive test (" + mode + "): " + r.activated() + " of " + n + " activated, at least "
                            + h.minActivated() + " held, " + h.counters().keepAliveTimeouts() + " keep-alive timeouts");
                    System.out.println(p.eventReport());
                }
            } finally {
                close(p);
            }
        }

        /** lldpad's pair at growing N: how long the associations take, and how many VSIs it keeps. */
        private void collapse(int rte, List<Integer> sizes) throws IOException {
            if (sizes.isEmpty()) {
                return;
            }
            Timers t = new Timers(3, rte, 20, 20);
            int observe = num("--observe");
            System.out.printf("%n# lldpad pair at RTE %d (ack timer %.2f ms), RKA 20 (%.2f s; the bridge drops a VSI"
                    + " %.2f s after its last keep-alive): N VSIs associated one vdptool call after another, then"
                    + " watched for %d s%n", rte, t.ackTimeoutNanos() / 1e6, t.keepAliveNanos() / 1e9,
                    t.bridgeKeepAliveTimeoutNanos() / 1e9, observe);
            for (int n : sizes) {
                LldpadPair p = opened(LldpadPair.start(station, bridge, t, dir));
                try {
                    LldpadPair.Run r = p.associate(n, Duration.ofSeconds(num("--lldpad-limit")));
                    System.out.printf("N %,d: %d calls in %.1f s (%.1f ms each), bridge answered %d, held at the end %d,"
                            + " %d de-associated by the bridge, %d retransmissions%s%n", n, r.asked(), r.nanos() / 1e9,
                            r.nanos() / 1e6 / Math.max(1, r.asked()), r.answered(), r.held(), r.deassociatedByBridge(),
                            r.retransmissions(), r.limitReached() ? " (TIME LIMIT)" : "");
                    StringBuilder prog = new StringBuilder("  during: ");
                    for (LldpadPair.Progress g : r.progress()) {
                        prog.append(String.format("[%d calls %.0f s: %d held] ", g.calls(), g.seconds(), g.held()));
                    }
                    if (!r.progress().isEmpty()) {
                        System.out.println(prog);
                    }
                    long since = System.nanoTime();
                    LldpadPair.Sample before = p.sample(since);
                    StringBuilder after = new StringBuilder("  after:  ");
                    int min = Integer.MAX_VALUE;
                    LldpadPair.Sample s = null;
                    for (int k = 0; k <= observe / 10; k++) {
                        if (k > 0) {
                            sleepSeconds(Math.min(10, observe - 10 * (k - 1)));
                        }
                        s = p.sample(since);
                        min = Math.min(min, s.held());
                        after.append(String.format("[+%.0f s: %d held, %d de-assoc.] ", s.seconds(), s.held(),
                                s.deassociatedByBridge()));
                    }
                    System.out.println(after);
                    double window = s.seconds();
                    System.out.printf("  lost at the end: %d of %d (fewest held while watched: %d); while watched the"
                            + " station sent %.1f ECPDUs/s (%,d retransmissions in all), the bridge %.1f ECPDUs/s%n",
                            n - s.held(), n, min, (s.station().requests() - before.station().requests()) / window,
                            s.station().retransmissions(), (s.bridge().requests() - before.bridge().requests()) / window);
                } finally {
                    close(p);
                }
            }
        }

        private static void sleepSeconds(long s) {
            try {
                Thread.sleep(s * 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        private boolean verdict(List<Integer> sizes) {
            int target = num("--target");
            boolean ok = problems.isEmpty();
            System.out.println();
            for (int n : sizes) {
                if (n < 10_000) {
                    continue;
                }
                double med = median(rows.stream().filter(r -> r.n() == n && r.system().equals("splitnve"))
                        .mapToDouble(Row::vmsPerSecond).toArray());
                boolean met = med >= target;
                ok &= met;
                System.out.printf("TARGET %s: our pair, N %,d: median %,.0f VMs/s (target %,d)%n", met ? "MET" : "MISSED",
                        n, med, target);
            }
            for (String p : problems) {
                System.out.println("LOST: " + p);
            }
            System.out.println(problems.isEmpty() ? "No TSI lost by our pair." : "");
            return ok;
        }
    }
}
