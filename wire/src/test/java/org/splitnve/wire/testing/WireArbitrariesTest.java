package org.splitnve.wire.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Example;
import net.jqwik.api.Label;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.frame.FrameCodec;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.lldp.ExtensionCapabilityTlv;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.lldp.LldpTlv;
import org.splitnve.wire.lldp.OtherLldpTlv;
import org.splitnve.wire.vdp.ExtensionTlv;
import org.splitnve.wire.vdp.ExtensionType;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.UnknownOrgTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiIdFormat;
import org.splitnve.wire.vdp.VsiMode;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * The generators reach every kind of value the properties claim to cover, and only valid ones:
 * a property over a generator that never produced a migration TLV would prove nothing about it.
 * Samples are drawn with a fixed seed. Tests of the test fixtures: they cite no requirement.
 */
@Label("fixtures: WireArbitraries covers every value kind, validly")
class WireArbitrariesTest {

    @Example
    @Label("VDP PDUs carry every extension TLV, "
            + "VSIID format, filter format, mode and status kind, within 1494 octets")
    void vdpPdusCoverEverything() {
        List<VdpPdu> pdus = Corpus.sample(WireArbitraries.vdpPdus(), 1500, 1);
        Set<ExtensionType> extensions = EnumSet.noneOf(ExtensionType.class);
        Set<VsiIdFormat> idFormats = EnumSet.noneOf(VsiIdFormat.class);
        Set<FilterFormat> filterFormats = EnumSet.noneOf(FilterFormat.class);
        Set<VsiMode> modes = EnumSet.noneOf(VsiMode.class);
        Set<VnConnectTlv.Operation> vnOps = EnumSet.noneOf(VnConnectTlv.Operation.class);
        Set<String> seen = new HashSet<>();
        int maxLength = 0;
        for (VdpPdu p : pdus) {
            assertThat(p.encodedLength()).isLessThanOrEqualTo(VdpPdu.MAX_LENGTH);
            maxLength = Math.max(maxLength, p.encodedLength());
            if (p.auth() != null) {
                extensions.add(ExtensionType.AUTH);
            }
            seen.add(p.managerId() == null ? "no manager ID" : "manager ID");
            seen.add("items " + Math.min(p.items().size(), 3));
            for (OrgTlv t : p.header()) {
                note(t, extensions, seen, "header");
            }
            for (VdpItem i : p.items()) {
                if (i instanceof VsiTlv v) {
                    assertThat(p.managerId()).isNotNull();
                    assertThat(VsiId.problem(v.vsiId().format(), v.vsiId().hi(), v.vsiId().lo())).isNull();
                    assertThat(v.filter().entries().size()).isLessThanOrEqualTo(VsiTlv.maxEntries(v.filter().format()));
                    idFormats.add(v.vsiId().format());
                    filterFormats.add(v.filter().format());
                    modes.add(v.mode());
                    seen.add(v.status() instanceof VsiStatus.Request ? "request" : "response");
                    if (v.filter().entries().size() == VsiTlv.maxEntries(v.filter().format())) {
                        seen.add("full filter");
                    }
                    if (v.filter().entries().stream().anyMatch(e -> e.isNullVid())) {
                        seen.add("null VID");
                    }
                } else if (i instanceof VnConnectTlv c) {
                    extensions.add(ExtensionType.VN_CONNECT);
                    vnOps.add(c.operation());
                    if (c.localTags().contains(0)) {
                        seen.add("null local tag");
                    }
                }
                for (OrgTlv t : i.attached()) {
                    note(t, extensions, seen, i instanceof VsiTlv ? "on VSI" : "on VN connect");
                }
            }
        }
        assertThat(extensions).containsExactlyInAnyOrder(ExtensionType.values());
        assertThat(idFormats).containsExactlyInAnyOrder(VsiIdFormat.values());
        assertThat(filterFormats).containsExactlyInAnyOrder(FilterFormat.values());
        assertThat(modes).containsExactlyInAnyOrder(VsiMode.values());
        assertThat(vnOps).containsExactlyInAnyOrder(VnConnectTlv.Operation.values());
        assertThat(seen).contains("no manager ID", "manager ID", "items 0", "items 1", "items 2", "items 3", "request",
                "response", "full filter", "null VID", "null local tag", "unknown org TLV header", "unknown org TLV on VSI",
                "unknown org TLV on VN connect", "PARAMETERS on VN connect", "REASON_DETAIL on VN connect");
        assertThat(maxLength).as("some PDUs come near the limit").isGreaterThan(1300);
    }

