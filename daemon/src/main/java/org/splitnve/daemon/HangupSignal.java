package org.splitnve.daemon;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;

/**
 * SIGHUP for the daemons' reload (OPS-5). The JDK has no public API for SIGHUP: {@code sun.misc.Signal} of the
 * module {@code jdk.unsupported} is its supported home (JEP 260), and this class is the one place that uses it.
 * It is looked up by name rather than compiled against: javac warns about every reference to it ("internal
 * proprietary API"), a warning neither {@code @SuppressWarnings} nor an {@code -Xlint} option can turn off, and
 * the daemon module compiles with {@code -Werror}. The lookup failing (a JDK without {@code jdk.unsupported})
 * is reported like a signal that cannot be handled.
 */
final class HangupSignal {
    private HangupSignal() {}

    /**
     * Runs {@code action} on each SIGHUP (on a thread of the JVM's signal dispatcher) instead of the JVM's default,
     * which ends the process.
     *
     * @throws IllegalArgumentException if the signal cannot be handled (the JVM runs with {@code -Xrs}, or uses it)
     * @throws UnsupportedOperationException if the JDK cannot handle signals at all (or has no sun.misc.Signal)
     */
    static void handle(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object hup = signal.getConstructor(String.class).newInstance("HUP");
            // a SignalHandler whose handle(Signal) runs the action (the signal itself is not needed)
            MethodHandle run = MethodHandles.publicLookup()
                    .findVirtual(Runnable.class, "run", MethodType.methodType(void.class)).bindTo(action);
            Object handler = MethodHandleProxies.asInterfaceInstance(handlerType,
                    MethodHandles.dropArguments(run, 0, signal));
            signal.getMethod("handle", signal, handlerType).invoke(null, hup, handler);
        } catch (InvocationTargetException e) {
            // what Signal itself threw: IllegalArgumentException (-Xrs, a signal the JVM uses), or else
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new UnsupportedOperationException(String.valueOf(e.getCause()), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new UnsupportedOperationException("no sun.misc.Signal in this JDK (" + e + ")", e);
        }
    }
}
