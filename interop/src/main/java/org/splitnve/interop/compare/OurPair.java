package org.splitnve.interop.compare;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.splitnve.nnve.NnveConfig;
import org.splitnve.nnve.NnveEngine;
import org.splitnve.nnve.NvaAuthority;
import org.splitnve.nnve.NvaEffects;
import org.splitnve.nnve.Peer;
import org.splitnve.nnve.TsiState;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.InMemoryNva;
import org.splitnve.nva.NveId;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.Timers;
import org.splitnve.tnve.OpResult;
import org.splitnve.tnve.TnveConfig;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.transport.AgentRunner;
import org.splitnve.transport.RawPort;
import org.splitnve.transport.RawSocket;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.VdpCodec;

/**
 * Our pair on real links: an nNVE engine with the in-memory NVA behind it (VNs of {@link Workload},
 * every TSI on them allowed, as the nnve daemon sets it up from its [nva] section) and a tNVE engine,
 * each in an {@link AgentRunner} over a {@link RawPort} on one end of a veth pair in its own network
 * namespace, in this JVM: the building blocks of the daemons, without LLDP (both sides are given the
 * same timers; they negotiate the extensions in VDP). The tNVE sends to the nearest customer bridge
 * address. Events are counted, not logged ({@link EventTally}).
 */
public final class OurPair implements AutoCloseable {
    /** Bound on every wait for the engines. */
    private static final long WAIT_SECONDS = 600;
    /** VMs per task on the tNVE's thread. */
    static final int CHUNK = 256;

    /** A network namespace and an interface in it. */
    public record Where(String namespace, String iface) {
    }

    private final AgentRunner<NnveEngine> nnve;
    private final AgentRunner<TnveEngine> tnve;
    private final EventTally nnveEvents;
    private final EventTally tnveEvents;
    private final Timers timers;
    private int created;

    private OurPair(AgentRunner<NnveEngine> nnve, AgentRunner<TnveEngine> tnve, EventTally nnveEvents,
            EventTally tnveEvents, Timers timers) {
        this.nnve = nnve;
        this.tnve = tnve;
        this.nnveEvents = nnveEvents;
        this.tnveEvents = tnveEvents;
        this.timers = timers;
    }

    /**
     * Opens both ports and starts both engines.
     *
     * @param features the extensions both sides offer: all of them normally; without
     *                 {@link CapabilityTlv.Feature#SESSION} the tNVE refreshes every TSI on its own (one VSI
     *                 TLV per TSI per keep-alive period, batched), as toward a standard bridge
     */
    public static OurPair start(Where nnveAt, Where tnveAt, Timers timers, Set<CapabilityTlv.Feature> features)
            throws IOException {
        InMemoryNva nva = new InMemoryNva();
        for (int i = 0; i < Workload.VNS; i++) {
            int id = Workload.FIRST_VN + i;
            VnRecord vn = VnRecord.of(UUID.nameUUIDFromBytes(("vn-" + id).getBytes(StandardCharsets.UTF_8)), id, "vn" + id,
                    10_000 + i, VnService.L2);
            nva.addVn(vn).orElseThrow();
            nva.permitTsi(TsiRule.anyOn(id));
        }
        nva.permitEndDevice(EndDeviceRule.anyOn(NveId.of("nnve")));
        Set<CapabilityTlv.Feature> offered = features.isEmpty() ? EnumSet.noneOf(CapabilityTlv.Feature.class)
                : EnumSet.copyOf(features);
        NnveConfig ncfg = NnveConfig.simple("nnve", 1).withTimers(timers).withFeatures(offered)
                .withLimits(new NnveConfig.Limits(1_000_000, 4094, 4096));
        EventTally nSink = new EventTally("nnve");
        EventTally tSink = new EventTally("tnve");
        AgentRunner<NnveEngine> n = AgentRunner.builder("nnve")
                .port(RawPort.open(nnveAt.iface(), RawSocket.Options.defaults().inNamespace(nnveAt.namespace())))
                .events(nSink)
                .build(io -> new NnveEngine(ncfg, Clock.system(), io, new NvaAuthority(nva, "nnve", Map.of(), false),
                        new NvaEffects(nva, "nnve", nSink, e -> { }), nSink, new SecureRandom()));
        AgentRunner<TnveEngine> t;
        try {
            TnveConfig tcfg = new TnveConfig("host", List.of(new TnveConfig.Uplink("nnve", 0,
                    MacAddress.NEAREST_CUSTOMER_BRIDGE, null, FilterFormat.GROUP_MAC_VID, null)), Map.of(), timers,
                    VdpCodec.DEFAULT_OUI, offered, ManagerId.ofText("host"));
            t = AgentRunner.builder("tnve")
                    .port(RawPort.open(tnveAt.iface(), RawSocket.Options.defaults().inNamespace(tnveAt.namespace())))
                    .events(tSink)
                    .build(io -> new TnveEngine(tcfg, Clock.system(), io, tSink, new SecureRandom()));
        } catch (IOException | RuntimeException e) {
            n.close();
            throw e;
        }
        n.start();
        t.start();
        OurPair p = new OurPair(n, t, nSink, tSink, timers);
        try {
            p.awaitExtensions(offered);
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e;
        }
        return p;
    }

