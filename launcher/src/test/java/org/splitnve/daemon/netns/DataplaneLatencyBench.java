package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.daemon.netns.DaemonLab.Tnve;
import org.splitnve.dataplane.OvsLab;

/**
 * Issue 11's measurement, not a test (its name does not end in Test: the build never runs it; bench/run-dp-latency.sh
 * does): with vm1 pinging vm2 every 5 ms through the nNVE daemon's Open vSwitch bridge (DataplaneNetnsTest's
 * topology, permanent neighbour entries so that only the data plane is measured), vm2 is resumed (its TSI Activated
 * over VDP) and suspended (deactivated) {@code ROUNDS} times. Per round: from the tNVE's operation's start (and from
 * its answer, the nNVE's acknowledgement) to the first echo request that passed (its send time: the reply's time less
 * its round trip), and from the deactivation's start to the last one that passed. Prints each and the percentiles.
 * Resolution: the 5-ms interval.
 */
class DataplaneLatencyBench {
    private static final Pattern REPLY = Pattern.compile(
            "^\\[(\\d+\\.\\d+)\\] \\d+ bytes from [^:]+: icmp_seq=(\\d+) .*time=([0-9.]+) ms");

    @RegisterExtension
    final DaemonLab lab = new DaemonLab().logLevel("info");

    @Test
    void activateAndDeactivate() throws Exception {
        int rounds = Integer.getInteger("rounds", 50);
        DataplaneNetnsTest.Setup u = DataplaneNetnsTest.setup(lab, 86_400);
        Tnve h1 = u.h1();
        Tnve h2 = u.h2();
        String ip1 = u.t1().ips().getFirst().ip().getHostAddress();
        String ip2 = u.t2().ips().getFirst().ip().getHostAddress();
        h1.ok(e -> e.create("vm1", List.of(u.t1())));
        h1.ok(e -> e.start("vm1"));
        h2.ok(e -> e.create("vm2", List.of(u.t2())));
        h2.ok(e -> e.start("vm2"));
        OvsLab.run("ip", "-n", u.vm1(), "neigh", "replace", ip2, "lladdr", u.t2().mac().toString(), "dev", "eth0", "nud",
                "permanent");
        OvsLab.run("ip", "-n", u.vm2(), "neigh", "replace", ip1, "lladdr", u.t1().mac().toString(), "dev", "eth0", "nud",
                "permanent");
        DataplaneNetnsTest.awaitInstalled(u.n());
        DataplaneNetnsTest.awaitPing(u.vm1(), ip2, "vm1 -> vm2 before the rounds");
        h2.ok(e -> e.suspend("vm2"));
        DataplaneNetnsTest.awaitInstalled(u.n());

        Path out = lab.dir().resolve("ping.txt");
        Process ping = lab.process(new ProcessBuilder("ip", "netns", "exec", u.vm1(), "ping", "-n", "-D", "-i", "0.005",
                ip2).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start());
        long[][] at = new long[rounds][4]; // resume start, resume answered, suspend start, suspend answered (ms)
        for (int r = 0; r < rounds; r++) {
            Thread.sleep(300); // the bench's rhythm: suspended a while, then resumed
            at[r][0] = System.currentTimeMillis();
            h2.ok(e -> e.resume("vm2"));
            at[r][1] = System.currentTimeMillis();
            long resumed = at[r][0];
            DaemonLab.await("an echo request sent after the resume answered", Duration.ofSeconds(10),
                    () -> replies(Files.readString(out)).tailMap(resumed / 1000.0).size() > 0);
            Thread.sleep(300); // passing a while
            at[r][2] = System.currentTimeMillis();
            h2.ok(e -> e.suspend("vm2"));
            at[r][3] = System.currentTimeMillis();
        }
        Thread.sleep(300);
        ping.destroy();
        ping.waitFor();
        java.util.NavigableMap<Double, Integer> sent = replies(Files.readString(out));
        double[] fromStart = new double[rounds];
        double[] fromAnswer = new double[rounds];
        double[] stopped = new double[rounds];
        double[] stoppedFromAnswer = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            double first = sent.ceilingKey(at[r][0] / 1000.0);
            double until = r + 1 < rounds ? at[r + 1][0] / 1000.0 : Double.MAX_VALUE;
            Double last = sent.lowerKey(until);
            assertThat(last).as("round %d: a request passed before the next resume", r + 1).isNotNull();
            fromStart[r] = (first - at[r][0] / 1000.0) * 1000;
            fromAnswer[r] = (first - at[r][1] / 1000.0) * 1000;
            stopped[r] = (last - at[r][2] / 1000.0) * 1000;
            stoppedFromAnswer[r] = (last - at[r][3] / 1000.0) * 1000;
            System.out.printf("[bench] round %d: activate -> first request through %.1f ms (%.1f ms after the"
                    + " nNVE's answer); deactivate -> last request through %.1f ms (%.1f ms after the answer)%n", r + 1,
                    fromStart[r], fromAnswer[r], stopped[r], stoppedFromAnswer[r]);
        }
        System.out.printf("[bench] %d rounds, requests every 5 ms: activate -> first request through p50 %.1f ms, p99"
                + " %.1f ms, max %.1f (from the nNVE's answer: p50 %.1f, p99 %.1f); deactivate -> last request through"
                + " p50 %.1f ms, p99 %.1f ms, max %.1f (from the answer: p50 %.1f, p99 %.1f)%n", rounds,
                pct(fromStart, 50), pct(fromStart, 99), pct(fromStart, 100), pct(fromAnswer, 50), pct(fromAnswer, 99),
                pct(stopped, 50), pct(stopped, 99), pct(stopped, 100), pct(stoppedFromAnswer, 50),
                pct(stoppedFromAnswer, 99));
    }

    /** The send time (epoch seconds: the reply's time less its round trip) of every answered echo request. */
    static java.util.NavigableMap<Double, Integer> replies(String pingOutput) {
        TreeMap<Double, Integer> sent = new TreeMap<>();
        for (String line : pingOutput.lines().toList()) {
            Matcher m = REPLY.matcher(line);
            if (m.find()) {
                sent.put(Double.parseDouble(m.group(1)) - Double.parseDouble(m.group(3)) / 1000,
                        Integer.parseInt(m.group(2)));
            }
        }
        return sent;
    }

    /** The p-th percentile (nearest rank). */
    static double pct(double[] v, int p) {
        double[] s = v.clone();
        Arrays.sort(s);
        int rank = (int) Math.ceil(p / 100.0 * s.length);
        return s[Math.max(0, Math.min(s.length - 1, rank - 1))];
    }
}
