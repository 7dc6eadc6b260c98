package org.splitnve.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.splitnve.transport.Libc.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.splitnve.wire.MacAddress;

/**
 * A raw Ethernet socket on one Linux interface: {@code AF_PACKET}, {@code SOCK_RAW}, bound to every
 * EtherType, through {@link java.lang.foreign} (no JNI). Needs root or {@code CAP_NET_RAW} (and
 * {@code CAP_SYS_ADMIN} to open it inside another network namespace), and the JVM flag
 * {@code --enable-native-access=ALL-UNNAMED}.
 *
 * <p>What it hands up: whole frames without FCS, only those whose EtherType (after up to two VLAN tags)
 * is one of {@link Options#etherTypes()}; never the frames this host sends
 * ({@code PACKET_IGNORE_OUTGOING}, and the packet type checked again in Java) unless
 * {@link Options#outgoing()} (a capture wants them); not unicast frames for another station unless
 * {@link Options#promiscuous()}. The 802.1Q/802.1ad tag the kernel strips
 * before delivery is read from {@code PACKET_AUXDATA} and put back into the bytes, so a tagged frame
 * arrives as it was on the wire. Frames shorter than 60 octets are padded with zeros on send.
 *
 * <p>Threads: one thread may receive while another sends. {@link #close()} wakes a blocked receiver
 * at once (an eventfd polled beside the socket) and waits for it to leave before it frees anything.
 * Off-heap buffers are allocated once; a received frame costs one {@code byte[]} (none with
 * {@link #receive(byte[], long)}).
 */
public final class RawSocket implements AutoCloseable {
    public static final int ETHERTYPE_ECP = 0x8940;
    public static final int ETHERTYPE_LLDP = 0x88CC;
    /** Shortest frame on the wire without FCS; shorter frames are padded on send. */
    public static final int MIN_FRAME = 60;
    /** Longest frame this socket sends or hands up (tag included). */
    public static final int MAX_FRAME = 65_536;

