package org.splitnve.transport;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.splitnve.protocol.event.Event;
import org.splitnve.wire.MacAddress;

/**
 * REL-3 before the kernel's queue: a second raw socket per port for the stations the engine holds state for. The
 * per-source queues ({@link SourceQueues}) serve established stations ahead of a flood once their frames are read,
 * but a frame must first find room in the socket's receive buffer, which the kernel fills in arrival order: when
 * a flood outruns the engine thread (a machine short of CPU, a pause), the kernel drops frames of every station
 * alike, and an established station's keep-alive or request is lost with the flood. Here each port has a priority
 * socket whose kernel filter lets through only the established stations' source MACs, and the port's main socket
 * is filtered to let through everything else: a flood from other sources fills the main socket's buffer, never
 * the priority one, and the engine thread reads the priority socket first.
 *
 * <p>The set follows the engine: a station whose frame the queues classified as established is added at the next
 * refresh ({@link #REFRESH_NANOS}); one the engine no longer holds state for is removed (checked every
 * {@link #PRUNE_NANOS}). A change never loses a frame: the priority socket takes the new stations before the main
 * socket lets them go, and the main socket takes removed stations back before the priority socket lets them go (a
 * frame may be read twice meanwhile: ECP acknowledges a repeated sequence number again and delivers it once).
 * At most {@link RawSocket#MAX_FILTERED_SOURCES} stations per port; more share the main socket with the rest. A
 * port whose filter cannot be set goes on with its main socket alone, unfiltered. Engine thread only.
 */
final class PrioritySockets implements AutoCloseable {
    static final long REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long PRUNE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Asks the engine whether it holds state for a station on a port. */
    interface Established {
        boolean test(int port, MacAddress station);
    }

    private final List<String> portNames;
    private final RawSocket[] main;
    /** Per port: the priority socket. */
    private final RawSocket[] priority;
    /** Per port: the stations both filters name now. */
    private final List<Set<MacAddress>> installed = new ArrayList<>();
    /** Per port: established stations seen on the main socket since the last refresh. */
    private final List<Set<MacAddress>> seen = new ArrayList<>();
    /** Per port: its filters could not be set; it goes on with its main socket alone. */
    private final boolean[] gaveUp;
    private final Consumer<Event> events;
    private long nextRefresh;
    private long nextPrune;

    private PrioritySockets(List<String> portNames, RawSocket[] main, RawSocket[] priority, Consumer<Event> events) {
        this.portNames = portNames;
        this.main = main;
        this.priority = priority;
        this.events = events;
        this.gaveUp = new boolean[main.length];
        for (int i = 0; i < main.length; i++) {
            installed.add(new LinkedHashSet<>());
            seen.add(new LinkedHashSet<>());
        }
    }

    /**
     * A priority socket for each of {@code main}, on the same interface with the same options, letting nothing
     * through yet. Null (and an event) if one cannot be opened or filtered: the runner reads the main sockets
     * alone, as before.
     */
    static PrioritySockets open(List<String> portNames, RawSocket[] main, Consumer<Event> events) {
        RawSocket[] priority = new RawSocket[main.length];
        try {
            for (int i = 0; i < main.length; i++) {
                priority[i] = RawSocket.open(main[i].interfaceName(), main[i].options());
                priority[i].filterSources(Set.of(), true);
            }
            return new PrioritySockets(portNames, main, priority, events);
        } catch (IOException | RuntimeException e) {
            for (RawSocket s : priority) {
                if (s != null) {
                    s.close();
                }
            }
            events.accept(new TransportEvent.PriorityFailed("*", String.valueOf(e.getMessage())));
            return null;
        }
    }

    /** The priority socket of port {@code i}. */
    RawSocket socket(int i) {
        return priority[i];
    }

    /** Every port's priority socket, in port order (for the poller; none is null when this was opened). */
    List<RawSocket> sockets() {
        return List.of(priority);
    }

