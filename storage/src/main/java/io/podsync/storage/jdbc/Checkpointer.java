package io.podsync.storage.jdbc;

import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Copies SQLite's write-ahead log back into the database file on a thread of its own. Left to SQLite, the checkpoint
 * runs inside whichever commit crosses the threshold, on the single writer, which then stops to copy pages and wait
 * for fsync (a fifth of its time under load, measured). A PASSIVE checkpoint never blocks the writer or readers. The
 * writer keeps SQLite's own checkpoint for a large WAL, because under steady writes that is what lets the log start
 * over (see {@link Database}); this thread leaves it little to copy.
 */
final class Checkpointer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Checkpointer.class.getName());

    private final DataSource source;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("podsync-checkpoint").factory());
    private Connection connection;

    Checkpointer(DataSource source, long everyMillis) {
        this.source = source;
        timer.scheduleWithFixedDelay(this::checkpoint, everyMillis, everyMillis, TimeUnit.MILLISECONDS);
    }

    private void checkpoint() {
        try {
            if (connection == null || connection.isClosed()) {
                connection = source.getConnection();
                connection.setAutoCommit(true);
            }
            try (Statement st = connection.createStatement();
                    var rs = st.executeQuery("PRAGMA wal_checkpoint(PASSIVE)")) {
                while (rs.next()) {
                    // read to the end: an open result set would hold a read snapshot
                }
            }
        } catch (SQLException e) {
            LOG.log(Level.WARNING, "WAL checkpoint failed; the writer's own checkpoint still bounds the log: " + e);
            closeConnection();
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // replaced on the next run
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeConnection();
    }
}
