package org.splitnve.interop;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.splitnve.protocol.Timers;
import org.splitnve.transport.AgentRunner;
import org.splitnve.transport.RawSocket;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.lldp.LldpPdu;

/** Shared pieces of the lldpad interop tests. */
final class Peers {
    private Peers() {}

    /** RTE 8 (2.56 ms: lldpad is fast), R 3, RWD 20, RKA 16 (0.66 s: keep-alives within a short test). */
    static final Timers TIMERS = new Timers(3, 8, 20, 16);
    static final MacAddress NCB = MacAddress.NEAREST_CUSTOMER_BRIDGE;

    /**
     * Sends one LLDPDU with the EVB TLV from {@code socket} to the nearest customer bridge group. Our
     * engines read the peer's EVB TLV but do not send LLDP themselves (LLDP is the host's lldpad's or
     * switch's job in a deployment); lldpad's VDP refuses requests until it has seen its peer's EVB TLV,
     * and uses the group ID filter formats only when the peer sets BGID (bridge) or SGID (station). So
     * the test harness speaks the peer's LLDP on the engine's interface.
     */
    static void sendLldp(RawSocket socket, EvbTlv evb) throws IOException {
        LldpPdu pdu = LldpPdu.ofMac(socket.mac(), 120, List.of(evb));
        byte[] b = FrameCodec.DEFAULT.encode(new Frame.Lldp(new EthernetHeader(NCB, socket.mac(), LldpPdu.ETHERTYPE), pdu),
                true);
        socket.send(b);
    }

    /** Waits up to {@code timeout} for {@code condition}, polling every 20 ms; fails naming {@code what}. */
    static void await(String what, java.time.Duration timeout, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("waited " + timeout.toMillis() + " ms for: " + what);
            }
            Lldpad.sleep(20);
        }
    }

    static <T> T on(AgentRunner<?> r, java.util.concurrent.Callable<T> task) {
        try {
            return r.call(task).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("engine call failed: " + e, e);
        }
    }
}
