package org.splitnve.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.splitnve.transport.RawSocket;
import org.splitnve.wire.pcap.PcapWriter;

/**
 * {@code splitnve capture IFACE --out FILE.pcap}: records the ECP (0x8940) and LLDP (0x88CC) frames
 * on an interface, both directions, tagged or not (the tag the kernel strips is put back), into a
 * classic pcap file that {@code splitnve decode}, tshark and tcpdump read. Stops on Ctrl-C or SIGTERM,
 * after {@code --count} frames or {@code --duration} seconds, and always leaves a complete file
 * (every frame is flushed as it is written; the stop closes it). Needs root or CAP_NET_RAW.
 */
public final class CaptureCommand {
    private static final long POLL_MILLIS = 200;

    /** What one capture recorded. */
    public record Result(long frames, Map<Integer, Long> byEtherType) {}

    private final RawSocket socket;
    private final PcapWriter pcap;
    private final long maxFrames;
    private final long deadlineNanos;
    private final Map<Integer, Long> byType = new TreeMap<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopping;
    private long frames;

    private CaptureCommand(RawSocket socket, PcapWriter pcap, long maxFrames, long durationNanos) {
        this.socket = socket;
        this.pcap = pcap;
        this.maxFrames = maxFrames;
        this.deadlineNanos = durationNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + durationNanos;
    }

    /** Records until Ctrl-C, {@code maxFrames} or {@code seconds}: the exit status (1: cannot capture or write). */
    public static int capture(String iface, String ns, Path out, long maxFrames, long seconds, Io io) {
        long count = maxFrames;
        String where = ns == null ? iface : ns + "/" + iface;
        RawSocket.Options options = RawSocket.Options.defaults().withPromiscuous(true).withOutgoing(true);
        RawSocket socket;
        try {
            socket = RawSocket.open(iface, ns == null ? options : options.inNamespace(ns));
        } catch (IOException | RuntimeException e) {
            io.err().println("splitnve: cannot capture on " + where + ": " + e.getMessage());
            return 1;
        }
        PcapWriter pcap;
        try {
            pcap = new PcapWriter(new BufferedOutputStream(Files.newOutputStream(out)));
            pcap.flush();
        } catch (IOException e) {
            socket.close();
            io.err().println("splitnve: cannot write " + out + ": " + e.getMessage());
            return 1;
        }
        CaptureCommand c = new CaptureCommand(socket, pcap, count,
                seconds == Long.MAX_VALUE ? Long.MAX_VALUE : TimeUnit.SECONDS.toNanos(seconds));
        Thread hook = new Thread(c::interrupt, "splitnve capture stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            io.err().println("capturing ECP and LLDP on " + where + " into " + out + " (Ctrl-C to stop)");
            IOException failure = c.loop();
            io.out().println(summary(c.result(), where, out));
            io.out().flush();
            if (failure != null) {
                io.err().println("splitnve: capture on " + where + " stopped: " + failure.getMessage());
                return 1;
            }
            return 0;
        } finally {
            c.finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook is running, and returns now that the file is closed
            }
        }
    }

    /** "12 frames on ns/eth0 into x.pcap: ECP (0x8940) 10, LLDP (0x88cc) 2". */
    static String summary(Result r, String where, Path out) {
        StringBuilder sb = new StringBuilder().append(r.frames()).append(r.frames() == 1 ? " frame" : " frames")
                .append(" on ").append(where).append(" into ").append(out);
        String sep = ": ";
        for (int type : List.of(RawSocket.ETHERTYPE_ECP, RawSocket.ETHERTYPE_LLDP)) {
            sb.append(sep).append(type == RawSocket.ETHERTYPE_ECP ? "ECP" : "LLDP").append(" (0x")
                    .append(Integer.toHexString(type)).append(") ").append(r.byEtherType().getOrDefault(type, 0L));
            sep = ", ";
        }
        return sb.toString();
    }

    /** Receives and writes until stopped, the count is reached or the time is up; closes the file. A write or receive error, or null. */
    private IOException loop() {
        byte[] buf = new byte[RawSocket.MAX_FRAME];
        IOException failure = null;
        try {
            while (!stopping && frames < maxFrames) {
                long wait = POLL_MILLIS;
                if (deadlineNanos != Long.MAX_VALUE) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    wait = Math.max(1, Math.min(wait, TimeUnit.NANOSECONDS.toMillis(left)));
                }
                int n;
                try {
                    n = socket.receive(buf, wait);
                } catch (ClosedChannelException e) {
                    break;
                }
                if (n == 0) {
                    continue;
                }
                Instant now = Instant.now();
                synchronized (this) {
                    pcap.write(now.getEpochSecond() * 1_000_000_000L + now.getNano(), buf, 0, n);
                    pcap.flush();
                    frames++;
                    byType.merge(etherType(buf, n), 1L, Long::sum);
                }
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            socket.close();
            try {
                pcap.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
            }
        }
        return failure;
    }

    /** The EtherType after up to two VLAN tags. */
    static int etherType(byte[] f, int len) {
        int at = 12;
        int type = len >= 14 ? (f[12] & 0xFF) << 8 | (f[13] & 0xFF) : 0;
        for (int tags = 0; (type == 0x8100 || type == 0x88A8) && tags < 2 && at + 6 <= len; tags++) {
            at += 4;
            type = (f[at] & 0xFF) << 8 | (f[at + 1] & 0xFF);
        }
        return type;
    }

    /** From the shutdown hook (Ctrl-C, SIGTERM): stops the loop and waits until the file is closed and the counts printed. */
    private void interrupt() {
        stopping = true;
        socket.close();
        try {
            finished.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized Result result() {
        return new Result(frames, Map.copyOf(byType));
    }
}
