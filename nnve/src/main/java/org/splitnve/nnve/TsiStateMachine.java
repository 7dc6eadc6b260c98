package org.splitnve.nnve;

import java.util.HashMap;
import java.util.List;
import java.util.UUID;
import org.splitnve.protocol.SessionIdentity;
import org.splitnve.wire.Hashes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.ReasonCode;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * The TSI state machine (SM-TSI-1..7): one instance per (TSI, port, station, VN) goes Init / Associated /
 * Activated; each transition reserves or returns the VAP's tag, updates the NVA mapping (effects), the
 * peer's digest and the counters. Also who holds a TSI (REL-4) and which TSI holds a MAC of a VN (OPS-6).
 */
final class TsiStateMachine extends EnginePart {
    TsiStateMachine(NnveEngine engine) {
        super(engine);
    }

    /** OPS-6: which TSI holds each MAC of a VN here, kept on add, remove and address change (O(1) checks). */
    final HashMap<MacInVn, MacHolder> macOwners = new HashMap<>();

    // ------------------------------------------------------------------ TSI state machine (SM-TSI-1..7)

    Tsi find(VsiId id, Peer p, VnKey vn) {
        for (Tsi t = instances.get(id); t != null; t = t.nextInstance) {
            if (t.peer == p && t.vap.vn.key().equals(vn)) {
                return t;
            }
        }
        return null;
    }

    /** REL-4: the instance holding the NVA entries of TSI {@code id} in VN {@code vn} (its owner), or null. */
    Tsi holder(VsiId id, VnKey vn) {
        for (Tsi x = instances.get(id); x != null; x = x.nextInstance) {
            if (x.ownsNva && x.vap.vn.key().equals(vn)) {
                return x;
            }
        }
        return null;
    }

    /**
     * REL-4, SM-TSI-7: whether instance {@code t}, activated, takes the NVA entries from {@code holder}: it
     * arrives by a migration (ARRIVAL or the M bit) and the move is confirmed: within the holder's port scope
     * (the same port, two stations behind one switch; or a LAG's ports) the hint suffices, across scopes the
     * holder must have announced the migration ID {@code t} arrives by (its DEPARTURE).
     */
    static boolean mayTakeOver(Tsi t, Tsi holder) {
        if (t.arrival == null && !t.arrivalHinted) {
            return false;
        }
        return t.vap == holder.vap || (t.arrival != null && t.arrival.equals(holder.departing));
    }

    /**
     * REL-4: a TSI ID belongs to the end device whose instance holds its NVA entries. Another end device in
     * the holder's port scope may name it as before (SM-TSI-7: a move behind one port; GAP-UPLINK: a LAG),
     * waiting without the entries until a migration hint moves them. From another port scope it may
     * associate it only arriving by a migration (ARRIVAL or the M bit: the destination prepares, holding
     * nothing), and activate it only by a migration the holder announced: its DEPARTURE named the migration
     * ID the activation arrives by. Anything else is refused (reason 4, {@link ReasonDetail#OWNER}); null if the
     * request may go on. A TSI nobody holds is free.
     */
    Refusal claim(Peer p, VsiTlv req, VnKey vn, Tsi t, TsiState target) {
        Tsi h = holder(req.vsiId(), vn);
        if (h == null || h == t || h.peer == p || h.vap.scope == scopeOfPort[p.port]) {
            return null;
        }
        if (t != null && (target != TsiState.ACTIVATED || t.state == TsiState.ACTIVATED)) {
            return null; // an instance that exists already: a refresh, an address change, a deactivation
        }
        UUID arrival = VsiRequests.arrivalOf(req);
        if (arrival == null && t != null) {
            arrival = t.arrival; // announced at its association (a prepare)
        }
        boolean hinted = arrival != null || (req.status() instanceof VsiStatus.Request r && r.migratingTo())
                || (t != null && t.arrivalHinted);
        String owner = "TSI " + req.vsiId() + " belongs to end device " + h.peer.station + " on port " + h.peer.port
                + " (another port scope)";
        if (!hinted) {
            // REL-4
            return new Refusal(ReasonCode.OTHER_FAILURE.value(), ReasonDetail.OWNER.wire(), owner
                    + ": only a migration it announces moves it to another end device");
        }
        if (target != TsiState.ACTIVATED || (arrival != null && arrival.equals(h.departing))) {
            return null; // a migration prepared (it holds nothing), or one its holder announced
        }
        // REL-4: a DEPARTURE with the migration ID comes first
        return new Refusal(ReasonCode.OTHER_FAILURE.value(), ReasonDetail.OWNER.wire(), owner + ": it did not announce "
                + (arrival == null ? "a migration (the M bit alone cannot name one)" : "migration " + arrival)
                + " (its departure with the migration ID comes first)");
    }

