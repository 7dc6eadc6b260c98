package org.splitnve.transport;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.splitnve.transport.Libc.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Waits, on one thread, until one of several raw sockets has a frame or another thread calls
 * {@link #wake()}: poll(2) over the sockets and an eventfd. It lets an {@link AgentRunner}'s engine
 * thread read its sockets itself, with no receive thread and no hand-over between the two.
 * {@link #await} is for one thread; {@link #wake} for any; {@link #close} once nothing waits.
 */
final class Poller implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment fds;
    private final MemorySegment state;
    private final MemorySegment wakeState;
    private final MemorySegment one;
    private final MemorySegment drain;
    private final int count;
    private final int[] socketFds;
    private final int wakeFd;
    private boolean closed;

    Poller(List<RawSocket> sockets) throws IOException {
        count = sockets.size() + 1;
        fds = arena.allocate(count * POLLFD_SIZE, 8);
        state = newState(arena);
        wakeState = newState(arena);
        one = arena.allocateFrom(JAVA_LONG, 1L);
        drain = arena.allocate(JAVA_LONG);
        int w;
        try {
            w = (int) EVENTFD.invokeExact(state, 0, EFD_CLOEXEC | EFD_NONBLOCK);
        } catch (Throwable t) {
            arena.close();
            throw unexpected("eventfd", t);
        }
        if (w < 0) {
            int e = errno(state);
            arena.close();
            throw failure("eventfd for a poller", e);
        }
        wakeFd = w;
        socketFds = sockets.stream().mapToInt(RawSocket::fd).toArray();
        for (int i = 0; i < sockets.size(); i++) {
            fds.set(JAVA_INT, i * POLLFD_SIZE, sockets.get(i).fd());
            fds.set(JAVA_SHORT, i * POLLFD_SIZE + 4, POLLIN);
        }
        fds.set(JAVA_INT, (count - 1) * POLLFD_SIZE, wakeFd);
        fds.set(JAVA_SHORT, (count - 1) * POLLFD_SIZE + 4, POLLIN);
    }

    /** Whether {@link #await} watches socket {@code i} (a socket that keeps failing is left out for a while). */
    void watch(int i, boolean on) {
        fds.set(JAVA_INT, i * POLLFD_SIZE, on ? socketFds[i] : -1);
    }

    /**
     * Returns when a socket has something to read, {@link #wake} was called (since the last return), or
     * {@code timeoutNanos} passed (negative: no limit). Clears the wake-up.
     */
    void await(long timeoutNanos) throws IOException {
        int ms = timeoutNanos < 0 ? -1
                : (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(timeoutNanos + 999_999));
        try {
            for (int i = 0; i < count; i++) {
                fds.set(JAVA_SHORT, i * POLLFD_SIZE + 6, (short) 0);
            }
            int r = (int) POLL.invokeExact(state, fds, (long) count, ms);
            if (r < 0 && errno(state) != EINTR) {
                throw failure("poll", errno(state));
            }
            if (r > 0 && fds.get(JAVA_SHORT, (count - 1) * POLLFD_SIZE + 6) != 0) {
                long _ = (long) READ.invokeExact(state, wakeFd, drain, 8L);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("poll", t);
        }
    }

    /** Makes {@link #await} return now, or at once when it is next called. Any thread. */
    synchronized void wake() {
        if (closed) {
            return;
        }
        try {
            long _ = (long) WRITE.invokeExact(wakeState, wakeFd, one, 8L);
        } catch (Throwable ignored) {
            // the counter is full (2^64 - 2 wake-ups pending): the poller wakes anyway
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(wakeFd);
        arena.close();
    }
}
