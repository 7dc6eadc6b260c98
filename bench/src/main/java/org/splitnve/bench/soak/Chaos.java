package org.splitnve.bench.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
 * Issue 13's chaos command: the soak's network (stations behind an ordinary switch, one nNVE) with a shared NVA daemon
 * ({@code splitnve nva} on SQLite, the nNVE its remote client), every daemon a process. VMs churn through the tNVEs'
 * APIs while, every EVERY seconds, one fault drawn at random hits the system: a tNVE, the nNVE or the NVA killed with
 * SIGKILL and started again, a station's cable cut for 2-8 s, or LOSS% of a station's frames dropped (both directions,
 * at the switch) for 10-30 s. The soak's invariants ({@link Checker}) are checked every CHECK_EVERY seconds all along;
 * each fault's recovery is timed (the daemon's API back; every station's uplink in sync again). At the end the faults
 * stop, the churn stops, a strict check must find both sides agreeing on every VM, and the NVA must place every TSI the
 * nNVE has activated at the nNVE, forwarding. Prints a report (what was broken, how often, the recovery times, what
 * was lost) and exits 0 when nothing was lost and no invariant was violated, 1 otherwise, 2 on a usage error. Root.
 * See RELIABILITY.md, "Chaos".
 */
public final class Chaos {
    private Chaos() {
    }

    static final String USAGE = """
            usage: Chaos --jar launcher/target/splitnve.jar [options]
              --minutes 10        how long the faults and the churn run
              --tsis 2000         VMs (one TSI each), spread over the stations
              --stations 3        tNVE daemons on the nNVE's one port, behind one switch
              --churn 0.01        of the VMs, operated on per second
              --every 20          seconds between two faults
              --loss 20           the share of a station's frames dropped in a loss fault, percent
              --check-every 15    seconds between two checks of the invariants
              --seed 1            the faults' and the churn's random draw
              --dir DIR           configurations, state and logs (default: a new temporary directory)
              --port 17700        the nNVE's API port; the NVA's is PORT + 100, station i's PORT + i
            """;

    /** The kinds of fault, drawn with equal chances. */
    enum Kind { KILL_TNVE, KILL_NNVE, KILL_NVA, CUT, LOSS }

    private static final List<Kind> KINDS = List.of(Kind.values());

    /** One fault: what, on which daemon or station, how long it lasted, ms until recovered (-1: never), a remark. */
    record Fault(Kind kind, String target, long heldMs, long recoveredMs, String remark) {
    }

