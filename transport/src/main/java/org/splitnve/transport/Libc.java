package org.splitnve.transport;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Map;

/**
 * The libc calls of the raw-Ethernet transport, as {@link java.lang.foreign} downcalls, with the
 * Linux x86-64/aarch64 constants and structure offsets they need. Every call that can fail
 * captures {@code errno} into a state segment the caller owns ({@link #newState}), so a thread
 * never reads another thread's errno.
 */
@SuppressWarnings("restricted") // the point of this class; the JVM needs --enable-native-access
final class Libc {
    private Libc() {}

    // socket(2), packet(7)
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int ETH_P_ALL = 0x0003;
    static final int SOL_SOCKET = 1;
    static final int SOL_PACKET = 263;
    static final int PACKET_ADD_MEMBERSHIP = 1;
    static final int PACKET_MR_MULTICAST = 0;
    static final int PACKET_MR_PROMISC = 1;
    static final int PACKET_AUXDATA = 8;
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int SO_RCVBUF = 8;
    /** As SO_RCVBUF, past net.core.rmem_max (needs CAP_NET_ADMIN). */
    static final int SO_RCVBUFFORCE = 33;
    /** A classic BPF program (struct sock_fprog) run on each frame before it is queued to the socket. */
    static final int SO_ATTACH_FILTER = 26;
    /** struct sock_fprog: an unsigned short length, padding, a pointer to the struct sock_filter array. */
    static final long SOCK_FPROG_SIZE = 16;
    /** struct sock_filter: u16 code, u8 jt, u8 jf, u32 k. */
    static final long SOCK_FILTER_SIZE = 8;
    /** getsockopt: struct tpacket_stats {u32 tp_packets; u32 tp_drops}, counted since the last read. */
    static final int PACKET_STATISTICS = 6;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;
    /** sll_pkttype values. */
    static final int PACKET_HOST = 0;
    static final int PACKET_OTHERHOST = 3;
    static final int PACKET_OUTGOING = 4;
    /** tpacket_auxdata.tp_status bits. */
    static final int TP_STATUS_VLAN_VALID = 1 << 4;
    static final int TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    // ioctl(2), netdevice(7)
    static final long SIOCGIFHWADDR = 0x8927;
    static final int ARPHRD_ETHER = 1;
    static final int IFNAMSIZ = 16;
    // open(2), setns(2), eventfd(2), poll(2)
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;
    static final int EFD_CLOEXEC = 0x80000;
    static final int EFD_NONBLOCK = 0x800;
    static final short POLLIN = 1;
    // errno
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int ENOPROTOOPT = 92;

