package io.podsync.server;

/** {@link RestartTest} on PostgreSQL: receipts, states, signing keys and cursors outlive the process there too. */
@OnPostgres
class PostgresRestartTest extends RestartTest {}