    /**
     * Waits (bounded) until the tNVE has learnt the nNVE's extensions (the nNVE answers its hello), so a timed
     * run does not include the handshake. Without the session extension the nNVE does not answer a hello
     * (its capabilities come with the first response): nothing to wait for.
     */
    private void awaitExtensions(Set<CapabilityTlv.Feature> offered) throws IOException {
        if (!offered.contains(CapabilityTlv.Feature.SESSION)) {
            return;
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!call(tnve, () -> tnve.agent().uplinkHasExtensions("nnve"))) {
            if (System.nanoTime() > end) {
                throw new IOException("the tNVE did not hear the nNVE's capabilities within 10 s");
            }
            sleep(1);
        }
    }

    public Timers timers() {
        return timers;
    }

    /** Counters of the pair, both sides added up. */
    public record Counters(long framesSent, long retransmissions, long dropped, long engineErrors,
            long transmitErrors, long keepAliveTimeouts, long refused) {
        Counters minus(Counters o) {
            return new Counters(framesSent - o.framesSent, retransmissions - o.retransmissions, dropped - o.dropped,
                    engineErrors - o.engineErrors, transmitErrors - o.transmitErrors,
                    keepAliveTimeouts - o.keepAliveTimeouts, refused - o.refused);
        }
    }

    public Counters counters() {
        AgentRunner.Stats ns = nnve.stats();
        AgentRunner.Stats ts = tnve.stats();
        long retx = call(tnve, () -> tnve.agent().ecp("nnve").retransmissions()) + call(nnve, () -> {
            long r = 0;
            for (Peer p : nnve.agent().peers()) {
                r += p.ecp().retransmissions();
            }
            return r;
        });
        return new Counters(ns.framesOut() + ts.framesOut(), retx, ns.dropped() + ts.dropped(),
                ns.engineErrors() + ts.engineErrors(),
                nnveEvents.count("ecp.transmit_error") + tnveEvents.count("ecp.transmit_error"),
                nnveEvents.keepAliveTimeouts(),
                nnveEvents.count("request.refused") + tnveEvents.count("request.failed"));
    }

    /**
     * What {@link #createAndStart} did.
     *
     * @param nanos       from the first create to the last start answered
     * @param createNanos the create phase (every VM associated) alone
     * @param ok          VMs created and started without an error
     * @param activated   TSIs of this run activated at the nNVE, as the nNVE holds them
     * @param cpuNanos    CPU time of this JVM during the run (both engines, their receive threads, GC, compiler)
     */
    public record Run(int n, long nanos, long createNanos, int ok, long activated, Counters counters,
            String firstFailure, long cpuNanos) {
        public double vmsPerSecond() {
            return ok / (nanos / 1e9);
        }
    }

    /**
     * Creates (associates: Pre-Associate-RR) and starts (activates: Associate) {@code n} more VMs of the
     * {@link Workload}, one TSI each, asked for one VM after the other, and returns when every operation
     * has been answered (each wait bounded).
     */
    public Run createAndStart(int n) {
        int from = created;
        created += n;
        long before = activated();
        Counters c0 = counters();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        String failure = awaitAll(submit(from, n, i -> tnve.agent().create("vm" + i, List.of(Workload.tsi(i)))));
        long t1 = System.nanoTime();
        // a VM whose create failed (refused, or unanswered on a loaded machine) was rolled back: its start fails
        // as a result, not as an exception that would end the run
        List<CompletableFuture<OpResult>> starts = submit(from, n, i -> tnve.agent().vmNamed("vm" + i) == null
                ? CompletableFuture.completedFuture(OpResult.failed(-1, "vm" + i + " was not created"))
                : tnve.agent().start("vm" + i));
        String f2 = awaitAll(starts);
        long t2 = System.nanoTime();
        long cpu = processCpuNanos() - cpu0;
        int ok = (int) starts.stream().filter(f -> f.isDone() && !f.isCompletedExceptionally() && f.join().ok()).count();
        return new Run(n, t2 - t0, t1 - t0, ok, activated() - before, counters().minus(c0),
                failure != null ? failure : f2, cpu);
    }

