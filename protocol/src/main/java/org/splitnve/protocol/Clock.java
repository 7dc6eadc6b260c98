package org.splitnve.protocol;

/**
 * Where engines get the time: nanoseconds on a monotonic scale. Engines never sleep and never
 * read the system clock; the daemons pass {@link #system()}, the simulation a {@link ManualClock}.
 */
@FunctionalInterface
public interface Clock {
    long nanos();

    static Clock system() {
        return System::nanoTime;
    }
}
