package org.splitnve.nva.service.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.splitnve.nva.NveId;
import org.splitnve.nva.service.Change;
import org.splitnve.nva.service.ChangeEvent;
import org.splitnve.nva.service.Receipt;
import org.splitnve.nva.service.Report;
import org.splitnve.nva.service.Resource;

/**
 * The embedded durable store (NVA-2; docs/nva.md section 2 says why SQLite): one SQLite file in WAL mode, each
 * {@link Batch} one SQLite transaction. With {@link Durability#FULL} (the default) a commit returns after the WAL
 * is fsync'ed: what the NVA acknowledged survives {@code kill -9} and a power cut; {@link Durability#NORMAL}
 * survives {@code kill -9} only (the WAL reaches the disk at checkpoints).
 *
 * <p>The file is opened in exclusive locking mode: a second NVA on the same file fails to open it, instead of two
 * writers interleaving revisions. Tables: {@code meta} (history id, revision, compaction point), {@code resource}
 * (path to encoded resource), {@code log} (revision to encoded change), {@code receipt} (nNVE and report number to
 * encoded receipt, the last {@link Report#WINDOW} per nNVE). Values are {@link Codec}'s.
 *
 * <p>Not thread-safe: its NVA calls it from one thread at a time (the leader of a group commit).
 */
public final class SqliteStore implements Store {
    /** How a commit reaches the disk. */
    public enum Durability {
        /** {@code synchronous=FULL}: the WAL is fsync'ed at each commit. Survives a power cut. */
        FULL,
        /** {@code synchronous=NORMAL}: fsync at checkpoints only. Survives the process's death, not the machine's. */
        NORMAL
    }

    private final Path file;
    private final Connection db;
    private final PreparedStatement putResource;
    private final PreparedStatement removeResource;
    private final PreparedStatement appendLog;
    private final PreparedStatement compactLog;
    private final PreparedStatement putReceipt;
    private final PreparedStatement pruneReceipts;
    private final PreparedStatement putMeta;

