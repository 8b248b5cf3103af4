package io.podsync.storage.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.pool.HikariPool;
import io.podsync.storage.DatabaseConfig;
import io.podsync.storage.DatabaseKind;
import io.podsync.storage.DatabaseObserver;
import io.podsync.storage.FileModes;
import io.podsync.storage.StorageException;
import io.podsync.storage.Tx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The database: migrated at open, then used through {@link #write} and {@link #read}.
 *
 * <p>SQLite allows one writer at a time, and a deferred transaction that upgrades to a write lock fails at once
 * instead of waiting, so writes go through a pool of exactly one connection: callers queue in the pool, not in
 * SQLite. Readers use their own pool and never block the writer (WAL). PostgreSQL uses one pool for both and retries
 * a transaction that lost a race on a unique key or a serialization check.
 */
public final class Database implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Database.class.getName());
    /** The actions waiting for the commit of the write running on this thread ({@link #afterCommit}). */
    private static final ThreadLocal<List<Runnable>> AFTER_COMMIT = new ThreadLocal<>();

    private static final int MAX_ATTEMPTS = 5;
    /** The first pause between tries of a write; it doubles with each try (25, 50, 100, 200 ms at most). */
    private static final long BACKOFF_MILLIS = 25;

    private final DatabaseKind kind;
    private final HikariDataSource writers;
    private final HikariDataSource readers;
    private final GroupCommit groupCommit;
    private final Checkpointer checkpointer;
    private final Duration timeout;
    private volatile DatabaseObserver observer = DatabaseObserver.NONE;

    private Database(
            DatabaseKind kind,
            HikariDataSource writers,
            HikariDataSource readers,
            Checkpointer checkpointer,
            Duration timeout) {
        this.kind = kind;
        this.writers = writers;
        this.readers = readers;
        this.checkpointer = checkpointer;
        this.timeout = timeout;
        this.groupCommit = kind == DatabaseKind.SQLITE ? new GroupCommit(writers, kind, timeout) : null;
    }

    /** Opens (creating the file or schema if needed) and migrates to the latest schema. */
    public static Database open(DatabaseConfig config) {
        if (config.url().startsWith("jdbc:sqlite:")) {
            return openSqlite(config);
        }
        return openPostgres(config);
    }

    private static Database openSqlite(DatabaseConfig config) {
        String file = config.url().substring("jdbc:sqlite:".length());
        int q = file.indexOf('?');
        Path path = Path.of(q < 0 ? file : file.substring(0, q));
        privateFiles(path);
        // The writer takes its lock at BEGIN (IMMEDIATE) so a transaction never fails half-way on a lock upgrade;
        // readers stay DEFERRED so they never take one.
        // The checkpointer thread copies the WAL into the database as it grows, but under steady writes it never finds
        // the log fully copied at the moment a transaction begins, which is when SQLite starts the log over; so the
        // log restarts only after the writer's own checkpoint, which flushes and copies the rest inside a commit
        // (tens of milliseconds). At 256 MiB (65,536 pages) that happens a quarter as often as at 64 MiB: the slow
        // commits took half the time they did, for a WAL file of up to about 256 MiB.
        int busy = (int) config.timeout().toMillis();
        SQLiteDataSource writer = sqliteSource(config.url(), SQLiteConfig.TransactionMode.IMMEDIATE, 65_536, busy);
        SQLiteDataSource reader = sqliteSource(config.url(), SQLiteConfig.TransactionMode.DEFERRED, 1_000, busy);
        migrate(writer);
        HikariDataSource writers = pool(writer, "podsync-writer", 1, config.timeout());
        HikariDataSource readers = pool(reader, "podsync-reader", config.poolSize(), config.timeout());
        Checkpointer checkpointer =
                new Checkpointer(sqliteSource(config.url(), SQLiteConfig.TransactionMode.DEFERRED, 1_000, busy), 200);
        return new Database(DatabaseKind.SQLITE, writers, readers, checkpointer, config.timeout());
    }

    /**
     * The database and its WAL and shared-memory files owner-only, whatever the umask: the file is created 0600 before
     * SQLite opens it, and SQLite gives the WAL and shared-memory files the database file's mode. Existing files with a
     * wider mode (from an older version, a copy) are tightened.
     */
    private static void privateFiles(Path db) {
        try {
            Path dir = db.toAbsolutePath().getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                FileModes.privateDirectory(dir, "the database directory");
            }
            FileModes.touchPrivateFile(db, "the database");
            for (String suffix : new String[] {"-wal", "-shm", "-journal"}) {
                FileModes.privateFile(Path.of(db + suffix), "the database");
            }
        } catch (java.io.UncheckedIOException e) {
            throw new StorageException("cannot prepare the database file " + db + ": " + e.getMessage(), e, false);
        }
    }

    private static SQLiteDataSource sqliteSource(
            String url, SQLiteConfig.TransactionMode mode, int walPages, int busyMillis) {
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, String.valueOf(walPages));
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        sqlite.setBusyTimeout(busyMillis);
        sqlite.setTransactionMode(mode);
        // Pages the writer touches again and again (index roots, the change-feed tail) come from its own cache or a
        // memory map instead of a read() into a fresh buffer each time: the profile of the single writer showed a
        // quarter of its time in the kernel copying pages (half that with these settings). Per connection 16 MiB of
        // cache; the 256 MiB map is shared.
        sqlite.setCacheSize(-16_384);
        sqlite.setPragma(SQLiteConfig.Pragma.MMAP_SIZE, String.valueOf(256L * 1024 * 1024));
        sqlite.setTempStore(SQLiteConfig.TempStore.MEMORY);
        // Otherwise the driver follows every INSERT it runs alone with a freshly compiled "SELECT last_insert_rowid()"
        // (JDBC's generated keys, which nothing here reads: ids come from the counters table). On the single writer
        // that compile was a sixteenth of the samples of a busy push run.
        sqlite.setGetGeneratedKeys(false);
        SQLiteDataSource ds = new SQLiteDataSource(sqlite);
        ds.setUrl(url);
        return ds;
    }

    private static Database openPostgres(DatabaseConfig config) {
        // Migrations get a connection of their own, without the statement timeout: a migration may run for minutes.
        migrate(Flyway.configure().dataSource(config.url(), config.user(), config.password()));
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(config.url());
        hc.setUsername(config.user());
        hc.setPassword(config.password());
        hc.setMaximumPoolSize(config.poolSize());
        hc.setPoolName("podsync-pg");
        hc.setAutoCommit(true);
        bound(hc, config.timeout());
        // Every wait is bounded: opening a connection (and logging in), and each answer to a statement. Without them
        // the driver waits for ever on a server that stopped answering without closing its sockets.
        long connectSeconds = Math.max(1, (config.timeout().toMillis() + 999) / 1000);
        hc.addDataSourceProperty("connectTimeout", String.valueOf(connectSeconds));
        hc.addDataSourceProperty("loginTimeout", String.valueOf(connectSeconds));
        hc.addDataSourceProperty(
                "socketTimeout", String.valueOf(config.statementTimeout().toSeconds()));
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        HikariDataSource pool = new HikariDataSource(hc);
        return new Database(DatabaseKind.POSTGRESQL, pool, pool, null, config.timeout());
    }

    private static HikariDataSource pool(DataSource ds, String name, int size, Duration timeout) {
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(ds);
        hc.setPoolName(name);
        hc.setMaximumPoolSize(size);
        hc.setMinimumIdle(Math.min(1, size));
        bound(hc, timeout);
        return new HikariDataSource(hc);
    }

    /** A connection is waited for at most {@code timeout}; checking a pooled one takes at most half of it. */
    private static void bound(HikariConfig hc, Duration timeout) {
        hc.setConnectionTimeout(timeout.toMillis());
        hc.setValidationTimeout(Math.max(250, Math.min(5_000, timeout.toMillis() / 2)));
    }

    private static void migrate(DataSource ds) {
        migrate(Flyway.configure().dataSource(ds));
    }

    private static void migrate(FluentConfiguration flyway) {
        flyway.locations("classpath:db/migration")
                .javaMigrations(new FoldInputsMigration())
                .failOnMissingLocations(true)
                .load()
                .migrate();
    }

    /** SQLite: the writes queued behind the one the writer runs (0 on PostgreSQL, whose writers do not queue here). */
    public int writesWaiting() {
        return groupCommit == null ? 0 : groupCommit.waiting();
    }

    public DatabaseKind kind() {
        return kind;
    }

    /** Who observes the writes from now on. */
    public void observe(DatabaseObserver observer) {
        this.observer = observer;
    }

    /** HikariCP's metrics of the connection pools (on SQLite the writer's and the readers', on PostgreSQL the one). */
    public void poolMetrics(MetricsTrackerFactory factory) {
        writers.setMetricsTrackerFactory(factory);
        if (readers != writers) {
            readers.setMetricsTrackerFactory(factory);
        }
    }

    /** The longest a caller waits for the database ({@link DatabaseConfig#timeout()}). */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Runs {@code work} in a write transaction and commits it; rolls back its writes on any exception, which is thrown
     * to the caller. On SQLite the work may share one transaction (and one commit) with other callers' work waiting at
     * the same time, each piece in its own savepoint, so a failure undoes only its own piece.
     */
    public <T> T write(Tx.Work<T> work) {
        DatabaseObserver o = observer;
        long start = System.nanoTime();
        boolean ok = false;
        List<Runnable> committed = new ArrayList<>();
        try {
            T result = writeOnce(o.carry(tx -> {
                committed.clear(); // a transaction tried again starts afresh
                List<Runnable> outer = AFTER_COMMIT.get();
                AFTER_COMMIT.set(committed);
                try {
                    return work.run(tx);
                } finally {
                    AFTER_COMMIT.set(outer);
                }
            }));
            ok = true;
            for (Runnable r : committed) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "an action after a commit failed: " + e);
                }
            }
            return result;
        } finally {
            o.written(kind, System.nanoTime() - start, ok);
        }
    }

    /**
     * Runs {@code action} on the caller's thread once the write transaction running on this thread has committed: never
     * when it rolls back, and once when it was tried again. Outside a write it runs at once. For what must not count
     * a write that did not happen, such as metrics.
     */
    static void afterCommit(Runnable action) {
        List<Runnable> committed = AFTER_COMMIT.get();
        if (committed == null) {
            action.run();
        } else {
            committed.add(action);
        }
    }

    private <T> T writeOnce(Tx.Work<T> work) {
        if (groupCommit != null) {
            return groupCommit.submit(work); // SQLite: every write goes through the one writer
        }
        // PostgreSQL: a transient failure (a lost connection, a serialization failure, a deadlock, a concurrent twin)
        // is tried again after a pause that doubles with each try, at a random point within it so that the replicas
        // that collided do not collide again, and never past the deadline: a database that is down answers the caller
        // within the timeout, not after five full waits for a connection.
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int attempt = 1; ; attempt++) {
            try {
                return run(writers, work, false, deadline);
            } catch (StorageException e) {
                long left = deadline - System.nanoTime();
                if (!e.isTransient() || attempt >= MAX_ATTEMPTS || left <= 0) {
                    throw e;
                }
                long pause = Math.min(
                        TimeUnit.NANOSECONDS.toMillis(left),
                        ThreadLocalRandom.current().nextLong(BACKOFF_MILLIS << (attempt - 1)) + 1);
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Runs {@code work} in a read-only transaction. */
    public <T> T read(Tx.Work<T> work) {
        return run(readers, work, true, System.nanoTime() + timeout.toNanos());
    }

    private <T> T run(HikariDataSource ds, Tx.Work<T> work, boolean readOnly, long deadline) {
        try (Connection c = connection(ds, deadline)) {
            c.setAutoCommit(false);
            if (kind == DatabaseKind.POSTGRESQL) {
                // A read sees one snapshot (a pull reads the feed twice); writes stay READ COMMITTED and lock rows.
                c.setTransactionIsolation(
                        readOnly ? Connection.TRANSACTION_REPEATABLE_READ : Connection.TRANSACTION_READ_COMMITTED);
            }
            try {
                T result = work.run(new JdbcTx(c, kind));
                if (readOnly) {
                    c.rollback();
                } else {
                    c.commit();
                }
                return result;
            } catch (RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw translate(e);
            }
        } catch (SQLException e) {
            throw JdbcTx.wrap("database unavailable", e);
        }
    }

    private static RuntimeException translate(Throwable e) {
        StackTraceElement[] at = e.getStackTrace();
        if (e instanceof AssertionError && at.length > 0 && at[0].getClassName().startsWith("org.postgresql.")) {
            // pgjdbc throws an AssertionError, not an SQLException, when the connection drops under a batch
            // (BatchResultHandler.isAutoCommit): a lost connection like any other, not a bug of ours.
            return new StorageException("the database connection was lost", e, true);
        }
        if (e instanceof Error err) {
            throw err;
        }
        return (RuntimeException) e;
    }

    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }

    /** A pooled connection, waiting no later than the deadline. */
    private static Connection connection(HikariDataSource ds, long deadline) throws SQLException {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
            throw new SQLTransientConnectionException("no time left to wait for a database connection", "08001");
        }
        // The pool's own getConnection(timeout); the DataSource interface waits the whole connection timeout.
        return ((HikariPool) ds.getHikariPoolMXBean()).getConnection(left);
    }

    /** A short probe for health checks. */
    public boolean isHealthy() {
        try (Connection c = readers.getConnection();
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT value FROM counters WHERE name = 'change_feed'")) {
            return rs.next();
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public void close() {
        if (groupCommit != null) {
            groupCommit.close();
        }
        if (checkpointer != null) {
            checkpointer.close();
        }
        if (readers != writers) {
            readers.close();
        }
        writers.close();
    }
}
