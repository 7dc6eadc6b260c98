package org.splitnve.protocol.ecp;

/** Puts one encoded Ethernet frame on the link. The array is not touched after the call returns... */
@FunctionalInterface
public interface FrameSender {
    /** ...unless the sender keeps it: engines never reuse an array they handed over. */
    void send(byte[] frame, int length);
}
