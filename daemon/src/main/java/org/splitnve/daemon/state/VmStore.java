package org.splitnve.daemon.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.splitnve.api.JsonCodec;
import org.splitnve.config.IpLiteral;
import org.splitnve.tnve.TnveEngine;
import org.splitnve.tnve.TsiSpec;
import org.splitnve.tnve.Vm;
import org.splitnve.tnve.VmState;
import org.splitnve.wire.MacAddress;
import org.splitnve.wire.vdp.TsiAddress;
import org.splitnve.wire.vdp.VsiId;
import org.splitnve.wire.vdp.VsiIdFormat;
import tools.jackson.databind.JsonNode;

/**
 * REL-1: the tNVE's VMs on disk, so that a restarted tNVE (also after SIGKILL) takes them over
 * ({@link TnveEngine#adopt(String, List, VmState, TnveEngine.TsiState, UUID)}) instead of forgetting them.
 * One JSON file per VM in {@code DIR/vms/}, replaced atomically: written to a temporary file, forced to
 * the disk, renamed over the old one, and the directory forced too; a crash leaves the old record or the
 * new one, never half of one. {@code DIR/lock} is locked while the daemon runs: a second tNVE on the same
 * directory refuses to start (OPS-4).
 *
 * <p>The engine stays free of file I/O: its thread only takes a {@link Snapshot} ({@link #capture}); the
 * API's thread writes it ({@link #write}) before it answers. Snapshots are numbered on the engine thread,
 * so a write that comes late never replaces a newer record of the same VM.
 */
public final class VmStore implements AutoCloseable {
    /** The record format's version, the first member of every file. */
    static final int VERSION = 1;
    /** Largest record read back (a VM with hundreds of TSIs is a few hundred kilobytes). */
    static final int MAX_RECORD = 4 << 20;
    private static final int STRIPES = 64;

    /**
     * What is kept of one VM: its state, the state its TSIs are announced in at the nNVEs ({@link
     * TnveEngine#wanted}), the live migration it is in (or null) and its TSIs with their addresses.
     */
    public record VmRecord(String name, VmState state, TnveEngine.TsiState announce, UUID migration, List<TsiSpec> tsis) {
        public VmRecord {
            tsis = List.copyOf(tsis);
        }
    }

    /** A VM's record as the engine had it at one moment, or null when the VM is gone; {@code seq} orders them. */
    public record Snapshot(String name, long seq, VmRecord record) {}

    /** What {@link #load} found: the records, and one problem per file it could not read. */
    public record Loaded(List<VmRecord> records, List<Problem> problems) {}

    /** A file that is not a usable record, and why. */
    public record Problem(Path file, String reason) {}

    private final Path dir;
    private final Path vms;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final AtomicLong seq = new AtomicLong();
    private final Map<String, Long> written = new ConcurrentHashMap<>();
    private final Object[] stripes = new Object[STRIPES];

    private VmStore(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.vms = dir.resolve("vms");
        this.lockChannel = lockChannel;
        this.lock = lock;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    /**
     * Opens (creating it when absent) the state directory and locks it; an IOException that says why when
     * it cannot be created or written, or when another daemon holds it.
     */
    public static VmStore open(Path dir) throws IOException {
        Path vms = dir.resolve("vms");
        try {
            Files.createDirectories(vms);
        } catch (IOException e) {
            throw new IOException("state directory " + dir + ": cannot create it: " + e, e);
        }
        if (!Files.isWritable(vms)) {
            throw new IOException("state directory " + dir + ": " + vms + " is not writable");
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("state directory " + dir + ": cannot open its lock file: " + e, e);
        }
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        } catch (IOException e) {
            ch.close();
            throw new IOException("state directory " + dir + ": cannot lock it: " + e, e);
        }
        if (l == null) {
            ch.close();
            throw new IOException("state directory " + dir + " is in use by another tNVE (its lock file is held):"
                    + " each tNVE needs a [state] dir of its own");
        }
        return new VmStore(dir, ch, l);
    }

