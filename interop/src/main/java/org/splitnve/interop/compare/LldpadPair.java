package org.splitnve.interop.compare;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.splitnve.interop.Lldpad;
import org.splitnve.transport.WireTap;
import org.splitnve.protocol.Timers;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.wire.vdp.VsiId;

/**
 * The reference pair: a real lldpad station and a real lldpad bridge (evbmode station and bridge), each
 * in its own network namespace on one end of a veth pair, both with the given EVB timers, logging errors
 * only. VSIs are associated as an operator would: one {@code vdptool -T -W} call after another (vdptool
 * in the station's namespaces), each waiting for its response. Calls in parallel are not used: lldpad's
 * station then hands a response to whichever vdptool waits, and loses requests (measured: 3 of 40 VSIs
 * never reached the bridge with 4 calls at a time). Two taps record what each side sends
 * ({@link VsiLedger}).
 */
public final class LldpadPair implements AutoCloseable {
    /** The VSI Manager ID and VSI type the requests carry. */
    static final String MANAGER = "host";

    private final Lldpad bridge;
    private final Lldpad station;
    private final WireTap atStation;
    private final WireTap atBridge;
    private final VsiLedger ledger;
    private final String stationIf;
    private final Timers timers;
    private final List<VsiId> asked = new ArrayList<>();
    private int created;

    private LldpadPair(Lldpad bridge, Lldpad station, WireTap atStation, WireTap atBridge, VsiLedger ledger,
            String stationIf, Timers timers) {
        this.bridge = bridge;
        this.station = station;
        this.atStation = atStation;
        this.atBridge = atBridge;
        this.ledger = ledger;
        this.stationIf = stationIf;
        this.timers = timers;
    }

