package org.splitnve.nnve;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * REL-2: the TSI table out of the engine ({@link SavedTsi}) and back into a new engine before its first frame: each
 * saved instance becomes a TSI of a peer on its port, in its VN's VAP with the saved local tag, moved from Init to its
 * saved state through the state machine, so that every table, counter, digest and effect (the NVA's entries, the
 * ACLs, the tags on the ports) is what the original engine built, and a keep-alive or a De-Associate is answered as
 * the original engine would have answered it.
 */
final class SavedTsis extends EnginePart {
    SavedTsis(NnveEngine engine) {
        super(engine);
    }

    /**
     * Restored TSIs of standard stations, answered once the engine runs ({@link #answerRestored}) and again, while not
     * refreshed since, {@link #ANSWER_AGAIN_NANOS} after ({@link #onTimer}).
     */
    private List<Tsi> toAnswer = new ArrayList<>();
    /** When the restored TSIs were first answered; MIN_VALUE before. */
    private long answeredAt = Long.MIN_VALUE;
    /** Rounds of answering again done so far, and when the next one is due (MAX_VALUE: none). */
    private int answerRounds;
    private long answerAgainAt = Long.MAX_VALUE;
    /**
     * REL-2: after the first answer, when a restored TSI of a standard station not refreshed since is answered again. The
     * answer may not have reached the station's VDP although its ECP acknowledged it: lldpad holds a received ECPDU
     * for 2 ms in one buffer, and on a loaded machine a later ECPDU can take its place (issue 14's stress run: 1 VSI of
     * 20 never refreshed after the restart, twice in 20 rounds). A station that waits for the answer until its
     * response timeout (about 16 s at lldpad's RWD 20) ends the VSI then, silently; one that is not waiting ignores it.
     */
    static final long[] ANSWER_AGAIN_NANOS = {1_000_000_000L, 3_000_000_000L, 7_000_000_000L};

    SavedTsi save(Tsi t, long now) {
        long since = t.refreshedAt == Long.MIN_VALUE ? 0 : Math.max(0, now - t.refreshedAt);
        return new SavedTsi(t.id, t.peer.port, t.peer.station, t.vap.vn, t.vap.tag(), t.state, t.typeId,
                t.typeVersion, t.manager, t.filter, t.addresses, t.parameters, t.held, t.ownsNva, t.departing, since,
                t.peer.common != null || (t.peer.restored && t.peer.restoredExtensions));
    }

    List<SavedTsi> export() {
        long now = clock.nanos();
        List<SavedTsi> out = new ArrayList<>(instances.size());
        for (Tsi head : instances.values()) {
            for (Tsi t = head; t != null; t = t.nextInstance) {
                if (t.state != TsiState.INIT) {
                    out.add(save(t, now));
                }
            }
        }
        return out;
    }

    List<SavedTsi> export(VsiId id) {
        long now = clock.nanos();
        List<SavedTsi> out = new ArrayList<>(1);
        for (Tsi t = instances.get(id); t != null; t = t.nextInstance) {
            if (t.state != TsiState.INIT) {
                out.add(save(t, now));
            }
        }
        return out;
    }

