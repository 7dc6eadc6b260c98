package org.splitnve.transport;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.splitnve.wire.MacAddress;

/**
 * Point-to-point links inside one process, between the {@link Port}s of several {@link AgentRunner}s:
 * what the no-root demo and the tests run on. A frame sent on one end is copied (padded to 60 octets,
 * as on a wire) and handed to the other end's receiver, that is its runner's queue, on the sender's
 * thread. A link can lose frames at random (a share from 0 to 1, seeded) and be cut.
 */
public final class MemoryLinks {
    private final long seed;
    private final List<Link> links = new ArrayList<>();

    /** Links whose losses follow from {@code seed}. */
    public MemoryLinks(long seed) {
        this.seed = seed;
    }

    public MemoryLinks() {
        this(System.nanoTime());
    }

    /**
     * A link between two new ends with the given MACs. Ends without a MAC get locally administered ones,
     * {@code 02:00:00:00:LL:0A} and {@code ...:0B}, LL the link's number.
     */
    public Link connect(MacAddress a, MacAddress b) {
        return connect(null, a, null, b);
    }

    /**
     * A link whose ends have these names (for logs: e.g. the interfaces they stand for, {@code h1/up0});
     * a null name is {@code linkN.a} or {@code linkN.b}, a null MAC as in {@link #connect(MacAddress, MacAddress)}.
     */
    public synchronized Link connect(String nameA, MacAddress a, String nameB, MacAddress b) {
        int n = links.size() + 1;
        String name = "link" + n;
        Link link = new Link(name, seed * 31 + n, nameA != null ? nameA : name + ".a",
                a != null ? a : new MacAddress(0x0200_0000_0000L | (n & 0xFFFFL) << 8 | 0x0A),
                nameB != null ? nameB : name + ".b",
                b != null ? b : new MacAddress(0x0200_0000_0000L | (n & 0xFFFFL) << 8 | 0x0B));
        links.add(link);
        return link;
    }

    public Link connect() {
        return connect(null, null);
    }

    public synchronized List<Link> links() {
        return List.copyOf(links);
    }

    /** Two ends and what happens between them. */
    public static final class Link {
        private final String name;
        private final End a;
        private final End b;
        private volatile double loss;
        private volatile boolean up = true;

        Link(String name, long seed, String nameA, MacAddress macA, String nameB, MacAddress macB) {
            this.name = name;
            this.a = new End(this, nameA, macA, new Random(seed));
            this.b = new End(this, nameB, macB, new Random(~seed));
            a.peer = b;
            b.peer = a;
        }

        public String name() {
            return name;
        }

        public End a() {
            return a;
        }

        public End b() {
            return b;
        }

        /** Share of frames lost in each direction, independently: 0 (none, the default) to 1 (all). */
        public Link loss(double share) {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("loss is a share from 0 to 1, not " + share);
            }
            this.loss = share;
            return this;
        }

        public double loss() {
            return loss;
        }

        /** Cuts ({@code false}) or restores the link; a cut link loses every frame. */
        public Link up(boolean on) {
            this.up = on;
            return this;
        }

        public boolean isUp() {
            return up;
        }

        @Override
        public String toString() {
            return "Link[" + name + " " + a.mac + " <-> " + b.mac + ", loss " + loss + (up ? "" : ", cut") + "]";
        }
    }

    /** One end of a {@link Link}: a {@link Port}. */
    public static final class End implements Port {
        private final Link link;
        private final String name;
        private final MacAddress mac;
        private final Random random;
        private End peer;
        private volatile Receiver receiver;
        private volatile boolean closed;
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong delivered = new AtomicLong();
        private final AtomicLong lost = new AtomicLong();

        End(Link link, String name, MacAddress mac, Random random) {
            this.link = link;
            this.name = name;
            this.mac = Objects.requireNonNull(mac, "mac");
            this.random = random;
        }

        public Link link() {
            return link;
        }

        public End peer() {
            return peer;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public MacAddress mac() {
            return mac;
        }

        /** Frames sent on this end, delivered to the other end's receiver, and lost on the way. */
        public long sent() {
            return sent.get();
        }

        public long delivered() {
            return delivered.get();
        }

        public long lost() {
            return lost.get();
        }

        @Override
        public void send(byte[] frame, int length) throws IOException {
            Objects.checkFromIndexSize(0, length, frame.length);
            if (closed) {
                throw new ClosedChannelException();
            }
            sent.incrementAndGet();
            double share = link.loss;
            Receiver r = peer.receiver;
            if (!link.up || r == null || peer.closed || (share > 0 && random.nextDouble() < share)) {
                lost.incrementAndGet();
                return;
            }
            r.frame(Arrays.copyOf(frame, Math.max(length, RawSocket.MIN_FRAME)));
            delivered.incrementAndGet();
        }

        @Override
        public void start(Receiver receiver) {
            Objects.requireNonNull(receiver, "receiver");
            synchronized (this) {
                if (this.receiver != null) {
                    throw new IllegalStateException("port " + name + " already started");
                }
                this.receiver = receiver;
            }
        }

        @Override
        public void close() {
            closed = true;
            receiver = null;
        }

        @Override
        public String toString() {
            return "End[" + name + ", " + mac + "]";
        }
    }
}
