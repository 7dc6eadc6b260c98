package org.splitnve.wire.vdp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.splitnve.wire.DecodeError;
import org.splitnve.wire.DecodeException;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.WireReader;
import org.splitnve.wire.WireWriter;

/**
 * Add, remove or replace addresses of a TSI (RFC 8394 REQ-10, GAP-10), attached to the VSI TLV of
 * that TSI. A change too large for one TLV (a load balancer with thousands of addresses) is split
 * into fragments of one transaction: fragments 0..n-1, the last one flagged LAST, in order, in as
 * many TLVs and ECPDUs as it takes. The receiver applies the whole transaction atomically when it
 * holds every fragment ({@link #join}) and answers the VSI TLV that carried the LAST fragment.
 *
 * <p>Body: operation (1), transaction (2), fragment index (2), flags (1, 0x01 LAST), entry count (2),
 * entries. Entry: family (1: 1 MAC, 4 IPv4, 6 IPv6), flags (1: 0x01 MAC bound, 0x02 GroupID),
 * prefix length (1), address (6, 4 or 16), bound MAC (6, if flagged), GroupID (4, if flagged).
 */
public record TsiAddressTlv(Operation operation, int transaction, int fragment, boolean last,
        List<TsiAddress> addresses) implements OrgTlv, ExtensionTlv {

    public static final int LAST = 0x01;
    private static final int HAS_MAC = 0x01;
    private static final int HAS_GROUP = 0x02;
    private static final int FIXED = 8;

    public enum Operation {
        ADD(1), REMOVE(2), REPLACE(3);

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

    public TsiAddressTlv {
        if (operation == null) {
            throw new IllegalArgumentException("operation is required");
        }
        if ((transaction & ~0xFFFF) != 0 || (fragment & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("transaction and fragment are 16 bits");
        }
        addresses = List.copyOf(addresses);
        int len = FIXED;
        for (TsiAddress a : addresses) {
            len += a.encodedLength();
        }
        if (len > MAX_BODY) {
            throw new IllegalArgumentException("addresses need " + len + " octets, one TLV holds " + MAX_BODY
                    + ": split them with TsiAddressTlv.split");
        }
    }

    /**
     * Splits one change into fragments of at most {@code maxBody} body octets each (at most
     * {@link ExtensionTlv#MAX_BODY}), numbered from 0, the last flagged LAST. An empty list gives one
     * empty fragment (REPLACE with nothing removes every address).
     */
    public static List<TsiAddressTlv> split(Operation op, int transaction, List<TsiAddress> addresses, int maxBody) {
        if (maxBody < FIXED + 29 || maxBody > MAX_BODY) {
            throw new IllegalArgumentException("fragment size must be " + (FIXED + 29) + ".." + MAX_BODY);
        }
        List<TsiAddressTlv> out = new ArrayList<>();
        List<TsiAddress> cur = new ArrayList<>();
        int len = FIXED;
        for (TsiAddress a : addresses) {
            if (len + a.encodedLength() > maxBody) {
                out.add(new TsiAddressTlv(op, transaction, out.size(), false, cur));
                cur = new ArrayList<>();
                len = FIXED;
            }
            cur.add(a);
            len += a.encodedLength();
        }
        out.add(new TsiAddressTlv(op, transaction, out.size(), true, cur));
        if (out.size() > 0xFFFF) {
            throw new IllegalArgumentException("more than 65535 fragments");
        }
        return out;
    }

    public static List<TsiAddressTlv> split(Operation op, int transaction, List<TsiAddress> addresses) {
        return split(op, transaction, addresses, MAX_BODY);
    }

    /**
     * Reassembles the fragments of one transaction, in order. Refuses fragments of different
     * operations or transactions, gaps, duplicates, a missing LAST, or a LAST that is not last.
     */
    public static List<TsiAddress> join(List<TsiAddressTlv> fragments) {
        if (fragments.isEmpty()) {
            throw new IllegalArgumentException("no fragments");
        }
        TsiAddressTlv first = fragments.getFirst();
        List<TsiAddress> all = new ArrayList<>();
        for (int i = 0; i < fragments.size(); i++) {
            TsiAddressTlv f = fragments.get(i);
            if (f.operation != first.operation || f.transaction != first.transaction) {
                throw new IllegalArgumentException("fragment " + i + " belongs to another change");
            }
            if (f.fragment != i) {
                throw new IllegalArgumentException("expected fragment " + i + ", got " + f.fragment);
            }
            if (f.last != (i == fragments.size() - 1)) {
                throw new IllegalArgumentException(f.last ? "LAST before the end" : "the last fragment is not flagged LAST");
            }
            all.addAll(f.addresses);
        }
        return all;
    }

    @Override
    public ExtensionType type() {
        return ExtensionType.TSI_ADDRESSES;
    }

    @Override
    public int bodyLength() {
        int len = FIXED;
        for (TsiAddress a : addresses) {
            len += a.encodedLength();
        }
        return len;
    }

    @Override
    public void encodeBody(WireWriter w) {
        w.u8(operation.code()).u16(transaction).u16(fragment).u8(last ? LAST : 0).u16(addresses.size());
        for (TsiAddress a : addresses) {
            int family = a.family();
            boolean boundMac = a.ip() != null && a.mac() != null;
            w.u8(family).u8((boundMac ? HAS_MAC : 0) | (a.groupId() != null ? HAS_GROUP : 0)).u8(a.prefixLength());
            if (family == 1) {
                w.u48(a.mac().value());
            } else {
                w.bytes(a.ip().getAddress());
            }
            if (boundMac) {
                w.u48(a.mac().value());
            }
            if (a.groupId() != null) {
                w.u32(a.groupId());
            }
        }
    }

    static TsiAddressTlv decodeBody(WireReader r) throws DecodeException {
        int opCode = r.u8("address operation");
        Operation op = Operation.ofCode(opCode);
        if (op == null) {
            throw r.error(DecodeError.UNKNOWN_VALUE, "unknown address operation " + opCode);
        }
        int txn = r.u16("transaction");
        int fragment = r.u16("fragment index");
        int flags = r.u8("address flags");
        if ((flags & ~LAST) != 0) {
            throw r.error(DecodeError.INVALID_FIELD, "unknown address TLV flags 0x" + Integer.toHexString(flags));
        }
        int count = r.u16("address count");
        List<TsiAddress> list = new ArrayList<>(Math.min(count, 64));
        for (int i = 0; i < count; i++) {
            list.add(decodeAddress(r));
        }
        if (r.hasRemaining()) {
            throw r.error(DecodeError.COUNT_MISMATCH, count + " addresses announced, " + r.remaining() + " octets left over");
        }
        return new TsiAddressTlv(op, txn, fragment, (flags & LAST) != 0, list);
    }

    private static TsiAddress decodeAddress(WireReader r) throws DecodeException {
        int at = r.position();
        int family = r.u8("address family");
        int flags = r.u8("address entry flags");
        int prefix = r.u8("prefix length");
        if ((flags & ~(HAS_MAC | HAS_GROUP)) != 0) {
            throw r.errorAt(at, DecodeError.INVALID_FIELD, "unknown address entry flags 0x" + Integer.toHexString(flags));
        }
        InetAddress ip = null;
        MacAddress mac = null;
        switch (family) {
            case 1 -> {
                if ((flags & HAS_MAC) != 0 || prefix != 48) {
                    throw r.errorAt(at, DecodeError.INVALID_FIELD, "a MAC entry has prefix 48 and no bound MAC");
                }
                mac = readMac(r);
            }
            case 4, 6 -> {
                int len = family == 4 ? 4 : 16;
                if (prefix > len * 8) {
                    throw r.errorAt(at, DecodeError.INVALID_FIELD, "prefix length " + prefix + " for IPv" + family);
                }
                byte[] raw = r.bytes(len, "IP address");
                try {
                    ip = family == 4 ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, -1);
                } catch (UnknownHostException e) {
                    throw r.errorAt(at, DecodeError.INVALID_FIELD, "bad IP address");
                }
                if ((flags & HAS_MAC) != 0) {
                    mac = readMac(r);
                }
            }
            default -> throw r.errorAt(at, DecodeError.UNKNOWN_VALUE, "unknown address family " + family);
        }
        Integer group = (flags & HAS_GROUP) != 0 ? r.u32("address GroupID") : null;
        return new TsiAddress(ip, prefix, mac, group);
    }

    private static MacAddress readMac(WireReader r) throws DecodeException {
        int at = r.position();
        MacAddress mac = new MacAddress(r.u48("MAC address"));
        if (!mac.isValidUnicast()) {
            throw r.errorAt(at, DecodeError.INVALID_VID_GROUP_OR_MAC, "MAC " + mac + " is not a unicast address");
        }
        return mac;
    }
}
