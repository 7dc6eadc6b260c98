package org.splitnve.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.protocol.event.Event;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.MacAddress;

/**
 * Runs one {@link PortAgent} on real (or in-memory) links, on one dedicated platform thread, the
 * engine's thread: every call into the engine is made there. When every port is a {@link RawPort},
 * the engine thread reads the sockets itself (poll(2) over them and an eventfd that wakes it for
 * tasks): a frame reaches the engine with no thread in between, which halves the thread wake-ups on
 * a request's way through a busy machine. Otherwise ports deliver frames into a queue from their own
 * threads, and the engine thread takes them from there. Either way it calls {@link PortAgent#onFrame},
 * and calls {@link PortAgent#onTimer} when the clock reaches {@link PortAgent#nextDeadline}. A frame
 * that arrived before a timer was due goes first (an acknowledgement or keep-alive that came in time
 * while the engine was busy counts): from the queue, frames stamped before the deadline; from raw
 * sockets, every frame of a station the engine holds state for that was read when the engine gets to the
 * timer (without kernel timestamps a frame that came a moment after the deadline, while the engine was
 * busy, counts as in time too). Frames read from raw sockets wait in per-source queues, served fairly
 * (REL-3, {@link SourceQueues}): a station that floods, or a flood from made-up source MACs, delays
 * another station's frames by a bounded amount and has its own excess dropped. Before that, in the kernel, the
 * stations the engine holds state for have a socket of their own per port ({@link PrioritySockets}), so a flood
 * that overflows a port's receive buffer drops none of their frames.
 * {@link PortIo#send} goes straight to the port, on the engine thread. Other threads (an
 * HTTP API) reach the engine with {@link #submit} and {@link #call}, which queue tasks among the
 * frames.
 *
 * <pre>{@code
 * AgentRunner<MyEngine> r = AgentRunner.builder("nnve")
 *         .port(RawPort.open("eth1", RawSocket.Options.defaults()))
 *         .build(io -> new MyEngine(io, Clock.system()));
 * r.start();
 * int n = r.call(() -> r.agent().sessions()).join();
 * r.close();
 * }</pre>
 *
 * The engine must use the runner's clock ({@link Clock#system()} unless the builder was given another).
 * When the queue holds {@link Builder#queueCapacity} frames, further frames are dropped (like a full
 * NIC ring; ECP retransmits); raw sockets read by the engine thread queue in the kernel instead (the
 * socket's receive buffer). Tasks are never dropped.
 */
