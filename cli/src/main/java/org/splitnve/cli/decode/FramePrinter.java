package org.splitnve.cli.decode;

import org.splitnve.wire.MacAddress;
import org.splitnve.wire.ecp.EcpHeader;
import org.splitnve.wire.ecp.EcpOperation;
import org.splitnve.wire.ethernet.EthernetHeader;
import org.splitnve.wire.frame.Frame;
import org.splitnve.wire.lldp.EvbTlv;
import org.splitnve.wire.lldp.ExtensionCapabilityTlv;
import org.splitnve.wire.lldp.LldpPdu;
import org.splitnve.wire.lldp.LldpTlv;
import org.splitnve.wire.lldp.OtherLldpTlv;
import org.splitnve.wire.vdp.AuthTlv;
import org.splitnve.wire.vdp.CapabilityTlv;
import org.splitnve.wire.vdp.DeactivateTlv;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.MigrationTlv;
import org.splitnve.wire.vdp.OrgTlv;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.ParameterTlv;
import org.splitnve.wire.vdp.ReasonDetailTlv;
import org.splitnve.wire.vdp.SessionTlv;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.TsiAddressTlv;
import org.splitnve.wire.vdp.UnknownOrgTlv;
import org.splitnve.wire.vdp.VdpItem;
import org.splitnve.wire.vdp.VdpPdu;
import org.splitnve.wire.vdp.VnConnectTlv;
import org.splitnve.wire.vdp.VsiStatus;
import org.splitnve.wire.vdp.VsiTlv;

/**
 * Renders a decoded frame as an indented tree, every field named, standard and extension alike
 * (what {@code tshark -V} would show if its dissectors followed 802.1Qbg-2012).
 */
public final class FramePrinter {
    private final StringBuilder out;
    private final int extensionOui;

    public FramePrinter(StringBuilder out, int extensionOui) {
        this.out = out;
        this.extensionOui = extensionOui;
    }

    public void print(Frame frame) {
        ethernet(frame.ethernet());
        switch (frame) {
            case Frame.Vdp v -> {
                ecp(v.ecp());
                vdp(v.vdp(), v.ecp());
            }
            case Frame.OtherEcp o -> {
                ecp(o.ecp());
                line(1, "Payload (subtype " + o.ecp().subtype() + ", not decoded): " + o.payload().length() + " octets");
            }
            case Frame.Lldp l -> lldp(l.lldp());
            case Frame.Other o -> line(1, "Payload (not decoded): " + o.payload().length() + " octets");
        }
    }

    private void ethernet(EthernetHeader e) {
        line(1, "Ethernet II, Src: " + e.source() + ", Dst: " + e.destination() + describe(e.destination()));
        if (e.vlan() != null) {
            line(2, String.format("802.1Q tag: TPID 0x%04x, PCP %d, DEI %d, VID %d", e.vlan().tpid(), e.vlan().pcp(),
                    e.vlan().dei() ? 1 : 0, e.vlan().vid()));
        }
        line(2, String.format("Type: 0x%04x%s", e.etherType(), switch (e.etherType()) {
            case EcpHeader.ETHERTYPE -> " (ECP)";
            case LldpPdu.ETHERTYPE -> " (LLDP)";
            default -> "";
        }));
    }

    private static String describe(MacAddress dst) {
        if (dst.equals(MacAddress.NEAREST_CUSTOMER_BRIDGE)) {
            return " (nearest customer bridge)";
        }
        if (dst.equals(MacAddress.NEAREST_BRIDGE)) {
            return " (nearest bridge)";
        }
        if (dst.isReservedGroup()) {
            return " (reserved group address)";
        }
        return dst.isMulticast() ? " (multicast)" : " (unicast)";
    }

    private void ecp(EcpHeader h) {
        line(1, "Edge Control Protocol (ECP22)");
        line(2, "Version: " + EcpHeader.VERSION);
        line(2, "Operation: " + (h.operation() == EcpOperation.REQUEST ? "request (0)" : "acknowledgement (1)"));
        line(2, "Subtype: " + h.subtype() + (h.subtype() == EcpHeader.SUBTYPE_VDP ? " (VDP)" : ""));
        line(2, "Sequence number: " + h.sequence());
    }

