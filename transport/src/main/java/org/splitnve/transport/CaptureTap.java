package org.splitnve.transport;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.splitnve.wire.pcap.PcapWriter;

/**
 * Writes every frame a runner sends or receives, on any of its ports, to a pcap file
 * ({@link PcapWriter}), which tcpdump, tshark and {@code splitnve decode} read. Several runners may
 * share one tap (frames are written whole, one at a time). Timestamps are wall-clock time at send,
 * and at arrival on the port for received frames. The first write error stops the capture (it is
 * reported by {@link #error()}), never the runner.
 */
public final class CaptureTap implements AutoCloseable {
    /** Which way a frame went, seen from the runner. */
    public enum Direction { SENT, RECEIVED }

    /** Chooses the frames to write: all of them by default. */
    @FunctionalInterface
    public interface Filter {
        boolean test(String runner, int port, Direction direction, byte[] frame, int length);
    }

    private final PcapWriter writer;
    private final Filter filter;
    /** Wall-clock nanoseconds at {@link #baseNanos} on the monotonic clock. */
    private final long baseEpochNanos;
    private final long baseNanos;
    private long frames;
    private IOException error;
    private boolean closed;

    public CaptureTap(OutputStream out, Filter filter) throws IOException {
        this.writer = new PcapWriter(out);
        this.filter = Objects.requireNonNull(filter, "filter");
        java.time.Instant now = java.time.Instant.now();
        this.baseNanos = System.nanoTime();
        this.baseEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    public CaptureTap(OutputStream out) throws IOException {
        this(out, (runner, port, direction, frame, length) -> true);
    }

    /** A tap writing to a new file (replacing an old one). */
    public static CaptureTap toFile(Path file) throws IOException {
        return new CaptureTap(new BufferedOutputStream(Files.newOutputStream(file)));
    }

    /**
     * Records one frame; {@code nanoTime} is {@link System#nanoTime()} when it was sent or arrived.
     * Called by {@link AgentRunner}.
     */
    public void frame(String runner, int port, Direction direction, long nanoTime, byte[] frame, int length) {
        if (!filter.test(runner, port, direction, frame, length)) {
            return;
        }
        synchronized (this) {
            if (closed || error != null) {
                return;
            }
            try {
                writer.write(baseEpochNanos + (nanoTime - baseNanos), frame, 0, length);
                frames++;
            } catch (IOException e) {
                error = e;
            }
        }
    }

    /** Frames written so far. */
    public synchronized long frames() {
        return frames;
    }

    /** The write error that stopped the capture, or null. */
    public synchronized IOException error() {
        return error;
    }

    public synchronized void flush() {
        if (closed || error != null) {
            return;
        }
        try {
            writer.flush();
        } catch (IOException e) {
            error = e;
        }
    }

    /** Closes the output; a failure is kept in {@link #error()}, not thrown. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            writer.close();
        } catch (IOException e) {
            if (error == null) {
                error = e;
            }
        }
    }
}
