package org.splitnve.transport;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * OPS-4: one daemon per interface. A lock on a file named after the interface's identity: its network
 * namespace (the namespace file's device and inode: the same name in two namespaces is two interfaces, two
 * names for one namespace are one) and its index there. The lock is an advisory record lock ({@code fcntl},
 * through {@link FileChannel#tryLock()}): the kernel drops it when the holder's process ends, however it
 * ends, so a crashed daemon never leaves its interface locked. The file holds the holder's description (PID
 * and what it is), so the next one can say who has the interface. Files are kept (the directory is a tmpfs,
 * emptied at boot; unlinking a lock file while another process may be opening it would let two hold it).
 *
 * <p>The directory is {@code /run/splitnve} unless the system property {@code splitnve.lockDir} names another.
 */
public final class InterfaceLock implements AutoCloseable {
    /** Where the lock files live by default. */
    public static final Path DEFAULT_DIR = Path.of("/run/splitnve");

    /** The interface is held by another daemon (or, in this JVM, by another of its ports). */
    public static final class HeldException extends IOException {
        private final String holder;

        HeldException(String message, String holder) {
            super(message);
            this.holder = holder;
        }

        /** What the holder wrote in the lock file ("pid 1234 nnve n1 ..."), or "" if unknown. */
        public String holder() {
            return holder;
        }
    }

    /** The lock files this JVM holds, and who holds each. */
    private static final java.util.concurrent.ConcurrentHashMap<Path, String> HELD =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final String interfaceLabel;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private InterfaceLock(String interfaceLabel, Path file, FileChannel channel, FileLock lock) {
        this.interfaceLabel = interfaceLabel;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    public static Path directory() {
        String d = System.getProperty("splitnve.lockDir");
        return d == null || d.isBlank() ? DEFAULT_DIR : Path.of(d);
    }

    /**
     * The identity of a network namespace: "DEV-INODE" of its namespace file ({@code null}: the JVM's own,
     * {@code /proc/self/ns/net}; a name: {@code /var/run/netns/NAME}; a path: that file).
     */
    public static String namespaceIdentity(String namespace) throws IOException {
        Path p = Path.of(namespace == null ? "/proc/self/ns/net" : Namespaces.path(namespace));
        try {
            Object dev = Files.getAttribute(p, "unix:dev");
            Object ino = Files.getAttribute(p, "unix:ino");
            return Long.toUnsignedString(((Number) dev).longValue()) + "-" + Long.toUnsignedString(((Number) ino).longValue());
        } catch (UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            throw new IOException("cannot identify network namespace " + (namespace == null ? "(own)" : namespace)
                    + " (" + p + "): " + e.getMessage(), e);
        }
    }

    /** Takes the lock of the interface a raw socket is bound to, or throws {@link HeldException}. */
    public static InterfaceLock acquire(RawSocket socket, String holder) throws IOException {
        String label = socket.namespace() == null ? socket.interfaceName() : socket.namespace() + "/" + socket.interfaceName();
        String key = "netns-" + namespaceIdentity(socket.namespace()) + "-ifindex-" + socket.interfaceIndex();
        return acquire(directory(), key, label, holder);
    }

    /** Takes the lock named {@code key} in {@code dir} for the interface {@code label}, or throws {@link HeldException}. */
    static InterfaceLock acquire(Path dir, String key, String label, String holder) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(key + ".lock").toAbsolutePath();
        String description = holder + " pid " + ProcessHandle.current().pid();
        // Record locks belong to the process, and closing any descriptor of the file drops them all: a file this
        // JVM holds is never opened a second time (another daemon in this process, or one port twice).
        String mine = HELD.putIfAbsent(file, description);
        if (mine != null) {
            throw held(label, file, mine);
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw held(label, file, read(ch));
            }
            byte[] text = (description + "\n").getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(text), 0);
            ch.force(false);
            return new InterfaceLock(label, file, ch, lock);
        } catch (IOException | RuntimeException e) {
            HELD.remove(file);
            if (ch != null) {
                ch.close();
            }
            throw e;
        }
    }

    private static HeldException held(String label, Path file, String who) {
        return new HeldException("interface " + label + " is already served by another splitnve daemon"
                + (who.isEmpty() ? "" : " (" + who + ")") + "; one daemon per interface: stop that one first"
                + " (lock " + file + ")", who);
    }

    private static String read(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(512);
            int n = ch.read(b, 0);
            return n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "";
        }
    }

    /** Takes every port's lock (raw ports only; in-memory ports need none); on a failure releases those taken. */
    public static List<InterfaceLock> acquireAll(List<? extends Port> ports, String holder) throws IOException {
        List<InterfaceLock> out = new ArrayList<>();
        try {
            for (Port p : ports) {
                if (p instanceof RawPort r) {
                    out.add(acquire(r.socket(), holder));
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            out.forEach(InterfaceLock::close);
            throw e;
        }
    }

    public String interfaceLabel() {
        return interfaceLabel;
    }

    public Path file() {
        return file;
    }

    /** Releases the lock (the file stays); twice is harmless. */
    @Override
    public synchronized void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException e) {
            // closing the channel releases it too
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to release
        }
        HELD.remove(file);
    }

    @Override
    public String toString() {
        return "lock of " + interfaceLabel + " (" + file + ")";
    }
}