    private void vdp(VdpPdu pdu, EcpHeader h) {
        if (pdu.isEmpty()) {
            if (h.operation() == EcpOperation.REQUEST) {
                line(1, "VDP: no TLVs");
            }
            return;
        }
        line(1, "VSI Discovery and Configuration Protocol (VDP22), " + pdu.encodedLength() + " octets of TLVs");
        if (pdu.managerId() != null) {
            line(2, "VSI Manager ID: " + pdu.managerId());
        }
        for (OrgTlv t : pdu.header()) {
            org(2, t);
        }
        for (VdpItem item : pdu.items()) {
            switch (item) {
                case VsiTlv v -> vsi(v);
                case VnConnectTlv c -> vnConnect(c);
            }
            for (OrgTlv t : item.attached()) {
                org(3, t);
            }
        }
        if (pdu.auth() != null) {
            auth(2, pdu.auth());
        }
    }

    private void vsi(VsiTlv v) {
        line(2, name(v) + " (type " + v.mode().tlvType() + ", length " + v.bodyLength() + ")");
        status(3, v.status());
        line(3, "VSI type ID: " + v.typeId() + ", version " + v.typeVersion());
        line(3, "VSIID: " + v.vsiId() + " (format " + v.vsiId().format().code() + ", " + v.vsiId().format() + ")");
        filter(3, v.filter());
    }

    private static String name(VsiTlv v) {
        return switch (v.mode()) {
            case PRE_ASSOCIATE -> "Pre-Associate";
            case PRE_ASSOCIATE_RR -> "Pre-Associate with Resource Reservation";
            case ASSOCIATE -> "Associate";
            case DE_ASSOCIATE -> "De-Associate";
        } + (v.isResponse() ? " response" : " request");
    }

    private void status(int depth, VsiStatus s) {
        switch (s) {
            case VsiStatus.Request r -> line(depth, String.format(
                    "Status: 0x%02x (request; M migrating-to %d, S suspended/migrating-from %d, reason %d)",
                    r.toOctet(), r.migratingTo() ? 1 : 0, r.suspended() ? 1 : 0, r.reason()));
            case VsiStatus.Response r -> line(depth, String.format(
                    "Status: 0x%02x (response; keep %d, hard error %d, reason %s)",
                    r.toOctet(), r.keep() ? 1 : 0, r.hardError() ? 1 : 0, r.code()));
        }
    }

    private void filter(int depth, Filter f) {
        line(depth, "Filter info format: " + f.format().code() + " (" + f.format() + "), " + f.entries().size()
                + (f.entries().size() == 1 ? " entry" : " entries"));
        int i = 0;
        for (FilterEntry e : f.entries()) {
            StringBuilder sb = new StringBuilder("[").append(i++).append("]");
            if (f.format().hasGroup()) {
                sb.append(" GroupID ").append(e.groupIdUnsigned());
            }
            if (f.format().hasMac()) {
                sb.append(" MAC ").append(e.mac());
            }
            sb.append(" VID ").append(e.vid()).append(e.isNullVid() ? " (null: bridge assigns)" : "");
            sb.append(", PS ").append(e.ps() ? 1 : 0).append(", PCP ").append(e.pcp());
            line(depth + 1, sb.toString());
        }
    }

    private void vnConnect(VnConnectTlv c) {
        line(2, "splitnve VN connect (extension subtype 3): " + c.operation());
        status(3, c.status());
        line(3, c.vn().toString());
        line(3, "Local tags: " + (c.localTags().isEmpty() ? "none" : c.localTags().stream()
                .map(t -> t == 0 ? "0 (assign)" : String.valueOf(t)).toList()));
    }