    private static final int TPID_CTAG = 0x8100;
    private static final int TPID_STAG = 0x88A8;
    private static final ValueLayout.OfShort BE16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Where the kernel writes a frame in {@link #rx}: 4 octets in, so a recovered tag fits before it. */
    private static final long RX_DATA = 4;
    private static final long CONTROL_SIZE = 64;
    /** Receive buffer asked for (the kernel doubles it for its bookkeeping). */
    private static final int RECEIVE_BUFFER = 4 << 20;

    /**
     * What to open: the network namespace ({@code null}: the caller's; a name under
     * {@code /var/run/netns}, or a path such as {@code /proc/PID/ns/net}), the EtherTypes handed up,
     * the group addresses joined ({@code PACKET_MR_MULTICAST}, so a real NIC lets them in), and
     * whether to accept unicast frames for other stations (and put the NIC in promiscuous mode), and
     * whether to hand up the frames this host sends on the interface too (for a capture; an agent must
     * not see its own frames).
     */
    public record Options(String namespace, Set<Integer> etherTypes, Set<MacAddress> groups, boolean promiscuous,
            boolean outgoing) {
        public Options {
            Objects.requireNonNull(etherTypes, "etherTypes");
            Objects.requireNonNull(groups, "groups");
            if (etherTypes.isEmpty()) {
                throw new IllegalArgumentException("no EtherType to receive");
            }
            for (int t : etherTypes) {
                if (t < 0x0600 || t > 0xFFFF || t == TPID_CTAG || t == TPID_STAG) {
                    throw new IllegalArgumentException("not a payload EtherType: 0x" + Integer.toHexString(t));
                }
            }
            for (MacAddress g : groups) {
                if (!g.isMulticast()) {
                    throw new IllegalArgumentException("not a group address: " + g);
                }
            }
            if (namespace != null && namespace.isBlank()) {
                throw new IllegalArgumentException("blank namespace name");
            }
            etherTypes = Set.copyOf(etherTypes);
            groups = Set.copyOf(groups);
        }

        /** Without the host's own outgoing frames (what an agent wants). */
        public Options(String namespace, Set<Integer> etherTypes, Set<MacAddress> groups, boolean promiscuous) {
            this(namespace, etherTypes, groups, promiscuous, false);
        }

        /**
         * ECP (0x8940) and LLDP (0x88CC); the nearest customer bridge (01:80:C2:00:00:00, where ECP/VDP
         * and EVB LLDP go) and nearest bridge (01:80:C2:00:00:0E, plain LLDP) groups; this namespace.
         */
        public static Options defaults() {
            return new Options(null, Set.of(ETHERTYPE_ECP, ETHERTYPE_LLDP),
                    Set.of(MacAddress.NEAREST_CUSTOMER_BRIDGE, MacAddress.NEAREST_BRIDGE), false);
        }

        public Options inNamespace(String name) {
            return new Options(name, etherTypes, groups, promiscuous, outgoing);
        }

        public Options withEtherTypes(int... types) {
            Set<Integer> s = new LinkedHashSet<>();
            for (int t : types) {
                s.add(t);
            }
            return new Options(namespace, s, groups, promiscuous, outgoing);
        }

        /** These groups in addition to the ones already joined. */
        public Options joining(MacAddress... more) {
            return joining(Arrays.asList(more));
        }

        public Options joining(Collection<MacAddress> more) {
            Set<MacAddress> s = new LinkedHashSet<>(groups);
            s.addAll(more);
            return new Options(namespace, etherTypes, s, promiscuous, outgoing);
        }

        public Options withPromiscuous(boolean on) {
            return new Options(namespace, etherTypes, groups, on, outgoing);
        }

        /** Also hand up the frames this host sends on the interface (a capture sees both directions). */
        public Options withOutgoing(boolean on) {
            return new Options(namespace, etherTypes, groups, promiscuous, on);
        }
    }

    /**
     * Counters since the socket opened; {@code dropped}: frames the kernel dropped because the socket's
     * receive buffer was full (PACKET_STATISTICS), as of the last {@link #stats()}.
     */
    public record Stats(long received, long sent, long filtered, long oversized, long dropped) {}

    private final String interfaceName;
    private final int ifindex;
    private final MacAddress mac;
    private final Options options;
    private final int fd;
    private final int wakeFd;
    private final int[] etherTypes;

    private final AtomicBoolean closed = new AtomicBoolean();
    private final Arena arena = Arena.ofShared();
    private final ReentrantLock rxLock = new ReentrantLock();
    private final ReentrantLock txLock = new ReentrantLock();
    // receive side, used under rxLock
    private final MemorySegment rx;
    private final MemorySegment rxState;
    private final MemorySegment msg;
    private final MemorySegment from;
    private final MemorySegment control;
    private final MemorySegment pollFds;
    /** Where the last frame {@link #next} accepted starts in {@link #rx}. */
    private long rxStart;
    // send side, used under txLock
    private final MemorySegment tx;
    private final MemorySegment txState;

    /*
     * The counters have one writer at a time and any number of readers. received, filtered and oversized are
     * written under rxLock, sent under txLock; stats() reads them from any thread without a lock. The writer
     * reads its own field plainly (the lock orders it after the previous writer, so no update is lost) and
     * publishes the new value with a release store; stats() reads with an acquire load, so it sees each counter
     * whole and at most one update old. A release store is a plain store on x86 (a volatile write adds a full
     * fence there) and a store-release elsewhere: no dearer on the receive path than the volatile ++ it
     * replaces, and with no atomic read-modify-write, unlike AtomicLong.incrementAndGet or a LongAdder.
     */
    private long received;
    private long sent;
    private long filtered;
    private long oversized;
    private static final VarHandle RECEIVED = counter("received");
    private static final VarHandle SENT = counter("sent");
    private static final VarHandle FILTERED = counter("filtered");
    private static final VarHandle OVERSIZED = counter("oversized");
    /** Kernel drops read so far (under txLock). */
    private long dropped;

    private RawSocket(String interfaceName, Options options, Opened o) {
        this.interfaceName = interfaceName;
        this.options = options;
        this.ifindex = o.ifindex;
        this.mac = o.mac;
        this.fd = o.fd;
        this.wakeFd = o.wakeFd;
        this.etherTypes = options.etherTypes().stream().mapToInt(Integer::intValue).sorted().toArray();
        rx = arena.allocate(RX_DATA + MAX_FRAME, 8);
        rxState = newState(arena);
        from = arena.allocate(SOCKADDR_LL_SIZE, 8);
        control = arena.allocate(CONTROL_SIZE, 8);
        MemorySegment iov = arena.allocate(IOVEC_SIZE, 8);
        iov.set(ADDRESS, 0, rx.asSlice(RX_DATA));
        iov.set(JAVA_LONG, 8, MAX_FRAME);
        msg = arena.allocate(MSGHDR_SIZE, 8);
        msg.set(ADDRESS, MSG_NAME, from);
        msg.set(ADDRESS, MSG_IOV, iov);
        msg.set(JAVA_LONG, MSG_IOVLEN, 1);
        msg.set(ADDRESS, MSG_CONTROL, control);
        pollFds = arena.allocate(2 * POLLFD_SIZE, 8);
        pollFds.set(JAVA_INT, 0, fd);
        pollFds.set(JAVA_SHORT, 4, POLLIN);
        pollFds.set(JAVA_INT, POLLFD_SIZE, wakeFd);
        pollFds.set(JAVA_SHORT, POLLFD_SIZE + 4, POLLIN);
        tx = arena.allocate(MAX_FRAME, 8);
        txState = newState(arena);
    }

    /** Opens a socket on {@code interfaceName} in this namespace with the {@link Options#defaults()}. */
    public static RawSocket open(String interfaceName) throws IOException {
        return open(interfaceName, Options.defaults());
    }

    /**
     * Opens a socket on {@code interfaceName}. With a namespace, a fresh platform thread enters it
     * ({@code setns}), opens and binds the socket, reads the MAC, and goes back; the socket stays in that
     * namespace.
     */
    public static RawSocket open(String interfaceName, Options options) throws IOException {
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(options, "options");
        if (interfaceName.isEmpty() || interfaceName.length() >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface names have 1 to 15 characters: '" + interfaceName + "'");
        }
        Opened o = options.namespace() == null
                ? openHere(interfaceName, options)
                : Namespaces.inside(options.namespace(), () -> openHere(interfaceName, options));
        return new RawSocket(interfaceName, options, o);
    }

    private record Opened(int fd, int wakeFd, int ifindex, MacAddress mac) {}

    private static Opened openHere(String name, Options options) throws IOException {
        String where = options.namespace() == null ? name : name + " in namespace " + options.namespace();
        int fd = -1;
        int wakeFd = -1;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = newState(a);
            int ifindex = (int) IF_NAMETOINDEX.invokeExact(st, a.allocateFrom(name));
            if (ifindex == 0) {
                throw failure("no interface " + where, errno(st));
            }
            // Protocol 0 receives nothing until bind: no frame of another interface slips in meanwhile.
            fd = (int) SOCKET.invokeExact(st, AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                throw failure("socket(AF_PACKET, SOCK_RAW) for " + where, errno(st));
            }
            int e = setInt(a, st, fd, SOL_PACKET, PACKET_AUXDATA, 1);
            if (e != 0) {
                throw failure("setsockopt(PACKET_AUXDATA) on " + where, e);
            }
            // Older kernels lack it (ENOPROTOOPT): the packet type is checked in Java as well.
            e = options.outgoing() ? 0 : setInt(a, st, fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
            if (e != 0 && e != ENOPROTOOPT) {
                throw failure("setsockopt(PACKET_IGNORE_OUTGOING) on " + where, e);
            }
            // Room for a burst while the engine is busy: the socket buffer is the receive queue when the
            // engine thread reads the socket itself (AgentRunner). 4 MiB where allowed (CAP_NET_ADMIN),
            // else what net.core.rmem_max lets SO_RCVBUF have; best effort.
            if (setInt(a, st, fd, SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER) != 0) {
                setInt(a, st, fd, SOL_SOCKET, SO_RCVBUF, RECEIVE_BUFFER);
            }
            MemorySegment sll = a.allocate(SOCKADDR_LL_SIZE, 8);
            sll.set(JAVA_SHORT, 0, (short) AF_PACKET);
            sll.set(BE16, SLL_PROTOCOL, (short) ETH_P_ALL);
            sll.set(JAVA_INT, SLL_IFINDEX, ifindex);
            if ((int) BIND.invokeExact(st, fd, sll, (int) SOCKADDR_LL_SIZE) != 0) {
                throw failure("bind(ETH_P_ALL) on " + where, errno(st));
            }
            for (MacAddress g : options.groups()) {
                membership(a, st, fd, ifindex, PACKET_MR_MULTICAST, g, where);
            }
            if (options.promiscuous()) {
                membership(a, st, fd, ifindex, PACKET_MR_PROMISC, null, where);
            }
            MemorySegment ifr = a.allocate(IFREQ_SIZE, 8);
            ifr.setString(0, name);
            if ((int) IOCTL.invokeExact(st, fd, SIOCGIFHWADDR, ifr) != 0) {
                throw failure("ioctl(SIOCGIFHWADDR) on " + where, errno(st));
            }
            int family = Short.toUnsignedInt(ifr.get(JAVA_SHORT, IFR_HWADDR_FAMILY));
            if (family != ARPHRD_ETHER) {
                throw new IOException(where + " is not an Ethernet interface (ARPHRD " + family + ")");
            }
            MacAddress mac = MacAddress.of(ifr.asSlice(IFR_HWADDR_DATA, 6).toArray(JAVA_BYTE));
            wakeFd = (int) EVENTFD.invokeExact(st, 0, EFD_CLOEXEC | EFD_NONBLOCK);
            if (wakeFd < 0) {
                throw failure("eventfd for " + where, errno(st));
            }
            return new Opened(fd, wakeFd, ifindex, mac);
        } catch (Throwable t) {
            closeQuietly(fd);
            closeQuietly(wakeFd);
            if (t instanceof IOException e) {
                throw e;
            }
            throw unexpected("opening a raw socket on " + where, t);
        }
    }

    /** setsockopt with an int value: 0, or the errno. */
    private static int setInt(Arena a, MemorySegment st, int fd, int level, int option, int value) throws Throwable {
        MemorySegment v = a.allocateFrom(JAVA_INT, value);
        return (int) SETSOCKOPT.invokeExact(st, fd, level, option, v, 4) == 0 ? 0 : errno(st);
    }

    private static void membership(Arena a, MemorySegment st, int fd, int ifindex, int type, MacAddress group,
            String where) throws Throwable {
        MemorySegment mr = a.allocate(PACKET_MREQ_SIZE, 8);
        mr.set(JAVA_INT, 0, ifindex);
        mr.set(JAVA_SHORT, 4, (short) type);
        if (group != null) {
            mr.set(JAVA_SHORT, 6, (short) 6);
            MemorySegment.copy(group.toBytes(), 0, mr, JAVA_BYTE, 8, 6);
        }
        if ((int) SETSOCKOPT.invokeExact(st, fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, mr, (int) PACKET_MREQ_SIZE) != 0) {
            throw failure("PACKET_ADD_MEMBERSHIP " + (group == null ? "promiscuous" : group) + " on " + where,
                    errno(st));
        }
    }

    /** Joins one more group address (a real NIC filters the groups nobody asked for). */
    public void join(MacAddress group) throws IOException {
        if (!group.isMulticast()) {
            throw new IllegalArgumentException("not a group address: " + group);
        }
        txLock.lock();
        try {
            ensureOpen();
            try (Arena a = Arena.ofConfined()) {
                membership(a, newState(a), fd, ifindex, PACKET_MR_MULTICAST, group, describe());
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                throw unexpected("joining " + group, t);
            }
        } finally {
            txLock.unlock();
        }
    }

    /**
     * The most stations a source filter names: five classic BPF instructions each, under the kernel's limit of
     * 4,096 instructions per program.
     */
    public static final int MAX_FILTERED_SOURCES = 800;

    private static final short BPF_LD_H_ABS = 0x28;
    private static final short BPF_LD_W_ABS = 0x20;
    private static final short BPF_JEQ_K = 0x15;
    private static final short BPF_RET_K = 0x06;
    /** A filter's "keep the whole frame" (the kernel keeps at most the frame's length). */
    private static final int BPF_ACCEPT = -1;

    /**
     * Hands up only the frames whose source MAC is one of {@code sources} ({@code include}), or only those whose
     * source is none of them ({@code !include}). The kernel runs the filter (a classic BPF program) before a frame
     * takes room in this socket's receive buffer, so frames filtered out never crowd the ones let through; a new
     * filter replaces the last one at once. With {@code include}, an empty set lets nothing through; without, an
     * empty set lets everything through.
     *
     * @throws IllegalArgumentException for more than {@link #MAX_FILTERED_SOURCES} sources
     */
    public void filterSources(Collection<MacAddress> sources, boolean include) throws IOException {
        if (sources.size() > MAX_FILTERED_SOURCES) {
            throw new IllegalArgumentException(sources.size() + " sources, at most " + MAX_FILTERED_SOURCES);
        }
        long[] program = sourceProgram(sources, include);
        txLock.lock();
        try {
            ensureOpen();
            try (Arena a = Arena.ofConfined()) {
                MemorySegment st = newState(a);
                MemorySegment filter = a.allocate(program.length * SOCK_FILTER_SIZE, 8);
                for (int i = 0; i < program.length; i++) {
                    filter.set(JAVA_LONG, i * SOCK_FILTER_SIZE, program[i]);
                }
                MemorySegment fprog = a.allocate(SOCK_FPROG_SIZE, 8);
                fprog.set(JAVA_SHORT, 0, (short) program.length);
                fprog.set(ADDRESS, 8, filter);
                if ((int) SETSOCKOPT.invokeExact(st, fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, (int) SOCK_FPROG_SIZE) != 0) {
                    throw failure("setsockopt(SO_ATTACH_FILTER) of " + sources.size() + " sources on " + describe(),
                            errno(st));
                }
            } catch (IOException e) {
                throw e;
            } catch (Throwable t) {
                throw unexpected("filtering sources on " + describe(), t);
            }
        } finally {
            txLock.unlock();
        }
    }

    /**
     * The filter of {@link #filterSources}: per source, five instructions (load the source's last two octets,
     * compare, load its first four, compare, return "match"), then "no match". Each instruction as the 8 octets
     * of a {@code struct sock_filter} on a little-endian machine: code, jt, jf, k.
     */
    static long[] sourceProgram(Collection<MacAddress> sources, boolean include) {
        int match = include ? BPF_ACCEPT : 0;
        int noMatch = include ? 0 : BPF_ACCEPT;
        long[] p = new long[5 * sources.size() + 1];
        int i = 0;
        for (MacAddress m : sources) {
            long v = m.value();
            p[i++] = instruction(BPF_LD_H_ABS, 0, 0, 10);
            p[i++] = instruction(BPF_JEQ_K, 0, 3, (int) (v & 0xFFFF)); // not this source: the next one's block
            p[i++] = instruction(BPF_LD_W_ABS, 0, 0, 6);
            p[i++] = instruction(BPF_JEQ_K, 0, 1, (int) (v >>> 16));
            p[i++] = instruction(BPF_RET_K, 0, 0, match);
        }
        p[i] = instruction(BPF_RET_K, 0, 0, noMatch);
        return p;
    }

    private static long instruction(short code, int jt, int jf, int k) {
        return (code & 0xFFFFL) | (long) (jt & 0xFF) << 16 | (long) (jf & 0xFF) << 24 | (k & 0xFFFF_FFFFL) << 32;
    }

    public String interfaceName() {
        return interfaceName;
    }

    public int interfaceIndex() {
        return ifindex;
    }

    /** The namespace it was opened in, as given; {@code null}: the JVM's. */
    public String namespace() {
        return options.namespace();
    }

    /** The interface's MAC address when the socket opened ({@code SIOCGIFHWADDR}). */
    public MacAddress mac() {
        return mac;
    }

    private static VarHandle counter(String field) {
        try {
            return MethodHandles.lookup().findVarHandle(RawSocket.class, field, long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public Options options() {
        return options;
    }

    /** The counters; asks the kernel for its drops (any thread). */
    public Stats stats() {
        return new Stats((long) RECEIVED.getAcquire(this), (long) SENT.getAcquire(this),
                (long) FILTERED.getAcquire(this), (long) OVERSIZED.getAcquire(this), kernelDrops());
    }

    private long kernelDrops() {
        txLock.lock();
        try {
            if (!closed.get()) {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment st = newState(a);
                    MemorySegment v = a.allocate(8, 4);
                    MemorySegment len = a.allocateFrom(JAVA_INT, 8);
                    if ((int) GETSOCKOPT.invokeExact(st, fd, SOL_PACKET, PACKET_STATISTICS, v, len) == 0) {
                        dropped += Integer.toUnsignedLong(v.get(JAVA_INT, 4));
                    }
                } catch (Throwable ignored) {
                    // the count stays as it was
                }
            }
            return dropped;
        } finally {
            txLock.unlock();
        }
    }

    /** The socket's descriptor, for a {@link Poller} (package-private: nothing else reads from it). */
    int fd() {
        return fd;
    }

    public boolean isOpen() {
        return !closed.get();
    }

    public void send(byte[] frame) throws IOException {
        send(frame, 0, frame.length);
    }

    /** Sends {@code frame[offset, offset+length)} as it is (a tag is written into the bytes), padded to 60 octets. */
    public void send(byte[] frame, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, frame.length);
        if (length < 14 || length > MAX_FRAME) {
            throw new IllegalArgumentException("a frame of " + length + " octets");
        }
        txLock.lock();
        try {
            ensureOpen();
            MemorySegment.copy(frame, offset, tx, JAVA_BYTE, 0, length);
            long n = length;
            if (n < MIN_FRAME) {
                tx.asSlice(n, MIN_FRAME - n).fill((byte) 0);
                n = MIN_FRAME;
            }
            long r;
            do {
                r = (long) SEND.invokeExact(txState, fd, tx, n, 0);
            } while (r < 0 && errno(txState) == EINTR);
            if (r < 0) {
                throw failure("send on " + describe(), errno(txState));
            }
            SENT.setRelease(this, sent + 1);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("send on " + describe(), t);
        } finally {
            txLock.unlock();
        }
    }

    /**
     * The next frame, in a new array of its length; {@code null} when none came within
     * {@code timeoutMillis} (0: only one already there; negative: wait for ever).
     *
     * @throws ClosedChannelException when the socket is or gets closed
     */
    public byte[] receive(long timeoutMillis) throws IOException {
        rxLock.lock();
        try {
            int n = next(timeoutMillis, Integer.MAX_VALUE);
            if (n == 0) {
                return null;
            }
            byte[] frame = new byte[n];
            MemorySegment.copy(rx, JAVA_BYTE, rxStart, frame, 0, n);
            return frame;
        } finally {
            rxLock.unlock();
        }
    }

    /**
     * The next frame into {@code dst} from index 0: its length, 0 when none came within
     * {@code timeoutMillis}. Frames longer than {@code dst} are skipped (counted as oversized).
     */
    public int receive(byte[] dst, long timeoutMillis) throws IOException {
        rxLock.lock();
        try {
            int n = next(timeoutMillis, dst.length);
            if (n > 0) {
                MemorySegment.copy(rx, JAVA_BYTE, rxStart, dst, 0, n);
            }
            return n;
        } finally {
            rxLock.unlock();
        }
    }

    /** Under rxLock: waits for an accepted frame of at most {@code max} octets; its length, or 0. */
    private int next(long timeoutMillis, int max) throws IOException {
        long deadline = timeoutMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            while (true) {
                ensureOpen();
                msg.set(JAVA_INT, MSG_NAMELEN, (int) SOCKADDR_LL_SIZE);
                msg.set(JAVA_LONG, MSG_CONTROLLEN, CONTROL_SIZE);
                long r = (long) RECVMSG.invokeExact(rxState, fd, msg, MSG_DONTWAIT | MSG_TRUNC);
                if (r >= 0) {
                    int n = accept(r, max);
                    if (n > 0) {
                        RECEIVED.setRelease(this, received + 1);
                        return n;
                    }
                    continue;
                }
                int e = errno(rxState);
                if (e == EINTR) {
                    continue;
                }
                if (e != EAGAIN) {
                    throw failure("recvmsg on " + describe(), e);
                }
                long left = deadline == Long.MAX_VALUE ? -1 : deadline - System.nanoTime();
                if (deadline != Long.MAX_VALUE && left <= 0) {
                    return 0;
                }
                int ms = left < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left + 999_999));
                pollFds.set(JAVA_SHORT, 6, (short) 0);
                pollFds.set(JAVA_SHORT, POLLFD_SIZE + 6, (short) 0);
                int p = (int) POLL.invokeExact(rxState, pollFds, 2L, ms);
                if (p < 0 && errno(rxState) != EINTR) {
                    throw failure("poll on " + describe(), errno(rxState));
                }
                if (p > 0 && pollFds.get(JAVA_SHORT, POLLFD_SIZE + 6) != 0) {
                    throw new AsynchronousCloseException();
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw unexpected("recvmsg on " + describe(), t);
        }
    }

    /**
     * Looks at the frame recvmsg just wrote at {@link #RX_DATA}: its length if it is handed up
     * (with the tag the kernel stripped back in place, {@link #rxStart} set), else 0.
     */
    private int accept(long got, int max) {
        int flags = msg.get(JAVA_INT, MSG_FLAGS);
        int type = from.get(JAVA_BYTE, SLL_PKTTYPE) & 0xFF;
        if ((type == PACKET_OUTGOING && !options.outgoing()) || (type == PACKET_OTHERHOST && !options.promiscuous())) {
            return 0;
        }
        if (got < 14 || (flags & MSG_TRUNC) != 0 || got > MAX_FRAME) {
            if (got >= 14) {
                OVERSIZED.setRelease(this, oversized + 1);
            }
            return 0;
        }
        long start = RX_DATA;
        long len = got;
        long aux = auxdata();
        if (aux >= 0) {
            int status = control.get(JAVA_INT, aux + AUX_STATUS);
            if ((status & TP_STATUS_VLAN_VALID) != 0) {
                int tci = Short.toUnsignedInt(control.get(JAVA_SHORT, aux + AUX_VLAN_TCI));
                int tpid = (status & TP_STATUS_VLAN_TPID_VALID) != 0
                        ? Short.toUnsignedInt(control.get(JAVA_SHORT, aux + AUX_VLAN_TPID)) : TPID_CTAG;
                // destination and source move 4 octets forward; the tag goes between them and the rest
                MemorySegment.copy(rx, RX_DATA, rx, 0, 12);
                rx.set(BE16, 12, (short) tpid);
                rx.set(BE16, 14, (short) tci);
                start = 0;
                len += 4;
            }
        }
        int etherType = Short.toUnsignedInt(rx.get(BE16, start + 12));
        long at = start + 14;
        for (int tags = 0; (etherType == TPID_CTAG || etherType == TPID_STAG) && tags < 2; tags++) {
            if (at + 4 > start + len) {
                break;
            }
            etherType = Short.toUnsignedInt(rx.get(BE16, at + 2));
            at += 4;
        }
        if (Arrays.binarySearch(etherTypes, etherType) < 0) {
            FILTERED.setRelease(this, filtered + 1);
            return 0;
        }
        if (len > max) {
            OVERSIZED.setRelease(this, oversized + 1);
            return 0;
        }
        rxStart = start;
        return (int) len;
    }

    /** Offset in {@link #control} of the tpacket_auxdata, or -1. */
    private long auxdata() {
        long total = msg.get(JAVA_LONG, MSG_CONTROLLEN);
        long off = 0;
        while (off + CMSG_HDR <= total) {
            long len = control.get(JAVA_LONG, off);
            if (len < CMSG_HDR) {
                return -1;
            }
            if (control.get(JAVA_INT, off + 8) == SOL_PACKET && control.get(JAVA_INT, off + 12) == PACKET_AUXDATA
                    && len >= CMSG_HDR + AUXDATA_SIZE && off + CMSG_HDR + AUXDATA_SIZE <= CONTROL_SIZE) {
                return off + CMSG_HDR;
            }
            off += (len + 7) & ~7L;
        }
        return -1;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed.get()) {
            throw new ClosedChannelException();
        }
    }

    private String describe() {
        return options.namespace() == null ? interfaceName : interfaceName + " in namespace " + options.namespace();
    }

    /**
     * Closes the socket. A thread blocked in {@code receive} wakes at once and gets an
     * {@link AsynchronousCloseException}; the descriptors and buffers are freed once no call uses them.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try (Arena a = Arena.ofConfined()) {
            long _ = (long) WRITE.invokeExact(newState(a), wakeFd, a.allocateFrom(JAVA_LONG, 1L), 8L);
        } catch (Throwable ignored) {
            // the receiver then notices at its next timeout
        }
        rxLock.lock();
        txLock.lock();
        try {
            closeQuietly(fd);
            closeQuietly(wakeFd);
            arena.close();
        } finally {
            txLock.unlock();
            rxLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "RawSocket[" + describe() + ", " + mac + "]";
    }
}
