package org.splitnve.daemon.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.splitnve.api.JsonCodec;
import org.splitnve.dataplane.OvsInstance;
import tools.jackson.databind.JsonNode;

/**
 * Issue 11's measurement, not a test (its name does not end in Test: the build never runs it;
 * bench/run-dp-throughput.sh does): VM to VM through two nNVE daemons' Open vSwitch bridges (userspace datapath) and
 * VXLAN between them, each VM behind its own hypervisor's bridge (OverlayDaemonsNetnsTest's overlay: real daemons, VDP
 * over raw Ethernet, the NVA daemon): the round trip of {@code pings} pings 10 ms apart (percentiles), then TCP
 * throughput with iperf3 ({@code rounds} rounds of {@code seconds} s, vm1 to vm3 and back). Path of a frame: vm1's veth,
 * hv1's bridge, the trunk, n1's bridge, VXLAN over the underlay, n2's bridge, the trunk, hv2's bridge, vm3's veth: four
 * userspace forwarders on this machine's two vCPUs.
 */
class OverlayThroughputBench {
    private static final Pattern TIME = Pattern.compile("icmp_seq=\\d+ .*time=([0-9.]+) ms");

    @RegisterExtension
    final DaemonLab lab = new DaemonLab().logLevel("info");

    @Test
    void vmToVm() throws Exception {
        int rounds = Integer.getInteger("rounds", 3);
        int seconds = Integer.getInteger("seconds", 10);
        int pings = Integer.getInteger("pings", 1000);
        OverlayDaemonsNetnsTest.Overlay u = OverlayDaemonsNetnsTest.overlay(lab);
        String ip1 = OvsOverlay.ip(u.t1());
        String ip3 = OvsOverlay.ip(u.t3());
        OvsOverlay.awaitPing(u.vm1(), ip3, "vm1 -> vm3 before the measurement");

        OvsInstance.Finished ping = OvsInstance.finish("ip", "netns", "exec", u.vm1(), "ping", "-n", "-i", "0.01", "-c",
                String.valueOf(pings), ip3);
        List<Double> rtt = new ArrayList<>();
        for (String line : ping.output().lines().toList()) {
            Matcher m = TIME.matcher(line);
            if (m.find()) {
                rtt.add(Double.parseDouble(m.group(1)));
            }
        }
        assertThat(rtt).as("answered pings: %s", ping.output()).isNotEmpty();
        double[] r = rtt.stream().mapToDouble(Double::doubleValue).toArray();
        System.out.printf("[bench] round trip vm1 -> vm3 (two nNVEs, VXLAN), %d pings 10 ms apart: %d answered; p50 %.3f"
                + " ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms%n", pings, r.length, DataplaneLatencyBench.pct(r, 50),
                DataplaneLatencyBench.pct(r, 90), DataplaneLatencyBench.pct(r, 99), DataplaneLatencyBench.pct(r, 100));

        for (int round = 1; round <= rounds; round++) {
            for (String[] way : List.of(new String[] {"vm1 -> vm3", u.vm1(), u.vm3(), ip3},
                    new String[] {"vm3 -> vm1", u.vm3(), u.vm1(), ip1})) {
                JsonNode result = iperf(way[1], way[2], way[3], seconds);
                JsonNode sums = result.path("end");
                assertThat(sums.has("sum_sent")).as("iperf3's result: %s", result).isTrue();
                JsonNode sent = sums.get("sum_sent");
                JsonNode received = sums.get("sum_received");
                System.out.printf("[bench] round %d, TCP %s, iperf3 %d s: sender %.0f Mbit/s, receiver %.0f Mbit/s, %d"
                        + " retransmissions%n", round, way[0], seconds, sent.get("bits_per_second").asDouble() / 1e6,
                        received.get("bits_per_second").asDouble() / 1e6, sent.get("retransmits").asLong());
            }
        }
    }

    /** iperf3 for {@code seconds} s from namespace {@code from} to {@code to} (address {@code toIp}): its JSON result. */
    private JsonNode iperf(String from, String to, String toIp, int seconds) throws Exception {
        Process server = lab.process(new ProcessBuilder("ip", "netns", "exec", to, "iperf3", "-s", "-1", "-p", "5201")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        try {
            long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
            while (true) {
                OvsInstance.Finished c = OvsInstance.finish("ip", "netns", "exec", from, "iperf3", "-c", toIp, "-p", "5201",
                        "-t", String.valueOf(seconds), "-J");
                if (c.status() == 0) {
                    return JsonCodec.tree(c.output());
                }
                // the server is not listening yet: try again (iperf3 -J says so in its "error" member)
                assertThat(c.output()).as("iperf3's client").contains("unable to connect");
                assertThat(System.nanoTime()).as("iperf3's server listening within 20 s").isLessThan(end);
                Thread.sleep(100);
            }
        } finally {
            server.destroyForcibly();
            server.waitFor();
        }
    }
}