    static final String NVE = "chaos-n";
    static final String TOKEN = "chaos-token-0123456789abcdef";

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("--minutes", "10", "--tsis", "2000", "--stations", "3",
                "--churn", "0.01", "--every", "20", "--loss", "20", "--check-every", "15", "--seed", "1",
                "--port", "17700"));
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length || !(o.containsKey(args[i])
                    || args[i].equals("--jar") || args[i].equals("--dir"))) {
                System.err.print(USAGE);
                System.exit(2);
            }
            o.put(args[i], args[++i]);
        }
        if (!o.containsKey("--jar")) {
            System.err.print(USAGE);
            System.exit(2);
        }
        System.exit(new Run(o).run());
    }

    /** One chaos run. */
    static final class Run {
        private final Path jar;
        private final int minutes;
        private final int tsis;
        private final int stations;
        private final double churn;
        private final int every;
        private final int loss;
        private final int checkEvery;
        private final int port;
        private final Path dir;
        private final SplittableRandom random;
        private final PrintStream out = System.out;
        private final SoakNetwork net = new SoakNetwork();
        private final List<String> problems = new ArrayList<>();
        private final List<Fault> faults = new ArrayList<>();
        private DaemonProcess nva;
        private DaemonProcess nnve;
        private final List<DaemonProcess> tnves = new ArrayList<>();
        private long t0;

        Run(Map<String, String> o) throws IOException {
            jar = Path.of(o.get("--jar")).toAbsolutePath();
            minutes = Integer.parseInt(o.get("--minutes"));
            tsis = Integer.parseInt(o.get("--tsis"));
            stations = Integer.parseInt(o.get("--stations"));
            churn = Double.parseDouble(o.get("--churn"));
            every = Integer.parseInt(o.get("--every"));
            loss = Integer.parseInt(o.get("--loss"));
            checkEvery = Integer.parseInt(o.get("--check-every"));
            random = new SplittableRandom(Long.parseLong(o.get("--seed")));
            port = Integer.parseInt(o.get("--port"));
            dir = o.containsKey("--dir") ? Path.of(o.get("--dir")) : Files.createTempDirectory("splitnve-chaos-");
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
                    say("removed " + stale + " namespaces an earlier soak or chaos run left behind");
                }
                setUp();
                Fleet fleet = new Fleet(tsis, stations);
                load(fleet);
                chaos(fleet);
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
            for (DaemonProcess d : tnves) {
                d.stop();
            }
            if (nnve != null) {
                nnve.stop();
            }
            if (nva != null) {
                nva.stop();
            }
            net.close();
        }

        private void setUp() throws Exception {
            net.build(stations);
            int nvaPort = port + 100;
            StringBuilder vns = new StringBuilder();
            StringBuilder serves = new StringBuilder();
            for (int k = 0; k < Fleet.VNS; k++) {
                long vn = Fleet.FIRST_VN + k;
                vns.append("[[vn]]\nid = ").append(vn).append("\nalias = \"vn-").append(vn).append("\"\ncontext = ")
                        .append(vn + 10_000).append("\npermit_any = true\n");
                serves.append(serves.isEmpty() ? "" : ", ").append(vn);
            }
            Path nvaConf = dir.resolve("nva.conf");
            Files.writeString(nvaConf, "[nva]\nstore = \"" + dir.resolve("nva-state").resolve("nva.db") + "\"\n" + vns
                    + DaemonProcess.apiAndLog(nvaPort));
            nva = new DaemonProcess("nva", "nva", nvaConf, dir.resolve("nva.log"), nvaPort, jar);
            nva.start(Duration.ofMinutes(2));
            HttpResponse<String> reg = nva.post("/v1/nva/nves", "{\"name\": \"" + NVE + "\", \"vtep\": \"192.0.2.1\","
                    + " \"token\": \"" + TOKEN + "\"}", Duration.ofSeconds(30));
            if (reg.statusCode() != 201) {
                throw new IOException("the NVA did not register the nNVE: " + reg.statusCode() + " " + reg.body());
            }
            HttpResponse<String> devices = nva.post("/v1/nva/nves/" + NVE + "/devices", "{}", Duration.ofSeconds(30));
            if (devices.statusCode() / 100 != 2) {
                throw new IOException("the NVA did not permit the end devices: " + devices.statusCode() + " "
                        + devices.body());
            }
            Path nConf = dir.resolve("nnve.conf");
            Files.writeString(nConf, "[nnve]\nname = \"" + NVE + "\"\n[[port]]\ninterface = \"" + SoakNetwork.NNVE_PORT
                    + "\"\nnamespace = \"" + net.ns("n") + "\"\ntags = \"100-999\"\n[limits]\ntsis_per_peer = "
                    + Math.max(100_000, tsis) + "\n[nva]\nservers = [\"http://127.0.0.1:" + nvaPort + "\"]\ntoken = \""
                    + TOKEN + "\"\nserves = [" + serves + "]\n[state]\ndir = \"" + dir.resolve("nnve-state") + "\"\n"
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
            say("network and daemons up: the NVA, the nNVE (its remote client) and " + stations + " tNVEs, as"
                    + " processes; everything in " + dir);
        }

        private void load(Fleet fleet) throws Exception {
            long start = System.nanoTime();
            List<CompletableFuture<Integer>> pending = new ArrayList<>();
            for (Fleet.Vm vm : fleet.vms) {
                pending.add(fleet.send(tnves.get(vm.station - 1), vm, "/v1/vms", vm.createBody(), "RUNNING"));
            }
            CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get(1, TimeUnit.HOURS);
            say(String.format(Locale.ROOT, "%d VMs created and started in %.1f s: %d acknowledged", tsis,
                    (System.nanoTime() - start) / 1e9, fleet.ok.get()));
            if (fleet.ok.get() < tsis) {
                problems.add((tsis - fleet.ok.get()) + " VMs were not created at the start");
            }
        }

        private void chaos(Fleet fleet) throws Exception {
            Checker checker = new Checker();
            long begin = System.nanoTime();
            long end = begin + TimeUnit.MINUTES.toNanos(minutes);
            long nextSecond = begin;
            long nextCheck = begin + TimeUnit.SECONDS.toNanos(checkEvery);
            long nextFault = begin + TimeUnit.SECONDS.toNanos(every);
            int perSecond = Math.max(1, (int) Math.round(churn * tsis));
            long violations = 0;
            long lost = 0;
            int checks = 0;
            say(String.format(Locale.ROOT, "chaos: %d minutes, a fault every %d s, %d operations a second, the"
                    + " invariants checked every %d s", minutes, every, perSecond, checkEvery));
            CompletableFuture<Checker.Result> check = null;
            CompletableFuture<Fault> fault = null;
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
                if (check != null && check.isDone()) {
                    Checker.Result r = check.join();
                    checks++;
                    if (r != null) {
                        violations += r.violations().size();
                        lost += r.lost().size();
                        r.violations().stream().limit(5).forEach(v -> say("VIOLATION: " + v));
                        r.lost().stream().limit(5).forEach(l -> say("LOST: " + l));
                        say(String.format(Locale.ROOT, "check %d: %d VMs judged, %d violations, %d lost, %d stations"
                                + " left out", checks, r.judged(), r.violations().size(), r.lost().size(),
                                r.stationsLeftOut()));
                    } else {
                        say("check " + checks + ": the nNVE's API did not answer (it may be the fault's target)");
                    }
                    check = null;
                }
                if (check == null && now - nextCheck >= 0) {
                    nextCheck = now + TimeUnit.SECONDS.toNanos(checkEvery);
                    check = CompletableFuture.supplyAsync(() -> {
                        try {
                            return checker.check(fleet, nnve, tnves, false);
                        } catch (Exception e) {
                            return null;
                        }
                    });
                }
                if (fault != null && fault.isDone()) {
                    Fault f = fault.join();
                    faults.add(f);
                    say(String.format(Locale.ROOT, "fault %d: %s %s, held %d ms: %s%s", faults.size(), f.kind(),
                            f.target(), f.heldMs(), f.recoveredMs() < 0 ? "NOT RECOVERED"
                                    : "recovered " + f.recoveredMs() + " ms after", f.remark().isEmpty() ? ""
                                    : " (" + f.remark() + ")"));
                    if (f.recoveredMs() < 0) {
                        problems.add(f.kind() + " " + f.target() + ": not recovered within 2 minutes");
                    }
                    fault = null;
                    nextFault = System.nanoTime() + TimeUnit.SECONDS.toNanos(every);
                }
                if (fault == null && now - nextFault >= 0 && now - end < -TimeUnit.SECONDS.toNanos(every)) {
                    Kind kind = KINDS.get(random.nextInt(KINDS.size()));
                    int station = 1 + random.nextInt(stations);
                    long hold = kind == Kind.CUT ? 2_000 + random.nextInt(6_000) : 10_000 + random.nextInt(20_000);
                    fault = CompletableFuture.supplyAsync(() -> inject(kind, station, hold));
                }
                Thread.sleep(5);
            }
            if (fault != null) {
                faults.add(fault.get(5, TimeUnit.MINUTES));
            }
            if (check != null) {
                check.join();
            }
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
            nvaCheck();
            if (violations > 0) {
                problems.add(violations + " invariant violations during the run");
            }
            if (lost > 0) {
                problems.add(lost + " acknowledged operations lost during the run");
            }
            say(String.format(Locale.ROOT, "chaos over: %d operations acknowledged, %d refused, %d unreachable, %d"
                    + " skipped; %d faults; %d checks", fleet.ok.get(), fleet.notOk.get(), fleet.unreachable.get(),
                    fleet.skipped.get(), faults.size(), checks));
        }

        /** One fault, held {@code hold} ms where it is held; then how long until the system had recovered. */
        private Fault inject(Kind kind, int station, long hold) {
            try {
                return switch (kind) {
                    case KILL_TNVE -> {
                        DaemonProcess t = tnves.get(station - 1);
                        long took = restart(t, List.of(t));
                        yield new Fault(kind, t.name, 0, took, "");
                    }
                    case KILL_NNVE -> new Fault(kind, "nnve", 0, restart(nnve, tnves), "");
                    case KILL_NVA -> {
                        nva.kill9();
                        long start = System.nanoTime();
                        nva.start(Duration.ofMinutes(2));
                        long api = (System.nanoTime() - start) / 1_000_000;
                        yield new Fault(kind, "nva", 0, api, "its API back; the nNVE's replica served meanwhile");
                    }
                    case CUT -> {
                        net.cut(station, true);
                        Thread.sleep(hold);
                        net.cut(station, false);
                        yield new Fault(kind, SoakNetwork.station(station), hold, awaitInSync(List.of(
                                tnves.get(station - 1))), "");
                    }
                    case LOSS -> {
                        net.loss(station, loss, dir);
                        Thread.sleep(hold);
                        long dropped = net.lost(station);
                        net.loss(station, 0, dir);
                        yield new Fault(kind, SoakNetwork.station(station), hold, awaitInSync(List.of(
                                tnves.get(station - 1))), loss + "%: " + dropped + " frames dropped");
                    }
                };
            } catch (Exception e) {
                return new Fault(kind, kind == Kind.KILL_NNVE ? "nnve" : kind == Kind.KILL_NVA ? "nva"
                        : SoakNetwork.station(station), hold, -1, "failed: " + e);
            }
        }

        /** SIGKILL to {@code d}, a start at once; ms until every daemon of {@code watch} is in sync again. */
        private long restart(DaemonProcess d, List<DaemonProcess> watch) throws Exception {
            d.kill9();
            long start = System.nanoTime();
            d.start(Duration.ofMinutes(2));
            long inSync = awaitInSync(watch);
            return inSync < 0 ? -1 : (System.nanoTime() - start) / 1_000_000;
        }

        /** Ms until every tNVE of {@code ds} says its uplink is in sync; -1 after 2 minutes. */
        private static long awaitInSync(List<DaemonProcess> ds) throws InterruptedException {
            long start = System.nanoTime();
            long end = start + TimeUnit.MINUTES.toNanos(2);
            while (!inSync(ds)) {
                if (System.nanoTime() - end > 0) {
                    return -1;
                }
                Thread.sleep(20);
            }
            return (System.nanoTime() - start) / 1_000_000;
        }

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

        /**
         * The NVA's side: every TSI the nNVE holds Activated is at the NVA, at this nNVE, forwarding (up to 500 of them,
         * drawn at random; the reports may take a moment after the last fault: two minutes at most).
         */
        private void nvaCheck() throws Exception {
            List<String> activated = new ArrayList<>();
            for (JsonNode t : JsonCodec.items(JsonCodec.tree(nnve.get("/v1/tsis", Duration.ofMinutes(2)).body()))) {
                if ("ACTIVATED".equals(t.path("state").asString())) {
                    activated.add(t.path("id").asString());
                }
            }
            List<String> sample = new ArrayList<>(activated);
            java.util.Collections.shuffle(sample, new java.util.Random(7));
            sample = sample.subList(0, Math.min(500, sample.size()));
            List<String> missing = new ArrayList<>(sample);
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!missing.isEmpty() && System.nanoTime() - end < 0) {
                List<String> still = new ArrayList<>();
                for (String tsi : missing) {
                    HttpResponse<String> r = nva.get("/v1/nva/where?tsi=" + tsi, Duration.ofSeconds(10));
                    boolean there = false;
                    if (r.statusCode() == 200) {
                        for (JsonNode e : JsonCodec.tree(r.body()).path("entries")) {
                            there |= NVE.equals(e.path("nve").asString())
                                    && "forwarding".equals(e.path("state").asString());
                        }
                    }
                    if (!there) {
                        still.add(tsi);
                    }
                }
                missing = still;
                if (!missing.isEmpty()) {
                    Thread.sleep(1_000);
                }
            }
            if (missing.isEmpty()) {
                say("the NVA places all " + sample.size() + " of " + activated.size()
                        + " activated TSIs checked at the nNVE, forwarding");
            } else {
                problems.add(missing.size() + " of " + sample.size() + " activated TSIs not forwarding at the NVA: "
                        + missing.stream().limit(5).toList());
            }
        }

        private int report(Fleet fleet) {
            say("faults:");
            for (Kind k : Kind.values()) {
                List<Fault> of = faults.stream().filter(f -> f.kind() == k).toList();
                List<Long> rec = of.stream().map(Fault::recoveredMs).filter(ms -> ms >= 0).toList();
                say(String.format(Locale.ROOT, "  %-9s %3d times, recovered in p50 %d ms, max %d ms%s", k, of.size(),
                        Soak.pct(rec, 50), Soak.pct(rec, 100), rec.size() < of.size() ? ", "
                                + (of.size() - rec.size()) + " NOT RECOVERED" : ""));
            }
            if (problems.isEmpty()) {
                say("nothing lost, no invariant violated: " + fleet.ok.get() + " operations acknowledged through "
                        + faults.size() + " faults");
                return 0;
            }
            for (String p : problems) {
                say("PROBLEM: " + p);
            }
            return 1;
        }
    }
}
