package org.splitnve.bench;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.splitnve.dataplane.DataplaneState;
import org.splitnve.dataplane.Flow;
import org.splitnve.dataplane.FlowDriver;
import org.splitnve.dataplane.FlowTable;
import org.splitnve.dataplane.Pipeline;
import org.splitnve.dataplane.openflow.OfConnection;

/**
 * Issue 11: N Activated TSIs on one nNVE, programmed into a real ovs-vswitchd the way the nNVE daemon does it: the
 * data plane's model ({@link DataplaneState}: N TSIs with a MAC and an IPv4 address each, spread over {@code ports}
 * trunks and {@code vns} VNs, plus {@code remotes} other NVEs serving every VN with {@code perRemote} addresses each),
 * turned into flows by {@link Pipeline#flows} and applied by {@link FlowDriver} (the diff against what it installed,
 * atomic bundles). Prints: the flows, the time to compute them, the time to program them from an empty bridge, the
 * switch's RSS before and after; then the cost of one more TSI Activated with N in place, and of it gone again: as the
 * daemon does it ({@link FlowTable}: the VN that changed recomputed, only the difference sent) and, for comparison, the
 * whole model turned into flows again and compared with the whole installed table.
 * bench/run-ovs-flows.sh sets up the switch; {@code bench/run-ovs-flows.sh pipeline [N]} runs this.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar org.splitnve.bench.OvsPipelineScale MGMT_SOCKET N VNS PORTS REMOTES
 * PER_REMOTE ROUNDS [VSWITCHD_PID]}
 */
public final class OvsPipelineScale {
    private OvsPipelineScale() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        int vns = Integer.parseInt(args[2]);
        int ports = Integer.parseInt(args[3]);
        int remotes = Integer.parseInt(args[4]);
        int perRemote = Integer.parseInt(args[5]);
        int rounds = Integer.parseInt(args[6]);
        long pid = args.length > 7 ? Long.parseLong(args[7]) : -1;
        System.out.printf("# %d Activated TSIs (a MAC and an IPv4 each) on %d trunks in %d VNs; %d remote NVEs serving"
                + " every VN with %d addresses each%n", n, ports, vns, remotes, perRemote);
        try (OfConnection c = OfConnection.open(socket, Duration.ofSeconds(10))) {
            FlowDriver d = new FlowDriver(c, FlowDriver.DEFAULT_MAX_BUNDLE, Duration.ofMinutes(5));
            d.start();
            d.apply(List.of());
            String rssEmpty = OvsFlowRate.rss(pid);
            double[] compute = new double[rounds];
            double[] program = new double[rounds];
            double[] clear = new double[rounds];
            double[] oneMore = new double[rounds];
            double[] oneLess = new double[rounds];
            double[] wholeMore = new double[rounds];
            double[] wholeLess = new double[rounds];
            int flowCount = 0;
            String rssFull = "-";
            for (int r = 0; r < rounds; r++) {
                DataplaneState s = state(n, vns, ports, remotes, perRemote);
                long t0 = System.nanoTime();
                List<Flow> flows = Pipeline.flows(s);
                compute[r] = ms(t0);
                flowCount = flows.size();
                t0 = System.nanoTime();
                d.apply(flows);
                program[r] = ms(t0);
                rssFull = OvsFlowRate.rss(pid);
                // one more TSI Activated, then gone again: the whole model to flows, the difference to the switch
                DataplaneState more = state(n + 1, vns, ports, remotes, perRemote);
                t0 = System.nanoTime();
                FlowDriver.Report added = d.apply(Pipeline.flows(more));
                wholeMore[r] = ms(t0);
                t0 = System.nanoTime();
                FlowDriver.Report removed = d.apply(Pipeline.flows(s));
                wholeLess[r] = ms(t0);
                // the same, as the nNVE daemon does it: FlowTable recomputes the VN that changed, only its difference sent
                FlowTable table = new FlowTable();
                table.update(s);
                t0 = System.nanoTime();
                FlowTable.Delta up = table.update(more);
                d.update(up.upserts(), up.removals());
                oneMore[r] = ms(t0);
                t0 = System.nanoTime();
                FlowTable.Delta down = table.update(s);
                d.update(down.upserts(), down.removals());
                oneLess[r] = ms(t0);
                t0 = System.nanoTime();
                d.apply(List.of());
                clear[r] = ms(t0);
                System.out.printf("round %d: %d flows computed in %.0f ms, programmed in %.0f ms (%.0f flows/s);"
                        + " one more TSI %.1f ms incremental, %.1f ms whole table (%d flow changes), one less %.1f ms,"
                        + " %.1f ms (%d); all removed in %.0f ms; ovs-vswitchd RSS %s MB (empty bridge %s MB)%n", r + 1,
                        flowCount, compute[r], program[r], flowCount / (program[r] / 1000), oneMore[r], wholeMore[r],
                        added.changes(), oneLess[r], wholeLess[r], removed.changes(), clear[r], rssFull, rssEmpty);
            }
            System.out.printf("median: %d flows for %d TSIs: computed %.0f ms, programmed %.0f ms; one more TSI %.1f ms"
                    + " incremental (%.1f whole table), one less %.1f ms (%.1f); ovs-vswitchd RSS %s MB with them, %s MB"
                    + " empty%n", flowCount, n, OvsFlowRate.median(compute), OvsFlowRate.median(program), OvsFlowRate.median(oneMore), OvsFlowRate.median(wholeMore),
                    OvsFlowRate.median(oneLess), OvsFlowRate.median(wholeLess), rssFull, rssEmpty);
        }
    }

    /** The model: TSI i on trunk 1 + i % ports, VN i % vns (local tag 100 + that), MAC 52:54:01:xx:xx:xx, 10.x.y.z. */
    static DataplaneState state(int n, int vns, int ports, int remotes, int perRemote) throws Exception {
        List<DataplaneState.Vn> vn = new ArrayList<>(vns);
        List<String> names = new ArrayList<>(vns);
        for (int v = 0; v < vns; v++) {
            names.add("vn-" + (5000 + v));
            vn.add(new DataplaneState.Vn(names.get(v), 5000 + v));
        }
        List<DataplaneState.Tsi> tsis = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int v = i % vns;
            tsis.add(new DataplaneState.Tsi("t" + i, 1 + i % ports, 100 + v, names.get(v),
                    DataplaneState.TsiState.ACTIVATED, List.of(new DataplaneState.Address(0x525401000000L + i,
                            List.of(ip(10, i))))));
        }
        List<DataplaneState.RemoteNve> rs = new ArrayList<>(remotes);
        for (int r = 0; r < remotes; r++) {
            List<DataplaneState.RemoteAddress> addresses = new ArrayList<>(perRemote);
            for (int a = 0; a < perRemote; a++) {
                int k = r * perRemote + a;
                addresses.add(new DataplaneState.RemoteAddress(names.get(k % vns), 0x525402000000L + k, List.of(ip(11, k))));
            }
            rs.add(new DataplaneState.RemoteNve("nve" + r, (Inet4Address) ip(192, 0x0200 + r), names, addresses));
        }
        return new DataplaneState(9, vn, tsis, rs);
    }

    private static InetAddress ip(int first, int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {(byte) first, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
    }

    private static double ms(long t0) {
        return (System.nanoTime() - t0) / 1e6;
    }
}
