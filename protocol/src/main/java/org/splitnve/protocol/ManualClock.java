package org.splitnve.protocol;

/** A clock that moves only when told: virtual time for tests and the simulation. */
public final class ManualClock implements Clock {
    private long now;

    public ManualClock(long start) {
        this.now = start;
    }

    public ManualClock() {
        this(0);
    }

    @Override
    public long nanos() {
        return now;
    }

    public void set(long nanos) {
        if (nanos < now) {
            throw new IllegalArgumentException("time does not go back: " + nanos + " < " + now);
        }
        now = nanos;
    }

    public void advance(long nanos) {
        set(now + nanos);
    }
}
