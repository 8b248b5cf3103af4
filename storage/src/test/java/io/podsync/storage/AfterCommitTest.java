package io.podsync.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.podsync.storage.jdbc.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Tx#afterCommit}: an action runs once the write committed, on the caller's thread (on SQLite the work runs on
 * the writer's), never for a write that rolled back, and once for a write tried again (PostgreSQL).
 */
class AfterCommitTest {
    @TempDir
    Path dir;

    private static void runsOnlyAfterACommit(Database db) {
        List<String> ran = new CopyOnWriteArrayList<>();
        Thread caller = Thread.currentThread();
        assertThrows(
                IllegalStateException.class,
                () -> db.write(tx -> {
                    tx.afterCommit(() -> ran.add("rolled back"));
                    throw new IllegalStateException("undone");
                }));
        assertEquals(List.of(), ran);
        db.write(tx -> {
            tx.afterCommit(() -> ran.add(Thread.currentThread() == caller ? "committed" : "on another thread"));
            assertEquals(List.of(), ran, "not before the commit");
            return null;
        });
        assertEquals(List.of("committed"), ran);
    }

    @Test
    void onSqlite() {
        try (Database db = Database.open(DatabaseConfig.sqlite(dir.resolve("podsync.db")))) {
            runsOnlyAfterACommit(db);
        }
    }

    @Test
    void onPostgresOnceForAWriteTriedAgain() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start();
                Database db = Database.open(
                        new DatabaseConfig(pg.getJdbcUrl("postgres", "postgres"), "postgres", "postgres", 2))) {
            runsOnlyAfterACommit(db);
            List<String> ran = new CopyOnWriteArrayList<>();
            AtomicInteger tries = new AtomicInteger();
            db.write(tx -> {
                int attempt = tries.incrementAndGet();
                tx.afterCommit(() -> ran.add("try " + attempt));
                if (attempt == 1) {
                    throw new StorageException("a serialization failure", null, true); // tried again
                }
                return null;
            });
            assertEquals(2, tries.get());
            assertEquals(List.of("try 2"), ran);
        }
    }
}