    void add(Tsi t) {
        Tsi head = instances.get(t.id);
        if (head != null) {
            t.nextInstance = head.nextInstance;
            head.nextInstance = t;
        } else {
            instances.put(t.id, t);
        }
        t.peer.tsiCount++;
        t.peer.vapUse.merge(t.vap, 1, Integer::sum);
        indexMacs(t);
    }

    void remove(Tsi t) {
        Tsi head = instances.get(t.id);
        if (head == t) {
            if (t.nextInstance != null) {
                instances.put(t.id, t.nextInstance);
            } else {
                instances.remove(t.id);
            }
        } else {
            for (Tsi x = head; x != null; x = x.nextInstance) {
                if (x.nextInstance == t) {
                    x.nextInstance = t.nextInstance;
                    break;
                }
            }
        }
        t.nextInstance = null;
        unindexMacs(t);
        t.peer.unlink(t);
        t.peer.tsiCount--;
        if (t.peer.vapUse.merge(t.vap, -1, Integer::sum) == 0) {
            t.peer.vapUse.remove(t.vap);
        }
    }

    // ------------------------------------------------------------------ one MAC, one TSI per VN (OPS-6)

    /** A MAC in a VN: the key of {@link #macOwners}. */
    record MacInVn(VnKey vn, MacAddress mac) {
        /** Mixed ({@link Hashes}): sequential MACs over many VNs would share their low bits as {@code 31 * vn + mac}. */
        @Override
        public int hashCode() {
            return Hashes.mix(Hashes.combine(Hashes.combine(0, vn.hashCode()), mac.value()));
        }
    }

    /** The TSI holding a MAC in a VN, and how many of its instances do (several during a move, SM-TSI-7). */
    static final class MacHolder {
        final VsiId tsi;
        int instances;

        MacHolder(VsiId tsi) {
            this.tsi = tsi;
        }
    }

    /** The VN a MAC entry belongs to: its own GroupID if it names one, else the TSI's VN. */
    static MacInVn macKey(VnKey tsiVn, TsiAddress a) {
        VnKey vn = a.groupId() == null ? tsiVn : new VnKey.Id(Integer.toUnsignedLong(a.groupId()));
        return new MacInVn(vn, a.mac());
    }

    /**
     * OPS-6: the refusal when a MAC of {@code addresses} is held by another TSI of the same VN on this nNVE (any
     * port, any end device), else null. The same TSI ID is no conflict: its instances on two ports or behind two
     * stations are the TSI moving (SM-TSI-7, a migration arrival) or multi-homed (REQ-4).
     */
    Refusal duplicateMac(VsiId id, VnKey vn, List<TsiAddress> addresses) {
        for (TsiAddress a : addresses) {
            if (a.ip() != null) {
                continue;
            }
            MacInVn k = macKey(vn, a);
            MacHolder h = macOwners.get(k);
            if (h != null && !h.tsi.equals(id)) {
                return new Refusal(ReasonCode.INVALID_VID_GROUP_OR_MAC.value(), ReasonDetail.DUPLICATE_MAC.wire(),
                        "MAC " + a.mac()
                        + " is an address of TSI " + h.tsi + " in " + k.vn() + " (one MAC, one TSI per VN)"); // OPS-6
            }
        }
        return null;
    }

    void indexMacs(Tsi t) {
        VnKey vn = t.vap.vn.key();
        for (TsiAddress a : t.addresses) {
            if (a.ip() == null) {
                MacHolder h = macOwners.computeIfAbsent(macKey(vn, a), k -> new MacHolder(t.id));
                if (h.tsi.equals(t.id)) {
                    h.instances++;
                }
            }
        }
    }

    void unindexMacs(Tsi t) {
        VnKey vn = t.vap.vn.key();
        for (TsiAddress a : t.addresses) {
            if (a.ip() == null) {
                MacInVn k = macKey(vn, a);
                MacHolder h = macOwners.get(k);
                if (h != null && h.tsi.equals(t.id) && --h.instances == 0) {
                    macOwners.remove(k);
                }
            }
        }
    }

