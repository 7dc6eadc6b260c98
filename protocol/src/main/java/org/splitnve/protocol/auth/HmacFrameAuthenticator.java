package org.splitnve.protocol.auth;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import org.splitnve.protocol.event.EventSink;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.AuthTlv;
import org.splitnve.wire.vdp.SessionTlv;

/**
 * Mutual, replay-protected HMAC-SHA-256 frame authentication with one peer (RFC 8394 REQ-11, GAP-11;
 * SEC-3, SEC-4; docs/protocol.md section 5.9). One instance per peer and direction pair: the station
 * side of a link holds one for its bridge, the bridge side one per station.
 *
 * <h2>Keys</h2>
 * Frames are signed with keys derived from the pre-shared keys of a {@link KeyRing}
 * ({@link SessionKeys} gives the derivation): per key ID, a <em>session key</em> per direction bound
 * to both sides' 16-octet session nonces and both port MACs, and a <em>hello key</em> per direction
 * bound to the MACs only.
 *
 * <h2>Handshake</h2>
 * Each side picks a fresh random nonce when it starts ({@link #localNonce()}) and sends it in the
 * session TLV of its requests ({@link SessionTlv#nonce()}); it keeps sending it until
 * {@link #authenticated()}. A side that does not know the peer's nonce yet ({@link #established()}
 * false) can only send a <em>hello</em>: a request whose only TLVs are the capability and session TLVs,
 * signed with the hello key. The receiver accepts a hello whatever its own state and learns the
 * peer's nonce from it; it acknowledges the hello with the hello key too (the sender may not know the
 * receiver's nonce yet), and the sender accepts a hello-keyed acknowledgement only for the hello it
 * has outstanding. Every other frame is signed with the session key, which needs both nonces; a
 * hello-keyed frame that is not a hello (items, or an acknowledgement of something else) is refused
 * as {@code NO_SESSION}. A frame signed with the session key verifies with the nonce of the session TLV
 * it carries (a side learns the peer's nonce that way too, the frame being fresh for it) or with the
 * peer's nonce already known. So, with both peers starting at once, the station's hello teaches the
 * bridge the station's nonce; the bridge's first request, signed with the session key, teaches the
 * station the bridge's nonce; the first frame each receives under the session key proves that the
 * peer holds the PSK and saw this side's fresh nonce: mutual authentication. A man in the middle
 * without the PSK can neither inject a nonce nor sign a frame.
 *
 * <h2>Replay</h2>
 * The counter of {@link #next()} starts at 1 and increases with every frame sent, whatever its key.
 * The receive side keeps, per peer session (the peer's nonce) and key ID, the highest counter
 * accepted of requests and, apart, of acknowledgements; a valid tag with a counter at or below the
 * one of its kind is a {@code REPLAY} (the verdict means the tag was valid: {@code EcpEndpoint}
 * acknowledges the retransmission of the last request again). ECP sends each kind in counter order
 * (one request outstanding, its retransmissions the same octets), but a request and an
 * acknowledgement sent moments apart may be reordered on the way: one shared highest counter would
 * refuse the earlier of the two.
 * A hello is signed with a key that depends on no nonce, so an old hello can be replayed: it carries
 * no item and can at worst make this side key its frames to a stale peer nonce until the peer's next
 * frame (a denial of service an on-path attacker has anyway). Peer sessions seen while this side's
 * nonce lasts are remembered, so a replayed hello never resets a counter; once a frame signed with
 * the session key proves which peer session is live, every other one is dead for good.
 *
 * <h2>Events</h2>
 * Refusals ({@link AuthEvent.Refused}, WARN), the first valid frame of each session and key
 * ({@link AuthEvent.Ok}), new peer sessions, nonce and key changes go to the {@link EventSink}.
 *
 * <p>Single-threaded, as the engines that own it. Signing and verifying reuse their {@link Mac}
 * instances, the frame parser and the tag buffers; allocation on the hot path is only what the JDK's
 * {@code Mac.doFinal} does internally (keys are derived once per session and key, events are
 * allocated for refusals and state changes only). Not thread-safe.
 */
