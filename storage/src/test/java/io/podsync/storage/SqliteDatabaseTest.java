package io.podsync.storage;

import io.podsync.storage.jdbc.Database;
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
        return StopRow.builder()
                .stopId(id)
                .routeId("R-1")
                .driverId(driver)
                .sequence(1)
                .lat(52.0)
                .lon(4.0)
                .geofenceMeters(50.0)
                .status("active")
                .version(version)
                .contentHash("h" + version)
                .policyJson("{}")
                .viewJson("{}")
                .releasedAt(1L)
                .updatedAt(1L)
                .manifestSince(1L)
                .build();
    }
}
