package io.podsync.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podsync.storage.jdbc.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same migrations and the same feed on a real PostgreSQL (embedded: its server binaries come in a jar). The SQL is
 * written to be portable; this is where that is checked, one fresh database per test.
 */
class PostgresMigrationTest {
    private static EmbeddedPostgres pg;
    private static int databases;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start();
    }

    @AfterAll
    static void stop() throws Exception {
        pg.close();
    }

    private static String freshDatabase() throws Exception {
        String name = "podsync_" + (++databases);
        try (Connection c = pg.getPostgresDatabase().getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return pg.getJdbcUrl("postgres", name);
    }

    private static Database open(String url) {
        return Database.open(new DatabaseConfig(url, "postgres", "postgres", 4));
    }

    private static List<String> ids(List<ChangeRow> rows) {
        return rows.stream().map(c -> c.kind() + ":" + c.entityId()).toList();
    }

    @Test
    void theFeedMergesPublishedChangesAndStopStatesInOrder() throws Exception {
        try (Database db = open(freshDatabase())) {
            db.write(tx -> {
                tx.changes().publish(List.of(ChangeRow.of("driver:A", "stop", "S-1", false, "{}", 1L)));
                tx.routes()
                        .upsertStates(
                                List.of(new StopStateRow("S-1", "driver:A", "arrived", "{\"v\":1}", 2L, List.of())));
                tx.changes().publish(List.of(ChangeRow.of("driver:A", "stop", "S-2", false, "{}", 3L)));
                return null;
            });
            assertEquals(
                    List.of("stop:S-1", "stop_state:S-1", "stop:S-2"),
                    ids(db.read(tx -> tx.changes().since("driver:A", 0, 10))));
            assertEquals(
                    List.of("stop:S-1", "stop_state:S-1"),
                    ids(db.read(tx -> tx.changes().since("driver:A", 0, 2))));
            db.write(tx -> {
                tx.routes()
                        .upsertStates(
                                List.of(new StopStateRow("S-1", "driver:B", "arrived", "{\"v\":1}", 2L, List.of())));
                return null;
            });
            assertEquals(
                    List.of("stop:S-1", "stop:S-2"),
                    ids(db.read(tx -> tx.changes().since("driver:A", 0, 10))));
            assertEquals(
                    List.of("stop_state:S-1"), ids(db.read(tx -> tx.changes().since("driver:B", 0, 10))));
        }
    }

    private static EventRow event(long seq) {
        return EventRow.builder()
                .deviceId("dev-1")
                .seq(seq)
                .idempotencyKey("key-" + seq)
                .driverId("driver-1")
                .stopId("S-1")
                .routeId("R-1")
                .type("NOTE")
                .attempt(1)
                .capturedAt(1L)
                .correctedAt(1L)
                .receivedAt(2L)
                .verdict("APPLIED")
                .flags("")
                .fingerprint("f" + seq)
                .payloadJson("{}")
                .build();
    }

    /**
     * A push learns which of its events are new from the insert's per-row counts. A driver that folds the batch into
     * one statement and answers "success, no count" would hide duplicates: such a push fails and stores nothing.
     */
    @Test
    void aDriverThatHidesPerRowCountsIsRefusedAndStoresNothing() throws Exception {
        String url = freshDatabase();
        try (Database db = open(url)) {
            assertArrayEquals(
                    new boolean[] {true, true}, db.write(tx -> tx.events().insertAll(List.of(event(1), event(2)))));
            assertArrayEquals(
                    new boolean[] {false, true}, db.write(tx -> tx.events().insertAll(List.of(event(2), event(3)))));
        }
        try (Database db = open(url + "&reWriteBatchedInserts=true")) {
            StorageException e = assertThrows(
                    StorageException.class, () -> db.write(tx -> tx.events().insertAll(List.of(event(4), event(5)))));
            assertTrue(e.getMessage().contains("does not report the rows"), e.getMessage());
            long stored = db.read(tx -> tx.events().count());
            assertEquals(3, stored);
        }
    }

    /** Concurrent writers on PostgreSQL take ids from one counter row: the ranges never overlap. */
    @Test
    void concurrentReservationsGetDisjointRanges() throws Exception {
        try (Database db = open(freshDatabase());
                ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Long>> firsts = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                firsts.add(pool.submit(() -> db.write(tx -> tx.reserveIds("change_feed", 10))));
            }
            Set<Long> seen = new TreeSet<>();
            for (Future<Long> f : firsts) {
                long first = f.get();
                for (long id = first; id < first + 10; id++) {
                    assertTrue(seen.add(id), "id " + id + " handed out twice");
                }
            }
            assertEquals(400, seen.size());
            long head = db.read(tx -> tx.changes().head());
            assertEquals(400L, head);
        }
    }

    @Test
    void migrationSixMovesPublishedStatesOutOfTheChangeFeed() throws Exception {
        String url = freshDatabase();
        Flyway.configure()
                .dataSource(url, "postgres", "postgres")
                .locations("classpath:db/migration")
                .target("5")
                .load()
                .migrate();
        try (Connection c = java.sql.DriverManager.getConnection(url, "postgres", "postgres");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO stop_states VALUES ('S-1', 'delivered', '{\"v\":1}', 5)");
            s.execute("INSERT INTO change_feed VALUES ('driver:A', 'stop', 'S-1', 3, 0, '{}', 1)");
            s.execute("INSERT INTO change_feed VALUES ('driver:A', 'stop_state', 'S-1', 7, 0, '{\"v\":0}', 4)");
            s.execute("INSERT INTO change_feed VALUES ('driver:B', 'stop_state', 'S-1', 11, 0, '{\"v\":1}', 5)");
        }
        try (Database db = open(url)) {
            List<ChangeRow> b = db.read(tx -> tx.changes().since("driver:B", 0, 10));
            assertEquals(List.of("stop_state:S-1"), ids(b));
            assertEquals(11, b.get(0).seq());
            assertEquals(List.of("stop:S-1"), ids(db.read(tx -> tx.changes().since("driver:A", 0, 10))));
        }
    }
}