public final class HmacFrameAuthenticator implements FrameAuthenticator {
    /**
     * Peer sessions remembered while this side's nonce lasts: more (only a flood of replayed hellos
     * or as many peer restarts) and this side picks a new nonce, which makes every earlier key
     * useless.
     */
    static final int MAX_PEER_SESSIONS = 32;
    private static final int NONE = -1;

    /**
     * The two session keys of one key ID in one peer session, and the peer's highest counters, of
     * requests and of acknowledgements. The counters outlive the key's retirement (the keys are
     * dropped), so a key ID added again cannot reopen the counters of this session.
     */
    private static final class KeyState {
        final int keyId;
        Mac send;
        Mac recv;
        long highestRequest;
        long highestAck;
        boolean proven;

        KeyState(int keyId, Mac send, Mac recv) {
            this.keyId = keyId;
            this.send = send;
            this.recv = recv;
        }
    }

    /** What this side holds for one nonce of the peer. */
    private static final class PeerSession {
        final byte[] nonce;
        KeyState[] keys = new KeyState[0];
        boolean dead;
        boolean proven;

        PeerSession(byte[] nonce) {
            this.nonce = nonce;
        }
    }

    private record HelloKeys(int keyId, Mac send, Mac recv) {
    }

    private final Role role;
    private final MacAddress local;
    private final MacAddress peer;
    private final MacAddress station;
    private final MacAddress bridge;
    private final SecureRandom random;
    private final EventSink events;

    private KeyRing ring;
    private byte[] localNonce;
    private long sent;
    private HelloKeys[] helloKeys = new HelloKeys[0];
    private final List<PeerSession> sessions = new ArrayList<>();
    private PeerSession current;
    private PeerSession fallback;
    /** The ECP sequence of the peer's hello just accepted: its acknowledgement is hello-keyed. */
    private int helloAckSeq = NONE;
    /** The ECP sequence of this side's hello request outstanding, if its last request was one. */
    private int helloOutstandingSeq = NONE;
    private long helloAckHighest;
    private boolean lastRequestKnown;
    private int lastRequestKey;
    private long lastRequestCounter;

    private final FrameView view = new FrameView();
    private final byte[] computed = new byte[AuthTlv.HMAC_SHA256_TAG];
    private final byte[] received = new byte[AuthTlv.HMAC_SHA256_TAG];
    private Mac tentative;

    /**
     * @param role   which end of the link this side is
     * @param local  this side's port MAC (the source of its frames)
     * @param peer   the peer's port MAC (the source of the peer's frames)
     * @param keys   the pre-shared keys shared with this peer
     * @param events where authentication results go; null: nowhere
     */
    public HmacFrameAuthenticator(Role role, MacAddress local, MacAddress peer, KeyRing keys, EventSink events) {
        this(role, local, peer, keys, events, new SecureRandom());
    }

    /** As above, nonces drawn from {@code random}. */
    public HmacFrameAuthenticator(Role role, MacAddress local, MacAddress peer, KeyRing keys, EventSink events,
            SecureRandom random) {
        if (role == null || local == null || peer == null || keys == null || random == null) {
            throw new IllegalArgumentException("role, MACs, keys and random source are required");
        }
        if (local.equals(peer)) {
            throw new IllegalArgumentException("the peer's MAC is this side's own: " + local);
        }
        this.role = role;
        this.local = local;
        this.peer = peer;
        this.station = role == Role.STATION ? local : peer;
        this.bridge = role == Role.STATION ? peer : local;
        this.ring = keys;
        this.events = events != null ? events : EventSink.NONE;
        this.random = random;
        this.localNonce = freshNonce();
    }

    public Role role() {
        return role;
    }

    public MacAddress peer() {
        return peer;
    }

    /** This side's nonce: what its session TLV carries. */
    @Override
    public Bytes localNonce() {
        return Bytes.of(localNonce);
    }

    /** The peer's nonce of the current session, or null while none is known. */
    public Bytes peerNonce() {
        return current == null ? null : Bytes.of(current.nonce);
    }

    /**
     * Whether this side knows the peer's nonce, and so signs with the session key: items may be sent.
     * Before, only hellos (capability and session TLVs) reach the peer.
     */
    @Override
    public boolean established() {
        return current != null;
    }