    /** A frame of {@code station}, read from port {@code port}'s main socket, was classified as established. */
    void established(int port, byte[] frame) {
        if (gaveUp[port] || frame.length < 12) {
            return;
        }
        MacAddress station = MacAddress.of(java.util.Arrays.copyOfRange(frame, 6, 12));
        Set<MacAddress> s = seen.get(port);
        if (!installed.get(port).contains(station) && installed.get(port).size() + s.size() < RawSocket.MAX_FILTERED_SOURCES) {
            s.add(station);
        }
    }

    /**
     * Nanoseconds from {@code now} (System.nanoTime) until {@link #refresh} would install established stations seen
     * and not installed yet (0: due now); -1 when none waits. The engine's loop wakes for it: with no frame and no
     * timer due, it would otherwise wait in its poller with a station's filter pending (a race issue 14's stress run
     * hit: a station's first frame read within 100 ms of the last refresh, and nothing after it).
     */
    long nanosUntilPending(long now) {
        for (int i = 0; i < main.length; i++) {
            if (!gaveUp[i] && !seen.get(i).isEmpty()) {
                return Math.max(0, nextRefresh - now);
            }
        }
        return -1;
    }

    /** Applies what changed, at most every {@link #REFRESH_NANOS}; {@code now} from System.nanoTime. */
    void refresh(long now, Established engine) {
        if (now - nextRefresh < 0) {
            return;
        }
        nextRefresh = now + REFRESH_NANOS;
        boolean prune = now - nextPrune >= 0;
        if (prune) {
            nextPrune = now + PRUNE_NANOS;
        }
        for (int i = 0; i < main.length; i++) {
            if (gaveUp[i] || (!prune && seen.get(i).isEmpty())) {
                continue;
            }
            Set<MacAddress> old = installed.get(i);
            Set<MacAddress> next = new LinkedHashSet<>();
            for (MacAddress m : old) {
                if (!prune || engine.test(i, m)) {
                    next.add(m);
                }
            }
            next.addAll(seen.get(i));
            seen.get(i).clear();
            if (!next.equals(old)) {
                apply(i, old, next);
            }
        }
    }

    /** Moves port {@code i} from {@code old} to {@code next} so that no frame of either set finds no socket. */
    private void apply(int i, Set<MacAddress> old, Set<MacAddress> next) {
        try {
            Set<MacAddress> both = new LinkedHashSet<>(old);
            both.addAll(next);
            if (both.size() > old.size()) {
                priority[i].filterSources(both, true); // the new ones, before the main socket lets them go
            }
            main[i].filterSources(next, false); // lets the removed ones through again, keeps the new ones out
            if (both.size() > next.size()) {
                priority[i].filterSources(next, true);
            }
            installed.set(i, next);
            events.accept(new TransportEvent.PrioritySources(portNames.get(i), next.size()));
        } catch (IOException | RuntimeException e) {
            giveUp(i, e);
        }
    }

    /** Port {@code i} goes on with its main socket alone, unfiltered. */
    private void giveUp(int i, Exception cause) {
        gaveUp[i] = true;
        events.accept(new TransportEvent.PriorityFailed(portNames.get(i), String.valueOf(cause.getMessage())));
        try {
            main[i].filterSources(Set.of(), false);
        } catch (IOException | RuntimeException e) {
            events.accept(new TransportEvent.PriorityFailed(portNames.get(i), "unfiltering: " + e.getMessage()));
        }
        installed.get(i).clear();
        seen.get(i).clear();
        // its descriptor stays open until close(): the poller still watches it, and it lets nothing through
        try {
            priority[i].filterSources(Set.of(), true);
        } catch (IOException | RuntimeException e) {
            // it may still hold frames of the stations it had; they are read as long as it is polled
        }
    }

    @Override
    public void close() {
        for (RawSocket s : priority) {
            if (s != null) {
                s.close();
            }
        }
    }
}