    /**
     * Starts the bridge, then the station (scratch files in {@code dir}), and returns once the station's VDP
     * answers: a first association (of a VSI outside the workload, index -1), asked until lldpad takes it
     * (it refuses vdptool until the EVB TLVs are exchanged; bounded).
     */
    public static LldpadPair start(OurPair.Where stationAt, OurPair.Where bridgeAt, Timers timers, Path dir)
            throws IOException {
        VsiLedger ledger = new VsiLedger();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            WireTap atStation = new WireTap(stationAt.namespace(), stationAt.iface(), ledger::fromBridge);
            opened.add(atStation);
            WireTap atBridge = new WireTap(bridgeAt.namespace(), bridgeAt.iface(), ledger::fromStation);
            opened.add(atBridge);
            Lldpad bridge = Lldpad.start(bridgeAt.namespace(), bridgeAt.iface(), Lldpad.Role.BRIDGE, timers, dir, false);
            opened.add(bridge);
            Lldpad station = Lldpad.start(stationAt.namespace(), stationAt.iface(), Lldpad.Role.STATION, timers, dir,
                    false);
            opened.add(station);
            LldpadPair p = new LldpadPair(bridge, station, atStation, atBridge, ledger, stationAt.iface(), timers);
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            String out = "";
            while (System.nanoTime() < end) {
                out = p.associate(Workload.tsi(-1));
                if (out.contains("Response from VDP") && !out.contains("FAILED")) {
                    return p;
                }
                Lldpad.sleep(out.contains("not supported") ? 200 : 1000);
            }
            throw new IOException("the lldpad station never answered within 60 s; vdptool: " + out.strip());
        } catch (IOException | RuntimeException e) {
            for (int i = opened.size() - 1; i >= 0; i--) {
                closeQuietly(opened.get(i));
            }
            throw e;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort
        }
    }

    /** One {@code vdptool -T -W} Associate of {@code t} (VID 0, its MAC, its VN as GroupID); vdptool's output. */
    private String associate(TsiSpec t) throws IOException {
        return station.vdptool("-i", stationIf, "-T", "-W", "-V", "assoc", "-c", "mode=assoc", "-c", "mgrid2=" + MANAGER,
                "-c", "typeid=" + t.typeId(), "-c", "typeidver=" + t.typeVersion(), "-c", "uuid=" + t.id(), "-c",
                "hints=none", "-c", "filter=0-" + t.mac() + "-" + t.vnId());
    }

    public Timers timers() {
        return timers;
    }

    /** The bridge's keep-alive timeout: 1.5 x ((1 + 2R) x 10 us x 2^RTE + 10 us x 2^RKA). */
    public long bridgeTimeoutNanos() {
        return timers.bridgeKeepAliveTimeoutNanos();
    }

    /** Progress of a long run: after {@code calls} vdptool calls, at {@code seconds}, {@code held} VSIs held. */
    public record Progress(int calls, double seconds, int held) {
    }

    /**
     * What {@link #associate(int, Duration)} did.
     *
     * @param asked         vdptool calls made (fewer than {@code n} if the time limit ended the run)
     * @param nanos         from the first call to the end of the last
     * @param vdptoolAnswered calls whose output was the response for their own VSI
     * @param answered      VSIs of this run the bridge answered with success (on the wire)
     * @param held          VSIs of this run the bridge holds at the end
     * @param station       frames of the station (ECPDUs and acknowledgements), during the run
     * @param bridge        frames of the bridge, during the run
     * @param retransmissions ECPDUs sent again, both sides, during the run
     * @param deassociatedByBridge VSIs of this run the bridge de-associated on its own (keep-alive timeout)
     */
    public record Run(int n, int asked, long nanos, int vdptoolAnswered, int answered, int held,
            VsiLedger.Direction station, VsiLedger.Direction bridge, long retransmissions, int deassociatedByBridge,
            boolean limitReached, List<Progress> progress) {
        public long frames() {
            return station.frames() + bridge.frames();
        }
    }

    /**
     * Associates {@code n} more VSIs ({@link Workload#tsi}), one vdptool call after another, until done or
     * {@code limit} has passed; reports how many the bridge holds at the end.
     */
    public Run associate(int n, Duration limit) {
        List<VsiId> ids = new ArrayList<>(n);
        VsiLedger.Direction st0 = ledger.station();
        VsiLedger.Direction br0 = ledger.bridge();
        List<Progress> progress = new ArrayList<>();
        int every = Math.max(50, n / 20);
        long t0 = System.nanoTime();
        long end = t0 + limit.toNanos();
        int own = 0;
        boolean limited = false;
        for (int k = 0; k < n; k++) {
            if (System.nanoTime() > end) {
                limited = true;
                break;
            }
            TsiSpec t = Workload.tsi(created++);
            ids.add(t.id());
            asked.add(t.id());
            String out;
            try {
                out = associate(t);
            } catch (IOException e) {
                out = e.getMessage();
            }
            int at = out.indexOf("Response from VDP");
            if (at >= 0 && out.indexOf("uuid = " + t.id(), at) > 0 && !out.contains("FAILED")) {
                own++;
            }
            if ((k + 1) % every == 0) {
                progress.add(new Progress(k + 1, (System.nanoTime() - t0) / 1e9,
                        ledger.held(ids, System.nanoTime(), bridgeTimeoutNanos())));
            }
        }
        long t1 = System.nanoTime();
        // the last answer may still be on its way to the tap: a moment (bounded) for it
        long settle = t1 + Duration.ofMillis(200).toNanos();
        while (ledger.answered(ids) < ids.size() && System.nanoTime() < settle) {
            Lldpad.sleep(10);
        }
        VsiLedger.Direction st = ledger.station().minus(st0);
        VsiLedger.Direction br = ledger.bridge().minus(br0);
        return new Run(n, ids.size(), t1 - t0, own, ledger.answered(ids), ledger.held(ids, System.nanoTime(),
                bridgeTimeoutNanos()), st, br, st.retransmissions() + br.retransmissions(), ledger.deassociatedByBridge(ids),
                limited, progress);
    }

    /** A look at the pair: seconds since {@code since}, VSIs held of all asked so far, both sides' counters. */
    public record Sample(double seconds, int asked, int held, int deassociatedByBridge, VsiLedger.Direction station,
            VsiLedger.Direction bridge) {
    }

    public Sample sample(long since) {
        long now = System.nanoTime();
        return new Sample((now - since) / 1e9, asked.size(), ledger.held(asked, now, bridgeTimeoutNanos()),
                ledger.deassociatedByBridge(asked), ledger.station(), ledger.bridge());
    }

    public boolean alive() {
        return station.alive() && bridge.alive();
    }

    @Override
    public void close() {
        closeQuietly(station);
        closeQuietly(bridge);
        closeQuietly(atBridge);
        closeQuietly(atStation);
    }
}