    /**
     * Whether the peer has proved, in the current session, that it holds the PSK and knows this
     * side's nonce (a valid frame signed with the session key). Until then this side keeps sending
     * its nonce in the session TLV.
     */
    @Override
    public boolean authenticated() {
        return current != null && current.proven;
    }

    /** Counter of the last frame {@link #next()} issued (0: none yet). */
    public long counter() {
        return sent;
    }

    public KeyRing keyRing() {
        return ring;
    }

    /**
     * Replaces the key ring (a rotation step). A key ID kept must keep its key material; a key that
     * leaves the ring is refused from now on, as {@code UNKNOWN_KEY}.
     */
    public void setKeyRing(KeyRing keys) {
        if (keys == null) {
            throw new IllegalArgumentException("a key ring is required");
        }
        for (int id : keys.ids()) {
            if (ring.accepts(id) && !ring.sameKey(id, keys)) {
                throw new IllegalArgumentException("key ID " + Integer.toUnsignedString(id)
                        + " is already in use with other key material; a new key needs a new ID");
            }
        }
        KeyRing old = ring;
        ring = keys;
        for (int id : old.ids()) {
            if (!keys.accepts(id)) {
                forget(id);
                events.accept(new AuthEvent.KeyRetired(peer, Integer.toUnsignedLong(id)));
            }
        }
        for (int id : keys.ids()) {
            if (!old.accepts(id)) {
                events.accept(new AuthEvent.KeyAdded(peer, Integer.toUnsignedLong(id)));
            }
        }
        if (old.currentId() != keys.currentId()) {
            events.accept(new AuthEvent.KeyRotated(peer, Integer.toUnsignedLong(old.currentId()),
                    Integer.toUnsignedLong(keys.currentId())));
        }
    }

    /** Accepts one more key (first step of a rotation). */
    public void addKey(int keyId, byte[] keyMaterial) {
        setKeyRing(ring.withKey(keyId, keyMaterial));
    }

    /** Signs with {@code keyId} from the next frame on (the peer must accept it already). */
    public void useKey(int keyId) {
        setKeyRing(ring.withCurrent(keyId));
    }

    /** No longer accepts {@code keyId} (once neither side signs with it). */
    public void retireKey(int keyId) {
        setKeyRing(ring.without(keyId));
    }

    /**
     * Starts over: a new nonce for this side, and no peer session known, so the next request is a
     * hello. For a peer that may have restarted (it lost its nonce, and with it every key this side
     * holds): its frames and this side's fail until a new handshake. Every earlier key is useless
     * (they all depend on this side's old nonce), so nothing of an earlier session can be replayed.
     */
    @Override
    public void restartSession() {
        localNonce = freshNonce();
        sessions.clear();
        current = null;
        fallback = null;
        helloAckSeq = NONE;
        helloOutstandingSeq = NONE;
        lastRequestKnown = false;
        events.accept(new AuthEvent.Rekeyed(peer, "session restarted"));
    }

    /**
     * Picks a new nonce for this side: every key of the earlier sessions is gone, and frames signed
     * with them fail. The peer's nonce is kept; the peer learns the new one from this side's next
     * session TLV.
     */
    public void rekey() {
        rekey("requested");
    }

    private void rekey(String reason) {
        localNonce = freshNonce();
        PeerSession keep = current != null && !current.dead ? new PeerSession(current.nonce) : null;
        sessions.clear();
        current = keep;
        fallback = null;
        if (keep != null) {
            sessions.add(keep);
        }
        helloAckSeq = NONE;
        lastRequestKnown = false;
        events.accept(new AuthEvent.Rekeyed(peer, reason));
    }

    // ------------------------------------------------------------------ FrameAuthenticator

    @Override
    public AuthTlv next() {
        if (sent == -1L) {
            throw new IllegalStateException("the 64-bit frame counter is exhausted: rekey");
        }
        return AuthTlv.unsigned(ring.currentId(), ++sent);
    }

