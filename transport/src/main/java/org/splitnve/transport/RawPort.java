package org.splitnve.transport;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import org.splitnve.wire.MacAddress;

/**
 * A {@link Port} on a {@link RawSocket}: a platform thread of its own blocks in
 * {@link RawSocket#receive(long)} (a blocking downcall would pin a virtual thread's carrier) and hands
 * each frame to the receiver; sends go straight to the socket on the caller's thread.
 */
public final class RawPort implements Port {
    /** How long one receive call waits before the loop looks at its stop flag again (close also wakes it). */
    static final long RECEIVE_TIMEOUT_MILLIS = 500;
    /** Pause after a failed receive, so a persistent error does not spin. */
    static final long ERROR_BACKOFF_MILLIS = 100;

    private final RawSocket socket;
    private final String name;
    private volatile boolean stopping;
    private Thread thread;

    public RawPort(RawSocket socket) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.name = socket.namespace() == null ? socket.interfaceName() : socket.namespace() + "/" + socket.interfaceName();
    }

    /** Opens a {@link RawSocket} on {@code interfaceName} and wraps it. */
    public static RawPort open(String interfaceName, RawSocket.Options options) throws IOException {
        return new RawPort(RawSocket.open(interfaceName, options));
    }

    public RawSocket socket() {
        return socket;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public MacAddress mac() {
        return socket.mac();
    }

    @Override
    public void send(byte[] frame, int length) throws IOException {
        socket.send(frame, 0, length);
    }

    @Override
    public synchronized void start(Receiver receiver) {
        Objects.requireNonNull(receiver, "receiver");
        if (thread != null) {
            throw new IllegalStateException("port " + name + " already started");
        }
        thread = Thread.ofPlatform().name("rx " + name).daemon(true).start(() -> loop(receiver));
    }

    private void loop(Receiver receiver) {
        while (!stopping) {
            try {
                byte[] frame = socket.receive(RECEIVE_TIMEOUT_MILLIS);
                if (frame != null) {
                    receiver.frame(frame);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (stopping) {
                    return;
                }
                receiver.error(e.getMessage());
                try {
                    Thread.sleep(ERROR_BACKOFF_MILLIS);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        stopping = true;
        socket.close();
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null && t.threadId() != Thread.currentThread().threadId()) { // not from its own receive thread
            boolean interrupted = false;
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "RawPort[" + name + ", " + socket.mac() + "]";
    }
}