    /** struct sockaddr_ll: family u16, protocol be16, ifindex i32, hatype u16, pkttype u8, halen u8, addr[8]. */
    static final long SOCKADDR_LL_SIZE = 20;
    static final long SLL_PROTOCOL = 2;
    static final long SLL_IFINDEX = 4;
    static final long SLL_PKTTYPE = 10;
    /** struct packet_mreq: ifindex i32, type u16, alen u16, address[8]. */
    static final long PACKET_MREQ_SIZE = 16;
    /** struct ifreq: name[16], then the union; ifr_hwaddr is a struct sockaddr (family u16, data[14]). */
    static final long IFREQ_SIZE = 40;
    static final long IFR_HWADDR_FAMILY = 16;
    static final long IFR_HWADDR_DATA = 18;
    /** struct msghdr (64-bit): name ptr, namelen u32 (+4), iov ptr, iovlen, control ptr, controllen, flags i32 (+4). */
    static final long MSGHDR_SIZE = 56;
    static final long MSG_NAME = 0;
    static final long MSG_NAMELEN = 8;
    static final long MSG_IOV = 16;
    static final long MSG_IOVLEN = 24;
    static final long MSG_CONTROL = 32;
    static final long MSG_CONTROLLEN = 40;
    static final long MSG_FLAGS = 48;
    /** struct iovec: base ptr, len. */
    static final long IOVEC_SIZE = 16;
    /** struct cmsghdr (64-bit): len size_t, level i32, type i32, then data. */
    static final long CMSG_HDR = 16;
    /** struct tpacket_auxdata: status u32, len u32, snaplen u32, mac u16, net u16, vlan_tci u16, vlan_tpid u16. */
    static final long AUX_STATUS = 0;
    static final long AUX_VLAN_TCI = 16;
    static final long AUX_VLAN_TPID = 18;
    static final long AUXDATA_SIZE = 20;
    /** struct pollfd: fd i32, events i16, revents i16. */
    static final long POLLFD_SIZE = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle STATE_ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    static final MethodHandle SOCKET = errno("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle BIND = errno("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle SETSOCKOPT =
            errno("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle GETSOCKOPT =
            errno("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    static final MethodHandle SEND = errno("send", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    static final MethodHandle RECVMSG = errno("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    static final MethodHandle POLL = errno("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    static final MethodHandle WRITE = errno("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    static final MethodHandle READ = errno("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    static final MethodHandle EVENTFD = errno("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    static final MethodHandle CLOSE = errno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    static final MethodHandle IF_NAMETOINDEX = errno("if_nametoindex", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    /** ioctl(int, unsigned long, ...): the third argument is variadic. */
    static final MethodHandle IOCTL = errno("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));
    /** open(const char *, int, ...): the mode is variadic. */
    static final MethodHandle OPEN = errno("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    static final MethodHandle SETNS = errno("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** glibc's strerror_r is the GNU one: it returns the message (maybe not in the buffer). */
    private static final MethodHandle STRERROR_R = LINKER.defaultLookup().find("strerror_r")
            .map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG)))
            .orElse(null);

    private static MethodHandle errno(String name, FunctionDescriptor fd, Linker.Option... more) {
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = ERRNO;
        System.arraycopy(more, 0, options, 1, more.length);
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name + "()"));
        return LINKER.downcallHandle(symbol, fd, options);
    }

    /** A segment that receives errno of the calls it is passed to. */
    static MemorySegment newState(Arena arena) {
        return arena.allocate(STATE);
    }

    static int errno(MemorySegment state) {
        return (int) STATE_ERRNO.get(state, 0L);
    }

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(4, "EINTR"), Map.entry(5, "EIO"),
            Map.entry(6, "ENXIO"), Map.entry(9, "EBADF"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"),
            Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"), Map.entry(16, "EBUSY"), Map.entry(19, "ENODEV"),
            Map.entry(22, "EINVAL"), Map.entry(23, "ENFILE"), Map.entry(24, "EMFILE"), Map.entry(90, "EMSGSIZE"),
            Map.entry(92, "ENOPROTOOPT"), Map.entry(93, "EPROTONOSUPPORT"), Map.entry(95, "EOPNOTSUPP"),
            Map.entry(97, "EAFNOSUPPORT"), Map.entry(100, "ENETDOWN"), Map.entry(105, "ENOBUFS"));

    /** {@code ENODEV (No such device)}. */
    static String describe(int errno) {
        String name = NAMES.getOrDefault(errno, "errno " + errno);
        String text = strerror(errno);
        return text == null ? name : name + " (" + text + ")";
    }

    private static String strerror(int errno) {
        if (STRERROR_R == null) {
            return null;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(256);
            MemorySegment msg = (MemorySegment) STRERROR_R.invokeExact(errno, buf, 256L);
            return msg.equals(MemorySegment.NULL) ? null : msg.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return null;
        }
    }

    /** An IOException for a failed call: {@code what: ENODEV (No such device)} plus a hint for the usual causes. */
    static IOException failure(String what, int errno) {
        String hint = switch (errno) {
            case 1, 13 -> ": raw sockets and network namespaces need root or CAP_NET_RAW/CAP_SYS_ADMIN";
            case 100 -> ": is the interface up?";
            default -> "";
        };
        return new IOException(what + ": " + describe(errno) + hint);
    }

    /** Wraps what a downcall threw (a bug, not an OS error) so callers deal with IOException only. */
    static IOException unexpected(String what, Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof RuntimeException r) {
            throw r;
        }
        return new IOException(what + ": " + t, t);
    }

    static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            int _ = (int) CLOSE.invokeExact(newState(arena), fd);
        } catch (Throwable ignored) {
            // nothing to do: the descriptor is gone either way
        }
    }
}
