package io.podsync.simulator.fleet;

import io.podsync.protocol.CapturedEvent;
import io.podsync.protocol.EvidenceKind;
import io.podsync.protocol.json.ProtocolJson;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * A device's durable local state in one SQLite file, as a real app would keep it: its identity, the pull cursor, the
 * next sequence number, the events (pending until a verdict arrives, never deleted), and the evidence waiting to be
 * uploaded. Every change that belongs together commits in one transaction, so a crash at any point leaves either the
 * old or the new state, never half of one.
 */
final class Outbox implements AutoCloseable {
    static final String PENDING = "pending";
    static final String DONE = "done";

    /** What the app knows about itself after a restart (secure storage on a real phone). */
    record Identity(String deviceId, String deviceSecret) {}

    /** Evidence the server does not have yet; {@code uploadId} is set once an upload was started. */
    record Upload(String sha256, EvidenceKind kind, String mediaType, byte[] bytes, String uploadId) {}

    private final Connection db;

    private Outbox(Connection db) {
        this.db = db;
    }

    static Outbox open(Path file) {
        try {
            Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement s = c.createStatement()) {
                s.execute("pragma journal_mode=wal");
                s.execute("pragma synchronous=full"); // an outbox that loses a commit on power loss is no outbox
                s.execute("create table if not exists identity(id integer primary key check (id = 1),"
                        + " device_id text not null, device_secret text not null, cursor text,"
                        + " next_seq integer not null)");
                s.execute("create table if not exists events(idempotency_key text primary key,"
                        + " seq integer not null unique, stop_id text not null, json text not null,"
                        + " status text not null, verdict text)");
                s.execute("create table if not exists evidence(sha256 text primary key, kind text not null,"
                        + " media_type text not null, bytes blob not null, upload_id text, stored integer not null)");
            }
            return new Outbox(c);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open outbox " + file, e);
        }
    }

    Identity identity() {
        return query(
                "select device_id, device_secret from identity", rs -> new Identity(rs.getString(1), rs.getString(2)));
    }

    void saveIdentity(Identity id) {
        update(
                "insert into identity(id, device_id, device_secret, next_seq) values (1, ?, ?, 1)",
                id.deviceId(),
                id.deviceSecret());
    }

    String cursor() {
        return query("select cursor from identity", rs -> rs.getString(1));
    }

    void saveCursor(String cursor) {
        update("update identity set cursor = ?", cursor);
    }

    /**
     * Records a captured event and its evidence in one transaction: the sequence number is taken from the counter in
     * the same commit, so it is never reused even across crashes.
     */
    synchronized CapturedEvent capture(LongFunction<CapturedEvent> eventForSeq, List<Artifact> evidence) {
        return inTransaction(() -> {
            long seq = query("select next_seq from identity", rs -> rs.getLong(1));
            CapturedEvent e = eventForSeq.apply(seq);
            update("update identity set next_seq = ?", seq + 1);
            update(
                    "insert into events(idempotency_key, seq, stop_id, json, status) values (?, ?, ?, ?, ?)",
                    e.idempotencyKey(),
                    seq,
                    e.stopId(),
                    ProtocolJson.toString(e),
                    PENDING);
            for (Artifact a : evidence) {
                update(
                        "insert or ignore into evidence(sha256, kind, media_type, bytes, stored) values (?, ?, ?, ?, 0)",
                        a.sha256(),
                        a.kind().wire(),
                        a.mediaType(),
                        a.bytes());
            }
            return e;
        });
    }

    /** Events still waiting for a verdict, oldest first. */
    List<CapturedEvent> pending(int limit) {
        return events("select json from events where status = 'pending' order by seq limit " + limit);
    }

    /** Events that already have a verdict, for resending on purpose. */
    List<CapturedEvent> done(int limit) {
        return events("select json from events where status = 'done' order by seq desc limit " + limit);
    }

    /** Takes an event out of the push outbox with the verdict that ended its push. */
    void markDone(String key, String verdict) {
        update("update events set status = 'done', verdict = ? where idempotency_key = ?", verdict, key);
    }

    /** A verdict learned from pull (an awaiting_evidence event that became applied, or a lost push answer). */
    void pulledVerdict(String key, String verdict) {
        update("update events set status = 'done', verdict = ? where idempotency_key = ?", verdict, key);
    }

    /** Applies a pulled page's verdicts and stores its cursor in one transaction (protocol section 11). */
    void applyPage(Map<String, String> verdicts, String cursor) {
        inTransaction(() -> {
            verdicts.forEach(this::pulledVerdict);
            saveCursor(cursor);
            return null;
        });
    }

    int count(String where) {
        return query("select count(*) from events where " + where, rs -> rs.getInt(1));
    }

    /** Every event's last known verdict (null while pending). */
    Map<String, String> verdicts() {
        Map<String, String> out = new LinkedHashMap<>();
        try (PreparedStatement ps = db.prepareStatement("select idempotency_key, verdict from events order by seq");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    List<Upload> uploads() {
        List<Upload> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(
                        "select sha256, kind, media_type, bytes, upload_id from evidence where stored = 0 order by"
                                + " upload_id is null, rowid");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new Upload(
                        rs.getString(1),
                        EvidenceKind.valueOf(rs.getString(2).toUpperCase()),
                        rs.getString(3),
                        rs.getBytes(4),
                        rs.getString(5)));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    void uploadStarted(String sha256, String uploadId) {
        update("update evidence set upload_id = ? where sha256 = ?", uploadId, sha256);
    }

    void uploaded(String sha256) {
        update("update evidence set stored = 1 where sha256 = ?", sha256);
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- plumbing ---

    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private interface Work<T> {
        T run();
    }

    private List<CapturedEvent> events(String sql) {
        List<CapturedEvent> out = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(ProtocolJson.read(rs.getString(1), CapturedEvent.class));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private synchronized <T> T query(String sql, Row<T> row) {
        try (PreparedStatement ps = db.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? row.read(rs) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private synchronized void update(String sql, Object... args) {
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private synchronized <T> T inTransaction(Work<T> work) {
        try {
            db.setAutoCommit(false);
            try {
                T t = work.run();
                db.commit();
                return t;
            } catch (RuntimeException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
