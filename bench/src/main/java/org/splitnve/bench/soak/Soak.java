package org.splitnve.bench.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.splitnve.api.JsonCodec;
import tools.jackson.databind.JsonNode;

/**
 * Issue 13's soak (REL-6): TSIS VMs (one TSI each) on STATIONS tNVE daemons, all on one nNVE daemon, in network
 * namespaces on raw Ethernet, every daemon a process of its own as an operator runs it. Once every VM runs: a churn of
 * CHURN of the VMs per second (suspend, resume, shutdown, start through the tNVEs' APIs), a station's tNVE killed with
 * SIGKILL and started again every KILL_EVERY seconds (in turn), the invariants checked every CHECK_EVERY seconds
 * ({@link Checker}), each daemon's resident memory, file descriptors, threads and heap sampled every 10 s. After
 * MINUTES: the churn stops, a last strict check (every VM judged: the two sides must agree), then the nNVE itself is
 * killed with SIGKILL and started again: how long until it answers with every TSI back, and until every tNVE is in
 * sync again. Prints a report and exits 0 when nothing was lost, no invariant was violated and every daemon that lived
 * through the soak stayed flat; 1 otherwise; 2 on a usage error. Root. See RELIABILITY.md.
 */
public final class Soak {
    private Soak() {
    }

    static final String USAGE = """
            usage: Soak --jar launcher/target/splitnve.jar [options]
              --minutes 60        how long the churn runs
              --tsis 100000       VMs (one TSI each), spread over the stations
              --stations 4        tNVE daemons (end devices) on the nNVE's one port, behind one switch
              --churn 0.01        of the VMs, operated on per second
              --kill-every 300    seconds between two SIGKILLs of a station's tNVE (0: none)
              --check-every 60    seconds between two checks of the invariants
              --dir DIR           configurations, state, logs and samples.csv (default: a new temporary directory)
              --port 17600        the nNVE's API port; station i's is PORT + i
            """;

