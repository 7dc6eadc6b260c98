package org.splitnve.transport;

import java.io.IOException;
import org.splitnve.wire.MacAddress;

/**
 * One Ethernet port of an {@link AgentRunner}: a raw socket on an interface ({@link RawPort}) or one
 * end of an in-memory link ({@link MemoryLinks.End}).
 */
public interface Port extends AutoCloseable {
    /** For logs and events, e.g. {@code eth0} or {@code ns1/eth0}. */
    String name();

    MacAddress mac();

    /** Sends {@code frame[0, length)}; may be called from any thread. */
    void send(byte[] frame, int length) throws IOException;

    /**
     * Starts handing received frames to {@code receiver}: from the port's own receive thread
     * ({@link RawPort}) or from the sender's thread ({@link MemoryLinks}), so a receiver only queues
     * the frame. At most once per port.
     */
    void start(Receiver receiver);

    /** Stops receiving (the receive thread has ended when this returns) and frees the port. */
    @Override
    void close();

    /** Where a port delivers; called from the port's receive thread. */
    interface Receiver {
        /** A frame arrived: the array is the receiver's from now on. */
        void frame(byte[] frame);

        /** Receiving failed; the port goes on trying. */
        default void error(String message) {}
    }
}
