package org.splitnve.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;

/**
 * One frame put on one link direction, as a capture on the sending port sees it: the virtual time
 * it was sent, its octets, and when its copies arrived at the far end (none: lost; two: duplicated).
 */
public final class CapturedFrame {
    private final long nanos;
    private final Link.Direction direction;
    private final byte[] frame;
    private final List<Long> arrivals = new ArrayList<>(1);

    CapturedFrame(long nanos, Link.Direction direction, byte[] frame) {
        this.nanos = nanos;
        this.direction = direction;
        this.frame = frame;
    }

    /** Virtual time the frame was sent. */
    public long nanos() {
        return nanos;
    }

    public Link.Direction direction() {
        return direction;
    }

    /** {@code from.port->to.port}. */
    public String link() {
        return direction.name();
    }

    public Node from() {
        return direction.fromNode();
    }

    public Node to() {
        return direction.toNode();
    }

    /** A copy of the octets. */
    public byte[] frame() {
        return frame.clone();
    }

    public int length() {
        return frame.length;
    }

    byte[] raw() {
        return frame;
    }

    public MacAddress destination() {
        return frame.length < 6 ? null : new MacAddress(u48(0));
    }

    public MacAddress source() {
        return frame.length < 12 ? null : new MacAddress(u48(6));
    }

    /** The frame decoded with {@link FrameCodec#DEFAULT}, or null when it does not decode. */
    public Frame decode() {
        try {
            return FrameCodec.DEFAULT.decode(frame);
        } catch (DecodeException e) {
            return null;
        }
    }

    /** Virtual times the copies reached the far end, in order; empty while in flight or when lost. */
    public List<Long> arrivals() {
        return Collections.unmodifiableList(arrivals);
    }

    public boolean delivered() {
        return !arrivals.isEmpty();
    }

    void arrived(long at) {
        arrivals.add(at);
    }

    private long u48(int off) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (frame[off + i] & 0xFF);
        }
        return v;
    }

    @Override
    public String toString() {
        return nanos + " " + link() + " " + frame.length + "B arrivals=" + arrivals;
    }
}
