package io.podsync.server;

/** {@link IdempotencyTest} on PostgreSQL, where concurrent twins meet in row locks and retries instead of SQLite's single writer. */
@OnPostgres
class PostgresIdempotencyTest extends IdempotencyTest {}
