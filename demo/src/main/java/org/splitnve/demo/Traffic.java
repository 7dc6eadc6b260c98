package org.splitnve.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.splitnve.dataplane.OvsInstance;

/**
 * Tenant traffic between the demo's VMs (issue 11): {@code ping} in the sending VM's namespace, toward the other VM's
 * IPv4 address, across the hypervisors' and nNVEs' Open vSwitch bridges (and VXLAN between the nNVEs). Nothing but
 * ping's own exit status and output is read: a probe passes when the other VM answered.
 */
final class Traffic {
    private static final Pattern REPLY = Pattern.compile("^\\[(\\d+\\.\\d+)\\] \\d+ bytes from [^:]+: icmp_seq=(\\d+) ");
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    private final String prefix;

    /** @param prefix the namespaces' prefix ({@link NetnsTopology#prefixOf}) */
    Traffic(String prefix) {
        this.prefix = prefix;
    }

    private String ns(Plan.Vm vm) {
        return prefix + vm.name();
    }

    /** One ping a second (each waiting 1 s) until one is answered: true then, false after {@code timeoutMs}. */
    boolean reaches(Plan.Vm from, Plan.Vm to, long timeoutMs) throws IOException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        do {
            if (OvsInstance.finish("ip", "netns", "exec", ns(from), "ping", "-n", "-q", "-c", "1", "-W", "1", to.ip())
                    .status() == 0) {
                return true;
            }
        } while (System.nanoTime() < end);
        return false;
    }

    /** Three pings 0.2 s apart (the last waited for 0.5 s: a round trip here takes about 1 ms): true when none was answered. */
    boolean blocked(Plan.Vm from, Plan.Vm to) throws IOException {
        OvsInstance.Finished f = OvsInstance.finish("ip", "netns", "exec", ns(from), "ping", "-n", "-q", "-c", "3", "-i",
                "0.2", "-W", "0.5", to.ip());
        if (f.status() != 0 && f.status() != 1) {
            throw new IOException("ping from " + from.name() + " failed (status " + f.status() + "): " + f.output().strip());
        }
        return f.status() == 1;
    }

    /**
     * Starts a ping every 10 ms from {@code from} to {@code to}, its output to a temporary file, until {@link Stream#stop}.
     * First each VM's ARP entry for the other is made permanent: a live-migrated guest keeps its ARP cache (its NIC
     * never goes down), while here the VM's veth loses its link while its other end moves, and the kernel would then
     * forget the entry and resolve it again, one try a second (a gap that is this emulation's, not the network's).
     */
    Stream stream(Plan.Vm from, Plan.Vm to) throws IOException {
        OvsInstance.run("ip", "-n", ns(from), "neigh", "replace", to.ip(), "lladdr", to.tsi().mac().toString(), "dev",
                Plan.VM_NIC, "nud", "permanent");
        OvsInstance.run("ip", "-n", ns(to), "neigh", "replace", from.ip(), "lladdr", from.tsi().mac().toString(), "dev",
                Plan.VM_NIC, "nud", "permanent");
        Path out = Files.createTempFile("splitnve-demo-ping-", ".txt");
        Process p = new ProcessBuilder("ip", "netns", "exec", ns(from), "ping", "-n", "-D", "-i", "0.01", to.ip())
                .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        return new Stream(from, to, p, out);
    }

    /** What a ping every 10 ms saw. */
    record Seen(int sent, int received, long longestGapMs) {
        int lost() {
            return sent - received;
        }
    }

    /** A ping every 10 ms, running. */
    static final class Stream {
        private final Plan.Vm from;
        private final Plan.Vm to;
        private final Process ping;
        private final Path out;
        private final List<long[]> pauses = new ArrayList<>();

        private Stream(Plan.Vm from, Plan.Vm to, Process ping, Path out) {
            this.from = from;
            this.to = to;
            this.ping = ping;
            this.out = out;
        }

        /** The VM's pause while it runs: [start, end] in epoch milliseconds. */
        void pause(long[] startEnd) {
            pauses.add(startEnd);
        }

        /** When the last pause ended (epoch milliseconds), or 0. */
        long lastPauseEnd() {
            return pauses.isEmpty() ? 0 : pauses.getLast()[1];
        }

        /** Ends the ping at once, saying nothing (a demo that failed or was stopped). */
        void kill() {
            ping.destroyForcibly();
            try {
                Files.deleteIfExists(out);
            } catch (IOException e) {
                // a temporary file: the system's cleaning takes it
            }
        }

        /** The first reply whose time is after {@code epochMs} has come, or {@code timeoutMs} passed: which. */
        boolean awaitReplyAfter(long epochMs, long timeoutMs) throws IOException, InterruptedException {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (System.nanoTime() < end) {
                for (String line : Files.readAllLines(out)) {
                    Matcher m = REPLY.matcher(line);
                    if (m.find() && Double.parseDouble(m.group(1)) * 1000 > epochMs) {
                        return true;
                    }
                }
                Thread.sleep(20);
            }
            return false;
        }

        /** Stops the ping (SIGINT: it prints its summary) and says what it saw. */
        Seen stop() throws IOException, InterruptedException {
            // ip netns exec runs ping in its own process (exec): SIGINT to that PID is ping's Ctrl-C
            OvsInstance.finish("kill", "-INT", Long.toString(ping.pid()));
            if (!ping.waitFor(10, TimeUnit.SECONDS)) {
                ping.destroyForcibly();
                throw new IOException("ping from " + from.name() + " did not end on SIGINT");
            }
            String text = Files.readString(out);
            Files.deleteIfExists(out);
            int sent = -1;
            int received = 0;
            long longest = 0;
            double last = Double.NaN;
            for (String line : text.lines().toList()) {
                Matcher m = REPLY.matcher(line);
                if (m.find()) {
                    double at = Double.parseDouble(m.group(1));
                    if (!Double.isNaN(last)) {
                        longest = Math.max(longest, Math.round((at - last) * 1000));
                    }
                    last = at;
                }
                Matcher s = SUMMARY.matcher(line);
                if (s.find()) {
                    sent = Integer.parseInt(s.group(1));
                    received = Integer.parseInt(s.group(2));
                }
            }
            if (sent < 0) {
                throw new IOException("ping from " + from.name() + " to " + to.name() + " printed no summary: " + text.strip());
            }
            return new Seen(sent, received, longest);
        }

        /** One line on what it saw, with the VM's pauses. */
        String describe(Seen s) {
            StringBuilder p = new StringBuilder();
            for (long[] x : pauses) {
                p.append(p.isEmpty() ? "" : ", ").append(x[1] - x[0]).append(" ms");
            }
            return String.format(Locale.ROOT, "%s -> %s (%s), a ping every 10 ms through the migration: %d sent, %d lost"
                    + " (%.1f%%); the longest silence between two replies %d ms; the VM's NIC was away %s (its pause:"
                    + " moving between the hypervisors' switches)", from.name(), to.name(), to.ip(), s.sent(), s.lost(),
                    s.sent() == 0 ? 0.0 : 100.0 * s.lost() / s.sent(), s.longestGapMs(), p.isEmpty() ? "0 ms" : p);
        }
    }
}
