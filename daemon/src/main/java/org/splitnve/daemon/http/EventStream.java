package org.splitnve.daemon.http;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.splitnve.daemon.log.EventLog;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.EventFormat;

/**
 * {@code GET /v1/events}: fans the daemon's log out to server-sent event clients. Each client has a
 * bounded queue; the engine thread only offers to it (never blocks): a client whose queue is full is
 * dropped. A client gets what the log logs (its level and above), as the JSON log line.
 */
final class EventStream implements EventLog.Tap {
    /** Events a client may fall behind by before it is dropped. */
    static final int QUEUE = 4096;
    /** Clients at once; more are refused with 503. */
    static final int MAX_CLIENTS = 32;

    /** The end of a client's stream: the only empty message (every event is {@code event: ...}). */
    private static final String END = "";

    private final EventLog log;
    private final List<Client> clients = new CopyOnWriteArrayList<>();

    EventStream(EventLog log) {
        this.log = log;
    }

    final class Client {
        final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
        volatile String ended;
        /** Ended by the daemon's stop: what was queued before it (the stop among it) is still sent. */
        volatile boolean drain;

        /**
         * The next message ({@code event: ...\ndata: ...\n\n}), null after {@code waitMillis} of quiet, END at the
         * end: once the daemon stops, what was queued before (its stop among it) comes first; a client too slow
         * to keep up gets nothing more.
         */
        String next(long waitMillis) throws InterruptedException {
            if (ended != null && !drain) {
                return END;
            }
            String m = ended != null ? queue.poll() : queue.poll(waitMillis, TimeUnit.MILLISECONDS);
            if (m == null) {
                return ended != null ? END : null;
            }
            return ended != null && !drain ? END : m;
        }

        boolean isEnd(String m) {
            return m.isEmpty(); // END
        }

        void close() {
            clients.remove(this);
        }

        void end(String why) {
            if (ended == null) {
                drain = true;
                ended = why;
            }
            clients.remove(this);
            queue.offer(END);
        }
    }

    /** A new client, or null when there are {@link #MAX_CLIENTS} already. */
    synchronized Client subscribe() {
        if (clients.size() >= MAX_CLIENTS) {
            return null;
        }
        Client c = new Client();
        clients.add(c);
        return c;
    }

    @Override
    public void event(long atNanos, Event e) {
        if (clients.isEmpty() || !log.logs(e.level())) {
            return;
        }
        String message = "event: " + e.name() + "\ndata: " + EventFormat.json(atNanos, log.node(), e) + "\n\n";
        List<Client> slow = new ArrayList<>(0);
        for (Client c : clients) {
            if (!c.queue.offer(message)) {
                // too slow: dropped; its writer sees the end once it has written what it had
                c.ended = "too slow: more than " + QUEUE + " events behind";
                slow.add(c);
            }
        }
        clients.removeAll(slow);
    }

    /** Ends every client (the daemon stops). */
    void closeAll() {
        for (Client c : clients) {
            c.end("the daemon stops");
        }
    }
}
