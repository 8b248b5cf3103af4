package io.podsync.server;

import org.junit.jupiter.api.BeforeAll;

/** {@link IdempotencyTest} on PostgreSQL, where concurrent twins meet in row locks and retries instead of SQLite's single writer. */
class PostgresIdempotencyTest extends IdempotencyTest {
    @BeforeAll
    static void start() {
        startOn(Postgres.freshDatabase());
    }
}