    private static void note(OrgTlv t, Set<ExtensionType> extensions, Set<String> seen, String where) {
        if (t instanceof ExtensionTlv e) {
            extensions.add(e.type());
            seen.add(e.type() + " " + where);
        } else if (t instanceof UnknownOrgTlv u) {
            assertThat(u.oui() == WireArbitraries.PROJECT_OUI && ExtensionType.ofSubtype(u.subtype()) != null)
                    .as("an unknown TLV that looks like an extension: %s", u).isFalse();
            seen.add("unknown org TLV " + where);
        }
    }

    @Example
    @Label("frames of every kind, tagged and untagged, to unicast and multicast destinations, fit 1518 octets")
    void framesCoverEveryKind() {
        Set<String> seen = new HashSet<>();
        int max = 0;
        for (Frame f : Corpus.sample(WireArbitraries.frames(), 1500, 2)) {
            int len = FrameCodec.DEFAULT.encodedLength(f);
            assertThat(len).isLessThanOrEqualTo(EthernetHeader.MAX_FRAME);
            max = Math.max(max, len);
            seen.add(f.getClass().getSimpleName());
            seen.add(f.ethernet().vlan() == null ? "untagged" : "tagged");
            seen.add(f.ethernet().destination().isMulticast() ? "multicast" : "unicast");
            if (f instanceof Frame.Vdp v && v.vdp().isEmpty()) {
                seen.add("empty VDP");
            }
            if (len < EthernetHeader.MIN_FRAME) {
                seen.add("short");
            }
        }
        assertThat(seen).contains("Vdp", "OtherEcp", "Lldp", "Other", "untagged", "tagged", "multicast", "unicast",
                "empty VDP", "short");
        assertThat(max).isGreaterThan(1400);
    }

    @Example
    @Label("LLDPDUs carry EVB, extension capability and other TLVs; no other TLV looks like a typed one")
    void lldpCoversEveryTlv() {
        Set<String> seen = new HashSet<>();
        for (LldpPdu p : Corpus.sample(WireArbitraries.lldpPdus(), 500, 3)) {
            assertThat(p.encodedLength()).isLessThanOrEqualTo(EthernetHeader.MAX_PAYLOAD);
            for (LldpTlv t : p.tlvs()) {
                switch (t) {
                    case EvbTlv e -> seen.add("EVB " + e.mode());
                    case ExtensionCapabilityTlv c -> seen.add("capability");
                    case OtherLldpTlv o -> {
                        seen.add(o.type() == 127 ? "other 127" : "other");
                        if (o.type() == 127) {
                            int oui = (o.value().get(0) << 16) | (o.value().get(1) << 8) | o.value().get(2);
                            int subtype = o.value().get(3);
                            assertThat(oui == EvbTlv.OUI_8021 && subtype == EvbTlv.SUBTYPE).isFalse();
                            assertThat(oui == WireArbitraries.PROJECT_OUI && subtype == 1).isFalse();
                            if (oui == EvbTlv.OUI_8021 || oui == WireArbitraries.PROJECT_OUI) {
                                seen.add("other 127 under a typed OUI");
                            }
                        }
                    }
                }
            }
        }
        assertThat(seen).contains("EVB BRIDGE", "EVB STATION", "EVB NOT_SUPPORTED", "EVB RESERVED", "capability", "other",
                "other 127", "other 127 under a typed OUI");
    }

    @Example
    @Label("TSI addresses of every family, hosts and prefixes, with and without bound MAC and GroupID")
    void tsiAddressesCoverEveryShape() {
        Set<String> seen = new HashSet<>();
        for (TsiAddress a : Corpus.sample(WireArbitraries.tsiAddresses(), 2000, 4)) {
            String family = switch (a.family()) {
                case 1 -> "MAC";
                case 4 -> "IPv4";
                default -> "IPv6";
            };
            seen.add(family);
            if (a.ip() != null) {
                seen.add(family + (a.prefixLength() == a.ip().getAddress().length * 8 ? " host" : " prefix"));
                seen.add(family + (a.mac() != null ? " bound MAC" : " no MAC"));
            }
            seen.add(family + (a.groupId() != null ? " GroupID" : " no GroupID"));
        }
        assertThat(seen).contains("MAC", "IPv4", "IPv6", "IPv4 host", "IPv4 prefix", "IPv6 host", "IPv6 prefix",
                "IPv4 bound MAC", "IPv4 no MAC", "IPv6 bound MAC", "IPv6 no MAC", "MAC GroupID", "MAC no GroupID",
                "IPv4 GroupID", "IPv6 no GroupID");
    }
}
