package org.splitnve.transport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;

/**
 * A capture point on an interface inside a namespace: a raw socket (ECP and LLDP, the nearest
 * customer bridge group and any other {@code groups} joined) read by a platform thread, each frame
 * stamped with its arrival time. A socket bound to EtherTypes never sees its host's own outgoing frames, so a tap in one namespace
 * records exactly what arrives there from the other side of the veth: the peer's frames as the
 * receiver sees them on the wire. Public in transport's test-jar (interop and app tests use it).
 */
public final class WireTap implements AutoCloseable {
    public record Captured(long nanos, byte[] bytes, Frame frame) {
        public Frame.Vdp vdp() {
            return frame instanceof Frame.Vdp v ? v : null;
        }
    }

    private final RawSocket socket;
    private final List<Captured> frames = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stop;

    public WireTap(String namespace, String ifname, MacAddress... groups) throws IOException {
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
                synchronized (frames) {
                    frames.add(new Captured(at, b, f));
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
