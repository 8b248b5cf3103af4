package io.podsync.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.podsync.protocol.json.ProtocolJson;
import io.podsync.server.ops.Replicas;
import io.podsync.storage.DatabaseConfig;
import io.podsync.storage.ReplicaRow;
import io.podsync.storage.artifact.S3ProxyServer;
import io.podsync.storage.jdbc.Database;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas on one database know about each other: evidence kept on one replica's own disk is refused as soon as
 * another replica uses the database (at start, or through readiness when the other joins later), and so are replicas
 * that name different S3 stores.
 */
class ReplicasTest {
    @TempDir
    Path dir;

    private static Map<String, String> fast(Map<String, String> db) {
        Map<String, String> c = new HashMap<>(db);
        c.put("podsync.replicas.heartbeat-interval", "PT0.2S");
        return c;
    }

    private static HttpResponse<String> ready(TestServer s) {
        return s.send("GET", "/health/ready", null, null, null);
    }

    @Test
    void aSecondReplicaWithALocalStoreIsRefusedAtStartNamingTheFix() {
        Map<String, String> db = fast(Postgres.freshDatabase());
        try (TestServer a = TestServer.start(dir.resolve("a"), db)) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> TestServer.start(dir.resolve("b"), db));
            assertTrue(e.getMessage().contains("podsync.artifacts.store is local"), e.getMessage());
            assertTrue(e.getMessage().contains("to s3"), e.getMessage());
            // The refused replica wrote no heartbeat: the first stays ready.
            assertEquals(200, ready(a).statusCode(), ready(a).body());
        }
    }

    @Test
    void aReplicaWithALocalStoreTurnsRedWhenAnotherJoinsAndGreenWhenItLeaves() throws Exception {
        Map<String, String> db = fast(Postgres.freshDatabase());
        try (S3ProxyServer s3 = S3ProxyServer.start(Files.createDirectories(dir.resolve("s3")));
                TestServer local = TestServer.start(dir.resolve("local"), db)) {
            assertEquals(200, ready(local).statusCode());
            try (TestServer shared =
                    TestServer.start(dir.resolve("shared"), TestServer.with(db, TestServer.s3Store(s3)))) {
                TestServer.await(() -> ready(local).statusCode() == 503, "the local replica to turn red");
                JsonNode body = ProtocolJson.read(ready(local).body(), JsonNode.class);
                assertEquals("DOWN", body.at("/checks/replicas").asText(), body.toString());
                assertEquals("UP", body.at("/checks/database").asText(), body.toString());
                assertTrue(
                        body.at("/problems/replicas").asText().contains("podsync.artifacts.store to s3"),
                        body.toString());
                assertEquals(200, ready(shared).statusCode(), ready(shared).body());
            }
            // The other replica stopped cleanly and removed its row.
            TestServer.await(() -> ready(local).statusCode() == 200, "the local replica to be alone again");
        }
    }

    @Test
    void replicasNamingDifferentS3StoresAreRefused() throws Exception {
        Map<String, String> db = fast(Postgres.freshDatabase());
        try (S3ProxyServer s3 = S3ProxyServer.start(Files.createDirectories(dir.resolve("s3")));
                TestServer a = TestServer.start(dir.resolve("a"), TestServer.with(db, TestServer.s3Store(s3)))) {
            Map<String, String> other = TestServer.with(
                    TestServer.with(db, TestServer.s3Store(s3)),
                    Map.of("podsync.artifacts.s3.bucket", "another-bucket"));
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> TestServer.start(dir.resolve("b"), other));
            assertTrue(e.getMessage().contains("same podsync.artifacts.s3.endpoint"), e.getMessage());
            assertEquals(200, ready(a).statusCode());
        }
    }

    @Test
    void aCrashedReplicaTakesItsOwnRowBackAndAReplicaSilentForThreeIntervalsIsGone() throws Exception {
        Map<String, String> db = fast(Postgres.freshDatabase());
        DatabaseConfig cfg = new DatabaseConfig(
                db.get("podsync.db.url"), db.get("podsync.db.user"), db.get("podsync.db.password"), 2);
        try (Database database = Database.open(cfg)) {
            long now = System.currentTimeMillis();
            // A replica killed a moment ago on this host and data directory, and one silent for an hour.
            beat(database, new ReplicaRow(Replicas.idFor(dir.resolve("a")), "local", now - 60_000, now));
            beat(database, new ReplicaRow("gone:/data", "local", now - 7_200_000, now - 3_600_000));
            try (TestServer a = TestServer.start(dir.resolve("a"), db)) {
                assertEquals(200, ready(a).statusCode(), ready(a).body());
                // Another replica is alive by its heartbeats (here, rows beaten by hand): the local store turns red.
                Await.until(
                        () -> {
                            beat(database, new ReplicaRow("elsewhere:/data", "local", now, System.currentTimeMillis()));
                            return ready(a).statusCode() == 503;
                        },
                        Duration.ofSeconds(10),
                        "readiness to turn red beside a live replica with the local store");
                // Once it falls silent for three intervals it counts as gone.
                TestServer.await(() -> ready(a).statusCode() == 200, "the silent replica to count as gone");
            }
        }
    }

    private static void beat(Database database, ReplicaRow row) {
        database.write(tx -> {
            tx.replicas().beat(row);
            return null;
        });
    }
}