    private SqliteStore(Path file, Durability durability) throws SQLException {
        this.file = file;
        this.db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA locking_mode=EXCLUSIVE");
            try (ResultSet r = s.executeQuery("PRAGMA journal_mode=WAL")) {
                if (!r.next() || !"wal".equalsIgnoreCase(r.getString(1))) {
                    throw new SQLException("SQLite did not switch " + file + " to WAL mode");
                }
            }
            s.execute("PRAGMA synchronous=" + durability.name());
            s.execute("CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID");
            s.execute("CREATE TABLE IF NOT EXISTS resource (k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID");
            s.execute("CREATE TABLE IF NOT EXISTS log (revision INTEGER PRIMARY KEY, v BLOB NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS receipt (nve TEXT NOT NULL, seq INTEGER NOT NULL, v BLOB NOT NULL,"
                    + " PRIMARY KEY (nve, seq)) WITHOUT ROWID");
            s.execute("INSERT OR IGNORE INTO meta VALUES ('history', '" + UUID.randomUUID() + "')");
            s.execute("INSERT OR IGNORE INTO meta VALUES ('revision', '0')");
            s.execute("INSERT OR IGNORE INTO meta VALUES ('compacted', '0')");
            s.execute("INSERT OR IGNORE INTO meta VALUES ('format', '" + Codec.FORMAT + "')");
        }
        String format = meta("format");
        if (!String.valueOf(Codec.FORMAT).equals(format)) {
            db.close();
            throw new StoreException(file + " holds format " + format + "; this NVA reads format " + Codec.FORMAT);
        }
        db.setAutoCommit(false);
        putResource = db.prepareStatement("INSERT OR REPLACE INTO resource (k, v) VALUES (?, ?)");
        removeResource = db.prepareStatement("DELETE FROM resource WHERE k = ?");
        appendLog = db.prepareStatement("INSERT INTO log (revision, v) VALUES (?, ?)");
        compactLog = db.prepareStatement("DELETE FROM log WHERE revision <= ?");
        putReceipt = db.prepareStatement("INSERT OR REPLACE INTO receipt (nve, seq, v) VALUES (?, ?, ?)");
        pruneReceipts = db.prepareStatement("DELETE FROM receipt WHERE nve = ? AND seq <= ?");
        putMeta = db.prepareStatement("UPDATE meta SET v = ? WHERE k = ?");
    }

    /**
     * Opens (creating it and its directory if need be) the store in {@code file}.
     *
     * @throws StoreException when it cannot: another NVA holds it, a file that is not an NVA store, no permission
     */
    public static SqliteStore open(Path file, Durability durability) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            return new SqliteStore(file, durability);
        } catch (SQLException | java.io.IOException e) {
            throw new StoreException("cannot open the NVA store " + file + ": " + e.getMessage(), e);
        }
    }

    public static SqliteStore open(Path file) {
        return open(file, Durability.FULL);
    }

    public Path file() {
        return file;
    }

    private String meta(String k) throws SQLException {
        try (PreparedStatement p = db.prepareStatement("SELECT v FROM meta WHERE k = ?")) {
            p.setString(1, k);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    @Override
    public Loaded load() {
        try {
            String history = meta("history");
            long revision = Long.parseLong(meta("revision"));
            long compacted = Long.parseLong(meta("compacted"));
            List<Resource> resources = new ArrayList<>();
            List<Change> log = new ArrayList<>();
            Map<NveId, List<Receipt>> receipts = new HashMap<>();
            try (Statement s = db.createStatement()) {
                try (ResultSet r = s.executeQuery("SELECT v FROM resource")) {
                    while (r.next()) {
                        resources.add(Codec.resource(r.getBytes(1)));
                    }
                }
                try (ResultSet r = s.executeQuery("SELECT v FROM log ORDER BY revision")) {
                    while (r.next()) {
                        log.add(Codec.change(r.getBytes(1)));
                    }
                }
                try (ResultSet r = s.executeQuery("SELECT nve, v FROM receipt ORDER BY nve, seq")) {
                    while (r.next()) {
                        receipts.computeIfAbsent(NveId.of(r.getString(1)), k -> new ArrayList<>())
                                .add(Codec.receipt(r.getBytes(2)));
                    }
                }
            }
            db.commit(); // ends the read transaction
            if (!log.isEmpty() && log.getLast().revision() != revision) {
                throw new StoreException(file + ": the log ends at revision " + log.getLast().revision()
                        + ", the store is at " + revision);
            }
            return new Loaded(history, revision, resources, log, compacted, receipts);
        } catch (SQLException e) {
            throw new StoreException("cannot read the NVA store " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void commit(Batch batch) {
        try {
            for (Change c : batch.changes()) {
                int puts = 0;
                List<byte[]> encoded = new ArrayList<>(c.events().size());
                for (ChangeEvent e : c.events()) {
                    switch (e) {
                        case ChangeEvent.Put p -> {
                            byte[] value = Codec.resource(p.resource());
                            encoded.add(value);
                            putResource.setString(1, p.key().path());
                            putResource.setBytes(2, value);
                            putResource.addBatch();
                            puts++;
                        }
                        case ChangeEvent.Removed r -> {
                            if (puts > 0) { // keep the order of a put then a removal of the same key
                                putResource.executeBatch();
                                puts = 0;
                            }
                            removeResource.setString(1, r.key().path());
                            removeResource.executeUpdate();
                        }
                        case ChangeEvent.Withdrawal w -> {
                        }
                    }
                }
                if (puts > 0) {
                    putResource.executeBatch();
                }
                appendLog.setLong(1, c.revision());
                appendLog.setBytes(2, Codec.change(c, encoded));
                appendLog.executeUpdate();
            }
            if (!batch.changes().isEmpty()) {
                putMeta.setString(1, Long.toString(batch.lastRevision()));
                putMeta.setString(2, "revision");
                putMeta.executeUpdate();
            }
            for (Map.Entry<NveId, Receipt> r : batch.receipts().entrySet()) {
                putReceipt.setString(1, r.getKey().name());
                putReceipt.setLong(2, r.getValue().seq());
                putReceipt.setBytes(3, Codec.receipt(r.getValue()));
                putReceipt.executeUpdate();
                pruneReceipts.setString(1, r.getKey().name());
                pruneReceipts.setLong(2, r.getValue().seq() - Report.WINDOW);
                pruneReceipts.executeUpdate();
            }
            if (batch.compactThrough() > 0) {
                compactLog.setLong(1, batch.compactThrough());
                compactLog.executeUpdate();
                putMeta.setString(1, Long.toString(batch.compactThrough()));
                putMeta.setString(2, "compacted");
                putMeta.executeUpdate();
            }
            db.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                db.rollback();
            } catch (SQLException r) {
                e.addSuppressed(r);
            }
            throw e instanceof StoreException s ? s
                    : new StoreException("cannot commit to the NVA store " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new StoreException("cannot close the NVA store " + file + ": " + e.getMessage(), e);
        }
    }
}
