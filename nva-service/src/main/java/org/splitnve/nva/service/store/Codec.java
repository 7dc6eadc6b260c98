package org.splitnve.nva.service.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.splitnve.nva.EndDeviceRule;
import org.splitnve.nva.EntryState;
import org.splitnve.nva.LocalTag;
import org.splitnve.nva.NveId;
import org.splitnve.nva.PrefixPolicy;
import org.splitnve.nva.ProvisioningMode;
import org.splitnve.nva.Refusal;
import org.splitnve.nva.TsiInstance;
import org.splitnve.nva.TsiRecord;
import org.splitnve.nva.TsiRule;
import org.splitnve.nva.VnRecord;
import org.splitnve.nva.VnService;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.ChangeEvent;
import org.splitnve.nva.service.DuplicateAddress;
import org.splitnve.nva.service.MappingEntry;
import org.splitnve.nva.service.NveRegistration;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Resource;
import org.splitnve.nva.service.ResourceKey;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiIdFormat;

/**
 * The stored form of resources, changes and receipts: compact binary, big-endian ({@link DataOutputStream}), one
 * format byte first ({@link #FORMAT}); a mapping entry with one MAC takes about 90 octets. Every value decodes to
 * one equal to what was encoded; bytes that do not decode are a {@link StoreException} naming what was read.
 * An enum is stored as its fixed {@code code()} (the ordinal it had when format 1 was defined), never its
 * ordinal, so reordering or adding values does not change what is written or how it reads.
 * Stores, not the wire: the NVE-NVA protocol is JSON (docs/nva-protocol.md).
 */
public final class Codec {
    /** The format of everything written; a store refuses to read another one. */
    public static final int FORMAT = 1;

    private static final int K_VN = 1;
    private static final int K_DEVICE_PERMIT = 2;
    private static final int K_TSI_PERMIT = 3;
    private static final int K_TSI_RECORD = 4;
    private static final int K_NVE = 5;
    private static final int K_MAPPING = 6;
    private static final int K_TAG = 7;
    private static final int K_DUPLICATE = 8;
    private static final int K_CREDENTIAL = 9;

    private static final int E_PUT = 1;
    private static final int E_REMOVED = 2;
    private static final int E_WITHDRAWAL = 3;

    private Codec() {
    }

    // ------------------------------------------------------------------ entry points

    public static byte[] resource(Resource r) {
        return write(o -> writeResource(o, r));
    }

    public static Resource resource(byte[] b) {
        return read(b, "resource", Codec::readResource);
    }

    public static byte[] change(Change c) {
        return change(c, null);
    }

    /**
     * The change, with the resources of its puts already encoded by {@link #resource(Resource)}, in the order of
     * the puts (a store that writes them as rows too encodes each once).
     */
    public static byte[] change(Change c, List<byte[]> encodedPuts) {
        return write(o -> {
            o.writeLong(c.revision());
            o.writeUTF(c.source());
            o.writeInt(c.events().size());
            int put = 0;
            for (ChangeEvent e : c.events()) {
                switch (e) {
                    case ChangeEvent.Put p -> {
                        o.writeByte(E_PUT);
                        if (encodedPuts == null) {
                            writeResource(o, p.resource());
                        } else {
                            byte[] r = encodedPuts.get(put++);
                            o.write(r, 1, r.length - 1); // without its format byte
                        }
                    }
                    case ChangeEvent.Removed r -> {
                        o.writeByte(E_REMOVED);
                        o.writeUTF(r.key().path());
                    }
                    case ChangeEvent.Withdrawal w -> {
                        o.writeByte(E_WITHDRAWAL);
                        nve(o, w.to());
                        instance(o, w.instance());
                        addresses(o, w.addresses());
                        instance(o, w.winner());
                        o.writeInt((int) w.winnerSeq());
                    }
                }
            }
        });
    }

