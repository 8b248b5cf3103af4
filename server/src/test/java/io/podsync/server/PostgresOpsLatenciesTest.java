package io.podsync.server;

/** {@link OpsLatenciesTest} on PostgreSQL. */
@OnPostgres
class PostgresOpsLatenciesTest extends OpsLatenciesTest {}
