package org.splitnve.sim;

import java.util.ArrayList;
import java.util.List;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;

/**
 * A test agent that sends numbered raw frames (EtherType 0x88B5, local experimental) on demand or
 * on a timer, and records what it receives.
 */
final class RawAgent implements PortAgent {
    static final int ETHERTYPE = 0x88B5;

    record Received(long nanos, int port, Bytes frame) {
        MacAddress destination() {
            return new MacAddress(u48(frame.toArray(), 0));
        }

        MacAddress source() {
            return new MacAddress(u48(frame.toArray(), 6));
        }

        int number() {
            return RawAgent.number(frame.toArray());
        }
    }

    private final PortIo io;
    private final Clock clock;
    final List<Received> received = new ArrayList<>();
    private int pingPort;
    private MacAddress pingDestination;
    private int pingsLeft;
    private int pingNumber;
    private long pingInterval;
    private long nextPing = Long.MAX_VALUE;

    RawAgent(PortIo io, Clock clock) {
        this.io = io;
        this.clock = clock;
    }

    static byte[] frame(MacAddress dst, MacAddress src, int number) {
        byte[] f = new byte[60];
        put48(f, 0, dst.value());
        put48(f, 6, src.value());
        f[12] = (byte) (ETHERTYPE >>> 8);
        f[13] = (byte) ETHERTYPE;
        f[14] = (byte) (number >>> 24);
        f[15] = (byte) (number >>> 16);
        f[16] = (byte) (number >>> 8);
        f[17] = (byte) number;
        return f;
    }

    static int number(byte[] f) {
        return ((f[14] & 0xFF) << 24) | ((f[15] & 0xFF) << 16) | ((f[16] & 0xFF) << 8) | (f[17] & 0xFF);
    }

    void send(int port, MacAddress dst, int number) {
        byte[] f = frame(dst, io.mac(port), number);
        io.send(port, f, f.length);
    }

    /** Sends {@code count} frames numbered from 0, one every {@code interval}, the first now. */
    void ping(int port, MacAddress dst, int count, long interval) {
        pingPort = port;
        pingDestination = dst;
        pingsLeft = count;
        pingNumber = 0;
        pingInterval = interval;
        nextPing = count > 0 ? clock.nanos() : Long.MAX_VALUE;
    }

    List<Integer> numbers() {
        return received.stream().map(Received::number).toList();
    }

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        byte[] copy = java.util.Arrays.copyOfRange(buf, off, off + len);
        received.add(new Received(clock.nanos(), port, Bytes.wrap(copy)));
    }

    @Override
    public void onTimer() {
        long now = clock.nanos();
        while (pingsLeft > 0 && nextPing <= now) {
            send(pingPort, pingDestination, pingNumber++);
            pingsLeft--;
            nextPing = pingsLeft > 0 ? nextPing + pingInterval : Long.MAX_VALUE;
        }
    }

    @Override
    public long nextDeadline() {
        return nextPing;
    }

    private static void put48(byte[] b, int off, long v) {
        for (int i = 0; i < 6; i++) {
            b[off + i] = (byte) (v >>> (8 * (5 - i)));
        }
    }

    static long u48(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }
}
