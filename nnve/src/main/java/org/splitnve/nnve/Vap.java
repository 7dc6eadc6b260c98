package org.splitnve.nnve;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Virtual Access Point: one VN on one port scope (RFC 8394 Figure 5, SM-VAP-1). VN_Connected
 * while it holds a local tag; the VN_ID, Num_TSI_Associated, Local_Tag and VN_Context of the figure
 * are {@link #vn}, {@link #tsiAssociated}, {@link #tags} and {@code vn.vni()}.
 */
public final class Vap {
    public enum State { VN_DISCONNECTED, VN_CONNECTED }

    final Scope scope;
    final Vn vn;
    State state = State.VN_DISCONNECTED;
    /** Local tags of the VN in this scope; the first is the primary one, answered for null VIDs. */
    final List<Integer> tags = new ArrayList<>(1);
    int tsiAssociated;
    /** TSIs of the VN per port: the tag is provisioned on a port while it has one (SM-TSI-2, SM-TSI-5). */
    final Map<Integer, Integer> perPort = new HashMap<>(2);
    /** Peers that connected the VN explicitly (REQ-5). */
    final Set<Peer> explicit = new HashSet<>(2);
    /** SEC-5: per tag, the end device (port << 48 | MAC) whose request reserved it: its quota is charged. */
    final Map<Integer, Long> chargedTo = new HashMap<>(2);

    Vap(Scope scope, Vn vn) {
        this.scope = scope;
        this.vn = vn;
    }

    public Vn vn() {
        return vn;
    }

    public State state() {
        return state;
    }

    public int tag() {
        return tags.isEmpty() ? 0 : tags.getFirst();
    }

    public List<Integer> tags() {
        return List.copyOf(tags);
    }

    public int tsiAssociated() {
        return tsiAssociated;
    }

    public String scope() {
        return scope.name;
    }
}
