package org.splitnve.nva;

import org.splitnve.protocol.event.EventSink;

/**
 * Told of every change of the NVA, synchronously, on the caller's thread, in order, after the change is made.
 * A listener must be quick, must not throw and must not change the NVA from inside the call.
 */
@FunctionalInterface
public interface NvaListener {
    void changed(NvaChange change);

    /** Forwards every change to an event sink (logging, SEC-3). */
    static NvaListener of(EventSink sink) {
        return sink::accept;
    }
}
