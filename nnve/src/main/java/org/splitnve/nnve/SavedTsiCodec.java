package org.splitnve.nnve;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.splitnve.wire.Bytes;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.Filter;
import org.splitnve.wire.vdp.FilterEntry;
import org.splitnve.wire.vdp.FilterFormat;
import org.splitnve.wire.vdp.ManagerId;
import org.splitnve.wire.vdp.Parameter;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiIdFormat;

/**
 * REL-2: the binary form of the TSIs of one TSI ID ({@link Entry}): what the nNVE daemon's journal appends on each
 * change and its snapshot holds. Big-endian, versioned (the first octet), about 100 octets for a TSI with a MAC and an
 * IPv4 address. Decoding is total: anything that is not a valid entry (short, a bad value, octets left over) is an
 * {@link Invalid} with the reason, never another exception.
 */
public final class SavedTsiCodec {
    /** The format's version, the first octet of every entry. */
    public static final int VERSION = 1;
    /** Most instances of one TSI ID an entry holds (one per port and station; a move has two). */
    public static final int MAX_INSTANCES = 256;
    private static final int MAX_LIST = 65_535;

    private SavedTsiCodec() {
    }

    /** The TSIs of one TSI ID on this nNVE: none once it is gone (the entry then removes it). */
    public record Entry(VsiId id, List<SavedTsi> instances) {
        public Entry {
            instances = List.copyOf(instances);
            for (SavedTsi s : instances) {
                if (!s.id().equals(id)) {
                    throw new IllegalArgumentException("an instance of " + s.id() + " in the entry of " + id);
                }
            }
        }
    }

