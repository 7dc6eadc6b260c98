package org.splitnve.daemon.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.splitnve.nnve.SavedTsi;
import org.splitnve.nnve.SavedTsiCodec;
import org.splitnve.wire.vdp.VsiId;

/**
 * REL-2: the nNVE's TSIs on disk, so that an nNVE restarted after SIGKILL has every TSI back at once, in the state it
 * acknowledged. Two files in the state directory: {@code tsi.journal}, an append-only list of records, one per change
 * of a TSI ID's instances ({@link SavedTsiCodec.Entry}: all of them as they are after the change; none once it is
 * gone), and {@code tsi.snapshot}, the table compacted: one record per TSI ID. A record is its length (4 octets), the
 * CRC-32C of its body (4) and the body. {@code DIR/nnve.lock} is locked while the daemon runs: a second nNVE on the
 * same directory refuses to start (OPS-4).
 *
 * <p>The engine thread only encodes a record and queues it ({@link #changed}); one writer thread appends what is
 * queued, forces it to the disk ({@code fdatasync}) once per batch, and when the journal outgrows the snapshot writes
 * a new snapshot (a temporary file, forced, renamed over the old one, the directory forced) and empties the journal.
 * Replaying the journal over the snapshot is idempotent (every record says what the TSI ID is after it), so a crash
 * between the rename and the truncation changes nothing.
 *
 * <p>Reading is total ({@link #open}): a record cut short, whose CRC does not match or whose body does not decode ends
 * the file there; what comes before is used, the rest is cut off (the journal truncated) and reported as a problem,
 * never thrown.
 *
 * <p>Durability: an answer to an end device is sent when the engine has made the change, before its record is on the
 * disk; the writer forces every batch at once, so the window is one {@code fdatasync} (see docs/durability.md). What
 * an SIGKILL loses from it is re-learned: the restarted nNVE asks every end device to announce its TSIs again.
 */
public final class TsiJournal implements AutoCloseable {
    static final String JOURNAL = "tsi.journal";
    static final String SNAPSHOT = "tsi.snapshot";
    static final byte[] SNAPSHOT_MAGIC = "SNVETSI1".getBytes(StandardCharsets.US_ASCII);
    /** Largest record read back: an entry holds at most {@link SavedTsiCodec#MAX_INSTANCES} instances. */
    static final int MAX_RECORD = 1 << 20;
    /** The journal is compacted once it is larger than this and than the last snapshot. */
    static final long COMPACT_AT = 4L << 20;

    /** A file of the state directory, or a part of one, that could not be used, and why. */
    public record Problem(String file, String reason) {}

    /** What {@link #open} read: the TSIs, what it could not read, and how long the reading took. */
    public record Loaded(List<SavedTsi> tsis, int entries, long bytes, List<Problem> problems, long nanos) {}

    /** One change queued for the writer: the TSI ID and its record's body; or the writer's last item. */
    private static final class Change {
        final VsiId id;
        final byte[] body;
        final boolean removed;
        final boolean stop;

        Change(VsiId id, byte[] body, boolean removed, boolean stop) {
            this.id = id;
            this.body = body;
            this.removed = removed;
            this.stop = stop;
        }
    }

    private static final Change STOP = new Change(null, null, true, true);

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final FileChannel journal;
    private final Loaded loaded;
    /** The writer's copy of the table: the last body of each TSI ID, for the snapshots. */
    private final Map<VsiId, byte[]> table;
    private final LinkedBlockingQueue<Change> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile Consumer<String> failures = s -> { };
    private long journalBytes;
    private long snapshotBytes;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong syncNanos = new AtomicLong();
    private final AtomicLong compactions = new AtomicLong();
    private volatile boolean failed;

