package io.podsync.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.podsync.storage.jdbc.FoldInputsMigration;
import io.podsync.storage.jdbc.JdbcTx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
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
    /** Which engine. */
    public enum Kind {
        SQLITE,
        POSTGRESQL
    }

    private static final int MAX_ATTEMPTS = 5;

    private final Kind kind;
    private final HikariDataSource writers;
    private final HikariDataSource readers;
    private final GroupCommit groupCommit;
    private final Checkpointer checkpointer;
    private volatile DatabaseObserver observer = DatabaseObserver.NONE;

    private Database(Kind kind, HikariDataSource writers, HikariDataSource readers, Checkpointer checkpointer) {
        this.kind = kind;
        this.writers = writers;
        this.readers = readers;
        this.checkpointer = checkpointer;
        this.groupCommit = kind == Kind.SQLITE ? new GroupCommit(writers, kind) : null;
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
        SQLiteDataSource writer = sqliteSource(config.url(), SQLiteConfig.TransactionMode.IMMEDIATE, 65_536);
        SQLiteDataSource reader = sqliteSource(config.url(), SQLiteConfig.TransactionMode.DEFERRED, 1_000);
        migrate(writer);
        HikariDataSource writers = pool(writer, "podsync-writer", 1);
        HikariDataSource readers = pool(reader, "podsync-reader", config.poolSize());
        Checkpointer checkpointer =
                new Checkpointer(sqliteSource(config.url(), SQLiteConfig.TransactionMode.DEFERRED, 1_000), 200);
        return new Database(Kind.SQLITE, writers, readers, checkpointer);
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

    private static SQLiteDataSource sqliteSource(String url, SQLiteConfig.TransactionMode mode, int walPages) {
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.setPragma(SQLiteConfig.Pragma.WAL_AUTOCHECKPOINT, String.valueOf(walPages));
        sqlite.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sqlite.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        sqlite.setBusyTimeout(10_000);
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
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(config.url());
        hc.setUsername(config.user());
        hc.setPassword(config.password());
        hc.setMaximumPoolSize(config.poolSize());
        hc.setPoolName("podsync-pg");
        hc.setAutoCommit(true);
        HikariDataSource pool = new HikariDataSource(hc);
        try {
            migrate(pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Database(Kind.POSTGRESQL, pool, pool, null);
    }

    private static HikariDataSource pool(DataSource ds, String name, int size) {
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(ds);
        hc.setPoolName(name);
        hc.setMaximumPoolSize(size);
        hc.setMinimumIdle(Math.min(1, size));
        hc.setConnectionTimeout(30_000);
        return new HikariDataSource(hc);
    }

    private static void migrate(DataSource ds) {
        Flyway.configure()
                .dataSource(ds)
                .locations("classpath:db/migration")
                .javaMigrations(new FoldInputsMigration())
                .failOnMissingLocations(true)
                .load()
                .migrate();
    }

    public Kind kind() {
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

    /**
     * Runs {@code work} in a write transaction and commits it; rolls back its writes on any exception, which is thrown
     * to the caller. On SQLite the work may share one transaction (and one commit) with other callers' work waiting at
     * the same time, each piece in its own savepoint, so a failure undoes only its own piece.
     */
    public <T> T write(Tx.Work<T> work) {
        DatabaseObserver o = observer;
        long start = System.nanoTime();
        boolean ok = false;
        try {
            T result = writeOnce(o.carry(work));
            ok = true;
            return result;
        } finally {
            o.written(kind, System.nanoTime() - start, ok);
        }
    }

    private <T> T writeOnce(Tx.Work<T> work) {
        if (groupCommit != null) {
            return groupCommit.submit(work); // SQLite: every write goes through the one writer
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return run(writers, work, false);
            } catch (StorageException e) {
                if (!e.isTransient() || attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** Runs {@code work} in a read-only transaction. */
    public <T> T read(Tx.Work<T> work) {
        return run(readers, work, true);
    }

    private <T> T run(DataSource ds, Tx.Work<T> work, boolean readOnly) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            if (kind == Kind.POSTGRESQL) {
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
