package org.splitnve.bench.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.splitnve.api.JsonCodec;
import tools.jackson.databind.JsonNode;

/**
 * What the soak ({@link Soak}) and the chaos run ({@link Chaos}) share: the network, the stations' tNVE daemons and the
 * nNVE as processes, the VMs' load and churn through the tNVEs' APIs, the wait for the stations to be in sync, a
 * daemon's kill and restart, the last strict check, and the clean-up (also on a signal, by a shutdown hook).
 */
abstract class Harness {
    final Path jar;
    final int tsis;
    final int stations;
    final int port;
    final Path dir;
    final PrintStream out = System.out;
    final SoakNetwork net = new SoakNetwork();
    final List<String> problems = new ArrayList<>();
    DaemonProcess nnve;
    final List<DaemonProcess> tnves = new ArrayList<>();
    long t0;

    Harness(Map<String, String> o, String dirPrefix) throws IOException {
        jar = Path.of(o.get("--jar")).toAbsolutePath();
        tsis = Integer.parseInt(o.get("--tsis"));
        stations = Integer.parseInt(o.get("--stations"));
        port = Integer.parseInt(o.get("--port"));
        dir = o.containsKey("--dir") ? Path.of(o.get("--dir")) : Files.createTempDirectory(dirPrefix);
        Files.createDirectories(dir);
    }

