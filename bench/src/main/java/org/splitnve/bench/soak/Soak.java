package org.splitnve.bench.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
        Map<String, String> o = Harness.options(args, Map.of("--minutes", "60", "--tsis", "100000", "--stations", "4",
                "--churn", "0.01", "--kill-every", "300", "--check-every", "60", "--port", "17600"), USAGE);
        if (o == null) {
            System.exit(2);
        }
        System.exit(new Soak.Run(o).run());
    }

    /** One soak. */
    static final class Run extends Harness {
        private final int minutes;
        private final double churn;
        private final int killEvery;
        private final int checkEvery;
        private final List<Sample> samples = new ArrayList<>();

        Run(Map<String, String> o) throws IOException {
            super(o, "splitnve-soak-");
            minutes = Integer.parseInt(o.get("--minutes"));
            churn = Double.parseDouble(o.get("--churn"));
            killEvery = Integer.parseInt(o.get("--kill-every"));
            checkEvery = Integer.parseInt(o.get("--check-every"));
        }

        @Override
        void setUp() throws Exception {
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
            startStations();
            say("network and daemons up: the nNVE and " + stations + " tNVEs, as processes; everything in " + dir);
        }

        @Override
        void body(Fleet fleet) throws Exception {
            Checks checks = new Checks(fleet, checkEvery);
            SplittableRandom random = new SplittableRandom(42);
            long begin = System.nanoTime();
            long end = begin + TimeUnit.MINUTES.toNanos(minutes);
            long nextSecond = begin;
            long nextSample = begin;
            long nextKill = killEvery > 0 ? begin + TimeUnit.SECONDS.toNanos(killEvery) : Long.MAX_VALUE;
            long nextProgress = begin + TimeUnit.MINUTES.toNanos(1);
            int perSecond = (int) Math.round(churn * tsis);
            int killed = 0;
            List<Long> restartMs = new ArrayList<>();
            List<Long> inSyncMs = new ArrayList<>();
            say(String.format(Locale.ROOT, "the soak: %d minutes, %d operations a second (%.2f%% of %d VMs), a tNVE killed"
                    + " every %d s, the invariants checked every %d s", minutes, perSecond, churn * 100, tsis, killEvery,
                    checkEvery));
            while (System.nanoTime() - end < 0) {
                long now = System.nanoTime();
                if (now - nextSecond >= 0) {
                    nextSecond += TimeUnit.SECONDS.toNanos(1);
                    churn(fleet, random, perSecond);
                }
                if (now - nextSample >= 0) {
                    nextSample += TimeUnit.SECONDS.toNanos(10);
                    sample();
                }
                checks.poll(now);
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
            checks.finish();
            lastCheck(fleet, checks.checker);
            say(String.format(Locale.ROOT, "churn over: %d operations acknowledged, %d refused, %d unreachable, %d"
                    + " skipped; %d kills (API again p50 %d ms, max %d; in sync p50 %d ms, max %d); %d checks",
                    fleet.ok.get(), fleet.notOk.get(), fleet.unreachable.get(), fleet.skipped.get(), killed,
                    pct(restartMs, 50), pct(restartMs, 100), pct(inSyncMs, 50), pct(inSyncMs, 100), checks.count));
            nnveKill(fleet);
        }

        /** SIGKILL to {@code d} and a start at once: ms until its API answers, and until it (or every tNVE) is in sync. */
        private long[] killAndRestart(DaemonProcess d) throws Exception {
            long[] took = restart(d, d == nnve ? tnves : List.of(d), Duration.ofMinutes(5));
            if (took[1] < 0) {
                problems.add(d.name + " not in sync 5 minutes after its restart");
            }
            return took;
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
        @Override
        int report(Fleet fleet) throws IOException {
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
