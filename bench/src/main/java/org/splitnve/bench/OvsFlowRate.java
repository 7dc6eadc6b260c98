package org.splitnve.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.splitnve.dataplane.Flow;
import org.splitnve.dataplane.FlowDriver;
import org.splitnve.dataplane.openflow.Action;
import org.splitnve.dataplane.openflow.Instruction;
import org.splitnve.dataplane.openflow.Match;
import org.splitnve.dataplane.openflow.OfConnection;
import org.splitnve.dataplane.openflow.Oxm;

/**
 * DP-6: flow changes per second applied to a real ovs-vswitchd by {@link FlowDriver} (our OpenFlow 1.4 codec, atomic
 * bundles of at most {@code maxBundle} flow-mods), interleaved round by round with {@code ovs-ofctl --bundle} on the
 * same flows and the same switch, so both see the same machine load. The flows are admission-style
 * ({@code table=0,priority=100,in_port=1,dl_vlan=V,dl_src=M actions=goto_table:10}, as in
 * ../shared/docs/ovs-dataplane.md section 4). Per round: ovs-ofctl adds N and deletes N (strict); the driver adds N,
 * changes the actions of all N (in-place replacement) and deletes N. Prints each round and the medians.
 * bench/run-ovs-flows.sh sets up the switch (a namespace with its own ovsdb-server and ovs-vswitchd) and removes it.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar org.splitnve.bench.OvsFlowRate MGMT_SOCKET N ROUNDS MAX_BUNDLE
 * [VSWITCHD_PID]}
 */
public final class OvsFlowRate {
    private OvsFlowRate() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int maxBundle = Integer.parseInt(args[3]);
        long pid = args.length > 4 ? Long.parseLong(args[4]) : -1;
        Path dir = Files.createTempDirectory("ovs-flow-rate-");
        Path addFile = dir.resolve("add.txt");
        Path delFile = dir.resolve("del.txt");
        StringBuilder add = new StringBuilder();
        StringBuilder del = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String key = "table=0,priority=100,in_port=1,dl_vlan=" + vlan(i) + ",dl_src=" + mac(i);
            add.append(key).append(",cookie=0xbe,actions=goto_table:10\n");
            del.append(key).append('\n');
        }
        Files.writeString(addFile, add.toString());
        Files.writeString(delFile, del.toString());
        List<Flow> flows = flows(n, 10);
        List<Flow> changed = flows(n, 11);
        double[] ofctlAdd = new double[rounds];
        double[] ofctlDel = new double[rounds];
        double[] ourAdd = new double[rounds];
        double[] ourMod = new double[rounds];
        double[] ourDel = new double[rounds];
        Duration timeout = Duration.ofMinutes(2);
        System.out.printf("# %d flows per step, %d rounds, bundles of at most %d flow-mods%n", n, rounds, maxBundle);
        System.out.printf("%-6s %14s %14s %14s %14s %14s %10s%n", "round", "ofctl add/s", "ofctl del/s", "ours add/s",
                "ours mod/s", "ours del/s", "RSS MB");
        try (OfConnection c = OfConnection.open(socket, Duration.ofSeconds(10))) {
            FlowDriver d = new FlowDriver(c, maxBundle, timeout);
            d.start();
            d.apply(List.of());
            for (int r = 0; r < rounds; r++) {
                ofctlAdd[r] = n / seconds(() -> ofctl(socket, "--bundle", "add-flows", addFile.toString(), null));
                ofctlDel[r] = n / seconds(() -> ofctl(socket, "--bundle", "--strict", "del-flows", "-", delFile.toString()));
                ourAdd[r] = n / seconds(() -> d.apply(flows));
                ourMod[r] = n / seconds(() -> d.apply(changed));
                ourDel[r] = n / seconds(() -> d.apply(List.of()));
                System.out.printf("%-6d %14.0f %14.0f %14.0f %14.0f %14.0f %10s%n", r + 1, ofctlAdd[r], ofctlDel[r],
                        ourAdd[r], ourMod[r], ourDel[r], rss(pid));
            }
            // Work proportional to what changed: with N installed, change 1% of them, then nothing.
            d.apply(flows);
            List<Flow> onePercent = new ArrayList<>(flows);
            int k = Math.max(1, n / 100);
            for (int i = 0; i < k; i++) {
                onePercent.set(i * 100 % n, changed.get(i * 100 % n));
            }
            double[] small = new double[rounds];
            double[] none = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                List<Flow> target = r % 2 == 0 ? onePercent : flows; // alternate: each step changes k flows
                small[r] = seconds(() -> d.apply(target)) * 1000;
                none[r] = seconds(() -> d.apply(target)) * 1000;
            }
            double[] known = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                List<Flow> target = new ArrayList<>(k);
                for (int i = 0; i < k; i++) {
                    target.add((r % 2 == 0 ? changed : flows).get(i * 100 % n));
                }
                known[r] = seconds(() -> d.update(target, List.of())) * 1000;
            }
            System.out.printf("with %d installed, %d changed: apply(whole table) %.1f ms, apply(no change) %.1f ms,"
                    + " update(the %d only) %.1f ms (medians)%n", n, k, median(small), median(none), k, median(known));
            d.apply(List.of());
        } finally {
            Files.deleteIfExists(addFile);
            Files.deleteIfExists(delFile);
            Files.deleteIfExists(dir);
        }
        System.out.printf("%-6s %14.0f %14.0f %14.0f %14.0f %14.0f%n", "median", median(ofctlAdd), median(ofctlDel),
                median(ourAdd), median(ourMod), median(ourDel));
        System.out.printf("ours/ofctl: add %.2f, delete %.2f%n", median(ourAdd) / median(ofctlAdd),
                median(ourDel) / median(ofctlDel));
    }

    private static List<Flow> flows(int n, int table) {
        List<Flow> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(new Flow(0, 100, Match.of(Oxm.inPort(1), Oxm.vlanVid(vlan(i)), Oxm.ethSrc(0x020000000000L + i)),
                    List.of(new Instruction.GotoTable(table)), "bench " + i));
        }
        return l;
    }

    private static int vlan(int i) {
        return 1 + i % 4000;
    }

    private static String mac(int i) {
        long m = 0x020000000000L + i;
        return String.format("%02x:%02x:%02x:%02x:%02x:%02x", (m >>> 40) & 0xff, (m >>> 32) & 0xff, (m >>> 24) & 0xff,
                (m >>> 16) & 0xff, (m >>> 8) & 0xff, m & 0xff);
    }

    private interface Step {
        void run() throws Exception;
    }

    private static double seconds(Step s) throws Exception {
        long t0 = System.nanoTime();
        s.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** {@code ovs-ofctl -O OpenFlow14 OPTIONS... COMMAND unix:SOCKET FILE} ({@code -} and {@code stdin}: read from it). */
    private static void ofctl(Path socket, String option, String... rest) throws IOException, InterruptedException {
        // rest: [option...] command file stdin
        List<String> cmd = new ArrayList<>(List.of("ovs-ofctl", "-O", "OpenFlow14", option));
        int k = rest.length;
        cmd.addAll(Arrays.asList(rest).subList(0, k - 2));
        cmd.add("unix:" + socket);
        cmd.add(rest[k - 2]);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (rest[k - 1] != null) {
            pb.redirectInput(Path.of(rest[k - 1]).toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    static String rss(long pid) {
        if (pid <= 0) {
            return "-";
        }
        try {
            for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return String.format("%.1f", Long.parseLong(l.replaceAll("\\D", "")) / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return "?";
        }
        return "?";
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
