package io.podsync.storage;

import io.podsync.storage.jdbc.JdbcTx;
import io.podsync.storage.jdbc.StatementCache;
import io.podsync.storage.jdbc.WriterCache;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * SQLite's single writer: one thread with one connection of its own (and its prepared statements) takes whatever
 * work is waiting (up to a limit) and runs it in one transaction, each piece in a savepoint. A commit's cost (writing
 * the touched pages to the WAL) is then shared by every piece in it, pieces that append to the same index pages write
 * each page once, and no statement is compiled twice.
 */
final class GroupCommit implements AutoCloseable {
    private static final int MAX_PIECES = 32;

    private record Piece<T>(Tx.Work<T> work, CompletableFuture<T> result) {}

    private final DataSource writers;
    private final Database.Kind kind;
    private final StatementCache statements = new StatementCache();
    private final WriterCache rows = new WriterCache();
    private Connection connection;
    private final LinkedBlockingQueue<Piece<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean open = true;

    GroupCommit(DataSource writers, Database.Kind kind) {
        this.writers = writers;
        this.kind = kind;
        this.thread = Thread.ofPlatform().daemon().name("podsync-group-commit").start(this::loop);
    }

    <T> T submit(Tx.Work<T> work) {
        if (!open) {
            throw new StorageException("the database is closed", null, false);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        queue.add(new Piece<>(work, result));
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting for the database", e, true);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new StorageException("write failed", e.getCause(), false);
        }
    }

    private void loop() {
        List<Piece<?>> pieces = new ArrayList<>();
        while (open) {
            try {
                Piece<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                pieces.add(first);
                queue.drainTo(pieces, MAX_PIECES - 1);
                runAll(pieces);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error e) {
                for (Piece<?> p : pieces) {
                    p.result().completeExceptionally(e);
                }
            } finally {
                pieces.clear();
            }
        }
    }

    private void runAll(List<Piece<?>> pieces) {
        List<Object> values = new ArrayList<>(pieces.size());
        List<RuntimeException> failures = new ArrayList<>(pieces.size());
        try {
            Connection c = connection();
            JdbcTx tx = new JdbcTx(c, kind, statements, rows);
            try {
                for (Piece<?> p : pieces) {
                    // Through cached statements: JDBC's savepoint calls compile their SQL every time.
                    statements.execute(c, "SAVEPOINT piece");
                    try {
                        values.add(p.work().run(tx));
                        failures.add(null);
                        statements.execute(c, "RELEASE piece");
                    } catch (RuntimeException e) {
                        rows.clear();
                        statements.execute(c, "ROLLBACK TO piece");
                        statements.execute(c, "RELEASE piece");
                        values.add(null);
                        failures.add(e);
                    } catch (Error e) {
                        // Out of memory or the like: undo the whole group and tell every caller; never commit half.
                        rows.clear();
                        c.rollback();
                        throw e;
                    }
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rows.clear();
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            StorageException failure = JdbcTx.wrap("group commit", e);
            pieces.forEach(p -> p.result().completeExceptionally(failure));
            reset(); // a broken connection is replaced on the next batch
            return;
        }
        for (int i = 0; i < pieces.size(); i++) {
            complete(pieces.get(i), values.get(i), failures.get(i));
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = writers.getConnection();
            connection.setAutoCommit(false);
        }
        return connection;
    }

    private void reset() {
        rows.clear();
        statements.close();
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // replaced anyway
            }
            connection = null;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Piece<T> piece, Object value, RuntimeException failure) {
        if (failure != null) {
            piece.result().completeExceptionally(failure);
        } else {
            piece.result().complete((T) value);
        }
    }

    @Override
    public void close() {
        open = false;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reset();
        Piece<?> p;
        while ((p = queue.poll()) != null) {
            p.result().completeExceptionally(new StorageException("the database is closed", null, true));
        }
    }
}