    public Path dir() {
        return dir;
    }

    // ------------------------------------------------------------------ on the engine thread

    /** The VM's record as the engine has it now, numbered; call it on the engine thread. */
    public Snapshot capture(TnveEngine engine, String name) {
        long n = seq.incrementAndGet();
        Vm vm = engine.vmNamed(name);
        if (vm == null || vm.state() == VmState.DESTROYED) {
            return new Snapshot(name, n, null);
        }
        return new Snapshot(name, n, new VmRecord(name, vm.state(), announce(engine, vm), vm.migration(), vm.tsis()));
    }

    /** The state a VM's TSIs are re-announced in after a restart. */
    static TnveEngine.TsiState announce(TnveEngine engine, Vm vm) {
        return switch (vm.state()) {
            case RUNNING, PAUSED -> TnveEngine.TsiState.ACTIVATED;
            case SUSPENDED, MIGRATING_IN, PREPARING -> TnveEngine.TsiState.ASSOCIATED;
            // shut down: associated after create, de-associated after shutdown; leaving: activated until depart
            case SHUTDOWN, MIGRATING_OUT -> engine.wanted(vm.name());
            case DESTROYED -> TnveEngine.TsiState.INIT;
        };
    }

    // ------------------------------------------------------------------ on any thread

    /**
     * Makes the snapshot durable: the VM's file replaced (or removed for a VM that is gone), the
     * directory forced. Nothing happens when a newer snapshot of the same VM was written already.
     */
    public void write(Snapshot s) throws IOException {
        synchronized (stripes[Math.floorMod(s.name().hashCode(), STRIPES)]) {
            Long last = written.get(s.name());
            if (last != null && last >= s.seq()) {
                return;
            }
            Path file = vms.resolve(fileName(s.name()));
            if (s.record() == null) {
                if (Files.deleteIfExists(file)) {
                    forceDirectory();
                }
            } else {
                replace(file, JsonCodec.write(encode(s.record())).getBytes(StandardCharsets.UTF_8));
            }
            written.put(s.name(), s.seq());
        }
    }

