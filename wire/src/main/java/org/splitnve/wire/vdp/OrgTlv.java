package org.splitnve.wire.vdp;

/**
 * An organizationally specific VDP TLV (type 127) that stands in a PDU's header or is attached to a
 * {@link VdpItem}: this project's extensions, or another organization's TLV kept as it arrived.
 */
public sealed interface OrgTlv permits UnknownOrgTlv, CapabilityTlv, SessionTlv, TsiAddressTlv,
        DeactivateTlv, MigrationTlv, ParameterTlv, ReasonDetailTlv {

    /** Octets on the wire, TLV header included. */
    static int lengthOf(OrgTlv t) {
        return switch (t) {
            case UnknownOrgTlv u -> u.encodedLength();
            case ExtensionTlv e -> e.encodedLength();
        };
    }
}
