package org.splitnve.nva.service;

import java.util.Set;
import org.splitnve.nva.NveId;

/**
 * What a list or a watch returns (docs/nva-protocol.md section 4.1). An nNVE's interest is its own resources and
 * those of the VNs it serves: the VNs themselves, their TSI rules and records, every nNVE's mapping entries and
 * local tags in them, their duplicates; plus its end-device rules, the whole NVE registry (small: one entry per
 * nNVE; VTEP addresses are what its data plane needs) and the withdrawals addressed to it. The operator's interest
 * is everything. Credentials are in no interest.
 *
 * @param nve the nNVE, or null for the operator
 * @param vns the VNs served; ignored for the operator
 */
public record Interest(NveId nve, Set<Integer> vns) {
    public Interest {
        vns = vns == null ? Set.of() : Set.copyOf(vns);
    }

    public static Interest operator() {
        return new Interest(null, Set.of());
    }

    public static Interest of(NveId nve, Set<Integer> vns) {
        if (nve == null) {
            throw new IllegalArgumentException("an nNVE's interest names the nNVE");
        }
        return new Interest(nve, vns);
    }

    public boolean everything() {
        return nve == null;
    }

    public boolean covers(Resource r) {
        if (r instanceof Resource.Credential) {
            return false;
        }
        if (everything() || r instanceof Resource.Nve) {
            return true;
        }
        Integer vn = r.vnId();
        if (vn != null) {
            return vns.contains(vn);
        }
        return nve.equals(r.nve());
    }

    public boolean covers(ChangeEvent e) {
        return switch (e) {
            case ChangeEvent.Put p -> covers(p.resource());
            case ChangeEvent.Removed r -> covers(r.key());
            case ChangeEvent.Withdrawal w -> everything() || nve.equals(w.to());
        };
    }

    /** A removal names only the key: decided by the key's kind and the VN or nNVE it names. */
    boolean covers(ResourceKey k) {
        return switch (k.kind()) {
            case CREDENTIAL -> false;
            case NVE -> true;
            case DEVICE_PERMIT -> everything() || k.id().startsWith(ResourceKey.nve(nve).id() + "/");
            case VN, TSI_PERMIT, TSI_RECORD, MAPPING, DUPLICATE -> everything() || vns.contains(vnOf(k.id()));
            // a tag key names the nNVE, not the VN: every nNVE's tag removals reach every watcher (a few per VN)
            case LOCAL_TAG -> true;
        };
    }

    private static int vnOf(String id) {
        int slash = id.indexOf('/');
        return Integer.parseUnsignedInt(slash < 0 ? id : id.substring(0, slash));
    }
}
