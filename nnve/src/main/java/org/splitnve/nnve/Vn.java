package org.splitnve.nnve;

import java.util.List;
import org.splitnve.wire.vdp.Parameter;

/**
 * A VN as the authority resolved it: its canonical key, its overlay VNI (VN_Context, SM-VAP-2),
 * whether its TSIs are provisioned trusted or validated (SEC-2), and its parameters (SM-EXT).
 *
 * @param vni 24-bit VN Context, or -1 when the VN has none (a plain VLAN)
 */
public record Vn(VnKey key, String alias, int vni, Provisioning provisioning, List<Parameter> parameters) {
    public enum Provisioning {
        /** The end device supplies addresses and parameters, used as they are. */
        TRUSTED,
        /** The end device names only VN and TSI; the NVA's record is authoritative. */
        VALIDATED
    }

    public Vn {
        parameters = List.copyOf(parameters);
    }

    public static Vn trusted(VnKey key, int vni) {
        return new Vn(key, key.toString(), vni, Provisioning.TRUSTED, List.of());
    }
}