    /** Octets that are not an entry, and why. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    public static byte[] encode(Entry e) {
        if (e.instances().size() > MAX_INSTANCES) {
            throw new IllegalArgumentException(e.instances().size() + " instances of " + e.id() + ", at most "
                    + MAX_INSTANCES);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + 112 * Math.max(1, e.instances().size()));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            id(out, e.id());
            out.writeShort(e.instances().size());
            for (SavedTsi s : e.instances()) {
                tsi(out, s);
            }
        } catch (IOException x) {
            throw new UncheckedIOException(x); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    public static Entry decode(byte[] b, int off, int len) throws Invalid {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b, off, len))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new Invalid("format version " + version + ", this nNVE reads " + VERSION, null);
            }
            VsiId id = id(in);
            int n = in.readUnsignedShort();
            if (n > MAX_INSTANCES) {
                throw new Invalid(n + " instances, at most " + MAX_INSTANCES, null);
            }
            List<SavedTsi> instances = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                instances.add(tsi(in, id));
            }
            if (in.available() > 0) {
                throw new Invalid(in.available() + " octets after the entry", null);
            }
            return new Entry(id, instances);
        } catch (IOException e) {
            throw new Invalid("truncated: " + e, e);
        } catch (RuntimeException e) {
            // a value the records' own checks refuse (a VID out of range, an unknown format, ...)
            throw new Invalid(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    /** The TSI ID of an entry, read without decoding the rest. */
    public static VsiId key(byte[] b, int off, int len) throws Invalid {
        if (len < 20) {
            throw new Invalid("an entry of " + len + " octets", null);
        }
        if ((b[off] & 0xFF) != VERSION) {
            throw new Invalid("format version " + (b[off] & 0xFF) + ", this nNVE reads " + VERSION, null);
        }
        try {
            ByteArrayInputStream in = new ByteArrayInputStream(b, off + 1, 17);
            return id(new DataInputStream(in));
        } catch (IOException | RuntimeException e) {
            throw new Invalid(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
    }

    /** Whether an entry says its TSI ID is gone (no instance), read without decoding the rest. */
    public static boolean removes(byte[] b, int off, int len) throws Invalid {
        if (len < 20) {
            throw new Invalid("an entry of " + len + " octets", null);
        }
        return b[off + 18] == 0 && b[off + 19] == 0;
    }

    // ------------------------------------------------------------------ the parts

    private static void id(DataOutputStream out, VsiId id) throws IOException {
        out.writeByte(id.format().code());
        out.writeLong(id.hi());
        out.writeLong(id.lo());
    }

    private static VsiId id(DataInputStream in) throws IOException {
        VsiIdFormat f = VsiIdFormat.ofCode(in.readUnsignedByte());
        return new VsiId(f, in.readLong(), in.readLong());
    }

    private static void tsi(DataOutputStream out, SavedTsi s) throws IOException {
        out.writeShort(s.port());
        out.writeLong(s.station().value());
        vn(out, s.vn());
        out.writeShort(s.tag());
        out.writeByte(stateCode(s.state()));
        out.writeInt(s.typeId());
        out.writeByte(s.typeVersion());
        out.writeBoolean(s.manager() != null);
        if (s.manager() != null) {
            out.writeLong(s.manager().hi());
            out.writeLong(s.manager().lo());
        }
        out.writeByte(s.filter().format().code());
        out.writeShort(s.filter().entries().size());
        for (FilterEntry e : s.filter().entries()) {
            out.writeInt(e.groupId());
            out.writeLong(e.mac() == null ? -1 : e.mac().value());
            out.writeShort((e.ps() ? 0x8000 : 0) | (e.pcp() << 12) | e.vid());
        }
        addresses(out, s.addresses());
        parameters(out, s.parameters());
        addresses(out, s.held());
        out.writeBoolean(s.ownsNva());
        out.writeBoolean(s.departing() != null);
        if (s.departing() != null) {
            out.writeLong(s.departing().getMostSignificantBits());
            out.writeLong(s.departing().getLeastSignificantBits());
        }
        out.writeLong(s.sinceRefreshNanos());
        out.writeBoolean(s.extensions());
    }

    private static SavedTsi tsi(DataInputStream in, VsiId id) throws IOException {
        int port = in.readUnsignedShort();
        MacAddress station = new MacAddress(in.readLong());
        Vn vn = vn(in);
        int tag = in.readUnsignedShort();
        TsiState state = switch (in.readUnsignedByte()) {
            case 1 -> TsiState.ASSOCIATED;
            case 2 -> TsiState.ACTIVATED;
            default -> throw new IllegalArgumentException("not a TSI state to restore");
        };
        int typeId = in.readInt();
        int typeVersion = in.readUnsignedByte();
        ManagerId manager = in.readBoolean() ? new ManagerId(in.readLong(), in.readLong()) : null;
        FilterFormat format = FilterFormat.ofCode(in.readUnsignedByte());
        int n = in.readUnsignedShort();
        List<FilterEntry> entries = new ArrayList<>(Math.min(n, 64));
        for (int i = 0; i < n; i++) {
            int group = in.readInt();
            long mac = in.readLong();
            int word = in.readUnsignedShort();
            entries.add(new FilterEntry(group, mac == -1 ? null : new MacAddress(mac), (word & 0x8000) != 0,
                    (word >>> 12) & 7, word & 0xFFF));
        }
        List<TsiAddress> addresses = addresses(in);
        List<Parameter> parameters = parameters(in);
        List<TsiAddress> held = addresses(in);
        boolean owns = in.readBoolean();
        UUID departing = in.readBoolean() ? new UUID(in.readLong(), in.readLong()) : null;
        long since = in.readLong();
        boolean extensions = in.readBoolean();
        return new SavedTsi(id, port, station, vn, tag, state, typeId, typeVersion, manager,
                new Filter(format, entries), addresses, parameters, held, owns, departing, since, extensions);
    }

    /** The state's code in the format (the engine's codes are not the format's). */
    private static int stateCode(TsiState s) {
        return switch (s) {
            case ASSOCIATED -> 1;
            case ACTIVATED -> 2;
            case INIT -> 0;
        };
    }

    private static void vn(DataOutputStream out, Vn vn) throws IOException {
        switch (vn.key()) {
            case VnKey.Id i -> {
                out.writeByte(1);
                out.writeLong(i.id());
            }
            case VnKey.Name n -> {
                out.writeByte(2);
                out.writeLong(n.name().getMostSignificantBits());
                out.writeLong(n.name().getLeastSignificantBits());
            }
            case VnKey.VsiType t -> {
                out.writeByte(3);
                out.writeInt(t.typeId());
            }
            case VnKey.Vlan v -> {
                out.writeByte(4);
                out.writeInt(v.vid());
            }
        }
        out.writeUTF(vn.alias());
        out.writeInt(vn.vni());
        out.writeByte(vn.provisioning() == Vn.Provisioning.VALIDATED ? 1 : 0);
        parameters(out, vn.parameters());
    }

    private static Vn vn(DataInputStream in) throws IOException {
        int kind = in.readUnsignedByte();
        VnKey key = switch (kind) {
            case 1 -> new VnKey.Id(in.readLong());
            case 2 -> new VnKey.Name(new UUID(in.readLong(), in.readLong()));
            case 3 -> new VnKey.VsiType(in.readInt());
            case 4 -> new VnKey.Vlan(in.readInt());
            default -> throw new IllegalArgumentException("VN key kind " + kind);
        };
        String alias = in.readUTF();
        int vni = in.readInt();
        Vn.Provisioning provisioning = switch (in.readUnsignedByte()) {
            case 0 -> Vn.Provisioning.TRUSTED;
            case 1 -> Vn.Provisioning.VALIDATED;
            default -> throw new IllegalArgumentException("not a VN provisioning");
        };
        return new Vn(key, alias, vni, provisioning, parameters(in));
    }

    private static void addresses(DataOutputStream out, List<TsiAddress> list) throws IOException {
        out.writeShort(list.size());
        for (TsiAddress a : list) {
            byte[] ip = a.ip() == null ? new byte[0] : a.ip().getAddress();
            out.writeByte(ip.length);
            out.write(ip);
            out.writeByte(a.prefixLength());
            out.writeLong(a.mac() == null ? -1 : a.mac().value());
            out.writeBoolean(a.groupId() != null);
            if (a.groupId() != null) {
                out.writeInt(a.groupId());
            }
        }
    }

    private static List<TsiAddress> addresses(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        List<TsiAddress> out = new ArrayList<>(Math.min(n, 64));
        for (int i = 0; i < n; i++) {
            int len = in.readUnsignedByte();
            if (len != 0 && len != 4 && len != 16) {
                throw new IllegalArgumentException("an IP address of " + len + " octets");
            }
            byte[] ip = new byte[len];
            in.readFully(ip);
            int prefix = in.readUnsignedByte();
            long mac = in.readLong();
            Integer group = in.readBoolean() ? in.readInt() : null;
            out.add(new TsiAddress(len == 0 ? null : InetAddress.getByAddress(ip), prefix,
                    mac == -1 ? null : new MacAddress(mac), group));
        }
        return out;
    }

    private static void parameters(DataOutputStream out, List<Parameter> list) throws IOException {
        out.writeShort(list.size());
        for (Parameter p : list) {
            out.writeByte(p.type());
            out.writeByte(p.value().length());
            out.write(p.value().toArray());
        }
    }

    private static List<Parameter> parameters(DataInputStream in) throws IOException {
        int n = in.readUnsignedShort();
        if (n > MAX_LIST) {
            throw new IllegalArgumentException(n + " parameters");
        }
        List<Parameter> out = new ArrayList<>(Math.min(n, 16));
        for (int i = 0; i < n; i++) {
            int type = in.readUnsignedByte();
            byte[] v = new byte[in.readUnsignedByte()];
            in.readFully(v);
            out.add(new Parameter(type, Bytes.wrap(v)));
        }
        return out;
    }
}