    private void org(int depth, OrgTlv t) {
        switch (t) {
            case UnknownOrgTlv u -> line(depth, String.format("Organizationally specific TLV: OUI %06x%s, subtype %d, %d octets: %s",
                    u.oui(), u.oui() == extensionOui ? " (splitnve, unknown subtype)" : "", u.subtype(), u.info().length(),
                    u.info().hex()));
            case CapabilityTlv c -> line(depth, "splitnve capabilities (subtype 1): version " + c.version() + ", "
                    + c.features());
            case SessionTlv s -> {
                line(depth, "splitnve session (subtype 2)");
                line(depth + 1, String.format("Flags: 0x%02x%s%s%s", s.flags(), s.has(SessionTlv.KEEPALIVE) ? " KEEPALIVE" : "",
                        s.has(SessionTlv.RESYNC_REQUEST) ? " RESYNC_REQUEST" : "", s.has(SessionTlv.RESTARTING) ? " RESTARTING" : ""));
                line(depth + 1, "Epoch: " + Integer.toUnsignedString(s.epoch()) + ", peer epoch: "
                        + Integer.toUnsignedString(s.peerEpoch()));
                line(depth + 1, "TSIs: " + Integer.toUnsignedString(s.tsiCount()) + String.format(", state digest: %016x", s.stateDigest()));
                line(depth + 1, "Nonce: " + s.nonce().hex());
            }
            case TsiAddressTlv a -> {
                line(depth, "splitnve TSI addresses (subtype 4): " + a.operation() + ", transaction " + a.transaction()
                        + ", fragment " + a.fragment() + (a.last() ? " (last)" : "") + ", " + a.addresses().size() + " addresses");
                int i = 0;
                for (TsiAddress addr : a.addresses()) {
                    line(depth + 1, "[" + i++ + "] " + addr);
                }
            }
            case DeactivateTlv d -> line(depth, "splitnve deactivate without release (subtype 5): cause " + d.cause()
                    + (d.partial() ? ", partial" : ", whole TSI"));
            case MigrationTlv m -> line(depth, "splitnve migration (subtype 6): " + m.indication()
                    + (m.indication().isMigration() ? ", migration ID " + m.migrationId() : ""));
            case ParameterTlv p -> {
                line(depth, "splitnve parameters (subtype 7): " + p.parameters().size());
                for (Parameter par : p.parameters()) {
                    line(depth + 1, par.describe());
                }
            }
            case ReasonDetailTlv r -> line(depth, "splitnve reason detail (subtype 8): code " + r.detail() + ", \"" + r.text() + '"');
        }
    }

    private void auth(int depth, AuthTlv a) {
        line(depth, "splitnve authentication (subtype 9): HMAC-SHA-256, key ID " + Integer.toUnsignedString(a.keyId())
                + ", counter " + Long.toUnsignedString(a.counter()));
        line(depth + 1, "Tag: " + a.tag().hex());
    }

    private void lldp(LldpPdu p) {
        line(1, "Link Layer Discovery Protocol");
        line(2, "Chassis ID: " + id(p.chassisIdSubtype(), p.chassisId().toArray(), LldpPdu.SUBTYPE_MAC));
        line(2, "Port ID: " + id(p.portIdSubtype(), p.portId().toArray(), LldpPdu.PORT_SUBTYPE_MAC));
        line(2, "Time to live: " + p.ttl() + " s");
        for (LldpTlv t : p.tlvs()) {
            switch (t) {
                case EvbTlv e -> evb(e);
                case ExtensionCapabilityTlv c -> line(2, "splitnve capabilities: version " + c.capability().version() + ", "
                        + c.capability().features());
                case OtherLldpTlv o -> line(2, "TLV type " + o.type() + ", " + o.value().length() + " octets: " + o.value().hex());
            }
        }
    }

    private static String id(int subtype, byte[] value, int macSubtype) {
        if (subtype == macSubtype && value.length == 6) {
            return "MAC " + MacAddress.of(value) + " (subtype " + subtype + ")";
        }
        return "subtype " + subtype + ", " + java.util.HexFormat.of().formatHex(value);
    }

    private void evb(EvbTlv e) {
        line(2, "EVB TLV (802.1Q, OUI 00-80-c2 subtype 0x0d): mode " + e.mode());
        line(3, "Bridge status: BGID " + b(e.bgid()) + ", RRCAP " + b(e.rrcap()) + ", RRCTR " + b(e.rrctr()));
        line(3, "Station status: SGID " + b(e.sgid()) + ", RRREQ " + b(e.rrreq()) + ", RRSTAT " + e.rrstat());
        line(3, "R (ECP retries): " + e.retries() + ", RTE: " + e.rte() + " (" + micros(e.rte()) + ")");
        line(3, "RWD: " + e.rwd() + " (" + micros(e.rwd()) + ")" + (e.rolRwd() ? ", ROL (remote)" : ""));
        line(3, "RKA: " + e.rka() + " (" + micros(e.rka()) + ")" + (e.rolRka() ? ", ROL (remote)" : ""));
    }

    private static String micros(int exponent) {
        long ns = EvbTlv.nanos(exponent);
        return ns >= 1_000_000_000L ? String.format("%.2f s", ns / 1e9)
                : ns >= 1_000_000L ? String.format("%.2f ms", ns / 1e6) : String.format("%d us", ns / 1000);
    }

    private static int b(boolean v) {
        return v ? 1 : 0;
    }

    private void line(int depth, String text) {
        out.repeat("    ", depth - 1).append(text).append('\n');
    }
}
