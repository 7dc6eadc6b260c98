package org.splitnve.sim;

import java.util.random.RandomGenerator;

/**
 * A full-duplex cable between two ports, created by {@link Simulation#connect}. Each direction has
 * its own settings, random stream and counters; the link-wide controls set both directions.
 * A cut link drops everything, in both directions, including frames in flight when it is cut.
 */
public final class Link {
    private final String name;
    private final Direction aToB;
    private final Direction bToA;
    private boolean detached;

    Link(Simulation sim, Node a, int portA, Node b, int portB, LinkProfile profile, RandomGenerator rngAb,
            RandomGenerator rngBa) {
        this.name = a.name() + "." + portA + "-" + b.name() + "." + portB;
        this.aToB = new Direction(sim, a, portA, b, portB, profile, rngAb);
        this.bToA = new Direction(sim, b, portB, a, portA, profile, rngBa);
    }

    public String name() {
        return name;
    }

    public Direction aToB() {
        return aToB;
    }

    public Direction bToA() {
        return bToA;
    }

    /** The direction whose frames leave {@code node}'s {@code port}. */
    public Direction from(Node node, int port) {
        if (aToB.from == node && aToB.fromPort == port) {
            return aToB;
        }
        if (bToA.from == node && bToA.fromPort == port) {
            return bToA;
        }
        throw new IllegalArgumentException(node.name() + "." + port + " is not an end of " + name);
    }

    /** The direction whose frames leave {@code node} (its only port on this link). */
    public Direction from(Node node) {
        if (aToB.from == node && bToA.from != node) {
            return aToB;
        }
        if (bToA.from == node && aToB.from != node) {
            return bToA;
        }
        throw new IllegalArgumentException(node.name() + " is not exactly one end of " + name);
    }

    /** Pulls the cable: both directions drop everything until {@link #restore()}. */
    public void cut() {
        aToB.cut();
        bToA.cut();
    }

    public void restore() {
        if (detached) {
            throw new IllegalStateException(name + " was disconnected");
        }
        aToB.restore();
        bToA.restore();
    }

    public boolean isCut() {
        return aToB.isCut() && bToA.isCut();
    }

    public void setLoss(double p) {
        aToB.setLoss(p);
        bToA.setLoss(p);
    }

    public void setDuplication(double p) {
        aToB.setDuplication(p);
        bToA.setDuplication(p);
    }

    public void setDelay(long minNanos, long maxNanos) {
        aToB.setDelay(minNanos, maxNanos);
        bToA.setDelay(minNanos, maxNanos);
    }

    boolean detached() {
        return detached;
    }

    void detach() {
        cut();
        detached = true;
    }

    @Override
    public String toString() {
        return name + " " + aToB.counters() + " / " + bToA.counters();
    }

    /** One direction of a link: its settings and counters. */
    public final class Direction {
        private final Simulation sim;
        final Node from;
        final int fromPort;
        final Node to;
        final int toPort;
        private final String name;
        private final RandomGenerator rng;
        private double loss;
        private double duplication;
        private long minDelay;
        private long maxDelay;
        private boolean cut;
        private long sent;
        private long dropped;
        private long duplicated;
        private long delivered;

        Direction(Simulation sim, Node from, int fromPort, Node to, int toPort, LinkProfile p, RandomGenerator rng) {
            this.sim = sim;
            this.from = from;
            this.fromPort = fromPort;
            this.to = to;
            this.toPort = toPort;
            this.name = from.name() + "." + fromPort + "->" + to.name() + "." + toPort;
            this.rng = rng;
            this.loss = p.loss();
            this.duplication = p.duplication();
            this.minDelay = p.minDelayNanos();
            this.maxDelay = p.maxDelayNanos();
        }

        public Link link() {
            return Link.this;
        }

        /** {@code from.port->to.port}. */
        public String name() {
            return name;
        }

        public Node fromNode() {
            return from;
        }

        public int fromPort() {
            return fromPort;
        }

        public Node toNode() {
            return to;
        }

        public int toPort() {
            return toPort;
        }

        public void cut() {
            cut = true;
        }

        public void restore() {
            if (detached) {
                throw new IllegalStateException(Link.this.name + " was disconnected");
            }
            cut = false;
        }

        public boolean isCut() {
            return cut;
        }

        public void setLoss(double p) {
            loss = new LinkProfile(p, 0, 0, 0).loss();
        }

        public void setDuplication(double p) {
            duplication = new LinkProfile(0, p, 0, 0).duplication();
        }

        public void setDelay(long minNanos, long maxNanos) {
            minDelay = new LinkProfile(0, 0, minNanos, maxNanos).minDelayNanos();
            maxDelay = maxNanos;
        }

        /** The settings now in force. */
        public LinkProfile profile() {
            return new LinkProfile(loss, duplication, minDelay, maxDelay);
        }

        /** Frames put on this direction. */
        public long sent() {
            return sent;
        }

        /** Frames (or copies) lost: random loss, a cut link at sending or at arrival. */
        public long dropped() {
            return dropped;
        }

        /** Frames that went out as two copies. */
        public long duplicated() {
            return duplicated;
        }

        /** Copies handed to the far end. {@code sent + duplicated = dropped + delivered + in flight}. */
        public long delivered() {
            return delivered;
        }

        public String counters() {
            return name + " sent=" + sent + " dropped=" + dropped + " duplicated=" + duplicated + " delivered="
                    + delivered;
        }

        void transmit(byte[] frame) {
            long now = sim.now();
            sent++;
            CapturedFrame cap = sim.capture(this, now, frame);
            if (cut) {
                dropped++;
                sim.traceLoss(this, frame, "cut");
                return;
            }
            if (loss > 0 && rng.nextDouble() < loss) {
                dropped++;
                sim.traceLoss(this, frame, "loss");
                return;
            }
            int copies = 1;
            if (duplication > 0 && rng.nextDouble() < duplication) {
                duplicated++;
                copies = 2;
            }
            for (int i = 0; i < copies; i++) {
                long delay = maxDelay == minDelay ? minDelay : minDelay + rng.nextLong(maxDelay - minDelay + 1);
                sim.scheduleDelivery(now + delay, this, frame, cap);
            }
        }

        void arrive(byte[] frame, CapturedFrame cap) {
            if (cut) {
                dropped++;
                sim.traceLoss(this, frame, "cut in flight");
                return;
            }
            delivered++;
            sim.traceArrival(this, frame);
            if (cap != null) {
                cap.arrived(sim.now());
            }
            byte[] copy = frame.clone();
            to.agent().onFrame(toPort, copy, 0, copy.length);
        }

        @Override
        public String toString() {
            return counters();
        }
    }
}
