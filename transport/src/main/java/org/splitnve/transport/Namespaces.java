package org.splitnve.transport;

import static org.splitnve.transport.Libc.*;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Runs code inside a Linux network namespace, on a platform thread of its own. */
final class Namespaces {
    private Namespaces() {}

    @FunctionalInterface
    interface IoCallable<T> {
        T call() throws IOException;
    }

    /** {@code /var/run/netns/NAME} for a name, the argument itself for a path. */
    static String path(String namespace) {
        return namespace.indexOf('/') >= 0 ? namespace : "/var/run/netns/" + namespace;
    }

    /**
     * Calls {@code body} on a new platform thread that has entered {@code namespace} (setns), then
     * returns that thread to the JVM's namespace and lets it end. Sockets opened by {@code body}
     * stay in the namespace. Other threads are not affected.
     */
    static <T> T inside(String namespace, IoCallable<T> body) throws IOException {
        String path = path(namespace);
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = Thread.ofPlatform().name("netns " + namespace).unstarted(() -> {
            try {
                result[0] = enterAndCall(namespace, path, body);
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the thread is about to finish; what it opened must not leak
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure[0] != null) {
            switch (failure[0]) {
                case IOException e -> throw new IOException(e.getMessage(), e);
                case RuntimeException e -> throw e;
                case Error e -> throw e;
                default -> throw new IOException(failure[0]);
            }
        }
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    private static <T> T enterAndCall(String namespace, String path, IoCallable<T> body) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = newState(a);
            int self = (int) OPEN.invokeExact(st, a.allocateFrom("/proc/thread-self/ns/net"), O_RDONLY | O_CLOEXEC, 0);
            if (self < 0) {
                throw failure("open /proc/thread-self/ns/net", errno(st));
            }
            int target = -1;
            try {
                target = (int) OPEN.invokeExact(st, a.allocateFrom(path), O_RDONLY | O_CLOEXEC, 0);
                if (target < 0) {
                    throw failure("network namespace " + namespace + " (" + path + ")", errno(st));
                }
                if ((int) SETNS.invokeExact(st, target, CLONE_NEWNET) != 0) {
                    throw failure("setns into network namespace " + namespace, errno(st));
                }
                try {
                    return body.call();
                } finally {
                    // Best effort: this thread ends right after, so a failure here harms no one.
                    int _ = (int) SETNS.invokeExact(st, self, CLONE_NEWNET);
                }
            } finally {
                closeQuietly(target);
                closeQuietly(self);
            }
        }
    }
}
