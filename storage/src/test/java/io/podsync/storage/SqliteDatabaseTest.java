package io.podsync.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh SQLite file per test, opened and migrated as the server opens it, and a stop row to write into it. */
abstract class SqliteDatabaseTest {
    @TempDir
    Path dir;

    Database db;

    @BeforeEach
    void open() {
        db = Database.open(DatabaseConfig.sqlite(dir.resolve("podsync.db")));
    }

    @AfterEach
    void close() {
        db.close();
    }

    static StopRow stop(String id, String driver, long version) {
        return new StopRow(
                id, "R-1", driver, 1, 52.0, 4.0, 50.0, "active", version, "h" + version, "{}", "{}", 1L, 1L, 1L, null);
    }
}