    @Override
    public void sign(byte[] frame, int start, int tagOffset) {
        if (!view.parse(frame, start, tagOffset)) {
            throw new IllegalArgumentException("not an ECP/VDP frame with an authentication TLV at offset " + tagOffset);
        }
        if (!ring.accepts(view.keyId)) {
            throw new IllegalStateException("key ID " + Integer.toUnsignedString(view.keyId) + " was retired");
        }
        Mac mac;
        if (view.ack) {
            boolean hello = current == null || view.sequence == helloAckSeq;
            mac = hello ? helloKeys(view.keyId).send : keys(current, view.keyId).send;
        } else if (current == null) {
            mac = helloKeys(view.keyId).send;
            helloOutstandingSeq = view.sequence;
            helloAckHighest = 0;
        } else {
            mac = keys(current, view.keyId).send;
            helloOutstandingSeq = NONE;
        }
        mac.update(frame, start, tagOffset - start);
        try {
            mac.doFinal(frame, tagOffset);
        } catch (ShortBufferException e) {
            throw new IllegalArgumentException("no room for the tag at offset " + tagOffset, e);
        }
    }

    @Override
    public Verdict verify(byte[] frame, int start, int tagOffset, AuthTlv tlv) {
        if (frame == null || tlv == null || !view.parse(frame, start, tagOffset)) {
            return refuse(Verdict.BAD_TAG, tlv);
        }
        int keyId = view.keyId;
        long counter = view.counter;
        if (tlv.keyId() != keyId || tlv.counter() != counter) {
            // The caller's decoded TLV is not the one in these octets.
            return refuse(Verdict.BAD_TAG, tlv);
        }
        if (!ring.accepts(keyId)) {
            return refuse(Verdict.UNKNOWN_KEY, tlv);
        }
        System.arraycopy(frame, tagOffset, received, 0, received.length);

        // 1. The session key: of the nonce the frame carries, else of the current or fallback session.
        PeerSession tried = null;
        if (view.nonceOffset >= 0) {
            PeerSession known = find(frame, view.nonceOffset);
            if (known == null) {
                if (sessions.size() < MAX_PEER_SESSIONS && tentativeMatches(frame, start, tagOffset, keyId)) {
                    return acceptSession(adoptTentative(frame, view.nonceOffset, keyId), keyId, counter);
                }
            } else if (!known.dead) {
                tried = known;
                if (matches(keys(known, keyId).recv, frame, start, tagOffset)) {
                    return acceptSession(known, keyId, counter);
                }
            }
        }
        if (current != null && current != tried && matches(keys(current, keyId).recv, frame, start, tagOffset)) {
            return acceptSession(current, keyId, counter);
        }
        if (fallback != null && fallback != tried && !fallback.dead
                && matches(keys(fallback, keyId).recv, frame, start, tagOffset)) {
            return acceptSession(fallback, keyId, counter);
        }

        // 2. The hello key: a hello, or the acknowledgement of this side's outstanding hello.
        if (matches(helloKeys(keyId).recv, frame, start, tagOffset)) {
            return acceptHelloKeyed(frame, keyId, counter);
        }
        return refuse(current == null && view.nonceOffset < 0 ? Verdict.NO_SESSION : Verdict.BAD_TAG, tlv);
    }

    // ------------------------------------------------------------------ verdicts

    private Verdict acceptSession(PeerSession s, int keyId, long counter) {
        KeyState k = keys(s, keyId);
        if (Long.compareUnsigned(counter, view.ack ? k.highestAck : k.highestRequest) <= 0) {
            if (!view.ack) {
                helloAckSeq = NONE;
            }
            return replay(keyId, counter);
        }
        if (view.ack) {
            k.highestAck = counter;
        } else {
            k.highestRequest = counter;
        }
        if (!view.ack) {
            helloAckSeq = NONE;
            rememberRequest(keyId, counter);
        }
        if (s != current) {
            current = s;
            events.accept(new AuthEvent.PeerSession(peer, "frame"));
        }
        if (fallback != null || sessions.size() > 1) {
            // The peer proved it is in this session: every other one is over.
            for (PeerSession other : sessions) {
                if (other != s && !other.dead) {
                    other.dead = true;
                    other.keys = new KeyState[0];
                }
            }
            fallback = null;
        }
        s.proven = true;
        if (!k.proven) {
            k.proven = true;
            events.accept(new AuthEvent.Ok(peer, Integer.toUnsignedLong(keyId), counter));
        }
        return Verdict.OK;
    }

