package org.splitnve.dataplane.openflow;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.splitnve.dataplane.openflow.OfMessage.BarrierReply;
import org.splitnve.dataplane.openflow.OfMessage.BarrierRequest;
import org.splitnve.dataplane.openflow.OfMessage.BundleAdd;
import org.splitnve.dataplane.openflow.OfMessage.BundleControl;
import org.splitnve.dataplane.openflow.OfMessage.BundleCtrlType;
import org.splitnve.dataplane.openflow.OfMessage.EchoReply;
import org.splitnve.dataplane.openflow.OfMessage.EchoRequest;
import org.splitnve.dataplane.openflow.OfMessage.ErrorMessage;
import org.splitnve.dataplane.openflow.OfMessage.FeaturesReply;
import org.splitnve.dataplane.openflow.OfMessage.FeaturesRequest;
import org.splitnve.dataplane.openflow.OfMessage.FlowMod;
import org.splitnve.dataplane.openflow.OfMessage.FlowStats;
import org.splitnve.dataplane.openflow.OfMessage.FlowStatsReply;
import org.splitnve.dataplane.openflow.OfMessage.FlowStatsRequest;
import org.splitnve.dataplane.openflow.OfMessage.Hello;
import org.splitnve.dataplane.openflow.OfMessage.Port;
import org.splitnve.dataplane.openflow.OfMessage.PortDescReply;
import org.splitnve.dataplane.openflow.OfMessage.PortDescRequest;
import org.splitnve.dataplane.openflow.OfMessage.PortStatus;

/**
 * One OpenFlow session with a switch over a unix socket: the bridge's management socket
 * ({@code RUNDIR/BRIDGE.mgmt}) or a passive {@code punix:RUNDIR/BRIDGE.*} listener. These are OVS "service"
 * connections: they never make OVS flush its flow table (an active controller does when it is added or removed).
 *
 * <p>Requests get a fresh xid each; one reader thread (platform, daemon) decodes what the switch sends, answers its
 * echo requests, and completes the request waiting for that xid. The switch's refusals come back as typed results
 * ({@link Outcome.Refused}), never as exceptions; the connection's own failures (closed, timed out, a message we cannot
 * decode) as {@link Outcome.Failed}. Writes are serialised by a lock; any thread may call.
 */
public final class OfConnection implements AutoCloseable {
    /** Versions we offer in HELLO: 1.3 and 1.4 (bundles). */
    private static final int OFFERED = (1 << OfCodec.V1_3) | (1 << OfCodec.V1_4);

    /** The result of a request: what the switch answered, its refusal, or why no answer came. */
    public sealed interface Outcome<T> {
        record Ok<T>(T value) implements Outcome<T> {
        }

        record Refused<T>(List<ErrorMessage> errors) implements Outcome<T> {
        }

        record Failed<T>(String reason) implements Outcome<T> {
        }
    }

    private final SocketChannel channel;
    private final Path path;
    private final ReentrantLock writeLock = new ReentrantLock();
    /** One bundle at a time (it owns {@link #sink} and {@link #bundleErrors}). */
    private final ReentrantLock bundleLock = new ReentrantLock();
    private final AtomicInteger nextXid = new AtomicInteger(1);
    private final Map<Integer, Waiter> waiting = new ConcurrentHashMap<>();
    private final Thread reader;
    private final OfCodec.Sink sink = new OfCodec.Sink();
    private volatile int version;
    private volatile long datapathId;
    private volatile String closedBecause;
    private final CompletableFuture<String> closed = new CompletableFuture<>();
    /** A bundle in flight collects the errors of its staged messages (xid range) here. */
    private volatile BundleErrors bundleErrors;

    private record BundleErrors(int firstXid, int lastXid, List<ErrorMessage> errors) {
    }

    /** A request waiting for its reply; multipart replies (flows, ports) accumulate until the last part. */
    private static final class Waiter {
        final CompletableFuture<Object> future = new CompletableFuture<>();
        final List<Object> parts = new ArrayList<>();

        void part(boolean more, List<?> items) {
            parts.addAll(items);
            if (!more) {
                future.complete(List.copyOf(parts));
            }
        }
    }

    /** Who hears the switch's port status messages (a port added, deleted or changed), if anyone. */
    private volatile java.util.function.Consumer<PortStatus> portListener;

    private OfConnection(SocketChannel channel, Path path) {
        this.channel = channel;
        this.path = path;
        this.reader = Thread.ofPlatform().daemon().name("openflow-" + path.getFileName()).unstarted(this::readLoop);
    }

