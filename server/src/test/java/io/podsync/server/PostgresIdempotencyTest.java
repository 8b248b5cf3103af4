package io.podsync.server;

import java.time.Clock;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link IdempotencyTest} on PostgreSQL, where concurrent twins meet in row locks and retries instead of SQLite's single
 * writer.
 */
class PostgresIdempotencyTest extends IdempotencyTest {
    @BeforeAll
    static void start() {
        server = TestServer.start(dir, Postgres.freshDatabase(), Clock.systemUTC());
        server.erp().releaseRoute("RI", Fixtures.route("RI", "DI", 5));
        device = server.device("DI");
    }
}
