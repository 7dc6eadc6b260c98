package org.splitnve.nnve;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.splitnve.nva.EndDevice;
import org.splitnve.nva.Nva;
import org.splitnve.nva.VnRegistry;
import org.splitnve.nva.NveId;
import org.splitnve.nva.PrefixPolicy;
import org.splitnve.nva.ProvisioningMode;
import org.splitnve.nva.Refusal;
import org.splitnve.nva.VnRecord;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;

/**
 * The engine's questions answered by the NVA (SEC-1, SEC-2, SM-VAP-2): end devices and TSIs are
 * authorised by the NVA's policy, VNs resolved by its registry, validated VNs get the NVA's records.
 *
 * <p>A standard peer that names no GroupID (plain VDP) has no VN the NVA knows: such requests are
 * resolved by {@code typeVns} (VSI type ID to VN ID: the VSI Manager's database), else accepted as a
 * plain VLAN only when {@code plainVlans} is set.
 */
public final class NvaAuthority implements Authority {
    private final Nva nva;
    private final NveId self;
    private final Map<Integer, Long> typeVns;
    private final boolean plainVlans;
    /**
     * REL-2: the restored TSIs' VNs (by VN ID) and instances (with their addresses), while the NVA's replica is
     * incomplete ({@link Nva#incompleteBecause}: before its client's first list it is empty, and every VN would be
     * unknown); forgotten once the replica is complete.
     */
    private final Map<Long, Vn> restoredVns = new java.util.HashMap<>();
    private final Map<Restored, List<TsiAddress>> restoredTsis = new java.util.HashMap<>();

    private record Restored(int port, MacAddress station, VsiId tsi, long vn) {
    }

    public NvaAuthority(Nva nva, String nnveName, Map<Integer, Long> typeVns, boolean plainVlans) {
        this.nva = nva;
        this.self = NveId.of(nnveName);
        this.typeVns = Map.copyOf(typeVns);
        this.plainVlans = plainVlans;
    }

    private EndDevice device(int port, MacAddress station) {
        return new EndDevice(self, port, station);
    }

    private static Decision refused(org.splitnve.nva.Decision<?> d) {
        org.splitnve.nva.Decision.Refused<?> r = (org.splitnve.nva.Decision.Refused<?>) d;
        return Decision.refuse(r.reason().reasonCode().value(), r.reason().text()
                + (r.detail() == null || r.detail().isEmpty() ? "" : ": " + r.detail()));
    }

    @Override
    public void restored(int port, MacAddress station, VsiId tsi, Vn vn, List<TsiAddress> addresses) {
        if (vn.key() instanceof VnKey.Id id) {
            restoredVns.put(id.id(), vn);
            restoredTsis.put(new Restored(port, station, tsi, id.id()), List.copyOf(addresses));
        }
    }

    /** Whether the restored TSIs still answer for the NVA: its replica is incomplete; once it is not, forgotten. */
    private boolean restoring() {
        if (restoredTsis.isEmpty()) {
            return false;
        }
        if (nva.incompleteBecause() == null) {
            restoredVns.clear();
            restoredTsis.clear();
            return false;
        }
        return true;
    }

    @Override
    public Decision authoriseEndDevice(int port, MacAddress station) {
        var d = nva.authoriseEndDevice(device(port, station));
        if (!d.isAllowed() && restoring()
                && restoredTsis.keySet().stream().anyMatch(r -> r.port() == port && r.station().equals(station))) {
            return Decision.ALLOW; // REL-2: the end device of restored TSIs, before the NVA's replica is complete
        }
        return d.isAllowed() ? Decision.ALLOW : refused(d);
    }

    static Vn vn(VnRecord r) {
        return new Vn(new VnKey.Id(Integer.toUnsignedLong(r.id())), r.alias(), r.context(),
                r.mode() == ProvisioningMode.VALIDATED ? Vn.Provisioning.VALIDATED : Vn.Provisioning.TRUSTED,
                r.parameters());
    }