    /** One sample of one daemon's resources. */
    record Sample(long atMs, String daemon, int life, long rssKb, long fds, long threads, long heap) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("--minutes", "60", "--tsis", "100000", "--stations", "4",
                "--churn", "0.01", "--kill-every", "300", "--check-every", "60", "--port", "17600"));
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.print(USAGE);
                System.exit(2);
            }
            o.put(args[i], args[++i]);
        }
        if (!o.containsKey("--jar")) {
            System.err.print(USAGE);
            System.exit(2);
        }
        System.exit(new Soak.Run(o).run());
    }

    /** One soak. */
    static final class Run {
        private final Path jar;
        private final int minutes;
        private final int tsis;
        private final int stations;
        private final double churn;
        private final int killEvery;
        private final int checkEvery;
        private final int port;
        private final Path dir;
        private final PrintStream out = System.out;
        private final SoakNetwork net = new SoakNetwork();
        private final List<Sample> samples = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private DaemonProcess nnve;
        private final List<DaemonProcess> tnves = new ArrayList<>();
        private long t0;

        Run(Map<String, String> o) throws IOException {
            jar = Path.of(o.get("--jar")).toAbsolutePath();
            minutes = Integer.parseInt(o.get("--minutes"));
            tsis = Integer.parseInt(o.get("--tsis"));
            stations = Integer.parseInt(o.get("--stations"));
            churn = Double.parseDouble(o.get("--churn"));
            killEvery = Integer.parseInt(o.get("--kill-every"));
            checkEvery = Integer.parseInt(o.get("--check-every"));
            port = Integer.parseInt(o.get("--port"));
            dir = o.containsKey("--dir") ? Path.of(o.get("--dir")) : Files.createTempDirectory("splitnve-soak-");
            Files.createDirectories(dir);
        }

        private void say(String line) {
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
                    say("removed " + stale + " namespaces an earlier soak left behind");
                }
                setUp();
                Fleet fleet = new Fleet(tsis, stations);
                load(fleet);
                soak(fleet);
                return report();
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
            for (DaemonProcess d : tnves) {
                d.stop();
            }
            if (nnve != null) {
                nnve.stop();
            }
            net.close();
        }

        private void setUp() throws Exception {
            net.build(stations);
            StringBuilder vns = new StringBuilder("[nva]\n");
            for (int k = 0; k < Fleet.VNS; k++) {
                long vn = Fleet.FIRST_VN + k;
                vns.append("[[nva.vn]]\nid = ").append(vn).append("\nalias = \"vn-").append(vn).append("\"\nvni = ")
                        .append(vn + 10_000).append('\n');
            }
            Path nConf = dir.resolve("nnve.conf");
            Files.writeString(nConf, "[nnve]\nname = \"soak-n\"\n[[port]]\ninterface = \"" + SoakNetwork.NNVE_PORT
                    + "\"\nnamespace = \"" + net.ns("n") + "\"\ntags = \"100-999\"\n[limits]\ntsis_per_peer = "
                    + Math.max(100_000, tsis) + "\n" + vns + "[state]\ndir = \"" + dir.resolve("nnve-state") + "\"\n"
                    + DaemonProcess.apiAndLog(port));
            nnve = new DaemonProcess("nnve", "nnve", nConf, dir.resolve("nnve.log"), port, jar);
            nnve.start(Duration.ofMinutes(2));
            for (int i = 1; i <= stations; i++) {
                String h = SoakNetwork.station(i);
                Path conf = dir.resolve(h + ".conf");
                Files.writeString(conf, "[tnve]\nname = \"" + h + "\"\n[[uplink]]\nname = \"tor\"\ninterface = \""
                        + SoakNetwork.UPLINK + "\"\nnamespace = \"" + net.ns(h) + "\"\ndestination = \""
                        + SoakNetwork.NNVE_MAC + "\"\nnnve = \"" + SoakNetwork.NNVE_MAC + "\"\n[state]\ndir = \""
                        + dir.resolve(h + "-state") + "\"\n" + DaemonProcess.apiAndLog(port + i));
                DaemonProcess t = new DaemonProcess(h, "tnve", conf, dir.resolve(h + ".log"), port + i, jar);
                t.start(Duration.ofMinutes(2));
                tnves.add(t);
            }
            say("network and daemons up: the nNVE and " + stations + " tNVEs, as processes; everything in " + dir);
        }

        /** Creates and starts every VM, {@link Fleet#IN_FLIGHT} at a time per station. */
        private void load(Fleet fleet) throws Exception {
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

        private void soak(Fleet fleet) throws Exception {
            Checker checker = new Checker();
            SplittableRandom random = new SplittableRandom(42);
            long begin = System.nanoTime();
            long end = begin + TimeUnit.MINUTES.toNanos(minutes);
            long nextSecond = begin;
            long nextSample = begin;
            long nextCheck = begin + TimeUnit.SECONDS.toNanos(checkEvery);
            long nextKill = killEvery > 0 ? begin + TimeUnit.SECONDS.toNanos(killEvery) : Long.MAX_VALUE;
            long nextProgress = begin + TimeUnit.MINUTES.toNanos(1);
            int perSecond = (int) Math.round(churn * tsis);
            int killed = 0;
            List<Long> restartMs = new ArrayList<>();
            List<Long> inSyncMs = new ArrayList<>();
            int checks = 0;
            long violations = 0;
            long lost = 0;
            say(String.format(Locale.ROOT, "the soak: %d minutes, %d operations a second (%.2f%% of %d VMs), a tNVE killed"
                    + " every %d s, the invariants checked every %d s", minutes, perSecond, churn * 100, tsis, killEvery,
                    checkEvery));
            // the checks run beside the churn (a check reads every TSI: seconds at this scale)
            CompletableFuture<Checker.Result> check = null;
            while (System.nanoTime() - end < 0) {
                long now = System.nanoTime();
                if (now - nextSecond >= 0) {
                    nextSecond += TimeUnit.SECONDS.toNanos(1);
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
                if (now - nextSample >= 0) {
                    nextSample += TimeUnit.SECONDS.toNanos(10);
                    sample();
                }
                if (check != null && check.isDone()) {
                    Checker.Result r = check.join();
                    checks++;
                    if (r != null) {
                        violations += r.violations().size();
                        lost += r.lost().size();
                        for (String v : r.violations().stream().limit(5).toList()) {
                            say("VIOLATION: " + v);
                        }
                        for (String l : r.lost().stream().limit(5).toList()) {
                            say("LOST: " + l);
                        }
                        say(String.format(Locale.ROOT, "check %d: %d VMs judged, %d differences (transient unless seen"
                                + " twice), %d violations, %d lost, %d stations left out, %d ms", checks, r.judged(),
                                r.differences(), r.violations().size(), r.lost().size(), r.stationsLeftOut(), r.millis()));
                    } else {
                        say("check " + checks + ": the nNVE's API did not answer");
                    }
                    check = null;
                }
                if (check == null && now - nextCheck >= 0) {
                    nextCheck = now + TimeUnit.SECONDS.toNanos(checkEvery);
                    check = CompletableFuture.supplyAsync(() -> {
                        try {
                            return checker.check(fleet, nnve, tnves, false);
                        } catch (Exception e) {
                            say("check failed: " + e);
                            return null;
                        }
                    });
                }
                if (now - nextKill >= 0) {
                    nextKill = now + TimeUnit.SECONDS.toNanos(killEvery);
                    DaemonProcess victim = tnves.get(killed % stations);
                    killed++;
                    long[] took = killAndRestart(victim);
                    restartMs.add(took[0]);
                    inSyncMs.add(took[1]);
                    say(String.format(Locale.ROOT, "kill %d: %s killed with SIGKILL, its API answered again %d ms after,"
                            + " in sync with the nNVE %d ms after", killed, victim.name, took[0], took[1]));
                }
                if (now - nextProgress >= 0) {
                    nextProgress += TimeUnit.MINUTES.toNanos(1);
                    say(String.format(Locale.ROOT, "minute %d: operations %d acknowledged, %d refused, %d unreachable,"
                            + " %d skipped (the VM or its station busy); %s", (now - begin) / 60_000_000_000L,
                            fleet.ok.get(), fleet.notOk.get(), fleet.unreachable.get(), fleet.skipped.get(), lastSamples()));
                }
                Thread.sleep(5);
            }
            if (check != null) {
                check.join();
            }
            // quiesce: nothing in flight, then every VM judged once, strictly
            long quiet = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (fleet.vms.stream().anyMatch(v -> v.busy) && System.nanoTime() - quiet < 0) {
                Thread.sleep(100);
            }
            Thread.sleep(5_000);
            Checker.Result last = null;
            for (int k = 0; k < 12 && (last == null || !last.violations().isEmpty() || last.stationsLeftOut() > 0); k++) {
                if (k > 0) {
                    Thread.sleep(10_000); // a last resynchronisation may still run: given two minutes at most
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
            if (violations > 0) {
                problems.add(violations + " invariant violations during the soak");
            }
            if (lost > 0) {
                problems.add(lost + " acknowledged operations lost during the soak");
            }
            say(String.format(Locale.ROOT, "churn over: %d operations acknowledged, %d refused, %d unreachable, %d"
                    + " skipped; %d kills (API again p50 %d ms, max %d; in sync p50 %d ms, max %d); %d checks",
                    fleet.ok.get(), fleet.notOk.get(), fleet.unreachable.get(), fleet.skipped.get(), killed,
                    pct(restartMs, 50), pct(restartMs, 100), pct(inSyncMs, 50), pct(inSyncMs, 100), checks));
            nnveKill(fleet);
        }

        /** SIGKILL to {@code d} and a start at once: ms until its API answers, and until it (or every tNVE) is in sync. */
        private long[] killAndRestart(DaemonProcess d) throws Exception {
            d.kill9();
            long start = System.nanoTime();
            d.start(Duration.ofMinutes(5));
            long api = (System.nanoTime() - start) / 1_000_000;
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            List<DaemonProcess> watch = d == nnve ? tnves : List.of(d);
            while (!inSync(watch)) {
                if (System.nanoTime() - end > 0) {
                    problems.add(d.name + " not in sync 5 minutes after its restart");
                    break;
                }
                Thread.sleep(20);
            }
            return new long[] {api, (System.nanoTime() - start) / 1_000_000};
        }

        /** Every tNVE of {@code ds} says its uplink is in sync (GET /v1/status). */
        private static boolean inSync(List<DaemonProcess> ds) {
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

        /** The nNVE killed with every VM in place: how long until its API answers with every TSI, and until in sync. */
        private void nnveKill(Fleet fleet) throws Exception {
            long held = fleet.vms.stream().filter(v -> !"SHUTDOWN".equals(v.acked)).count();
            long[] took = killAndRestart(nnve);
            long tsisBack = -1;
            try {
                tsisBack = JsonCodec.tree(nnve.get("/v1/status", Duration.ofSeconds(30)).body()).path("tsis").asLong();
            } catch (Exception e) {
                problems.add("the restarted nNVE's status: " + e);
            }
            say(String.format(Locale.ROOT, "the nNVE killed with SIGKILL holding about %d TSIs: its API answered %d ms"
                    + " after the restart began, with %d TSIs (restored from its journal before its ports opened); every"
                    + " tNVE in sync %d ms after", held, took[0], tsisBack, took[1]));
            Checker.Result r = new Checker().check(fleet, nnve, tnves, true);
            if (r == null || !r.violations().isEmpty() || !r.lost().isEmpty()) {
                problems.add("after the nNVE's kill: " + (r == null ? "no answer" : r.violations().size()
                        + " differences " + r.violations().stream().limit(5).toList()));
            } else {
                say("after the nNVE's kill: all " + r.judged() + " VMs agree at both sides, nothing lost");
            }
        }

        private void sample() {
            long at = (System.nanoTime() - t0) / 1_000_000;
            List<DaemonProcess> all = new ArrayList<>(tnves);
            all.add(0, nnve);
            for (DaemonProcess d : all) {
                long[] r = d.resources();
                if (r != null) {
                    samples.add(new Sample(at, d.name, d.starts(), r[0], r[1], r[2], d.heapUsed()));
                }
            }
        }

        private String lastSamples() {
            StringBuilder sb = new StringBuilder();
            for (int i = Math.max(0, samples.size() - stations - 1); i < samples.size(); i++) {
                Sample s = samples.get(i);
                sb.append(sb.isEmpty() ? "" : ", ").append(s.daemon()).append(String.format(Locale.ROOT,
                        " RSS %d MB heap %d MB fds %d threads %d", s.rssKb() / 1024, s.heap() >> 20, s.fds(), s.threads()));
            }
            return sb.toString();
        }

        /**
         * REL-6's verdict per daemon, over its last life if it spans at least 20 minutes: the first 10 minutes after a
         * 5-minute warm-up against the last 10 minutes. Flat: resident memory (median) up by at most 10% + 16 MB, heap
         * floor (the lowest sample, after the collector's work) up by at most 25% + 32 MB, file descriptors and
         * threads (highest) up by at most 5.
         */
        private int report() throws IOException {
            StringBuilder csv = new StringBuilder("ms,daemon,life,rss_kb,fds,threads,heap_bytes\n");
            for (Sample s : samples) {
                csv.append(s.atMs()).append(',').append(s.daemon()).append(',').append(s.life()).append(',')
                        .append(s.rssKb()).append(',').append(s.fds()).append(',').append(s.threads()).append(',')
                        .append(s.heap()).append('\n');
            }
            Files.writeString(dir.resolve("samples.csv"), csv, StandardCharsets.UTF_8);
            List<DaemonProcess> all = new ArrayList<>(tnves);
            all.add(0, nnve);
            int judged = 0;
            for (DaemonProcess d : all) {
                // the life the soak's churn ran in: the nNVE's last life began at the end (its kill), so its previous one
                int life = d == nnve ? d.starts() - 1 : d.starts();
                List<Sample> mine = samples.stream().filter(s -> s.daemon().equals(d.name) && s.life() == life).toList();
                if (mine.isEmpty()) {
                    continue;
                }
                long first = mine.getFirst().atMs();
                long lastAt = mine.getLast().atMs();
                if (lastAt - first < 20 * 60_000L) {
                    say(d.name + ": its last life in the soak lasted " + (lastAt - first) / 60_000
                            + " min (restarted): not judged for flatness");
                    continue;
                }
                judged++;
                List<Sample> early = mine.stream().filter(s -> s.atMs() >= first + 5 * 60_000L
                        && s.atMs() < first + 15 * 60_000L).toList();
                List<Sample> late = mine.stream().filter(s -> s.atMs() > lastAt - 10 * 60_000L).toList();
                long rssA = median(early.stream().mapToLong(Sample::rssKb).toArray());
                long rssB = median(late.stream().mapToLong(Sample::rssKb).toArray());
                long heapA = early.stream().mapToLong(Sample::heap).filter(h -> h >= 0).min().orElse(-1);
                long heapB = late.stream().mapToLong(Sample::heap).filter(h -> h >= 0).min().orElse(-1);
                long fdA = early.stream().mapToLong(Sample::fds).max().orElse(0);
                long fdB = late.stream().mapToLong(Sample::fds).max().orElse(0);
                long thA = early.stream().mapToLong(Sample::threads).max().orElse(0);
                long thB = late.stream().mapToLong(Sample::threads).max().orElse(0);
                List<String> grows = new ArrayList<>();
                if (rssB > rssA * 1.10 + 16 * 1024) {
                    grows.add("resident memory");
                }
                if (heapA >= 0 && heapB > heapA * 1.25 + (32L << 20)) {
                    grows.add("heap floor");
                }
                if (fdB > fdA + 5) {
                    grows.add("file descriptors");
                }
                if (thB > thA + 5) {
                    grows.add("threads");
                }
                say(String.format(Locale.ROOT, "%s over %d min: RSS median %d -> %d MB, heap floor %d -> %d MB, fds %d ->"
                        + " %d, threads %d -> %d: %s", d.name, (lastAt - first) / 60_000, rssA / 1024, rssB / 1024,
                        heapA >> 20, heapB >> 20, fdA, fdB, thA, thB, grows.isEmpty() ? "flat" : "GROWS: " + grows));
                if (!grows.isEmpty()) {
                    problems.add(d.name + " grows: " + grows);
                }
            }
            if (problems.isEmpty() && judged == 0) {
                say("nothing lost, no invariant violated; flatness not judged: no daemon lived 20 minutes of the soak (REL-6"
                        + " needs a longer run); samples in " + dir.resolve("samples.csv"));
                return 0;
            }
            if (problems.isEmpty()) {
                say("REL-6 held: nothing lost, no invariant violated, the " + judged + " daemons that lived through the"
                        + " soak flat; samples in " + dir.resolve("samples.csv"));
                return 0;
            }
            for (String p : problems) {
                say("PROBLEM: " + p);
            }
            return 1;
        }
    }

    static long median(long[] v) {
        if (v.length == 0) {
            return 0;
        }
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static long pct(List<Long> v, int p) {
        if (v.isEmpty()) {
            return 0;
        }
        long[] s = v.stream().mapToLong(Long::longValue).sorted().toArray();
        return s[Math.max(0, Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1))];
    }
}