    /** Moves a TSI instance to a new state with every effect RFC 8394 section 3 gives the transition. */
    void transition(Tsi t, TsiState to, String cause) {
        TsiState from = t.state;
        if (from == to) {
            return;
        }
        Effect.Instance inst = t.instance();
        int tag = t.vap.tag();
        if (from == TsiState.INIT) {
            reserve(t);
            effects.accept(new Effect.Acl(inst, t.addresses, tag, Effect.AclState.CREATED_DISABLED));
        }
        t.state = to;
        t.held = List.of(); // a whole-TSI change ends a partial deactivation (the NVA does the same)
        tsisInState.moved(from, to);
        digest(t, from, to);
        switch (to) {
            case ASSOCIATED -> {
                nva(t, Effect.EntryState.MAPPING);
                if (from == TsiState.ACTIVATED) {
                    effects.accept(new Effect.Acl(inst, t.addresses, tag, Effect.AclState.DISABLED));
                }
            }
            case ACTIVATED -> {
                nva(t, Effect.EntryState.FORWARDING);
                effects.accept(new Effect.Acl(inst, t.addresses, tag, Effect.AclState.ENABLED));
                if (t.arrival != null || t.arrivalHinted) {
                    effects.accept(new Effect.Relearn(inst, tag));
                    events.accept(new NnveEvent.MigrationArrival(t.peer.port, t.id.toString(),
                            t.arrival == null ? "" : t.arrival.toString(), t.arrivedFrom,
                            t.arrivedFrom == t.peer.port));
                    t.arrival = null;
                    t.arrivalHinted = false;
                }
            }
            case INIT -> {
                nvaRemove(t);
                effects.accept(new Effect.Acl(inst, t.addresses, tag, Effect.AclState.REMOVED));
            }
        }
        events.accept(new NnveEvent.TsiState(t.peer.port, t.peer.station, t.id, t.vap.vn.key(), from, to, cause));
        if (to == TsiState.INIT) {
            unreserve(t);
        }
    }

    void reserve(Tsi t) {
        Vap vap = t.vap;
        vap.tsiAssociated++;
        int n = vap.perPort.merge(t.peer.port, 1, Integer::sum);
        if (n == 1) {
            effects.accept(new Effect.TagProvision(t.peer.port, vap.vn.key(), vap.tag(), true));
        }
    }

    void unreserve(Tsi t) {
        Vap vap = t.vap;
        vap.tsiAssociated--;
        int n = vap.perPort.merge(t.peer.port, -1, Integer::sum);
        if (n == 0) {
            vap.perPort.remove(t.peer.port);
            effects.accept(new Effect.TagProvision(t.peer.port, vap.vn.key(), vap.tag(), false));
        }
        if (vap.tsiAssociated == 0 && vap.explicit.isEmpty()) {
            engine.vapTags.disconnect(vap, "last TSI gone");
        }
    }

    /** SM-TSI-7: only one instance of a TSI holds its NVA entries; activation of another moves them. */
    void nva(Tsi t, Effect.EntryState state) {
        t.arrivedFrom = -1;
        if (!t.ownsNva) {
            Tsi owner = null;
            for (Tsi x = instances.get(t.id); x != null; x = x.nextInstance) {
                if (x != t && x.ownsNva && x.vap.vn.key().equals(t.vap.vn.key())) {
                    owner = x;
                }
            }
            if (owner != null) {
                if (state != Effect.EntryState.FORWARDING || !mayTakeOver(t, owner)) {
                    // The moving-in instance waits, the NVA keeps pointing at the old one. Only a confirmed
                    // migration arrival (REQ-13, REL-4) takes the entries over: another end device naming the
                    // same TSI (multi-homing, or a hostile claim: SEC-4) does not.
                    return;
                }
                effects.accept(new Effect.NvaMove(owner.instance(), t.instance()));
                owner.ownsNva = false;
                t.arrivedFrom = owner.peer.port;
            }
            t.ownsNva = true;
        }
        effects.accept(new Effect.NvaEntries(t.instance(), t.addresses, state,
                state == Effect.EntryState.FORWARDING && (t.arrival != null || t.arrivalHinted)));
    }

    void nvaRemove(Tsi t) {
        if (!t.ownsNva) {
            return;
        }
        t.ownsNva = false;
        for (Tsi x = instances.get(t.id); x != null; x = x.nextInstance) {
            if (x != t && x.state != TsiState.INIT && x.vap.vn.key().equals(t.vap.vn.key())
                    && (x.vap == t.vap || (x.arrival != null && x.arrival.equals(t.departing)))) {
                // The other instance takes the entries over: a move, not a remove-then-add. REL-4: only one the
                // leaving holder would have let take them (its port scope, or the migration it announced).
                effects.accept(new Effect.NvaMove(t.instance(), x.instance()));
                x.ownsNva = true;
                effects.accept(new Effect.NvaEntries(x.instance(), x.addresses, x.state == TsiState.ACTIVATED
                        ? Effect.EntryState.FORWARDING : Effect.EntryState.MAPPING));
                return;
            }
        }
        effects.accept(new Effect.NvaRemove(t.instance()));
    }

    void digest(Tsi t, TsiState from, TsiState to) {
        Peer p = t.peer;
        p.digest ^= t.digest;
        t.digest = to == TsiState.INIT ? 0 : SessionIdentity.tsiDigest(t.id, to.digestCode());
        p.digest ^= t.digest;
    }


    void release(Tsi t, String cause) {
        transition(t, TsiState.INIT, cause);
        remove(t);
        engine.requests.unstage(t.peer, t.id);
    }
}
