package io.podsync.storage.jdbc;

import io.podsync.storage.DatabaseKind;
import io.podsync.storage.StorageException;
import io.podsync.storage.Tx;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * SQLite's single writer: one thread with one connection of its own (and its prepared statements) takes whatever
 * work is waiting (up to a limit) and runs it in one transaction, each piece in a savepoint. A commit's cost (writing
 * the touched pages to the WAL) is then shared by every piece in it, pieces that append to the same index pages write
 * each page once, and no statement is compiled twice.
 */
final class GroupCommit implements AutoCloseable {
    private static final int MAX_PIECES = 32;

    /** A caller's work; {@code state} is 0 while it waits in the queue, 1 once the writer took it, 2 if abandoned. */
    private record Piece<T>(Tx.Work<T> work, CompletableFuture<T> result, AtomicInteger state) {
        boolean take() {
            return state.compareAndSet(0, 1);
        }

        boolean abandon() {
            return state.compareAndSet(0, 2);
        }
    }

    private final DataSource writers;
    private final DatabaseKind kind;
    private final StatementCache statements = new StatementCache();
    private final WriterCache rows = new WriterCache();
    private Connection connection;
    private final LinkedBlockingQueue<Piece<?>> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean open = true;

    private final Duration timeout;

    GroupCommit(DataSource writers, DatabaseKind kind, Duration timeout) {
        this.writers = writers;
        this.kind = kind;
        this.timeout = timeout;
        this.thread = Thread.ofPlatform().daemon().name("podsync-group-commit").start(this::loop);
    }

    <T> T submit(Tx.Work<T> work) {
        if (!open) {
            throw new StorageException("the database is closed", null, false);
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        Piece<T> piece = new Piece<>(work, result, new AtomicInteger());
        queue.add(piece);
        try {
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // A write still in the queue is dropped and never runs; one the writer already took may still commit, which
            // is safe for a caller that retries with the same idempotency keys (as after a lost answer).
            throw new StorageException(
                    piece.abandon()
                            ? "the database did not take the write within " + timeout + "; nothing was written"
                            : "the write did not finish within " + timeout + "; it may still commit",
                    e,
                    true);
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

    /** Writes queued behind the one running. */
    int waiting() {
        return queue.size();
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
                pieces.removeIf(p -> !p.take()); // their callers gave up waiting
                if (!pieces.isEmpty()) {
                    runAll(pieces);
                }
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
