package org.splitnve.nva;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.VnId;

/**
 * One VN as the NVA knows it (RFC 8394 ID-1, ID-4, SM-VAP-2; seed 004 section 2).
 *
 * @param name       VN Name: globally unique (a UUID, not the nil UUID)
 * @param id         VN ID: compact, unique in the administrative domain; the VDP GroupID (32 bits, unsigned)
 * @param alias      VN Alias: the human name (non-blank, at most 255 octets of UTF-8)
 * @param context    VN Context: the overlay VNI the nNVE encapsulates with (24 bits)
 * @param service    L2 or L3 service (ID-4)
 * @param mode       trusted or validated provisioning of its TSIs (SEC-2)
 * @param parameters the VN profile (SM-EXT): e.g. {@link Parameter#vnProfile}, {@link Parameter#qos},
 *                   {@link Parameter#mtu}; never the name, alias or context, which are fields
 * @param prefixes   the shortest IP prefixes a TSI may claim in trusted mode (SEC-1, SEC-2;
 *                   {@link PrefixPolicy#DEFAULT} unless the VN grants shorter ones)
 */
public record VnRecord(UUID name, int id, String alias, int context, VnService service, ProvisioningMode mode,
        List<Parameter> parameters, PrefixPolicy prefixes) {

    public VnRecord {
        if (name == null || (name.getMostSignificantBits() == 0 && name.getLeastSignificantBits() == 0)) {
            throw new IllegalArgumentException("a VN Name is a UUID, not the nil UUID");
        }
        if (alias == null || alias.isBlank() || alias.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("a VN Alias is a non-blank string of at most 255 octets");
        }
        if (context < 0 || context > 0xFF_FFFF) {
            throw new IllegalArgumentException("a VN Context (VNI) is 24 bits: " + context);
        }
        if (service == null || mode == null || prefixes == null) {
            throw new IllegalArgumentException("service, provisioning mode and prefix policy are required");
        }
        parameters = List.copyOf(parameters);
        for (Parameter p : parameters) {
            if (p.type() == Parameter.VN_NAME || p.type() == Parameter.VN_ALIAS || p.type() == Parameter.VN_CONTEXT) {
                throw new IllegalArgumentException("VN name, alias and context are fields, not profile parameters: "
                        + p.describe());
            }
        }
    }

    /** A trusted VN without profile parameters. */
    public static VnRecord of(UUID name, long id, String alias, int context, VnService service) {
        return new VnRecord(name, ((VnId.Group) VnId.group(id)).id(), alias, context, service,
                ProvisioningMode.TRUSTED, List.of(), PrefixPolicy.DEFAULT);
    }

    public VnRecord withMode(ProvisioningMode mode) {
        return new VnRecord(name, id, alias, context, service, mode, parameters, prefixes);
    }

    public VnRecord withParameters(List<Parameter> parameters) {
        return new VnRecord(name, id, alias, context, service, mode, parameters, prefixes);
    }

    /** The VN with another shortest prefix a TSI may claim in trusted mode (SEC-2). */
    public VnRecord withPrefixes(PrefixPolicy prefixes) {
        return new VnRecord(name, id, alias, context, service, mode, parameters, prefixes);
    }

    /** The VN ID as an unsigned number. */
    public long unsignedId() {
        return Integer.toUnsignedLong(id);
    }

    /** The VN as VDP names it by GroupID. */
    public VnId.Group groupId() {
        return new VnId.Group(id);
    }

    @Override
    public String toString() {
        return "VN " + unsignedId() + " \"" + alias + "\" " + name + " VNI " + context + ' ' + service + ' ' + mode
                + (parameters.isEmpty() ? "" : " " + parameters.stream().map(Parameter::describe).toList())
                + (prefixes.equals(PrefixPolicy.DEFAULT) ? "" : " prefixes " + prefixes);
    }
}