    int restore(List<SavedTsi> saved) {
        if (!peers.isEmpty() || !instances.isEmpty()) {
            throw new IllegalStateException("restore before the first frame: the engine holds " + peers.size()
                    + " peers and " + instances.size() + " TSIs already");
        }
        long now = clock.nanos();
        // the holders of NVA entries first: an instance that did not hold them finds its holder and waits (SM-TSI-7)
        List<SavedTsi> order = new ArrayList<>(saved);
        order.sort(Comparator.comparing((SavedTsi s) -> !s.ownsNva()));
        List<Tsi> restored = new ArrayList<>(order.size());
        List<Long> since = new ArrayList<>(order.size());
        for (SavedTsi s : order) {
            String problem = problem(s);
            Tsi t = problem == null ? restore(s) : null;
            if (t == null) {
                events.accept(new NnveEvent.Refused(s.port(), s.station(), "restore", s.id().toString(),
                        ReasonCode.OTHER_FAILURE.value(), problem == null ? "its VN's tag cannot be had again" : problem));
                continue;
            }
            restored.add(t);
            engine.authority.restored(s.port(), s.station(), s.id(), s.vn(), s.addresses());
            since.add(s.sinceRefreshNanos());
            t.peer.restoredExtensions |= s.extensions();
            if (!s.extensions()) {
                toAnswer.add(t);
                // its keep-alive may have been lost while this nNVE was away and its ECP given up on it: the station
                // then asks again only after its response timeout; its TSIs are kept that long, and one keep-alive
                // timeout more, the slack any station's keep-alive has (issue 14's stress run: lldpad, under two CPU
                // burners, asked again 0.24 s after its response timeout, and one of 20 VSIs had stepped down)
                t.peer.restoredGraceUntil = now + t.peer.ecp.timers().responseTimeoutNanos()
                        + t.peer.ecp.timers().bridgeKeepAliveTimeoutNanos();
            }
        }
        // The keep-alive order (oldest first) is the saved one, and every instance counts as refreshed now: its end
        // device could not refresh it while this nNVE was away, so it gets one whole keep-alive timeout from the
        // restart (a kill -9 of NnveKillNetnsTest found the TSIs of lldpad's station saved near their deadline expiring
        // 0.9 s after the restart, before lldpad's next keep-alive, when they were restored as refreshed as long ago
        // as when saved).
        Integer[] idx = new Integer[restored.size()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, Comparator.comparing((Integer i) -> since.get(i)).reversed());
        for (int i : idx) {
            Tsi t = restored.get(i);
            t.peer.touch(t, now);
        }
        return restored.size();
    }

    /**
     * REL-2: a standard station (lldpad) whose request went out while this nNVE was away got no acknowledgement; its
     * ECP gives up on the frame and its VDP waits for the answer until its response wait delay (about 16 s at RWD 20),
     * sending no keep-alive meanwhile, and this nNVE would release the TSI after its keep-alive timeout. Each restored
     * TSI of a standard station is answered once as its keep-alive would have been (Associate for an Activated one,
     * Pre-Associate-RR for an Associated one, with its filter as accepted): a station waiting for it goes on with its
     * keep-alives; one that is not, finds no request it waits for and changes nothing. Called once the engine runs
     * ({@link NnveEngine#announceStart}); returns how many were answered.
     */
    int answerRestored() {
        if (answeredAt != Long.MIN_VALUE) {
            return 0; // answered once already; the rounds after are the timer's
        }
        answeredAt = clock.nanos();
        int n = answer("TSIs restored from this nNVE's durable state answered again (a standard station waits for the"
                + " answer to a request it sent while this nNVE was away)");
        answerAgainAt = toAnswer.isEmpty() ? Long.MAX_VALUE : answeredAt + ANSWER_AGAIN_NANOS[0];
        return n;
    }

    /** The next round of answering restored TSIs again is due then (MAX_VALUE: none). */
    long nextDeadline() {
        return answerAgainAt;
    }

    /**
     * REL-2: a round of answering again, when due: each restored TSI of a standard station that its station has not
     * refreshed since the first answer ({@link #ANSWER_AGAIN_NANOS}); one it refreshed, or that is gone, is left out
     * from then on.
     */
    void onTimer(long now) {
        if (now < answerAgainAt) {
            return;
        }
        toAnswer.removeIf(t -> t.requestedAt >= answeredAt); // its station sent a request since
        answer("restored TSIs not refreshed since their first answer answered again (round " + (answerRounds + 2)
                + "): the first may not have reached the station's VDP");
        answerRounds++;
        answerAgainAt = answerRounds < ANSWER_AGAIN_NANOS.length && !toAnswer.isEmpty()
                ? answeredAt + ANSWER_AGAIN_NANOS[answerRounds] : Long.MAX_VALUE;
        if (answerAgainAt == Long.MAX_VALUE) {
            toAnswer = new ArrayList<>(0);
        }
    }