    /**
     * The command line: {@code --name value} pairs over {@code defaults}, each a known option, {@code --jar} and
     * {@code --dir}; null (the usage printed) when it is not.
     */
    static Map<String, String> options(String[] args, Map<String, String> defaults, String usage) {
        Map<String, String> o = new java.util.LinkedHashMap<>(defaults);
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length || !(defaults.containsKey(args[i])
                    || args[i].equals("--jar") || args[i].equals("--dir"))) {
                System.err.print(usage);
                return null;
            }
            o.put(args[i], args[++i]);
        }
        if (!o.containsKey("--jar")) {
            System.err.print(usage);
            return null;
        }
        return o;
    }

    /** The network and the daemons, started. */
    abstract void setUp() throws Exception;

    /** What runs once every VM runs. */
    abstract void body(Fleet fleet) throws Exception;

    /** The report; the exit status. */
    abstract int report(Fleet fleet) throws IOException;

    /** Every daemon to stop at the end, in order. */
    List<DaemonProcess> daemons() {
        List<DaemonProcess> all = new ArrayList<>(tnves);
        if (nnve != null) {
            all.add(nnve);
        }
        return all;
    }

    void say(String line) {
        out.printf(Locale.ROOT, "[%7.1f s] %s%n", (System.nanoTime() - t0) / 1e9, line);
        out.flush();
    }

    int run() throws Exception {
        t0 = System.nanoTime();
        Thread hook = Thread.ofPlatform().unstarted(this::cleanUp);
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            int stale = SoakNetwork.removeStale();
            if (stale > 0) {
                say("removed " + stale + " namespaces an earlier soak or chaos run left behind");
            }
            setUp();
            Fleet fleet = new Fleet(tsis, stations);
            load(fleet);
            body(fleet);
            return report(fleet);
        } finally {
            cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is stopping: the hook runs (and finds everything cleaned up)
            }
        }
    }

    private synchronized void cleanUp() {
        for (DaemonProcess d : daemons()) {
            d.stop();
        }
        net.close();
    }

    /** The stations' log level: warn (the soak's scale), info where every request is to be traced (chaos). */
    String stationLogLevel() {
        return "warn";
    }

    /** Starts the stations' tNVE daemons, each with its VM records ([state]) and its API on PORT + i. */
    void startStations() throws IOException, InterruptedException {
        for (int i = 1; i <= stations; i++) {
            String h = SoakNetwork.station(i);
            Path conf = dir.resolve(h + ".conf");
            Files.writeString(conf, "[tnve]\nname = \"" + h + "\"\n[[uplink]]\nname = \"tor\"\ninterface = \""
                    + SoakNetwork.UPLINK + "\"\nnamespace = \"" + net.ns(h) + "\"\ndestination = \""
                    + SoakNetwork.NNVE_MAC + "\"\nnnve = \"" + SoakNetwork.NNVE_MAC + "\"\n[state]\ndir = \""
                    + dir.resolve(h + "-state") + "\"\n" + DaemonProcess.apiAndLog(port + i, stationLogLevel()));
            DaemonProcess t = new DaemonProcess(h, "tnve", conf, dir.resolve(h + ".log"), port + i, jar);
            t.start(Duration.ofMinutes(2));
            tnves.add(t);
        }
    }

    /** Creates and starts every VM, {@link Fleet#IN_FLIGHT} at a time per station. */
    void load(Fleet fleet) throws Exception {
        long start = System.nanoTime();
        List<CompletableFuture<Integer>> pending = new ArrayList<>();
        int n = 0;
        for (Fleet.Vm vm : fleet.vms) {
            pending.add(fleet.send(tnves.get(vm.station - 1), vm, "/v1/vms", vm.createBody(), "RUNNING"));
            if (++n % 10_000 == 0) {
                say(n + " VMs sent for creation");
            }
        }
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get(1, TimeUnit.HOURS);
        double s = (System.nanoTime() - start) / 1e9;
        say(String.format(Locale.ROOT, "%d VMs created and started in %.1f s (%.0f a second): %d acknowledged, %d"
                + " refused, %d unreachable", tsis, s, tsis / s, fleet.ok.get(), fleet.notOk.get(),
                fleet.unreachable.get()));
        if (fleet.ok.get() < tsis) {
            problems.add((tsis - fleet.ok.get()) + " VMs were not created at the start");
        }
    }

    /** One second's churn: {@code perSecond} VMs drawn, each sent its next operation if its station has room. */
    void churn(Fleet fleet, SplittableRandom random, int perSecond) {
        for (int k = 0; k < perSecond; k++) {
            Fleet.Vm vm = fleet.vms.get(random.nextInt(tsis));
            String[] op = Fleet.nextOperation(vm, random.nextInt(1 << 20));
            if (op == null) {
                fleet.skipped.incrementAndGet();
                continue;
            }
            fleet.trySend(tnves.get(vm.station - 1), vm, op[0], op[1], op[2]);
        }
    }

    /**
     * The invariants' checks beside the churn (a check reads every TSI: seconds at scale), one at a time, one every
     * {@code every}; what they found, tallied and said.
     */
    final class Checks {
        final Checker checker = new Checker();
        private final Fleet fleet;
        private final long every;
        private long next;
        private CompletableFuture<Checker.Result> running;
        int count;
        long violations;
        long lost;

        Checks(Fleet fleet, int everySeconds) {
            this.fleet = fleet;
            this.every = TimeUnit.SECONDS.toNanos(everySeconds);
            this.next = System.nanoTime() + every;
        }

        /** Takes a finished check's result, and starts the next one when it is due. */
        void poll(long now) {
            if (running != null && running.isDone()) {
                take(running.join());
                running = null;
            }
            if (running == null && now - next >= 0) {
                next = now + every;
                running = CompletableFuture.supplyAsync(() -> {
                    try {
                        return checker.check(fleet, nnve, tnves, false);
                    } catch (Exception e) {
                        return null;
                    }
                });
            }
        }

        /** Waits for the check running, if any; a violation or a loss seen is a problem. */
        void finish() {
            if (running != null) {
                take(running.join());
                running = null;
            }
            if (violations > 0) {
                problems.add(violations + " invariant violations during the run");
            }
            if (lost > 0) {
                problems.add(lost + " acknowledged operations lost during the run");
            }
        }

        private void take(Checker.Result r) {
            count++;
            if (r == null) {
                say("check " + count + ": the nNVE's API did not answer");
                return;
            }
            violations += r.violations().size();
            lost += r.lost().size();
            r.violations().stream().limit(5).forEach(v -> say("VIOLATION: " + v));
            r.lost().stream().limit(5).forEach(l -> say("LOST: " + l));
            say(String.format(Locale.ROOT, "check %d: %d VMs judged, %d differences (transient unless seen twice), %d"
                    + " violations, %d lost, %d stations left out, %d ms", count, r.judged(), r.differences(),
                    r.violations().size(), r.lost().size(), r.stationsLeftOut(), r.millis()));
        }
    }

    /**
     * The end of the churn: nothing in flight (two minutes at most), then every VM judged strictly, again every 10 s
     * for two minutes while a last resynchronisation may run; a difference left is a problem.
     */
    void lastCheck(Fleet fleet, Checker checker) throws Exception {
        long quiet = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (fleet.vms.stream().anyMatch(v -> v.busy) && System.nanoTime() - quiet < 0) {
            Thread.sleep(100);
        }
        Thread.sleep(5_000);
        Checker.Result last = null;
        for (int k = 0; k < 12 && (last == null || !last.violations().isEmpty() || last.stationsLeftOut() > 0); k++) {
            if (k > 0) {
                Thread.sleep(10_000);
            }
            last = checker.check(fleet, nnve, tnves, true);
        }
        if (last == null || !last.violations().isEmpty() || !last.lost().isEmpty() || last.stationsLeftOut() > 0) {
            problems.add("the last check, with nothing in flight: " + (last == null ? "the nNVE did not answer"
                    : last.violations().size() + " differences " + last.violations().stream().limit(5).toList()
                            + ", " + last.lost().size() + " lost " + last.lost().stream().limit(5).toList()));
        } else {
            say("last check, nothing in flight: all " + last.judged() + " VMs agree at both sides, nothing lost");
        }
    }

    /**
     * SIGKILL to {@code d} and a start at once: ms until its API answers, and until every tNVE of {@code watch} is in
     * sync (-1 when not within {@code within}; the caller reports it).
     */
    long[] restart(DaemonProcess d, List<DaemonProcess> watch, Duration within) throws Exception {
        d.kill9();
        long start = System.nanoTime();
        d.start(Duration.ofMinutes(5));
        long api = (System.nanoTime() - start) / 1_000_000;
        if (awaitInSync(watch, within) < 0) {
            return new long[] {api, -1};
        }
        return new long[] {api, (System.nanoTime() - start) / 1_000_000};
    }

    /** Ms until every tNVE of {@code ds} says its uplink is in sync; -1 after {@code within}. */
    static long awaitInSync(List<DaemonProcess> ds, Duration within) throws InterruptedException {
        long start = System.nanoTime();
        while (!inSync(ds)) {
            if (System.nanoTime() - start > within.toNanos()) {
                return -1;
            }
            Thread.sleep(20);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Every tNVE of {@code ds} says its uplink is in sync (GET /v1/status). */
    static boolean inSync(List<DaemonProcess> ds) {
        for (DaemonProcess d : ds) {
            try {
                var r = d.get("/v1/status", Duration.ofSeconds(10));
                if (r.statusCode() != 200) {
                    return false;
                }
                for (JsonNode u : JsonCodec.tree(r.body()).path("uplinks")) {
                    if (!u.path("inSync").asBoolean()) {
                        return false;
                    }
                }
            } catch (Exception e) {
                return false;
            }
        }
        return true;
    }
}