    private Verdict acceptHelloKeyed(byte[] frame, int keyId, long counter) {
        if (view.hello) {
            PeerSession s = find(frame, view.nonceOffset);
            if (s != null && s.dead) {
                // A hello of a session that is over: an old frame replayed.
                return replay(keyId, counter);
            }
            boolean created = false;
            if (s == null) {
                if (sessions.size() >= MAX_PEER_SESSIONS) {
                    current = null;
                    rekey("peer session history full");
                }
                s = new PeerSession(Arrays.copyOfRange(frame, view.nonceOffset, view.nonceOffset + SessionTlv.NONCE_LENGTH));
                sessions.add(s);
                created = true;
            }
            KeyState k = keys(s, keyId);
            helloAckSeq = view.sequence;
            if (Long.compareUnsigned(counter, k.highestRequest) <= 0) {
                return replay(keyId, counter);
            }
            k.highestRequest = counter;
            rememberRequest(keyId, counter);
            if (s != current) {
                if (current != null && !current.dead) {
                    fallback = current;
                }
                current = s;
                events.accept(new AuthEvent.PeerSession(peer, created ? "hello" : "hello, earlier session"));
            }
            return Verdict.OK;
        }
        if (view.ack && view.sequence == helloOutstandingSeq) {
            if (Long.compareUnsigned(counter, helloAckHighest) <= 0) {
                return replay(keyId, counter);
            }
            helloAckHighest = counter;
            return Verdict.OK;
        }
        // Signed by a peer that does not know this side's nonce, and not a hello: it needs a session.
        return refuse(Verdict.NO_SESSION, keyId, counter);
    }

    private Verdict replay(int keyId, long counter) {
        if (!view.ack && lastRequestKnown && keyId == lastRequestKey && counter == lastRequestCounter) {
            events.accept(new AuthEvent.Retransmission(peer, Integer.toUnsignedLong(keyId), counter, view.sequence));
            return Verdict.REPLAY;
        }
        return refuse(Verdict.REPLAY, keyId, counter);
    }

    private Verdict refuse(Verdict v, AuthTlv tlv) {
        return refuse(v, tlv == null ? 0 : tlv.keyId(), tlv == null ? 0 : tlv.counter());
    }

    private Verdict refuse(Verdict v, int keyId, long counter) {
        events.accept(new AuthEvent.Refused(peer, v.name(), Integer.toUnsignedLong(keyId), counter, view.sequence,
                view.ack));
        return v;
    }

    private void rememberRequest(int keyId, long counter) {
        lastRequestKnown = true;
        lastRequestKey = keyId;
        lastRequestCounter = counter;
    }

    // ------------------------------------------------------------------ keys

    private boolean matches(Mac mac, byte[] frame, int start, int tagOffset) {
        mac.update(frame, start, tagOffset - start);
        try {
            mac.doFinal(computed, 0);
        } catch (ShortBufferException e) {
            throw new IllegalStateException(e);
        }
        return MessageDigest.isEqual(computed, received);
    }

    /** Tries the session key of a nonce never seen, without keeping anything unless it matches. */
    private boolean tentativeMatches(byte[] frame, int start, int tagOffset, int keyId) {
        byte[] peerNonce = Arrays.copyOfRange(frame, view.nonceOffset, view.nonceOffset + SessionTlv.NONCE_LENGTH);
        byte[] key = derive(keyId, role.peer(), peerNonce);
        if (tentative == null) {
            tentative = SessionKeys.newMac(key);
        } else {
            SessionKeys.rekey(tentative, key);
        }
        Arrays.fill(key, (byte) 0);
        return matches(tentative, frame, start, tagOffset);
    }

