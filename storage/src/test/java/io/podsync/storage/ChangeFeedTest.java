package io.podsync.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.storage.jdbc.Database;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An audience's feed is two tables, the published changes and the stop states last published to it: a pull must see
 * one sequence, in order, cut at its limit, with each stop state once and only for the audience it was published to.
 */
class ChangeFeedTest {
    @TempDir
    Path dir;

    private static ChangeRow stop(String audience, String id) {
        return ChangeRow.of(audience, "stop", id, false, "{\"stopId\":\"" + id + "\"}", 1L);
    }

    private static List<String> ids(List<ChangeRow> rows) {
        return rows.stream().map(c -> c.kind() + ":" + c.entityId()).toList();
    }

    private static StopStateRow state(String audience, String id, String status) {
        return new StopStateRow(id, audience, status, "{\"status\":\"" + status + "\"}", 2L, List.of());
    }

    @Test
    void publishedChangesAndStopStatesFormOneOrderedFeed() {
        try (Database db = Database.open(DatabaseConfig.sqlite(dir.resolve("podsync.db")))) {
            db.write(tx -> {
                tx.changes().publish(List.of(stop("driver:A", "S-1"), stop("driver:A", "S-2")));
                tx.routes().upsertStates(List.of(state("driver:A", "S-1", "arrived")));
                tx.changes().publish(List.of(stop("driver:B", "S-9")));
                tx.routes().upsertStates(List.of(state("driver:A", "S-2", "arrived")));
                tx.routes().upsertStates(List.of(state("driver:A", "S-1", "delivered"))); // replaces its entry
                return null;
            });
            List<ChangeRow> all = db.read(tx -> tx.changes().since("driver:A", 0, 100));
            assertEquals(List.of("stop:S-1", "stop:S-2", "stop_state:S-2", "stop_state:S-1"), ids(all));
            assertEquals("{\"status\":\"delivered\"}", all.get(3).dataJson());
            for (int i = 1; i < all.size(); i++) {
                assertTrue(all.get(i).seq() > all.get(i - 1).seq(), "ascending: " + all);
            }
            assertEquals(all.subList(0, 3), db.read(tx -> tx.changes().since("driver:A", 0, 3)));
            long middle = all.get(1).seq();
            assertEquals(all.subList(2, 4), db.read(tx -> tx.changes().since("driver:A", middle, 100)));
            assertEquals(List.of("stop:S-9"), ids(db.read(tx -> tx.changes().since("driver:B", 0, 100))));
            // A state published to another driver (the stop was reassigned) leaves the first driver's feed.
            db.write(tx -> {
                tx.routes().upsertStates(List.of(state("driver:B", "S-2", "failed")));
                return null;
            });
            assertEquals(
                    List.of("stop:S-9", "stop_state:S-2"),
                    ids(db.read(tx -> tx.changes().since("driver:B", 0, 100))));
            assertEquals(
                    List.of("stop:S-1", "stop:S-2", "stop_state:S-1"),
                    ids(db.read(tx -> tx.changes().since("driver:A", 0, 100))));
        }
    }

    @Test
    void migrationSixMovesPublishedStatesOutOfTheChangeFeed() throws Exception {
        Path file = dir.resolve("old.db");
        String url = "jdbc:sqlite:" + file;
        Flyway.configure()
                .dataSource(url, null, null)
                .locations("classpath:db/migration")
                .target("5")
                .load()
                .migrate();
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement()) {
            s.execute("UPDATE counters SET value = 12 WHERE name = 'change_feed'");
            s.execute("INSERT INTO stop_states VALUES ('S-1', 'delivered', '{\"v\":1}', 5)");
            s.execute("INSERT INTO change_feed VALUES ('driver:A', 'stop', 'S-1', 3, 0, '{}', 1)");
            s.execute("INSERT INTO change_feed VALUES ('driver:A', 'stop_state', 'S-1', 7, 0, '{\"v\":0}', 4)");
            s.execute("INSERT INTO change_feed VALUES ('driver:B', 'stop_state', 'S-1', 11, 0, '{\"v\":1}', 5)");
        }
        try (Database db = Database.open(DatabaseConfig.sqlite(file))) {
            List<ChangeRow> b = db.read(tx -> tx.changes().since("driver:B", 0, 100));
            assertEquals(1, b.size());
            assertEquals("stop_state", b.get(0).kind());
            assertEquals(11, b.get(0).seq());
            assertEquals("{\"v\":1}", b.get(0).dataJson());
            assertEquals(List.of("stop:S-1"), ids(db.read(tx -> tx.changes().since("driver:A", 0, 100))));
            assertEquals(
                    "driver:B",
                    db.read(tx -> tx.routes().findStates(List.of("S-1")))
                            .get("S-1")
                            .audience());
        }
    }
}