    public static Change change(byte[] b) {
        return read(b, "change", i -> {
            long rev = i.readLong();
            String source = i.readUTF();
            int n = count(i);
            List<ChangeEvent> events = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                int type = i.readUnsignedByte();
                events.add(switch (type) {
                    case E_PUT -> new ChangeEvent.Put(readResource(i));
                    case E_REMOVED -> new ChangeEvent.Removed(ResourceKey.parse(i.readUTF()));
                    case E_WITHDRAWAL -> new ChangeEvent.Withdrawal(nve(i), instance(i), addresses(i), instance(i),
                            Integer.toUnsignedLong(i.readInt()));
                    default -> throw new StoreException("unknown change event type " + type);
                });
            }
            return new Change(rev, source, events);
        });
    }

    public static byte[] receipt(Receipt r) {
        return write(o -> {
            o.writeLong(r.seq());
            o.writeLong(r.revision());
            o.writeByte(r.status().code());
            refusal(o, r.refusal());
            o.writeUTF(r.detail());
            o.writeInt(r.results().size());
            for (Receipt.Result x : r.results()) {
                refusal(o, x.refusal());
                o.writeUTF(x.detail());
                o.writeBoolean(x.changed());
            }
        });
    }

    public static Receipt receipt(byte[] b) {
        return read(b, "receipt", i -> {
            long seq = i.readLong();
            long rev = i.readLong();
            Receipt.Status status = Receipt.Status.ofCode(i.readUnsignedByte());
            Refusal refusal = refusal(i);
            String detail = i.readUTF();
            int n = count(i);
            List<Receipt.Result> results = new ArrayList<>(n);
            for (int k = 0; k < n; k++) {
                results.add(new Receipt.Result(refusal(i), i.readUTF(), i.readBoolean()));
            }
            return new Receipt(seq, rev, results, status, refusal, detail);
        });
    }

    // ------------------------------------------------------------------ resources

    private static void writeResource(DataOutputStream o, Resource r) throws IOException {
        switch (r) {
            case Resource.Vn v -> {
                o.writeByte(K_VN);
                VnRecord vn = v.vn();
                o.writeLong(vn.name().getMostSignificantBits());
                o.writeLong(vn.name().getLeastSignificantBits());
                o.writeInt(vn.id());
                o.writeUTF(vn.alias());
                o.writeInt(vn.context());
                o.writeByte(vn.service().code());
                o.writeByte(vn.mode().code());
                parameters(o, vn.parameters());
                o.writeByte(vn.prefixes().shortestIpv4());
                o.writeByte(vn.prefixes().shortestIpv6());
            }
            case Resource.DevicePermit d -> {
                o.writeByte(K_DEVICE_PERMIT);
                EndDeviceRule rule = d.rule();
                nve(o, rule.nve());
                o.writeInt(rule.port() == null ? -1 : rule.port());
                o.writeLong(rule.station() == null ? -1 : rule.station().value());
            }
            case Resource.TsiPermit t -> {
                o.writeByte(K_TSI_PERMIT);
                o.writeInt(t.rule().vnId());
                o.writeBoolean(t.rule().vsi() != null);
                if (t.rule().vsi() != null) {
                    vsi(o, t.rule().vsi());
                }
            }
            case Resource.ValidatedTsi rec -> {
                o.writeByte(K_TSI_RECORD);
                TsiRecord tr = rec.record();
                vsi(o, tr.vsi());
                o.writeInt(tr.vnId());
                addresses(o, tr.addresses());
                parameters(o, tr.parameters());
            }
            case Resource.Nve n -> {
                o.writeByte(K_NVE);
                NveRegistration reg = n.registration();
                nve(o, reg.nve());
                ip(o, reg.vtep());
                o.writeInt(reg.vns().size());
                for (int vn : reg.vns()) {
                    o.writeInt(vn);
                }
            }
            case Resource.Mapping m -> {
                o.writeByte(K_MAPPING);
                MappingEntry e = m.entry();
                instance(o, e.instance());
                o.writeByte(e.state().code());
                addresses(o, e.addresses());
                addresses(o, e.held());
                addresses(o, e.withdrawn());
                o.writeInt((int) e.mobilitySeq());
                instant(o, e.since());
            }
            case Resource.Tag t -> {
                o.writeByte(K_TAG);
                nve(o, t.tag().nve());
                o.writeInt(t.tag().portScope());
                o.writeShort(t.tag().tag());
                o.writeInt(t.tag().vnId());
            }
            case Resource.Duplicate d -> {
                o.writeByte(K_DUPLICATE);
                DuplicateAddress x = d.duplicate();
                o.writeInt(x.vnId());
                address(o, x.claim());
                o.writeByte(x.reason().code());
                o.writeBoolean(x.frozen());
                o.writeLong(x.activations());
                o.writeInt(x.recent().size());
                for (DuplicateAddress.Claim c : x.recent()) {
                    instance(o, c.instance());
                    o.writeInt((int) c.mobilitySeq());
                }
                instant(o, x.since());
            }
            case Resource.Credential c -> {
                o.writeByte(K_CREDENTIAL);
                nve(o, c.owner());
                o.writeUTF(c.tokenSha256());
            }
        }
    }

    private static Resource readResource(DataInputStream i) throws IOException {
        int kind = i.readUnsignedByte();
        return switch (kind) {
            case K_VN -> {
                UUID name = new UUID(i.readLong(), i.readLong());
                int id = i.readInt();
                String alias = i.readUTF();
                int context = i.readInt();
                VnService service = VnService.ofCode(i.readUnsignedByte());
                ProvisioningMode mode = ProvisioningMode.ofCode(i.readUnsignedByte());
                List<Parameter> params = parameters(i);
                PrefixPolicy prefixes = new PrefixPolicy(i.readUnsignedByte(), i.readUnsignedByte());
                yield new Resource.Vn(new VnRecord(name, id, alias, context, service, mode, params, prefixes));
            }
            case K_DEVICE_PERMIT -> {
                NveId nve = nve(i);
                int port = i.readInt();
                long station = i.readLong();
                yield new Resource.DevicePermit(new EndDeviceRule(nve, port < 0 ? null : port,
                        station < 0 ? null : new MacAddress(station)));
            }
            case K_TSI_PERMIT -> {
                int vn = i.readInt();
                yield new Resource.TsiPermit(new TsiRule(vn, i.readBoolean() ? vsi(i) : null));
            }
            case K_TSI_RECORD -> {
                VsiId vsi = vsi(i);
                int vn = i.readInt();
                yield new Resource.ValidatedTsi(new TsiRecord(vsi, vn, addresses(i), parameters(i)));
            }
            case K_NVE -> {
                NveId nve = nve(i);
                InetAddress vtep = ip(i);
                int n = count(i);
                Set<Integer> vns = new HashSet<>();
                for (int k = 0; k < n; k++) {
                    vns.add(i.readInt());
                }
                yield new Resource.Nve(new NveRegistration(nve, vtep, vns));
            }
            case K_MAPPING -> {
                TsiInstance in = instance(i);
                EntryState state = EntryState.ofCode(i.readUnsignedByte());
                yield new Resource.Mapping(new MappingEntry(in, state, addresses(i), addresses(i), addresses(i),
                        Integer.toUnsignedLong(i.readInt()), instant(i)));
            }
            case K_TAG -> {
                NveId nve = nve(i);
                int scope = i.readInt();
                int tag = i.readUnsignedShort();
                yield new Resource.Tag(new LocalTag(nve, scope, tag, i.readInt()));
            }
            case K_DUPLICATE -> {
                int vn = i.readInt();
                TsiAddress claim = address(i);
                DuplicateAddress.Reason reason = DuplicateAddress.Reason.ofCode(i.readUnsignedByte());
                boolean frozen = i.readBoolean();
                long activations = i.readLong();
                int n = count(i);
                List<DuplicateAddress.Claim> recent = new ArrayList<>(n);
                for (int k = 0; k < n; k++) {
                    recent.add(new DuplicateAddress.Claim(instance(i), Integer.toUnsignedLong(i.readInt())));
                }
                yield new Resource.Duplicate(new DuplicateAddress(vn, claim, reason, frozen, activations, recent,
                        instant(i)));
            }
            case K_CREDENTIAL -> new Resource.Credential(nve(i), i.readUTF());
            default -> throw new StoreException("unknown resource kind " + kind);
        };
    }

    // ------------------------------------------------------------------ parts

    private static void nve(DataOutputStream o, NveId n) throws IOException {
        o.writeUTF(n.name());
    }

    private static NveId nve(DataInputStream i) throws IOException {
        return NveId.of(i.readUTF());
    }

    private static void vsi(DataOutputStream o, VsiId v) throws IOException {
        o.writeByte(v.format().code());
        o.writeLong(v.hi());
        o.writeLong(v.lo());
    }

    private static VsiId vsi(DataInputStream i) throws IOException {
        return new VsiId(VsiIdFormat.ofCode(i.readUnsignedByte()), i.readLong(), i.readLong());
    }

    private static void instance(DataOutputStream o, TsiInstance in) throws IOException {
        vsi(o, in.vsi());
        nve(o, in.nve());
        o.writeInt(in.port());
        o.writeInt(in.vnId());
    }

    private static TsiInstance instance(DataInputStream i) throws IOException {
        return new TsiInstance(vsi(i), nve(i), i.readInt(), i.readInt());
    }

    private static void ip(DataOutputStream o, InetAddress a) throws IOException {
        byte[] b = a.getAddress();
        o.writeByte(b.length);
        o.write(b);
    }

    private static InetAddress ip(DataInputStream i) throws IOException {
        int n = i.readUnsignedByte();
        if (n != 4 && n != 16) {
            throw new StoreException("an IP address of " + n + " octets");
        }
        byte[] b = new byte[n];
        i.readFully(b);
        return InetAddress.getByAddress(b);
    }

    /** Flags: 1 IP, 2 MAC, 4 GroupID. */
    private static void address(DataOutputStream o, TsiAddress a) throws IOException {
        o.writeByte((a.ip() != null ? 1 : 0) | (a.mac() != null ? 2 : 0) | (a.groupId() != null ? 4 : 0));
        if (a.ip() != null) {
            ip(o, a.ip());
            o.writeByte(a.prefixLength());
        }
        if (a.mac() != null) {
            o.writeLong(a.mac().value());
        }
        if (a.groupId() != null) {
            o.writeInt(a.groupId());
        }
    }

    private static TsiAddress address(DataInputStream i) throws IOException {
        int flags = i.readUnsignedByte();
        InetAddress ip = null;
        int len = 48;
        if ((flags & 1) != 0) {
            ip = ip(i);
            len = i.readUnsignedByte();
        }
        MacAddress mac = (flags & 2) != 0 ? new MacAddress(i.readLong()) : null;
        Integer group = (flags & 4) != 0 ? i.readInt() : null;
        return new TsiAddress(ip, len, mac, group);
    }

    private static void addresses(DataOutputStream o, List<TsiAddress> l) throws IOException {
        o.writeInt(l.size());
        for (TsiAddress a : l) {
            address(o, a);
        }
    }

    private static List<TsiAddress> addresses(DataInputStream i) throws IOException {
        int n = count(i);
        List<TsiAddress> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            out.add(address(i));
        }
        return out;
    }

    private static void parameters(DataOutputStream o, List<Parameter> l) throws IOException {
        o.writeInt(l.size());
        for (Parameter p : l) {
            o.writeByte(p.type());
            o.writeByte(p.value().length());
            o.write(p.value().toArray());
        }
    }

    private static List<Parameter> parameters(DataInputStream i) throws IOException {
        int n = count(i);
        List<Parameter> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            int type = i.readUnsignedByte();
            byte[] v = new byte[i.readUnsignedByte()];
            i.readFully(v);
            out.add(new Parameter(type, Bytes.of(v)));
        }
        return out;
    }

    private static void instant(DataOutputStream o, Instant t) throws IOException {
        o.writeLong(t.getEpochSecond());
        o.writeInt(t.getNano());
    }

    private static Instant instant(DataInputStream i) throws IOException {
        return Instant.ofEpochSecond(i.readLong(), i.readInt());
    }

    private static void refusal(DataOutputStream o, Refusal r) throws IOException {
        o.writeInt(r == null ? -1 : r.detailCode());
    }

    private static Refusal refusal(DataInputStream i) throws IOException {
        int code = i.readInt();
        if (code == -1) {
            return null;
        }
        for (Refusal r : Refusal.values()) {
            if (r.detailCode() == code) {
                return r;
            }
        }
        throw new StoreException("unknown refusal code 0x" + Integer.toHexString(code));
    }

    private static int count(DataInputStream i) throws IOException {
        int n = i.readInt();
        if (n < 0 || n > i.available()) { // every element takes at least one octet
            throw new StoreException("a count of " + n + " with " + i.available() + " octets left");
        }
        return n;
    }

    // ------------------------------------------------------------------ framing

    @FunctionalInterface
    private interface Writer {
        void write(DataOutputStream o) throws IOException;
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(DataInputStream i) throws IOException;
    }

    private static byte[] write(Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
        try (DataOutputStream o = new DataOutputStream(bytes)) {
            o.writeByte(FORMAT);
            w.write(o);
        } catch (IOException e) {
            throw new UncheckedIOException("a byte array does not fail", e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] b, String what, Reader<T> r) {
        try (DataInputStream i = new DataInputStream(new ByteArrayInputStream(b))) {
            int format = i.readUnsignedByte();
            if (format != FORMAT) {
                throw new StoreException("a stored " + what + " of format " + format + ", this NVA reads " + FORMAT);
            }
            T v = r.read(i);
            if (i.available() != 0) {
                throw new StoreException("a stored " + what + " with " + i.available() + " octets left over");
            }
            return v;
        } catch (EOFException e) {
            throw new StoreException("a stored " + what + " ends early (" + b.length + " octets)", e);
        } catch (IOException e) {
            throw new StoreException("a stored " + what + " does not decode: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new StoreException("a stored " + what + " holds an invalid value: " + e.getMessage(), e);
        }
    }
}
