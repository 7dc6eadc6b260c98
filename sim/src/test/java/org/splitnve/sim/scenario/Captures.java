package org.splitnve.sim.scenario;

import java.util.ArrayList;
import java.util.List;
import org.splitnve.sim.CapturedFrame;
import org.splitnve.sim.Node;
import org.splitnve.sim.Simulation;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * Reading the simulation's capture in scenario tests (REQ-12: the protocol is only Ethernet frames):
 * every frame put on a link, decoded with the real codec ({@link FrameCodec}).
 */
final class Captures {
    private Captures() {
    }

    /** One captured ECP/VDP frame and its decoding. */
    record Vdp(CapturedFrame captured, Frame.Vdp frame) {
        boolean request() {
            return frame.ecp().operation() == EcpOperation.REQUEST;
        }

        int sequence() {
            return frame.ecp().sequence();
        }

        List<VdpItem> items() {
            return frame.vdp().items();
        }

        List<VsiTlv> vsis() {
            List<VsiTlv> out = new ArrayList<>();
            for (VdpItem i : items()) {
                if (i instanceof VsiTlv v) {
                    out.add(v);
                }
            }
            return out;
        }

        long nanos() {
            return captured.nanos();
        }
    }

    /** Every captured frame that decodes as ECP/VDP, in the order sent (a frame crossing a switch: once per link). */
    static List<Vdp> vdp(Simulation sim) {
        List<Vdp> out = new ArrayList<>();
        for (CapturedFrame c : sim.captured()) {
            Frame f = decode(c);
            if (f instanceof Frame.Vdp v) {
                out.add(new Vdp(c, v));
            }
        }
        return out;
    }

    /** ECP/VDP frames sent by {@code from} (on its own links), in order. */
    static List<Vdp> vdpFrom(Simulation sim, Node from) {
        List<Vdp> out = new ArrayList<>();
        for (Vdp v : vdp(sim)) {
            if (v.captured().from() == from) {
                out.add(v);
            }
        }
        return out;
    }

    /** ECP requests sent by {@code from}, in order (retransmissions included). */
    static List<Vdp> requestsFrom(Simulation sim, Node from) {
        return vdpFrom(sim, from).stream().filter(Vdp::request).toList();
    }

    /** ECP requests sent by {@code from}, each once: retransmissions (same sequence number) left out. */
    static List<Vdp> requestsOnceFrom(Simulation sim, Node from) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        return requestsFrom(sim, from).stream().filter(v -> seen.add(v.sequence())).toList();
    }

    /** VSI TLVs about one VSI in the requests {@code from} sent, in order (one per transmission). */
    static List<VsiTlv> vsiRequestsFrom(Simulation sim, Node from, VsiId id) {
        List<VsiTlv> out = new ArrayList<>();
        for (Vdp v : requestsFrom(sim, from)) {
            for (VsiTlv t : v.vsis()) {
                if (t.vsiId().equals(id)) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    static Frame decode(CapturedFrame c) {
        try {
            return FrameCodec.DEFAULT.decode(c.frame());
        } catch (DecodeException e) {
            return null;
        }
    }
}
