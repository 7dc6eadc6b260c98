package org.splitnve.transport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;

/**
 * A capture point on an interface inside a namespace: a raw socket (ECP and LLDP, the nearest
 * customer bridge group and any other {@code groups} joined) read by a platform thread, each frame
 * stamped with its arrival time. A socket bound to EtherTypes never sees its host's own outgoing frames, so a tap in one namespace
 * records exactly what arrives there from the other side of the veth: the peer's frames as the
 * receiver sees them on the wire. It keeps every frame ({@link #frames()}), or hands each to a listener
 * (on the tap's thread) and keeps none, for long runs. Used by the interop and app tests and by the
 * side-by-side benchmark (interop's compare package, bench/run-vs-lldpad.sh).
 */
public final class WireTap implements AutoCloseable {
    /**
     * One frame as it arrived: when ({@link System#nanoTime()}), its octets, decoded (null if it does not
     * decode). A class rather than a record: a record would promise an equality its array does not have, and
     * the tap hands the array it received on as it is, with no copy per frame. Two captures are two arrivals
     * (identity equality), whatever their octets.
     */
    public static final class Captured {
        private final long nanos;
        private final byte[] bytes;
        private final Frame frame;

        public Captured(long nanos, byte[] bytes, Frame frame) {
            this.nanos = nanos;
            this.bytes = bytes;
            this.frame = frame;
        }

        public long nanos() {
            return nanos;
        }

        /** The octets as received: the capture's own array, not a copy; read it, do not change it. */
        public byte[] bytes() {
            return bytes;
        }

        public Frame frame() {
            return frame;
        }

        public Frame.Vdp vdp() {
            return frame instanceof Frame.Vdp v ? v : null;
        }

        @Override
        public String toString() {
            return "Captured[nanos=" + nanos + ", " + bytes.length + " octets, " + frame + "]";
        }
    }

    private final RawSocket socket;
    private final List<Captured> frames = new ArrayList<>();
    private final Consumer<Captured> listener;
    private final Thread thread;
    private volatile boolean stop;

    /** A tap that keeps every frame. */
    public WireTap(String namespace, String ifname, MacAddress... groups) throws IOException {
        this(namespace, ifname, null, groups);
    }

    /** A tap that hands every frame to {@code listener} (on the tap's thread) and keeps none; null: keeps them. */
    public WireTap(String namespace, String ifname, Consumer<Captured> listener, MacAddress... groups)
            throws IOException {
        this.listener = listener;
        socket = RawSocket.open(ifname, RawSocket.Options.defaults().inNamespace(namespace).joining(groups));
        thread = Thread.ofPlatform().daemon(true).name("tap " + namespace + "/" + ifname).start(this::loop);
    }

    private void loop() {
        while (!stop) {
            try {
                byte[] b = socket.receive(200);
                if (b == null) {
                    continue;
                }
                long at = System.nanoTime();
                Frame f;
                try {
                    f = FrameCodec.DEFAULT.decode(b);
                } catch (DecodeException e) {
                    f = null;
                }
                Captured c = new Captured(at, b, f);
                if (listener != null) {
                    listener.accept(c);
                } else {
                    synchronized (frames) {
                        frames.add(c);
                    }
                }
            } catch (IOException e) {
                if (stop) {
                    return;
                }
            }
        }
    }

    public List<Captured> frames() {
        synchronized (frames) {
            return List.copyOf(frames);
        }
    }

    /** The VDP frames captured, in arrival order. */
    public List<Captured> vdp() {
        return frames().stream().filter(c -> c.vdp() != null).toList();
    }

    public RawSocket socket() {
        return socket;
    }

    public MacAddress mac() {
        return socket.mac();
    }

    @Override
    public void close() {
        stop = true;
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
