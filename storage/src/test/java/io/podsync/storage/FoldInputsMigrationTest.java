package io.podsync.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.storage.jdbc.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration 7 on a database that already has events and states: every state gets the applied events of its stop as
 * its fold inputs (not the rejected ones, not another stop's), and the event log loses its index by stop (until
 * migration 10 brings it back for operations' reads). On SQLite
 * and on PostgreSQL, because it is Java over JDBC rather than SQL checked elsewhere.
 */
class FoldInputsMigrationTest {
    @TempDir
    Path dir;

    @Test
    void existingStatesGetTheAppliedEventsOfTheirStopOnSqlite() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("podsync.db");
        migrateToSixAndFill(url, null, null);
        migrateToSeven(url, null, null);
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'index'")) {
            List<String> indexes = new java.util.ArrayList<>();
            while (rs.next()) {
                indexes.add(rs.getString(1));
            }
            assertTrue(indexes.contains("events_key"), indexes.toString()); // the query sees the event log's indexes
            assertFalse(indexes.contains("events_stop"), "the index by stop is dropped: " + indexes);
        }
        try (Database db = Database.open(DatabaseConfig.sqlite(dir.resolve("podsync.db")))) {
            assertMigrated(db);
        }
    }

    @Test
    void existingStatesGetTheAppliedEventsOfTheirStopOnPostgres() throws Exception {
        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            migrateToSixAndFill(url, "postgres", "postgres");
            migrateToSeven(url, "postgres", "postgres");
            try (Connection c = DriverManager.getConnection(url, "postgres", "postgres");
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'events_stop'")) {
                assertTrue(rs.next());
                assertEquals(0, rs.getInt(1), "the index by stop is dropped");
            }
            try (Database db = Database.open(new DatabaseConfig(url, "postgres", "postgres", 2))) {
                assertMigrated(db);
            }
        }
    }

    /**
     * Migration 7 alone: migration 10 brings the index by stop back (operations read a stop's events by it), so that
     * 7 dropped it is seen before 10.
     */
    private static void migrateToSeven(String url, String user, String password) {
        Flyway.configure()
                .dataSource(url, user, password)
                .locations("classpath:db/migration")
                .javaMigrations(new io.podsync.storage.jdbc.FoldInputsMigration())
                .target("7")
                .load()
                .migrate();
    }

    private static void migrateToSixAndFill(String url, String user, String password) throws Exception {
        Flyway.configure()
                .dataSource(url, user, password)
                .locations("classpath:db/migration")
                .target("6")
                .load()
                .migrate();
        try (Connection c = DriverManager.getConnection(url, user, password);
                Statement s = c.createStatement()) {
            s.execute(event("dev-1", 2, "k-2", "S-1", "DELIVERED", 1, "1200", "APPLIED"));
            s.execute(event("dev-1", 1, "k-1", "S-1", "ARRIVED", 1, "1100", "APPLIED"));
            s.execute(event("dev-2", 7, "k-7", "S-1", "NOTE", 2, "NULL", "APPLIED"));
            s.execute(event("dev-1", 3, "k-3", "S-1", "FAILED", 1, "1300", "REJECTED"));
            s.execute(event("dev-1", 4, "k-4", "S-2", "ARRIVED", 1, "1400", "APPLIED"));
            s.execute(event("dev-1", 5, "k-5", "S-3", "ARRIVED", 1, "1500", "AWAITING_EVIDENCE"));
            for (String stop : List.of("S-1", "S-2", "S-3", "S-4")) {
                s.execute("INSERT INTO stop_states (stop_id, status, state_json, updated_at, audience, seq) VALUES ('"
                        + stop + "', 'arrived', '{}', 1, 'driver:D-1', 1)");
            }
        }
    }

    private static String event(
            String device,
            long seq,
            String key,
            String stop,
            String type,
            int attempt,
            String corrected,
            String verdict) {
        return "INSERT INTO events (device_id, seq, idempotency_key, driver_id, stop_id, route_id, type, attempt,"
                + " captured_at, corrected_at, received_at, clock_offset_ms, verdict, flags, fingerprint, feed_seq)"
                + " VALUES ('" + device + "', " + seq + ", '" + key + "', 'D-1', '" + stop + "', 'R-1', '" + type
                + "', " + attempt + ", 1000, " + corrected + ", 2000, 0, '" + verdict + "', '', 'f', " + seq + ")";
    }

    private static void assertMigrated(Database db) {
        Map<String, StopStateRow> states = db.read(tx -> tx.routes().findStates(List.of("S-1", "S-2", "S-3", "S-4")));
        assertEquals(
                List.of("dev-1 1 k-1 ARRIVED 1 1100", "dev-1 2 k-2 DELIVERED 1 1200", "dev-2 7 k-7 NOTE 2 null"),
                describe(states.get("S-1").foldInputs()));
        assertEquals(
                List.of("dev-1 4 k-4 ARRIVED 1 1400"),
                describe(states.get("S-2").foldInputs()));
        assertEquals(List.of(), describe(states.get("S-3").foldInputs()), "an event awaiting evidence is not counted");
        assertEquals(List.of(), describe(states.get("S-4").foldInputs()));
        assertTrue(
                states.get("S-1").foldInputs().stream().allMatch(e -> e.stopId().equals("S-1")));
    }

    private static List<String> describe(List<EventRow> events) {
        return events.stream()
                .map(e -> e.deviceId() + " " + e.seq() + " " + e.idempotencyKey() + " " + e.type() + " " + e.attempt()
                        + " " + e.correctedAt())
                .toList();
    }
}
