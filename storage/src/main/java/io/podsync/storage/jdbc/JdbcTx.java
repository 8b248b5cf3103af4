package io.podsync.storage.jdbc;

import io.podsync.storage.ChangeFeedRepository;
import io.podsync.storage.ConsoleSessionRepository;
import io.podsync.storage.DatabaseKind;
import io.podsync.storage.DeviceRepository;
import io.podsync.storage.EventRepository;
import io.podsync.storage.EvidenceRepository;
import io.podsync.storage.ExceptionRepository;
import io.podsync.storage.OpsRepository;
import io.podsync.storage.OutboxRepository;
import io.podsync.storage.ReplicaRepository;
import io.podsync.storage.RouteRepository;
import io.podsync.storage.SettingRepository;
import io.podsync.storage.SigningKeyRepository;
import io.podsync.storage.SlaRepository;
import io.podsync.storage.StorageException;
import io.podsync.storage.TraceRepository;
import io.podsync.storage.Tx;
import java.sql.Connection;
import java.sql.SQLException;

/** A transaction on one JDBC connection. */
public final class JdbcTx implements Tx {
    private final Sql sql;
    private final DatabaseKind kind;
    private final WriterCache rows;

    public JdbcTx(Connection connection, DatabaseKind kind) {
        this(connection, kind, null, null);
    }

    /**
     * A transaction of the single SQLite writer: its statements come from (and stay in) {@code cache}, and the rows
     * it reads for pushes may come from {@code rows}.
     */
    public JdbcTx(Connection connection, DatabaseKind kind, StatementCache cache, WriterCache rows) {
        this.sql = new Sql(connection, cache);
        this.kind = kind;
        this.rows = rows;
    }

    @Override
    public RouteRepository routes() {
        return new JdbcRouteRepository(sql, this, kind, rows);
    }

    @Override
    public EventRepository events() {
        return new JdbcEventRepository(sql, this);
    }

    @Override
    public ChangeFeedRepository changes() {
        return new JdbcChangeFeedRepository(sql, this);
    }

    @Override
    public OpsRepository ops() {
        return new JdbcOpsRepository(sql);
    }

    @Override
    public DeviceRepository devices() {
        return new JdbcDeviceRepository(sql);
    }

    @Override
    public ExceptionRepository exceptions() {
        return new JdbcExceptionRepository(sql);
    }

    @Override
    public SigningKeyRepository signingKeys() {
        return new JdbcSigningKeyRepository(sql);
    }

    @Override
    public EvidenceRepository evidence() {
        return new JdbcEvidenceRepository(sql);
    }

    @Override
    public OutboxRepository outbox() {
        return new JdbcOutboxRepository(sql, this);
    }

    @Override
    public ConsoleSessionRepository consoleSessions() {
        return new JdbcConsoleSessionRepository(sql);
    }

    @Override
    public ReplicaRepository replicas() {
        return new JdbcReplicaRepository(sql);
    }

    @Override
    public SlaRepository sla() {
        return new JdbcSlaRepository(sql);
    }

    @Override
    public TraceRepository trace() {
        return new JdbcTraceRepository(sql, this);
    }

    @Override
    public SettingRepository settings() {
        return new JdbcSettingRepository(sql);
    }

    @Override
    public long reserveIds(String counter, int count) {
        // One statement that writes and reads: the row lock taken by the UPDATE is held to commit on both engines.
        // (Sql.list reads the RETURNING rows to the end, which SQLite needs to finish the statement.)
        long last = sql.one(
                        "UPDATE counters SET value = value + ? WHERE name = ? RETURNING value",
                        rs -> rs.getLong(1),
                        count,
                        counter)
                .orElseThrow(() -> new StorageException("no counter " + counter, null, false));
        return last - count + 1;
    }

    DatabaseKind kind() {
        return kind;
    }

    /** Wraps a JDBC failure, marking lock, connection and serialization failures as transient. */
    public static StorageException wrap(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        int code = e.getErrorCode();
        boolean transientFailure = state.startsWith("08") // connection
                || state.equals("40001") // serialization failure
                || state.equals("40P01") // deadlock
                || state.equals("23505") // unique violation: a concurrent twin committed first; the retry sees it
                || code == 5 // SQLITE_BUSY
                || code == 6; // SQLITE_LOCKED
        return new StorageException(
                "database error (" + state + "/" + code + ") in: " + abbreviate(what), e, transientFailure);
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    @Override
    public void afterCommit(Runnable action) {
        Database.afterCommit(action);
    }
}