    @Override
    public VnResolution resolveVn(ManagerId manager, int typeId, int typeVersion, long groupId, UUID vnName, int vid) {
        if (groupId < 0 && vnName == null && typeVns.containsKey(typeId)) {
            groupId = typeVns.get(typeId);
        }
        if (groupId >= 0) {
            long id = groupId;
            return nva.vnById((int) id).map(r -> VnResolution.of(vn(r)))
                    .orElseGet(() -> restoring() && restoredVns.containsKey(id) ? VnResolution.of(restoredVns.get(id))
                            : unknown("unknown VN ID " + id));
        }
        if (vnName != null) {
            return nva.vnByName(vnName).map(r -> VnResolution.of(vn(r)))
                    .orElseGet(() -> unknown("unknown VN Name " + vnName));
        }
        if (plainVlans && vid > 0) {
            return VnResolution.of(Vn.trusted(new VnKey.Vlan(vid), -1));
        }
        return VnResolution.refuse(4, "the request names no VN (no GroupID) and the VSI type " + typeId + " maps to none");
    }

    /**
     * A VN the NVA does not know (reason code 4, as before). NVA-5: a replica cut off from the NVA says so in the
     * detail ("the NVA is unreachable"), at once: no request waits on the NVA.
     */
    private VnResolution unknown(String what) {
        String why = nva.incompleteBecause();
        return VnResolution.refuse(4, why == null ? what : what + ": " + why);
    }

    @Override
    public TsiGrant authoriseTsi(int port, MacAddress station, VsiId tsi, Vn vn, List<TsiAddress> requested) {
        if (!(vn.key() instanceof VnKey.Id id)) {
            // a plain VLAN: nothing at the NVA to check against but the default prefix floor (SEC-2)
            TsiAddress wide = PrefixPolicy.DEFAULT.firstRefused(requested);
            return wide == null ? TsiGrant.trusted() : TsiGrant.refuse(Refusal.PREFIX_TOO_SHORT.reasonCode().value(),
                    Refusal.PREFIX_TOO_SHORT.text() + ": " + PrefixPolicy.DEFAULT.refusal(wide, vn.key().toString()));
        }
        var d = nva.authoriseTsi(device(port, station), tsi, (int) id.id(), requested, List.of());
        List<TsiAddress> had = d.isAllowed() || !restoring() ? null
                : restoredTsis.get(new Restored(port, station, tsi, id.id()));
        if (had != null) {
            // REL-2: a restored TSI's end device, before the NVA's replica is complete: allowed as it was (a trusted
            // VN: with the addresses it had, or fewer; a validated one: the addresses it had)
            if (vn.provisioning() == Vn.Provisioning.VALIDATED) {
                return new TsiGrant(Decision.ALLOW, had, List.of());
            }
            if (had.containsAll(requested)) {
                return TsiGrant.trusted();
            }
        }
        if (!d.isAllowed()) {
            Decision r = refused(d);
            return new TsiGrant(r, null, List.of());
        }
        org.splitnve.nva.TsiGrant g = d.orElseThrow();
        return g.mode() == ProvisioningMode.VALIDATED ? new TsiGrant(Decision.ALLOW, g.addresses(), g.parameters())
                : new TsiGrant(Decision.ALLOW, null, g.parameters());
    }

    /** Ready once the NVA's replica (if it is one) has had its first list ({@link VnRegistry#loaded}). */
    @Override
    public boolean ready() {
        return nva.loaded();
    }

    @Override
    public boolean activatedAtAnotherNve(VsiId tsi, Vn vn) {
        if (!(vn.key() instanceof VnKey.Id id)) {
            return false;
        }
        for (org.splitnve.nva.TsiBinding b : nva.bindings(tsi)) {
            if (!b.instance().nve().equals(self) && b.instance().vnId() == (int) id.id()
                    && b.state() == org.splitnve.nva.EntryState.FORWARDING) {
                return true;
            }
        }
        return false;
    }
}
