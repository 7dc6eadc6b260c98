package org.splitnve.sim;

import java.util.Arrays;
import java.util.Objects;
import org.splitnve.protocol.PortAgent;
import org.splitnve.protocol.PortIo;
import org.splitnve.wire.MacAddress;

/**
 * Something with Ethernet ports in a {@link Simulation}: a {@link Host} running an engine, or an
 * {@link EthernetSwitch}. Each port takes at most one {@link Link}; a frame sent out of a port
 * without one is dropped and counted ({@link #unconnectedDrops()}).
 */
public abstract sealed class Node permits Host, EthernetSwitch {
    final Simulation sim;
    private final String name;
    private final int index;
    private final MacAddress[] macs;
    final Link.Direction[] egress;
    private final long[] unconnectedDrops;
    private final PortIo io = new PortIo() {
        @Override
        public int ports() {
            return macs.length;
        }

        @Override
        public MacAddress mac(int port) {
            return Node.this.mac(port);
        }

        @Override
        public void send(int port, byte[] frame, int length) {
            Node.this.send(port, frame, length);
        }
    };

    Node(Simulation sim, String name, int index, MacAddress[] macs) {
        this.sim = sim;
        this.name = Objects.requireNonNull(name, "name");
        this.index = index;
        this.macs = macs.clone();
        this.egress = new Link.Direction[macs.length];
        this.unconnectedDrops = new long[macs.length];
    }

    public final String name() {
        return name;
    }

    /** Position in {@link Simulation#nodes()}; timers of nodes due at the same instant run in this order. */
    public final int index() {
        return index;
    }

    public final int ports() {
        return macs.length;
    }

    public final MacAddress mac(int port) {
        checkPort(port);
        return macs[port];
    }

    /** The port I/O the agent was built with; sending through it is exactly what the agent does. */
    public final PortIo io() {
        return io;
    }

    /** The link on {@code port}, or null. */
    public final Link link(int port) {
        checkPort(port);
        Link.Direction d = egress[port];
        return d == null ? null : d.link();
    }

    /** Frames sent out of {@code port} while no link was attached to it. */
    public final long unconnectedDrops(int port) {
        checkPort(port);
        return unconnectedDrops[port];
    }

    public final long unconnectedDrops() {
        return Arrays.stream(unconnectedDrops).sum();
    }

    /** What the simulation drives: the host's engine, or the switch itself. */
    public abstract PortAgent agent();

    final void checkPort(int port) {
        if (port < 0 || port >= macs.length) {
            throw new IndexOutOfBoundsException(name + " has ports 0.." + (macs.length - 1) + ", not " + port);
        }
    }

    private void send(int port, byte[] frame, int length) {
        checkPort(port);
        if (length < 0 || length > frame.length) {
            throw new IllegalArgumentException("length " + length + " of a " + frame.length + "-octet array");
        }
        Link.Direction d = egress[port];
        if (d == null) {
            unconnectedDrops[port]++;
            sim.traceDrop(this, port);
            return;
        }
        d.transmit(Arrays.copyOf(frame, length));
    }

    @Override
    public String toString() {
        return name;
    }
}