    /**
     * Calls {@code op} for VMs {@code from .. from+n-1} on the tNVE's thread, {@value #CHUNK} VMs per task,
     * the next task queued once the one before has run: frames from the nNVE interleave with the
     * operations, as with an orchestrator calling the API for one VM after another.
     */
    private List<CompletableFuture<OpResult>> submit(int from, int n, IntFunction<CompletableFuture<OpResult>> op) {
        List<CompletableFuture<OpResult>> all = new ArrayList<>(n);
        for (int c = from; c < from + n; c += CHUNK) {
            int lo = c;
            int hi = Math.min(from + n, c + CHUNK);
            all.addAll(call(tnve, () -> {
                List<CompletableFuture<OpResult>> l = new ArrayList<>(hi - lo);
                for (int i = lo; i < hi; i++) {
                    l.add(op.apply(i));
                }
                return l;
            }));
        }
        return all;
    }

    /** Waits (bounded) for every operation; the first failure, or null. One wait, not one per operation. */
    private static String awaitAll(List<CompletableFuture<OpResult>> fs) {
        try {
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            // reported below, per operation
        }
        for (CompletableFuture<OpResult> f : fs) {
            if (!f.isDone()) {
                return "not answered within " + WAIT_SECONDS + " s";
            }
            if (f.isCompletedExceptionally()) {
                return f.exceptionNow().toString();
            }
            if (!f.join().ok()) {
                return f.join().code() + " " + f.join().detail();
            }
        }
        return null;
    }

    /** TSIs activated at the nNVE. */
    public long activated() {
        return call(nnve, () -> nnve.agent().tsisIn(TsiState.ACTIVATED));
    }

    /** TSIs created so far that the tNVE has confirmed activated at the nNVE. */
    public long activatedAtTnve() {
        return call(tnve, () -> {
            long k = 0;
            for (int i = 0; i < created; i++) {
                if (tnve.agent().tsiState("nnve", Workload.tsi(i).id()) == TnveEngine.TsiState.ACTIVATED) {
                    k++;
                }
            }
            return k;
        });
    }

    /** One look at the pair during {@link #hold}. */
    public record Sample(double seconds, long activated) {
    }

    /**
     * What {@link #hold} saw: the TSIs activated at the nNVE at each look, and what the pair spent keeping
     * them: frames sent by both sides, and CPU time of this JVM (both engines, their receive threads, GC
     * and compiler: an upper bound on what the keep-alives cost).
     */
    public record Hold(long nanos, List<Sample> samples, Counters counters, long cpuNanos) {
        public long minActivated() {
            return samples.stream().mapToLong(Sample::activated).min().orElse(0);
        }

        public double framesPerSecond() {
            return counters.framesSent() / (nanos / 1e9);
        }

        /** CPU seconds per second of wall time (1.0 = one core busy). */
        public double cpuShare() {
            return cpuNanos / (double) nanos;
        }
    }

    /** Leaves the pair alone for {@code duration}, looking at the nNVE's activated TSIs every {@code every}. */
    public Hold hold(Duration duration, Duration every) {
        Counters c0 = counters();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        long end = t0 + duration.toNanos();
        List<Sample> samples = new ArrayList<>();
        while (true) {
            long now = System.nanoTime();
            samples.add(new Sample((now - t0) / 1e9, activated()));
            if (now >= end) {
                break;
            }
            sleep(Math.min(every.toMillis(), Math.max(1, (end - now) / 1_000_000)));
        }
        long t1 = System.nanoTime();
        return new Hold(t1 - t0, samples, counters().minus(c0), processCpuNanos() - cpu0);
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Events of both engines counted by name, and their first warnings. */
    public String eventReport() {
        StringBuilder b = new StringBuilder("nnve events " + nnveEvents.counts() + "\ntnve events " + tnveEvents.counts());
        for (String w : nnveEvents.warnings()) {
            b.append("\n  ").append(w);
        }
        for (String w : tnveEvents.warnings()) {
            b.append("\n  ").append(w);
        }
        return b.toString();
    }

    private static <T> T call(AgentRunner<?> r, Callable<T> task) {
        try {
            return r.call(task).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("engine " + r.name() + ": " + e, e);
        }
    }

    @Override
    public void close() {
        try {
            tnve.close();
        } finally {
            nnve.close();
        }
    }
}