    /** Each TSI of {@link #toAnswer} still held as restored answered as its keep-alive would be; the others dropped. */
    private int answer(String why) {
        Map<Peer, Integer> answered = new LinkedHashMap<>();
        for (java.util.Iterator<Tsi> it = toAnswer.iterator(); it.hasNext(); ) {
            Tsi t = it.next();
            if (t.state == TsiState.INIT || peers.get(key(t.peer.port, t.peer.station)) != t.peer
                    || engine.tsm.find(t.id, t.peer, t.vap.vn.key()) != t || t.peer.common != null) {
                it.remove();
                continue;
            }
            VsiMode mode = t.state == TsiState.ACTIVATED ? VsiMode.ASSOCIATE : VsiMode.PRE_ASSOCIATE_RR;
            engine.sessions.send(t.peer, new VsiTlv(mode, VsiStatus.Response.SUCCESS, t.typeId, t.typeVersion, t.id,
                    t.filter), t.manager);
            answered.merge(t.peer, 1, Integer::sum);
        }
        int n = 0;
        for (Map.Entry<Peer, Integer> e : answered.entrySet()) {
            n += e.getValue();
            events.accept(new NnveEvent.ResyncRequested(e.getKey().port, e.getKey().station, e.getValue() + " " + why,
                    0));
        }
        return n;
    }

    /** Why a saved instance cannot be restored here, or null. */
    private String problem(SavedTsi s) {
        if (s.port() >= scopeOfPort.length) {
            return "port " + s.port() + " is not configured (" + scopeOfPort.length + " ports)";
        }
        if (!s.station().isValidUnicast()) {
            return "station " + s.station() + " is not a unicast address";
        }
        Scope scope = scopeOfPort[s.port()];
        if (!scope.tags.contains(s.tag())) {
            return "tag " + s.tag() + " is not in the tag pool of port scope " + scope.name;
        }
        VnKey owner = scope.tags.owner(s.tag());
        if (owner != null && !owner.equals(s.vn().key())) {
            return "tag " + s.tag() + " is the tag of " + owner + " on port scope " + scope.name;
        }
        Vap vap = scope.vaps.get(s.vn().key());
        if (vap != null && !vap.tags.contains(s.tag())) {
            return s.vn().key() + " uses tag " + vap.tag() + " on port scope " + scope.name + ", not " + s.tag();
        }
        Peer known = peers.get(key(s.port(), s.station()));
        if (known != null && engine.tsm.find(s.id(), known, s.vn().key()) != null) {
            return "saved twice";
        }
        Refusal dup = engine.tsm.duplicateMac(s.id(), s.vn().key(), s.addresses());
        if (dup != null) {
            return dup.text();
        }
        // The authority is not asked again: the TSI was allowed when it was made, and an NVA's replica is empty until
        // its client's first synchronisation (every end device would look unknown). What the NVA revoked since is
        // applied as its changes arrive.
        return null;
    }

    private Tsi restore(SavedTsi s) {
        Peer p = engine.sessions.restoredPeer(s.port(), s.station());
        Scope scope = scopeOfPort[s.port()];
        Vap vap = scope.vaps.get(s.vn().key());
        if (vap == null) {
            vap = new Vap(scope, s.vn());
            if (engine.vapTags.connect(p, vap, s.tag()) != null) {
                return null;
            }
        }
        Tsi t = new Tsi(s.id(), p, vap);
        t.typeId = s.typeId();
        t.typeVersion = s.typeVersion();
        t.manager = s.manager();
        t.filter = s.filter();
        t.addresses = s.addresses();
        t.parameters = s.parameters();
        t.departing = s.departing();
        engine.tsm.add(t);
        engine.tsm.transition(t, s.state(), "restored");
        if (!s.held().isEmpty() && t.state == TsiState.ACTIVATED) {
            // REQ-8, REQ-9: the addresses deactivated stay so
            t.held = s.held();
            if (t.ownsNva) {
                effects.accept(new Effect.NvaHeld(t.instance(), t.held));
            }
            effects.accept(new Effect.Acl(t.instance(), t.held, vap.tag(), Effect.AclState.DISABLED));
        }
        return t;
    }
}
