package org.splitnve.transport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;

/**
 * A trivial engine: answers every frame on the port it came in, to its sender, from the port's MAC,
 * with the rest of the frame unchanged. Remembers the frames and the threads that called it.
 */
final class EchoAgent implements PortAgent {
    final PortIo io;
    final List<byte[]> frames = new CopyOnWriteArrayList<>();
    final List<Thread> threads = new CopyOnWriteArrayList<>();

    EchoAgent(PortIo io) {
        this.io = io;
    }

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        threads.add(Thread.currentThread());
        byte[] f = java.util.Arrays.copyOfRange(buf, off, off + len);
        frames.add(f.clone());
        System.arraycopy(f, 6, f, 0, 6);
        System.arraycopy(io.mac(port).toBytes(), 0, f, 6, 6);
        io.send(port, f, f.length);
    }

    @Override
    public void onTimer() {}

    @Override
    public long nextDeadline() {
        return Long.MAX_VALUE;
    }
}