    /**
     * Connects, exchanges HELLO (1.4 must be common: bundles need it) and FEATURES. Throws {@link IOException} if the
     * socket is not there or the switch does not answer within {@code timeout}.
     */
    public static OfConnection open(Path socket, Duration timeout) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot connect to " + socket + ": " + e.getMessage(), e);
        }
        OfConnection c = new OfConnection(ch, socket);
        c.version = OfCodec.V1_4;
        CompletableFuture<Object> hello = new CompletableFuture<>();
        c.helloFuture = hello;
        c.reader.start();
        try {
            c.write(OfCodec.encode(OfCodec.V1_4, new Hello(0, OFFERED)));
            Object h = hello.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            int theirs = (Integer) h;
            if (theirs < OfCodec.V1_4) {
                throw new IOException(socket + ": the switch offers OpenFlow wire version " + theirs
                        + "; bundles need 1.4 (0x05): add OpenFlow14 to the bridge's protocols");
            }
            Outcome<OfMessage> f = c.request(new FeaturesRequest(c.xid()), timeout);
            if (!(f instanceof Outcome.Ok<OfMessage>(FeaturesReply fr))) {
                throw new IOException(socket + ": no FEATURES_REPLY: " + f);
            }
            c.datapathId = fr.datapathId();
            return c;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            c.close();
            throw new IOException("interrupted during the OpenFlow handshake with " + socket, e);
        } catch (ExecutionException | TimeoutException | IOException | RuntimeException e) {
            c.close();
            throw e instanceof IOException io ? io
                    : new IOException(socket + ": OpenFlow handshake failed: " + e, e);
        }
    }

    private volatile CompletableFuture<Object> helloFuture;
    /** Who hears the switch's packet-ins (on the reader thread), or null: they are dropped. */
    private volatile java.util.function.Consumer<OfMessage.PacketIn> packetIns;

    /**
     * From now on every PACKET_IN the switch sends goes to {@code listener}, on this connection's reader thread (it must
     * not block). The switch sends none to a service connection before {@link OfMessage.SetConfig} asked for them.
     */
    public void onPacketIn(java.util.function.Consumer<OfMessage.PacketIn> listener) {
        packetIns = listener;
    }

    /** Sends {@code m}, which has no reply on success (SET_CONFIG, PACKET_OUT); the switch's refusal is not awaited. */
    public Outcome<OfMessage> send(OfMessage m) {
        try {
            write(OfCodec.encode(version, m));
            return new Outcome.Ok<>(m);
        } catch (IOException e) {
            return new Outcome.Failed<>("write to " + path + " failed: " + e.getMessage());
        }
    }

    public int version() {
        return version;
    }

    public long datapathId() {
        return datapathId;
    }

    public Path path() {
        return path;
    }

    public boolean isOpen() {
        return closedBecause == null && channel.isOpen();
    }

    /** A fresh transaction id (never 0: 0 is our HELLO's). */
    public int xid() {
        int x = nextXid.getAndIncrement();
        if (x == 0) {
            x = nextXid.getAndIncrement();
        }
        return x;
    }

    /** Sends {@code m} (whose xid the caller took from {@link #xid}) and waits for the reply with its xid. */
    public Outcome<OfMessage> request(OfMessage m, Duration timeout) {
        return exchange(m, timeout, OfMessage.class);
    }

    /** Registers a waiter for {@code m}'s xid, sends {@code m} and waits for the answer, of type {@code kind}. */
    private <T> Outcome<T> exchange(OfMessage m, Duration timeout, Class<?> kind) {
        Waiter w = new Waiter();
        waiting.put(m.xid(), w);
        try {
            write(OfCodec.encode(version, m));
        } catch (IOException e) {
            waiting.remove(m.xid());
            return new Outcome.Failed<>("write to " + path + " failed: " + e.getMessage());
        }
        return await(m.xid(), w, timeout, kind);
    }

    /** Echo round trip: the switch is alive and has read everything sent before. */
    public Outcome<OfMessage> echo(Duration timeout) {
        return request(new EchoRequest(xid(), Octets.EMPTY), timeout);
    }

    /** Every flow in every table (multipart flow stats, all parts). */
    public Outcome<List<FlowStats>> flows(Duration timeout) {
        return exchange(FlowStatsRequest.all(xid()), timeout, List.class);
    }

    /** Every port of the switch (multipart port description, all parts): numbers, names, MACs. */
    public Outcome<List<Port>> ports(Duration timeout) {
        return exchange(new PortDescRequest(xid()), timeout, List.class);
    }

    /**
     * {@code l} hears every port status message the switch sends from now on (on the reader thread: keep it short). OVS
     * sends them on this service connection only once asked: a SET_CONFIG with a nonzero miss_send_len (answered by a
     * barrier: the switch has taken it when this returns Ok). No flow here sends packets to a controller, so nothing
     * else comes of it.
     */
    public Outcome<OfMessage> onPortStatus(java.util.function.Consumer<PortStatus> l, Duration timeout) {
        portListener = l;
        try {
            write(OfCodec.encode(version, new OfMessage.SetConfig(xid(), 0, OfMessage.SetConfig.NO_BUFFER)));
        } catch (IOException e) {
            return new Outcome.Failed<>("write to " + path + " failed: " + e.getMessage());
        }
        return barrier(timeout);
    }

    /**
     * Applies {@code mods} as one atomic, ordered bundle (OpenFlow 1.4 OFPT_BUNDLE_*): open, every flow-mod staged and
     * a barrier in one write, then commit (or discard, if the switch refused any staged message): two round trips.
     * Either all take effect at once or none does ({@link Outcome.Refused} with the switch's errors: the staged
     * messages' and BUNDLE_FAILED). Answers the number of flow-mods applied.
     */
    public Outcome<Integer> bundle(List<FlowMod> mods, Duration timeout) {
        bundleLock.lock();
        try {
            int bundleId = xid();
            int openXid = xid();
            int flags = BundleControl.ATOMIC | BundleControl.ORDERED;
            sink.clear();
            OfCodec.encodeTo(sink, version, new BundleControl(openXid, bundleId, BundleCtrlType.OPEN_REQUEST, flags));
            int last = openXid;
            for (FlowMod m : mods) {
                int x = xid();
                last = x;
                OfCodec.encodeTo(sink, version, new BundleAdd(x, bundleId, flags, m.withXid(x)));
            }
            List<ErrorMessage> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            bundleErrors = new BundleErrors(openXid, last, errors);
            // OVS checks each staged message when it is added, answers an error for a bad one, and leaves it out of
            // the bundle: a commit would then apply the others. So a barrier follows the adds, and only a bundle
            // whose every add was accepted is committed; any refusal discards it.
            int barrierXid = xid();
            OfCodec.encodeTo(sink, version, new BarrierRequest(barrierXid));
            Waiter barrier = new Waiter();
            waiting.put(barrierXid, barrier);
            try {
                writeLocked(ByteBuffer.wrap(sink.array(), 0, sink.size()));
            } catch (IOException e) {
                waiting.remove(barrierXid);
                bundleErrors = null;
                return new Outcome.Failed<>("write to " + path + " failed: " + e.getMessage());
            }
            Outcome<OfMessage> staged = await(barrierXid, barrier, timeout, OfMessage.class);
            bundleErrors = null;
            if (staged instanceof Outcome.Failed<OfMessage> f) {
                return new Outcome.Failed<>(f.reason());
            }
            boolean refused = !errors.isEmpty() || staged instanceof Outcome.Refused;
            BundleCtrlType finish = refused ? BundleCtrlType.DISCARD_REQUEST : BundleCtrlType.COMMIT_REQUEST;
            Outcome<OfMessage> o = request(new BundleControl(xid(), bundleId, finish, flags), timeout);
            List<ErrorMessage> all = new ArrayList<>(errors);
            if (staged instanceof Outcome.Refused<OfMessage> r) {
                all.addAll(r.errors());
            }
            return switch (o) {
                case Outcome.Ok<OfMessage>(BundleControl c) when c.type() == BundleCtrlType.COMMIT_REPLY && !refused ->
                        new Outcome.Ok<>(mods.size());
                case Outcome.Ok<OfMessage> ok -> new Outcome.Refused<>(List.copyOf(all));
                case Outcome.Refused<OfMessage> r -> {
                    all.addAll(r.errors());
                    yield new Outcome.Refused<>(all);
                }
                case Outcome.Failed<OfMessage> f -> new Outcome.Failed<>(f.reason());
            };
        } finally {
            bundleLock.unlock();
        }
    }

    /** A barrier round trip: everything sent before has been processed. */
    public Outcome<OfMessage> barrier(Duration timeout) {
        return request(new BarrierRequest(xid()), timeout);
    }

    private <T> Outcome<T> await(int xid, Waiter w, Duration timeout, Class<?> kind) {
        try {
            Object v = w.future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (v instanceof ErrorMessage e) {
                return new Outcome.Refused<>(List.of(e));
            }
            @SuppressWarnings("unchecked")
            T t = (T) kind.cast(v);
            return new Outcome.Ok<>(t);
        } catch (TimeoutException e) {
            return new Outcome.Failed<>("no answer from " + path + " to xid " + xid + " in " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            return new Outcome.Failed<>(String.valueOf(e.getCause().getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Failed<>("interrupted");
        } finally {
            waiting.remove(xid);
        }
    }

    private void write(byte[] b) throws IOException {
        writeLocked(ByteBuffer.wrap(b));
    }

    private void writeLocked(ByteBuffer b) throws IOException {
        writeLock.lock();
        try {
            writeAll(b);
        } finally {
            writeLock.unlock();
        }
    }

    private void writeAll(ByteBuffer buf) throws IOException {
        if (closedBecause != null) {
            throw new IOException("connection closed: " + closedBecause);
        }
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    private void readLoop() {
        byte[] buf = new byte[1 << 17];
        int have = 0;
        ByteBuffer bb = ByteBuffer.wrap(buf);
        try {
            while (true) {
                bb.limit(buf.length).position(have);
                int n = channel.read(bb);
                if (n < 0) {
                    shut("the switch closed the connection");
                    return;
                }
                have += n;
                int off = 0;
                while (true) {
                    int len = OfCodec.frameLength(buf, off, have - off);
                    if (len < 0 || (len >= OfCodec.HEADER && have - off < len)) {
                        break;
                    }
                    if (len < OfCodec.HEADER) {
                        shut("framing lost: message length " + len);
                        return;
                    }
                    dispatch(buf, off, len);
                    off += len;
                }
                System.arraycopy(buf, off, buf, 0, have - off);
                have -= off;
            }
        } catch (IOException e) {
            shut("read failed: " + e.getMessage());
        }
    }

    private void dispatch(byte[] buf, int off, int len) throws IOException {
        Decoded d = OfCodec.decode(buf, off, len);
        switch (d) {
            case Decoded.Failed f -> {
                // A message we cannot read is reported to whoever waits for its xid; the stream stays framed.
                int xid = ((buf[off + 4] & 0xff) << 24) | ((buf[off + 5] & 0xff) << 16) | ((buf[off + 6] & 0xff) << 8)
                        | (buf[off + 7] & 0xff);
                Waiter w = waiting.get(xid);
                if (w != null) {
                    w.future.completeExceptionally(new IOException("undecodable reply: " + f.failure()));
                }
            }
            case Decoded.Ok ok -> onMessage(ok.version(), ok.message());
        }
    }

    private void onMessage(int v, OfMessage m) throws IOException {
        switch (m) {
            case Hello h -> {
                int common = h.versionBitmap() != 0 ? Integer.highestOneBit(h.versionBitmap() & OFFERED) : v;
                int agreed = common == 0 ? 0 : Integer.numberOfTrailingZeros(common);
                version = Math.min(Math.max(agreed, OfCodec.V1_3), OfCodec.V1_4);
                CompletableFuture<Object> f = helloFuture;
                if (f != null) {
                    f.complete(agreed);
                }
            }
            case EchoRequest e -> write(OfCodec.encode(version, new EchoReply(e.xid(), e.data())));
            case OfMessage.PacketIn p -> {
                java.util.function.Consumer<OfMessage.PacketIn> l = packetIns;
                if (l != null) {
                    l.accept(p);
                }
            }
            case ErrorMessage e -> {
                BundleErrors be = bundleErrors;
                if (be != null && e.xid() >= be.firstXid() && e.xid() <= be.lastXid()) {
                    be.errors().add(e);
                    return;
                }
                complete(e.xid(), e);
            }
            case FlowStatsReply r -> {
                Waiter w = waiting.get(r.xid());
                if (w != null) {
                    w.part(r.more(), r.flows());
                }
            }
            case PortDescReply r -> {
                Waiter w = waiting.get(r.xid());
                if (w != null) {
                    w.part(r.more(), r.ports());
                }
            }
            case PortStatus ps -> {
                java.util.function.Consumer<PortStatus> l = portListener;
                if (l != null) {
                    l.accept(ps);
                }
            }
            default -> complete(m.xid(), m);
        }
    }

    private void complete(int xid, Object value) {
        Waiter w = waiting.get(xid);
        if (w != null) {
            w.future.complete(value);
        }
    }

    private void shut(String why) {
        if (closedBecause == null) {
            closedBecause = why;
        }
        closed.complete(closedBecause);
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing after a failure: nothing more to do
        }
        for (Waiter w : waiting.values()) {
            w.future.completeExceptionally(new IOException(path + ": " + why));
        }
        CompletableFuture<Object> f = helloFuture;
        if (f != null) {
            f.completeExceptionally(new IOException(path + ": " + why));
        }
    }

    /** Completes, with the reason, when the connection ends (the switch restarted, closed it, or we did). */
    public CompletableFuture<String> closed() {
        return closed;
    }

    /** Why the connection ended, or null while open. */
    public String closedBecause() {
        return closedBecause;
    }

    @Override
    public void close() {
        shut("closed by us");
        try {
            reader.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
