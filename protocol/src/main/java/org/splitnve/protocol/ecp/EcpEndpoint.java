package org.splitnve.protocol.ecp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.splitnve.protocol.Clock;
import org.splitnve.protocol.Timers;
import org.splitnve.protocol.auth.FrameAuthenticator;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.vdp.AuthTlv;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.VdpCodec;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * ECP reliable delivery with one peer (IEEE 802.1Q clause 43), both directions.
 *
 * <p>Sending: one ECPDU outstanding at a time, as the standard requires; everything queued while it
 * is in flight leaves in the next ECPDU, as many items as fit in 1494 octets (or one, toward a
 * standard peer: {@link EcpProfile}). The next ECPDU leaves as soon as the acknowledgement arrives
 * (lldpad waits for its timer instead). An unacknowledged ECPDU is sent again after 10 us x 2^RTE,
 * at most R times, then its items are reported undelivered.
 *
 * <p>Receiving: every request is acknowledged; a copy of one of the last {@value #RECENT} requests
 * (same sequence number <em>and</em> same octets: its acknowledgement was lost, or a link duplicate
 * was overtaken) is a duplicate: acknowledged again, delivered once. A request with a sequence
 * number seen before but other octets is new (SEC-9: a forged empty ECPDU with a station's next
 * sequence number must not make the station's real request a "duplicate").
 *
 * <p>The send queue is bounded ({@link #setQueueLimit}, SEC-5): a peer that never acknowledges
 * cannot make this side hold its answers without end; {@link #submit} refuses an item beyond it.
 *
 * <p>Single-threaded, driven by {@link #onFrame}, {@link #submit} and {@link #onTimer}; time comes
 * from the {@link Clock}. Not thread-safe.
 */
public final class EcpEndpoint {
    /** {@code manager}: the Manager ID the item goes with, or null for the endpoint's own. */
    private record Pending(VdpItem item, Object token, ManagerId manager) {
    }

    /** Requests remembered to recognize overtaken copies (a power of two). */
    static final int RECENT = 32;

    private static final class Outstanding {
        final int sequence;
        final byte[] frame;
        final List<Object> tokens;
        int attempts = 1;
        long deadline;

        Outstanding(int sequence, byte[] frame, List<Object> tokens) {
            this.sequence = sequence;
            this.frame = frame;
            this.tokens = tokens;
        }
    }

    private final MacAddress local;
    private final MacAddress peer;
    private final MacAddress destination;
    private final FrameCodec codec;
    private final ManagerId managerId;
    private final Clock clock;
    private final EventSink events;
    private final FrameSender sender;
    private final EcpListener listener;
    private final Supplier<List<OrgTlv>> header;

    private EcpProfile profile;
    private Timers timers;
    private FrameAuthenticator auth;
    private int queueLimit = Integer.MAX_VALUE;
    private long refusedSubmits;

    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private Outstanding outstanding;
    private boolean headerOnlyWanted;
    private int nextSequence = 1;
    private long notBefore;
    private int lastReceived = -1;
    /** Sequence number and digest of recently accepted requests, indexed by sequence mod RECENT. */
    private final int[] recentSequence = new int[RECENT];
    private final long[] recentDigest = new long[RECENT];
    private long framesSent;
    private long retransmissions;
    private long framesReceived;

    /**
     * @param local       this port's MAC (source of every frame)
     * @param peer        the peer's MAC (the source of its frames)
     * @param destination where frames go: the peer's unicast MAC, a configured multicast group or the
     *                    nearest-customer-bridge address (GAP-1)
     * @param header      header TLVs (capability, session) for each new ECPDU; may return an empty list
     */
    public EcpEndpoint(MacAddress local, MacAddress peer, MacAddress destination, FrameCodec codec, ManagerId managerId,
            EcpProfile profile, Timers timers, Clock clock, EventSink events, FrameSender sender, EcpListener listener,
            Supplier<List<OrgTlv>> header) {
        this.local = local;
        this.peer = peer;
        this.destination = destination;
        this.codec = codec;
        this.managerId = managerId;
        this.profile = profile;
        this.timers = timers;
        this.clock = clock;
        this.events = events;
        this.sender = sender;
        this.listener = listener;
        this.header = header;
        Arrays.fill(recentSequence, -1);
    }

    public MacAddress peer() {
        return peer;
    }

    public void setProfile(EcpProfile profile) {
        this.profile = profile;
    }

    public EcpProfile profile() {
        return profile;
    }

    public void setTimers(Timers timers) {
        this.timers = timers;
    }

    public Timers timers() {
        return timers;
    }

    /** Authenticates every frame from now on (null: none). */
    public void setAuthenticator(FrameAuthenticator auth) {
        this.auth = auth;
    }

    public int queued() {
        return queue.size();
    }

    /** At most this many items wait to be sent (SEC-5); {@link Integer#MAX_VALUE} by default. */
    public void setQueueLimit(int items) {
        if (items < 1) {
            throw new IllegalArgumentException("queue limit " + items);
        }
        this.queueLimit = items;
    }

    public int queueLimit() {
        return queueLimit;
    }

    /** Whether {@link #submit} would refuse an item now: the queue holds {@link #queueLimit} items. */
    public boolean full() {
        return queue.size() >= queueLimit;
    }

    /** Items {@link #submit} refused because the queue was full. */
    public long refusedSubmits() {
        return refusedSubmits;
    }

    public boolean busy() {
        return outstanding != null;
    }

    public long framesSent() {
        return framesSent;
    }

    public long retransmissions() {
        return retransmissions;
    }

    public long framesReceived() {
        return framesReceived;
    }

    /**
     * Queues an item; {@code token} comes back in {@link EcpListener#onDelivered} or onTransmitError.
     * False (nothing queued, nothing reported) when the queue is {@link #full}.
     */
    public boolean submit(VdpItem item, Object token) {
        return submit(item, token, null);
    }

    /**
     * Queues an item that goes with {@code manager} (null: this endpoint's own Manager ID): a response
     * carries the Manager ID of its request, by which a standard station finds its VSI (lldpad compares
     * Manager ID, VSI type, version, ID and filter format). A frame holds items of one Manager ID only.
     * False (nothing queued, nothing reported) when the queue is {@link #full}.
     */
    public boolean submit(VdpItem item, Object token, ManagerId manager) {
        if (full()) {
            refusedSubmits++;
            return false;
        }
        queue.add(new Pending(item, token, manager == null || manager.equals(managerId) ? null : manager));
        pump(clock.nanos());
        return true;
    }

    /** Sends an ECPDU with header TLVs only (a session keep-alive) unless items are already going out. */
    public void sendHeaderOnly() {
        headerOnlyWanted = true;
        pump(clock.nanos());
    }

    /** Forgets queued items without reporting them (the peer went away); returns their tokens. */
    public List<Object> drain() {
        List<Object> tokens = new ArrayList<>(queue.size());
        for (Pending p : queue) {
            tokens.add(p.token);
        }
        queue.clear();
        if (outstanding != null) {
            tokens.addAll(outstanding.tokens);
            outstanding = null;
        }
        headerOnlyWanted = false;
        return tokens;
    }

    /** The peer restarted (new session epoch): its sequence numbers start again. */
    public void resetReceiveSequence() {
        lastReceived = -1;
        Arrays.fill(recentSequence, -1);
    }

    /** When {@link #onTimer} wants to run next, or {@link Long#MAX_VALUE}. */
    public long nextDeadline() {
        if (outstanding != null) {
            return outstanding.deadline;
        }
        if (!queue.isEmpty() || headerOnlyWanted) {
            return notBefore;
        }
        return Long.MAX_VALUE;
    }

    public void onTimer(long now) {
        Outstanding o = outstanding;
        if (o != null && now >= o.deadline) {
            if (o.attempts <= timers.retries()) {
                o.attempts++;
                o.deadline = now + timers.ackTimeoutNanos();
                retransmissions++;
                framesSent++;
                events.accept(new EcpEvent.Retransmit(peer, o.sequence, o.attempts - 1));
                sender.send(o.frame, o.frame.length);
            } else {
                outstanding = null;
                notBefore = now + profile.minGapNanos();
                events.accept(new EcpEvent.TransmitError(peer, o.sequence, o.tokens.size()));
                // Reported even for an ECPDU without items: a lost keep-alive matters to the layer above.
                listener.onTransmitError(o.tokens);
            }
        }
        pump(now);
    }

    /**
     * A decoded ECP/VDP frame from this peer; {@code buf[off, off+len)} are its octets as received
     * (for authentication).
     */
    public void onFrame(byte[] buf, int off, int len, Frame.Vdp frame) {
        onFrame(buf, off, len, frame, false);
    }

    /**
     * As {@link #onFrame(byte[], int, int, Frame.Vdp)}; {@code peerRestarted}: the frame says the peer
     * restarted (a new session epoch), so its sequence numbers start again. The receive sequence is
     * reset only once the frame has passed authentication: a forged frame cannot make this side
     * forget the last request it acknowledged.
     */
    public void onFrame(byte[] buf, int off, int len, Frame.Vdp frame, boolean peerRestarted) {
        long now = clock.nanos();
        EcpHeader h = frame.ecp();
        framesReceived++;
        if (auth != null) {
            VdpPdu pdu = frame.vdp();
            FrameAuthenticator.Verdict v;
            if (pdu.auth() == null) {
                v = FrameAuthenticator.Verdict.MISSING;
            } else {
                int tagOffset = off + frame.ethernet().length() + EcpHeader.LENGTH + VdpCodec.authTagOffset(pdu);
                v = auth.verify(buf, off, tagOffset, pdu.auth());
            }
            if (v == FrameAuthenticator.Verdict.REPLAY && h.operation() == EcpOperation.REQUEST
                    && h.sequence() == lastReceived) {
                // Our acknowledgement was lost and the peer sent the same frame again: acknowledge
                // again, deliver nothing. (REPLAY means the tag itself was valid.)
                sendAck(h.sequence());
                events.accept(new EcpEvent.Duplicate(peer, h.sequence()));
                return;
            }
            if (v != FrameAuthenticator.Verdict.OK) {
                events.accept(new EcpEvent.AuthRefused(peer, h.sequence(), v.name()));
                return;
            }
        }
        if (peerRestarted) {
            resetReceiveSequence();
        }
        if (h.operation() == EcpOperation.ACK) {
            Outstanding o = outstanding;
            if (o == null || o.sequence != h.sequence()) {
                events.accept(new EcpEvent.StrayAck(peer, h.sequence()));
                return;
            }
            outstanding = null;
            notBefore = now + profile.minGapNanos();
            // Reported even for an ECPDU without items: an acknowledged keep-alive says the peer is there.
            listener.onDelivered(o.tokens);
            pump(now);
            return;
        }
        sendAck(h.sequence());
        // The ECP header and VDP octets: identical in every copy of one transmission.
        long digest = digest(buf, off + frame.ethernet().length(), off + len);
        int slot = h.sequence() & (RECENT - 1);
        if (recentSequence[slot] == h.sequence() && recentDigest[slot] == digest) {
            // SEC-9: a duplicate by its content, not its sequence number alone. An overtaken copy is
            // acknowledged again too: the sender, long past it, ignores that.
            events.accept(new EcpEvent.Duplicate(peer, h.sequence()));
            return;
        }
        lastReceived = h.sequence();
        recentSequence[slot] = h.sequence();
        recentDigest[slot] = digest;
        listener.onReceive(frame.ethernet(), frame.vdp());
    }

    /** 64-bit FNV-1a of {@code buf[from, to)}. */
    private static long digest(byte[] buf, int from, int to) {
        long h = 0xCBF29CE484222325L;
        for (int i = from; i < to; i++) {
            h = (h ^ (buf[i] & 0xFF)) * 0x100000001B3L;
        }
        return h;
    }

    private void sendAck(int sequence) {
        VdpPdu pdu = auth == null ? VdpPdu.EMPTY : VdpPdu.EMPTY.withAuth(auth.next());
        send(new EcpHeader(EcpOperation.ACK, EcpHeader.SUBTYPE_VDP, sequence), pdu);
    }

    private byte[] send(EcpHeader ecp, VdpPdu pdu) {
        Frame.Vdp f = new Frame.Vdp(new EthernetHeader(destination, local, EcpHeader.ETHERTYPE), ecp, pdu);
        byte[] bytes = codec.encode(f, true);
        if (pdu.auth() != null) {
            int tagOffset = f.ethernet().length() + EcpHeader.LENGTH + VdpCodec.authTagOffset(pdu);
            auth.sign(bytes, 0, tagOffset);
        }
        framesSent++;
        sender.send(bytes, bytes.length);
        return bytes;
    }

    /** Sends the next ECPDU if nothing is outstanding, something is waiting, and pacing allows. */
    private void pump(long now) {
        if (outstanding != null || (queue.isEmpty() && !headerOnlyWanted) || now < notBefore) {
            return;
        }
        List<OrgTlv> hdr = header.get();
        AuthTlv authTlv = auth != null ? auth.next() : null;
        int len = VdpPdu.length(null, hdr, List.of(), authTlv);
        boolean withManager = false;
        ManagerId frameManager = null;
        List<VdpItem> items = new ArrayList<>();
        List<Object> tokens = new ArrayList<>();
        while (!queue.isEmpty() && items.size() < profile.maxItemsPerPdu()) {
            Pending p = queue.peek();
            if (!items.isEmpty() && !java.util.Objects.equals(p.manager, frameManager)) {
                break; // another Manager ID: the next frame
            }
            int need = p.item.encodedLength();
            if (!withManager && p.item instanceof VsiTlv) {
                need += VdpPdu.MANAGER_ID_LENGTH;
            }
            if (len + need > VdpPdu.MAX_LENGTH) {
                if (items.isEmpty()) {
                    // An item that cannot fit even alone: report it rather than block the queue.
                    queue.poll();
                    listener.onTransmitError(List.of(p.token));
                    continue;
                }
                break;
            }
            queue.poll();
            len += need;
            frameManager = p.manager;
            withManager |= p.item instanceof VsiTlv;
            items.add(p.item);
            tokens.add(p.token);
        }
        if (items.isEmpty() && !headerOnlyWanted) {
            return;
        }
        headerOnlyWanted = false;
        VdpPdu pdu = new VdpPdu(withManager ? (frameManager != null ? frameManager : managerId) : null, hdr, items,
                authTlv);
        int seq = nextSequence;
        nextSequence = (nextSequence + 1) & 0xFFFF;
        byte[] bytes = send(EcpHeader.request(seq), pdu);
        Outstanding o = new Outstanding(seq, bytes, tokens);
        o.deadline = now + timers.ackTimeoutNanos();
        outstanding = o;
    }
}
