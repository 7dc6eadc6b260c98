package org.splitnve.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.splitnve.bench.NnveDriver.Phase;
import org.splitnve.nnve.TsiState;

/**
 * The nNVE engine alone: TSI transitions per second on one core (issue 3 target: 1,000,000).
 *
 * <p>One operation is one TSI transition requested by one VSI TLV, carried 30 to an ECPDU from one
 * splitnve station, through the whole engine: frame decode, ECP (acknowledgement, duplicate check),
 * VDP bridge logic, TSI state machine, VAP and tag bookkeeping, NVA/ACL/tag effects, the response
 * encoded and sent, its acknowledgement processed. 10,080 TSIs in 64 VNs cycle through
 * Init -> Activated -> Associated (deactivate) -> Activated -> Init.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class NnveBench {
    static final int TSIS = 10_080;

    private NnveDriver driver;
    private byte[][] cycle;
    private int next;

    @Setup(Level.Trial)
    public void setup() {
        driver = new NnveDriver(TSIS);
        List<byte[]> frames = new ArrayList<>();
        for (Phase p : List.of(Phase.ACTIVATE_FROM_INIT, Phase.DEACTIVATE, Phase.ACTIVATE, Phase.DEASSOCIATE)) {
            frames.addAll(NnveDriver.frames(0, TSIS, p));
        }
        cycle = frames.toArray(new byte[0][]);
        // one full cycle as a self-check: every TSI goes round and comes back to Init
        for (byte[] f : cycle) {
            driver.feed(f);
        }
        if (driver.engine().tsis().size() != 0 || driver.effects == 0) {
            throw new IllegalStateException("the cycle did not run: " + driver.engine().tsis().size() + " TSIs left");
        }
    }

    @Benchmark
    @OperationsPerInvocation(NnveDriver.PER_FRAME)
    public long transitions() {
        driver.feed(cycle[next]);
        next = next + 1 == cycle.length ? 0 : next + 1;
        return driver.engine().tsisIn(TsiState.ACTIVATED);
    }
}
