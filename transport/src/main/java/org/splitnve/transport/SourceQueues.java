package org.splitnve.transport;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.splitnve.wire.MacAddress;

/**
 * REL-3: the frames read from the sockets, queued per source (port and source MAC) in front of the engine,
 * so that no station can delay another's requests or keep-alives. Two classes of source: <em>established</em>
 * ones, which the engine says hold state (TSIs, VN connections, a session: {@code PortAgent#established}),
 * and <em>new</em> ones (every other source MAC, a flood from made-up addresses included). {@link #poll}
 * alternates between the classes when both have frames (the established class gets at least every other turn)
 * and goes round-robin over the sources within a class, one frame each. The new class is also held to a share
 * of the engine's time ({@link #newShare} per mille of the time that passes, saved up to {@link #newBurst}
 * nanoseconds): the runner {@link #charge}s each of its frames with the time the engine took for it, so that a
 * flood of frames that are costly to handle (many requests each, from made-up MACs) gets no more engine time
 * than one of cheap frames. What the engine does for an unknown source goes on after its frame too (its peer,
 * the answers and their retransmissions, its TSIs expiring), in proportion. A source holds at most
 * {@link #perEstablished} (or {@link #perNew}) frames and the new class at most {@link #newTotal}; a frame
 * beyond is dropped and counted for its source. What is kept is bounded: the queued frames by those caps, the
 * per-source counters by {@link #MAX_COUNTED} (beyond, drops count in {@link #droppedUncounted}).
 *
 * <p>The class of a source is decided when it gets a frame while it has none queued, so a station becomes
 * established as soon as the engine has given it state. Not thread-safe: the engine thread only.
 */
final class SourceQueues {
    /** Sources whose drops are counted one by one; the map is emptied when the report takes it. */
    static final int MAX_COUNTED = 4096;

    /** Whether the engine holds state for this source: its frames take the established class. */
    @FunctionalInterface
    interface Classifier {
        boolean established(int port, MacAddress station);
    }

    /**
     * A queued frame: the octets (the queue's own copy), when it was read (System.nanoTime, for captures), its
     * source's class. A class rather than a record, which would promise an equality its array does not have:
     * {@link #data()} hands the engine that copy as it is, with no second one per frame.
     */
    static final class Frame {
        private final int port;
        private final byte[] data;
        private final long nanoTime;
        private final boolean established;

        Frame(int port, byte[] data, long nanoTime, boolean established) {
            this.port = port;
            this.data = data;
            this.nanoTime = nanoTime;
            this.established = established;
        }

        int port() {
            return port;
        }

        /** The frame's octets: the queue's own array, owned by whoever polled the frame. */
        byte[] data() {
            return data;
        }

        long nanoTime() {
            return nanoTime;
        }

        boolean established() {
            return established;
        }
    }

    /** Frames one source dropped since the last report. */
    record Drops(int port, MacAddress station, long frames) {}

    private static final class Source {
        final long key;
        final ArrayDeque<Frame> frames = new ArrayDeque<>();
        boolean established;
        boolean queued;

        Source(long key) {
            this.key = key;
        }
    }

    final int perEstablished;
    final int perNew;
    final int newTotal;
    final long newShare;
    final long newBurst;
    /** Engine nanoseconds the new class may still take (a token bucket), and when it was last filled. */
    private double tokens;
    private long filledAt = Long.MIN_VALUE;
    private final Classifier classifier;
    private final Map<Long, Source> sources = new HashMap<>();
    private final ArrayDeque<Source> establishedRing = new ArrayDeque<>();
    private final ArrayDeque<Source> newRing = new ArrayDeque<>();
    private final Map<Long, long[]> drops = new HashMap<>();
    private int newQueued;
    private int queued;
    private boolean newTurn;
    private long dropped;
    private long droppedUncounted;

    /**
     * @param newShare per mille of the time that passes the new class may take of the engine's (1 to 1000)
     * @param newBurst engine nanoseconds it may save up and spend at once
     */
    SourceQueues(int perEstablished, int perNew, int newTotal, long newShare, long newBurst, Classifier classifier) {
        if (perEstablished < 1 || perNew < 1 || newTotal < perNew || newShare < 1 || newShare > 1000 || newBurst < 1) {
            throw new IllegalArgumentException("caps " + perEstablished + ", " + perNew + ", " + newTotal + ", share "
                    + newShare + ", burst " + newBurst);
        }
        this.perEstablished = perEstablished;
        this.perNew = perNew;
        this.newTotal = newTotal;
        this.newShare = newShare;
        this.newBurst = newBurst;
        this.tokens = newBurst;
        this.classifier = classifier;
    }

