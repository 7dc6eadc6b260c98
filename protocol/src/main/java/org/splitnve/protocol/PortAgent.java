package org.splitnve.protocol;

/**
 * An engine with Ethernet ports: the nNVE and tNVE engines. Whoever drives it (the raw-Ethernet
 * transport, the in-memory links, the deterministic simulation) hands it frames and runs its timers;
 * the engine sends through the {@link PortIo} it was built with. All calls come from one thread.
 */
public interface PortAgent {
    /** A frame arrived on {@code port}: octets {@code buf[off, off+len)}, valid only during the call. */
    void onFrame(int port, byte[] buf, int off, int len);

    /** Runs every timer due at the engine's clock time. */
    void onTimer();

    /** Clock time of the next timer, or {@link Long#MAX_VALUE} when none is set. */
    long nextDeadline();

    /**
     * REL-3: whether this engine holds state for the station {@code station} on {@code port} (TSIs, VN
     * connections, a session; for a tNVE, its nNVE): the transport serves such a station's frames before
     * any number of frames from sources it does not know. None by default.
     */
    default boolean established(int port, org.splitnve.wire.MacAddress station) {
        return false;
    }
}