    private TsiJournal(Path dir, FileChannel lockChannel, FileLock lock, FileChannel journal, Loaded loaded,
            Map<VsiId, byte[]> table, long journalBytes, long snapshotBytes) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.journal = journal;
        this.loaded = loaded;
        this.table = table;
        this.journalBytes = journalBytes;
        this.snapshotBytes = snapshotBytes;
        this.writer = Thread.ofPlatform().daemon().name("tsi-journal").unstarted(this::run);
    }

    /**
     * Opens (creating it when absent) the state directory, locks it and reads the snapshot and the journal; the
     * writer thread starts. An IOException that says why when the directory cannot be created, written or locked.
     */
    public static TsiJournal open(Path dir) throws IOException {
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("state directory " + dir + ": cannot create it: " + e, e);
        }
        FileChannel lockChannel;
        try {
            lockChannel = FileChannel.open(dir.resolve("nnve.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IOException("state directory " + dir + ": cannot open its lock file: " + e, e);
        }
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            lockChannel.close();
            throw new IOException("state directory " + dir + ": cannot lock it: " + e, e);
        }
        if (lock == null) {
            lockChannel.close();
            throw new IOException("state directory " + dir + " is in use by another nNVE (its lock file is held):"
                    + " each nNVE needs a [state] dir of its own");
        }
        try {
            Files.deleteIfExists(dir.resolve(SNAPSHOT + ".tmp")); // a compaction a crash interrupted: the old stands
            Map<VsiId, byte[]> table = new LinkedHashMap<>();
            List<Problem> problems = new ArrayList<>();
            long[] bytes = new long[1];
            int[] entries = new int[1];
            Path snap = dir.resolve(SNAPSHOT);
            long snapshotBytes = 0;
            if (Files.exists(snap)) {
                byte[] all = Files.readAllBytes(snap);
                snapshotBytes = all.length;
                if (all.length < SNAPSHOT_MAGIC.length
                        || !java.util.Arrays.equals(all, 0, SNAPSHOT_MAGIC.length, SNAPSHOT_MAGIC, 0, SNAPSHOT_MAGIC.length)) {
                    problems.add(new Problem(snap.toString(), "not a TSI snapshot (its first octets are not "
                            + new String(SNAPSHOT_MAGIC, StandardCharsets.US_ASCII) + "): ignored"));
                } else {
                    read(snap.toString(), all, SNAPSHOT_MAGIC.length, table, problems, entries);
                }
                bytes[0] += all.length;
            }
            Path jpath = dir.resolve(JOURNAL);
            FileChannel journal = FileChannel.open(jpath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            long size = journal.size();
            long good = 0;
            if (size > 0) {
                if (size > Integer.MAX_VALUE - 16) {
                    journal.close();
                    throw new IOException("state directory " + dir + ": " + jpath + " is larger than 2 GiB");
                }
                ByteBuffer b = ByteBuffer.allocate((int) size);
                while (b.hasRemaining()) {
                    if (journal.read(b, b.position()) < 0) {
                        break;
                    }
                }
                good = read(jpath.toString(), b.array(), 0, table, problems, entries);
                bytes[0] += size;
                if (good < size) {
                    journal.truncate(good); // the torn or corrupt tail is cut: appends go on after the last good record
                    journal.force(true);
                }
            }
            journal.position(good);
            // each TSI ID's last record decoded once (a record a later one replaces is not)
            List<SavedTsi> tsis = new ArrayList<>(table.size());
            for (java.util.Iterator<Map.Entry<VsiId, byte[]>> it = table.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<VsiId, byte[]> e = it.next();
                try {
                    tsis.addAll(SavedTsiCodec.decode(e.getValue(), 0, e.getValue().length).instances());
                } catch (SavedTsiCodec.Invalid x) {
                    it.remove(); // its CRC matched: written so by a bug, or by another version; the others stand
                    problems.add(new Problem(jpath.toString(), "the record of TSI " + e.getKey()
                            + " does not decode (" + x.getMessage() + "): that TSI is not restored"));
                }
            }
            Loaded loaded = new Loaded(List.copyOf(tsis), entries[0], bytes[0], List.copyOf(problems),
                    System.nanoTime() - t0);
            TsiJournal j = new TsiJournal(dir, lockChannel, lock, journal, loaded, table, good, snapshotBytes);
            j.writer.start();
            return j;
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e instanceof IOException io ? io : new IOException("state directory " + dir + ": " + e, e);
        }
    }

    /**
     * Reads the records of {@code all} from {@code off} into {@code table} (an entry with no instance removes its TSI
     * ID); stops at the first record that is cut short, fails its CRC or does not decode (a problem). Returns the
     * offset after the last good record.
     */
    static long read(String file, byte[] all, int off, Map<VsiId, byte[]> table, List<Problem> problems,
            int[] entries) {
        ByteBuffer b = ByteBuffer.wrap(all);
        int pos = off;
        while (pos < all.length) {
            if (all.length - pos < 8) {
                problems.add(new Problem(file, "a record cut short at octet " + pos + " (" + (all.length - pos)
                        + " octets of its header): the tail is cut off"));
                return pos;
            }
            int len = b.getInt(pos);
            int crc = b.getInt(pos + 4);
            if (len <= 0 || len > MAX_RECORD || len > all.length - pos - 8) {
                problems.add(new Problem(file, "a record cut short or of a bad length (" + len + ") at octet " + pos
                        + ": the tail (" + (all.length - pos) + " octets) is cut off"));
                return pos;
            }
            CRC32C c = new CRC32C();
            c.update(all, pos + 8, len);
            if ((int) c.getValue() != crc) {
                problems.add(new Problem(file, "a record whose CRC does not match at octet " + pos + ": the tail ("
                        + (all.length - pos) + " octets) is cut off"));
                return pos;
            }
            // the key and whether it removes are read here; the body is decoded once, for the last record of its key
            VsiId id;
            boolean removes;
            try {
                id = SavedTsiCodec.key(all, pos + 8, len);
                removes = SavedTsiCodec.removes(all, pos + 8, len);
            } catch (SavedTsiCodec.Invalid x) {
                problems.add(new Problem(file, "a record that does not decode at octet " + pos + " (" + x.getMessage()
                        + "): the tail (" + (all.length - pos) + " octets) is cut off"));
                return pos;
            }
            if (removes) {
                table.remove(id);
            } else {
                table.put(id, java.util.Arrays.copyOfRange(all, pos + 8, pos + 8 + len));
            }
            entries[0]++;
            pos += 8 + len;
        }
        return pos;
    }

    /** What was read at open: restore these into the engine before its first frame. */
    public Loaded loaded() {
        return loaded;
    }

    public Path dir() {
        return dir;
    }

    /** Where a write that failed is reported (the daemon's log); the journal then stops writing. */
    public void onFailure(Consumer<String> sink) {
        this.failures = sink;
    }

    // ------------------------------------------------------------------ on the engine thread

    /** The instances of TSI {@code id} after a change (none: it is gone): encoded here, written by the writer. */
    public void changed(VsiId id, List<SavedTsi> instances) {
        if (failed) {
            return;
        }
        queued.incrementAndGet();
        queue.add(new Change(id, SavedTsiCodec.encode(new SavedTsiCodec.Entry(id, instances)), instances.isEmpty(),
                false));
    }

    // ------------------------------------------------------------------ the writer

    /** Records written, batches forced, nanoseconds spent forcing, compactions: for the bench and the tests. */
    public long[] counters() {
        return new long[] {records.get(), batches.get(), syncNanos.get(), compactions.get()};
    }

    /** Whether every change queued so far is on the disk, or given up on after a failure (tests, bench). */
    public boolean drained() {
        return done.get() >= queued.get();
    }

    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong done = new AtomicLong();

    private void run() {
        List<Change> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch);
            boolean stop = false;
            List<Change> work = new ArrayList<>(batch.size());
            for (Change c : batch) {
                if (c.stop) {
                    stop = true;
                } else {
                    work.add(c);
                }
            }
            batch.clear();
            if (!failed && !work.isEmpty()) {
                try {
                    append(work);
                    if (journalBytes > COMPACT_AT && journalBytes > snapshotBytes) {
                        compact();
                    }
                } catch (IOException | RuntimeException e) {
                    failed = true;
                    failures.accept("the TSI journal in " + dir + " cannot be written (" + e
                            + "): changes from now on are not kept");
                }
            }
            done.addAndGet(work.size());
            if (stop) {
                return;
            }
        }
    }

    private void append(List<Change> work) throws IOException {
        int size = 0;
        for (Change c : work) {
            size += 8 + c.body.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        CRC32C crc = new CRC32C();
        for (Change c : work) {
            crc.reset();
            crc.update(c.body);
            b.putInt(c.body.length).putInt((int) crc.getValue()).put(c.body);
            if (c.removed) {
                table.remove(c.id);
            } else {
                table.put(c.id, c.body);
            }
        }
        b.flip();
        while (b.hasRemaining()) {
            journal.write(b);
        }
        long t0 = System.nanoTime();
        journal.force(false);
        syncNanos.addAndGet(System.nanoTime() - t0);
        journalBytes += size;
        records.addAndGet(work.size());
        batches.incrementAndGet();
    }

    /** The table as a new snapshot, then the journal emptied (see the class comment for why in this order). */
    private void compact() throws IOException {
        Path tmp = dir.resolve(SNAPSHOT + ".tmp");
        long written = SNAPSHOT_MAGIC.length;
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.allocate(1 << 20);
            b.put(SNAPSHOT_MAGIC);
            CRC32C crc = new CRC32C();
            for (byte[] body : table.values()) {
                if (b.remaining() < 8 + body.length) {
                    b.flip();
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    b.clear();
                }
                crc.reset();
                crc.update(body);
                b.putInt(body.length).putInt((int) crc.getValue()).put(body);
                written += 8 + body.length;
            }
            b.flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, dir.resolve(SNAPSHOT), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("state directory " + dir + ": the file system cannot replace a file atomically", e);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
        journal.truncate(0);
        journal.position(0);
        journal.force(true);
        journalBytes = 0;
        snapshotBytes = written;
        compactions.incrementAndGet();
    }

    /** Writes what is queued, forces it, stops the writer and releases the directory. */
    @Override
    public void close() {
        queue.add(STOP);
        try {
            writer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            journal.close();
        } catch (IOException e) {
            // closing: nothing more to do
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }
}