    /** Queues a copy of {@code buf[0, length)} read on {@code port}; false when it was dropped (counted). */
    boolean offer(int port, byte[] buf, int length, long nanoTime) {
        long key = key(port, buf, length);
        Source s = sources.get(key);
        if (s == null) {
            s = new Source(key);
        }
        if (!s.queued) {
            s.established = classifier.established(port, new MacAddress(key & 0xFFFF_FFFF_FFFFL));
        }
        int cap = s.established ? perEstablished : perNew;
        if (s.frames.size() >= cap || (!s.established && newQueued >= newTotal)) {
            drop(key);
            return false;
        }
        s.frames.add(new Frame(port, Arrays.copyOf(buf, length), nanoTime, s.established));
        queued++;
        if (!s.established) {
            newQueued++;
        }
        if (!s.queued) {
            s.queued = true;
            sources.put(key, s);
            (s.established ? establishedRing : newRing).add(s);
        }
        return true;
    }

    /**
     * The next frame for the engine at time {@code now} (nanoseconds, any origin), or null when none is queued
     * or only frames of new sources are, and the new class has used up its share.
     */
    Frame poll(long now) {
        boolean newReady = !newRing.isEmpty() && fill(now) > 0;
        boolean fromNew = newTurn ? newReady : establishedRing.isEmpty() && newReady;
        if (!fromNew && establishedRing.isEmpty()) {
            return null;
        }
        ArrayDeque<Source> ring = fromNew ? newRing : establishedRing;
        Source s = ring.poll();
        newTurn = !fromNew;
        Frame f = s.frames.poll();
        queued--;
        if (!s.established) {
            newQueued--;
        }
        if (s.frames.isEmpty()) {
            s.queued = false;
            sources.remove(s.key);
        } else {
            ring.add(s);
        }
        return f;
    }

    /** Nanoseconds from {@code now} until {@link #poll} has a frame: 0 now, -1 never (nothing is queued). */
    long nanosUntilReady(long now) {
        if (!establishedRing.isEmpty()) {
            return 0;
        }
        if (newRing.isEmpty()) {
            return -1;
        }
        double missing = 1 - fill(now);
        return missing <= 0 ? 0 : Math.max(1, (long) Math.ceil(missing * 1000 / newShare));
    }

    /** The engine took {@code nanos} for {@code f}: a frame of the new class spends them from its share. */
    void charge(Frame f, long nanos) {
        if (!f.established()) {
            tokens -= Math.max(0, nanos);
        }
    }

    private double fill(long now) {
        if (filledAt != Long.MIN_VALUE && now - filledAt > 0) {
            tokens = Math.min((double) newBurst, tokens + (double) (now - filledAt) * (double) newShare / 1000);
        }
        filledAt = now;
        return tokens;
    }

    /** The next frame of an established source only (frames that count before a timer), or null. */
    Frame pollEstablished(long now) {
        if (establishedRing.isEmpty()) {
            return null;
        }
        newTurn = false;
        return poll(now);
    }

    int size() {
        return queued;
    }

    int newSize() {
        return newQueued;
    }

    /** Frames dropped in front of the engine since the queues were made. */
    long dropped() {
        return dropped;
    }

    /** Drops since the last call, by source, largest first (at most {@code max}); the counters start again. */
    List<Drops> takeDrops(int max) {
        List<Drops> out = new ArrayList<>();
        for (Map.Entry<Long, long[]> e : drops.entrySet()) {
            long k = e.getKey();
            out.add(new Drops((int) (k >>> 48), new MacAddress(k & 0xFFFF_FFFF_FFFFL), e.getValue()[0]));
        }
        if (droppedUncounted > 0) {
            out.add(new Drops(-1, null, droppedUncounted));
        }
        drops.clear();
        droppedUncounted = 0;
        out.sort((a, b) -> Long.compare(b.frames(), a.frames()));
        return out.size() > max ? out.subList(0, max) : out;
    }

    private void drop(long key) {
        dropped++;
        long[] n = drops.get(key);
        if (n == null) {
            if (drops.size() >= MAX_COUNTED) {
                droppedUncounted++;
                return;
            }
            n = new long[1];
            drops.put(key, n);
        }
        n[0]++;
    }

    /** Port in the top 16 bits, the source MAC below; a frame too short to have one counts as source 0. */
    private static long key(int port, byte[] buf, int length) {
        long mac = 0;
        if (length >= 12) {
            for (int i = 6; i < 12; i++) {
                mac = (mac << 8) | (buf[i] & 0xFF);
            }
        }
        return ((long) port << 48) | mac;
    }
}
