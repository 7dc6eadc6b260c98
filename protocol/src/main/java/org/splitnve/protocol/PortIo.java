package org.splitnve.protocol;

import org.splitnve.wire.MacAddress;

/** The ports of an engine: their MAC addresses, and how a frame leaves through one. */
public interface PortIo {
    int ports();

    MacAddress mac(int port);

    /** Sends {@code frame[0, length)} out of {@code port}. The engine never reuses the array. */
    void send(int port, byte[] frame, int length);
}