public final class AgentRunner<A extends PortAgent> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AgentRunner.class.getName());

    /**
     * Counters since the runner was built; {@code dropped}: frames lost before the engine, because the queue
     * was full or (sockets read by the engine thread) the kernel found the socket's receive buffer full.
     * {@code busyNanos}: time the engine thread spent working (not waiting for a frame, a task or a timer); over
     * wall time, the loop's duty cycle. {@code turns}: passes of the loop, each a bounded amount of work
     * ({@link #TASK_BURST} tasks, {@link #BURST} frames or {@link #SLICE_NANOS}, the timers); the longest since
     * the last look: {@link #takeLongestTurn}.
     */
    public record Stats(long framesIn, long framesOut, long dropped, long sendErrors, long engineErrors, long tasks,
            long busyNanos, long turns) {}

    private sealed interface Item {}

    /**
     * A received frame: {@code nanoTime} for captures, {@code at} on the runner's clock (timers compare it). A
     * class, not a record: it carries the port's array as it is, with no copy, and no array-content equality
     * is implied (nothing compares two of them).
     */
    private static final class Inbound implements Item {
        final int port;
        final byte[] frame;
        final long nanoTime;
        final long at;

        Inbound(int port, byte[] frame, long nanoTime, long at) {
            this.port = port;
            this.frame = frame;
            this.nanoTime = nanoTime;
            this.at = at;
        }
    }

    private record Task(Callable<?> body, CompletableFuture<Object> result) implements Item {}

    private record Notice(Event event) implements Item {}

    private enum Stop implements Item { STOP }

    private final String name;
    private final List<Port> ports;
    private final MacAddress[] macs;
    private final Clock clock;
    private final CaptureTap tap;
    private final EventSink events;
    private final int queueCapacity;
    private final java.util.function.Consumer<Throwable> onFatal;
    private final A agent;
    private final Thread engine;
    /** The engine thread's ID (unique while it lives): {@link #isEngineThread} compares IDs, not Thread objects. */
    private final long engineId;
    private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    /** The sockets the engine thread reads itself (every port a {@link RawPort}), or null: ports deliver. */
    private final RawSocket[] sockets;
    /** Waits for those sockets and for tasks; null with delivering ports. */
    private final Poller poller;
    /** REL-3: the established stations' own sockets beside {@link #sockets}; null without, or if they failed. */
    private final PrioritySockets priority;
    private final AtomicInteger queuedFrames = new AtomicInteger();
    private final boolean[] sendFailing;

    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong sendErrors = new AtomicLong();
    private final AtomicLong engineErrors = new AtomicLong();
    private final AtomicLong tasks = new AtomicLong();
    /** Time the engine thread waited (for a frame, a task, a deadline); busy = alive - idle. */
    private final AtomicLong idleNanos = new AtomicLong();
    private final AtomicLong turns = new AtomicLong();
    private final java.util.concurrent.atomic.LongAccumulator longestTurn = new java.util.concurrent.atomic.LongAccumulator(Math::max, 0);
    private volatile long startedAt;
    /** When the engine thread began its current wait, or 0 while it works. */
    private volatile long waitingSince;
    /** Set when the engine thread ends: busy time stops growing. */
    private volatile long endedAt;
    private long droppedReported;
    /** Drops of the per-source queues already reported (engine thread). */
    private long droppedByQueues;
    private volatile Throwable fatal;

    private final Object lifecycle = new Object();
    private boolean started;
    private volatile boolean closed;
    /** Set (under {@link #lifecycle}) once the queue has been emptied for good: tasks are refused. */
    private boolean drained;

    private AgentRunner(Builder b, Function<? super PortIo, ? extends A> factory) {
        this.name = b.name;
        this.ports = List.copyOf(b.ports);
        this.macs = ports.stream().map(Port::mac).toArray(MacAddress[]::new);
        this.clock = b.clock;
        this.tap = b.tap;
        this.events = b.events;
        this.queueCapacity = b.queueCapacity;
        this.onFatal = b.onFatal;
        this.sendFailing = new boolean[ports.size()];
        this.engine = Thread.ofPlatform().name("engine " + name).unstarted(this::run);
        this.engineId = engine.threadId();
        this.agent = Objects.requireNonNull(factory.apply(new Io()), "the factory returned no agent");
        if (ports.stream().allMatch(p -> p instanceof RawPort)) {
            this.sockets = ports.stream().map(p -> ((RawPort) p).socket()).toArray(RawSocket[]::new);
            this.priority = b.prioritySockets
                    ? PrioritySockets.open(ports.stream().map(Port::name).toList(), sockets, this::emit)
                    : null;
            List<RawSocket> polled = new ArrayList<>(List.of(sockets));
            if (priority != null) {
                polled.addAll(priority.sockets());
            }
            try {
                this.poller = new Poller(polled);
            } catch (IOException e) {
                if (priority != null) {
                    priority.close();
                }
                throw new UncheckedIOException("runner " + name + ": " + e.getMessage(), e);
            }
        } else {
            this.sockets = null;
            this.poller = null;
            this.priority = null;
        }
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** How a runner is put together: its ports (port i of the engine is the i-th added), clock, tap, events. */
    public static final class Builder {
        private final String name;
        private final List<Port> ports = new ArrayList<>();
        private Clock clock = Clock.system();
        private CaptureTap tap;
        private EventSink events = EventSink.NONE;
        private int queueCapacity = 65_536;
        private java.util.function.Consumer<Throwable> onFatal = e -> { };
        private boolean prioritySockets = true;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        public Builder port(Port port) {
            ports.add(Objects.requireNonNull(port, "port"));
            return this;
        }

        public Builder ports(List<? extends Port> more) {
            more.forEach(this::port);
            return this;
        }

        /** The clock the engine uses too; {@link Clock#system()} by default. */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** Writes every frame sent or received to this tap (the runner does not close it). */
        public Builder capture(CaptureTap t) {
            this.tap = t;
            return this;
        }

        /** Where {@link TransportEvent}s go, on the engine thread. */
        public Builder events(EventSink sink) {
            this.events = Objects.requireNonNull(sink, "events");
            return this;
        }

        /**
         * SEC-7: called on the engine thread, as it dies, with an {@link Error} the engine threw (out of memory,
         * a stack overflow, an internal error): the engine's state can no longer be trusted, and a daemon
         * ends its process so that a supervisor restarts it. Exceptions ({@link RuntimeException}) are not
         * fatal: they are logged and counted, and the engine goes on.
         */
        public Builder onFatal(java.util.function.Consumer<Throwable> handler) {
            this.onFatal = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /**
         * REL-3: with raw sockets read by the engine thread, a second socket per port for the stations the engine
         * holds state for, so that a flood from other sources that fills the kernel's receive buffer cannot drop
         * their frames ({@link PrioritySockets}). On by default; off reads each port through one socket.
         */
        public Builder prioritySockets(boolean on) {
            this.prioritySockets = on;
            return this;
        }

        /** Frames waiting for the engine beyond which arriving frames are dropped. */
        public Builder queueCapacity(int frames) {
            if (frames < 1) {
                throw new IllegalArgumentException("queue capacity " + frames);
            }
            this.queueCapacity = frames;
            return this;
        }

        /**
         * Builds the engine with the runner's {@link PortIo} (on this thread; every later call comes from
         * the engine thread). The runner owns the ports from now on: {@link #close()} closes them.
         */
        public <A extends PortAgent> AgentRunner<A> build(Function<? super PortIo, ? extends A> factory) {
            if (ports.isEmpty()) {
                throw new IllegalStateException("a runner needs at least one port");
            }
            return new AgentRunner<>(this, factory);
        }
    }

    public String name() {
        return name;
    }

    /** The engine. Call it only on the engine thread: through {@link #call} or {@link #submit}. */
    public A agent() {
        return agent;
    }

    public List<Port> ports() {
        return ports;
    }

    public Clock clock() {
        return clock;
    }

    public boolean isEngineThread() {
        return Thread.currentThread().threadId() == engineId;
    }

    public Stats stats() {
        long kernel = 0;
        if (sockets != null) {
            for (RawSocket s : sockets) {
                kernel += s.stats().dropped();
            }
        }
        long from = startedAt;
        long to = endedAt != 0 ? endedAt : System.nanoTime();
        long waiting = waitingSince;
        long busy = from == 0 ? 0 : Math.max(0, to - from - idleNanos.get() - (waiting != 0 && endedAt == 0 ? to - waiting : 0));
        return new Stats(framesIn.get(), framesOut.get(), dropped.get() + kernel, sendErrors.get(), engineErrors.get(),
                tasks.get(), busy, turns.get());
    }

    /** The longest turn of the engine loop since the previous call (0: none), and starts a new interval. */
    public long takeLongestTurn() {
        return longestTurn.getThenReset();
    }

    /** A turn of the loop ended at {@code now}, having begun at {@code begun}. */
    private void turnEnded(long begun, long now) {
        turns.incrementAndGet();
        longestTurn.accumulate(now - begun);
        waitingSince = now;
    }

    /** Waited from {@code from} to now; answers now (the next turn's start). */
    private long waited(long from) {
        long now = System.nanoTime();
        idleNanos.addAndGet(now - from);
        waitingSince = 0;
        return now;
    }

    /** Starts the engine thread, then the ports' receivers. */
    public AgentRunner<A> start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("runner " + name + " is closed");
            }
            if (started) {
                throw new IllegalStateException("runner " + name + " already started");
            }
            started = true;
            engine.start();
            if (poller == null) {
                for (int i = 0; i < ports.size(); i++) {
                    ports.get(i).start(new Delivery(i));
                }
            }
        }
        return this;
    }

    /** Runs {@code task} on the engine thread, after what is queued before it. */
    public CompletableFuture<Void> submit(Runnable task) {
        Objects.requireNonNull(task, "task");
        return call(() -> {
            task.run();
            return null;
        });
    }

    /**
     * Calls {@code task} on the engine thread, after what is queued before it; its result or exception
     * completes the future. On the engine thread itself it runs at once. After {@link #close()} the
     * future fails with {@link RejectedExecutionException}.
     */
    @SuppressWarnings("unchecked")
    public <T> CompletableFuture<T> call(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        CompletableFuture<Object> f = new CompletableFuture<>();
        if (isEngineThread() && !closed) {
            complete(new Task(task, f));
            return (CompletableFuture<T>) f;
        }
        synchronized (lifecycle) {
            if (drained) {
                f.completeExceptionally(new RejectedExecutionException("runner " + name + " is closed"));
            } else {
                queue.add(new Task(task, f));
                if (poller != null) {
                    poller.wake();
                }
            }
        }
        return (CompletableFuture<T>) f;
    }

    /** Hands a port's frames and errors to the engine thread. */
    private final class Delivery implements Port.Receiver {
        private final int port;

        Delivery(int port) {
            this.port = port;
        }

        @Override
        public void frame(byte[] frame) {
            if (closed) {
                return;
            }
            if (queuedFrames.incrementAndGet() > queueCapacity) {
                queuedFrames.decrementAndGet();
                dropped.incrementAndGet();
                return;
            }
            queue.add(new Inbound(port, frame, System.nanoTime(), clock.nanos()));
        }

        @Override
        public void error(String message) {
            if (!closed) {
                queue.add(new Notice(new TransportEvent.ReceiveFailed(ports.get(port).name(), message)));
            }
        }
    }

    /** The engine's view of its ports. */
    private final class Io implements PortIo {
        @Override
        public int ports() {
            return macs.length;
        }

        @Override
        public MacAddress mac(int port) {
            return macs[port];
        }

        @Override
        public void send(int port, byte[] frame, int length) {
            Port p = ports.get(port);
            if (tap != null) {
                tap.frame(name, port, CaptureTap.Direction.SENT, System.nanoTime(), frame, length);
            }
            try {
                p.send(frame, length);
                framesOut.incrementAndGet();
                sendFailing[port] = false;
            } catch (IOException | RuntimeException e) {
                sendErrors.incrementAndGet();
                if (!sendFailing[port]) {
                    sendFailing[port] = true;
                    emit(new TransportEvent.SendFailed(p.name(), String.valueOf(e.getMessage())));
                }
            }
        }
    }

    private void run() {
        startedAt = System.nanoTime();
        try {
            if (poller != null) {
                readSockets();
            } else {
                loop();
            }
        } catch (Error e) {
            fatal = e;
            try {
                LOG.log(System.Logger.Level.ERROR, "engine " + name + " died", e);
            } catch (Throwable ignored) {
                // out of memory: the handler still runs
            }
            onFatal.accept(e);
            throw e;
        } finally {
            endedAt = System.nanoTime();
            drain(); // also when the engine threw an Error: callers get failed futures, not silence
            if (poller != null) {
                poller.close(); // this thread was the only one waiting in it
            }
            if (priority != null) {
                priority.close();
            }
        }
    }

    private void loop() {
        long begun = System.nanoTime();
        while (!closed) {
            Item item;
            try {
                long deadline = deadline();
                long now = clock.nanos();
                if (deadline <= now && queue.peek() instanceof Inbound in && in.at <= deadline) {
                    // A frame that arrived before the timer was due goes first: behind a backlog (a flood from
                    // another station, SEC-4) a keep-alive that came in time still counts, and no timeout fires
                    // for a peer whose frame is waiting in the queue.
                    item = queue.poll();
                } else if (deadline <= now) {
                    try {
                        agent.onTimer();
                    } catch (RuntimeException e) {
                        engineFailed("onTimer", e);
                    }
                    item = queue.poll();
                } else {
                    long t = System.nanoTime();
                    turnEnded(begun, t);
                    try {
                        item = deadline == Long.MAX_VALUE ? queue.take() : queue.poll(deadline - now, TimeUnit.NANOSECONDS);
                    } finally {
                        begun = waited(t);
                    }
                }
            } catch (InterruptedException e) {
                if (closed) {
                    break;
                }
                continue;
            }
            if (item == null) {
                continue;
            }
            if (item == Stop.STOP) {
                break;
            }
            handle(item);
        }
    }

    /**
     * Frames read from one socket in a row, into the per-source queues, before the others: reading (a copy into
     * a queue, or a drop) costs a small part of what handling a frame costs, so a pass empties a socket faster
     * than a flood fills it and the kernel drops nothing a station sent (REL-3), up to the rate one thread reads.
     */
    private static final int READ_BURST = 1024;
    /**
     * Frames handed to the engine between two passes over the sockets, and the time they may take: the sockets
     * are read again after {@link #SLICE_NANOS} however slow the engine is with each frame (a cold JIT, a new
     * peer), before the kernel's receive buffer overflows and drops frames of every station alike (REL-3).
     */
    private static final int BURST = 64;
    /** Tasks (API calls, timers of the daemon) run in one turn before the sockets are read again. */
    static final int TASK_BURST = 256;
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * REL-3: frames queued per established source, per new source, and for all new sources together; the share
     * of the engine's time (per mille) frames of new sources get, and what they may spend at once (a station is
     * new until its first frames gave it state: a session, a TSI). An established station has one ECPDU in
     * flight, and LLDP; a new source may send a burst (a fuzzer's thousands of malformed frames are each
     * decoded and logged, SEC-4), which its share of the engine's time then works off.
     */
    static final int PER_ESTABLISHED = 64;
    static final int PER_NEW = 2048;
    static final int NEW_TOTAL = 4096;
    static final long NEW_SHARE = 200;
    static final long NEW_BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** Frames dropped per source are reported at most this often (the largest {@link #DROP_REPORT_SOURCES}). */
    private static final long DROP_REPORT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int DROP_REPORT_SOURCES = 8;

    /**
     * The engine thread with raw sockets: tasks first, then a pass over the sockets (at most {@link #READ_BURST}
     * frames from each, queued per source in {@link SourceQueues}: REL-3), then at most {@link #BURST} frames
     * handed to the engine in the queues' fair order, then the timers (before them, every waiting frame of an
     * established station: it came in time), and when nothing is left, poll(2) until a frame, a task or the next
     * deadline. One receive buffer serves every read. A socket that fails is left alone for
     * {@link RawPort#ERROR_BACKOFF_MILLIS}.
     */
    private void readSockets() {
        byte[] buf = new byte[RawSocket.MAX_FRAME];
        long[] failedUntil = new long[sockets.length];
        SourceQueues inbound = new SourceQueues(PER_ESTABLISHED, PER_NEW, NEW_TOTAL, NEW_SHARE, NEW_BURST_NANOS,
                (port, station) -> established(port, station));
        long nextDropReport = clock.nanos();
        long begun = System.nanoTime();
        while (!closed) {
            Item item;
            for (int k = 0; k < TASK_BURST && (item = queue.poll()) != null; k++) {
                if (item == Stop.STOP) {
                    return;
                }
                handle(item);
            }
            // tasks beyond this turn's share wait for the next turn, after the sockets: no waiting meanwhile, and
            // an API client cannot starve the stations
            boolean any = !queue.isEmpty();
            long backoff = Long.MAX_VALUE;
            for (int i = 0; i < sockets.length && !closed; i++) {
                if (failedUntil[i] != 0) {
                    if (System.nanoTime() < failedUntil[i]) {
                        backoff = Math.min(backoff, failedUntil[i] - System.nanoTime());
                        continue;
                    }
                    failedUntil[i] = 0;
                    watch(i, true);
                }
                // the established stations' socket first: its frames never wait behind a flood in the kernel
                int got = priority == null ? 0 : read(priority.socket(i), i, buf, inbound, failedUntil);
                if (got >= 0) {
                    int more = read(sockets[i], i, buf, inbound, failedUntil);
                    got = more < 0 ? more : got + more;
                }
                if (got == CLOSED) {
                    return;
                }
                any |= got > 0;
            }
            long polled = clock.nanos();
            long sliceEnd = System.nanoTime() + SLICE_NANOS;
            for (int k = 0; k < BURST && !closed && (k == 0 || System.nanoTime() - sliceEnd < 0); k++) {
                SourceQueues.Frame f = inbound.poll(polled);
                if (f == null) {
                    break;
                }
                long t0 = System.nanoTime();
                frame(f.port(), f.data(), f.data().length, f.nanoTime());
                inbound.charge(f, System.nanoTime() - t0);
                if (priority != null && f.established()) {
                    priority.established(f.port(), f.data());
                }
            }
            if (priority != null) {
                priority.refresh(System.nanoTime(), this::established);
            }
            long deadline = deadline();
            long now = clock.nanos();
            if (deadline <= now) {
                // a keep-alive or acknowledgement of a station that holds state, waiting here, came in time
                for (SourceQueues.Frame f; (f = inbound.pollEstablished(now)) != null; ) {
                    frame(f.port(), f.data(), f.data().length, f.nanoTime());
                }
                try {
                    agent.onTimer();
                } catch (RuntimeException e) {
                    engineFailed("onTimer", e);
                }
                continue;
            }
            if (inbound.dropped() != droppedByQueues && now - nextDropReport >= 0) {
                droppedByQueues = inbound.dropped();
                nextDropReport = now + DROP_REPORT_NANOS;
                for (SourceQueues.Drops d : inbound.takeDrops(DROP_REPORT_SOURCES)) {
                    emit(new TransportEvent.SourceDropped(d.port() < 0 ? "*" : ports.get(d.port()).name(),
                            d.station() == null ? "other sources" : d.station().toString(), d.frames()));
                }
            }
            long ready = inbound.nanosUntilReady(now);
            if (any || ready == 0) {
                continue; // more may have come meanwhile, or frames wait in the queues
            }
            long wait = deadline == Long.MAX_VALUE ? -1 : deadline - now;
            if (ready > 0) {
                wait = wait < 0 ? ready : Math.min(wait, ready); // new sources' frames wait for their share
            }
            if (backoff != Long.MAX_VALUE) {
                wait = wait < 0 ? backoff : Math.min(wait, backoff);
            }
            if (inbound.dropped() != droppedByQueues) {
                long untilReport = Math.max(1, nextDropReport - now);
                wait = wait < 0 ? untilReport : Math.min(wait, untilReport);
            }
            if (priority != null) {
                long pending = priority.nanosUntilPending(System.nanoTime());
                if (pending >= 0) {
                    long untilRefresh = Math.max(1, pending);
                    wait = wait < 0 ? untilRefresh : Math.min(wait, untilRefresh);
                }
            }
            long t = System.nanoTime();
            turnEnded(begun, t);
            try {
                poller.await(wait);
            } catch (IOException e) {
                emit(new TransportEvent.ReceiveFailed(name, String.valueOf(e.getMessage())));
                sleepQuietly(RawPort.ERROR_BACKOFF_MILLIS);
            }
            begun = waited(t);
        }
    }

    /** What {@link #read} returns when the runner is closing. */
    private static final int CLOSED = Integer.MIN_VALUE;
    /** What {@link #read} returns when the socket failed (it is left alone for a while). */
    private static final int FAILED = -1;

    /**
     * Reads at most {@link #READ_BURST} frames of port {@code i}'s socket {@code s} into the per-source queues: how
     * many, {@link #FAILED} (the port is left alone until {@code failedUntil[i]}) or {@link #CLOSED}.
     */
    private int read(RawSocket s, int i, byte[] buf, SourceQueues inbound, long[] failedUntil) {
        int k = 0;
        for (; k < READ_BURST; k++) {
            int n;
            try {
                n = s.receive(buf, 0);
            } catch (java.nio.channels.ClosedChannelException e) {
                return CLOSED; // closing: the ports are closed after this thread ends, so someone closed the socket
            } catch (IOException e) {
                emit(new TransportEvent.ReceiveFailed(ports.get(i).name(), String.valueOf(e.getMessage())));
                failedUntil[i] = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RawPort.ERROR_BACKOFF_MILLIS);
                watch(i, false);
                return FAILED;
            }
            if (n == 0) {
                break;
            }
            if (!inbound.offer(i, buf, n, System.nanoTime())) {
                dropped.incrementAndGet();
            }
        }
        return k;
    }

    /** Whether the poller watches port {@code i}'s sockets. */
    private void watch(int i, boolean on) {
        poller.watch(i, on);
        if (priority != null) {
            poller.watch(sockets.length + i, on);
        }
    }

    /** The engine's {@link PortAgent#established}; a throw counts as not established. */
    private boolean established(int port, MacAddress station) {
        try {
            return agent.established(port, station);
        } catch (RuntimeException e) {
            engineFailed("established", e);
            return false;
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One frame for the engine: counted, captured, handed over. */
    private void frame(int port, byte[] frame, int length, long nanoTime) {
        framesIn.incrementAndGet();
        if (tap != null) {
            tap.frame(name, port, CaptureTap.Direction.RECEIVED, nanoTime, frame, length);
        }
        try {
            agent.onFrame(port, frame, 0, length);
        } catch (RuntimeException e) {
            engineFailed("onFrame", e);
        }
    }

    private long deadline() {
        try {
            return agent.nextDeadline();
        } catch (RuntimeException e) {
            engineFailed("nextDeadline", e);
            return Long.MAX_VALUE;
        }
    }

    private void handle(Item item) {
        switch (item) {
            case Inbound in -> {
                queuedFrames.decrementAndGet();
                frame(in.port, in.frame, in.frame.length, in.nanoTime);
                long d = dropped.get();
                if (d != droppedReported) {
                    droppedReported = d;
                    emit(new TransportEvent.QueueOverflow(d));
                }
            }
            case Task t -> complete(t);
            case Notice n -> emit(n.event);
            case Stop s -> throw new IllegalStateException("handled by run()");
        }
    }

    private void complete(Task t) {
        tasks.incrementAndGet();
        try {
            t.result.complete(t.body.call());
        } catch (VirtualMachineError e) {
            t.result.completeExceptionally(e);
            throw e; // SEC-7: out of memory in a task is the engine thread's death too
        } catch (Throwable e) {
            t.result.completeExceptionally(e);
        }
    }

    /** The Error the engine thread died of (SEC-7), or null while it lives or after a clean stop. */
    public Throwable fatalError() {
        return fatal;
    }

    private void engineFailed(String call, RuntimeException e) {
        engineErrors.incrementAndGet();
        LOG.log(System.Logger.Level.ERROR, "engine " + name + " threw from " + call, e);
        emit(new TransportEvent.EngineFailed(call, e.toString()));
    }

    private void emit(Event e) {
        try {
            events.accept(e);
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "event sink of " + name + " threw", ex);
        }
    }

    /** Empties the queue for good (after close): tasks still there, and any later, fail. */
    private void drain() {
        synchronized (lifecycle) {
            drained = true;
            Item item;
            while ((item = queue.poll()) != null) {
                if (item instanceof Task t) {
                    t.result.completeExceptionally(new RejectedExecutionException("runner " + name + " is closed"));
                }
            }
        }
    }

    /**
     * Stops the engine thread (after the call it is in; frames and tasks still queued are not run,
     * their futures fail) and waits for it, then closes the ports (their receive threads have ended when
     * this returns). Called on the engine thread it does not wait for itself.
     */
    @Override
    public void close() {
        boolean wasStarted;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            wasStarted = started;
        }
        queue.add(Stop.STOP);
        if (poller != null) {
            poller.wake();
        }
        if (wasStarted && !isEngineThread()) {
            boolean interrupted = false;
            while (engine.isAlive()) {
                try {
                    engine.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        for (Port p : ports) {
            try {
                p.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing port " + p.name() + " of " + name, e);
            }
        }
        if (!wasStarted) {
            drain();
        }
        if (poller != null && !wasStarted) {
            poller.close(); // else the engine thread closes it as it ends
            if (priority != null) {
                priority.close();
            }
        }
    }

    @Override
    public String toString() {
        return "AgentRunner[" + name + ", " + ports.size() + " port(s)]";
    }
}