    private PeerSession adoptTentative(byte[] frame, int nonceOffset, int keyId) {
        PeerSession s = new PeerSession(Arrays.copyOfRange(frame, nonceOffset, nonceOffset + SessionTlv.NONCE_LENGTH));
        byte[] key = derive(keyId, role, s.nonce);
        s.keys = new KeyState[] {new KeyState(keyId, SessionKeys.newMac(key), tentative)};
        Arrays.fill(key, (byte) 0);
        tentative = null;
        sessions.add(s);
        return s;
    }

    private KeyState keys(PeerSession s, int keyId) {
        KeyState found = null;
        for (KeyState k : s.keys) {
            if (k.keyId == keyId) {
                found = k;
                break;
            }
        }
        if (found != null && found.send != null) {
            return found;
        }
        byte[] sendKey = derive(keyId, role, s.nonce);
        byte[] recvKey = derive(keyId, role.peer(), s.nonce);
        Mac send = SessionKeys.newMac(sendKey);
        Mac recv = SessionKeys.newMac(recvKey);
        Arrays.fill(sendKey, (byte) 0);
        Arrays.fill(recvKey, (byte) 0);
        if (found != null) {
            // A key ID retired and added again: new keys, the counters of this session kept.
            found.send = send;
            found.recv = recv;
            return found;
        }
        KeyState k = new KeyState(keyId, send, recv);
        s.keys = Arrays.copyOf(s.keys, s.keys.length + 1);
        s.keys[s.keys.length - 1] = k;
        return k;
    }

    private HelloKeys helloKeys(int keyId) {
        for (HelloKeys h : helloKeys) {
            if (h.keyId == keyId) {
                return h;
            }
        }
        byte[] psk = ring.material(keyId);
        byte[] sendKey = SessionKeys.derive(psk, SessionKeys.Purpose.of(role, true), null, null, station, bridge);
        byte[] recvKey = SessionKeys.derive(psk, SessionKeys.Purpose.of(role.peer(), true), null, null, station, bridge);
        HelloKeys h = new HelloKeys(keyId, SessionKeys.newMac(sendKey), SessionKeys.newMac(recvKey));
        Arrays.fill(sendKey, (byte) 0);
        Arrays.fill(recvKey, (byte) 0);
        helloKeys = Arrays.copyOf(helloKeys, helloKeys.length + 1);
        helloKeys[helloKeys.length - 1] = h;
        return h;
    }

    /** The session key of the frames {@code sender} sends, with the peer's nonce {@code peerNonce}. */
    private byte[] derive(int keyId, Role sender, byte[] peerNonce) {
        byte[] stationNonce = role == Role.STATION ? localNonce : peerNonce;
        byte[] bridgeNonce = role == Role.STATION ? peerNonce : localNonce;
        return SessionKeys.derive(ring.material(keyId), SessionKeys.Purpose.of(sender, false), stationNonce,
                bridgeNonce, station, bridge);
    }

    /** Drops every key derived from a retired PSK; the counters seen under it stay. */
    private void forget(int keyId) {
        helloKeys = Arrays.stream(helloKeys).filter(h -> h.keyId != keyId).toArray(HelloKeys[]::new);
        for (PeerSession s : sessions) {
            for (KeyState k : s.keys) {
                if (k.keyId == keyId) {
                    k.send = null;
                    k.recv = null;
                }
            }
        }
        if (lastRequestKnown && lastRequestKey == keyId) {
            lastRequestKnown = false;
        }
    }

    private PeerSession find(byte[] frame, int nonceOffset) {
        for (PeerSession s : sessions) {
            if (Arrays.equals(s.nonce, 0, SessionTlv.NONCE_LENGTH, frame, nonceOffset,
                    nonceOffset + SessionTlv.NONCE_LENGTH)) {
                return s;
            }
        }
        return null;
    }

    private byte[] freshNonce() {
        byte[] n = new byte[SessionTlv.NONCE_LENGTH];
        do {
            random.nextBytes(n);
        } while (Arrays.equals(n, new byte[SessionTlv.NONCE_LENGTH]));
        return n;
    }

    @Override
    public String toString() {
        return "HmacFrameAuthenticator[" + role + " " + local + " -> " + peer + ", " + ring
                + (established() ? authenticated() ? ", authenticated" : ", established" : ", no session") + "]";
    }
}
