package org.splitnve.wire.vdp;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * Explicit VN connect and disconnect (RFC 8394 REQ-5, REQ-6, REQ-7, SM-VAP-1). An item of its own:
 * {@link ParameterTlv} and {@link ReasonDetailTlv} may be attached to it.
 *
 * <p>Body: status (1, {@link VsiStatus} layout), operation (1), VN ID kind (1: 1 VN ID, 2 VN Name),
 * VN identifier (4 or 16), tag count (1), local tags (2 each, VID in the low 12 bits, 0 = "assign
 * one"). A request names the tags it wants (or 0); the response carries the tags the nNVE bound.
 */
public record VnConnectTlv(VsiStatus status, Operation operation, VnId vn, List<Integer> localTags,
        List<OrgTlv> attached) implements VdpItem, ExtensionTlv {

    public static final int MAX_TAGS = 32;

    public enum Operation {
        /** End device asks to connect the VN (and for its local tags). */
        CONNECT(1),
        /** End device disconnects the VN. */
        DISCONNECT(2),
        /** The nNVE tells the end device the VN is disconnected (REQ-6). */
        DISCONNECTED(3);

        private final int code;

        Operation(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        static Operation ofCode(int code) {
            for (Operation o : values()) {
                if (o.code == code) {
                    return o;
                }
            }
            return null;
        }
    }

    public VnConnectTlv {
        if (status == null || operation == null || vn == null) {
            throw new IllegalArgumentException("status, operation and VN are required");
        }
        localTags = List.copyOf(localTags);
        if (localTags.size() > MAX_TAGS) {
            throw new IllegalArgumentException("at most " + MAX_TAGS + " local tags per VN");
        }
        for (int tag : localTags) {
            if (tag < 0 || tag > FilterEntry.MAX_VID) {
                throw new IllegalArgumentException("local tag must be 0 (assign) to 4094: " + tag);
            }
        }
        attached = VdpItem.checkAttached(attached, false);
    }

    public static VnConnectTlv request(Operation op, VnId vn, List<Integer> tags) {
        return new VnConnectTlv(VsiStatus.Request.PLAIN, op, vn, tags, List.of());
    }

    public VnConnectTlv withAttached(List<OrgTlv> newAttached) {
        return new VnConnectTlv(status, operation, vn, localTags, newAttached);
    }

    @Override
    public ExtensionType type() {
        return ExtensionType.VN_CONNECT;
    }

    @Override
    public int bodyLength() {
        return 3 + (vn instanceof VnId.Group ? 4 : 16) + 1 + 2 * localTags.size();
    }

    @Override
    public int encodedLength() {
        return 6 + bodyLength() + VdpItem.attachedLength(attached);
    }

    @Override
    public void encodeBody(WireWriter w) {
        w.u8(status.toOctet()).u8(operation.code());
        switch (vn) {
            case VnId.Group g -> w.u8(1).u32(g.id());
            case VnId.Name n -> w.u8(2).u64(n.uuid().getMostSignificantBits()).u64(n.uuid().getLeastSignificantBits());
        }
        w.u8(localTags.size());
        for (int tag : localTags) {
            w.u16(tag);
        }
    }

    static VnConnectTlv decodeBody(WireReader r) throws DecodeException {
        VsiStatus status = VsiStatus.ofOctet(r.u8("VN connect status"));
        int opCode = r.u8("VN operation");
        Operation op = Operation.ofCode(opCode);
        if (op == null) {
            throw r.error(DecodeError.UNKNOWN_VALUE, "unknown VN operation " + opCode);
        }
        int kind = r.u8("VN ID kind");
        VnId vn = switch (kind) {
            case 1 -> new VnId.Group(r.u32("VN ID"));
            case 2 -> {
                long hi = r.u64("VN Name");
                long lo = r.u64("VN Name");
                if (hi == 0 && lo == 0) {
                    throw r.error(DecodeError.INVALID_FIELD, "VN Name is the nil UUID");
                }
                yield new VnId.Name(new UUID(hi, lo));
            }
            default -> throw r.error(DecodeError.UNKNOWN_VALUE, "unknown VN ID kind " + kind);
        };
        int count = r.u8("local tag count");
        if (count > MAX_TAGS) {
            throw r.error(DecodeError.INVALID_FIELD, count + " local tags, at most " + MAX_TAGS);
        }
        if (r.remaining() != 2 * count) {
            throw r.error(DecodeError.COUNT_MISMATCH, count + " local tags announced, "
                    + r.remaining() + " octets follow");
        }
        List<Integer> tags = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int word = r.u16("local tag");
            if ((word & 0xF000) != 0 || word == 0xFFF) {
                throw r.error(DecodeError.INVALID_VID_GROUP_OR_MAC, "invalid local tag 0x" + Integer.toHexString(word));
            }
            tags.add(word);
        }
        return new VnConnectTlv(status, op, vn, tags, List.of());
    }
}
