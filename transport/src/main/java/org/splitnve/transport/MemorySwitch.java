package org.splitnve.transport;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.splitnve.wire.MacAddress;

/**
 * An ordinary Ethernet switch between in-memory links (REQ-1, REQ-2), behaving like a Linux bridge
 * with STP off and the default {@code group_fwd_mask} (0): it learns source MACs per port, forwards a
 * frame to a learned station's port only (and filters it when that is the port it came in on), and
 * floods unknown unicast, broadcast and multicast to every other port, including
 * 01:80:C2:00:00:00, the nearest customer bridge group (a Linux bridge forwards it while STP is off).
 * It drops the other IEEE 802.1 reserved groups 01:80:C2:00:00:01 to 0F (pause, LACP, 802.1X, the
 * nearest bridge 0E that LLDP uses), as such a bridge does. No aging: a station that moves is learned
 * again from its next frame. Stateless otherwise; it forwards on the sender's thread.
 *
 * <pre>{@code
 * MemoryLinks links = new MemoryLinks();
 * MemoryLinks.Link h1 = links.connect(h1Mac, null), h2 = links.connect(h2Mac, null), up = links.connect(nnveMac, null);
 * MemorySwitch sw = new MemorySwitch("sw", List.of(h1.b(), h2.b(), up.b()));
 * // h1.a(), h2.a() and up.a() are the devices' ports: frames between them cross the switch
 * }</pre>
 */
public final class MemorySwitch implements AutoCloseable {
    private final String name;
    private final List<Port> ports;
    private final Map<MacAddress, Integer> table = new ConcurrentHashMap<>();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong flooded = new AtomicLong();
    private final AtomicLong filtered = new AtomicLong();

    /** A switch over {@code ports} (its own side of each link); it starts receiving on them at once. */
    public MemorySwitch(String name, List<? extends Port> ports) {
        this.name = Objects.requireNonNull(name, "name");
        this.ports = List.copyOf(ports);
        if (this.ports.size() < 2) {
            throw new IllegalArgumentException("a switch has at least two ports, not " + this.ports.size());
        }
        for (int i = 0; i < this.ports.size(); i++) {
            int in = i;
            this.ports.get(i).start(frame -> frame(in, frame));
        }
    }

    public String name() {
        return name;
    }

    public List<Port> ports() {
        return ports;
    }

    /** The port a station was last seen on, or -1. */
    public int portOf(MacAddress station) {
        return table.getOrDefault(station, -1);
    }

    /** Frames sent to one learned port. */
    public long forwarded() {
        return forwarded.get();
    }

    /** Frames sent to every other port (unknown unicast, broadcast, multicast). */
    public long flooded() {
        return flooded.get();
    }

    /** Frames dropped: to a station on the port they came in on, or to a reserved group a bridge does not forward. */
    public long filtered() {
        return filtered.get();
    }

    /** Whether a bridge with STP off forwards frames to this group: every group but 01:80:C2:00:00:01..0F. */
    static boolean forwardsGroup(MacAddress group) {
        long v = group.value();
        return (v & ~0xFL) != 0x0180_C200_0000L || v == 0x0180_C200_0000L;
    }

    private void frame(int in, byte[] frame) {
        if (frame.length < 14) {
            filtered.incrementAndGet();
            return;
        }
        MacAddress dst = mac(frame, 0);
        MacAddress src = mac(frame, 6);
        if (src.isValidUnicast()) {
            table.put(src, in);
        }
        if (dst.isMulticast()) {
            if (!forwardsGroup(dst)) {
                filtered.incrementAndGet();
                return;
            }
            flood(in, frame);
            return;
        }
        Integer out = table.get(dst);
        if (out == null) {
            flood(in, frame);
        } else if (out == in) {
            filtered.incrementAndGet();
        } else {
            forwarded.incrementAndGet();
            send(out, frame);
        }
    }

    private static MacAddress mac(byte[] frame, int off) {
        long v = 0;
        for (int i = off; i < off + 6; i++) {
            v = v << 8 | (frame[i] & 0xFF);
        }
        return new MacAddress(v);
    }

    private void flood(int in, byte[] frame) {
        flooded.incrementAndGet();
        for (int i = 0; i < ports.size(); i++) {
            if (i != in) {
                send(i, frame);
            }
        }
    }

    private void send(int port, byte[] frame) {
        try {
            ports.get(port).send(frame, frame.length);
        } catch (IOException e) {
            // a closed port: the frame is lost, as on a cable pulled out
        }
    }

    /** Closes every port of the switch. */
    @Override
    public void close() {
        ports.forEach(Port::close);
    }

    @Override
    public String toString() {
        return "MemorySwitch[" + name + ", " + ports.size() + " ports, " + table.size() + " stations learned]";
    }
}
