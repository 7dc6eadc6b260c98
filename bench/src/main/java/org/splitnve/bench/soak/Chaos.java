package org.splitnve.bench.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpResponse;
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
    /** How long a fault's recovery may take before it counts as not recovered. */
    static final Duration RECOVERY = Duration.ofMinutes(2);
    static final String TOKEN = "chaos-token-0123456789abcdef";

    public static void main(String[] args) throws Exception {
        Map<String, String> o = Harness.options(args, Map.of("--minutes", "10", "--tsis", "2000", "--stations", "3",
                "--churn", "0.01", "--every", "20", "--loss", "20", "--check-every", "15", "--seed", "1",
                "--port", "17700"), USAGE);
        if (o == null) {
            System.exit(2);
        }
        System.exit(new Run(o).run());
    }

    /** One chaos run. */
    static final class Run extends Harness {
        private final int minutes;
        private final double churn;
        private final int every;
        private final int loss;
        private final int checkEvery;
        private final SplittableRandom random;
        private final List<Fault> faults = new ArrayList<>();
        private DaemonProcess nva;

        Run(Map<String, String> o) throws IOException {
            super(o, "splitnve-chaos-");
            minutes = Integer.parseInt(o.get("--minutes"));
            churn = Double.parseDouble(o.get("--churn"));
            every = Integer.parseInt(o.get("--every"));
            loss = Integer.parseInt(o.get("--loss"));
            checkEvery = Integer.parseInt(o.get("--check-every"));
            random = new SplittableRandom(Long.parseLong(o.get("--seed")));
        }

        @Override
        String stationLogLevel() {
            return "info";
        }

        @Override
        List<DaemonProcess> daemons() {
            List<DaemonProcess> all = super.daemons();
            if (nva != null) {
                all.add(nva);
            }
            return all;
        }

        @Override
        void setUp() throws Exception {
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
                    + DaemonProcess.apiAndLog(port, "info")); // every TSI's transitions: what a violation is traced by
            nnve = new DaemonProcess("nnve", "nnve", nConf, dir.resolve("nnve.log"), port, jar);
            nnve.start(Duration.ofMinutes(2));
            startStations();
            say("network and daemons up: the NVA, the nNVE (its remote client) and " + stations + " tNVEs, as"
                    + " processes; everything in " + dir);
        }

        @Override
        void body(Fleet fleet) throws Exception {
            Checks checks = new Checks(fleet, checkEvery);
            long begin = System.nanoTime();
            long end = begin + TimeUnit.MINUTES.toNanos(minutes);
            long nextSecond = begin;
            long nextFault = begin + TimeUnit.SECONDS.toNanos(every);
            int perSecond = Math.max(1, (int) Math.round(churn * tsis));
            say(String.format(Locale.ROOT, "chaos: %d minutes, a fault every %d s, %d operations a second, the"
                    + " invariants checked every %d s", minutes, every, perSecond, checkEvery));
            CompletableFuture<Fault> fault = null;
            while (System.nanoTime() - end < 0) {
                long now = System.nanoTime();
                if (now - nextSecond >= 0) {
                    nextSecond += TimeUnit.SECONDS.toNanos(1);
                    churn(fleet, random, perSecond);
                }
                checks.poll(now);
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
            checks.finish();
            lastCheck(fleet, checks.checker);
            nvaCheck();
            say(String.format(Locale.ROOT, "chaos over: %d operations acknowledged, %d refused, %d unreachable, %d"
                    + " skipped; %d faults; %d checks", fleet.ok.get(), fleet.notOk.get(), fleet.unreachable.get(),
                    fleet.skipped.get(), faults.size(), checks.count));
        }

        /** One fault, held {@code hold} ms where it is held; then how long until the system had recovered. */
        private Fault inject(Kind kind, int station, long hold) {
            try {
                return switch (kind) {
                    case KILL_TNVE -> {
                        DaemonProcess t = tnves.get(station - 1);
                        long took = restart(t, List.of(t), RECOVERY)[1];
                        yield new Fault(kind, t.name, 0, took, "");
                    }
                    case KILL_NNVE -> new Fault(kind, "nnve", 0, restart(nnve, tnves, RECOVERY)[1], "");
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
                                tnves.get(station - 1)), RECOVERY), "");
                    }
                    case LOSS -> {
                        net.loss(station, loss, dir);
                        Thread.sleep(hold);
                        long dropped = net.lost(station);
                        net.loss(station, 0, dir);
                        yield new Fault(kind, SoakNetwork.station(station), hold, awaitInSync(List.of(
                                tnves.get(station - 1)), RECOVERY), loss + "%: " + dropped + " frames dropped");
                    }
                };
            } catch (Exception e) {
                return new Fault(kind, kind == Kind.KILL_NNVE ? "nnve" : kind == Kind.KILL_NVA ? "nva"
                        : SoakNetwork.station(station), hold, -1, "failed: " + e);
            }
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

        @Override
        int report(Fleet fleet) {
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