    private void replace(Path file, byte[] bytes) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("state directory " + dir + ": the file system cannot replace a file atomically", e);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("cannot replace " + file + ": " + e, e);
        }
        forceDirectory();
    }

    /** fsync of the directory: the rename (or removal) itself survives a crash. */
    private void forceDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(vms, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /**
     * Reads every record; a file that cannot be read or is not a valid record becomes a {@link Problem}
     * (the others are read all the same). Temporary files a crash left behind are removed: the record
     * they were to replace stands.
     */
    public Loaded load() throws IOException {
        List<VmRecord> records = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(vms)) {
            for (Path p : ds) {
                files.add(p);
            }
        }
        files.sort(null);
        for (Path p : files) {
            String fn = p.getFileName().toString();
            if (fn.endsWith(".json.tmp")) {
                Files.deleteIfExists(p);
                continue;
            }
            if (!fn.endsWith(".json")) {
                continue;
            }
            try {
                if (Files.size(p) > MAX_RECORD) {
                    throw new Bad("larger than " + MAX_RECORD + " octets");
                }
                JsonNode v;
                try {
                    v = JsonCodec.tree(Files.readString(p, StandardCharsets.UTF_8));
                } catch (JsonCodec.Invalid e) {
                    throw new Bad("not JSON: " + e.getMessage());
                }
                VmRecord r = decode(v);
                if (!fileName(r.name()).equals(fn)) {
                    throw new Bad("holds VM '" + r.name() + "', whose record is " + fileName(r.name()));
                }
                records.add(r);
            } catch (Bad e) {
                problems.add(new Problem(p, e.getMessage()));
            } catch (IOException | RuntimeException e) {
                problems.add(new Problem(p, "cannot read it: " + e));
            }
        }
        return new Loaded(records, problems);
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        try {
            lockChannel.close();
        } catch (IOException e) {
            // nothing more to free
        }
    }

    // ------------------------------------------------------------------ the record format

    /**
     * The file of a VM: its name with every character but letters, digits, '_' and '-' (and '.' after the
     * first) written as %XX of its UTF-8 octets, then ".json"; a name longer than that allows is its SHA-256.
     */
    public static String fileName(String name) {
        StringBuilder sb = new StringBuilder();
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int c = bytes[i] & 0xFF;
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '-' || (c == '.' && i > 0);
            if (plain) {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format("%02X", c));
            }
        }
        if (sb.length() > 200) {
            try {
                return "sha256-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)) + ".json";
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
        return sb + ".json";
    }

    /**
     * A VM's file as Jackson reads and writes it: {@code {"version": 1, "name", "state", "announce", "migration",
     * "tsis": [{"id", "idFormat", "vn", "mac", "ips", "typeId", "typeVersion"}]}}. Members a later version may add
     * are ignored; the values are checked by {@link #decode}.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record StoredVm(Integer version, String name, String state, String announce, String migration, List<StoredTsi> tsis) {}

    /** A TSI in {@link StoredVm}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record StoredTsi(String id, String idFormat, Long vn, String mac, List<String> ips, Long typeId, Long typeVersion) {}

    static StoredVm encode(VmRecord r) {
        List<StoredTsi> tsis = new ArrayList<>();
        for (TsiSpec t : r.tsis()) {
            tsis.add(new StoredTsi(t.id().toString(), t.id().format().name(), t.vnId(), t.mac().toString(),
                    t.ips().stream().filter(a -> a.ip() != null).map(VmStore::ipText).toList(), (long) t.typeId(),
                    (long) t.typeVersion()));
        }
        return new StoredVm(VERSION, r.name(), r.state().name(), r.announce().name(),
                r.migration() == null ? null : r.migration().toString(), tsis);
    }

    /** A record that is not valid. */
    static final class Bad extends Exception {
        Bad(String message) {
            super(message, null, false, false);
        }
    }

    static VmRecord decode(JsonNode v) throws Bad {
        if (!v.isObject()) {
            throw new Bad("not a JSON object");
        }
        JsonNode version = v.path("version");
        if (!version.isIntegralNumber() || !version.canConvertToInt() || version.intValue() != VERSION) {
            throw new Bad("version " + (version.isMissingNode() ? "absent" : JsonCodec.write(version))
                    + ", this tNVE reads version " + VERSION);
        }
        StoredVm o;
        try {
            o = JsonCodec.bind(v, StoredVm.class);
        } catch (JsonCodec.Invalid e) {
            throw new Bad(e.getMessage());
        }
        String name = text(o.name(), "name");
        if (name.isEmpty() || name.length() > 128) {
            throw new Bad("name: 1 to 128 characters, not " + name.length());
        }
        VmState state = enumOf(VmState.class, text(o.state(), "state"), "state");
        if (state == VmState.PREPARING || state == VmState.DESTROYED) {
            throw new Bad("state: " + state + " is never recorded");
        }
        TnveEngine.TsiState announce = enumOf(TnveEngine.TsiState.class, text(o.announce(), "announce"), "announce");
        UUID migration = o.migration() == null ? null : uuid(o.migration(), "migration");
        if (o.tsis() == null || o.tsis().isEmpty()) {
            throw new Bad("tsis: a non-empty list");
        }
        List<TsiSpec> tsis = new ArrayList<>();
        for (int i = 0; i < o.tsis().size(); i++) {
            String at = "tsis[" + i + "]";
            StoredTsi t = o.tsis().get(i);
            if (t == null) {
                throw new Bad(at + ": not an object");
            }
            VsiIdFormat format = enumOf(VsiIdFormat.class, text(t.idFormat(), at + ".idFormat"), at + ".idFormat");
            VsiId id = vsiId(format, text(t.id(), at + ".id"), at + ".id");
            if (t.vn() == null || t.vn() < 0 || t.vn() > 0xFFFF_FFFFL) {
                throw new Bad(at + ".vn: a VN ID (0..4294967295)");
            }
            MacAddress mac;
            try {
                mac = MacAddress.parse(text(t.mac(), at + ".mac"));
            } catch (IllegalArgumentException e) {
                throw new Bad(at + ".mac: not a MAC address");
            }
            if (!mac.isValidUnicast()) {
                throw new Bad(at + ".mac: " + mac + " is not a unicast MAC");
            }
            if (t.ips() == null) {
                throw new Bad(at + ".ips: a list");
            }
            List<TsiAddress> ips = new ArrayList<>();
            for (String ip : t.ips()) {
                TsiAddress a = ip == null ? null : ip(ip);
                if (a == null) {
                    throw new Bad(at + ".ips: " + (ip == null ? "null" : JsonCodec.quote(ip))
                            + " is not an IP address or prefix");
                }
                ips.add(a);
            }
            if (t.typeId() == null || t.typeVersion() == null || t.typeId() < 0 || t.typeId() > 0xFF_FFFF
                    || t.typeVersion() < 0 || t.typeVersion() > 0xFF) {
                throw new Bad(at + ": typeId (24 bits) and typeVersion (8 bits) required");
            }
            tsis.add(new TsiSpec(id, t.vn(), mac, ips, t.typeId().intValue(), t.typeVersion().intValue()));
        }
        return new VmRecord(name, state, announce, migration, tsis);
    }

    private static String text(String s, String key) throws Bad {
        if (s == null) {
            throw new Bad(key + ": a string is required");
        }
        return s;
    }

    private static <E extends Enum<E>> E enumOf(Class<E> type, String s, String key) throws Bad {
        try {
            return Enum.valueOf(type, s);
        } catch (IllegalArgumentException e) {
            throw new Bad(key + ": '" + s + "' is none of " + java.util.Arrays.toString(type.getEnumConstants()));
        }
    }

    private static UUID uuid(String s, String key) throws Bad {
        try {
            return UUID.fromString(s);
        } catch (IllegalArgumentException e) {
            throw new Bad(key + ": '" + s + "' is not a UUID");
        }
    }

    private static VsiId vsiId(VsiIdFormat format, String s, String key) throws Bad {
        VsiId id;
        try {
            id = switch (format) {
                case UUID -> VsiId.uuid(uuid(s, key));
                case MAC -> VsiId.mac(MacAddress.parse(s));
                case IPV4 -> IpLiteral.parse(s) instanceof java.net.Inet4Address a ? VsiId.ipv4(a) : null;
                case IPV6 -> IpLiteral.parse(s) instanceof java.net.Inet6Address a ? VsiId.ipv6(a) : null;
                case LOCAL -> VsiId.local(HexFormat.of().parseHex(s));
            };
        } catch (IllegalArgumentException e) {
            id = null;
        }
        if (id == null) {
            throw new Bad(key + ": '" + s + "' is not a " + format + " TSI ID");
        }
        return id;
    }

    /** "192.0.2.1" for a host, "192.0.2.0/24" for a prefix (as the API writes them). */
    static String ipText(TsiAddress a) {
        String host = a.ip().getHostAddress();
        int max = a.ip() instanceof java.net.Inet4Address ? 32 : 128;
        return a.prefixLength() == max ? host : host + "/" + a.prefixLength();
    }

    static TsiAddress ip(String s) {
        int slash = s.indexOf('/');
        InetAddress a = IpLiteral.parse(slash < 0 ? s : s.substring(0, slash));
        if (a == null) {
            return null;
        }
        if (slash < 0) {
            return TsiAddress.host(a);
        }
        String len = s.substring(slash + 1);
        int max = a instanceof java.net.Inet4Address ? 32 : 128;
        if (!len.matches("[0-9]{1,3}") || Integer.parseInt(len) > max) {
            return null;
        }
        return TsiAddress.prefix(a, Integer.parseInt(len));
    }
}
