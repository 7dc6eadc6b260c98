package org.splitnve.sim;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import org.splitnve.protocol.PortAgent;
import org.splitnve.wire.MacAddress;

/**
 * An ordinary learning bridge (RFC 8394 REQ-1: "a bridged Ethernet network between end device and
 * nNVE"). It learns source MACs per port, forwards unicast to the learned port (dropping it when
 * that is the port it came in on) or floods it when unknown, and floods multicast and broadcast to
 * every other port. Like an IEEE 802.1Q bridge it does not forward the reserved group addresses
 * 01-80-C2-00-00-00..0F, among them the nearest-customer-bridge address ECP/VDP uses by default
 * (GAP-1), unless {@link #forwardReservedGroups(boolean)} says so (a Linux bridge with STP off
 * forwards 01-80-C2-00-00-00). There is no ageing: {@link #flushFdb()} forgets everything.
 *
 * <p>It is itself a participant driven by the simulation: a frame leaves {@link #forwardingDelay()}
 * after it arrived (zero: at once, within the same step), through its own timers.
 */
public final class EthernetSwitch extends Node implements PortAgent {
    /** A frame waiting for its departure: a class, as it holds its own array, and nothing compares two. */
    private static final class Pending {
        final long at;
        final long order;
        final int port;
        final byte[] frame;

        Pending(long at, long order, int port, byte[] frame) {
            this.at = at;
            this.order = order;
            this.port = port;
            this.frame = frame;
        }
    }

    private final Map<MacAddress, Integer> fdb = new HashMap<>();
    private final PriorityQueue<Pending> pending = new PriorityQueue<>(
            (x, y) -> x.at != y.at ? Long.compare(x.at, y.at) : Long.compare(x.order, y.order));
    private long order;
    private boolean forwardReserved;
    private long forwardingDelay;
    private long received;
    private long forwarded;
    private long flooded;
    private long filtered;

    EthernetSwitch(Simulation sim, String name, int index, MacAddress[] macs) {
        super(sim, name, index, macs);
    }

    @Override
    public PortAgent agent() {
        return this;
    }

    /** Whether frames to 01-80-C2-00-00-00..0F are flooded like other groups (default: no, as 802.1Q). */
    public EthernetSwitch forwardReservedGroups(boolean forward) {
        this.forwardReserved = forward;
        return this;
    }

    public boolean forwardsReservedGroups() {
        return forwardReserved;
    }

    /** Time between a frame's arrival and its departure (default 0). */
    public EthernetSwitch setForwardingDelay(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("negative forwarding delay");
        }
        this.forwardingDelay = nanos;
        return this;
    }

    public long forwardingDelay() {
        return forwardingDelay;
    }

    /** The learned port of a MAC, or null. */
    public Integer portOf(MacAddress mac) {
        return fdb.get(mac);
    }

    public Map<MacAddress, Integer> fdb() {
        return Collections.unmodifiableMap(fdb);
    }

    public void flushFdb() {
        fdb.clear();
    }

    /** Frames that arrived. */
    public long received() {
        return received;
    }

    /** Copies sent out of a port (a flooded frame counts once per port). */
    public long forwarded() {
        return forwarded;
    }

    /** Frames sent to every other port (unknown unicast, multicast, broadcast). */
    public long flooded() {
        return flooded;
    }

    /** Frames not forwarded: reserved groups, unicast to the port it came from, runts. */
    public long filtered() {
        return filtered;
    }

    @Override
    public void onFrame(int port, byte[] buf, int off, int len) {
        received++;
        if (len < 14) {
            filtered++;
            return;
        }
        MacAddress dst = new MacAddress(u48(buf, off));
        MacAddress src = new MacAddress(u48(buf, off + 6));
        if (src.isValidUnicast()) {
            fdb.put(src, port);
        }
        if (dst.isMulticast()) {
            if (dst.isReservedGroup() && !forwardReserved) {
                filtered++;
                return;
            }
            flood(port, buf, off, len);
            return;
        }
        Integer out = fdb.get(dst);
        if (out == null) {
            flood(port, buf, off, len);
        } else if (out == port) {
            filtered++;
        } else {
            forward(out, buf, off, len);
        }
    }

    private void flood(int in, byte[] buf, int off, int len) {
        flooded++;
        for (int p = 0; p < ports(); p++) {
            if (p != in && egress[p] != null) {
                forward(p, buf, off, len);
            }
        }
    }

    private void forward(int port, byte[] buf, int off, int len) {
        forwarded++;
        if (forwardingDelay == 0) {
            io().send(port, off == 0 ? buf : Arrays.copyOfRange(buf, off, off + len), len);
        } else {
            pending.add(new Pending(sim.now() + forwardingDelay, order++, port, Arrays.copyOfRange(buf, off, off + len)));
        }
    }

    @Override
    public void onTimer() {
        long now = sim.now();
        while (!pending.isEmpty() && pending.peek().at <= now) {
            Pending p = pending.poll();
            io().send(p.port, p.frame, p.frame.length);
        }
    }

    @Override
    public long nextDeadline() {
        return pending.isEmpty() ? Long.MAX_VALUE : pending.peek().at;
    }

    private static long u48(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    @Override
    public String toString() {
        return name() + " received=" + received + " forwarded=" + forwarded + " flooded=" + flooded + " filtered="
                + filtered;
    }
}
