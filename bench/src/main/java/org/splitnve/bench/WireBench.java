package org.splitnve.bench;

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
import org.splitnve.bench.WireFixtures.Shape;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;

/**
 * Decode and encode of whole ECP/VDP Ethernet frames, one thread.
 *
 * <p>One JMH operation is one VSI TLV ({@code @OperationsPerInvocation} is the frame's VSI count),
 * so the score is VSI TLVs per second and {@code gc.alloc.rate.norm} (with {@code -prof gc}) is
 * bytes per VSI TLV; multiply by the count for per-frame figures ({@link WireBenchMain} prints them).
 *
 * <ul>
 *   <li>{@code decode*}: {@code FrameCodec.DEFAULT.decode(byte[])}, Ethernet header to the last
 *       filter entry, every check on, returning the immutable {@link Frame}.
 *   <li>{@code encode*}: {@code FrameCodec.DEFAULT.encode(Frame, byte[], int)} of the decoded frame
 *       into one reused array: the no-allocation send path.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class WireBench {
    private final FrameCodec codec = FrameCodec.DEFAULT;

    private byte[] batchedBytes;
    private byte[] lldpadBytes;
    private byte[] extensionsBytes;
    private Frame batched;
    private Frame lldpad;
    private Frame extensions;
    private final byte[] out = new byte[2048];

    @Setup(Level.Trial)
    public void setup() throws DecodeException {
        batchedBytes = WireFixtures.checkedBytes(Shape.BATCHED);
        lldpadBytes = WireFixtures.checkedBytes(Shape.LLDPAD);
        extensionsBytes = WireFixtures.checkedBytes(Shape.EXTENSIONS);
        // Encode what the decoder produced, as a relay or a responder would.
        batched = codec.decode(batchedBytes);
        lldpad = codec.decode(lldpadBytes);
        extensions = codec.decode(extensionsBytes);
    }

    @Benchmark
    @OperationsPerInvocation(WireFixtures.BATCHED_VSIS)
    public Frame decodeBatched() throws DecodeException {
        return codec.decode(batchedBytes);
    }

    @Benchmark
    @OperationsPerInvocation(WireFixtures.LLDPAD_VSIS)
    public Frame decodeLldpad() throws DecodeException {
        return codec.decode(lldpadBytes);
    }

    @Benchmark
    @OperationsPerInvocation(WireFixtures.EXTENSION_VSIS)
    public Frame decodeExtensions() throws DecodeException {
        return codec.decode(extensionsBytes);
    }

    @Benchmark
    @OperationsPerInvocation(WireFixtures.BATCHED_VSIS)
    public int encodeBatched() {
        return codec.encode(batched, out, 0);
    }

    @Benchmark
    @OperationsPerInvocation(WireFixtures.LLDPAD_VSIS)
    public int encodeLldpad() {
        return codec.encode(lldpad, out, 0);
    }

    @Benchmark
    @OperationsPerInvocation(WireFixtures.EXTENSION_VSIS)
    public int encodeExtensions() {
        return codec.encode(extensions, out, 0);
    }
}
