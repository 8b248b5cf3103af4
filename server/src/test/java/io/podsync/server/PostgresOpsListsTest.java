package io.podsync.server;

/** {@link OpsListsTest} on PostgreSQL: the same lists and refusals on the other engine. */
@OnPostgres
class PostgresOpsListsTest extends OpsListsTest {}
