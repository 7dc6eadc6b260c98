package org.splitnve.wire.vdp;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * Encodes and decodes the VDP TLVs of an ECPDU ({@link VdpPdu}). Stateless and thread-safe; the
 * only setting is the OUI under which this project's extension TLVs travel (default
 * {@link #DEFAULT_OUI}); type-127 TLVs under any other OUI are kept as {@link UnknownOrgTlv}.
 *
 * <p>Decoding is total: any input yields a {@link VdpPdu} or a {@link DecodeException}.
 */
public final class VdpCodec {
    /**
     * 0A-53-4E: a Company ID-quadrant value (X=1, Z=1: locally assigned, never an IEEE OUI), "SN"
     * for Split-NVE. Configurable, since the project has no registered OUI.
     */
    public static final int DEFAULT_OUI = 0x0A534E;
    public static final VdpCodec DEFAULT = new VdpCodec(DEFAULT_OUI);

    static final int TLV_END = 0;
    static final int TLV_MANAGER_ID = 5;
    static final int TLV_ORG = 127;

    private final int oui;

    public VdpCodec(int oui) {
        if ((oui & ~0xFFFFFF) != 0) {
            throw new IllegalArgumentException("an OUI is 24 bits");
        }
        this.oui = oui;
    }

    public int oui() {
        return oui;
    }

    // ---------------------------------------------------------------- decode

    public VdpPdu decode(byte[] buf, int offset, int length) throws DecodeException {
        return decode(new WireReader(buf, offset, length));
    }

    /** Decodes TLVs from the reader up to an End TLV or the reader's limit; the rest is padding. */
    public VdpPdu decode(WireReader r) throws DecodeException {
        final int start = r.position();
        ManagerId managerId = null;
        List<OrgTlv> header = new ArrayList<>(2);
        List<VdpItem> items = new ArrayList<>(4);
        EnumSet<ExtensionType> headerSeen = EnumSet.noneOf(ExtensionType.class);
        VdpItem current = null;
        List<OrgTlv> attached = null;
        EnumSet<ExtensionType> attachedSeen = EnumSet.noneOf(ExtensionType.class);
        AuthTlv auth = null;
        int end = -1;

        while (r.remaining() >= 2) {
            final int at = r.position();
            int h = r.u16("TLV header");
            int type = h >>> 9;
            int len = h & 0x1FF;
            if (type == TLV_END) {
                if (len != 0) {
                    throw r.errorAt(at, DecodeError.BAD_LENGTH, "End TLV with length " + len);
                }
                end = at;
                break;
            }
            if (auth != null) {
                throw r.errorAt(at, DecodeError.UNEXPECTED_TLV, "TLV type " + type + " after the authentication TLV");
            }
            // the label is built only when it is needed (the length does not fit): this runs once per TLV
            int outer = r.pushLimit(len, len <= r.remaining() ? "TLV body" : "TLV type " + type + " body");
            switch (type) {
                case TLV_MANAGER_ID -> {
                    if (at != start) {
                        throw r.errorAt(at, DecodeError.MANAGER_ID_PLACEMENT, "Manager ID TLV is not first");
                    }
                    if (len != 16) {
                        throw r.errorAt(at, DecodeError.BAD_LENGTH, "Manager ID TLV of length " + len + ", not 16");
                    }
                    managerId = new ManagerId(r.u64("Manager ID"), r.u64("Manager ID"));
                }
                case 1, 2, 3, 4 -> {
                    if (managerId == null) {
                        throw r.errorAt(at, DecodeError.MANAGER_ID_PLACEMENT, "VSI TLV without a Manager ID before it");
                    }
                    flush(items, current, attached);
                    current = decodeVsi(r, VsiMode.ofTlvType(type), len);
                    attached = null;
                    attachedSeen.clear();
                }
                case TLV_ORG -> {
                    if (len < 4) {
                        throw r.errorAt(at, DecodeError.BAD_LENGTH, "organizationally specific TLV of length " + len);
                    }
                    int tlvOui = r.u24("OUI");
                    int subtype = r.u8("subtype");
                    ExtensionType ext = tlvOui == oui ? ExtensionType.ofSubtype(subtype) : null;
                    if (ext == null) {
                        OrgTlv unknown = new UnknownOrgTlv(tlvOui, subtype, Bytes.wrap(r.bytes(r.remaining(), "TLV body")));
                        if (current == null) {
                            header.add(unknown);
                        } else {
                            attached = add(attached, unknown);
                        }
                    } else {
                        ExtensionTlv e = decodeExtension(ext, r);
                        switch (ext.placement()) {
                            case HEADER -> {
                                if (current != null) {
                                    throw r.errorAt(at, DecodeError.UNEXPECTED_TLV, ext + " after the first item");
                                }
                                if (!headerSeen.add(ext)) {
                                    throw r.errorAt(at, DecodeError.UNEXPECTED_TLV, "second " + ext + " TLV");
                                }
                                header.add((OrgTlv) e);
                            }
                            case ITEM -> {
                                flush(items, current, attached);
                                current = (VdpItem) e;
                                attached = null;
                                attachedSeen.clear();
                            }
                            case ATTACHED, ATTACHED_TO_VSI -> {
                                if (current == null || (ext.placement() == ExtensionType.Placement.ATTACHED_TO_VSI
                                        && !(current instanceof VsiTlv))) {
                                    throw r.errorAt(at, DecodeError.UNEXPECTED_TLV, ext + " not after a "
                                            + (ext.placement() == ExtensionType.Placement.ATTACHED ? "VSI or VN connect" : "VSI")
                                            + " TLV");
                                }
                                if (!attachedSeen.add(ext) && !ext.repeatable()) {
                                    throw r.errorAt(at, DecodeError.UNEXPECTED_TLV, "second " + ext + " TLV on one item");
                                }
                                attached = add(attached, (OrgTlv) e);
                            }
                            case TRAILER -> auth = (AuthTlv) e;
                        }
                    }
                }
                default -> throw r.errorAt(at, DecodeError.UNEXPECTED_TLV, "TLV type " + type + " is not a VDP TLV");
            }
            if (r.hasRemaining()) {
                throw r.error(DecodeError.BAD_LENGTH, r.remaining() + " octets left over in TLV type " + type);
            }
            r.restoreLimit(outer);
        }
        if (end < 0) {
            end = r.position();
            if (r.hasRemaining() && !r.restIsZero()) {
                throw r.error(DecodeError.TRUNCATED, "a TLV header needs 2 octets, 1 left");
            }
        }
        if (end - start > VdpPdu.MAX_LENGTH) {
            throw r.errorAt(start, DecodeError.OVERSIZED, "VDP TLVs take " + (end - start) + " octets, at most "
                    + VdpPdu.MAX_LENGTH);
        }
        r.skip(r.remaining(), "padding");
        flush(items, current, attached);
        try {
            return new VdpPdu(managerId, header, items, auth);
        } catch (IllegalArgumentException e) {
            throw r.errorAt(start, DecodeError.INVALID_FIELD, e.getMessage());
        }
    }

    private static List<OrgTlv> add(List<OrgTlv> list, OrgTlv t) {
        List<OrgTlv> l = list == null ? new ArrayList<>(2) : list;
        l.add(t);
        return l;
    }

    private static void flush(List<VdpItem> items, VdpItem current, List<OrgTlv> attached) {
        if (current == null) {
            return;
        }
        if (attached == null) {
            items.add(current);
            return;
        }
        items.add(switch (current) {
            case VsiTlv v -> v.withAttached(attached);
            case VnConnectTlv c -> c.withAttached(attached);
        });
    }

    private static ExtensionTlv decodeExtension(ExtensionType ext, WireReader r) throws DecodeException {
        return switch (ext) {
            case CAPABILITY -> CapabilityTlv.decodeBody(r);
            case SESSION -> SessionTlv.decodeBody(r);
            case VN_CONNECT -> VnConnectTlv.decodeBody(r);
            case TSI_ADDRESSES -> TsiAddressTlv.decodeBody(r);
            case DEACTIVATE -> DeactivateTlv.decodeBody(r);
            case MIGRATION -> MigrationTlv.decodeBody(r);
            case PARAMETERS -> ParameterTlv.decodeBody(r);
            case REASON_DETAIL -> ReasonDetailTlv.decodeBody(r);
            case AUTH -> AuthTlv.decodeBody(r);
        };
    }

    private static VsiTlv decodeVsi(WireReader r, VsiMode mode, int len) throws DecodeException {
        if (len < VsiTlv.FIXED_BODY) {
            throw r.error(DecodeError.BAD_LENGTH, "VSI TLV of length " + len + ", at least " + VsiTlv.FIXED_BODY);
        }
        VsiStatus status = VsiStatus.ofOctet(r.u8("status"));
        int typeId = r.u24("VSI type ID");
        int typeVersion = r.u8("VSI type version");
        int idAt = r.position();
        int fmtCode = r.u8("VSIID format");
        VsiIdFormat fmt = VsiIdFormat.ofCode(fmtCode);
        if (fmt == null) {
            throw r.errorAt(idAt, DecodeError.UNKNOWN_VALUE, "unknown VSIID format " + fmtCode);
        }
        long hi = r.u64("VSIID");
        long lo = r.u64("VSIID");
        String problem = VsiId.problem(fmt, hi, lo);
        if (problem != null) {
            throw r.errorAt(idAt, DecodeError.INVALID_VSIID, problem);
        }
        int ffAt = r.position();
        int ffCode = r.u8("filter format");
        FilterFormat ff = FilterFormat.ofCode(ffCode);
        if (ff == null) {
            throw r.errorAt(ffAt, DecodeError.UNKNOWN_VALUE, "unknown filter info format " + ffCode);
        }
        int count = r.u16("entry count");
        int size = ff.entrySize();
        if ((long) count * size != r.remaining()) {
            throw r.errorAt(ffAt, DecodeError.COUNT_MISMATCH, count + " " + ff + " entries announced ("
                    + (count * size) + " octets), " + r.remaining() + " octets in the TLV");
        }
        FilterEntry[] entries = new FilterEntry[count];
        for (int i = 0; i < count; i++) {
            int at = r.position();
            int group = ff.hasGroup() ? r.u32("GroupID") : 0;
            MacAddress mac = null;
            if (ff.hasMac()) {
                long m = r.u48("MAC address");
                if (m == 0 || (m & 0x0100_0000_0000L) != 0) {
                    throw r.errorAt(at, DecodeError.INVALID_VID_GROUP_OR_MAC, "filter entry " + i + ": MAC "
                            + new MacAddress(m) + " is not a unicast address");
                }
                mac = new MacAddress(m);
            }
            int word = r.u16("PS/PCP/VID");
            int vid = word & 0x0FFF;
            if (vid == 0x0FFF) {
                throw r.errorAt(at, DecodeError.INVALID_VID_GROUP_OR_MAC, "filter entry " + i + ": VID 4095 is reserved");
            }
            entries[i] = new FilterEntry(group, mac, (word & 0x8000) != 0, (word >>> 12) & 7, vid);
        }
        return new VsiTlv(mode, status, typeId, typeVersion, new VsiId(fmt, hi, lo),
                new Filter(ff, List.of(entries)), List.of());
    }

    // ---------------------------------------------------------------- encode

    /** Encodes into a new array of exactly {@link VdpPdu#encodedLength()} octets. */
    public byte[] encode(VdpPdu pdu) {
        byte[] out = new byte[pdu.encodedLength()];
        encode(pdu, new WireWriter(out, 0));
        return out;
    }

    public void encode(VdpPdu pdu, WireWriter w) {
        if (pdu.managerId() != null) {
            w.tlvHeader(TLV_MANAGER_ID, 16).u64(pdu.managerId().hi()).u64(pdu.managerId().lo());
        }
        for (OrgTlv t : pdu.header()) {
            encodeOrg(t, w);
        }
        for (VdpItem item : pdu.items()) {
            switch (item) {
                case VsiTlv v -> encodeVsi(v, w);
                case VnConnectTlv c -> encodeExtension(c, w);
            }
            for (OrgTlv t : item.attached()) {
                encodeOrg(t, w);
            }
        }
        if (pdu.auth() != null) {
            encodeExtension(pdu.auth(), w);
        }
    }

    private void encodeOrg(OrgTlv t, WireWriter w) {
        switch (t) {
            case UnknownOrgTlv u -> w.tlvHeader(TLV_ORG, 4 + u.info().length()).u24(u.oui()).u8(u.subtype()).bytes(u.info());
            case CapabilityTlv e -> encodeExtension(e, w);
            case SessionTlv e -> encodeExtension(e, w);
            case TsiAddressTlv e -> encodeExtension(e, w);
            case DeactivateTlv e -> encodeExtension(e, w);
            case MigrationTlv e -> encodeExtension(e, w);
            case ParameterTlv e -> encodeExtension(e, w);
            case ReasonDetailTlv e -> encodeExtension(e, w);
        }
    }

    private void encodeExtension(ExtensionTlv e, WireWriter w) {
        w.tlvHeader(TLV_ORG, 4 + e.bodyLength()).u24(oui).u8(e.type().subtype());
        e.encodeBody(w);
    }

    private static void encodeVsi(VsiTlv v, WireWriter w) {
        w.tlvHeader(v.mode().tlvType(), v.bodyLength())
                .u8(v.status().toOctet())
                .u24(v.typeId())
                .u8(v.typeVersion())
                .u8(v.vsiId().format().code())
                .u64(v.vsiId().hi())
                .u64(v.vsiId().lo());
        Filter f = v.filter();
        FilterFormat ff = f.format();
        w.u8(ff.code()).u16(f.entries().size());
        for (FilterEntry e : f.entries()) {
            if (ff.hasGroup()) {
                w.u32(e.groupId());
            }
            if (ff.hasMac()) {
                w.u48(e.mac().value());
            }
            w.u16(e.vlanWord());
        }
    }

    /**
     * Offset of the authentication tag within an encoded PDU that carries an {@link AuthTlv}: the tag
     * is the PDU's last 32 octets. Everything before it in the frame is covered.
     */
    public static int authTagOffset(VdpPdu pdu) {
        if (pdu.auth() == null) {
            throw new IllegalArgumentException("the PDU carries no authentication TLV");
        }
        return pdu.encodedLength() - pdu.auth().tag().length();
    }
}
